#include "fairness/partial.h"
