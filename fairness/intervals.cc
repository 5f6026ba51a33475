#include "fairness/intervals.h"
