#include "audit/core/check.h"

#include <cstdio>
#include <cstdlib>

namespace probity::internal {

void CheckFailed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "probity: internal error: check failed: %s at %s:%d (please report this)\n",
               condition, file, line);
  std::abort();
}

}  // namespace probity::internal
