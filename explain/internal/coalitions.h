// The interventional coalition game shared by exact enumeration and KernelSHAP:
// v_x(S) = Σ_b w_b f(x_S, b_S̄) over a background, valued by building hybrid rows (the
// inputs of the players in S from the explained row, the others from a background row) and
// scoring them through ScoreRows in large batches.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "audit/core/buffer.h"
#include "audit/core/model.h"
#include "audit/core/result.h"
#include "explain/attribution.h"
#include "explain/background.h"
#include "explain/input_frame.h"
#include "explain/internal/threads.h"

namespace probity::explain::internal {

// Synthetic rows scored per ScoreRows call at most (and about 64 MB of hybrid values).
int64_t MaxSyntheticRows(size_t width);

// The explained rows and the background in one encoding: `header` has the explained rows'
// names and dictionaries extended with the background's strings, `background` holds the
// background's values recoded into them, `weights` sum to 1. kInvalidArgument for an
// empty background, weights that are not one non-negative finite number per row with a
// positive sum, or a background whose inputs differ (names, order, text vs numbers).
struct AlignedBackground {
  InputFrame header;  // no rows: names and dictionaries only
  int64_t rows = 0;
  Buffer<double> values;
  std::vector<double> weights;
};
Result<AlignedBackground> AlignBackground(const InputFrame& rows, const Background& background);

// The players of row `row` that vary: one of their inputs differs (NaN equals NaN) between
// the row and some background row. The others get phi = 0 and stay out of the game.
std::vector<int32_t> VaryingPlayers(const Players& players,
                                    const std::vector<std::vector<int32_t>>& inputs_of_player,
                                    const double* x, const AlignedBackground& background);

// Values coalitions in batches: Add queues v_x(S) for an explained row (`x_inputs` = the
// inputs taken from the row, the rest from each background row), Flush scores everything
// queued and writes each coalition's `outputs` values where its Add said. Add flushes by
// itself before a batch would exceed MaxSyntheticRows. The sums run in a fixed order, so
// the values do not depend on the thread count.
class CoalitionValuer {
 public:
  CoalitionValuer(const Model& model, const InputFrame& rows, const AlignedBackground& background,
                  OutputSpace space, size_t outputs, int threads);

  // `out` must stay valid until the next Flush (explicit or from Add).
  Status Add(int64_t row, std::span<const int32_t> x_inputs, double* out);
  Status Flush();

  int64_t evaluations() const { return evaluations_; }

 private:
  struct Pending {
    int64_t row;
    size_t first_input;  // into pending_inputs_
    size_t input_count;
    double* out;
  };

  const Model& model_;
  const InputFrame& rows_;
  const AlignedBackground& background_;
  OutputSpace space_;
  size_t outputs_;
  int threads_;
  int64_t max_coalitions_;  // per batch
  std::vector<Pending> pending_;
  std::vector<int32_t> pending_inputs_;
  Buffer<double> synthetic_;
  int64_t evaluations_ = 0;
};

// f(x) for each explained row and Σ_b w_b f(b) (rows × outputs and outputs values), the
// game's end points. Sets *outputs.
struct GameEnds {
  Buffer<double> prediction;
  std::vector<double> base;
  size_t outputs = 0;
};
Result<GameEnds> ScoreGameEnds(const Model& model, const InputFrame& rows,
                               const AlignedBackground& background, OutputSpace space,
                               int64_t* evaluations);

// An Attributions with its names, sizes and end points filled in, values zero.
Attributions NewAttributions(const Model& model, const Players& players, const InputFrame& rows,
                             const AlignedBackground& background, OutputSpace space,
                             const GameEnds& ends, std::string method);


// Sets the calling thread's OpenMP thread count (which Model::Predict's parallel loops use)
// to ThreadCount(threads) for the guard's lifetime, then restores it.
class ScopedOmpThreads {
 public:
  explicit ScopedOmpThreads(int threads);
  ~ScopedOmpThreads();
  ScopedOmpThreads(const ScopedOmpThreads&) = delete;
  ScopedOmpThreads& operator=(const ScopedOmpThreads&) = delete;

 private:
  int previous_;
};

}  // namespace probity::explain::internal
