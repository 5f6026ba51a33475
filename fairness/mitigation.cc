#include "fairness/mitigation.h"
