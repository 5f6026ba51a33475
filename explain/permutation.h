// Permutation feature importance (Breiman 2001; scikit-learn permutation_importance) on
// held-out data: importance_j = score(data) − score(data with player j's columns shuffled
// together), per repeat, with the mean, standard deviation and raw values. Shuffles are
// seeded per (player, repeat) with MixSeed, so results do not depend on thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/core/column.h"
#include "audit/core/model.h"
#include "audit/core/result.h"
#include "explain/attribution.h"
#include "explain/input_frame.h"

namespace probity::explain {

struct PermutationOptions {
  // "accuracy", "balanced_accuracy", "log_loss", "roc_auc", "brier" (classifiers);
  // "r2", "rmse", "mae" (regression); "auto" = accuracy / r2.
  std::string metric = "auto";
  int repeats = 5;
  uint64_t seed = 0;
  // > 0: one seeded sample of this many rows (without replacement), used for the baseline
  // and every repeat.
  int64_t max_rows = 0;
  int threads = 0;
};

struct PlayerImportance {
  std::string player;
  double mean = 0;  // mean of raw (positive = the model needs the player)
  double std = 0;   // population standard deviation, as scikit-learn
  std::vector<double>
      raw;  // one per repeat: baseline − permuted, signed so larger = more important
};

struct PermutationImportance {
  std::string metric;
  bool greater_is_better = true;
  double baseline = 0;  // the metric on the unshuffled data (losses as positive numbers)
  int64_t rows = 0;
  int repeats = 0;
  uint64_t seed = 0;
  int64_t model_evaluations = 0;
  std::vector<PlayerImportance> importances;  // in player order
};

// `labels` is the true target for each row of `data` (classifiers: values matching
// ModelInfo::classes by text; regression: numbers). kInvalidArgument for an unknown
// metric, a metric that does not fit the task (roc_auc and brier: binary only), a label not
// among the classes, a missing label, roc_auc with one class only, repeats outside
// [1, 10000], an empty frame, or a length mismatch. Losses (log_loss, brier, rmse, mae)
// give raw = permuted − baseline (scikit-learn's importance for the neg_* scorers).
// Metric definitions: docs/explain.md ("Permutation importance"). Tasks (player × repeat)
// run in parallel (`threads`); model evaluations = rows × (1 + players × repeats).
Result<PermutationImportance> PermutationImportanceOf(const Model& model, const Players& players,
                                                      const InputFrame& data, const Column& labels,
                                                      const PermutationOptions& options);

}  // namespace probity::explain
