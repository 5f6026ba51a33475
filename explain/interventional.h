// Interventional ("true to the model") TreeSHAP: v_x(S) = Σ_b w_b f(x_S, b_S̄) over a
// background set, computed exactly per (row, background row) pair on the tree structure in
// O(leaves) per tree (Lundberg et al. 2020, "Independent Tree SHAP"). Path-dependent
// TreeSHAP (tree_shap.h) is the "true to the data as the trees saw it" alternative; the
// CLI makes the choice explicit (--method tree | interventional).
//
// Margin space is exact for every ensemble. Probability space (classifiers: logistic,
// softmax or one-vs-rest logistic link) and value space through a non-identity link
// (regression) are offered only where they are exact: per pair, the Shapley value of the
// game g(f(x_S, b_S̄)) over the players D on which x and b route differently at a node some
// hybrid of them reaches, by enumerating the 2^|D| coalitions when |D| <= max_exact_players;
// otherwise kInvalidArgument (never shap's proportional rescaling). Cost per pair:
// O(Σ_t 2^|D_t| · depth + T · 2^|D| + |D| · 2^|D| · outputs), D_t the players of D that
// tree t reads.
//
//   PROBITY_ASSIGN_OR_RETURN(Buffer<double> x, model.ViewInputs(batch));
//   PROBITY_ASSIGN_OR_RETURN(Buffer<double> b, model.ViewInputs(background));
//   PROBITY_ASSIGN_OR_RETURN(Attributions a,
//       InterventionalTreeShap(model.info(), *model.tree_view(), InputPlayers(model.info()),
//                              x, batch.num_rows(), b, background.num_rows(), {}, {}));
#pragma once

#include <cstdint>
#include <span>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "explain/attribution.h"

namespace probity::explain {

struct InterventionalOptions {
  OutputSpace space = OutputSpace::kMargin;
  // Probability (and non-identity value) space: players differing per pair, at most; in
  // [0, 20] (2^20 × outputs doubles of scratch per thread).
  int max_exact_players = 16;
  int threads = 0;  // 0 = all cores; results are bit-identical at any count
};

// `inputs` rows × info.inputs and `background` background_rows × info.inputs, both as
// Model::ViewInputs gives them. `weights` (empty = equal) has one non-negative weight per
// background row, normalised inside. Works without node covers. kInvalidArgument for an
// empty background, a negative or all-zero weight, sizes that do not match, a space the
// model cannot give, a malformed tree (child or input index out of range, a node with two
// parents, a leaf of the wrong size), max_exact_players outside [0, 20], or too many
// differing players (probability space: the message names the lowest such row, the
// background row, |D| and the limit). Base value per output Σ_b w_b g(f(b)); prediction
// g(f(x)) (g = identity in margin space). Parallel over rows (OpenMP); thread-safe.
Result<Attributions> InterventionalTreeShap(const ModelInfo& info, const TreeEnsembleView& view,
                                            const Players& players, std::span<const double> inputs,
                                            int64_t rows, std::span<const double> background,
                                            int64_t background_rows,
                                            std::span<const double> weights,
                                            const InterventionalOptions& options);

}  // namespace probity::explain
