// Model-agnostic Shapley values through Model::Predict (any format, the external adapter
// included), interventional value function v_x(S) = Σ_b w_b f(x_S, b_S̄) over a Background
// (docs/explain.md, "Model-agnostic Shapley values"):
// - ExactShapley: every coalition (2^P per row, P ≤ max_players), exact;
// - KernelShap: Lundberg & Lee's KernelSHAP (NeurIPS 2017) as shap's KernelExplainer does
//   it — the Shapley kernel, coalition sizes fully enumerated from the ends inwards while
//   the budget allows, paired sampling for the rest, the efficiency constraint imposed
//   exactly, weighted least squares by column-pivoting QR (Eigen); optional feature
//   selection (off by default). Row r draws from internal::Rng (xoshiro256**)
//   seeded MixSeed(seed, row stream), so results are bit-identical whatever the thread count;
// - LinearShap: for LinearView models, phi_j = β_j (x_j − E_b[x_j]) in margin space
//   (categorical inputs: β_{j,x} − E_b[β_{j,·}] over their design columns), exact.
//
// Players that are groups enter and leave coalitions together. A player all of whose
// inputs equal x's in every background row (missing equals missing) gets phi = 0 and costs
// no evaluations. base = v(∅) = Σ_b w_b f(b), prediction = f(x). Hybrid rows are scored in
// batches of at most 2^20 rows; `model_evaluations` counts every row scored. `threads`
// (0 = all cores) bounds the OpenMP threads of the call, the model's scoring included.
//
//   PROBITY_ASSIGN_OR_RETURN(Background b, SummarizeBackground(frame, {.clusters = 20}));
//   PROBITY_ASSIGN_OR_RETURN(Attributions a,
//                            KernelShap(model, InputPlayers(model.info()), rows, b, {.seed = 7}));
#pragma once

#include <cstdint>
#include <span>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "explain/attribution.h"
#include "explain/background.h"
#include "explain/input_frame.h"

namespace probity::explain {

struct ExactShapleyOptions {
  OutputSpace space = OutputSpace::kProbability;  // kValue for regression
  int max_players = 16;
  int threads = 0;
};

// Cost per row: (2^P − 2) × background rows model evaluations for its P varying players.
// `coalitions` in the result is 2^P for the largest P. kInvalidArgument when a row has more
// than max_players (1..20) varying players, naming the row and count and suggesting groups
// or --method kernel; for an empty background, bad weights, a background whose inputs
// differ (names, order, text vs numbers); or a space the model cannot give.
Result<Attributions> ExactShapley(const Model& model, const Players& players,
                                  const InputFrame& rows, const Background& background,
                                  const ExactShapleyOptions& options);

struct KernelShapOptions {
  OutputSpace space = OutputSpace::kProbability;
  int64_t samples = 0;  // coalitions per row (≤ 2^20); 0 = auto: 2P + 2048, at most 2^P − 2
  uint64_t seed = 0;
  // The random stream of each explained row (MixSeed(seed, stream)); empty = the row's index
  // among `rows`. The CLI passes file row indices, so a row's result does not depend on
  // which other rows are explained with it.
  std::vector<int64_t> row_streams;
  // > 0: keep at most this many players per row and output, chosen by greedy forward
  // selection on the constrained fit's weighted residual sum of squares; the others get 0.
  int l1_features = 0;
  int threads = 0;
};

// `coalitions` in the result is the largest number of distinct coalitions evaluated for a
// row (2^P − 2 when every coalition fitted the budget: the result is then exact
// enumeration's). Cost per row: coalitions × background rows model evaluations plus an
// O(coalitions · P²) solve. kInvalidArgument as ExactShapley (but any P), and naming the
// row when its coalitions do not determine the values (fewer samples than players).
Result<Attributions> KernelShap(const Model& model, const Players& players, const InputFrame& rows,
                                const Background& background, const KernelShapOptions& options);

// `inputs` (rows × info.inputs) and `background` as Model::ViewInputs gives them;
// `weights` empty (equal) or one per background row (normalised inside). Coefficient rows
// are read in the native loader's design layout (a continuous input one column, a
// categorical input one per category) when they have that length, else one coefficient per
// input (PMML's view). Groups sum their inputs; one output per coefficient row (binary
// classifiers with two rows: the last class, as ScoreRows). base = intercept + Σ β E_b[x],
// prediction = the margin. A missing input in an explained row makes that row's values and
// prediction NaN (the model cannot score it). kInvalidArgument when the view's shape does
// not match the inputs, for an empty background, a missing background value (naming the
// row and input), bad weights, or a category code the model does not have.
Result<Attributions> LinearShap(const ModelInfo& info, const LinearView& view,
                                const Players& players, std::span<const double> inputs,
                                int64_t rows, std::span<const double> background,
                                int64_t background_rows, std::span<const double> weights);

}  // namespace probity::explain
