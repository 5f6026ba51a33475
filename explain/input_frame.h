// InputFrame: a model's inputs as numbers, for explainers that build synthetic rows
// (hybrids of a row and a background row, perturbed samples, grid points, counterfactuals)
// and score them through Model::Predict, so they work for every model format, the external
// adapter included.
//
// Numeric columns hold their values; string columns hold a code into the frame's
// dictionary for that input (the same code in every table appended to the frame); NaN is a
// missing cell. FrameTable turns rows of codes back into a Table the model reads.
//
//   PROBITY_ASSIGN_OR_RETURN(InputFrame frame, ReadInputFrame(model.info(), data));
//   PROBITY_RETURN_IF_ERROR(AppendInputFrame(background, "background.csv", &frame));
//   PROBITY_ASSIGN_OR_RETURN(Buffer<double> y,
//                            ScoreRows(model, frame, synthetic, n, OutputSpace::kProbability));
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "audit/core/buffer.h"
#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/core/table.h"
#include "explain/attribution.h"

namespace probity::explain {

struct InputFrame {
  std::vector<std::string> names;  // ModelInfo::inputs names, in order
  std::vector<bool> is_string;     // per input: values are dictionary codes
  std::vector<std::vector<std::string>> dictionaries;  // per string input
  int64_t rows = 0;
  Buffer<double> values;  // rows × names.size(), row-major

  size_t width() const { return names.size(); }
  const double* row(int64_t r) const { return values.data() + static_cast<size_t>(r) * width(); }
  double at(int64_t r, size_t j) const { return values[static_cast<size_t>(r) * width() + j]; }
  // The cell as text ("" for missing): the dictionary string, or the number in shortest
  // round-trip form. For reports (counterfactual changes, LIME conditions).
  std::string Text(size_t j, double value) const;
};

// The model's inputs from `table`, bound by name. Numeric and bool columns become numbers,
// string columns codes. kInvalidArgument when an input has no column (naming the input,
// the `source` and the columns there are).
Result<InputFrame> ReadInputFrame(const ModelInfo& info, const Table& table,
                                  const std::string& source);

// Appends `table`'s rows to `frame` with the same encoding (new strings extend the
// dictionaries). kInvalidArgument naming `source` and the column when a column is missing
// or is a string column where the frame's is numeric (or the reverse): a background or
// held-out set with a different schema.
Status AppendInputFrame(const Table& table, const std::string& source, InputFrame* frame);

// A new frame with the same names and dictionaries and no rows (to fill with synthetic rows).
InputFrame EmptyLike(const InputFrame& frame);

// The Table Model::Predict reads for `rows` rows of `values` (frame layout): float64
// columns for numeric inputs, string columns for string inputs.
Table FrameTable(const InputFrame& frame, std::span<const double> values, int64_t rows);

// Scores `rows` rows of `values` and returns rows × outputs in `space`
// (ExplainedOutputNames order). Scores in chunks of at most 65,536 rows, so a large
// synthetic set stays in bounded memory and each chunk runs on all cores. Adds the rows
// scored to *evaluations when given. kInvalidArgument when the model cannot give `space`
// (probabilities from a model without them, margins from a model without margins).
Result<Buffer<double>> ScoreRows(const Model& model, const InputFrame& frame,
                                 std::span<const double> values, int64_t rows, OutputSpace space,
                                 int64_t* evaluations = nullptr);

// The explained outputs of predictions already made, rows × outputs in `space`.
Result<Buffer<double>> ExplainedOutputs(const Model& model, const Predictions& predictions,
                                        OutputSpace space);

// Splitmix64 of (seed, stream): the per-row and per-task seeds every sampled explainer
// derives, so results do not depend on the thread count (docs/explain.md, "Randomness").
uint64_t MixSeed(uint64_t seed, uint64_t stream);

}  // namespace probity::explain
