// `probity predict --model MODEL --data DATA --out preds.csv`: scores a dataset with a
// model, streaming batch by batch, and writes one CSV row per input row in input order
// (docs/formats/predictions.md). With --label it also reports accuracy (classifiers) or
// MAE/RMSE (regression) against a column of the data.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <iostream>
#include <map>

#include "audit/cli/command.h"
#include "audit/cli/model_options.h"
#include "audit/cli/progress.h"
#include "audit/core/file_system.h"
#include "audit/core/json_output.h"
#include "audit/core/status.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/models/feature_binding.h"

namespace probity::cli {
namespace {

struct PredictArgs {
  ModelArgs model;
  DatasetArgs data;
  std::string out;
  std::vector<std::string> keep;       // input columns copied to the output first
  std::string label;                   // column to score the predictions against
  std::vector<std::string> label_map;  // VALUE=CLASS pairs
  bool with_outputs = false;           // the model's own output fields
  bool with_margin = false;
};

// How well the predictions match the label column, accumulated over batches.
struct LabelScore {
  int64_t rows = 0;                          // rows with a label and a prediction
  int64_t correct = 0;                       // classifiers
  double abs_error = 0, squared_error = 0;   // regression
  std::map<std::string, int64_t> unmatched;  // label values that name no class
};

struct ScoredBatch {
  std::string csv;
  int64_t rows = 0;
  LabelScore score;
  // What the header needs to know: the shape of this batch's predictions.
  bool has_probabilities = false;
  int margin_width = 0;
  std::vector<std::string> extra_names;
};

void AppendCell(std::string& out, std::string_view text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void AppendNumber(std::string& out, double v) {
  if (std::isnan(v)) return;  // missing: empty cell
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  out.append(buffer, end);
}

std::string HeaderLine(const std::vector<std::string>& names) {
  std::string line;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) line += ',';
    AppendCell(line, names[i]);
  }
  return line + "\n";
}

class PredictionWriter {
 public:
  PredictionWriter(const Model& model, const PredictArgs& args, const Schema& schema)
      : info_(model.info()), args_(args) {
    for (const auto& pair : args.label_map) {
      const size_t eq = pair.find('=');
      label_map_[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    for (const std::string& name : args.keep) keep_.push_back(*schema.IndexOf(name));
    if (!args.label.empty()) label_ = *schema.IndexOf(args.label);
  }

  std::vector<std::string> Header(const ScoredBatch& first) const {
    std::vector<std::string> names = args_.keep;
    for (const std::string& n : PredictionColumnNames(info_, first.has_probabilities)) {
      names.push_back(n);
    }
    if (args_.with_margin) {
      for (int k = 0; k < first.margin_width; ++k) {
        names.push_back(first.margin_width == 1 ? "margin" : fmt::format("margin({})", k));
      }
    }
    if (args_.with_outputs)
      names.insert(names.end(), first.extra_names.begin(), first.extra_names.end());
    return names;
  }

  Result<ScoredBatch> Score(const RowBatch& batch, const Model& model) const {
    PROBITY_ASSIGN_OR_RETURN(Predictions p, model.Predict(batch.rows));
    ScoredBatch out;
    out.rows = p.rows;
    out.has_probabilities = !p.probabilities.empty();
    out.margin_width = p.margin_width;
    for (const auto& [name, column] : p.extra) out.extra_names.push_back(name);
    const bool classifier = info_.task != ModelTask::kRegression;
    const size_t classes = info_.classes.size();
    std::string& csv = out.csv;
    csv.reserve(static_cast<size_t>(p.rows) * 24);
    for (int64_t r = 0; r < p.rows; ++r) {
      bool first = true;
      auto separator = [&] {
        if (!first) csv += ',';
        first = false;
      };
      for (size_t column : keep_) {
        separator();
        AppendCell(csv, models::CellText(batch.rows.column(column), r));
      }
      if (classifier) {
        separator();
        const int32_t label = p.labels[static_cast<size_t>(r)];
        if (label >= 0 && static_cast<size_t>(label) < classes) {
          AppendCell(csv, info_.classes[static_cast<size_t>(label)]);
        }
        if (!p.probabilities.empty()) {
          for (size_t k = 0; k < classes; ++k) {
            separator();
            AppendNumber(csv, p.Probability(r, k));
          }
        }
      } else {
        for (int k = 0; k < info_.num_targets; ++k) {
          separator();
          AppendNumber(csv, p.Value(r, k));
        }
      }
      if (args_.with_margin) {
        for (int k = 0; k < p.margin_width; ++k) {
          separator();
          AppendNumber(csv, p.margins[static_cast<size_t>(r * p.margin_width + k)]);
        }
      }
      if (args_.with_outputs) {
        for (const auto& [name, column] : p.extra) {
          separator();
          AppendCell(csv, models::CellText(column, r));
        }
      }
      csv += '\n';
      if (label_) ScoreRow(batch.rows.column(*label_), r, p, out.score);
    }
    return out;
  }

 private:
  void ScoreRow(const Column& label_column, int64_t r, const Predictions& p,
                LabelScore& score) const {
    if (!label_column.IsValid(r)) return;
    if (info_.task == ModelTask::kRegression) {
      const double predicted = p.Value(r);
      if (std::isnan(predicted)) return;
      const double truth = label_column.NumberAt(r);
      ++score.rows;
      score.abs_error += std::fabs(predicted - truth);
      score.squared_error += (predicted - truth) * (predicted - truth);
      return;
    }
    const int32_t label = p.labels[static_cast<size_t>(r)];
    if (label < 0) return;
    std::string truth = models::CellText(label_column, r);
    if (auto it = label_map_.find(truth); it != label_map_.end()) truth = it->second;
    bool known = false;
    for (const std::string& c : info_.classes) known = known || c == truth;
    if (!known) {
      if (score.unmatched.size() < 8) ++score.unmatched[truth];
      return;
    }
    ++score.rows;
    score.correct += info_.classes[static_cast<size_t>(label)] == truth;
  }

  const ModelInfo& info_;
  const PredictArgs& args_;
  std::map<std::string, std::string> label_map_;
  std::vector<size_t> keep_;
  std::optional<size_t> label_;
};

Status CheckColumns(const PredictArgs& args, const Schema& schema, const std::string& path) {
  std::vector<std::string> wanted = args.keep;
  if (!args.label.empty()) wanted.push_back(args.label);
  for (const std::string& name : wanted) {
    if (!schema.IndexOf(name)) {
      return InvalidArgumentError(path + " has no column \"" + name + "\"")
          .Expecting("a column of the data for --keep/--label");
    }
  }
  for (const std::string& pair : args.label_map) {
    if (pair.find('=') == std::string::npos) {
      return InvalidArgumentError("--label-map \"" + pair + "\"").Expecting("VALUE=CLASS");
    }
  }
  return OkStatus();
}

Result<Verdict> RunPredict(const PredictArgs& args, const GlobalOptions& global) {
  if (args.model.path.empty()) {
    return InvalidArgumentError("no model given").Expecting("--model FILE");
  }
  if (global.json && (args.out.empty() || args.out == "-")) {
    return InvalidArgumentError("--json writes the summary to stdout")
        .Expecting("--out FILE for the predictions");
  }
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, LoadModelFromArgs(args.model));
  PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec spec, BuildDatasetSpec(args.data));
  if (!spec.schema) spec.type_hints = models::InputTypeHints(model->info());
  ingest::ScanOptions options = BuildScanOptions(args.data, global);
  ProgressBar bar("scoring " + args.data.path, ProgressBar::ShouldShow(global.quiet));
  options.progress = [&bar](int64_t done, int64_t total) { bar.Update(done, total); };
  PROBITY_ASSIGN_OR_RETURN(
      auto reader, ingest::DatasetReader::Open(LocalFileSystem(), args.data.path, spec, options));
  PROBITY_RETURN_IF_ERROR(CheckColumns(args, reader->schema(), args.data.path));

  const bool to_stdout = args.out.empty() || args.out == "-";
  std::unique_ptr<OutputFile> file;
  if (!to_stdout) {
    PROBITY_ASSIGN_OR_RETURN(file, LocalFileSystem().CreateAtomically(args.out));
  }
  auto emit = [&](std::string_view text) -> Status {
    if (file) return file->Append(text);
    std::cout << text;
    return OkStatus();
  };
  PredictionWriter writer(*model, args, reader->schema());
  LabelScore total;
  int64_t rows = 0;
  bool header_written = false;
  std::vector<std::string> header;
  Status scanned = ingest::ScanDataset<ScoredBatch>(
      *reader, [&](const RowBatch& batch) { return writer.Score(batch, *model); },
      [&](RowBatch&& batch, ScoredBatch&& scored) -> Status {
        (void)batch;
        if (!header_written) {
          header = writer.Header(scored);
          PROBITY_RETURN_IF_ERROR(emit(HeaderLine(header)));
          header_written = true;
        }
        rows += scored.rows;
        total.rows += scored.score.rows;
        total.correct += scored.score.correct;
        total.abs_error += scored.score.abs_error;
        total.squared_error += scored.score.squared_error;
        for (const auto& [value, n] : scored.score.unmatched) total.unmatched[value] += n;
        return emit(scored.csv);
      });
  bar.Finish();
  PROBITY_RETURN_IF_ERROR(scanned);
  if (!header_written) {  // no rows: the header alone, assuming probabilities
    ScoredBatch none;
    none.has_probabilities = true;
    header = writer.Header(none);
    PROBITY_RETURN_IF_ERROR(emit(HeaderLine(header)));
  }
  if (file) PROBITY_RETURN_IF_ERROR(file->Commit());
  std::cout << std::flush;

  const ModelInfo& info = model->info();
  const bool classifier = info.task != ModelTask::kRegression;
  if (!args.label.empty() && total.rows == 0 && !total.unmatched.empty()) {
    std::string seen;
    for (const auto& [value, n] : total.unmatched) seen += (seen.empty() ? "" : ", ") + value;
    Warn(global, "no value of label column \"" + args.label + "\" (" + seen +
                     ") is a class of the model (" +
                     fmt::format("{}", fmt::join(info.classes, ", ")) +
                     "); map them with --label-map VALUE=CLASS");
  }
  if (global.json) {
    nlohmann::ordered_json doc = MachineDocument("probity.predict/1");
    doc["model"] = {
        {"path", args.model.path}, {"format", info.format}, {"digest", info.digest.ToString()}};
    doc["data"] = {
        {"path", args.data.path}, {"digest", reader->summary().digest.ToString()}, {"rows", rows}};
    doc["out"] = {{"path", args.out}, {"columns", header}};
    doc["task"] = ModelTaskName(info.task);
    if (!args.label.empty()) {
      nlohmann::ordered_json score;
      score["label"] = args.label;
      score["rows"] = total.rows;
      if (classifier) {
        if (total.rows > 0) {
          score["accuracy"] =
              JsonNumber(static_cast<double>(total.correct) / static_cast<double>(total.rows));
        } else {
          SetUndefined(score, "accuracy", "no row has a label that names a class of the model");
        }
      } else if (total.rows > 0) {
        score["mae"] = JsonNumber(total.abs_error / static_cast<double>(total.rows));
        score["rmse"] =
            JsonNumber(std::sqrt(total.squared_error / static_cast<double>(total.rows)));
      } else {
        SetUndefined(score, "mae", "no row has both a label and a prediction");
        SetUndefined(score, "rmse", "no row has both a label and a prediction");
      }
      doc["score"] = std::move(score);
    }
    std::cout << DumpJson(doc) << std::flush;
  } else if (!to_stdout && !global.quiet) {
    std::string line = fmt::format("scored {} rows with {} ({}) → {}", rows, args.model.path,
                                   info.format, args.out);
    if (!args.label.empty() && total.rows > 0) {
      line +=
          classifier
              ? fmt::format("; accuracy {:.4f} on {} labelled rows",
                            static_cast<double>(total.correct) / static_cast<double>(total.rows),
                            total.rows)
              : fmt::format("; MAE {:.6g}, RMSE {:.6g} on {} labelled rows",
                            total.abs_error / static_cast<double>(total.rows),
                            std::sqrt(total.squared_error / static_cast<double>(total.rows)),
                            total.rows);
    }
    std::cerr << line << "\n";
  }
  return Verdict::kPass;
}

}  // namespace

void AddPredictCommand(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  auto args = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand(
      "predict",
      "Score a dataset with a model; one output row per input row, in input order: "
      "`prediction` and, for classifiers, `probability(<class>)` per class");
  AddModelOptions(cmd, &args->model, /*positional=*/false);
  AddDatasetOptions(cmd, &args->data, "--data");
  cmd->add_option("--out", args->out, "Write the predictions CSV here (default: stdout)");
  cmd->add_option("--keep", args->keep, "Copy this input column to the output first (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--label", args->label,
                  "Compare predictions with this column: accuracy, or MAE and RMSE");
  cmd->add_option("--label-map", args->label_map,
                  "VALUE=CLASS: read label VALUE as the model's CLASS (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--with-outputs", args->with_outputs,
                "Also write the model's own output fields (PMML OutputField values)");
  cmd->add_flag("--with-margin", args->with_margin,
                "Also write the raw margin (before the link function) where the model has one");
  cmd->footer(
      "Examples:\n"
      "  probity predict --model examples/models/german_credit_xgboost.json \\\n"
      "      --data examples/data/german_credit.csv --out preds.csv\n"
      "  probity predict --model model.pmml --data audit.csv --keep id --label Adjusted --json "
      "--out p.csv");
  cmd->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> { return RunPredict(*args, global); };
  });
}

}  // namespace probity::cli
