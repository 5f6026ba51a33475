// The thread count of an explainer's `threads` option, shared by every OpenMP loop in
// explain/: 0 means OpenMP's default (all cores unless OMP_NUM_THREADS or --threads says
// otherwise). Results never depend on it.
#pragma once

#include <omp.h>

namespace probity::explain::internal {

inline int ThreadCount(int threads) { return threads > 0 ? threads : omp_get_max_threads(); }

}  // namespace probity::explain::internal
