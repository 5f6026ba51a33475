#include "fairness/individual.h"
