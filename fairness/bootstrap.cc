#include "fairness/bootstrap.h"
