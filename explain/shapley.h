// Model-agnostic Shapley values through Model::Predict (any format, the external adapter
// included), interventional value function v_x(S) = Σ_b w_b f(x_S, b_S̄) over a Background:
// - ExactShapley: every coalition (2^P per row, P ≤ max_players), exact;
// - KernelShap: Lundberg & Lee's KernelSHAP — the Shapley kernel, coalition sizes fully
//   enumerated from the ends inwards while the budget allows, paired sampling for the rest,
//   the efficiency constraint imposed exactly, weighted least squares with Eigen; optional
//   L1 feature selection (off by default). Each row is seeded MixSeed(seed, row index in
//   the input), so results are bit-identical whatever the thread count;
// - LinearShap: for LinearView models, phi_j = β_j (x_j − E_b[x_j]) in margin space
//   (categorical inputs: β_{j,x} − E_b[β_{j,·}] over their design columns), exact.
//
// Players that are groups enter and leave coalitions together. A player whose value is
// the same in x and every background row gets phi = 0 without evaluations.
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

// kInvalidArgument when more than max_players players vary, naming the count and
// suggesting groups or --method kernel; or when the frames' layouts differ.
Result<Attributions> ExactShapley(const Model& model, const Players& players,
                                  const InputFrame& rows, const Background& background,
                                  const ExactShapleyOptions& options);

struct KernelShapOptions {
  OutputSpace space = OutputSpace::kProbability;
  int64_t samples = 0;  // coalitions per row; 0 = auto: 2P + 2048, capped at 2^P − 2
  uint64_t seed = 0;
  int l1_features = 0;  // > 0: keep at most this many players (LARS-style forward selection)
  int threads = 0;
};

// `coalitions` in the result is the largest number of coalitions evaluated for a row
// (2^P − 2 when every coalition fitted the budget: the result is then exact).
Result<Attributions> KernelShap(const Model& model, const Players& players, const InputFrame& rows,
                                const Background& background, const KernelShapOptions& options);

// `inputs` (rows × info.inputs) and `background` as Model::ViewInputs gives them.
// kInvalidArgument when the view's shape does not match the inputs.
Result<Attributions> LinearShap(const ModelInfo& info, const LinearView& view,
                                const Players& players, std::span<const double> inputs,
                                int64_t rows, std::span<const double> background,
                                int64_t background_rows, std::span<const double> weights);

}  // namespace probity::explain
