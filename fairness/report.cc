#include "fairness/report.h"
