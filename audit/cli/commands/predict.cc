// `probity predict --model MODEL --data DATA --out preds.csv`: scores a dataset with a
// model, streaming batch by batch, and writes one CSV row per input row in input order
// (docs/formats/predictions.md). With --label it also reports accuracy (classifiers) or
// MAE/RMSE (regression) against a column of the data.
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "audit/cli/command.h"
#include "audit/cli/model_options.h"
#include "audit/cli/scoring.h"
#include "audit/core/json_output.h"
#include "audit/core/status.h"

namespace probity::cli {
namespace {

struct PredictArgs {
  ModelArgs model;
  ScoreRequest request;
};

Result<Verdict> RunPredict(const PredictArgs& args, const GlobalOptions& global) {
  const ScoreRequest& request = args.request;
  const bool to_stdout = request.out.empty() || request.out == "-";
  if (global.json && to_stdout) {
    return InvalidArgumentError("--json writes the summary to stdout")
        .Expecting("--out FILE for the predictions");
  }
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, LoadModelFromArgs(args.model));
  PROBITY_ASSIGN_OR_RETURN(ScoreResult result, ScoreDataset(*model, request, global));
  const LabelScore& total = result.score;
  const int64_t rows = result.rows;

  const ModelInfo& info = model->info();
  const bool classifier = info.task != ModelTask::kRegression;
  if (!request.label.empty() && total.rows == 0 && !total.unmatched.empty()) {
    std::string seen;
    for (const auto& [value, n] : total.unmatched) seen += (seen.empty() ? "" : ", ") + value;
    Warn(global, "no value of label column \"" + request.label + "\" (" + seen +
                     ") is a class of the model (" +
                     fmt::format("{}", fmt::join(info.classes, ", ")) +
                     "); map them with --label-map VALUE=CLASS");
  }
  if (global.json) {
    nlohmann::ordered_json doc = MachineDocument("probity.predict/1");
    doc["model"] = {{"path", args.model.command.empty() ? args.model.path : args.model.command},
                    {"format", info.format},
                    {"digest", info.format == "external" ? std::string() : info.digest.ToString()}};
    doc["data"] = {
        {"path", request.data.path}, {"digest", result.data_digest.ToString()}, {"rows", rows}};
    doc["out"] = {{"path", request.out}, {"columns", result.columns}};
    doc["task"] = ModelTaskName(info.task);
    if (!request.label.empty()) {
      nlohmann::ordered_json score;
      score["label"] = request.label;
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
    std::string line =
        fmt::format("scored {} rows with {} ({}) → {}", rows,
                    args.model.command.empty() ? args.model.path : args.model.command, info.format,
                    request.out);
    if (!request.label.empty() && total.rows > 0) {
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
  AddModelOptions(cmd, &args->model, /*positional=*/false, /*external=*/true);
  AddDatasetOptions(cmd, &args->request.data, "--data");
  cmd->add_option("--out", args->request.out, "Write the predictions CSV here (default: stdout)");
  cmd->add_option("--keep", args->request.keep,
                  "Copy this input column to the output first (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--label", args->request.label,
                  "Compare predictions with this column: accuracy, or MAE and RMSE");
  cmd->add_option("--label-map", args->request.label_map,
                  "VALUE=CLASS: read label VALUE as the model's CLASS (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--with-outputs", args->request.with_outputs,
                "Also write the model's own output fields (PMML OutputField values)");
  cmd->add_flag("--with-margin", args->request.with_margin,
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
