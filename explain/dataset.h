// Explaining a whole dataset file: the library entry point behind `probity explain`, the
// demo and (later) the runtime's explain.shap step. The file is streamed batch by batch in
// bounded memory; each batch's selected rows are explained with the chosen Shapley method
// and handed to a sink in file order, so outputs are written in input order.
//
//   PROBITY_ASSIGN_OR_RETURN(ShapMethod method, ParseShapMethod("tree"));
//   ShapRequest request{.method = method, .space = DefaultSpace(method, model),
//                       .players = InputPlayers(model.info())};
//   PROBITY_ASSIGN_OR_RETURN(ExplainTotals totals,
//                            ExplainDataset(model, *reader, RowSelection(), request, sink));
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/core/file_system.h"
#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/dataset_reader.h"
#include "explain/attribution.h"
#include "explain/background.h"
#include "explain/input_frame.h"
#include "explain/reasons.h"

namespace probity::explain {

// Which rows of a file to explain: all of them, or a comma-separated list of 0-based row
// indices and half-open ranges "A:B" ("A:" runs to the end, ":B" starts at 0).
class RowSelection {
 public:
  RowSelection() = default;  // all rows
  // kInvalidArgument naming --rows and the piece that is not an index or a range.
  static Result<RowSelection> Parse(std::string_view text);
  bool all() const { return all_; }
  bool Contains(int64_t row) const;
  // Whether no row at or after `row` is selected (the scan can stop).
  bool ExhaustedAt(int64_t row) const;
  std::string ToString() const;

 private:
  bool all_ = true;
  std::vector<std::pair<int64_t, int64_t>> ranges_;  // sorted, merged [begin, end)
};

// The Shapley-value methods.
enum class ShapMethod { kTree, kInterventional, kExact, kKernel, kLinear };
// "tree", "interventional", "exact", "kernel", "linear".
std::string_view ShapMethodName(ShapMethod method);
Result<ShapMethod> ParseShapMethod(std::string_view name);
// tree for models with a tree view, linear for linear views, otherwise kernel.
ShapMethod DefaultShapMethod(const Model& model);
// margin for tree, interventional and linear; probability (classifiers) or value
// (regression) for exact and kernel, which explain what Model::Predict returns.
OutputSpace DefaultSpace(ShapMethod method, const Model& model);
// kInvalidArgument (exit 3) when the model cannot be explained that way: tree or
// interventional without a tree view, linear without a linear view, path-dependent tree or
// linear in a space other than margin (they are exact only there), probability for a
// regression model or value for a classifier.
Status CheckMethod(ShapMethod method, const Model& model, OutputSpace space);
// Whether the method needs a background set (all but path-dependent tree).
bool NeedsBackground(ShapMethod method);

struct ShapRequest {
  ShapMethod method = ShapMethod::kTree;
  OutputSpace space = OutputSpace::kMargin;
  Players players;
  const Background* background = nullptr;  // required when NeedsBackground(method)
  bool interactions = false;               // path-dependent tree only
  uint64_t seed = 0;                       // kernel
  int64_t samples = 0;                     // kernel: coalitions per row (0 = auto)
  int max_exact_players = 16;              // exact; interventional in probability space
  int threads = 0;
};

// One batch of explained rows.
struct ExplainedBatch {
  std::vector<int64_t> row_indices;  // file row of each explained row
  Attributions attributions;
  std::optional<Interactions> interactions;
  InputFrame frame;  // the explained rows' inputs (string inputs as codes)
  // max |base + Σ phi − the model's own output| (Model::Predict in the same space): the
  // end-to-end check, next to attributions.max_additivity_error (the algorithm's own).
  double max_model_difference = 0;
};

// Explains the rows of `batch` that `selection` picks (`first_row` = file index of the
// batch's row 0, or `row_ids` the file index of each batch row when the batch is not a run
// of consecutive rows). `source` names the data in errors. Sampled methods seed each row by
// its file index, so a row's explanation does not depend on the rows around it.
Result<ExplainedBatch> ExplainTable(const Model& model, const Table& batch, int64_t first_row,
                                    const RowSelection& selection, const ShapRequest& request,
                                    const std::string& source,
                                    const std::vector<int64_t>* row_ids = nullptr);

struct ExplainTotals {
  // Method, space, value function…, without per-row values; `base` holds two rows, the
  // smallest and the largest base value seen per output.
  Attributions header;
  int64_t rows_read = 0;
  int64_t rows_explained = 0;
  double max_additivity_error = 0;
  double max_model_difference = 0;
  int64_t model_evaluations = 0;
  int64_t coalitions = 0;
  ingest::ScanSummary scan;
};

using ExplainSink = std::function<Status(ExplainedBatch&&)>;

// Streams the reader's file through ExplainTable and hands each non-empty batch to `sink`,
// in file order. Errors: the reader's, the explainer's (kInvalidArgument for bad input).
Result<ExplainTotals> ExplainDataset(const Model& model, ingest::DatasetReader& reader,
                                     const RowSelection& selection, const ShapRequest& request,
                                     const ExplainSink& sink);

// A seeded uniform sample of `n` rows of a file, in file order: the rows whose
// MixSeed(seed, row index) are the n smallest (all rows when the file has at most n).
// Reads the file twice (count, then keep); memory holds the sample only.
Result<Table> SampleDataset(FileSystem& fs, const std::string& path,
                            const ingest::DatasetSpec& spec, const ingest::ScanOptions& options,
                            int64_t n, uint64_t seed, ingest::ScanSummary* summary = nullptr);

// The background from a table: all rows, a seeded sample, or weighted k-means
// (SummarizeBackground), encoded with the model's inputs.
Result<Background> BackgroundFromTable(const Model& model, const Table& table,
                                       const std::string& source,
                                       const BackgroundOptions& options);

// Adverse-action reasons for a file: every selected row is scored, the rows on the
// unfavourable side are explained (request.shap) and their reasons selected; sampled methods
// (and any method given rerun_backgrounds) are re-run `stability_runs` times with seeds
// seed+1, seed+2… for the stability check.
struct ReasonsRequest {
  ShapRequest shap;
  ReasonCodeTable table;
  ReasonOptions options;
  int stability_runs = 3;
  // Backgrounds for the re-runs (re-run k uses rerun_backgrounds[k-1] when given): a
  // background sampled from the data is redrawn with seed+k, so the check also covers the
  // choice of reference rows. With these, exact methods are re-run too.
  std::vector<const Background*> rerun_backgrounds;
  // The score compared with options.threshold: the explained output `output` in this space.
  size_t output = 0;
  OutputSpace score_space = OutputSpace::kProbability;
};
Result<ReasonReport> ReasonsForDataset(const Model& model, ingest::DatasetReader& reader,
                                       const RowSelection& selection,
                                       const ReasonsRequest& request);

// Whether the method samples (so stability re-runs with other seeds mean something).
bool IsSampled(ShapMethod method);

// The threshold reference for reasons: the `n` rows of `data` scored on the favourable
// side of the threshold closest to it (the marginal approvals), equally weighted.
Result<Background> ThresholdBackground(const Model& model, const Table& data,
                                       const std::string& source, const ReasonsRequest& request,
                                       int64_t n);

}  // namespace probity::explain
