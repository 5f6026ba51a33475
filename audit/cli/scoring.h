// Scoring a dataset file with a model and writing the predictions CSV
// (docs/formats/predictions.md): the work behind `probity predict`, shared with the demo.
// Streams the data batch by batch; predictions are computed on the parsing threads and
// written in input order.
//
//   ScoreRequest request{.data = dataset, .out = "preds.csv", .label = "credit_risk"};
//   PROBITY_ASSIGN_OR_RETURN(ScoreResult result, ScoreDataset(*model, request, global));
#pragma once

#include <map>
#include <string>
#include <vector>

#include "audit/cli/command.h"
#include "audit/core/digest.h"
#include "audit/core/model.h"

namespace probity::cli {

struct ScoreRequest {
  DatasetArgs data;
  std::string out;                     // "" or "-": stdout
  std::vector<std::string> keep;       // input columns copied to the output first
  std::string label;                   // column to score the predictions against
  std::vector<std::string> label_map;  // VALUE=CLASS pairs
  bool with_outputs = false;           // the model's own output fields
  bool with_margin = false;
};

// How well the predictions match the label column.
struct LabelScore {
  int64_t rows = 0;                          // rows with a label and a prediction
  int64_t correct = 0;                       // classifiers
  double abs_error = 0, squared_error = 0;   // regression
  std::map<std::string, int64_t> unmatched;  // label values that name no class (first few)
};

struct ScoreResult {
  int64_t rows = 0;
  Digest data_digest;
  std::vector<std::string> columns;  // the output header
  LabelScore score;
};

// Scores request.data with `model` and writes the CSV (atomically when to a file).
// Errors: those of reading the data and the model's binding errors (kInvalidArgument,
// naming the column and the model input), a --keep/--label column that does not exist,
// a --label-map entry without "=", and I/O errors writing the output.
Result<ScoreResult> ScoreDataset(const Model& model, const ScoreRequest& request,
                                 const GlobalOptions& global);

}  // namespace probity::cli
