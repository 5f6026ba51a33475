// `probity explain`: explanations of a model's scores on a dataset (docs/explain.md, formats
// in docs/formats/explain.md). Shapley-value methods (tree, interventional, exact, kernel,
// linear) write per-row values as CSV and a JSON document with global summaries; lime,
// permutation, pdp and counterfactual write their own JSON; `explain reasons` gives
// adverse-action reason codes for the rows scored on the unfavourable side of a threshold.
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "audit/cli/command.h"
#include "audit/cli/explaining.h"
#include "audit/cli/model_options.h"
#include "audit/cli/progress.h"
#include "audit/cli/recording.h"
#include "audit/core/file_system.h"
#include "audit/core/json_output.h"
#include "audit/core/status.h"
#include "audit/ingest/models/feature_binding.h"
#include "explain/counterfactual.h"
#include "explain/dataset.h"
#include "explain/lime.h"
#include "explain/pdp.h"
#include "explain/permutation.h"
#include "explain/report.h"
#include "lineage/attest.h"
#include "lineage/intoto.h"

namespace probity::cli {
namespace {

using explain::OutputSpace;
using explain::ShapMethod;

// What the command line says; most options bind straight into the ExplainOptions.
struct ExplainArgs {
  DatasetArgs data;
  ModelArgs model;
  ExplainOptions o;
  std::string rows = "all";
  std::vector<std::string> groups;  // NAME=IN1,IN2
  std::vector<std::string> ranges;  // NAME=MIN,MAX
  std::string out;
  bool no_ice = false;
  std::string desired = "above";
  bool record = false;
};

struct ReasonArgs {
  ExplainArgs base;
  std::string codes;
  double threshold = 0.5;
  std::string unfavourable = "below";
  int top = 4;
  std::string reference = "population";
  int stability_runs = 3;
  std::vector<std::string> protected_features;
};

Result<explain::Players> ParsePlayers(const ModelInfo& info,
                                      const std::vector<std::string>& groups) {
  std::vector<explain::FeatureGroup> parsed;
  for (const std::string& text : groups) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--group \"" + text + "\"")
          .Expecting("NAME=INPUT1,INPUT2,… (the model inputs that play as one feature)");
    }
    parsed.push_back({text.substr(0, eq), SplitCommaList(text.substr(eq + 1))});
  }
  return explain::GroupPlayers(info, parsed);
}

Status WriteText(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    return OkStatus();
  }
  return LocalFileSystem().WriteFileAtomically(path, text);
}

// Adds the options every explain command shares.
void AddCommonOptions(CLI::App* cmd, ExplainArgs* a) {
  AddDatasetOptions(cmd, &a->data, "--data", /*required=*/false);
  AddModelOptions(cmd, &a->model, /*positional=*/false, /*external=*/true);
  cmd->add_option("--output", a->o.output,
                  "The output explained: margin, probability or value (default: the method's)")
      ->check(CLI::IsMember({"margin", "probability", "value"}));
  cmd->add_option("--background", a->o.background,
                  "Reference rows absent features are averaged over (default: a sample of the "
                  "data)");
  cmd->add_option("--background-rows", a->o.background_rows,
                  "Sample this many background rows (100)")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}));
  cmd->add_option("--background-clusters", a->o.background_clusters,
                  "Summarise the background by weighted k-means with this many centres")
      ->check(CLI::Range(1, 100'000));
  cmd->add_option("--rows", a->rows, "Rows to explain: all, or indices and ranges (0,5,10:20)");
  cmd->add_option("--seed", a->o.seed, "Seed of every sampled step (0)");
  cmd->add_option("--group", a->groups,
                  "NAME=IN1,IN2: inputs that play as one feature (repeatable; e.g. one-hot "
                  "columns)")
      ->allow_extra_args(false);
  cmd->add_option("--samples", a->o.samples,
                  "kernel: coalitions per row (0 = 2P+2048); lime: samples per row (5000)");
  cmd->add_option("--class", a->o.class_name, "The class explained (default: the positive class)");
  cmd->add_flag("--record", a->record,
                "Record the model, data, outputs and a signed explanation statement in the "
                "workspace");
}

Result<Verdict> RunExplainCommand(const ExplainArgs& args, const GlobalOptions& global) {
  if (args.data.path.empty()) throw CLI::RequiredError("--data");
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, LoadModelFromArgs(args.model));
  ExplainOptions options = args.o;
  options.model_path = args.model.path.empty() ? args.model.command : args.model.path;
  PROBITY_ASSIGN_OR_RETURN(options.rows, explain::RowSelection::Parse(args.rows));
  PROBITY_ASSIGN_OR_RETURN(options.players, ParsePlayers(model->info(), args.groups));
  options.ice = !args.no_ice;
  options.desired_above = args.desired == "above";
  for (const std::string& text : args.ranges) {
    const size_t eq = text.find('=');
    std::vector<std::string> bounds =
        eq == std::string::npos ? std::vector<std::string>{} : SplitCommaList(text.substr(eq + 1));
    if (bounds.size() != 2) {
      return InvalidArgumentError("--range \"" + text + "\"").Expecting("NAME=MIN,MAX");
    }
    PROBITY_ASSIGN_OR_RETURN(double lo, ParseNumberOption("--range", bounds[0]));
    PROBITY_ASSIGN_OR_RETURN(double hi, ParseNumberOption("--range", bounds[1]));
    options.ranges[text.substr(0, eq)] = {lo, hi};
  }
  PROBITY_ASSIGN_OR_RETURN(ExplainRun run, RunExplain(*model, args.data, options, global));
  if (!args.out.empty() || global.json) {
    PROBITY_RETURN_IF_ERROR(WriteText(args.out.empty() ? "-" : args.out, DumpJson(run.document)));
  }
  if (!global.json) std::cout << run.text;
  if (args.record) {
    PROBITY_RETURN_IF_ERROR(RecordExplanation(args.model.path, args.data.path, run,
                                              "probity explain", global));
  }
  return Verdict::kPass;
}

Result<Verdict> RunReasonsCommand(const ReasonArgs& args, const GlobalOptions& global) {
  if (args.base.data.path.empty()) throw CLI::RequiredError("--data");
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, LoadModelFromArgs(args.base.model));
  ReasonsOptions options;
  options.model_path =
      args.base.model.path.empty() ? args.base.model.command : args.base.model.path;
  const ExplainOptions& common = args.base.o;
  options.method = common.method;
  options.output = common.output;
  options.background = common.background;
  options.background_rows = common.background_rows;
  options.background_clusters = common.background_clusters;
  PROBITY_ASSIGN_OR_RETURN(options.rows, explain::RowSelection::Parse(args.base.rows));
  options.seed = common.seed;
  options.samples = common.samples;
  options.class_name = common.class_name;
  options.codes = args.codes;
  options.threshold = args.threshold;
  options.unfavourable_above = args.unfavourable == "above";
  options.top_k = args.top;
  options.reference = args.reference;
  options.stability_runs = args.stability_runs;
  options.protected_features = args.protected_features;
  options.groups = args.base.groups;
  PROBITY_ASSIGN_OR_RETURN(ReasonsRun run, RunReasons(*model, args.base.data, options, global));
  if (!args.base.o.csv.empty()) {
    PROBITY_RETURN_IF_ERROR(WriteReasonsCsvFile(run.report, args.base.o.csv));
  }
  if (!args.base.out.empty() || global.json) {
    PROBITY_RETURN_IF_ERROR(
        WriteText(args.base.out.empty() ? "-" : args.base.out, DumpJson(run.document)));
  }
  if (!global.json) std::cout << run.text;
  if (args.base.record) {
    ExplainRun as_run;
    as_run.document = run.document;
    as_run.outputs = run.outputs;
    if (!args.base.o.csv.empty() && args.base.o.csv != "-") as_run.outputs.push_back({args.base.o.csv, "reasons"});
    as_run.data_digest = run.data_digest;
    PROBITY_RETURN_IF_ERROR(RecordExplanation(args.base.model.path, args.base.data.path,
                                              as_run, "probity explain reasons", global));
  }
  return Verdict::kPass;
}

}  // namespace

void AddExplainCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  auto args = std::make_shared<ExplainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "explain",
      "Explain a model's scores: exact TreeSHAP and interactions, interventional, exact and "
      "Kernel SHAP, LinearSHAP, LIME, permutation importance, PDP/ICE, counterfactuals, and "
      "adverse-action reason codes (explain reasons)");
  AddCommonOptions(cmd, args.get());
  cmd->add_option("--method", args->o.method,
                  "auto, tree, interventional, exact, kernel, linear, lime, permutation, pdp or "
                  "counterfactual (auto: tree, linear or kernel by model)")
      ->check(CLI::IsMember({"auto", "tree", "interventional", "exact", "kernel", "linear", "lime",
                             "permutation", "pdp", "counterfactual"}));
  cmd->add_option("--csv", args->o.csv, "SHAP methods: write per-row values here (- = stdout)");
  cmd->add_option("--interactions", args->o.interactions,
                  "tree: write SHAP interaction values here (long CSV)");
  cmd->add_option("--out", args->out, "Write the JSON document here (--json: stdout)");
  cmd->add_flag("--json-rows", args->o.json_rows, "SHAP methods: include per-row values in the JSON");
  cmd->add_option("--features", args->o.lime_features,
                  "lime: features per explanation (default: 10, or every feature when fewer)");
  cmd->add_option("--label", args->o.label, "permutation: the true-label column");
  cmd->add_option("--label-map", args->o.label_map,
                  "permutation: VALUE=CLASS, the label's values as the model's class names "
                  "(repeatable or comma-separated)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--metric", args->o.metric,
                  "permutation: accuracy, balanced_accuracy, log_loss, roc_auc, brier, r2, rmse, "
                  "mae or auto");
  cmd->add_option("--repeats", args->o.repeats, "permutation: shuffles per feature (5)")
      ->check(CLI::Range(1, 10'000));
  cmd->add_option("--max-rows", args->o.max_rows,
                  "permutation, pdp: a seeded sample of at most this many rows (10000)")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  cmd->add_option("--feature", args->o.pdp_features, "pdp: a feature to plot (repeatable; all)")
      ->allow_extra_args(false);
  cmd->add_option("--grid", args->o.grid, "pdp: grid points per numeric feature (20)")
      ->check(CLI::Range(2, 10'000));
  cmd->add_option("--pdp-method", args->o.pdp_method, "pdp: auto, brute or recursion")
      ->check(CLI::IsMember({"auto", "brute", "recursion"}));
  cmd->add_flag("--no-ice", args->no_ice, "pdp: average curves only");
  cmd->add_option("--count", args->o.count, "counterfactual: per row (4)")->check(CLI::Range(1, 100));
  cmd->add_option("--immutable", args->o.immutable, "counterfactual: a feature never changed")
      ->allow_extra_args(false);
  cmd->add_option("--range", args->ranges, "counterfactual: NAME=MIN,MAX permitted values")
      ->allow_extra_args(false);
  cmd->add_option("--desired-threshold", args->o.desired_threshold,
                  "counterfactual: the score that counts as the desired outcome (0.5)");
  cmd->add_option("--desired", args->desired,
                  "counterfactual: above or below the desired threshold (above)")
      ->check(CLI::IsMember({"above", "below"}));
  cmd->require_subcommand(0, 1);
  cmd->footer(
      "Examples:\n"
      "  probity explain --model examples/models/german_credit_xgboost.json \\\n"
      "      --data examples/data/german_credit.csv --csv shap.csv --out shap.json\n"
      "  probity explain --model m.json --data d.csv --method kernel --background b.csv \\\n"
      "      --rows 0:10 --seed 7 --csv kernel.csv\n"
      "  probity explain --model m.json --data d.csv --method pdp --feature age --out pdp.json\n"
      "  probity explain reasons --model m.json --data applicants.csv --codes reasons.yaml \\\n"
      "      --threshold 0.5 --csv reasons.csv");
  cmd->callback([args, &global, selected, cmd] {
    if (cmd->get_subcommands().empty()) {
      *selected = [args, &global]() -> Result<Verdict> { return RunExplainCommand(*args, global); };
    }
  });

  auto reasons = std::make_shared<ReasonArgs>();
  CLI::App* r = cmd->add_subcommand(
      "reasons",
      "Adverse-action reason codes: for each row scored on the unfavourable side of a "
      "threshold, the top features against it, mapped through a reason-code table");
  AddCommonOptions(r, &reasons->base);
  r->add_option("--method", reasons->base.o.method,
                "auto, tree, interventional, exact, kernel or linear (auto: by model)")
      ->check(CLI::IsMember({"auto", "tree", "interventional", "exact", "kernel", "linear"}));
  r->add_option("--codes", reasons->codes, "The reason-code table (YAML)")->required();
  r->add_option("--threshold", reasons->threshold, "The decision threshold on the score (0.5)");
  r->add_option("--unfavourable", reasons->unfavourable,
                "Which side of the threshold is unfavourable: below (default: a low probability "
                "of the favourable class) or above")
      ->check(CLI::IsMember({"above", "below"}));
  r->add_option("--top", reasons->top, "Reasons per row (4)");
  r->add_option("--reference", reasons->reference,
                "population (default) or threshold (marginally approved rows)")
      ->check(CLI::IsMember({"population", "threshold"}));
  r->add_option("--stability-runs", reasons->stability_runs,
                "Re-runs with other seeds for sampled methods (3)")
      ->check(CLI::Range(0, 100));
  r->add_option("--protected", reasons->protected_features,
                "A feature never given as a reason (repeatable; adds to the table's)")
      ->allow_extra_args(false);
  r->add_option("--csv", reasons->base.o.csv, "Write the reasons CSV here");
  r->add_option("--out", reasons->base.out, "Write the JSON document here (--json: stdout)");
  r->footer(
      "Example:\n"
      "  probity explain reasons --model examples/models/german_credit_xgboost.json \\\n"
      "      --data examples/data/german_credit.csv \\\n"
      "      --codes examples/explain/german-credit-reasons.yaml --csv reasons.csv");
  r->callback([reasons, &global, selected] {
    *selected = [reasons, &global]() -> Result<Verdict> {
      return RunReasonsCommand(*reasons, global);
    };
  });
}

}  // namespace probity::cli
