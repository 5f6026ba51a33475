#include "fairness/metrics.h"
