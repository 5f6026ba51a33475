#include "fairness/individual.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>
#include <utility>

namespace probity::fairness {
namespace {

std::string ColumnName(const FeatureMatrix& features, int64_t column) {
  if (column < static_cast<int64_t>(features.names.size())) {
    return "\"" + features.names[column] + "\"";
  }
  return std::to_string(column);
}

Status CheckMatrix(const FeatureMatrix& features) {
  if (features.rows < 0 || features.cols < 0 ||
      features.values.size() != static_cast<size_t>(features.rows * features.cols)) {
    return InvalidArgumentError("the feature matrix holds " +
                                std::to_string(features.values.size()) + " values for " +
                                std::to_string(features.rows) + " rows × " +
                                std::to_string(features.cols) + " columns")
        .Expecting("rows × columns values, row-major");
  }
  for (int64_t r = 0; r < features.rows; ++r) {
    for (int64_t c = 0; c < features.cols; ++c) {
      if (!std::isfinite(features.values[r * features.cols + c])) {
        return InvalidArgumentError("row " + std::to_string(r) + ", feature " +
                                    ColumnName(features, c) + " is not a finite number")
            .Expecting("finite numeric features (encode or drop missing values first)");
      }
    }
  }
  return OkStatus();
}

Status CheckBinary(const std::vector<uint8_t>& values, int64_t rows, const std::string& what) {
  if (static_cast<int64_t>(values.size()) != rows) {
    return InvalidArgumentError(std::to_string(values.size()) + " " + what + " for " +
                                std::to_string(rows) + " rows")
        .Expecting("one " + what + " value per row");
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] > 1) {
      return InvalidArgumentError("row " + std::to_string(i) + ": " + what + " value " +
                                  std::to_string(values[i]))
          .Expecting("0 or 1");
    }
  }
  return OkStatus();
}

// The features with each column scaled over all rows. A constant column becomes 0 (as
// scikit-learn's StandardScaler and MinMaxScaler do).
std::vector<double> Scaled(const FeatureMatrix& features, Scaling scaling) {
  std::vector<double> out = features.values;
  if (scaling == Scaling::kNone || features.rows == 0) return out;
  for (int64_t c = 0; c < features.cols; ++c) {
    double a = 0, b = 0;  // (mean, sd) or (min, range)
    if (scaling == Scaling::kStandardize) {
      for (int64_t r = 0; r < features.rows; ++r) a += out[r * features.cols + c];
      a /= features.rows;
      for (int64_t r = 0; r < features.rows; ++r) {
        double d = out[r * features.cols + c] - a;
        b += d * d;
      }
      b = std::sqrt(b / features.rows);
    } else {
      double lo = out[c], hi = out[c];
      for (int64_t r = 0; r < features.rows; ++r) {
        lo = std::min(lo, out[r * features.cols + c]);
        hi = std::max(hi, out[r * features.cols + c]);
      }
      a = lo;
      b = hi - lo;
    }
    for (int64_t r = 0; r < features.rows; ++r) {
      double& x = out[r * features.cols + c];
      x = b > 0 ? (x - a) / b : 0;
    }
  }
  return out;
}

// Distances compare as squared Euclidean (same order as Euclidean) or Manhattan.
double Dissimilarity(const double* x, const double* y, int64_t cols, Distance distance) {
  double sum = 0;
  for (int64_t c = 0; c < cols; ++c) {
    double d = x[c] - y[c];
    sum += distance == Distance::kEuclidean ? d * d : std::fabs(d);
  }
  return sum;
}

// The k rows of `candidates` (ascending row indices) nearest to `query`, nearest first,
// ties broken by the lower row index; `skip` is left out.
std::vector<int64_t> Nearest(const std::vector<double>& values, int64_t cols,
                             const std::vector<int64_t>& candidates, int64_t query, int64_t skip,
                             int k, Distance distance) {
  std::vector<std::pair<double, int64_t>> best;  // sorted by (distance, index)
  if (k <= 0) return {};
  best.reserve(k + 1);
  const double* q = values.data() + query * cols;
  for (int64_t j : candidates) {
    if (j == skip) continue;
    double d = Dissimilarity(q, values.data() + j * cols, cols, distance);
    // Candidates come in index order: an equal distance never displaces an earlier row.
    if (static_cast<int>(best.size()) == k && !(d < best.back().first)) continue;
    auto at = std::upper_bound(best.begin(), best.end(), d,
                               [](double v, const auto& e) { return v < e.first; });
    best.insert(at, {d, j});
    if (static_cast<int>(best.size()) > k) best.pop_back();
  }
  std::vector<int64_t> out;
  for (const auto& [d, j] : best) out.push_back(j);
  return out;
}

// Runs body(i) for i in [0, n) on `threads` threads in fixed contiguous blocks. Each body
// writes only its own slot, so results do not depend on the thread count.
template <typename Body>
void ParallelFor(int64_t n, int threads, Body body) {
  int64_t workers = threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  workers = std::clamp<int64_t>(workers, 1, std::max<int64_t>(n / 64, 1));
  if (workers == 1) {
    for (int64_t i = 0; i < n; ++i) body(i);
    return;
  }
  std::vector<std::thread> pool;
  for (int64_t w = 0; w < workers; ++w) {
    pool.emplace_back([=, &body] {
      for (int64_t i = n * w / workers; i < n * (w + 1) / workers; ++i) body(i);
    });
  }
  for (std::thread& t : pool) t.join();
}

}  // namespace

Result<MetricResult> Consistency(const FeatureMatrix& features,
                                 const std::vector<uint8_t>& outcomes, const KnnOptions& options) {
  PROBITY_RETURN_IF_ERROR(CheckMatrix(features));
  PROBITY_RETURN_IF_ERROR(CheckBinary(outcomes, features.rows, "outcome"));
  if (options.k < 1) {
    return InvalidArgumentError("k = " + std::to_string(options.k)).Expecting("k ≥ 1");
  }
  if (features.rows < options.k) {
    return InvalidArgumentError("consistency with k = " + std::to_string(options.k) + " on " +
                                std::to_string(features.rows) + " rows")
        .Expecting("at least k rows");
  }
  const std::vector<double> values = Scaled(features, options.scaling);
  std::vector<int64_t> all(features.rows);
  for (int64_t i = 0; i < features.rows; ++i) all[i] = i;

  std::vector<double> deviation(features.rows);
  ParallelFor(features.rows, options.threads, [&](int64_t i) {
    // Row i is its own nearest neighbour (distance 0), as in AIF360 where the fitted data
    // are queried; the other k − 1 follow.
    double sum = outcomes[i];
    for (int64_t j : Nearest(values, features.cols, all, i, i, options.k - 1, options.distance)) {
      sum += outcomes[j];
    }
    deviation[i] = std::fabs(outcomes[i] - sum / options.k);
  });
  double total = 0;
  for (double d : deviation) total += d;  // in row order: independent of the thread count

  MetricResult result{.name = "consistency",
                      .source = "aif360",
                      .stage = "individual",
                      .description = "Consistency: 1 − mean |y_i − mean of y over the " +
                                     std::to_string(options.k) +
                                     " nearest neighbours of i (i included)|",
                      .value = MetricValue::Of(1 - total / features.rows),
                      .orientation = "all rows",
                      .ideal = 1};
  return result;
}

Result<MetricResult> FlipTest(const FeatureMatrix& features,
                              const std::vector<uint8_t>& predictions,
                              const std::vector<uint8_t>& in_d, const KnnOptions& options) {
  PROBITY_RETURN_IF_ERROR(CheckMatrix(features));
  PROBITY_RETURN_IF_ERROR(CheckBinary(predictions, features.rows, "prediction"));
  PROBITY_RETURN_IF_ERROR(CheckBinary(in_d, features.rows, "facet-d flag"));
  std::vector<int64_t> rows_a, rows_d;
  for (int64_t i = 0; i < features.rows; ++i) (in_d[i] ? rows_d : rows_a).push_back(i);

  // Assigned field by field: GCC 12 -O3 warns (wrongly) about a designated initializer that
  // leaves `value` to its default here.
  MetricResult result;
  result.name = "FT";
  result.source = "clarify";
  result.stage = "post-training";
  result.orientation = "(F⁺ − F⁻) / n_d";
  result.ideal = 0;
  if (rows_d.empty() || rows_a.empty()) {
    result.description = "Counterfactual flip test";
    result.value = MetricValue::Undefined(rows_d.empty() ? "facet d has no rows"
                                                         : "facet a has no rows to fit the kNN on");
    return result;
  }
  // Clarify: k = 5 when facet a has more than 9 rows, else 1 (odd: a vote cannot tie).
  const int k = rows_a.size() > 9 ? 5 : 1;
  const std::vector<double> values = Scaled(features, options.scaling);
  std::vector<int> flip(rows_d.size());  // +1: model 1, kNN 0; −1: model 0, kNN 1
  ParallelFor(static_cast<int64_t>(rows_d.size()), options.threads, [&](int64_t t) {
    int64_t i = rows_d[t];
    int votes = 0;
    for (int64_t j : Nearest(values, features.cols, rows_a, i, -1, k, options.distance)) {
      votes += predictions[j];
    }
    int counterfactual = 2 * votes > k ? 1 : 0;
    flip[t] = predictions[i] - counterfactual;
  });
  int64_t plus = std::count(flip.begin(), flip.end(), 1);
  int64_t minus = std::count(flip.begin(), flip.end(), -1);
  const int64_t n_d = static_cast<int64_t>(rows_d.size());
  result.description = "Counterfactual flip test: (F⁺ − F⁻)/n_d with F⁺ = " + std::to_string(plus) +
                       " facet-d rows predicted 1 whose " + std::to_string(k) +
                       " nearest facet-a rows vote 0, F⁻ = " + std::to_string(minus) +
                       " predicted 0 with a vote of 1, n_d = " + std::to_string(n_d);
  result.value = MetricValue::Of(static_cast<double>(plus - minus) / static_cast<double>(n_d));
  return result;
}

}  // namespace probity::fairness
