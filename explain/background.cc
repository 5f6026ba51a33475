#include "explain/background.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <vector>

#include "audit/core/status.h"
#include "explain/internal/sampling.h"

namespace probity::explain {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// k-prototypes distance on the frame's columns: numeric columns standardised by the data's
// standard deviation (a missing cell counts as the column mean), string columns 0 on a
// match and 1 on a mismatch (a missing code is a category of its own).
class Distance {
 public:
  explicit Distance(const InputFrame& data) : data_(data) {
    const size_t width = data.width();
    mean_.assign(width, 0);
    scale_.assign(width, 1);
    for (size_t j = 0; j < width; ++j) {
      if (data.is_string[j]) continue;
      double sum = 0, sum2 = 0;
      int64_t n = 0;
      for (int64_t r = 0; r < data.rows; ++r) {
        const double v = data.at(r, j);
        if (std::isnan(v)) continue;
        sum += v;
        ++n;
      }
      if (n == 0) continue;
      mean_[j] = sum / static_cast<double>(n);
      for (int64_t r = 0; r < data.rows; ++r) {
        const double v = data.at(r, j);
        if (!std::isnan(v)) sum2 += (v - mean_[j]) * (v - mean_[j]);
      }
      const double sd = std::sqrt(sum2 / static_cast<double>(n));
      if (sd > 0) scale_[j] = 1 / sd;
    }
  }

  // Squared distance between data row r and `centre` (frame layout).
  double operator()(int64_t r, const double* centre) const {
    const double* x = data_.row(r);
    double d = 0;
    for (size_t j = 0; j < data_.width(); ++j) {
      if (data_.is_string[j]) {
        const bool same = x[j] == centre[j] || (std::isnan(x[j]) && std::isnan(centre[j]));
        d += same ? 0 : 1;
      } else {
        const double a = std::isnan(x[j]) ? mean_[j] : x[j];
        const double b = std::isnan(centre[j]) ? mean_[j] : centre[j];
        d += (a - b) * scale_[j] * (a - b) * scale_[j];
      }
    }
    return d;
  }

 private:
  const InputFrame& data_;
  std::vector<double> mean_;
  std::vector<double> scale_;
};

// Each centre's coordinates from its members: numeric columns the mean of the non-missing
// values (missing when all are), string columns the most frequent code (ties: the smallest;
// missing counts as a code after all others). Empty clusters keep their centre.
void UpdateCentres(const InputFrame& data, const std::vector<int32_t>& assignment, size_t k,
                   std::vector<double>& centres) {
  const size_t width = data.width();
  for (size_t j = 0; j < width; ++j) {
    if (data.is_string[j]) {
      std::vector<std::map<double, int64_t>> counts(k);
      for (int64_t r = 0; r < data.rows; ++r) {
        const double v = data.at(r, j);
        ++counts[static_cast<size_t>(assignment[static_cast<size_t>(r)])]
                [std::isnan(v) ? std::numeric_limits<double>::infinity() : v];
      }
      for (size_t c = 0; c < k; ++c) {
        int64_t best = 0;
        for (const auto& [code, n] : counts[c]) {
          if (n > best) {
            best = n;
            centres[c * width + j] = std::isinf(code) ? kNaN : code;
          }
        }
      }
      continue;
    }
    std::vector<double> sum(k, 0);
    std::vector<int64_t> n(k, 0), members(k, 0);
    for (int64_t r = 0; r < data.rows; ++r) {
      const auto c = static_cast<size_t>(assignment[static_cast<size_t>(r)]);
      ++members[c];
      const double v = data.at(r, j);
      if (std::isnan(v)) continue;
      sum[c] += v;
      ++n[c];
    }
    for (size_t c = 0; c < k; ++c) {
      if (members[c] == 0) continue;
      centres[c * width + j] = n[c] > 0 ? sum[c] / static_cast<double>(n[c]) : kNaN;
    }
  }
}

// Replaces each numeric centre coordinate by the nearest value present in its column (the
// smaller on a tie), so discrete features keep valid values (shap.kmeans's rounding).
void SnapCentres(const InputFrame& data, size_t k, std::vector<double>& centres) {
  const size_t width = data.width();
  for (size_t j = 0; j < width; ++j) {
    if (data.is_string[j]) continue;
    std::vector<double> present;
    for (int64_t r = 0; r < data.rows; ++r) {
      if (!std::isnan(data.at(r, j))) present.push_back(data.at(r, j));
    }
    if (present.empty()) continue;
    std::sort(present.begin(), present.end());
    for (size_t c = 0; c < k; ++c) {
      double& v = centres[c * width + j];
      if (std::isnan(v)) continue;
      auto it = std::lower_bound(present.begin(), present.end(), v);
      if (it == present.end()) {
        v = present.back();
      } else if (it != present.begin() && v - *(it - 1) <= *it - v) {
        v = *(it - 1);
      } else {
        v = *it;
      }
    }
  }
}

Background AllRows(const InputFrame& data, const std::string& note) {
  Background out;
  out.frame = data;
  out.weights.assign(static_cast<size_t>(data.rows), 1.0 / static_cast<double>(data.rows));
  out.summary = "all " + std::to_string(data.rows) + " rows" + note;
  return out;
}

Background UniformSample(const InputFrame& data, int64_t count, uint64_t seed) {
  internal::Rng rng(MixSeed(seed, 0));
  std::vector<int64_t> order(static_cast<size_t>(data.rows));
  for (int64_t r = 0; r < data.rows; ++r) order[static_cast<size_t>(r)] = r;
  for (int64_t i = 0; i < count; ++i) {
    const auto j = static_cast<size_t>(i) + rng.Below(static_cast<uint64_t>(data.rows - i));
    std::swap(order[static_cast<size_t>(i)], order[j]);
  }
  order.resize(static_cast<size_t>(count));
  std::sort(order.begin(), order.end());  // keep the data's row order
  Background out;
  out.frame = EmptyLike(data);
  out.frame.rows = count;
  for (int64_t r : order) {
    out.frame.values.insert(out.frame.values.end(), data.row(r), data.row(r) + data.width());
  }
  out.weights.assign(static_cast<size_t>(count), 1.0 / static_cast<double>(count));
  out.summary = "uniform sample: " + std::to_string(count) + " of " + std::to_string(data.rows) +
                " rows (seed " + std::to_string(seed) + ")";
  return out;
}

Background KMeans(const InputFrame& data, size_t k, const BackgroundOptions& options) {
  const size_t width = data.width();
  const auto n = static_cast<size_t>(data.rows);
  const Distance distance(data);
  internal::Rng rng(MixSeed(options.seed, 0));
  // k-means++ (Arthur & Vassilvitskii 2007): each next centre drawn with probability
  // proportional to the squared distance to the nearest centre so far.
  const auto first = static_cast<int64_t>(rng.Below(n));
  std::vector<double> centres(data.row(first), data.row(first) + width);
  std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
  size_t chosen = 1;
  while (chosen < k) {
    const double* last = centres.data() + (chosen - 1) * width;
    double total = 0;
    for (size_t r = 0; r < n; ++r) {
      nearest[r] = std::min(nearest[r], distance(static_cast<int64_t>(r), last));
      total += nearest[r];
    }
    if (!(total > 0)) break;  // fewer distinct rows than centres
    double u = rng.Uniform() * total;
    size_t pick = 0;
    while (pick + 1 < n && u >= nearest[pick]) u -= nearest[pick++];
    // Never a row already a centre (rounding can land the draw on one).
    while (nearest[pick] == 0 && pick > 0) --pick;
    while (nearest[pick] == 0) ++pick;
    centres.insert(centres.end(), data.row(static_cast<int64_t>(pick)),
                   data.row(static_cast<int64_t>(pick)) + width);
    ++chosen;
  }
  k = chosen;
  // Lloyd iterations until no row changes cluster.
  std::vector<int32_t> assignment(n, -1);
  int iterations = 0;
  for (; iterations < options.max_iterations; ++iterations) {
    int64_t changed = 0;
#pragma omp parallel for schedule(static) reduction(+ : changed)
    for (int64_t r = 0; r < data.rows; ++r) {
      int32_t best = 0;
      double best_d = std::numeric_limits<double>::infinity();
      for (size_t c = 0; c < k; ++c) {
        const double d = distance(r, centres.data() + c * width);
        if (d < best_d) {
          best_d = d;
          best = static_cast<int32_t>(c);
        }
      }
      if (assignment[static_cast<size_t>(r)] != best) {
        assignment[static_cast<size_t>(r)] = best;
        ++changed;
      }
    }
    if (changed == 0) break;
    UpdateCentres(data, assignment, k, centres);
  }
  SnapCentres(data, k, centres);
  std::vector<int64_t> members(k, 0);
  for (int32_t c : assignment) ++members[static_cast<size_t>(c)];
  Background out;
  out.frame = EmptyLike(data);
  for (size_t c = 0; c < k; ++c) {
    if (members[c] == 0) continue;
    out.frame.values.insert(out.frame.values.end(), centres.begin() + c * width,
                            centres.begin() + (c + 1) * width);
    out.weights.push_back(static_cast<double>(members[c]) / static_cast<double>(n));
    ++out.frame.rows;
  }
  out.summary = "weighted k-means: " + std::to_string(out.frame.rows) + " centres of " +
                std::to_string(n) + " rows (seed " + std::to_string(options.seed) + ", " +
                std::to_string(iterations) + " iterations)";
  return out;
}

}  // namespace

Result<Background> SummarizeBackground(const InputFrame& data, const BackgroundOptions& options) {
  if (data.rows <= 0) {
    return InvalidArgumentError("the background has no rows")
        .Expecting("one or more background rows");
  }
  if (data.values.size() != static_cast<size_t>(data.rows) * data.width()) {
    return InvalidArgumentError("the background frame has " + std::to_string(data.values.size()) +
                                " values for " + std::to_string(data.rows) + " rows")
        .Expecting("rows × inputs values");
  }
  if (options.clusters < 0 || options.sample_rows < 0 || options.max_iterations < 1) {
    return InvalidArgumentError("background summary: clusters " + std::to_string(options.clusters) +
                                ", sample_rows " + std::to_string(options.sample_rows) +
                                ", max_iterations " + std::to_string(options.max_iterations))
        .Expecting("clusters and sample_rows ≥ 0, max_iterations ≥ 1");
  }
  if (options.clusters > 0) {
    if (options.clusters >= data.rows) {
      return AllRows(data, " (" + std::to_string(options.clusters) + " centres requested)");
    }
    return KMeans(data, static_cast<size_t>(options.clusters), options);
  }
  if (options.sample_rows > 0) {
    if (options.sample_rows >= data.rows) {
      return AllRows(data, " (a sample of " + std::to_string(options.sample_rows) + " requested)");
    }
    return UniformSample(data, options.sample_rows, options.seed);
  }
  return AllRows(data, "");
}

}  // namespace probity::explain
