// A bootstrap for count-based metrics that resamples the contingency table rather than the
// rows. Drawing N rows with replacement is exactly a Multinomial(N, counts/N) draw over the
// table's categories, so each replicate costs O(categories), not O(rows). The draw is a
// chain of binomials (Boost.Random's binomial_distribution on std::mt19937_64 seeded with
// the seed), which an auditor can reproduce from the seed and the algorithm name reported.
//
//   BootstrapResult r = BootstrapCells(counts, {}, statistic, {.replicates = 1000, .seed = 7});
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fairness/metric.h"

namespace probity::fairness {

struct BootstrapOptions {
  int replicates = 1000;
  uint64_t seed = 0;
  double confidence = 0.95;
  // Keep each stratum's total fixed (draw one multinomial per stratum), e.g. group sizes.
  bool stratified = false;
};

// The statistics for one table of counts: one value per statistic, nullopt when undefined
// on that table. Must return the same number of values on every call.
using CellStatistic = std::function<std::vector<std::optional<double>>(std::span<const double>)>;

struct BootstrapInterval {
  std::optional<Interval> percentile;  // np.quantile-style linear interpolation
  std::optional<Interval> bca;         // bias-corrected and accelerated (jackknife over cells)
  int undefined_replicates = 0;        // replicates where the statistic was undefined
};

struct BootstrapResult {
  std::vector<BootstrapInterval> intervals;  // one per statistic
  int replicates = 0;
  uint64_t seed = 0;
  std::string rng;  // e.g. "mt19937_64 + boost::random::binomial_distribution (BTRD)"
  bool stratified = false;
};

// `counts` are the row counts per category (non-negative integers); `strata` gives each
// category's stratum (required when options.stratified, else ignored). Intervals are
// computed over the replicates where a statistic is defined; none when fewer than 2 are.
// BCa's acceleration comes from the exact jackknife: leaving out one row of category c
// gives statistic(counts − e_c), weighted by counts[c].
BootstrapResult BootstrapCells(std::span<const double> counts, std::span<const int> strata,
                               const CellStatistic& statistic, const BootstrapOptions& options);

}  // namespace probity::fairness
