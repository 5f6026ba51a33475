// `probity fairness`: bias metrics of a dataset (labels only) or of a model's decisions
// (a model, a prediction column, or a score and a threshold) across facets, with intervals,
// tests and the report as text or JSON (docs/formats/fairness.md); `fairness merge` joins
// shards' partial statistics; `fairness ll144` and `fairness four-fifths` print the legal
// tables; `fairness reweigh` and `fairness thresholds` say what would fix a disparity.
#include <fmt/format.h>

#include <charconv>
#include <iostream>

#include "audit/cli/command.h"
#include "audit/cli/model_options.h"
#include "audit/cli/progress.h"
#include "audit/cli/recording.h"
#include "audit/core/file_system.h"
#include "audit/core/json_output.h"
#include "audit/core/status.h"
#include "fairness/collect.h"
#include "fairness/individual.h"
#include "fairness/legal.h"
#include "fairness/legal_report.h"
#include "fairness/mitigation.h"
#include "fairness/partial.h"
#include "fairness/report.h"
#include "lineage/attest.h"
#include "lineage/intoto.h"

namespace probity::cli {
namespace {

using fairness::FacetSpec;

// What the user says about the data and the decisions (shared by every subcommand).
struct SourceArgs {
  DatasetArgs data;
  ModelArgs model;
  std::string task = "binary";
  std::string label;
  std::vector<std::string> positive;
  std::optional<double> label_threshold;
  std::vector<std::string> classes;
  std::string prediction;
  std::vector<std::string> predicted_positive;
  std::string score;
  std::optional<double> threshold;
  std::vector<std::string> facets;  // COL or COL=V1,V2
  std::vector<std::string> bins;    // COL=E1,E2
  std::string group_variable;
  std::string weight;
};

// How the statistics are turned into a report.
struct ReportArgs {
  bool intersect = false;
  std::string compare = "rest";
  std::vector<std::string> reference;  // COL=VALUE
  std::string metrics = "all";
  std::string ci = "none";
  std::string bootstrap_method = "bca";
  int replicates = 1000;
  uint64_t seed = 0;
  bool stratified = false;
  double confidence = 0.95;
  int64_t min_group_size = 30;
  double ge_alpha = 2;
  double loss_bound = 0;
  bool clarify_compat = false;
  std::string clarify_out;
  std::string out;
  std::vector<std::string> knn_features;
  int64_t knn_rows = 10'000;
  int knn_k = 5;
  std::string knn_scaling = "none";
  bool record = false;
};

struct FairnessArgs {
  SourceArgs source;
  ReportArgs report;
  std::string partial;
};

// --facet COL[=V1,V2] and --bins COL=E1,E2 into facet specs, in --facet order.
Result<std::vector<FacetSpec>> ParseFacets(const SourceArgs& args) {
  std::vector<FacetSpec> facets;
  for (const std::string& text : args.facets) {
    FacetSpec f;
    const size_t eq = text.find('=');
    const size_t gt = text.find('>');
    if (gt != std::string::npos && (eq == std::string::npos || gt < eq)) {
      f.column = text.substr(0, gt);
      PROBITY_ASSIGN_OR_RETURN(double t, ParseNumberOption("--facet", text.substr(gt + 1)));
      f.edges = {t};
    } else {
      f.column = text.substr(0, eq);
      if (eq != std::string::npos) f.sensitive = SplitCommaList(text.substr(eq + 1));
    }
    if (f.column.empty()) {
      return InvalidArgumentError("--facet \"" + text + "\" names no column")
          .Expecting("COLUMN, COLUMN=VALUE[,VALUE…] or COLUMN>THRESHOLD");
    }
    for (const FacetSpec& other : facets) {
      if (other.column == f.column) {
        return InvalidArgumentError("--facet " + f.column + " is given twice")
            .Expecting("each facet column once (list several values after =)");
      }
    }
    facets.push_back(std::move(f));
  }
  for (const std::string& text : args.bins) {
    const size_t eq = text.find('=');
    const std::string column = text.substr(0, eq);
    auto it = std::find_if(facets.begin(), facets.end(),
                           [&](const FacetSpec& f) { return f.column == column; });
    if (eq == std::string::npos || it == facets.end()) {
      return InvalidArgumentError("--bins \"" + text + "\" names no --facet column")
          .Expecting("--bins COLUMN=E1,E2,… for a column also given with --facet");
    }
    it->edges.clear();
    for (const std::string& e : SplitCommaList(text.substr(eq + 1))) {
      PROBITY_ASSIGN_OR_RETURN(double v, ParseNumberOption("--bins", e));
      it->edges.push_back(v);
    }
  }
  return facets;
}

Result<fairness::Task> ParseTask(const std::string& task) {
  if (task == "binary") return fairness::Task::kBinary;
  if (task == "multiclass") return fairness::Task::kMulticlass;
  if (task == "regression") return fairness::Task::kRegression;
  return InvalidArgumentError("--task " + task).Expecting("binary, multiclass or regression");
}

// The collection spec; `model` receives the loaded model (kept alive by the caller).
Result<fairness::CollectSpec> BuildCollectSpec(const SourceArgs& args,
                                               std::unique_ptr<Model>& model) {
  fairness::CollectSpec spec;
  PROBITY_ASSIGN_OR_RETURN(spec.task, ParseTask(args.task));
  spec.label = args.label;
  spec.favourable = args.positive;
  spec.label_threshold = args.label_threshold;
  spec.classes = args.classes;
  const int sources = !args.model.path.empty() + !args.model.command.empty() +
                      !args.prediction.empty() +
                      (!args.score.empty() && args.threshold.has_value() &&
                       args.model.path.empty() && args.prediction.empty());
  if (sources > 1) {
    return InvalidArgumentError("more than one source of predictions was given")
        .Expecting("one of --model, --model-command, --prediction, or --score with --threshold");
  }
  if (!args.model.path.empty() || !args.model.command.empty()) {
    PROBITY_ASSIGN_OR_RETURN(model, LoadModelFromArgs(args.model));
    spec.prediction = fairness::PredictionKind::kModel;
    spec.model = model.get();
    if (spec.task == fairness::Task::kMulticlass && spec.classes.empty()) {
      spec.classes = model->info().classes;
    }
  } else if (!args.prediction.empty()) {
    spec.prediction = fairness::PredictionKind::kColumn;
    spec.prediction_column = args.prediction;
  } else if (!args.score.empty() && args.threshold) {
    spec.prediction = fairness::PredictionKind::kScore;
  }
  spec.predicted_favourable = args.predicted_positive;
  spec.score_column = args.score;
  spec.threshold = args.threshold;
  if (spec.task == fairness::Task::kBinary && spec.favourable.empty() && !spec.label_threshold &&
      !spec.label.empty()) {
    spec.favourable = {"1", "true"};
  }
  PROBITY_ASSIGN_OR_RETURN(spec.facets, ParseFacets(args));
  spec.group_variable = args.group_variable;
  spec.weight = args.weight;
  return spec;
}

struct CollectedRun {
  fairness::Collected collected;
  fairness::CollectSpec spec;
  std::unique_ptr<Model> model;
};

Result<CollectedRun> CollectFromArgs(const SourceArgs& args, const GlobalOptions& global,
                                     const ReportArgs* report) {
  CollectedRun run;
  PROBITY_ASSIGN_OR_RETURN(run.spec, BuildCollectSpec(args, run.model));
  if (report && !report->knn_features.empty()) {
    for (const std::string& f : report->knn_features) {
      for (const std::string& c : SplitCommaList(f)) run.spec.sample_features.push_back(c);
    }
    run.spec.sample_rows = report->knn_rows;
    run.spec.sample_seed = report->seed;
  }
  PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec dataset, BuildDatasetSpec(args.data));
  ingest::ScanOptions options = BuildScanOptions(args.data, global);
  ProgressBar bar("fairness " + args.data.path, ProgressBar::ShouldShow(global.quiet));
  options.progress = [&bar](int64_t done, int64_t total) { bar.Update(done, total); };
  PROBITY_ASSIGN_OR_RETURN(auto reader, ingest::DatasetReader::Open(
                                            LocalFileSystem(), args.data.path, dataset, options));
  Result<fairness::Collected> collected = fairness::CollectStatistics(*reader, run.spec);
  bar.Finish();
  if (!collected.has_value()) return collected.error();
  run.collected = std::move(collected).value();
  if (run.collected.scan.skipped_rows > 0) {
    Warn(global, "skipped " + std::to_string(run.collected.scan.skipped_rows) +
                     " bad rows (--on-bad-row=skip)");
  }
  return run;
}

Result<fairness::AnalysisOptions> BuildAnalysisOptions(const ReportArgs& args,
                                                       std::vector<FacetSpec> facets) {
  fairness::AnalysisOptions o;
  o.facets = std::move(facets);
  o.intersect = args.intersect;
  o.compare = args.compare == "reference"       ? fairness::CompareMode::kReference
              : args.compare == "most-favoured" ? fairness::CompareMode::kMostFavoured
                                                : fairness::CompareMode::kRest;
  for (const std::string& r : args.reference) {
    const size_t eq = r.find('=');
    if (eq == std::string::npos) {
      return InvalidArgumentError("--reference \"" + r + "\"").Expecting("COLUMN=VALUE");
    }
    o.reference[r.substr(0, eq)] = r.substr(eq + 1);
  }
  if (!args.reference.empty() && args.compare == "rest")
    o.compare = fairness::CompareMode::kReference;
  if (args.metrics != "all") o.metric_names = SplitCommaList(args.metrics);
  o.min_group_size = args.min_group_size;
  o.metrics.clarify_compat = args.clarify_compat;
  o.metrics.ge_alpha = args.ge_alpha;
  o.metrics.bounded_group_loss = args.loss_bound;
  o.metrics.confidence = args.confidence;
  if (!(args.confidence > 0 && args.confidence < 1)) {
    return InvalidArgumentError(fmt::format("--confidence {}", args.confidence))
        .Expecting("a level strictly between 0 and 1, e.g. 0.95");
  }
  if (args.ci == "wilson") o.metrics.intervals = fairness::IntervalMethod::kWilson;
  if (args.ci == "clopper-pearson") o.metrics.intervals = fairness::IntervalMethod::kClopperPearson;
  if (args.ci == "jeffreys") o.metrics.intervals = fairness::IntervalMethod::kJeffreys;
  if (args.ci == "bootstrap") {
    o.metrics.intervals = fairness::IntervalMethod::kWilson;  // rates keep Wilson
    o.bootstrap = fairness::BootstrapOptions{.replicates = args.replicates,
                                             .seed = args.seed,
                                             .confidence = args.confidence,
                                             .stratified = args.stratified};
    o.bootstrap_method = args.bootstrap_method == "percentile"
                             ? fairness::BootstrapMethod::kPercentile
                             : fairness::BootstrapMethod::kBca;
  }
  return o;
}

// The kNN metrics on the row sample, per facet comparison with a single sensitive group.
void AddIndividualMetrics(const ReportArgs& args, const fairness::Collected& collected,
                          fairness::FairnessReport& report, const GlobalOptions& global) {
  const fairness::RowSample& sample = collected.sample;
  if (sample.features.rows == 0) return;
  fairness::KnnOptions knn;
  knn.k = args.knn_k;
  knn.threads = global.threads;
  knn.scaling = args.knn_scaling == "standardize" ? fairness::Scaling::kStandardize
                : args.knn_scaling == "minmax"    ? fairness::Scaling::kMinMax
                                                  : fairness::Scaling::kNone;
  const std::string note =
      sample.rows_seen > sample.features.rows
          ? fmt::format(" (on a seeded sample of {} of {} rows)", sample.features.rows,
                        sample.rows_seen)
          : fmt::format(" (on all {} rows with every feature present)", sample.features.rows);
  const std::vector<uint8_t>& outcomes =
      sample.predictions.empty() ? sample.labels : sample.predictions;
  if (Result<fairness::MetricResult> c = fairness::Consistency(sample.features, outcomes, knn);
      c.has_value()) {
    c->description += note;
    report.dataset_metrics.push_back(std::move(c).value());
  } else {
    report.warnings.push_back("consistency: " + c.error().ToString());
  }
  if (sample.predictions.empty()) return;
  for (size_t f = 0; f < report.facets.size() && f < sample.levels.size(); ++f) {
    fairness::FacetReport& facet = report.facets[f];
    for (fairness::ComparisonReport& comparison : facet.comparisons) {
      if (comparison.a != "rest") continue;
      std::vector<uint8_t> in_d(static_cast<size_t>(sample.features.rows), 0);
      const std::vector<std::string> d_levels = SplitCommaList(comparison.d);
      for (size_t r = 0; r < in_d.size(); ++r) {
        const std::string& level =
            collected.statistics.levels()[f][static_cast<size_t>(sample.levels[f][r])];
        in_d[r] = std::find(d_levels.begin(), d_levels.end(), level) != d_levels.end();
      }
      Result<fairness::MetricResult> ft =
          fairness::FlipTest(sample.features, sample.predictions, in_d, knn);
      if (ft.has_value()) {
        ft->description += note;
        ft->reference_group = comparison.a;
        comparison.metrics.push_back(std::move(ft).value());
      } else {
        report.warnings.push_back("FT for " + comparison.d + ": " + ft.error().ToString());
      }
    }
  }
}

// Records the run in the workspace: data, model, report, the execution, and (with a model)
// a signed fairness statement about the model's digest.
Status RecordFairness(const SourceArgs& source, const Model* model,
                      const nlohmann::ordered_json& doc, const GlobalOptions& global) {
  PROBITY_ASSIGN_OR_RETURN(RecordingSession session, OpenRecordingSession(global));
  PROBITY_ASSIGN_OR_RETURN(
      int64_t data, RecordArtifact(session, source.data.path, ArtifactKind::kDataset, "", false));
  ExecutionRecord run;
  run.name = "probity fairness";
  run.parameters = {{"label", source.label},
                    {"facets", source.facets},
                    {"task", source.task},
                    {"prediction", doc["prediction"]}};
  run.inputs.push_back({data, "data"});
  std::optional<int64_t> model_id;
  if (model && !source.model.path.empty()) {
    PROBITY_ASSIGN_OR_RETURN(
        int64_t m, RecordArtifact(session, source.model.path, ArtifactKind::kModel, "", false));
    model_id = m;
    run.inputs.push_back({m, "model"});
  }
  const std::string text = DumpJson(doc);
  PROBITY_ASSIGN_OR_RETURN(int64_t report, RecordBytes(session, text, "fairness.json",
                                                       ArtifactKind::kReport, "application/json"));
  run.outputs.push_back({report, "report"});
  PROBITY_ASSIGN_OR_RETURN(int64_t execution, RecordExecution(session, run));
  if (model_id) {
    PROBITY_ASSIGN_OR_RETURN(nlohmann::json data_record, session.store->Get(data));
    PROBITY_ASSIGN_OR_RETURN(nlohmann::json report_record, session.store->Get(report));
    nlohmann::json predicate = {
        {"dataset", {{"name", source.data.path}, {"digest", data_record["digest"]}}},
        {"report", {{"name", "fairness.json"}, {"digest", report_record["digest"]}}},
        {"label", source.label},
        {"facets", source.facets},
        {"lineage_execution_id", execution}};
    PROBITY_ASSIGN_OR_RETURN(
        nlohmann::json statement,
        lineage::ResultStatement(*session.store, *model_id, lineage::kFairnessPredicateType,
                                 std::move(predicate)));
    PROBITY_ASSIGN_OR_RETURN(lineage::LineageStore::Batch * batch, session.Batch());
    PROBITY_RETURN_IF_ERROR(
        lineage::RecordAttestation(*batch, *session.signer, statement).status());
  }
  PROBITY_RETURN_IF_ERROR(session.Commit().status());
  if (!global.quiet && !global.json) {
    std::cerr << "recorded in " << session.workspace.root << " (execution " << execution << ")\n";
  }
  return OkStatus();
}

// The "data" block of every fairness document: the file, its digest and its rows.
nlohmann::ordered_json DataBlock(const std::string& path, const ingest::ScanSummary& scan) {
  return {{"path", path}, {"digest", scan.digest.ToString()}, {"rows", scan.rows}};
}

Status WriteOutput(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    return OkStatus();
  }
  return LocalFileSystem().WriteFileAtomically(path, text);
}

// Analysis, output and recording shared by `fairness` and `fairness merge`.
Result<Verdict> Report(const fairness::FairnessStatistics& statistics,
                       const fairness::Collected* collected, const SourceArgs& source,
                       const ReportArgs& args, const Model* model, const GlobalOptions& global,
                       nlohmann::ordered_json data_block) {
  PROBITY_ASSIGN_OR_RETURN(std::vector<FacetSpec> facets, ParseFacets(source));
  PROBITY_ASSIGN_OR_RETURN(fairness::AnalysisOptions options,
                           BuildAnalysisOptions(args, std::move(facets)));
  PROBITY_ASSIGN_OR_RETURN(fairness::FairnessReport report, fairness::Analyze(statistics, options));
  if (collected) AddIndividualMetrics(args, *collected, report, global);
  nlohmann::ordered_json doc = fairness::ReportToJson(report);
  nlohmann::ordered_json ordered = MachineDocument("probity.fairness/1");
  ordered["data"] = std::move(data_block);
  ordered["model"] = model ? nlohmann::ordered_json{{"path", source.model.path},
                                                    {"format", model->info().format},
                                                    {"digest", model->info().digest.ToString()}}
                           : nlohmann::ordered_json();
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (!ordered.contains(it.key())) ordered[it.key()] = it.value();
  }
  if (!args.clarify_out.empty()) {
    PROBITY_RETURN_IF_ERROR(
        WriteOutput(args.clarify_out, DumpJson(fairness::ClarifyAnalysisJson(report))));
  }
  if (global.json) {
    PROBITY_RETURN_IF_ERROR(WriteOutput(args.out, DumpJson(ordered)));
  } else {
    if (!args.out.empty()) PROBITY_RETURN_IF_ERROR(WriteOutput(args.out, DumpJson(ordered)));
    std::cout << fairness::RenderText(report) << std::flush;
  }
  if (args.record) PROBITY_RETURN_IF_ERROR(RecordFairness(source, model, ordered, global));
  return Verdict::kPass;
}

Result<Verdict> RunFairness(const FairnessArgs& args, const GlobalOptions& global) {
  if (args.source.label.empty()) {
    return InvalidArgumentError("no label column").Expecting("--label COLUMN");
  }
  if (args.source.facets.empty()) {
    return InvalidArgumentError("no facet").Expecting("--facet COLUMN (repeatable)");
  }
  PROBITY_ASSIGN_OR_RETURN(CollectedRun run, CollectFromArgs(args.source, global, &args.report));
  if (!args.partial.empty()) {
    PROBITY_RETURN_IF_ERROR(
        fairness::WritePartial(LocalFileSystem(), args.partial, run.collected.statistics));
    if (!global.quiet) {
      std::cerr << fmt::format("wrote partial statistics of {} rows ({} cells) to {}\n",
                               run.collected.statistics.row_counts().read,
                               run.collected.statistics.cells().size(), args.partial);
    }
    return Verdict::kPass;
  }
  nlohmann::ordered_json data = DataBlock(args.source.data.path, run.collected.scan);
  return Report(run.collected.statistics, &run.collected, args.source, args.report, run.model.get(),
                global, std::move(data));
}

Result<Verdict> RunMerge(const std::vector<std::string>& parts, const SourceArgs& source,
                         const ReportArgs& report, const std::string& out_partial,
                         const GlobalOptions& global) {
  if (parts.empty()) return InvalidArgumentError("no partial statistics").Expecting("PARTS…");
  PROBITY_ASSIGN_OR_RETURN(fairness::FairnessStatistics total,
                           fairness::ReadPartial(LocalFileSystem(), parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    PROBITY_ASSIGN_OR_RETURN(fairness::FairnessStatistics next,
                             fairness::ReadPartial(LocalFileSystem(), parts[i]));
    Status merged = total.Merge(next);
    if (!merged.ok()) {
      return InvalidArgumentError(parts[i] + ": " + merged.message()).Expecting(merged.expected());
    }
  }
  if (!out_partial.empty()) {
    PROBITY_RETURN_IF_ERROR(fairness::WritePartial(LocalFileSystem(), out_partial, total));
    return Verdict::kPass;
  }
  // The facets' sensitive values and bins come from the command line; their columns must be
  // the partials' facets.
  SourceArgs facets = source;
  if (facets.facets.empty()) facets.facets = total.layout().facets;
  std::vector<std::string> columns;
  PROBITY_ASSIGN_OR_RETURN(std::vector<FacetSpec> specs, ParseFacets(facets));
  for (const FacetSpec& f : specs) columns.push_back(f.column);
  if (columns != total.layout().facets) {
    return InvalidArgumentError(fmt::format("--facet names {} but the partial statistics have {}",
                                            fmt::join(columns, ", "),
                                            fmt::join(total.layout().facets, ", ")))
        .Expecting("the --facet options the shards were collected with (or none)");
  }
  nlohmann::ordered_json data = {{"partials", parts}, {"rows", total.row_counts().read}};
  return Report(total, nullptr, facets, report, nullptr, global, std::move(data));
}

// ---- Legal tables -------------------------------------------------------------------------

struct LegalArgs {
  SourceArgs source;
  std::string selected;  // column
  std::vector<std::string> selected_value;
  std::string sex, race;             // LL144 families
  std::vector<std::string> unknown;  // values meaning "unknown category"
  bool exclude_small = false;
  bool share_includes_unknown = false;
  double threshold = 0.8, alpha = 0.05;
  std::string out;
};

// The decisions the legal tables count: a --selected column (read as a label), or the
// predictions of --model / --prediction / --score with --threshold.
Result<SourceArgs> LegalSource(const LegalArgs& args, std::vector<std::string> facets) {
  SourceArgs source = args.source;
  source.facets = std::move(facets);
  source.label = args.selected;
  if (!args.selected.empty()) source.positive = args.selected_value;
  const bool decisions = !args.selected.empty() || !source.model.path.empty() ||
                         !source.model.command.empty() || !source.prediction.empty() ||
                         (!source.score.empty() && source.threshold);
  if (!decisions && source.score.empty()) {
    return InvalidArgumentError("no selection decision was given")
        .Expecting("--selected COLUMN [--selected-value V], --model, --prediction, or --score");
  }
  return source;
}

Result<Verdict> RunLl144(const LegalArgs& args, const GlobalOptions& global) {
  if (args.sex.empty() && args.race.empty()) {
    return InvalidArgumentError("no category column")
        .Expecting("--sex COLUMN and/or --race COLUMN");
  }
  std::vector<std::string> facets;
  if (!args.sex.empty()) facets.push_back(args.sex);
  if (!args.race.empty()) facets.push_back(args.race);
  PROBITY_ASSIGN_OR_RETURN(SourceArgs source, LegalSource(args, facets));
  PROBITY_ASSIGN_OR_RETURN(CollectedRun run, CollectFromArgs(source, global, nullptr));
  const fairness::FairnessStatistics& stats = run.collected.statistics;
  fairness::Ll144Options options{.exclude_small = args.exclude_small,
                                 .share_includes_unknown = args.share_includes_unknown};
  std::optional<double> median;
  if (!source.score.empty()) median = fairness::SampleMedian(stats);
  const bool selection = !args.selected.empty() || !args.source.model.path.empty() ||
                         !args.source.model.command.empty() || !args.source.prediction.empty();
  std::optional<size_t> sex, race;
  if (!args.sex.empty()) sex = 0;
  if (!args.race.empty()) race = args.sex.empty() ? 0 : 1;
  std::vector<fairness::ImpactTable> tables =
      fairness::Ll144Tables(stats, sex, race, args.unknown, selection, median, options);
  if (global.json) {
    nlohmann::ordered_json doc = MachineDocument("probity.fairness.ll144/1");
    doc["data"] = DataBlock(args.source.data.path, run.collected.scan);
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& t : tables) list.push_back(fairness::ImpactTableJson(t));
    doc["tables"] = std::move(list);
    PROBITY_RETURN_IF_ERROR(WriteOutput(args.out, DumpJson(doc)));
  } else {
    std::string text;
    for (const auto& t : tables) text += fairness::RenderMarkdown(t) + "\n";
    PROBITY_RETURN_IF_ERROR(WriteOutput(args.out, text));
  }
  return Verdict::kPass;
}

Result<Verdict> RunFourFifths(const LegalArgs& args, const GlobalOptions& global) {
  if (args.source.facets.empty()) {
    return InvalidArgumentError("no facet").Expecting("--facet COLUMN (repeatable)");
  }
  std::vector<std::string> facets;
  for (const std::string& f : args.source.facets) facets.push_back(f.substr(0, f.find('=')));
  PROBITY_ASSIGN_OR_RETURN(SourceArgs source, LegalSource(args, facets));
  PROBITY_ASSIGN_OR_RETURN(CollectedRun run, CollectFromArgs(source, global, nullptr));
  std::vector<fairness::FourFifthsTable> tables = fairness::FourFifthsTables(
      run.collected.statistics, args.unknown, args.threshold, args.alpha);
  bool adverse = false;
  for (const auto& t : tables) {
    for (const auto& r : t.rows) adverse = adverse || r.below_four_fifths;
  }
  if (global.json) {
    nlohmann::ordered_json doc = MachineDocument("probity.fairness.four-fifths/1");
    doc["data"] = DataBlock(args.source.data.path, run.collected.scan);
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& t : tables) list.push_back(fairness::FourFifthsJson(t));
    doc["tables"] = std::move(list);
    doc["adverse_impact"] = adverse;
    PROBITY_RETURN_IF_ERROR(WriteOutput(args.out, DumpJson(doc)));
  } else {
    std::string text;
    for (const auto& t : tables) text += fairness::RenderMarkdown(t) + "\n";
    PROBITY_RETURN_IF_ERROR(WriteOutput(args.out, text));
  }
  return Verdict::kPass;
}

// ---- Mitigation ---------------------------------------------------------------------------

struct MitigationArgs {
  SourceArgs source;
  std::string out;
  std::string column = "weight";
  std::string constraint = "demographic_parity";
  double tolerance = 0.01;
};

// The groups of the mitigation: every observed combination of the facets' levels.
std::vector<std::pair<fairness::CellKey, fairness::GroupSummary>> FacetGroups(
    const fairness::FairnessStatistics& stats) {
  std::map<fairness::CellKey, fairness::GroupSummary> groups;
  const size_t facets = stats.layout().facets.size();
  for (const auto& [key, cell] : stats.cells()) {
    fairness::CellKey group(key.begin(), key.begin() + static_cast<ptrdiff_t>(facets));
    fairness::GroupSummary& g = groups[group];
    if (g.name.empty()) {
      for (size_t f = 0; f < facets; ++f) {
        g.name += (f ? " & " : "") + stats.levels()[f][static_cast<size_t>(group[f])];
      }
    }
    g.Add(cell, key.back(), 0);
  }
  return {groups.begin(), groups.end()};
}

// `probity fairness reweigh`: Kamiran & Calders weights, one per input row, in input order,
// as a one-column CSV a trainer reads as its weight column (empty for rows left out).
Result<Verdict> RunReweigh(const MitigationArgs& args, const GlobalOptions& global) {
  if (args.source.label.empty() || args.source.facets.empty()) {
    return InvalidArgumentError("reweighing needs a label and facets")
        .Expecting("--label COLUMN --positive VALUE --facet COLUMN");
  }
  if (args.out.empty()) return InvalidArgumentError("no output file").Expecting("--out FILE");
  PROBITY_ASSIGN_OR_RETURN(CollectedRun run, CollectFromArgs(args.source, global, nullptr));
  auto groups = FacetGroups(run.collected.statistics);
  std::vector<fairness::GroupSummary> summaries;
  for (const auto& [key, g] : groups) summaries.push_back(g);
  std::vector<fairness::ReweighingCell> cells = fairness::Reweighing(summaries);
  std::map<std::pair<std::string, bool>, std::optional<double>> factor;
  for (const auto& c : cells) factor[{c.group, c.favourable}] = c.factor.value;
  std::map<fairness::CellKey, std::string> name_of;
  for (const auto& [key, g] : groups) name_of[key] = g.name;

  // Second pass: each row's group and label, in file order.
  PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec dataset, BuildDatasetSpec(args.source.data));
  PROBITY_ASSIGN_OR_RETURN(
      auto reader, ingest::DatasetReader::Open(LocalFileSystem(), args.source.data.path, dataset,
                                               BuildScanOptions(args.source.data, global)));
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> file,
                           LocalFileSystem().CreateAtomically(args.out));
  PROBITY_RETURN_IF_ERROR(file->Append(args.column + "\n"));
  const size_t facets = run.spec.facets.size();
  auto write = [&](std::span<const fairness::RowOutcome> rows) -> Status {
    std::string text;
    for (const fairness::RowOutcome& row : rows) {
      if (!row.key.empty()) {
        fairness::CellKey group(row.key.begin(), row.key.begin() + static_cast<ptrdiff_t>(facets));
        const std::optional<double>& w = factor[{name_of[group], row.favourable}];
        if (w) text += fmt::format("{}", *w);
      }
      text += "\n";
    }
    return file->Append(text);
  };
  PROBITY_ASSIGN_OR_RETURN(fairness::Collected second,
                           fairness::CollectStatistics(*reader, run.spec, write));
  PROBITY_RETURN_IF_ERROR(file->Commit());
  if (global.json) {
    nlohmann::ordered_json doc = MachineDocument("probity.fairness.reweigh/1");
    doc["data"] = DataBlock(args.source.data.path, second.scan);
    doc["out"] = {{"path", args.out}, {"column", args.column}};
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& c : cells) {
      nlohmann::ordered_json j{
          {"group", c.group}, {"favourable", c.favourable}, {"weight", JsonNumber(c.weight)}};
      fairness::PutMetricValue(j, "factor", c.factor);
      list.push_back(std::move(j));
    }
    doc["cells"] = std::move(list);
    std::cout << DumpJson(doc) << std::flush;
  } else if (!global.quiet) {
    std::cerr << fmt::format("wrote {} reweighing weights to {} (column \"{}\")\n",
                             second.scan.rows, args.out, args.column);
    for (const auto& c : cells) {
      std::cerr << fmt::format("  {:<30} {:<12} {}\n", c.group,
                               c.favourable ? "favourable" : "unfavourable",
                               c.factor.value ? fmt::format("{:.6f}", *c.factor.value)
                                              : "undefined: " + c.factor.undefined_reason);
    }
  }
  return Verdict::kPass;
}

// `probity fairness thresholds`: group thresholds on a score meeting a parity constraint.
Result<Verdict> RunThresholds(const MitigationArgs& args, const GlobalOptions& global) {
  if (args.source.label.empty() || args.source.facets.empty()) {
    return InvalidArgumentError("the threshold search needs a label and facets")
        .Expecting("--label COLUMN --positive VALUE --facet COLUMN --score COLUMN (or --model)");
  }
  PROBITY_ASSIGN_OR_RETURN(CollectedRun run, CollectFromArgs(args.source, global, nullptr));
  if (!run.collected.statistics.layout().has_scores) {
    return InvalidArgumentError("no score to put thresholds on")
        .Expecting("--score COLUMN, or --model with a classifier that gives probabilities");
  }
  const fairness::Constraint constraint =
      args.constraint == "equal_opportunity" ? fairness::Constraint::kEqualOpportunity
      : args.constraint == "equalized_odds"  ? fairness::Constraint::kEqualizedOdds
                                             : fairness::Constraint::kDemographicParity;
  std::vector<fairness::GroupSummary> groups;
  for (auto& [key, g] : FacetGroups(run.collected.statistics)) groups.push_back(std::move(g));
  fairness::ThresholdPlan plan = fairness::OptimizeThresholds(groups, constraint, args.tolerance,
                                                              args.source.threshold.value_or(0.5));
  if (global.json) {
    nlohmann::ordered_json doc = MachineDocument("probity.fairness.thresholds/1");
    doc["data"] = DataBlock(args.source.data.path, run.collected.scan);
    doc["constraint"] = fairness::ConstraintName(plan.constraint);
    doc["tolerance"] = plan.tolerance;
    doc["feasible"] = plan.feasible;
    doc["exact"] = plan.exact;
    doc["search_note"] = plan.search_note;
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& g : plan.groups) {
      nlohmann::ordered_json j{{"group", g.group}, {"threshold", JsonNumber(g.threshold)}};
      fairness::PutMetricValue(j, "selection_rate", g.selection_rate);
      fairness::PutMetricValue(j, "tpr", g.tpr);
      fairness::PutMetricValue(j, "fpr", g.fpr);
      fairness::PutMetricValue(j, "accuracy", g.accuracy);
      list.push_back(std::move(j));
    }
    doc["groups"] = std::move(list);
    fairness::PutMetricValue(doc, "accuracy", plan.accuracy);
    doc["baseline_threshold"] = plan.baseline_threshold;
    fairness::PutMetricValue(doc, "baseline_accuracy", plan.baseline_accuracy);
    fairness::PutMetricValue(doc, "disparity", plan.disparity);
    fairness::PutMetricValue(doc, "baseline_disparity", plan.baseline_disparity);
    std::cout << DumpJson(doc) << std::flush;
    return Verdict::kPass;
  }
  auto v = [](const fairness::MetricValue& m) {
    return m.value ? fmt::format("{:.4f}", *m.value) : std::string("undefined");
  };
  std::string text = fmt::format("{} within {}: {}{}\n", fairness::ConstraintName(plan.constraint),
                                 plan.tolerance, plan.feasible ? "feasible" : "NOT feasible",
                                 plan.exact ? "" : " (" + plan.search_note + ")");
  text += fmt::format("  {:<30} {:>10} {:>10} {:>8} {:>8} {:>9}\n", "group", "threshold",
                      "selection", "TPR", "FPR", "accuracy");
  for (const auto& g : plan.groups) {
    text += fmt::format("  {:<30} {:>10.4g} {:>10} {:>8} {:>8} {:>9}\n", g.group, g.threshold,
                        v(g.selection_rate), v(g.tpr), v(g.fpr), v(g.accuracy));
  }
  text += fmt::format("accuracy {} (one threshold {}: {}); disparity {} (was {})\n",
                      v(plan.accuracy), plan.baseline_threshold, v(plan.baseline_accuracy),
                      v(plan.disparity), v(plan.baseline_disparity));
  std::cout << text << std::flush;
  return Verdict::kPass;
}

// ---- Options ------------------------------------------------------------------------------

void AddSourceOptions(CLI::App* cmd, SourceArgs* a, bool label_required) {
  // Not required by CLI11: `fairness merge` and the other subcommands do not take it.
  AddDatasetOptions(cmd, &a->data, "--data", /*required=*/false);
  AddModelOptions(cmd, &a->model, /*positional=*/false, /*external=*/true);
  if (label_required) {
    cmd->add_option("--label", a->label, "The label column (observed outcome)");
    cmd->add_option("--positive", a->positive,
                    "A favourable label value (repeatable; default 1/true for numeric or "
                    "boolean labels)")
        ->delimiter(',')
        ->allow_extra_args(false);
    cmd->add_option("--label-threshold", a->label_threshold,
                    "Label > this value is favourable (numeric labels)");
    cmd->add_option("--task", a->task, "binary, multiclass (one-vs-rest per class) or regression")
        ->check(CLI::IsMember({"binary", "multiclass", "regression"}));
    cmd->add_option("--classes", a->classes, "Multiclass: the classes, in order")
        ->delimiter(',')
        ->allow_extra_args(false);
  }
  cmd->add_option("--prediction", a->prediction, "A column holding the model's decisions");
  cmd->add_option("--predicted-positive", a->predicted_positive,
                  "A favourable value of --prediction, or the model's favourable class (default: "
                  "the --positive values)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--score", a->score,
                  "A column holding a score (a probability of the favourable outcome)");
  cmd->add_option("--threshold", a->threshold,
                  "Score > this is a favourable decision (with --score alone, or --model)");
  cmd->add_option("--facet", a->facets,
                  "COLUMN, COLUMN=V1,V2 (the sensitive group) or COLUMN>T (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--bins", a->bins, "COLUMN=E1,E2,…: bin a numeric facet (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--group-variable", a->group_variable,
                  "Strata: CDDL/CDDPL, and Fairlearn-style control features (metrics per level)");
  cmd->add_option("--weight", a->weight, "A column of non-negative instance weights");
}

void AddReportOptions(CLI::App* cmd, ReportArgs* r) {
  cmd->add_flag("--intersect", r->intersect, "Also analyse the intersection of all facets");
  cmd->add_option("--compare", r->compare, "rest (one-vs-rest), reference or most-favoured")
      ->check(CLI::IsMember({"rest", "reference", "most-favoured"}));
  cmd->add_option("--reference", r->reference, "COLUMN=VALUE: the reference group (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--metrics", r->metrics, "all, or a comma-separated list of metric names");
  cmd->add_option("--ci", r->ci, "Intervals: none, wilson, clopper-pearson, jeffreys, bootstrap")
      ->check(CLI::IsMember({"none", "wilson", "clopper-pearson", "jeffreys", "bootstrap"}));
  cmd->add_option("--bootstrap-method", r->bootstrap_method, "bca or percentile")
      ->check(CLI::IsMember({"bca", "percentile"}));
  cmd->add_option("--replicates", r->replicates, "Bootstrap replicates")
      ->check(CLI::Range(2, 1'000'000));
  cmd->add_option("--seed", r->seed, "Seed of the bootstrap and of the kNN row sample");
  cmd->add_flag("--stratified", r->stratified, "Bootstrap with each group's size fixed");
  cmd->add_option("--confidence", r->confidence, "Confidence level of intervals (0.95)");
  cmd->add_option("--min-group-size", r->min_group_size, "Flag groups with fewer rows (30)");
  cmd->add_option("--ge-alpha", r->ge_alpha, "Generalized entropy α (2)");
  cmd->add_option("--loss-bound", r->loss_bound,
                  "Regression: flag groups whose mean squared error exceeds this (bounded group "
                  "loss; 0 = no bound)");
  cmd->add_flag("--clarify-compat", r->clarify_compat,
                "Compute Clarify's metrics exactly as Clarify's code does (docs/fairness.md)");
  cmd->add_option("--clarify-out", r->clarify_out, "Also write Clarify's analysis.json here");
  cmd->add_option("--out", r->out, "Write the JSON report here");
  cmd->add_option("--knn-features", r->knn_features,
                  "Numeric columns for consistency and the flip test (comma-separated)")
      ->allow_extra_args(false);
  cmd->add_option("--knn-rows", r->knn_rows, "At most this many rows for kNN metrics (10000)");
  cmd->add_option("--knn-k", r->knn_k,
                  "Neighbours for consistency (5); the flip test uses Clarify's rule");
  cmd->add_option("--knn-scaling", r->knn_scaling, "none, standardize or minmax")
      ->check(CLI::IsMember({"none", "standardize", "minmax"}));
  cmd->add_flag("--record", r->record,
                "Record the data, model, report and a signed fairness statement in the workspace");
}

void AddLegalOptions(CLI::App* cmd, LegalArgs* a) {
  cmd->add_option("--selected", a->selected, "A column saying whether each person was selected");
  cmd->add_option("--selected-value", a->selected_value,
                  "The value(s) of --selected that mean selected (default 1/true)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--positive", a->source.positive,
                  "With --model or --prediction: the favourable (selected) class")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--unknown", a->unknown,
                  "A category value meaning unknown (repeatable; missing values always are)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--out", a->out, "Write the tables here (default: stdout)");
}

}  // namespace

void AddFairnessCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  auto args = std::make_shared<FairnessArgs>();
  CLI::App* cmd = app.add_subcommand(
      "fairness",
      "Bias metrics (Clarify, Fairlearn, AIF360) of labels or a model's decisions across "
      "facets, with intervals and tests");
  AddSourceOptions(cmd, &args->source, true);
  AddReportOptions(cmd, &args->report);
  cmd->add_option("--partial", args->partial,
                  "Write partial statistics here instead of a report (merge them later)");
  cmd->require_subcommand(0, 1);
  cmd->footer(
      "Examples:\n"
      "  probity fairness --data examples/data/german_credit.csv --label credit_risk \\\n"
      "      --positive good --model examples/models/german_credit_xgboost.json \\\n"
      "      --facet sex --facet foreign_worker --facet age --bins age=25,40 --ci wilson\n"
      "  probity fairness --data shard1.csv --label y --facet race --partial s1.json\n"
      "  probity fairness merge s1.json s2.json --json");
  cmd->callback([args, &global, selected, cmd] {
    if (cmd->get_subcommands().empty()) {
      if (args->source.data.path.empty()) throw CLI::RequiredError("--data");
      *selected = [args, &global]() -> Result<Verdict> { return RunFairness(*args, global); };
    }
  });

  auto merge = std::make_shared<FairnessArgs>();
  auto parts = std::make_shared<std::vector<std::string>>();
  CLI::App* m = cmd->add_subcommand("merge", "Merge shards' partial statistics into one report");
  m->add_option("PARTS", *parts, "Partial statistics files (from --partial)")->required();
  m->add_option("--facet", merge->source.facets,
                "The shards' --facet options (for sensitive values and thresholds)")
      ->allow_extra_args(false);
  m->add_option("--bins", merge->source.bins, "The shards' --bins options")
      ->allow_extra_args(false);
  m->add_option("--partial", merge->partial, "Write the merged partial statistics instead");
  AddReportOptions(m, &merge->report);
  m->callback([merge, parts, &global, selected] {
    *selected = [merge, parts, &global]() -> Result<Verdict> {
      return RunMerge(*parts, merge->source, merge->report, merge->partial, global);
    };
  });

  auto ll144 = std::make_shared<LegalArgs>();
  CLI::App* l = cmd->add_subcommand(
      "ll144", "NYC Local Law 144 bias audit tables: selection and scoring impact ratios");
  AddDatasetOptions(l, &ll144->source.data, "--data");
  l->add_option("--sex", ll144->sex, "The sex category column");
  l->add_option("--race", ll144->race, "The race/ethnicity category column");
  l->add_option("--score", ll144->source.score, "A score column (scoring rates, median split)");
  l->add_flag("--exclude-small", ll144->exclude_small,
              "Exclude categories under 2% of the data from the impact ratios (still listed)");
  l->add_flag("--share-includes-unknown", ll144->share_includes_unknown,
              "Count unknown-category individuals in the 2% denominator");
  AddLegalOptions(l, ll144.get());
  l->footer(
      "Example:\n  probity fairness ll144 --data applicants.csv --sex sex --race race \\\n"
      "      --selected hired --selected-value yes --score score");
  l->callback([ll144, &global, selected] {
    *selected = [ll144, &global]() -> Result<Verdict> { return RunLl144(*ll144, global); };
  });

  auto ff = std::make_shared<LegalArgs>();
  CLI::App* f = cmd->add_subcommand(
      "four-fifths", "EEOC four-fifths rule: adverse-impact ratios with z/Fisher tests");
  AddDatasetOptions(f, &ff->source.data, "--data");
  AddModelOptions(f, &ff->source.model, /*positional=*/false, /*external=*/true);
  f->add_option("--facet", ff->source.facets, "A category column (repeatable)")
      ->allow_extra_args(false);
  f->add_option("--prediction", ff->source.prediction, "A column holding the decisions");
  f->add_option("--score", ff->source.score, "A score column (with --threshold)");
  f->add_option("--threshold", ff->source.threshold, "Score > this is selected");
  f->add_option("--ratio", ff->threshold, "The flag threshold (0.8)");
  f->add_option("--alpha", ff->alpha, "Significance level of the tests (0.05)");
  AddLegalOptions(f, ff.get());
  f->footer(
      "Example:\n  probity fairness four-fifths --data examples/data/german_credit.csv \\\n"
      "      --model examples/models/german_credit_xgboost.json --positive good --facet sex");
  f->callback([ff, &global, selected] {
    *selected = [ff, &global]() -> Result<Verdict> { return RunFourFifths(*ff, global); };
  });
  auto reweigh = std::make_shared<MitigationArgs>();
  CLI::App* rw =
      cmd->add_subcommand("reweigh",
                          "Kamiran & Calders reweighing: a weight per row that removes the label's "
                          "dependence on the facets, for a trainer's weight column");
  AddSourceOptions(rw, &reweigh->source, true);
  rw->get_option("--data")->required();
  rw->add_option("--out", reweigh->out, "Write the weights CSV here (one row per input row)")
      ->required();
  rw->add_option("--column", reweigh->column, "The weight column's name (weight)");
  rw->footer(
      "Example:\n  probity fairness reweigh --data train.csv --label y --positive 1 \\\n"
      "      --facet sex --facet race --out weights.csv");
  rw->callback([reweigh, &global, selected] {
    *selected = [reweigh, &global]() -> Result<Verdict> { return RunReweigh(*reweigh, global); };
  });

  auto thresholds = std::make_shared<MitigationArgs>();
  CLI::App* th =
      cmd->add_subcommand("thresholds",
                          "Group-specific thresholds on a score that satisfy a parity constraint "
                          "while maximising accuracy, with the accuracy cost");
  AddSourceOptions(th, &thresholds->source, true);
  th->get_option("--data")->required();
  th->add_option("--constraint", thresholds->constraint,
                 "demographic_parity, equal_opportunity or equalized_odds")
      ->check(CLI::IsMember({"demographic_parity", "equal_opportunity", "equalized_odds"}));
  th->add_option("--tolerance", thresholds->tolerance, "Allowed max − min of the rate (0.01)");
  th->footer(
      "Example:\n  probity fairness thresholds --data scored.csv --label y --positive 1 \\\n"
      "      --score p --facet sex --constraint equal_opportunity --tolerance 0.02");
  th->callback([thresholds, &global, selected] {
    *selected = [thresholds, &global]() -> Result<Verdict> {
      return RunThresholds(*thresholds, global);
    };
  });
}

}  // namespace probity::cli
