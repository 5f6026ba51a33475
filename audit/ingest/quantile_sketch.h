// QuantileSketch estimates quantiles of a stream of numbers in bounded memory with a
// guaranteed relative error: every estimate is within ±relative_accuracy of a true value at
// the requested rank (the DDSketch construction: Masson, Rim and Lee, "DDSketch: A Fast and
// Fully-Mergeable Quantile Sketch with Relative-Error Guarantees", VLDB 2019). Buckets are
// logarithmic in |x|, indexed by a cheap piecewise-linear approximation of log2 that keeps
// the guarantee. Sketches merge exactly (counts add), so shard and thread order never
// change the result.
//
//   QuantileSketch sketch(0.001);
//   for (double x : values) sketch.Add(x);
//   double median = sketch.Quantile(0.5);   // within 0.1% of a true median
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace probity::ingest {

// lo + fraction·(hi − lo), the linear interpolation between neighbouring order statistics
// (pandas' and NumPy's default), computed without overflow for values near ±DBL_MAX.
double InterpolateQuantile(double lo, double hi, double fraction);

class QuantileSketch {
 public:
  // `relative_accuracy` in (0, 1). At most `max_buckets` buckets per sign are kept: a
  // stream spanning more than about 2^(max_buckets · 2 · relative_accuracy) in magnitude
  // loses accuracy on its smallest magnitudes only (those buckets are collapsed).
  explicit QuantileSketch(double relative_accuracy = 0.001, int32_t max_buckets = 32768);

  // Adds a finite value (NaN and infinities must be filtered by the caller).
  void Add(double x) { Add(x, 1); }
  void Add(double x, int64_t count) {
    count_ += count;
    if (x > kMinMagnitude) {
      positive_.Add(Index(x), count, max_buckets_);
    } else if (x < -kMinMagnitude) {
      negative_.Add(Index(-x), count, max_buckets_);
    } else {
      zero_count_ += count;
    }
  }
  // Adds every value of `values` (all finite): the same result as calling Add on each, in
  // two tight passes (bucket indices, then counts).
  void AddAll(std::span<const double> values);
  // Adds another sketch with the same accuracy (checked).
  void Merge(const QuantileSketch& other);

  int64_t count() const { return count_; }
  double relative_accuracy() const { return relative_accuracy_; }
  // Whether any buckets were collapsed (the guarantee then no longer holds for the
  // smallest magnitudes).
  bool collapsed() const { return positive_.collapsed || negative_.collapsed; }

  // The q-quantile (q in [0,1]) with linear interpolation between the values at ranks
  // floor(q·(n−1)) and ceil(q·(n−1)), as pandas and NumPy's default. Requires count() > 0.
  double Quantile(double q) const;

 private:
  // Magnitudes below this are counted as zero (the DDSketch "zero bucket").
  static constexpr double kMinMagnitude = 1e-300;

  struct Store {
    int32_t offset = 0;  // bucket index of counts[0]
    std::vector<int64_t> counts;
    bool collapsed = false;
    void Add(int32_t index, int64_t n, int32_t max_buckets) {
      auto i = static_cast<size_t>(static_cast<int64_t>(index) - offset);
      if (i < counts.size()) {
        counts[i] += n;
      } else {
        Grow(index, n, max_buckets);
      }
    }
    void Grow(int32_t index, int64_t n, int32_t max_buckets);
  };
  // f(x) = e + (m − 1) for x = m·2^e with m in [1, 2): a monotone, piecewise-linear log2.
  static double ApproxLog2(double x) {
    uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    auto exponent = static_cast<int64_t>((bits >> 52) & 0x7ff) - 1023;
    uint64_t mantissa_bits = (bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1023} << 52);
    double m;
    std::memcpy(&m, &mantissa_bits, sizeof m);
    return static_cast<double>(exponent) + (m - 1.0);
  }
  // ceil(ApproxLog2(magnitude) · multiplier), without a libm call.
  int32_t Index(double magnitude) const {
    double f = ApproxLog2(magnitude) * multiplier_;
    auto i = static_cast<int32_t>(f);
    return i + (static_cast<double>(i) < f ? 1 : 0);
  }
  double Value(int32_t index) const;  // representative magnitude of a bucket
  double ValueAtRank(int64_t rank) const;

  double relative_accuracy_;
  double multiplier_;
  int32_t max_buckets_;
  Store positive_;
  Store negative_;
  int64_t zero_count_ = 0;
  int64_t count_ = 0;
};

}  // namespace probity::ingest
