// Attributions: what every Shapley-family explainer returns (path-dependent and
// interventional TreeSHAP, exact enumeration, KernelSHAP, LinearSHAP), over "players" —
// model inputs, or groups of inputs that enter and leave coalitions together (the one-hot
// columns of one original feature, user-defined blocks of correlated features).
//
//   Players players = InputPlayers(model.info());
//   PROBITY_ASSIGN_OR_RETURN(Attributions a, TreeShap(info, *view, players, x, rows, {}));
//   double phi = a.value(row, /*output=*/0, /*player=*/2);
//   // a.base[row*outputs + k] + Σ_p phi = a.prediction[row*outputs + k] (to max_additivity_error)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/core/buffer.h"
#include "audit/core/model.h"
#include "audit/core/result.h"

namespace probity::explain {

// The model output an explanation decomposes.
enum class OutputSpace {
  kMargin,       // the raw score before the link (log-odds, softmax logits, raw regression)
  kProbability,  // class probabilities (classifiers)
  kValue,        // a regression model's prediction (after its link, e.g. exp for Poisson)
};
std::string_view OutputSpaceName(OutputSpace space);  // "margin", "probability", "value"
// Parses the name above; kInvalidArgument naming `field` otherwise.
Result<OutputSpace> ParseOutputSpace(std::string_view name, std::string_view field);

// Who gets credit. Every model input belongs to exactly one player.
struct Players {
  std::vector<std::string> names;        // in output order
  std::vector<int32_t> player_of_input;  // per ModelInfo::inputs: the player index
  size_t size() const { return names.size(); }
  // The inputs of player p, in input order.
  std::vector<int32_t> InputsOf(size_t p) const;
};

// One player per model input, named as the input.
Players InputPlayers(const ModelInfo& info);

// A user-declared group: `name` plays for all of `inputs` (model input names).
struct FeatureGroup {
  std::string name;
  std::vector<std::string> inputs;
};
// Players from groups; inputs in no group stay single players. Players are ordered by
// their first input. kInvalidArgument (naming the group) for an unknown input, an input
// in two groups, an empty group, or a group name equal to another player's name.
Result<Players> GroupPlayers(const ModelInfo& info, const std::vector<FeatureGroup>& groups);

// The outputs explained for a model and space: binary classifiers explain the positive
// (last) class only; multiclass one output per class; regression one per target.
// Names are the class labels, the target name, or "value".
std::vector<std::string> ExplainedOutputNames(const ModelInfo& info, int num_outputs);

struct Attributions {
  std::string method;  // "tree_path_dependent", "tree_interventional", "exact", "kernel", "linear"
  OutputSpace space = OutputSpace::kMargin;
  // What v(S) is, in words (docs/explain.md lists the exact strings), e.g.
  // "path-dependent: E[f(X) | X_S = x_S] along tree paths, weighted by node cover".
  std::string value_function;
  std::string cover_kind;  // path-dependent only: TreeEnsembleView::cover_kind
  std::vector<std::string> players;
  std::vector<std::string> outputs;
  int64_t rows = 0;
  Buffer<double> values;      // rows × outputs × players, row-major
  Buffer<double> base;        // rows × outputs: phi_0 (v(∅))
  Buffer<double> prediction;  // rows × outputs: f(x) = v(all players) in `space`
  double max_additivity_error = 0;  // max over rows, outputs of |base + Σ phi − prediction|
  int64_t model_evaluations = 0;    // rows scored through Model::Predict (0 for tree/linear)
  int64_t coalitions = 0;           // KernelSHAP: coalitions evaluated per row (max)
  std::optional<uint64_t> seed;     // sampled methods only
  int64_t background_rows = 0;      // interventional, exact, kernel, linear (after summary)

  double value(int64_t row, size_t output, size_t player) const {
    return values[(static_cast<size_t>(row) * outputs.size() + output) * players.size() + player];
  }
};

// The random stream of explained row `row`: row_streams[row], or `row` when empty.
inline uint64_t RowStream(const std::vector<int64_t>& row_streams, int64_t row) {
  return static_cast<uint64_t>(row_streams.empty() ? row
                                                   : row_streams[static_cast<size_t>(row)]);
}

// Sets a.max_additivity_error from values, base and prediction.
void SetAdditivityError(Attributions& a);

// SHAP interaction values (path-dependent TreeSHAP only), XGBoost's pred_interactions
// layout: per row and output a (P+1)×(P+1) matrix, index P = the base value; off-diagonal
// entries are the symmetric halves Φ_ij = Φ_ji, the diagonal Φ_ii = phi_i − Σ_{j≠i} Φ_ij,
// the entry (P, P) is the base value and the rest of row and column P is 0. Every row
// therefore sums to the player's SHAP value (and the base row to the base value).
struct Interactions {
  std::vector<std::string> players;
  std::vector<std::string> outputs;
  int64_t rows = 0;
  Buffer<double> values;  // rows × outputs × (P+1) × (P+1), row-major
  double value(int64_t row, size_t output, size_t i, size_t j) const {
    const size_t n = players.size() + 1;
    return values[((static_cast<size_t>(row) * outputs.size() + output) * n + i) * n + j];
  }
};

}  // namespace probity::explain
