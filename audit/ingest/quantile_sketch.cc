#include "audit/ingest/quantile_sketch.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

#include "audit/core/check.h"

namespace probity::ingest {
namespace {

double InverseApproxLog2(double f) {
  double e = std::floor(f);
  return std::ldexp(1.0 + (f - e), static_cast<int>(e));
}

}  // namespace

double InterpolateQuantile(double lo, double hi, double fraction) {
  if (fraction == 0 || lo == hi) return lo;
  double v = lo + fraction * (hi - lo);
  if (std::isfinite(v)) return v;
  return lo * (1 - fraction) + hi * fraction;  // hi − lo overflowed
}

QuantileSketch::QuantileSketch(double relative_accuracy, int32_t max_buckets)
    : relative_accuracy_(relative_accuracy), max_buckets_(max_buckets) {
  PROBITY_CHECK(relative_accuracy > 0 && relative_accuracy < 1 && max_buckets > 0);
  // Bucket width in f must not exceed ln(gamma), because d(ln x)/df = 1/m <= 1.
  double gamma = (1 + relative_accuracy) / (1 - relative_accuracy);
  multiplier_ = 1.0 / std::log(gamma);
}

double QuantileSketch::Value(int32_t index) const {
  double lo = InverseApproxLog2((index - 1) / multiplier_);
  double hi = InverseApproxLog2(index / multiplier_);
  // The harmonic mean 2·lo·hi/(lo + hi), whose relative error is at most
  // (hi − lo)/(hi + lo) <= accuracy, arranged so it neither overflows nor underflows.
  return lo * (2 * hi / (lo + hi));
}

void QuantileSketch::Store::Grow(int32_t index, int64_t n, int32_t max_buckets) {
  if (counts.empty()) {
    offset = index;
    counts.assign(1, 0);
  }
  if (index < offset) {
    int32_t new_offset = index;
    int32_t high = offset + static_cast<int32_t>(counts.size()) - 1;
    if (high - new_offset + 1 > max_buckets) {
      // Too wide: the smallest magnitudes share the lowest kept bucket.
      new_offset = high - max_buckets + 1;
      collapsed = true;
      if (index < new_offset) index = new_offset;
    }
    if (new_offset < offset) {
      counts.insert(counts.begin(), static_cast<size_t>(offset - new_offset), 0);
      offset = new_offset;
    }
  } else if (index >= offset + static_cast<int32_t>(counts.size())) {
    int32_t new_size = index - offset + 1;
    if (new_size > max_buckets) {
      // Collapse the lowest buckets into the first kept one.
      int32_t drop = new_size - max_buckets;
      int64_t folded = 0;
      for (int32_t i = 0; i < drop && i < static_cast<int32_t>(counts.size()); ++i) {
        folded += counts[static_cast<size_t>(i)];
      }
      counts.erase(counts.begin(),
                   counts.begin() + std::min<int32_t>(drop, static_cast<int32_t>(counts.size())));
      offset += drop;
      if (counts.empty()) counts.assign(1, 0);
      counts[0] += folded;
      collapsed = true;
      new_size = index - offset + 1;
    }
    counts.resize(static_cast<size_t>(new_size), 0);
  }
  counts[static_cast<size_t>(index - offset)] += n;
}

void QuantileSketch::AddAll(std::span<const double> values) {
  // One pass; the store is picked by indexing rather than branching, since signs are often
  // random, and Store::Add's in-range test almost always succeeds.
  Store* stores[2] = {&positive_, &negative_};
  int64_t zeros = 0;
  for (double x : values) {
    double magnitude = std::fabs(x);
    if (magnitude <= kMinMagnitude) {
      ++zeros;
      continue;
    }
    stores[x < 0 ? 1 : 0]->Add(Index(magnitude), 1, max_buckets_);
  }
  zero_count_ += zeros;
  count_ += static_cast<int64_t>(values.size());
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  PROBITY_CHECK(other.relative_accuracy_ == relative_accuracy_);
  auto merge_store = [&](Store& into, const Store& from) {
    for (size_t i = 0; i < from.counts.size(); ++i) {
      if (from.counts[i] != 0) {
        into.Add(from.offset + static_cast<int32_t>(i), from.counts[i], max_buckets_);
      }
    }
    into.collapsed = into.collapsed || from.collapsed;
  };
  merge_store(positive_, other.positive_);
  merge_store(negative_, other.negative_);
  zero_count_ += other.zero_count_;
  count_ += other.count_;
}

double QuantileSketch::ValueAtRank(int64_t rank) const {
  // Order: negatives by decreasing magnitude, zeros, positives by increasing magnitude.
  int64_t seen = 0;
  for (size_t i = negative_.counts.size(); i-- > 0;) {
    seen += negative_.counts[i];
    if (seen > rank) return -Value(negative_.offset + static_cast<int32_t>(i));
  }
  seen += zero_count_;
  if (seen > rank) return 0.0;
  for (size_t i = 0; i < positive_.counts.size(); ++i) {
    seen += positive_.counts[i];
    if (seen > rank) return Value(positive_.offset + static_cast<int32_t>(i));
  }
  return positive_.counts.empty()
             ? 0.0
             : Value(positive_.offset + static_cast<int32_t>(positive_.counts.size()) - 1);
}

double QuantileSketch::Quantile(double q) const {
  PROBITY_CHECK(count_ > 0);
  double position = q * static_cast<double>(count_ - 1);
  auto lo = static_cast<int64_t>(std::floor(position));
  auto hi = static_cast<int64_t>(std::ceil(position));
  double v_lo = ValueAtRank(lo);
  if (hi == lo) return v_lo;
  return InterpolateQuantile(v_lo, ValueAtRank(hi), position - static_cast<double>(lo));
}

}  // namespace probity::ingest
