// The portable random generator of the sampled explainers (LIME, permutation importance,
// counterfactuals), and the frame alignment they share.
//
// Rng is xoshiro256** (Blackman & Vigna 2018) seeded through splitmix64, with its own
// transforms, so a seed gives the same stream on every platform and standard library
// (libstdc++'s distributions are implementation-defined). Explainers seed one Rng per
// row or task with MixSeed(seed, stream) (explain/input_frame.h), which makes their
// results independent of the thread count.
//
//   Rng rng(MixSeed(options.seed, row));
//   double z = rng.Normal();
//   size_t k = rng.Below(n);
#pragma once

#include <cstdint>
#include <string>

#include "audit/core/result.h"
#include "explain/input_frame.h"
#include "explain/internal/threads.h"

namespace probity::explain::internal {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t Next();  // 64 raw bits
  // Uniform on [0, 1): the top 53 bits of Next() times 2^-53.
  double Uniform();
  // Uniform on {0, …, n − 1} without modulo bias (raw values below 2^64 mod n are
  // rejected, then reduced mod n); 0 when n == 0.
  uint64_t Below(uint64_t n);
  // Standard normal by the Box–Muller transform of two Uniform() draws (u1 taken as
  // 1 − Uniform() so that log(u1) is finite); the sine branch is discarded, so every call
  // consumes exactly two draws.
  double Normal();
  // N(mean, sd) truncated to [lo, hi] by rejection from Normal(); the acceptance rate is at
  // least 47% when mean ∈ [lo, hi] and sd ≤ (hi − lo) / 2, which holds for the bin
  // statistics LIME uses. After 1,000 rejections (only reachable with other arguments) the
  // last draw is clamped to [lo, hi]. Returns mean when sd ≤ 0 or lo ≥ hi.
  double TruncatedNormal(double mean, double sd, double lo, double hi);

 private:
  uint64_t s_[4];
};

// `other` re-encoded into `reference`'s dictionaries (strings `reference` lacks are
// appended to the returned frame's dictionaries, which extend reference's: codes of the
// reference stay valid). kInvalidArgument naming `what` when the inputs or their types
// differ.
Result<InputFrame> AlignFrame(const InputFrame& reference, const InputFrame& other,
                              const std::string& what);


}  // namespace probity::explain::internal
