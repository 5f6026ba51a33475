// Individual-fairness metrics that need rows, not counts: AIF360's consistency (kNN label
// agreement) and Clarify's counterfactual flip test (FT). They run on an in-memory sample of
// at most `max_rows` rows (drawn deterministically from the seed when the data is larger;
// the output says so). docs/fairness.md §Individual fairness.
//
//   PROBITY_ASSIGN_OR_RETURN(MetricResult c, Consistency(features, labels, {.k = 5}));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/core/result.h"
#include "fairness/metric.h"

namespace probity::fairness {

// Row-major numeric features, rows × cols.
struct FeatureMatrix {
  std::vector<double> values;
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<std::string> names;
};

enum class Distance { kEuclidean, kManhattan };
enum class Scaling { kNone, kStandardize, kMinMax };

struct KnnOptions {
  int k = 5;
  Distance distance = Distance::kEuclidean;
  Scaling scaling = Scaling::kNone;  // AIF360 does not scale; offered as an option
  int threads = 0;                   // 0 = all cores; results do not depend on it
};

// AIF360 consistency: 1 − (1/n) Σ_i |y_i − mean_{j ∈ kNN(i)} y_j|, the neighbourhood
// including i itself (AIF360's behaviour: i always counts, at distance 0), the other k − 1
// rows by distance with ties broken by the lower row index. O(n²·cols), brute force.
// `outcomes` are 0/1 (labels, or predictions to score a model). kInvalidArgument when
// rows < k or sizes differ.
Result<MetricResult> Consistency(const FeatureMatrix& features,
                                 const std::vector<uint8_t>& outcomes, const KnnOptions& options);

// Clarify's flip test: a kNN classifier (k = 5 if n_a > 9 else 1 — `options.k` is not used —
// uniform votes, which cannot tie as k is odd; neighbour ties by the lower row index) is fit
// on facet-a rows with the model's predictions as targets and predicts each facet-d row.
// Clarify uses the Euclidean distance on unscaled features (the defaults of `options`).
// An empty facet gives an undefined value with the reason; the description gives F⁺, F⁻,
// n_d and k. FT = (F⁺ − F⁻)/n_d with F⁺ = #{model 1, kNN 0}
// and F⁻ = #{model 0, kNN 1} — the sign Clarify's code uses (its documentation states the
// opposite; docs/fairness.md shows both). `in_d` marks facet-d rows.
Result<MetricResult> FlipTest(const FeatureMatrix& features,
                              const std::vector<uint8_t>& predictions,
                              const std::vector<uint8_t>& in_d, const KnnOptions& options);

}  // namespace probity::fairness
