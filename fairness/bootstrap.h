// A bootstrap for count-based metrics that resamples the contingency table rather than the
// rows. Drawing N rows with replacement is exactly a Multinomial(N, counts/N) draw over the
// table's categories, so each replicate costs O(categories), not O(rows). The draw is a
// chain of binomials (Boost.Random's binomial_distribution on std::mt19937_64, one engine
// per replicate seeded from the seed and the replicate's index), which an auditor can
// reproduce from the seed and the algorithm reported in BootstrapResult::rng
// (docs/fairness.md §Bootstrap).
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
  // The RNG recipe, exactly: "std::mt19937_64 seeded per replicate with splitmix64(seed +
  // (replicate + 1) * 0x9E3779B97F4A7C15); multinomial as conditional
  // boost::random::binomial_distribution<int64_t, double> draws in category order (Boost 1.74;
  // inversion when floor((t + 1) * min(p, 1 - p)) < 11, else BTRD)".
  std::string rng;
  bool stratified = false;
};

// `counts` are the row counts per category (non-negative integers held in doubles;
// non-integers are rounded to the nearest integer, halves to even); `strata` gives each
// category's stratum label (any int; required when options.stratified, else ignored).
//
// Replicate b (0-based) draws from std::mt19937_64 seeded with ReplicateSeed(seed, b), so
// any replicate can be reproduced alone. It visits the categories in index order; category
// c of stratum s gets Binomial(R_s, counts[c] / M_s), where R_s is the number of rows of s
// not yet assigned and M_s the sum of counts[d] over the categories d ≥ c of s (that is
// p_c / the probability left). No draw is made — and no random number used — for an empty
// category (it gets 0), when R_s is 0 (it gets 0), or for the last non-empty category of s
// (it gets R_s). Not stratified, there is one stratum holding every category.
//
// The statistic is called on the rounded table (θ̂), then once per replicate, then — when
// at least 2 replicates were drawn — once per non-empty category for the jackknife (see
// CellJackknifeAcceleration). A replicate value that is nullopt or NaN counts as undefined;
// ±inf is a value. Per statistic, intervals are computed over the defined replicates, none
// when fewer than 2 are:
// - percentile: LinearQuantile at (1 − confidence)/2 and 1 − (1 − confidence)/2;
// - BCa (Efron 1987): z0 = Φ⁻¹((#{θ* < θ̂} + ½·#{θ* = θ̂}) / B), B the defined replicates
//   (a tie counts as half, as in scipy.stats.bootstrap); the bounds are LinearQuantile at
//   Φ(z0 + (z0 + z_α)/(1 − a(z0 + z_α))) for z_α = ∓Φ⁻¹(1 − (1 − confidence)/2), with a
//   from CellJackknifeAcceleration. nullopt when θ̂ is undefined or infinite, all defined
//   replicates are equal, z0 is infinite (θ̂ below or above every replicate), a is
//   undefined, or 1 − a(z0 + z_α) ≤ 0.
// A note on each interval says how many replicates were undefined.
//
// Bounds: replicates is clamped to [0, 1,000,000] (BootstrapResult::replicates is the
// number drawn). Invalid input — more than 1<<20 categories, a count that is negative, not
// finite or above 2^53, a total above 2^53, strata of the wrong size when stratified, or a
// confidence outside (0, 1) — gives a result with replicates = 0 and no intervals, without
// calling the statistic. Deterministic: equal inputs and seed give bit-identical results
// (on one platform: Boost's binomial uses libm's exp/log). Costs B + (non-empty categories)
// + 1 statistic calls plus O(B·categories) for the draws; memory O(B × statistics).
BootstrapResult BootstrapCells(std::span<const double> counts, std::span<const int> strata,
                               const CellStatistic& statistic, const BootstrapOptions& options);

// The BCa acceleration from the exact jackknife over rows, computed per cell: leaving out
// one row of category c gives θ_(c) = statistic(counts − e_c), the same for each of its
// counts[c] rows, so with weights w_c = counts[c], N = Σ w_c, θ̄ = Σ w_c θ_(c) / N:
//   a = Σ w_c (θ̄ − θ_(c))³ / (6 · (Σ w_c (θ̄ − θ_(c))²)^{3/2}),
// 0 when every θ_(c) is equal, nullopt when some θ_(c) is undefined or infinite or N = 0.
// One value per statistic; empty when `counts` is invalid (as for BootstrapCells).
std::vector<std::optional<double>> CellJackknifeAcceleration(std::span<const double> counts,
                                                             const CellStatistic& statistic);

// The seed of replicate `replicate`'s std::mt19937_64: SplitMix64 (Steele, Lea & Flood
// 2014) at position replicate + 1 of the stream started at `seed`:
//   z = seed + (replicate + 1)·0x9E3779B97F4A7C15 (mod 2^64);
//   z = (z ^ (z >> 30))·0xBF58476D1CE4E5B9; z = (z ^ (z >> 27))·0x94D049BB133111EB;
//   return z ^ (z >> 31).
uint64_t ReplicateSeed(uint64_t seed, uint64_t replicate);

// The q-quantile (q clamped to [0, 1]) of ascending `sorted` values as numpy.quantile's
// default method "linear" computes it (Hyndman & Fan type 7): h = (n − 1)·q, then numpy's
// interpolation between the neighbours of h. An infinite neighbour gives that infinity.
// NaN when `sorted` is empty.
double LinearQuantile(std::span<const double> sorted, double q);

}  // namespace probity::fairness
