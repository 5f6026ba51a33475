// Interventional ("true to the model") TreeSHAP: v_x(S) = Σ_b w_b f(x_S, b_S̄) over a
// background set, computed exactly per (row, background row) pair on the tree structure in
// O(leaves) per tree (Lundberg et al. 2020, "Independent Tree SHAP"). Path-dependent
// TreeSHAP (tree_shap.h) is the "true to the data as the trees saw it" alternative; the
// CLI makes the choice explicit (--method tree | interventional).
//
// Margin space is exact for every ensemble. Probability space (classifiers) is offered
// only where it is exact: per pair, the Shapley value of the game g(f(x_S, b_S̄)) over the
// players on which x and b route differently, by enumeration when there are at most
// `max_exact_players` of them; otherwise kInvalidArgument (never shap's proportional
// rescaling).
#pragma once

#include <cstdint>
#include <span>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "explain/attribution.h"

namespace probity::explain {

struct InterventionalOptions {
  OutputSpace space = OutputSpace::kMargin;
  int max_exact_players = 16;  // probability space: players differing per pair, at most
  int threads = 0;             // 0 = all cores; results do not depend on it
};

// `inputs` rows × info.inputs and `background` background_rows × info.inputs, both as
// Model::ViewInputs gives them. `weights` (empty = equal) has one non-negative weight per
// background row, normalised inside. Works without node covers. kInvalidArgument for an
// empty background, a negative or all-zero weight, sizes that do not match, a space the
// model cannot give, or too many differing players (probability space).
Result<Attributions> InterventionalTreeShap(const ModelInfo& info, const TreeEnsembleView& view,
                                            const Players& players,
                                            std::span<const double> inputs, int64_t rows,
                                            std::span<const double> background,
                                            int64_t background_rows,
                                            std::span<const double> weights,
                                            const InterventionalOptions& options);

}  // namespace probity::explain
