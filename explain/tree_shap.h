// Path-dependent TreeSHAP (Lundberg et al. 2018/2020) on any TreeEnsembleView, exact, in
// double precision and margin space, using the format's own node covers (XGBoost: hessian
// sums, LightGBM: sample counts, PMML: recordCount), and SHAP interaction values.
//
// Two algorithms compute the same numbers: kClassic is the recursive EXTEND/UNWIND
// algorithm (the oracle); kFast, the default, integrates each leaf's multilinear extension
// exactly with Gauss–Legendre quadrature, from per-leaf, per-pattern tables where they fit
// (docs/explain.md says why, with measurements and its numerical limits). The bias (base value)
// follows XGBoost's pred_contribs: base_margin + Σ_trees weight · (cover-weighted mean leaf value),
// divided by the tree count for averaging ensembles.
//
//   PROBITY_ASSIGN_OR_RETURN(Buffer<double> x, model.ViewInputs(batch));
//   PROBITY_ASSIGN_OR_RETURN(Attributions a,
//                            TreeShap(model.info(), *model.tree_view(), players, x,
//                                     batch.num_rows(), {}));
#pragma once

#include <cstdint>
#include <span>

#include "audit/core/buffer.h"
#include "audit/core/model.h"
#include "audit/core/result.h"
#include "explain/attribution.h"

namespace probity::explain {

struct TreeShapOptions {
  enum class Algorithm { kFast, kClassic };
  Algorithm algorithm = Algorithm::kFast;
  int threads = 0;  // 0 = all cores (OpenMP); results do not depend on it
  // kFast precomputes, per leaf and per pattern of which path players the row agrees with,
  // the leaf's contributions (FastTreeSHAP v2's idea; 2^d · d doubles for a leaf with d
  // unique players on its path, d ≤ 12), tree by tree while the tables fit in this many
  // bytes; the other trees integrate per row. 0 = never. Same numbers either way (both are
  // the same quadrature), so it only trades memory for speed.
  size_t table_budget_bytes = size_t{256} << 20;
};

// Path-dependent SHAP values of `rows` rows of `inputs` (rows × info.inputs, as
// Model::ViewInputs gives them) for every output of the ensemble. Players merge their
// inputs (a split on any input of a group is a split on the group). `prediction` is the
// ensemble's margin computed from the view. kInvalidArgument when a node the algorithm
// needs has no cover (NaN) or a zero cover under a split (saying so, and suggesting
// interventional TreeSHAP with a background), or when `inputs` has the wrong size.
Result<Attributions> TreeShap(const ModelInfo& info, const TreeEnsembleView& view,
                              const Players& players, std::span<const double> inputs, int64_t rows,
                              const TreeShapOptions& options);

// SHAP interaction values (attribution.h's Interactions layout, which is XGBoost's
// pred_interactions layout), computed per leaf only for pairs of players that share a path,
// by the quadrature whatever options.algorithm says (table_budget_bytes is not used).
// kInvalidArgument as TreeShap, and when rows × outputs × (players + 1)² exceeds 2^31.
Result<Interactions> TreeShapInteractions(const ModelInfo& info, const TreeEnsembleView& view,
                                          const Players& players, std::span<const double> inputs,
                                          int64_t rows, const TreeShapOptions& options);

// The ensemble's margins from the view (rows × num_outputs): base_margin + Σ weight·leaf
// (averaged when view.average), routing with GoesLeft.
Buffer<double> ViewMargins(const TreeEnsembleView& view, size_t num_inputs,
                           std::span<const double> inputs, int64_t rows);

}  // namespace probity::explain
