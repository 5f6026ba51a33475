#include "fairness/collect.h"
