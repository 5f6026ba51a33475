#include "fairness/significance.h"
