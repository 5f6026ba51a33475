// LIME for tabular data (Ribeiro, Singh & Guestrin 2016), as marcotcr/lime computes it by
// default, but seeded per row (MixSeed(seed, row index)) so the same row gives the same
// explanation in every run and at every thread count:
// - numeric features discretised at the training quartiles (or deciles), each bin keeping
//   the training mean, std, min and max; string features keep their training frequencies;
// - samples drawn from the training statistics (bin by frequency, then a truncated normal
//   inside the bin), sample 0 is the row itself;
// - a group of inputs (one player) is one interpretable feature: its inputs are drawn
//   jointly from one training row, and it is 1 when all of them are in the row's bins;
// - the interpretable representation is "same bin/level as the row" (1) or not (0);
//   distance Euclidean on it, kernel exp(−d² / (2w²)), w = 0.75·√(players) by default;
// - feature selection to K: forward selection (K ≤ 6) or highest weights, as LIME's "auto";
// - surrogate: weighted ridge (alpha 1) on the selected features; reported with its
//   intercept, the weighted R² on its own samples and on ⌈samples/4⌉ fresh samples (at
//   least 2) drawn after them, and its prediction at the row.
// The generator, bin statistics and every formula: docs/explain.md ("LIME").
// Not an additive decomposition: the output says so.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "explain/attribution.h"
#include "explain/input_frame.h"

namespace probity::explain {

struct LimeOptions {
  int64_t samples = 5000;
  int num_features = 10;                 // K; must not exceed the player count
  std::string selection = "auto";        // "auto" | "forward" | "highest_weights" | "none"
  std::string discretizer = "quartile";  // "quartile" | "decile"
  double kernel_width = 0;               // 0 = 0.75 · √(players)
  double ridge_alpha = 1;
  uint64_t seed = 0;
  // The random stream of each explained row (MixSeed(seed, stream)); empty = the row's index
  // among `rows`. The CLI passes file row indices, so a row's result does not depend on
  // which other rows are explained with it.
  std::vector<int64_t> row_streams;
  OutputSpace space = OutputSpace::kProbability;  // kValue for regression
  int threads = 0;
};

struct LimeFeature {
  std::string player;
  std::string condition;  // "age <= 35", "25 < age <= 35", "housing = own"
  double weight = 0;      // surrogate coefficient
};

struct LimeExplanation {
  int64_t row = 0;     // index among the explained rows
  std::string output;  // explained output (class or target)
  double intercept = 0;
  std::vector<LimeFeature> features;  // selected features, by decreasing |weight|
  double r2 = 0;                      // weighted R² on the fitting samples (LIME's `score`)
  double holdout_r2 = 0;              // weighted R² on fresh samples from the same distribution
  double local_prediction = 0;        // surrogate at the row
  double model_prediction = 0;        // model at the row
};

struct LimeResult {
  std::vector<LimeExplanation> explanations;  // rows × outputs, row-major
  double kernel_width = 0;
  int64_t model_evaluations = 0;
  uint64_t seed = 0;
};

// `training` provides the statistics; `rows` are explained (string codes are matched to
// the training frame's by text). kInvalidArgument when num_features exceeds the number of
// players (naming both) or is < 1, for an empty training frame, samples outside
// [2, 10^7], an unknown selection or discretizer, a negative kernel width or ridge alpha,
// frames of different layouts, a space the model cannot give, or a sample the model
// scores as NaN or ±inf. Cost per row: samples + ⌈samples/4⌉ model evaluations and
// O(samples · players²) for the surrogate. Rows run in parallel (`threads`).
Result<LimeResult> Lime(const Model& model, const Players& players, const InputFrame& training,
                        const InputFrame& rows, const LimeOptions& options);

}  // namespace probity::explain
