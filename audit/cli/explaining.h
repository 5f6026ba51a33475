// The work behind `probity explain` and `probity explain reasons`, shared with the demo:
// reading the data and the background, running the chosen method (explain/dataset.h for the
// Shapley methods; LIME, permutation importance, PDP/ICE and counterfactuals otherwise),
// writing the CSV outputs, assembling the probity.explain/1 (or .reasons/1) document and the
// terminal text, and recording the result in lineage.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "audit/cli/command.h"
#include "audit/cli/recording.h"
#include "audit/core/digest.h"
#include "audit/core/model.h"
#include "explain/attribution.h"
#include "explain/dataset.h"
#include "explain/reasons.h"

namespace probity::cli {

struct ExplainOptions {
  std::string model_path;       // as the user named it, for the document
  std::string method = "auto";  // tree … counterfactual, or auto
  std::string output;           // margin, probability, value; "" = the method's default
  std::string background;       // file; "" = a sample of the data
  int64_t background_rows = 100;
  int background_clusters = 0;
  explain::RowSelection rows;
  uint64_t seed = 0;
  explain::Players players;
  std::string csv;           // per-row SHAP values ("-" = stdout)
  std::string interactions;  // long CSV
  bool json_rows = false;
  int64_t samples = 0;
  int lime_features = 0;  // 0 = min(10, players)
  std::string label;
  std::vector<std::string> label_map;  // VALUE=CLASS pairs
  std::string metric = "auto";
  int repeats = 5;
  int64_t max_rows = 10'000;
  std::vector<std::string> pdp_features;
  int grid = 20;
  std::string pdp_method = "auto";
  bool ice = true;
  int count = 4;
  std::vector<std::string> immutable;
  std::map<std::string, std::pair<double, double>> ranges;
  double desired_threshold = 0.5;
  bool desired_above = true;
  std::string class_name;
};

struct ExplainRun {
  nlohmann::ordered_json document;  // probity.explain/1
  std::string text;                 // the terminal summary
  std::vector<std::pair<std::string, std::string>> outputs;  // files written, with roles
  Digest data_digest;
};

// Runs one explanation of `data` with `model`. Errors: bad input (kInvalidArgument, exit 3:
// a feature missing from the data, a background with another schema, a method the model
// cannot take, bad option values), I/O errors writing outputs.
Result<ExplainRun> RunExplain(const Model& model, const DatasetArgs& data,
                              const ExplainOptions& options, const GlobalOptions& global);

struct ReasonsOptions {
  std::string model_path;
  std::string method = "auto";
  std::string output;
  std::string background;
  int64_t background_rows = 100;
  int background_clusters = 0;
  explain::RowSelection rows;
  uint64_t seed = 0;
  int64_t samples = 0;
  std::string class_name;
  std::string codes;  // the reason-code table (YAML file)
  double threshold = 0.5;
  bool unfavourable_above = false;
  int top_k = 4;
  std::string reference = "population";
  int stability_runs = 3;
  std::vector<std::string> protected_features;
  std::vector<std::string> groups;  // NAME=IN1,IN2, added to the table's groups
};

struct ReasonsRun {
  explain::ReasonReport report;
  nlohmann::ordered_json document;  // probity.explain.reasons/1
  std::string text;
  std::vector<std::pair<std::string, std::string>> outputs;
  Digest data_digest;
};

Result<ReasonsRun> RunReasons(const Model& model, const DatasetArgs& data,
                              const ReasonsOptions& options, const GlobalOptions& global);

// Writes the reasons CSV (docs/formats/explain.md) atomically.
Status WriteReasonsCsvFile(const explain::ReasonReport& report, const std::string& path);

// Adds to an open session (whose model and data records exist: `model_id` < 0 for none)
// every output file and the JSON document of `run`, the step with `extra_inputs`, and a
// signed explanation statement bound to the model's digest. `keep_copies` stores the output
// bytes in objects/. Returns the step's execution id.
Result<int64_t> RecordExplanationStep(RecordingSession& session, int64_t model_id, int64_t data_id,
                                      const std::string& data_name, const ExplainRun& run,
                                      const std::string& step,
                                      const std::vector<std::pair<int64_t, std::string>>& extra_inputs,
                                      bool keep_copies);

// Records the model and data, every output file, the JSON document, the step, and a signed
// explanation statement bound to the model's digest.
Status RecordExplanation(const std::string& model_path, const std::string& data_path,
                         const ExplainRun& run, const std::string& step,
                         const GlobalOptions& global);

}  // namespace probity::cli
