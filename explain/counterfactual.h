// Counterfactual explanations (Wachter et al. 2017; diverse sets as in DiCE, Mothilal et
// al. 2020): for a row, up to `count` nearby rows the model scores on the desired side,
// sparse (few changes), diverse, within permitted ranges, with immutable features frozen.
// Method (docs/explain.md): a seeded genetic search over candidate values drawn from the
// training data (GeCo-like), distance = Σ |Δ| / MAD for numeric features and 0/1 mismatch
// for string features; then a greedy sparsity pass reverts changes that are not needed;
// then a diverse subset is chosen greedily. Every returned candidate is re-scored by the
// model (`valid`). Seeded per row with MixSeed: same seed, same output at any thread count.
// Counterfactuals are recourse, not the reasons for a decision.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "audit/core/buffer.h"
#include "audit/core/model.h"
#include "audit/core/result.h"
#include "explain/attribution.h"
#include "explain/input_frame.h"

namespace probity::explain {

struct CounterfactualOptions {
  int count = 4;                       // counterfactuals per row
  std::vector<std::string> immutable;  // input names that must not change
  // Permitted [min, max] per numeric input (default: the training range).
  std::map<std::string, std::pair<double, double>> ranges;
  // The desired outcome: the explained output (ExplainedOutputNames; binary: the positive
  // class probability, regression: the value) on the side of `threshold` given by `above`:
  // prediction >= threshold when above, prediction < threshold otherwise.
  size_t output = 0;
  double threshold = 0.5;
  bool above = true;
  OutputSpace space = OutputSpace::kProbability;
  uint64_t seed = 0;
  // The random stream of each explained row (MixSeed(seed, stream)); empty = the row's index
  // among `rows`. The CLI passes file row indices, so a row's result does not depend on
  // which other rows are explained with it.
  std::vector<int64_t> row_streams;
  int generations = 30;
  int population = 200;
  int threads = 0;
};

struct FeatureChange {
  std::string feature;
  std::string from;  // as text
  std::string to;
};

struct Counterfactual {
  Buffer<double> values;  // one row, frame layout
  std::vector<FeatureChange> changes;
  double distance = 0;    // MAD-scaled L1
  double prediction = 0;  // the model's output for the counterfactual (re-scored)
  bool valid = false;     // prediction on the desired side
};

struct CounterfactualSet {
  int64_t row = 0;               // index among the explained rows
  double prediction = 0;         // the model's output for the row
  bool already_desired = false;  // the row is already on the desired side (no search)
  std::vector<Counterfactual> counterfactuals;  // by increasing distance
  double diversity = 0;                         // mean pairwise distance among them
};

struct CounterfactualResult {
  std::vector<CounterfactualSet> sets;
  int64_t model_evaluations = 0;
  uint64_t seed = 0;
};

// kInvalidArgument for an unknown immutable or ranged input, a range on a text input or
// with min > max, count outside [1, 1000], population outside [2, 100000], generations
// outside [1, 10000], a non-finite threshold, an empty training frame, an output index out
// of range, a space the model cannot give, or frames of different layouts. A row with no
// counterfactual found gets an empty list. Cost per row: about population × generations
// model evaluations plus the sparsity pass. Rows run in parallel (`threads`).
Result<CounterfactualResult> Counterfactuals(const Model& model, const InputFrame& training,
                                             const InputFrame& rows,
                                             const CounterfactualOptions& options);

}  // namespace probity::explain
