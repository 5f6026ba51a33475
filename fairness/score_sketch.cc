#include "fairness/score_sketch.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "fairness/internal/kolmogorov.h"

namespace probity::fairness {
namespace {

// Adds up neighbouring equal values of sorted `entries`.
void CombineSorted(std::vector<ScoreSketch::Entry>& entries) {
  size_t out = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (out > 0 && entries[out - 1].value == entries[i].value) {
      entries[out - 1].weight += entries[i].weight;
      entries[out - 1].rows += entries[i].rows;
    } else {
      entries[out++] = entries[i];
    }
  }
  entries.resize(out);
}

bool ByValue(const ScoreSketch::Entry& x, const ScoreSketch::Entry& y) { return x.value < y.value; }

// Merges sorted `more` into sorted `entries` in linear time, adding up equal values.
void MergeSorted(std::vector<ScoreSketch::Entry>& entries,
                 std::span<const ScoreSketch::Entry> more) {
  std::vector<ScoreSketch::Entry> merged;
  merged.reserve(entries.size() + more.size());
  std::merge(entries.begin(), entries.end(), more.begin(), more.end(), std::back_inserter(merged),
             ByValue);
  CombineSorted(merged);
  entries.swap(merged);
}

}  // namespace

// Clears the low bits of the IEEE representation: truncation toward zero, which composes
// (rounding to b bits, then to c < b bits, equals rounding to c bits directly), so the
// entries of a merged sketch do not depend on the order of merges and additions; round to
// nearest does not compose. Zero comes out as +0 so that -0 and +0 are one entry.
double ScoreSketch::RoundToBits(double value, int bits) {
  if (value == 0) return 0.0;
  if (bits >= kFullPrecisionBits || !std::isfinite(value)) return value;
  const int dropped = kFullPrecisionBits - std::max(bits, 1);
  const auto raw = std::bit_cast<uint64_t>(value) & ~((uint64_t{1} << dropped) - 1);
  return std::bit_cast<double>(raw);
}

ScoreSketch::ScoreSketch(size_t max_entries) : max_entries_(std::max<size_t>(max_entries, 16)) {}

void ScoreSketch::Add(double value, double weight) {
  pending_.push_back(Entry{RoundToBits(value, precision_bits_), weight, 1});
  if (pending_.size() >= max_entries_) Compact();
}

void ScoreSketch::Compact() const {
  if (pending_.empty()) return;
  std::sort(pending_.begin(), pending_.end(), ByValue);
  MergeSorted(entries_, pending_);
  pending_.clear();
  Coarsen();
}

// Drops precision while there are too many entries. Truncation is monotone, so the
// entries stay sorted and only neighbours can become equal.
void ScoreSketch::Coarsen() const {
  while (entries_.size() > max_entries_ && precision_bits_ > 1) {
    --precision_bits_;
    for (Entry& e : entries_) e.value = RoundToBits(e.value, precision_bits_);
    CombineSorted(entries_);
  }
}

void ScoreSketch::Merge(const ScoreSketch& other) {
  other.Compact();
  // Nothing to add and no coarser precision to take on (groups built from cells without
  // scores, the bootstrap's replicates): skip the merge and its allocation.
  if (other.entries_.empty() && other.precision_bits_ >= precision_bits_) return;
  Compact();
  const int bits = std::min(precision_bits_, other.precision_bits_);
  if (bits < precision_bits_) {
    precision_bits_ = bits;
    for (Entry& e : entries_) e.value = RoundToBits(e.value, bits);
    CombineSorted(entries_);
  }
  if (bits == other.precision_bits_) {
    MergeSorted(entries_, other.entries_);  // already at this precision, and sorted
  } else {
    std::vector<Entry> rounded(other.entries_);
    for (Entry& e : rounded) e.value = RoundToBits(e.value, bits);
    CombineSorted(rounded);
    MergeSorted(entries_, rounded);
  }
  Coarsen();
}

std::span<const ScoreSketch::Entry> ScoreSketch::entries() const {
  Compact();
  return entries_;
}

double ScoreSketch::total_weight() const {
  double total = 0;
  for (const Entry& e : entries()) total += e.weight;
  return total;
}

int64_t ScoreSketch::rows() const {
  int64_t total = 0;
  for (const Entry& e : entries()) total += e.rows;
  return total;
}

int ScoreSketch::precision_bits() const {
  Compact();
  return precision_bits_;
}

double ScoreSketch::WeightAbove(double threshold) const {
  double total = 0;
  for (const Entry& e : entries()) {
    if (e.value > threshold) total += e.weight;
  }
  return total;
}

int64_t ScoreSketch::RowsAbove(double threshold) const {
  int64_t total = 0;
  for (const Entry& e : entries()) {
    if (e.value > threshold) total += e.rows;
  }
  return total;
}

MetricValue ScoreSketch::Median() const {
  const int64_t n = rows();
  if (n == 0) return MetricValue::Undefined("no scores");
  // The values at 0-based ranks (n − 1)/2 and n/2.
  const int64_t lower_rank = (n - 1) / 2;
  const int64_t upper_rank = n / 2;
  double lower = 0, upper = 0;
  int64_t seen = 0;
  bool have_lower = false;
  for (const Entry& e : entries()) {
    seen += e.rows;
    if (!have_lower && seen > lower_rank) {
      lower = e.value;
      have_lower = true;
    }
    if (seen > upper_rank) {
      upper = e.value;
      break;
    }
  }
  // (lower + upper) / 2 as numpy.median computes it, halving first only where the sum
  // would overflow.
  const double sum = lower + upper;
  return MetricValue::Of(std::isfinite(sum) ? sum / 2 : lower / 2 + upper / 2);
}

ScoreSketch ScoreSketch::FromEntries(std::vector<Entry> entries, int precision_bits,
                                     size_t max_entries) {
  ScoreSketch sketch(max_entries);
  sketch.precision_bits_ = std::clamp(precision_bits, 1, kFullPrecisionBits);
  for (Entry& e : entries) e.value = RoundToBits(e.value, sketch.precision_bits_);
  sketch.pending_ = std::move(entries);
  sketch.Compact();
  return sketch;
}

}  // namespace probity::fairness

namespace probity::fairness {

MetricValue AreaUnderCurve(const ScoreSketch& positives, const ScoreSketch& negatives) {
  const double w1 = positives.total_weight();
  const double w0 = negatives.total_weight();
  if (w1 <= 0) return MetricValue::Undefined("no label-favourable rows with a score");
  if (w0 <= 0) return MetricValue::Undefined("no label-unfavourable rows with a score");
  // Walk both sorted lists: each positive counts the negatives below it, plus half the ties.
  std::span<const ScoreSketch::Entry> pos = positives.entries();
  std::span<const ScoreSketch::Entry> neg = negatives.entries();
  double below = 0, u = 0;
  size_t j = 0;
  for (const ScoreSketch::Entry& p : pos) {
    while (j < neg.size() && neg[j].value < p.value) below += neg[j++].weight;
    const double tied = (j < neg.size() && neg[j].value == p.value) ? neg[j].weight : 0;
    u += p.weight * (below + tied / 2);
  }
  return MetricValue::Of(u / (w1 * w0));
}

MetricValue BrierScore(const ScoreSketch& positives, const ScoreSketch& negatives) {
  double total = 0, loss = 0;
  for (const ScoreSketch::Entry& e : positives.entries()) {
    total += e.weight;
    loss += e.weight * (e.value - 1) * (e.value - 1);
  }
  for (const ScoreSketch::Entry& e : negatives.entries()) {
    total += e.weight;
    loss += e.weight * e.value * e.value;
  }
  if (total <= 0) return MetricValue::Undefined("no rows with a score");
  return MetricValue::Of(loss / total);
}

Calibration CalibrationTable(const ScoreSketch& positives, const ScoreSketch& negatives, int bins) {
  Calibration table;
  bins = std::max(bins, 1);
  struct Sums {
    double weight = 0, positive = 0, score = 0;
    int64_t rows = 0;
  };
  std::vector<Sums> sums(static_cast<size_t>(bins));
  // (lower, upper] bins, the first one closed at 0, against the edges b / bins as reported
  // (s·bins alone misplaces scores on an edge: 0.3 · 10 rounds to 3.0000000000000004).
  auto upper_edge = [bins](int b) { return static_cast<double>(b + 1) / bins; };
  auto bin_of = [&](double s) {
    int b = std::clamp(static_cast<int>(std::ceil(s * bins)) - 1, 0, bins - 1);
    while (b > 0 && s <= upper_edge(b - 1)) --b;
    while (b < bins - 1 && s > upper_edge(b)) ++b;
    return static_cast<size_t>(b);
  };
  for (int label = 0; label < 2; ++label) {
    for (const ScoreSketch::Entry& e : (label ? positives : negatives).entries()) {
      Sums& s = sums[bin_of(e.value)];
      s.weight += e.weight;
      s.rows += e.rows;
      s.score += e.weight * e.value;
      if (label) s.positive += e.weight;
    }
  }
  double total = 0, ece = 0, mce = 0;
  for (int b = 0; b < bins; ++b) {
    const Sums& s = sums[static_cast<size_t>(b)];
    ReliabilityBin bin;
    bin.lower = static_cast<double>(b) / bins;
    bin.upper = static_cast<double>(b + 1) / bins;
    bin.weight = s.weight;
    bin.rows = s.rows;
    if (s.weight > 0) {
      bin.mean_score = MetricValue::Of(s.score / s.weight);
      bin.positive_rate = MetricValue::Of(s.positive / s.weight);
      const double gap = std::abs(s.positive / s.weight - s.score / s.weight);
      ece += s.weight * gap;
      mce = std::max(mce, gap);
      total += s.weight;
    } else {
      bin.mean_score = MetricValue::Undefined("empty bin");
      bin.positive_rate = MetricValue::Undefined("empty bin");
    }
    table.bins.push_back(std::move(bin));
  }
  if (total > 0) {
    table.expected_calibration_error = MetricValue::Of(ece / total);
    table.maximum_calibration_error = MetricValue::Of(mce);
  } else {
    table.expected_calibration_error = MetricValue::Undefined("no rows with a score");
    table.maximum_calibration_error = MetricValue::Undefined("no rows with a score");
  }
  return table;
}

KsResult KolmogorovSmirnov(const ScoreSketch& first, const ScoreSketch& second) {
  const double w1 = first.total_weight(), w2 = second.total_weight();
  if (w1 <= 0 || w2 <= 0) {
    const std::string why =
        w1 <= 0 ? "the first group has no values" : "the second group has no values";
    return KsResult{MetricValue::Undefined(why), MetricValue::Undefined(why)};
  }
  std::span<const ScoreSketch::Entry> a = first.entries();
  std::span<const ScoreSketch::Entry> b = second.entries();
  size_t i = 0, j = 0;
  double fa = 0, fb = 0, d = 0;
  while (i < a.size() || j < b.size()) {
    const double v =
        (j >= b.size() || (i < a.size() && a[i].value <= b[j].value)) ? a[i].value : b[j].value;
    while (i < a.size() && a[i].value == v) fa += a[i++].weight;
    while (j < b.size() && b[j].value == v) fb += b[j++].weight;
    d = std::max(d, std::abs(fa / w1 - fb / w2));
  }
  // scipy's ks_2samp(method="asymp") two-sided p-value: the finite-n distribution of the
  // one-sample statistic (scipy.stats.kstwo, not the limiting Kolmogorov distribution) at
  // n = round(n1·n2 / (n1 + n2)) (half to even, as numpy.round), on row counts.
  const double n1 = static_cast<double>(first.rows()), n2 = static_cast<double>(second.rows());
  const double big = std::max(n1, n2), small = std::min(n1, n2);
  const double en = std::nearbyint(big * small / (big + small));
  if (en < 1) {
    return KsResult{MetricValue::Of(d),
                    MetricValue::Undefined("one row on each side: the effective sample size "
                                           "n1·n2/(n1+n2) = 1/2 rounds to 0")};
  }
  const double p = internal::KolmogorovSurvival(static_cast<int64_t>(en), d);
  return KsResult{MetricValue::Of(d), MetricValue::Of(p)};
}

}  // namespace probity::fairness
