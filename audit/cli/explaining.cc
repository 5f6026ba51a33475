#include "audit/cli/explaining.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>

#include "audit/cli/progress.h"
#include "audit/cli/recording.h"
#include "audit/core/file_system.h"
#include "audit/core/json_output.h"
#include "audit/core/status.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/models/feature_binding.h"
#include "explain/counterfactual.h"
#include "explain/lime.h"
#include "explain/pdp.h"
#include "explain/permutation.h"
#include "explain/report.h"
#include "lineage/attest.h"
#include "lineage/intoto.h"

namespace probity::cli {
namespace {

using explain::Attributions;
using explain::Background;
using explain::InputFrame;
using explain::OutputSpace;
using explain::ShapMethod;

// How the data (and a background file) are read for this model: its categorical inputs as
// strings, so category codes match.
Result<ingest::DatasetSpec> SpecFor(const Model& model, const DatasetArgs& data) {
  PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec spec, BuildDatasetSpec(data));
  if (!spec.schema) spec.type_hints = models::InputTypeHints(model.info());
  return spec;
}

// The start of every probity.explain/1 document: the model, the data and the groups.
nlohmann::ordered_json BaseDocument(const Model& model, const std::string& model_path,
                                    const std::string& data_path, const Digest& data_digest,
                                    const explain::Players& players) {
  const ModelInfo& info = model.info();
  nlohmann::ordered_json doc = MachineDocument("probity.explain/1");
  doc["model"] = {{"path", model_path},
                  {"digest", info.digest.ToString()},
                  {"format", info.format},
                  {"algorithm", info.algorithm}};
  doc["data"] = {{"path", data_path}, {"digest", data_digest.ToString()}};
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (size_t p = 0; p < players.size(); ++p) {
    std::vector<int32_t> inputs = players.InputsOf(p);
    if (inputs.size() == 1 && info.inputs[static_cast<size_t>(inputs[0])].name == players.names[p]) {
      continue;
    }
    nlohmann::ordered_json names = nlohmann::ordered_json::array();
    for (int32_t j : inputs) names.push_back(info.inputs[static_cast<size_t>(j)].name);
    groups.push_back({{"name", players.names[p]}, {"inputs", std::move(names)}});
  }
  if (!groups.empty()) doc["groups"] = std::move(groups);
  return doc;
}

// Appends every field of `body` to `doc` (body's "schema" and "probity_version" excepted).
void Merge(nlohmann::ordered_json& doc, const nlohmann::ordered_json& body) {
  if (!body.is_object()) return;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (it.key() == "schema" || it.key() == "probity_version") continue;
    doc[it.key()] = it.value();
  }
}

Result<OutputSpace> SpaceFor(const std::string& output, OutputSpace fallback) {
  if (output.empty()) return fallback;
  return explain::ParseOutputSpace(output, "--output");
}

// The explained space of the sampling methods (LIME, PDP, counterfactuals): what
// Model::Predict gives — probabilities for classifiers, values for regression.
OutputSpace PredictSpace(const Model& model) {
  return model.info().task == ModelTask::kClassification ? OutputSpace::kProbability
                                                         : OutputSpace::kValue;
}

// A table of reference rows: the --background file whole, or a seeded sample of the data.
struct ReferenceRows {
  Table table;
  std::string source;
  Digest digest;
  bool from_file = false;
};

Result<ReferenceRows> ReadReferenceRows(const Model& model, const DatasetArgs& data,
                                        const std::string& background, int64_t sample_rows,
                                        uint64_t seed, const GlobalOptions& global) {
  ReferenceRows out;
  ingest::ScanOptions scan = BuildScanOptions(data, global);
  ingest::ScanSummary summary;
  if (!background.empty()) {
    DatasetArgs args = data;
    args.path = background;
    args.schema_path.clear();
    PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec spec, SpecFor(model, args));
    PROBITY_ASSIGN_OR_RETURN(out.table,
                             ingest::ReadTable(LocalFileSystem(), background, spec, scan, &summary));
    out.source = background;
    out.from_file = true;
  } else {
    PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec spec, SpecFor(model, data));
    PROBITY_ASSIGN_OR_RETURN(out.table, explain::SampleDataset(LocalFileSystem(), data.path, spec,
                                                               scan, sample_rows, seed, &summary));
    out.source = data.path;
  }
  out.digest = summary.digest;
  return out;
}

nlohmann::ordered_json BackgroundBlock(const ReferenceRows& rows, const Background& background) {
  nlohmann::ordered_json block;
  if (rows.from_file) {
    block["path"] = rows.source;
    block["digest"] = rows.digest.ToString();
  }
  block["rows"] = background.frame.rows;
  block["summary"] = (rows.from_file ? "" : "a seeded sample of the data; ") + background.summary;
  return block;
}

Result<Background> LoadBackground(const Model& model, const DatasetArgs& data,
                                  const std::string& path, int64_t rows, int clusters,
                                  uint64_t seed, const GlobalOptions& global,
                                  nlohmann::ordered_json* block) {
  const int64_t sample = clusters > 0 ? std::max<int64_t>(rows, int64_t{100} * clusters) : rows;
  PROBITY_ASSIGN_OR_RETURN(ReferenceRows reference,
                           ReadReferenceRows(model, data, path, sample, seed, global));
  explain::BackgroundOptions options{.clusters = clusters, .seed = seed};
  PROBITY_ASSIGN_OR_RETURN(Background background, explain::BackgroundFromTable(
                                                      model, reference.table, reference.source,
                                                      options));
  *block = BackgroundBlock(reference, background);
  return background;
}

// An output file written atomically, or stdout for "-".
class Sink {
 public:
  static Result<Sink> Open(const std::string& path) {
    Sink sink;
    sink.path_ = path;
    if (!path.empty() && path != "-") {
      PROBITY_ASSIGN_OR_RETURN(sink.file_, LocalFileSystem().CreateAtomically(path));
    }
    return sink;
  }
  bool enabled() const { return !path_.empty(); }
  Status Write(std::string_view text) {
    if (file_) return file_->Append(text);
    if (!(std::cout << text)) return IoError("could not write to stdout");
    return OkStatus();
  }
  Status Commit() {
    if (file_) return file_->Commit();
    std::cout << std::flush;
    return OkStatus();
  }

 private:
  std::string path_;
  std::unique_ptr<OutputFile> file_;
};

Result<std::unique_ptr<ingest::DatasetReader>> OpenData(const Model& model,
                                                        const DatasetArgs& data,
                                                        const GlobalOptions& global,
                                                        ProgressBar& bar) {
  PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec spec, SpecFor(model, data));
  ingest::ScanOptions options = BuildScanOptions(data, global);
  options.progress = [&bar](int64_t done, int64_t total) { bar.Update(done, total); };
  return ingest::DatasetReader::Open(LocalFileSystem(), data.path, spec, options);
}

// The index of --class among the explained outputs of the model's predictions (binary
// classifiers: the positive class only, index 0); 0 when no class is named.
Result<size_t> ClassOutput(const Model& model, const std::string& name) {
  if (name.empty()) return size_t{0};
  const ModelInfo& info = model.info();
  std::vector<std::string> names = explain::ExplainedOutputNames(
      info, info.classes.size() > 2 ? static_cast<int>(info.classes.size()) : 1);
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    return InvalidArgumentError("--class \"" + name + "\" is not an explained output")
        .Expecting("one of: " + list + " (binary models explain the positive class)");
  }
  return static_cast<size_t>(it - names.begin());
}

// A background (or training) file must hold each model input with the data's kind: text
// where the data has text, numbers where it has numbers. Checked against the data file's
// schema before any row is explained, so the message names the background file.
Status CheckReferenceSchema(const InputFrame& reference, const std::string& reference_path,
                            const Schema& data_schema, const std::string& data_path) {
  for (size_t j = 0; j < reference.width(); ++j) {
    auto index = data_schema.IndexOf(reference.names[j]);
    if (!index) continue;  // the data's own error names the missing column
    const bool data_text = data_schema.field(*index).type == DataType::kString;
    if (data_text != reference.is_string[j]) {
      return InvalidArgumentError(reference_path + ": column \"" + reference.names[j] +
                                  "\" holds " + (reference.is_string[j] ? "text" : "numbers"))
          .Expecting(std::string("the same column types as ") + data_path + ", where \"" +
                     reference.names[j] + "\" holds " + (data_text ? "text" : "numbers"));
    }
  }
  return OkStatus();
}

std::string FormatNumber(double v) { return fmt::format("{:.3g}", v); }

// ---- Shapley methods -------------------------------------------------------------------------

Result<ExplainRun> RunShap(const Model& model, const DatasetArgs& data, const ExplainOptions& o,
                           ShapMethod method, const GlobalOptions& global) {
  PROBITY_ASSIGN_OR_RETURN(OutputSpace space,
                           SpaceFor(o.output, explain::DefaultSpace(method, model)));
  PROBITY_RETURN_IF_ERROR(explain::CheckMethod(method, model, space));
  if (!o.interactions.empty() && method != ShapMethod::kTree) {
    return InvalidArgumentError("--interactions needs --method tree")
        .Expecting("--method tree (interaction values are path-dependent TreeSHAP's)");
  }
  ExplainRun run;
  nlohmann::ordered_json background_block;
  std::optional<Background> background;
  if (explain::NeedsBackground(method)) {
    PROBITY_ASSIGN_OR_RETURN(background,
                             LoadBackground(model, data, o.background, o.background_rows,
                                            o.background_clusters, o.seed, global,
                                            &background_block));
  }
  explain::ShapRequest request{.method = method,
                               .space = space,
                               .players = o.players,
                               .background = background ? &*background : nullptr,
                               .interactions = !o.interactions.empty(),
                               .seed = o.seed,
                               .samples = o.samples,
                               .threads = global.threads};
  PROBITY_ASSIGN_OR_RETURN(Sink csv, Sink::Open(o.csv));
  PROBITY_ASSIGN_OR_RETURN(Sink interactions, Sink::Open(o.interactions));
  std::optional<explain::AttributionSummary> summary;
  nlohmann::ordered_json rows_json = nlohmann::ordered_json::array();
  int64_t explained = 0;
  ProgressBar bar("explaining " + data.path, ProgressBar::ShouldShow(global.quiet));
  PROBITY_ASSIGN_OR_RETURN(auto reader, OpenData(model, data, global, bar));
  if (background && !o.background.empty()) {
    PROBITY_RETURN_IF_ERROR(
        CheckReferenceSchema(background->frame, o.background, reader->schema(), data.path));
  }
  auto sink = [&](explain::ExplainedBatch&& batch) -> Status {
    const Attributions& a = batch.attributions;
    const bool first = !summary.has_value();
    if (first) summary.emplace(a.players, a.outputs);
    summary->Add(a, explained, &batch.frame);
    if (csv.enabled()) {
      std::string text;
      explain::AppendAttributionCsv(a, first, &text);
      PROBITY_RETURN_IF_ERROR(csv.Write(text));
    }
    if (batch.interactions) {
      summary->AddInteractions(*batch.interactions);
      std::string text;
      explain::AppendInteractionCsv(*batch.interactions, explained, first, &text);
      PROBITY_RETURN_IF_ERROR(interactions.Write(text));
    }
    if (o.json_rows) {
      nlohmann::ordered_json part = explain::AttributionRowsJson(a, explained);
      for (size_t k = 0; k < part.size() && k < batch.row_indices.size(); ++k) {
        part[k]["row"] = batch.row_indices[k];
        rows_json.push_back(std::move(part[k]));
      }
    }
    explained += a.rows;
    return OkStatus();
  };
  Result<explain::ExplainTotals> totals =
      explain::ExplainDataset(model, *reader, o.rows, request, sink);
  bar.Finish();
  if (!totals.has_value()) return totals.error();
  if (csv.enabled()) {
    if (!summary) {  // no row explained: the header alone
      Attributions empty;
      empty.players = o.players.names;
      empty.outputs = explain::ExplainedOutputNames(model.info(), 1);
      std::string text;
      explain::AppendAttributionCsv(empty, true, &text);
      PROBITY_RETURN_IF_ERROR(csv.Write(text));
    }
    PROBITY_RETURN_IF_ERROR(csv.Commit());
    if (o.csv != "-") run.outputs.push_back({o.csv, "shap_values"});
  }
  if (interactions.enabled()) {
    PROBITY_RETURN_IF_ERROR(interactions.Commit());
    if (o.interactions != "-") run.outputs.push_back({o.interactions, "interaction_values"});
  }
  run.data_digest = totals->scan.digest;
  nlohmann::ordered_json& doc = run.document;
  doc = BaseDocument(model, o.model_path, data.path, totals->scan.digest, o.players);
  doc["data"]["rows"] = totals->rows_read;
  doc["data"]["selector"] = o.rows.ToString();
  doc["data"]["rows_explained"] = totals->rows_explained;
  if (summary) {
    Merge(doc, explain::AttributionsHeaderJson(totals->header));
  } else {
    doc["method"] = std::string(explain::ShapMethodName(method));
    doc["space"] = std::string(explain::OutputSpaceName(space));
  }
  doc["max_model_difference"] = JsonNumber(totals->max_model_difference);
  if (background) doc["background"] = background_block;
  if (!o.interactions.empty()) {
    doc["interactions"] = {{"path", o.interactions}, {"rows", totals->rows_explained}};
  }
  if (summary) doc["global"] = summary->ToJson();
  if (o.json_rows) doc["rows"] = std::move(rows_json);
  run.text = fmt::format(
      "Explained {} of {} rows of {} with {} ({} space{}).\n"
      "Max additivity error |base + sum(phi) - f(x)|: {}; max difference from the model's own "
      "output: {}.\n",
      totals->rows_explained, totals->rows_read, data.path, totals->header.method.empty()
                                                                 ? std::string(explain::ShapMethodName(method))
                                                                 : totals->header.method,
      explain::OutputSpaceName(space),
      background ? ", background: " + background->summary : std::string(),
      FormatNumber(totals->max_additivity_error), FormatNumber(totals->max_model_difference));
  if (summary) run.text += explain::RenderAttributionSummary(*summary, 10);
  return run;
}

// ---- LIME and counterfactuals: per selected row, streamed ----------------------------------

// Streams the selected rows in frames encoded like `training`; `explain_batch` gets each
// batch's frame and the file indices of its rows.
Status ForSelectedRows(
    const Model& model, const DatasetArgs& data, const explain::RowSelection& selection,
    const InputFrame& training, const std::string& training_path, const GlobalOptions& global,
    Digest* digest,
    const std::function<Status(const InputFrame&, const std::vector<int64_t>&)>& explain_batch) {
  ProgressBar bar("explaining " + data.path, ProgressBar::ShouldShow(global.quiet));
  PROBITY_ASSIGN_OR_RETURN(auto reader, OpenData(model, data, global, bar));
  if (!training_path.empty()) {
    PROBITY_RETURN_IF_ERROR(
        CheckReferenceSchema(training, training_path, reader->schema(), data.path));
  }
  int64_t next = 0;
  Status scanned = reader->Scan(
      [](const RowBatch&) -> Result<std::shared_ptr<void>> { return std::shared_ptr<void>(); },
      [&](RowBatch&& batch, std::shared_ptr<void>) -> Status {
        const int64_t first = next;
        next += batch.rows.num_rows();
        if (selection.ExhaustedAt(first)) return OkStatus();
        std::vector<uint8_t> keep(static_cast<size_t>(batch.rows.num_rows()), 0);
        std::vector<int64_t> index;
        for (int64_t r = 0; r < batch.rows.num_rows(); ++r) {
          if (selection.Contains(first + r)) {
            keep[static_cast<size_t>(r)] = 1;
            index.push_back(first + r);
          }
        }
        if (index.empty()) return OkStatus();
        std::vector<Column> columns;
        for (size_t c = 0; c < batch.rows.num_columns(); ++c) {
          columns.push_back(batch.rows.column(c).Filter(keep));
        }
        Table rows(batch.rows.schema(), std::move(columns));
        InputFrame frame = explain::EmptyLike(training);
        PROBITY_RETURN_IF_ERROR(explain::AppendInputFrame(rows, data.path, &frame));
        return explain_batch(frame, index);
      });
  bar.Finish();
  PROBITY_RETURN_IF_ERROR(scanned);
  *digest = reader->summary().digest;
  return OkStatus();
}

Result<InputFrame> TrainingFrame(const Model& model, const DatasetArgs& data,
                                 const ExplainOptions& o, const GlobalOptions& global,
                                 nlohmann::ordered_json* block) {
  PROBITY_ASSIGN_OR_RETURN(ReferenceRows reference,
                           ReadReferenceRows(model, data, o.background, o.max_rows, o.seed, global));
  PROBITY_ASSIGN_OR_RETURN(InputFrame frame,
                           explain::ReadInputFrame(model.info(), reference.table, reference.source));
  if (frame.rows == 0) {
    return InvalidArgumentError(reference.source + ": no rows to take statistics from")
        .Expecting("a non-empty --background or data file");
  }
  if (reference.from_file) {
    (*block)["path"] = reference.source;
    (*block)["digest"] = reference.digest.ToString();
  }
  (*block)["rows"] = frame.rows;
  (*block)["summary"] = reference.from_file ? "the training statistics' rows"
                                            : "a seeded sample of the data (training statistics)";
  return frame;
}

Result<ExplainRun> RunLime(const Model& model, const DatasetArgs& data, const ExplainOptions& o,
                           const GlobalOptions& global) {
  ExplainRun run;
  nlohmann::ordered_json training_block;
  PROBITY_ASSIGN_OR_RETURN(InputFrame training, TrainingFrame(model, data, o, global,
                                                              &training_block));
  PROBITY_ASSIGN_OR_RETURN(OutputSpace space, SpaceFor(o.output, PredictSpace(model)));
  explain::LimeOptions options{.samples = o.samples > 0 ? o.samples : 5000,
                               .num_features = o.lime_features > 0
                                                   ? o.lime_features
                                                   : static_cast<int>(std::min<size_t>(
                                                         10, o.players.size())),
                               .seed = o.seed,
                               .space = space,
                               .threads = global.threads};
  explain::LimeResult all;
  all.seed = o.seed;
  int64_t rows_explained = 0;
  PROBITY_RETURN_IF_ERROR(ForSelectedRows(
      model, data, o.rows, training, o.background, global, &run.data_digest,
      [&](const InputFrame& frame, const std::vector<int64_t>& index) -> Status {
        InputFrame local = training;
        local.dictionaries = frame.dictionaries;
        explain::LimeOptions batch_options = options;
        batch_options.row_streams = index;
        PROBITY_ASSIGN_OR_RETURN(explain::LimeResult part,
                                 explain::Lime(model, o.players, local, frame, batch_options));
        rows_explained += static_cast<int64_t>(index.size());
        for (explain::LimeExplanation& e : part.explanations) {
          e.row = index[static_cast<size_t>(e.row)];
          all.explanations.push_back(std::move(e));
        }
        all.kernel_width = part.kernel_width;
        all.model_evaluations += part.model_evaluations;
        return OkStatus();
      }));
  run.document = BaseDocument(model, o.model_path, data.path, run.data_digest, o.players);
  run.document["data"]["selector"] = o.rows.ToString();
  run.document["method"] = "lime";
  run.document["background"] = training_block;
  run.document["data"]["rows_explained"] = rows_explained;
  Merge(run.document, explain::LimeToJson(all, o.players.names, space));
  run.text = fmt::format("LIME explanations of {} rows ({} samples each, seed {}).\n",
                         all.explanations.size(), options.samples, o.seed);
  for (size_t i = 0; i < all.explanations.size() && i < 5; ++i) {
    const explain::LimeExplanation& e = all.explanations[i];
    run.text += fmt::format("  row {} ({}): model {:.4f}, surrogate {:.4f}, R² {:.3f}\n", e.row,
                            e.output, e.model_prediction, e.local_prediction, e.r2);
    for (size_t k = 0; k < e.features.size() && k < 4; ++k) {
      run.text += fmt::format("      {:+.4f}  {}\n", e.features[k].weight, e.features[k].condition);
    }
  }
  return run;
}

Result<ExplainRun> RunCounterfactuals(const Model& model, const DatasetArgs& data,
                                      const ExplainOptions& o, const GlobalOptions& global) {
  ExplainRun run;
  nlohmann::ordered_json training_block;
  PROBITY_ASSIGN_OR_RETURN(InputFrame training, TrainingFrame(model, data, o, global,
                                                              &training_block));
  PROBITY_ASSIGN_OR_RETURN(OutputSpace space, SpaceFor(o.output, PredictSpace(model)));
  PROBITY_ASSIGN_OR_RETURN(size_t output, ClassOutput(model, o.class_name));
  explain::CounterfactualOptions options{.count = o.count,
                                         .immutable = o.immutable,
                                         .ranges = o.ranges,
                                         .output = output,
                                         .threshold = o.desired_threshold,
                                         .above = o.desired_above,
                                         .space = space,
                                         .seed = o.seed,
                                         .threads = global.threads};
  explain::CounterfactualResult all;
  all.seed = o.seed;
  InputFrame rows_seen = explain::EmptyLike(training);
  std::vector<int64_t> file_rows;
  PROBITY_RETURN_IF_ERROR(ForSelectedRows(
      model, data, o.rows, training, o.background, global, &run.data_digest,
      [&](const InputFrame& frame, const std::vector<int64_t>& index) -> Status {
        InputFrame local = training;
        local.dictionaries = frame.dictionaries;
        explain::CounterfactualOptions batch_options = options;
        batch_options.row_streams = index;
        PROBITY_ASSIGN_OR_RETURN(explain::CounterfactualResult part,
                                 explain::Counterfactuals(model, local, frame, batch_options));
        rows_seen.dictionaries = frame.dictionaries;
        // Sets keep their position in rows_seen (for the JSON's input values); the file
        // rows are put in afterwards.
        for (explain::CounterfactualSet& set : part.sets) {
          rows_seen.values.insert(rows_seen.values.end(), frame.row(set.row),
                                  frame.row(set.row) + frame.width());
          file_rows.push_back(index[static_cast<size_t>(set.row)]);
          set.row = rows_seen.rows++;
          all.sets.push_back(std::move(set));
        }
        all.model_evaluations += part.model_evaluations;
        return OkStatus();
      }));
  run.document = BaseDocument(model, o.model_path, data.path, run.data_digest, o.players);
  run.document["data"]["selector"] = o.rows.ToString();
  run.document["method"] = "counterfactual";
  run.document["background"] = training_block;
  run.document["data"]["rows_explained"] = static_cast<int64_t>(all.sets.size());
  const std::vector<std::string> output_names = explain::ExplainedOutputNames(
      model.info(), model.info().classes.size() > 2 ? static_cast<int>(model.info().classes.size())
                                                    : 1);
  run.document["desired"] = {
      {"output", output < output_names.size() ? output_names[output] : std::to_string(output)},
      {"threshold", o.desired_threshold},
      {"above", o.desired_above}};
  run.document["immutable"] = o.immutable;
  nlohmann::ordered_json ranges = nlohmann::ordered_json::object();
  for (const auto& [name, range] : o.ranges) ranges[name] = {range.first, range.second};
  run.document["ranges"] = std::move(ranges);
  Merge(run.document, explain::CounterfactualsToJson(all, rows_seen, space));
  for (size_t k = 0; k < file_rows.size() && k < run.document["sets"].size(); ++k) {
    run.document["sets"][k]["row"] = file_rows[k];
  }
  int64_t found = 0;
  for (const auto& set : all.sets) found += set.counterfactuals.empty() ? 0 : 1;
  run.text = fmt::format("Counterfactuals for {} rows ({} with at least one; seed {}).\n",
                         all.sets.size(), found, o.seed);
  for (size_t i = 0; i < all.sets.size() && i < 5; ++i) {
    const explain::CounterfactualSet& set = all.sets[i];
    run.text += fmt::format("  row {} (score {:.4f}){}\n", file_rows[i], set.prediction,
                            set.already_desired ? ": already on the desired side" : "");
    if (!set.counterfactuals.empty()) {
      const explain::Counterfactual& c = set.counterfactuals.front();
      std::string changes;
      for (const auto& ch : c.changes) {
        changes += (changes.empty() ? "" : ", ") + ch.feature + " " + ch.from + " → " + ch.to;
      }
      run.text += fmt::format("      {} (score {:.4f}{})\n", changes, c.prediction,
                              c.valid ? "" : ", NOT valid");
    }
  }
  return run;
}

// ---- Global methods on a sample: permutation importance, PDP ------------------------------

Result<ExplainRun> RunSampled(const Model& model, const DatasetArgs& data, const ExplainOptions& o,
                              const std::string& method, const GlobalOptions& global) {
  ExplainRun run;
  PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec spec, SpecFor(model, data));
  ingest::ScanSummary summary;
  PROBITY_ASSIGN_OR_RETURN(Table table, explain::SampleDataset(LocalFileSystem(), data.path, spec,
                                                               BuildScanOptions(data, global),
                                                               o.max_rows, o.seed, &summary));
  PROBITY_ASSIGN_OR_RETURN(InputFrame frame,
                           explain::ReadInputFrame(model.info(), table, data.path));
  run.data_digest = summary.digest;
  run.document = BaseDocument(model, o.model_path, data.path, summary.digest, o.players);
  run.document["data"]["rows"] = summary.rows;
  run.document["data"]["rows_explained"] = frame.rows;
  run.document["data"]["sample"] = frame.rows < summary.rows
                                       ? fmt::format("a seeded sample of {} rows (seed {})",
                                                     frame.rows, o.seed)
                                       : std::string("all rows");
  if (!o.label.empty()) run.document["data"]["label"] = o.label;
  run.document["method"] = method;
  if (method == "permutation") {
    if (o.label.empty()) {
      return InvalidArgumentError("--method permutation needs the true labels")
          .Expecting("--label COLUMN");
    }
    auto label = table.ColumnByName(o.label);
    if (!label.has_value()) {
      return InvalidArgumentError(data.path + " has no column \"" + o.label + "\"")
          .Expecting("--label naming a column of the data");
    }
    const Column* labels = *label;
    Column mapped(DataType::kString);
    if (!o.label_map.empty()) {
      std::map<std::string, std::string, std::less<>> map;
      for (const std::string& pair : o.label_map) {
        const size_t eq = pair.find('=');
        if (eq == std::string::npos) {
          return InvalidArgumentError("--label-map \"" + pair + "\"").Expecting("VALUE=CLASS");
        }
        map[pair.substr(0, eq)] = pair.substr(eq + 1);
      }
      for (int64_t r = 0; r < labels->size(); ++r) {
        if (!labels->IsValid(r)) {
          mapped.AppendNull();
          continue;
        }
        const std::string text = models::CellText(*labels, r);
        auto it = map.find(text);
        mapped.AppendString(it == map.end() ? text : it->second);
      }
      labels = &mapped;
    }
    explain::PermutationOptions options{.metric = o.metric,
                                        .repeats = o.repeats,
                                        .seed = o.seed,
                                        .threads = global.threads};
    PROBITY_ASSIGN_OR_RETURN(explain::PermutationImportance result,
                             explain::PermutationImportanceOf(model, o.players, frame, *labels,
                                                              options));
    Merge(run.document, explain::PermutationToJson(result));
    run.text = fmt::format("Permutation importance on {} rows ({}: baseline {:.4f}, {} repeats, "
                           "seed {}):\n",
                           result.rows, result.metric, result.baseline, result.repeats, o.seed);
    std::vector<const explain::PlayerImportance*> order;
    for (const auto& p : result.importances) order.push_back(&p);
    std::stable_sort(order.begin(), order.end(),
                     [](const auto* a, const auto* b) { return a->mean > b->mean; });
    for (size_t i = 0; i < order.size() && i < 10; ++i) {
      run.text += fmt::format("  {:<28} {:+.4f} ± {:.4f}\n", order[i]->player, order[i]->mean,
                              order[i]->std);
    }
    return run;
  }
  PROBITY_ASSIGN_OR_RETURN(OutputSpace space, SpaceFor(o.output, PredictSpace(model)));
  explain::PdpOptions options{.features = o.pdp_features,
                              .grid_points = o.grid,
                              .ice = o.ice,
                              .method = o.pdp_method,
                              .space = space,
                              .threads = global.threads};
  if (o.pdp_method == "auto" && model.tree_view() != nullptr && space != OutputSpace::kMargin) {
    options.method = "brute";  // the recursion is exact in margin space only
  }
  PROBITY_ASSIGN_OR_RETURN(std::vector<explain::PdpCurve> curves,
                           explain::PartialDependence(model, frame, options));
  Merge(run.document, explain::PdpToJson(curves, space));
  run.text = fmt::format("Partial dependence of {} features on {} rows ({} space).\n",
                         curves.size(), frame.rows, explain::OutputSpaceName(space));
  for (const explain::PdpCurve& c : curves) {
    if (c.average.empty()) continue;
    const size_t outputs = std::max<size_t>(c.outputs.size(), 1);
    auto [lo, hi] = std::minmax_element(c.average.begin(), c.average.end());
    run.text += fmt::format("  {:<28} {} grid points, PD from {:.4f} to {:.4f} ({})\n", c.feature,
                            c.average.size() / outputs, *lo, *hi, c.method);
  }
  return run;
}

}  // namespace

Result<ExplainRun> RunExplain(const Model& model, const DatasetArgs& data,
                              const ExplainOptions& options, const GlobalOptions& global) {
  if (options.method == "lime") return RunLime(model, data, options, global);
  if (options.method == "counterfactual") return RunCounterfactuals(model, data, options, global);
  if (options.method == "permutation" || options.method == "pdp") {
    return RunSampled(model, data, options, options.method, global);
  }
  ShapMethod method = explain::DefaultShapMethod(model);
  if (options.method != "auto") {
    PROBITY_ASSIGN_OR_RETURN(method, explain::ParseShapMethod(options.method));
  }
  return RunShap(model, data, options, method, global);
}

// ---- Reasons ---------------------------------------------------------------------------------

Result<ReasonsRun> RunReasons(const Model& model, const DatasetArgs& data,
                              const ReasonsOptions& o, const GlobalOptions& global) {
  PROBITY_ASSIGN_OR_RETURN(std::string yaml, LocalFileSystem().ReadSmallFile(o.codes, 4 << 20));
  PROBITY_ASSIGN_OR_RETURN(explain::ReasonCodeTable table,
                           explain::ParseReasonCodeTable(yaml, o.codes));
  std::vector<explain::FeatureGroup> groups = table.groups;
  for (const std::string& text : o.groups) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--group \"" + text + "\"").Expecting("NAME=INPUT1,INPUT2,…");
    }
    groups.push_back({text.substr(0, eq), SplitCommaList(text.substr(eq + 1))});
  }
  PROBITY_ASSIGN_OR_RETURN(explain::Players players, explain::GroupPlayers(model.info(), groups));
  ShapMethod method = explain::DefaultShapMethod(model);
  if (o.method != "auto") {
    PROBITY_ASSIGN_OR_RETURN(method, explain::ParseShapMethod(o.method));
  }
  // The threshold reference needs a background: path-dependent tree becomes interventional.
  if (o.reference == "threshold" && method == ShapMethod::kTree) {
    method = ShapMethod::kInterventional;
  }
  PROBITY_ASSIGN_OR_RETURN(OutputSpace space,
                           SpaceFor(o.output, explain::DefaultSpace(method, model)));
  PROBITY_RETURN_IF_ERROR(explain::CheckMethod(method, model, space));

  explain::ReasonsRequest request;
  request.table = std::move(table);
  request.options = {.top_k = o.top_k,
                     .threshold = o.threshold,
                     .unfavourable_above = o.unfavourable_above,
                     .protected_features = o.protected_features,
                     .reference = o.reference};
  request.stability_runs = o.stability_runs;
  request.score_space = PredictSpace(model);
  PROBITY_ASSIGN_OR_RETURN(request.output, ClassOutput(model, o.class_name));
  nlohmann::ordered_json background_block;
  std::optional<Background> background;
  if (o.reference == "threshold") {
    PROBITY_ASSIGN_OR_RETURN(ReferenceRows reference,
                             ReadReferenceRows(model, data, o.background, 10'000, o.seed, global));
    PROBITY_ASSIGN_OR_RETURN(background,
                             explain::ThresholdBackground(model, reference.table, reference.source,
                                                          request, o.background_rows));
    background_block = BackgroundBlock(reference, *background);
  } else if (explain::NeedsBackground(method)) {
    PROBITY_ASSIGN_OR_RETURN(background,
                             LoadBackground(model, data, o.background, o.background_rows,
                                            o.background_clusters, o.seed, global,
                                            &background_block));
  }
  // A background sampled from the data is redrawn for every stability re-run.
  std::vector<Background> reruns;
  if (background && o.background.empty() && o.reference != "threshold") {
    for (int k = 1; k <= o.stability_runs; ++k) {
      nlohmann::ordered_json unused;
      PROBITY_ASSIGN_OR_RETURN(Background b,
                               LoadBackground(model, data, "", o.background_rows,
                                              o.background_clusters,
                                              o.seed + static_cast<uint64_t>(k), global, &unused));
      reruns.push_back(std::move(b));
    }
  }
  for (const Background& b : reruns) request.rerun_backgrounds.push_back(&b);
  request.shap = {.method = method,
                  .space = space,
                  .players = players,
                  .background = background ? &*background : nullptr,
                  .seed = o.seed,
                  .samples = o.samples,
                  .threads = global.threads};
  ProgressBar bar("reasons " + data.path, ProgressBar::ShouldShow(global.quiet));
  PROBITY_ASSIGN_OR_RETURN(auto reader, OpenData(model, data, global, bar));
  if (background && !o.background.empty()) {
    PROBITY_RETURN_IF_ERROR(
        CheckReferenceSchema(background->frame, o.background, reader->schema(), data.path));
  }
  Result<explain::ReasonReport> report =
      explain::ReasonsForDataset(model, *reader, o.rows, request);
  bar.Finish();
  if (!report.has_value()) return report.error();
  ReasonsRun run;
  run.report = std::move(report).value();
  run.data_digest = reader->summary().digest;
  run.document = explain::ReasonsToJson(run.report);
  nlohmann::ordered_json base =
      BaseDocument(model, o.model_path, data.path, run.data_digest, players);
  run.document["model"] = base["model"];
  run.document["data"] = base["data"];
  run.document["data"]["selector"] = o.rows.ToString();
  run.document["data"]["rows_explained"] = static_cast<int64_t>(run.report.rows.size());
  if (base.contains("groups")) run.document["groups"] = base["groups"];
  run.document["codes"] = {{"path", o.codes}, {"digest", Sha256Of(yaml).ToString()}};
  if (background) run.document["background"] = background_block;
  run.text = fmt::format(
      "Reason codes: {} of {} rows scored {} {} (method {}, reference {}); {} unstable.\n",
      run.report.rows.size(), run.report.rows_scored,
      o.unfavourable_above ? "at or above" : "below", o.threshold, run.report.method,
      run.report.reference, run.report.unstable_rows);
  for (size_t i = 0; i < run.report.rows.size() && i < 5; ++i) {
    const explain::RowReasons& row = run.report.rows[i];
    run.text += fmt::format("  row {} (score {:.4f}){}\n", row.row, row.score,
                            row.stable ? "" : "  [unstable]");
    for (const explain::Reason& r : row.reasons) {
      run.text += fmt::format("    {}. {} {} ({:+.4f}){}\n", r.rank, r.code, r.text,
                              r.contribution, r.stable ? "" : " [unstable]");
    }
  }
  return run;
}

Status WriteReasonsCsvFile(const explain::ReasonReport& report, const std::string& path) {
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> out,
                           LocalFileSystem().CreateAtomically(path));
  PROBITY_RETURN_IF_ERROR(explain::WriteReasonsCsv(report, *out));
  return out->Commit();
}

Result<int64_t> RecordExplanationStep(RecordingSession& session, int64_t model_id, int64_t data_id,
                                      const std::string& data_name, const ExplainRun& run,
                                      const std::string& step,
                                      const std::vector<std::pair<int64_t, std::string>>& extra_inputs,
                                      bool keep_copies) {
  ExecutionRecord execution;
  execution.name = step;
  execution.parameters = {{"method", run.document.value("method", "")}};
  for (const char* key : {"space", "seed", "reference", "threshold", "top_k"}) {
    if (run.document.contains(key)) execution.parameters[key] = run.document[key];
  }
  execution.inputs.push_back({data_id, "data"});
  if (model_id >= 0) execution.inputs.push_back({model_id, "model"});
  for (const auto& input : extra_inputs) execution.inputs.push_back(input);
  for (const auto& [path, role] : run.outputs) {
    PROBITY_ASSIGN_OR_RETURN(int64_t id,
                             RecordArtifact(session, path, ArtifactKind::kReport, "", keep_copies));
    execution.outputs.push_back({id, role});
  }
  const std::string name =
      run.document.value("schema", "") == "probity.explain.reasons/1" ? "reasons.json"
                                                                      : "explanation.json";
  PROBITY_ASSIGN_OR_RETURN(int64_t doc, RecordBytes(session, DumpJson(run.document), name,
                                                    ArtifactKind::kReport, "application/json"));
  execution.outputs.push_back({doc, "report"});
  PROBITY_ASSIGN_OR_RETURN(int64_t execution_id, RecordExecution(session, execution));
  if (model_id >= 0) {
    PROBITY_ASSIGN_OR_RETURN(nlohmann::json doc_record, session.store->Get(doc));
    nlohmann::json predicate = {
        {"dataset", {{"name", data_name}, {"digest", run.data_digest.ToString()}}},
        {"report", {{"name", name}, {"digest", doc_record["digest"]}}},
        {"method", run.document.value("method", "")},
        {"lineage_execution_id", execution_id}};
    if (run.document.contains("space")) predicate["space"] = run.document["space"];
    PROBITY_ASSIGN_OR_RETURN(
        nlohmann::json statement,
        lineage::ResultStatement(*session.store, model_id, lineage::kExplanationPredicateType,
                                 std::move(predicate)));
    PROBITY_ASSIGN_OR_RETURN(lineage::LineageStore::Batch * batch, session.Batch());
    PROBITY_RETURN_IF_ERROR(lineage::RecordAttestation(*batch, *session.signer, statement).status());
  }
  return execution_id;
}

Status RecordExplanation(const std::string& model_path, const std::string& data_path,
                         const ExplainRun& run, const std::string& step,
                         const GlobalOptions& global) {
  PROBITY_ASSIGN_OR_RETURN(RecordingSession session, OpenRecordingSession(global));
  PROBITY_ASSIGN_OR_RETURN(int64_t data,
                           RecordArtifact(session, data_path, ArtifactKind::kDataset, "", false));
  int64_t model_id = -1;
  if (!model_path.empty()) {
    PROBITY_ASSIGN_OR_RETURN(model_id, RecordArtifact(session, model_path, ArtifactKind::kModel,
                                                      "", false));
  }
  PROBITY_ASSIGN_OR_RETURN(int64_t execution_id,
                           RecordExplanationStep(session, model_id, data, data_path, run, step, {},
                                                 false));
  PROBITY_RETURN_IF_ERROR(session.Commit().status());
  if (!global.quiet && !global.json) {
    std::cerr << "recorded in " << session.workspace.root << " (execution " << execution_id
              << ")\n";
  }
  return OkStatus();
}

}  // namespace probity::cli
