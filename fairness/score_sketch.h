// ScoreSketch holds the distribution of a score (or a regression prediction) for one group in
// bounded memory, and merges exactly across shards. It keeps each distinct value with its
// weight and row count while there are at most `max_entries` of them — then every
// score-based metric is exact; past that, values are rounded toward zero to fewer
// significant bits, one bit at a time until the distinct values fit (the same deterministic
// rounding on every shard; it composes, so merging shards in any order gives the same
// entries — the weights' sums up to floating-point addition order, the row counts exactly)
// and the metrics are exact up to that rounding, which is reported (precision_bits, exact()).
//
//   ScoreSketch s;
//   s.Add(0.73, 1.0);
//   s.Merge(other);
//   double auc = AreaUnderCurve(positives, negatives).value.value();
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "fairness/metric.h"

namespace probity::fairness {

class ScoreSketch {
 public:
  struct Entry {
    double value = 0;   // the (possibly rounded) score
    double weight = 0;  // sum of the rows' weights
    int64_t rows = 0;
  };
  static constexpr int kFullPrecisionBits = 53;
  static constexpr size_t kDefaultMaxEntries = 1 << 16;

  explicit ScoreSketch(size_t max_entries = kDefaultMaxEntries);

  // Adds one finite score (the caller filters NaN and infinities).
  void Add(double value, double weight);
  // Adds every entry of `other`, coarsening both to the lower precision first.
  void Merge(const ScoreSketch& other);

  // Entries sorted by value, distinct values only.
  std::span<const Entry> entries() const;
  double total_weight() const;
  int64_t rows() const;
  // Significant bits the values are kept to: kFullPrecisionBits while exact.
  int precision_bits() const;
  bool exact() const { return precision_bits() == kFullPrecisionBits; }

  // Weight (and rows) of the values strictly above / at most `threshold`.
  double WeightAbove(double threshold) const;
  int64_t RowsAbove(double threshold) const;
  // The median over rows (unweighted; the mean of the two middle values when the row count
  // is even, as numpy.median), for the NYC LL144 scoring rate; undefined when empty.
  MetricValue Median() const;

  // For serialization (fairness/partial.h): rebuild from entries and precision. Entries
  // are rounded to `precision_bits` (clamped to [1, 53]), sorted and combined; the reader
  // checks them first so that nothing changes.
  static ScoreSketch FromEntries(std::vector<Entry> entries, int precision_bits,
                                 size_t max_entries = kDefaultMaxEntries);

  // `value` rounded toward zero to `bits` significant bits (the low 53 − bits bits of its
  // IEEE significand cleared; subnormals are cut on the same bit grid). This is the rounding
  // every sketch applies when it coarsens: it composes, so merges in any order agree.
  // `value` itself for bits >= 53 or non-finite; zero (either sign) gives +0.
  static double RoundToBits(double value, int bits);

 private:
  // Sorts and merges pending values into entries_, coarsening while there are too many.
  void Compact() const;
  void Coarsen() const;  // drops precision while there are more than max_entries_
  size_t max_entries_;
  mutable int precision_bits_ = kFullPrecisionBits;
  mutable std::vector<Entry> entries_;
  mutable std::vector<Entry> pending_;
};

// ---- Score-based metrics (per group) ---------------------------------------------------

// The area under the ROC curve of a score separating label-positive rows (`positives`) from
// label-negative ones, with ties counted as one half (the Mann–Whitney U statistic / n1·n0),
// weighted. Undefined when either side is empty.
MetricValue AreaUnderCurve(const ScoreSketch& positives, const ScoreSketch& negatives);

// The Brier score Σ w·(s − y)² / Σ w. Undefined when both are empty.
MetricValue BrierScore(const ScoreSketch& positives, const ScoreSketch& negatives);

// One bin of a reliability table: scores in (lower, upper] (the first bin includes 0).
struct ReliabilityBin {
  double lower = 0, upper = 0;
  double weight = 0;  // rows' weight in the bin
  int64_t rows = 0;
  MetricValue mean_score;  // undefined for an empty bin
  MetricValue positive_rate;
};
struct Calibration {
  std::vector<ReliabilityBin> bins;
  MetricValue expected_calibration_error;  // Σ_b (w_b / W)·|positive_rate_b − mean_score_b|
  MetricValue maximum_calibration_error;
};
// Equal-width bins on [0, 1] (scores outside it are an error of the caller: it checks).
Calibration CalibrationTable(const ScoreSketch& positives, const ScoreSketch& negatives,
                             int bins = 10);

// The two-sample Kolmogorov–Smirnov statistic sup_t |F_1(t) − F_2(t)| between two
// weighted empirical CDFs, with the p-value of scipy.stats.ks_2samp(method="asymp"):
// kstwo.sf(D, round(n1·n2/(n1+n2))) on the rows' counts (fairness/internal/kolmogorov.h).
// Undefined when either is empty; the p-value is undefined for one row on each side
// (scipy returns NaN there).
struct KsResult {
  MetricValue statistic;
  MetricValue p_value;
};
KsResult KolmogorovSmirnov(const ScoreSketch& first, const ScoreSketch& second);

}  // namespace probity::fairness
