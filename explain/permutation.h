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
  int64_t max_rows = 0;  // > 0: a seeded sample of this many rows
  int threads = 0;
};

struct PlayerImportance {
  std::string player;
  double mean = 0;  // mean of raw (positive = the model needs the player)
  double std = 0;   // population standard deviation, as scikit-learn
  std::vector<double> raw;  // one per repeat: baseline − permuted, signed so larger = more important
};

struct PermutationImportance {
  std::string metric;
  bool greater_is_better = true;
  double baseline = 0;  // the metric on the unshuffled data
  int64_t rows = 0;
  int repeats = 0;
  uint64_t seed = 0;
  int64_t model_evaluations = 0;
  std::vector<PlayerImportance> importances;  // in player order
};

// `labels` is the true target for each row of `data` (classifiers: values matching
// ModelInfo::classes by text; regression: numbers). kInvalidArgument for an unknown
// metric, a metric that does not fit the task, a label not among the classes, a missing
// label, repeats < 1, or a length mismatch.
Result<PermutationImportance> PermutationImportanceOf(const Model& model, const Players& players,
                                                      const InputFrame& data,
                                                      const Column& labels,
                                                      const PermutationOptions& options);

}  // namespace probity::explain
