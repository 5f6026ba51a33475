#include "fairness/score_sketch.h"

#include <algorithm>
#include <cmath>

namespace probity::fairness {
namespace {

// `value` rounded to `bits` significant bits (round half to even), deterministic on every
// platform with IEEE doubles.
double RoundToBits(double value, int bits) {
  if (bits >= ScoreSketch::kFullPrecisionBits || value == 0 || !std::isfinite(value)) {
    return value;
  }
  int exponent = 0;
  const double mantissa = std::frexp(value, &exponent);  // in [0.5, 1)
  return std::ldexp(std::nearbyint(std::ldexp(mantissa, bits)), exponent - bits);
}

// Sorts `entries` by value and adds up equal values.
void Combine(std::vector<ScoreSketch::Entry>& entries) {
  std::sort(entries.begin(), entries.end(),
            [](const auto& x, const auto& y) { return x.value < y.value; });
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

}  // namespace

ScoreSketch::ScoreSketch(size_t max_entries) : max_entries_(std::max<size_t>(max_entries, 16)) {}

void ScoreSketch::Add(double value, double weight) {
  pending_.push_back(Entry{RoundToBits(value, precision_bits_), weight, 1});
  if (pending_.size() >= max_entries_) Compact();
}

void ScoreSketch::Compact() const {
  if (pending_.empty()) return;
  entries_.insert(entries_.end(), pending_.begin(), pending_.end());
  pending_.clear();
  Combine(entries_);
  while (entries_.size() > max_entries_ && precision_bits_ > 1) {
    --precision_bits_;
    for (Entry& e : entries_) e.value = RoundToBits(e.value, precision_bits_);
    Combine(entries_);
  }
}

void ScoreSketch::Merge(const ScoreSketch& other) {
  other.Compact();
  Compact();
  const int bits = std::min(precision_bits_, other.precision_bits_);
  if (bits < precision_bits_) {
    precision_bits_ = bits;
    for (Entry& e : entries_) e.value = RoundToBits(e.value, bits);
  }
  for (const Entry& e : other.entries_) {
    pending_.push_back(Entry{RoundToBits(e.value, bits), e.weight, e.rows});
  }
  // Force a combine even when pending_ is small, so entries_ stays sorted and distinct.
  Compact();
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
  return MetricValue::Of(lower + (upper - lower) / 2);
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
