#include "fairness/legal.h"
