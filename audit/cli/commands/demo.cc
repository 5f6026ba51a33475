// `probity demo`: the main job on the embedded default data (UCI German credit) and the two
// embedded example models (examples/models/): profile the data; scan, inspect and score
// each model and report its accuracy against the label. Everything it reads and writes is
// recorded as signed lineage in a workspace in the output directory, which it then verifies
// the way an auditor would. Later issues extend it to the full audit.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "audit/cli/command.h"
#include "audit/cli/model_options.h"
#include "audit/cli/recording.h"
#include "audit/cli/scoring.h"
#include "audit/core/file_system.h"
#include "audit/core/json_output.h"
#include "audit/ingest/models/model_loader.h"
#include "audit/cli/explaining.h"
#include "fairness/collect.h"
#include "fairness/legal_report.h"
#include "fairness/report.h"
#include "lineage/attest.h"
#include "lineage/card.h"
#include "lineage/trusted_keys.h"
#include "lineage/verify.h"
#include "policy/scanners/model_scanner.h"

namespace probity::embedded {
std::string_view german_credit_csv();
std::string_view german_credit_schema_yaml();
std::string_view german_credit_xgboost_json();
std::string_view german_credit_logistic_pmml();
std::string_view german_credit_reasons_yaml();
}  // namespace probity::embedded

namespace probity::cli {
namespace {

struct DemoArgs {
  std::string out = "probity-demo";
};

// The vendor-supplied models the demo audits (examples/models/README.md).
struct DemoModel {
  std::string file;
  std::string_view (*bytes)();
  std::string description;
  std::vector<std::string> label_map;  // the label's values as the model's class names
};

const std::vector<DemoModel>& DemoModels() {
  static const std::vector<DemoModel> models = {
      {"german_credit_xgboost.json",
       embedded::german_credit_xgboost_json,
       "gradient-boosted trees, XGBoost 1.7.4 JSON",
       {"bad=0", "good=1"}},
      {"german_credit_logistic.pmml",
       embedded::german_credit_logistic_pmml,
       "logistic regression, PMML 4.4",
       {}},
  };
  return models;
}

struct ModelReport {
  std::string path;
  std::string started;
  std::string scanned;
  std::string ended;
  policy::ScanReport scan;  // --strict verdict: Fails(true)
  std::string predictions;
  std::unique_ptr<Model> model;
  ScoreResult scored;
};

Result<ModelReport> AuditModel(const DemoModel& demo, const std::string& out,
                               const DatasetArgs& dataset, const GlobalOptions& global) {
  FileSystem& fs = LocalFileSystem();
  ModelReport report;
  report.started = FormatRfc3339(SystemClock().Now());
  report.path = out + "/models/" + demo.file;
  PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(report.path, demo.bytes()));
  // A model file is scanned before anything loads it, as an agency would a vendor's file.
  PROBITY_ASSIGN_OR_RETURN(report.scan, policy::ScanPath(fs, report.path));
  report.scanned = FormatRfc3339(SystemClock().Now());
  PROBITY_ASSIGN_OR_RETURN(report.model, models::LoadModel(fs, report.path));
  report.predictions = out + "/predictions/" + demo.file.substr(0, demo.file.find('.')) + ".csv";
  ScoreRequest request;
  request.data = dataset;
  request.out = report.predictions;
  request.label = "credit_risk";
  request.label_map = demo.label_map;
  GlobalOptions quiet = global;
  quiet.quiet = true;
  PROBITY_ASSIGN_OR_RETURN(report.scored, ScoreDataset(*report.model, request, quiet));
  report.ended = FormatRfc3339(SystemClock().Now());
  return report;
}

double Accuracy(const LabelScore& score) {
  return score.rows == 0 ? std::nan("")
                         : static_cast<double>(score.correct) / static_cast<double>(score.rows);
}

std::string ModelsText(const std::vector<ModelReport>& reports) {
  std::string text =
      "\nModels (examples/models/, embedded; scored on all rows, label credit_risk)\n";
  for (size_t i = 0; i < reports.size(); ++i) {
    const ModelReport& r = reports[i];
    const ModelInfo& info = r.model->info();
    text += fmt::format("  {}  ({})\n", DemoModels()[i].file, DemoModels()[i].description);
    text += fmt::format("    format      {} {} {}, task {}, {} inputs\n", info.format,
                        info.format_version, info.algorithm, ModelTaskName(info.task),
                        info.inputs.size());
    text += fmt::format("    digest      {}\n", info.digest.ToString());
    text += fmt::format("    scan        {} (probity scan --strict: {} findings)\n",
                        r.scan.Fails(/*strict=*/true) ? "FAIL" : "pass", r.scan.findings.size());
    text += fmt::format("    accuracy    {:.3f} on {} rows  (predictions: {})\n",
                        Accuracy(r.scored.score), r.scored.score.rows, r.predictions);
  }
  return text;
}

// The fairness audit of the first example model: facets sex, age (banded) and
// foreign_worker, Wilson intervals and tests, the four-fifths tables and the LL144 tables
// for sex (the data has no race/ethnicity column, so no race or intersectional family).
struct DemoFairness {
  std::string report_path;  // probity.fairness/1 JSON
  std::string tables_path;  // four-fifths and LL144 tables, Markdown
  fairness::FairnessReport report;
  std::vector<fairness::FourFifthsTable> four_fifths;
  std::string text;
};

Result<DemoFairness> AuditFairness(const ModelReport& model, const DatasetArgs& dataset,
                                   const std::string& out, const GlobalOptions& global) {
  fairness::CollectSpec spec;
  spec.label = "credit_risk";
  spec.favourable = {"good"};
  spec.prediction = fairness::PredictionKind::kModel;
  spec.model = model.model.get();
  spec.predicted_favourable = {"1"};  // XGBoost's class 1 is "good" (examples/models/README.md)
  spec.facets = {
      {.column = "sex"}, {.column = "age", .edges = {25, 40}}, {.column = "foreign_worker"}};
  PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec data_spec, BuildDatasetSpec(dataset));
  PROBITY_ASSIGN_OR_RETURN(auto reader,
                           ingest::DatasetReader::Open(LocalFileSystem(), dataset.path, data_spec,
                                                       BuildScanOptions(dataset, global)));
  PROBITY_ASSIGN_OR_RETURN(fairness::Collected collected,
                           fairness::CollectStatistics(*reader, spec));
  fairness::AnalysisOptions options;
  options.facets = spec.facets;
  options.metrics.intervals = fairness::IntervalMethod::kWilson;
  DemoFairness result;
  PROBITY_ASSIGN_OR_RETURN(result.report, fairness::Analyze(collected.statistics, options));
  result.four_fifths = fairness::FourFifthsTables(collected.statistics, {}, 0.8, 0.05);
  std::vector<fairness::ImpactTable> ll144 =
      fairness::Ll144Tables(collected.statistics, 0, std::nullopt, {}, /*selection=*/true,
                            fairness::SampleMedian(collected.statistics), {});
  nlohmann::ordered_json doc = fairness::ReportToJson(result.report);
  doc["data"] = {{"path", dataset.path},
                 {"digest", collected.scan.digest.ToString()},
                 {"rows", collected.scan.rows}};
  doc["model"] = {{"path", model.path},
                  {"format", model.model->info().format},
                  {"digest", model.model->info().digest.ToString()}};
  doc["four_fifths"] = nlohmann::ordered_json::array();
  for (const auto& t : result.four_fifths)
    doc["four_fifths"].push_back(fairness::FourFifthsJson(t));
  doc["ll144"] = nlohmann::ordered_json::array();
  for (const auto& t : ll144) doc["ll144"].push_back(fairness::ImpactTableJson(t));
  std::string tables =
      "# Legal tables: " + DemoModels()[0].file +
      " on german_credit.csv\n\n"
      "Decision: the model predicts `good` (class 1). Selection rate = share predicted good.\n\n"
      "## EEOC four-fifths rule (29 CFR 1607.4(D))\n\n";
  for (const auto& t : result.four_fifths) tables += fairness::RenderMarkdown(t) + "\n";
  tables +=
      "## NYC Local Law 144 (6 RCNY 5-301), sex only: the data has no race/ethnicity column\n\n";
  for (const auto& t : ll144) tables += fairness::RenderMarkdown(t) + "\n";
  result.report_path = out + "/fairness/fairness.json";
  result.tables_path = out + "/fairness/legal-tables.md";
  PROBITY_RETURN_IF_ERROR(LocalFileSystem().CreateDirectories(out + "/fairness"));
  PROBITY_RETURN_IF_ERROR(LocalFileSystem().WriteFileAtomically(result.report_path, DumpJson(doc)));
  PROBITY_RETURN_IF_ERROR(LocalFileSystem().WriteFileAtomically(result.tables_path, tables));
  result.text = "\nFairness of " + DemoModels()[0].file +
                " (probity fairness; Wilson 95% intervals; full report: " + result.report_path +
                ")\n" + fairness::RenderText(result.report) + "\nFour-fifths rule (" +
                result.tables_path + ")\n";
  for (const auto& t : result.four_fifths) {
    for (const auto& row : t.rows) {
      result.text += fmt::format(
          "  {:<16} {:<28} rate {:>6}  AIR {:>6}{}{}\n", t.facet, row.category,
          row.rate.value ? fmt::format("{:.3f}", *row.rate.value) : "n/a",
          row.adverse_impact_ratio.value ? fmt::format("{:.3f}", *row.adverse_impact_ratio.value)
                                         : "n/a",
          row.below_four_fifths ? "  below 4/5" : "",
          row.statistically_significant ? ", significant" : "");
    }
  }
  return result;
}

// The explanations of the first example model: exact TreeSHAP of every applicant (per-row
// values and the global summary) and adverse-action reason codes for the applicants it
// declines (probability of "good" below 0.5), from the embedded reason-code table.
struct DemoExplanations {
  std::string codes_path;
  ExplainRun shap;
  ReasonsRun reasons;
  std::string shap_json;
  std::string reasons_csv;
  std::string reasons_json;
  std::string text;
};

Result<DemoExplanations> ExplainDemo(const ModelReport& model, const DatasetArgs& dataset,
                                     const std::string& out, const GlobalOptions& global) {
  DemoExplanations result;
  const std::string dir = out + "/explain";
  PROBITY_RETURN_IF_ERROR(LocalFileSystem().CreateDirectories(dir));
  result.codes_path = dir + "/german-credit-reasons.yaml";
  PROBITY_RETURN_IF_ERROR(
      LocalFileSystem().WriteFileAtomically(result.codes_path, embedded::german_credit_reasons_yaml()));
  GlobalOptions quiet = global;
  quiet.quiet = true;
  ExplainOptions shap;
  shap.model_path = model.path;
  shap.method = "tree";
  shap.players = explain::InputPlayers(model.model->info());
  shap.csv = dir + "/shap.csv";
  PROBITY_ASSIGN_OR_RETURN(result.shap, RunExplain(*model.model, dataset, shap, quiet));
  result.shap_json = dir + "/shap.json";
  PROBITY_RETURN_IF_ERROR(
      LocalFileSystem().WriteFileAtomically(result.shap_json, DumpJson(result.shap.document)));
  ReasonsOptions reasons;
  reasons.model_path = model.path;
  // Interventional TreeSHAP against 300 sampled applicants (the population reference);
  // the stability check redraws that sample three times.
  reasons.method = "interventional";
  reasons.background_rows = 300;
  reasons.codes = result.codes_path;
  PROBITY_ASSIGN_OR_RETURN(result.reasons, RunReasons(*model.model, dataset, reasons, quiet));
  result.reasons_csv = dir + "/reasons.csv";
  result.reasons_json = dir + "/reasons.json";
  PROBITY_RETURN_IF_ERROR(WriteReasonsCsvFile(result.reasons.report, result.reasons_csv));
  result.reasons.outputs.push_back({result.reasons_csv, "reasons"});
  PROBITY_RETURN_IF_ERROR(LocalFileSystem().WriteFileAtomically(
      result.reasons_json, DumpJson(result.reasons.document)));
  result.text = "\nExplanations of " + DemoModels()[0].file +
                " (probity explain: exact path-dependent TreeSHAP, log-odds of \"good\"; values "
                "per applicant: " +
                shap.csv + ")\n" + result.shap.text + "\nAdverse-action reasons (probity explain "
                "reasons; table " + result.codes_path + "; all: " + result.reasons_csv + ")\n" +
                result.reasons.text;
  return result;
}

// The demo's workspace: the one in the output directory, created on the first run.
Result<RecordingSession> OpenDemoWorkspace(const std::string& out, const GlobalOptions& global) {
  std::error_code ec;
  if (!std::filesystem::exists(out + "/.probity", ec)) {
    PROBITY_RETURN_IF_ERROR(lineage::InitWorkspace(out, &SystemClock()).status());
  }
  GlobalOptions here = global;
  here.workspace = out;
  return OpenRecordingSession(here);
}

struct DemoLineage {
  std::optional<int64_t> card;  // the card draft, when this run wrote it
  int64_t data = 0;
  int64_t schema = 0;
  std::vector<int64_t> models;
  uint64_t log_size = 0;
};

// Records the run: the data and schema, the profile step, and per model the scan and the
// scoring step with their inputs and outputs, in one signed batch.
Result<DemoLineage> RecordDemo(RecordingSession& session, const std::string& csv,
                               const std::string& schema, const std::string& profile_path,
                               const std::string& summary_path,
                               const std::vector<ModelReport>& reports,
                               const DemoFairness& fairness_audit,
                               const DemoExplanations& explanations, const std::string& started) {
  DemoLineage ids;
  PROBITY_ASSIGN_OR_RETURN(
      ids.data, RecordArtifact(session, csv, ArtifactKind::kDataset, "german_credit.csv", true));
  PROBITY_ASSIGN_OR_RETURN(ids.schema, RecordArtifact(session, schema, ArtifactKind::kParams,
                                                      "german_credit.schema.yaml", true));
  PROBITY_ASSIGN_OR_RETURN(int64_t profile,
                           RecordArtifact(session, profile_path, ArtifactKind::kMetrics, "", true));
  ExecutionRecord profile_step;
  profile_step.name = "probity data profile";
  profile_step.parameters = {{"schema", "german_credit.schema.yaml"}};
  profile_step.started = started;
  profile_step.ended = reports.empty() ? started : reports.front().started;
  profile_step.exit_code = 0;
  profile_step.inputs = {{ids.data, "data"}, {ids.schema, "schema"}};
  profile_step.outputs = {{profile, "profile"}};
  PROBITY_RETURN_IF_ERROR(RecordExecution(session, profile_step).status());
  for (size_t i = 0; i < reports.size(); ++i) {
    const ModelReport& r = reports[i];
    PROBITY_ASSIGN_OR_RETURN(int64_t model, RecordArtifact(session, r.path, ArtifactKind::kModel,
                                                           DemoModels()[i].file, true));
    ids.models.push_back(model);
    ExecutionRecord scan;
    scan.name = "probity scan";
    scan.parameters = {{"strict", true}};
    scan.status = "complete";
    scan.started = r.started;
    scan.ended = r.scanned;
    scan.exit_code = r.scan.Fails(/*strict=*/true) ? 1 : 0;
    scan.inputs = {{model, "model"}};
    PROBITY_RETURN_IF_ERROR(RecordExecution(session, scan).status());
    PROBITY_ASSIGN_OR_RETURN(int64_t predictions, RecordArtifact(session, r.predictions,
                                                                 ArtifactKind::kReport, "", true));
    ExecutionRecord predict;
    predict.name = "probity predict";
    predict.parameters = {{"label", "credit_risk"},
                          {"label_map", DemoModels()[i].label_map},
                          {"accuracy", Accuracy(r.scored.score)},
                          {"scored_rows", r.scored.rows}};
    predict.started = r.scanned;
    predict.ended = r.ended;
    predict.exit_code = 0;
    predict.inputs = {{model, "model"}, {ids.data, "data"}, {ids.schema, "schema"}};
    predict.outputs = {{predictions, "predictions"}};
    PROBITY_ASSIGN_OR_RETURN(int64_t run, RecordExecution(session, predict));
    // A signed evaluation result whose subject is the model's digest: it cannot be moved
    // to another model without breaking its signature.
    PROBITY_ASSIGN_OR_RETURN(nlohmann::json data_record, session.store->Get(ids.data));
    nlohmann::json predicate = {
        {"dataset", {{"name", "german_credit.csv"}, {"digest", data_record["digest"]}}},
        {"label", "credit_risk"},
        {"rows", r.scored.score.rows},
        {"metrics", {{{"type", "accuracy"}, {"value", Accuracy(r.scored.score)}}}},
        {"lineage_execution_id", run}};
    PROBITY_ASSIGN_OR_RETURN(
        nlohmann::json statement,
        lineage::ResultStatement(*session.store, model, lineage::kEvaluationPredicateType,
                                 std::move(predicate)));
    PROBITY_ASSIGN_OR_RETURN(lineage::LineageStore::Batch * batch, session.Batch());
    PROBITY_RETURN_IF_ERROR(
        lineage::RecordAttestation(*batch, *session.signer, statement).status());
  }
  // The fairness audit of the first model: its report and tables, the step, and a signed
  // fairness statement bound to the model's digest.
  if (!ids.models.empty()) {
    PROBITY_ASSIGN_OR_RETURN(int64_t report, RecordArtifact(session, fairness_audit.report_path,
                                                            ArtifactKind::kMetrics, "", true));
    PROBITY_ASSIGN_OR_RETURN(int64_t tables, RecordArtifact(session, fairness_audit.tables_path,
                                                            ArtifactKind::kReport, "", true));
    ExecutionRecord step;
    step.name = "probity fairness";
    step.parameters = {{"label", "credit_risk"},
                       {"favourable", "good"},
                       {"facets", {"sex", "age", "foreign_worker"}},
                       {"bins", {{"age", {25, 40}}}},
                       {"intervals", "wilson"}};
    step.started = reports.front().ended;
    step.ended = reports.back().ended;
    step.exit_code = 0;
    step.inputs = {{ids.models[0], "model"}, {ids.data, "data"}, {ids.schema, "schema"}};
    step.outputs = {{report, "report"}, {tables, "legal-tables"}};
    PROBITY_ASSIGN_OR_RETURN(int64_t run, RecordExecution(session, step));
    PROBITY_ASSIGN_OR_RETURN(nlohmann::json data_record, session.store->Get(ids.data));
    PROBITY_ASSIGN_OR_RETURN(nlohmann::json report_record, session.store->Get(report));
    nlohmann::json headline = nlohmann::json::array();
    for (const auto& facet : fairness_audit.report.facets) {
      for (const auto& c : facet.comparisons) {
        for (const auto& m : c.metrics) {
          if (m.name != "DI" || !m.value.value) continue;
          headline.push_back({{"facet", facet.facet},
                              {"group", c.d},
                              {"reference", c.a},
                              {"type", "DI"},
                              {"value", *m.value.value}});
        }
      }
    }
    nlohmann::json predicate = {
        {"dataset", {{"name", "german_credit.csv"}, {"digest", data_record["digest"]}}},
        {"report", {{"name", "fairness.json"}, {"digest", report_record["digest"]}}},
        {"label", "credit_risk"},
        {"metrics", std::move(headline)},
        {"lineage_execution_id", run}};
    PROBITY_ASSIGN_OR_RETURN(
        nlohmann::json statement,
        lineage::ResultStatement(*session.store, ids.models[0], lineage::kFairnessPredicateType,
                                 std::move(predicate)));
    PROBITY_ASSIGN_OR_RETURN(lineage::LineageStore::Batch * batch, session.Batch());
    PROBITY_RETURN_IF_ERROR(
        lineage::RecordAttestation(*batch, *session.signer, statement).status());
  }
  // The explanations of the first model and the reasons for its declines, each with its
  // step and a signed explanation statement bound to the model's digest.
  if (!ids.models.empty()) {
    PROBITY_ASSIGN_OR_RETURN(int64_t codes, RecordArtifact(session, explanations.codes_path,
                                                           ArtifactKind::kParams, "", true));
    PROBITY_RETURN_IF_ERROR(RecordExplanationStep(session, ids.models[0], ids.data,
                                                  "german_credit.csv", explanations.shap,
                                                  "probity explain", {}, true)
                                .status());
    ExplainRun reasons;
    reasons.document = explanations.reasons.document;
    reasons.outputs = explanations.reasons.outputs;
    reasons.data_digest = explanations.reasons.data_digest;
    PROBITY_RETURN_IF_ERROR(RecordExplanationStep(session, ids.models[0], ids.data,
                                                  "german_credit.csv", reasons,
                                                  "probity explain reasons", {{codes, "codes"}}, true)
                                .status());
  }
  PROBITY_RETURN_IF_ERROR(
      RecordArtifact(session, summary_path, ArtifactKind::kReport, "", true).status());
  // A model card draft for the first model, filled from lineage, signed and bound to the
  // model's digest (once: later runs keep the card the owner may have edited since).
  if (!ids.models.empty() && !lineage::LatestCard(*session.store, ids.models[0]).ok()) {
    PROBITY_ASSIGN_OR_RETURN(lineage::ModelCard card,
                             lineage::InitCardFromLineage(*session.store, ids.models[0]));
    card = lineage::NextCardVersion(std::move(card), "init", session.signer->key_id(),
                                    SystemClock().Now());
    PROBITY_RETURN_IF_ERROR(lineage::ValidateCard(card));
    PROBITY_ASSIGN_OR_RETURN(lineage::Record record,
                             lineage::CardRecord(card, std::nullopt, *session.signer));
    PROBITY_ASSIGN_OR_RETURN(ids.card, session.Add(std::move(record)));
  }
  PROBITY_ASSIGN_OR_RETURN(auto checkpoint, session.Commit());
  ids.log_size = checkpoint ? checkpoint->size : 0;
  return ids;
}

// Verifies the demo's own workspace as an auditor would: with the exported public key only.
Result<lineage::VerifyReport> VerifyDemo(const RecordingSession& session,
                                         const std::string& keys_path) {
  PROBITY_RETURN_IF_ERROR(LocalFileSystem().WriteFileAtomically(
      keys_path,
      "# the demo workspace's public key (probity key export)\n" +
          lineage::FormatTrustedKey(session.workspace.signing_key, session.signer->public_key())));
  lineage::VerifyOptions options;
  PROBITY_ASSIGN_OR_RETURN(options.trusted_keys, lineage::LoadTrustedKeys(keys_path));
  options.objects_dir = session.workspace.objects_dir();
  return lineage::VerifyStore(session.workspace.db_path(), options);
}

Result<Verdict> RunDemo(const DemoArgs& args, const GlobalOptions& global) {
  const std::string started = FormatRfc3339(SystemClock().Now());
  FileSystem& fs = LocalFileSystem();
  const std::string data_dir = args.out + "/data";
  const std::string csv = data_dir + "/german_credit.csv";
  const std::string schema = data_dir + "/german_credit.schema.yaml";
  PROBITY_RETURN_IF_ERROR(fs.CreateDirectories(data_dir));
  PROBITY_ASSIGN_OR_RETURN(RecordingSession session, OpenDemoWorkspace(args.out, global));
  PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(csv, embedded::german_credit_csv()));
  PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(schema, embedded::german_credit_schema_yaml()));

  DatasetArgs dataset;
  dataset.path = csv;
  dataset.schema_path = schema;
  PROBITY_ASSIGN_OR_RETURN(ingest::DatasetProfile profile, ProfileDatasetFile(dataset, global));

  PROBITY_RETURN_IF_ERROR(fs.CreateDirectories(args.out + "/models"));
  PROBITY_RETURN_IF_ERROR(fs.CreateDirectories(args.out + "/predictions"));
  std::vector<ModelReport> reports;
  for (const DemoModel& demo : DemoModels()) {
    PROBITY_ASSIGN_OR_RETURN(ModelReport report, AuditModel(demo, args.out, dataset, global));
    reports.push_back(std::move(report));
  }
  PROBITY_ASSIGN_OR_RETURN(DemoFairness fairness_audit,
                           AuditFairness(reports.front(), dataset, args.out, global));
  PROBITY_ASSIGN_OR_RETURN(DemoExplanations explanations,
                           ExplainDemo(reports.front(), dataset, args.out, global));

  const std::string profile_path = args.out + "/profile.json";
  const std::string summary_path = args.out + "/summary.txt";
  std::string summary =
      "Probity demo: the UCI Statlog German Credit data (CC BY 4.0) and two example models,\n"
      "all embedded in the probity binary: a profile of the data, then each model inspected\n"
      "and scored, the XGBoost model's decisions audited for fairness and explained, with\n"
      "reasons for every declined applicant. Every input and output is recorded as signed\n"
      "lineage in .probity/ and verified at the end. Later versions of the demo add policy\n"
      "checks and the audit report.\n\n" +
      profile.ToText() + ModelsText(reports) + fairness_audit.text + explanations.text;
  PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(profile_path, profile.ToJson()));
  PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(summary_path, summary));

  PROBITY_ASSIGN_OR_RETURN(DemoLineage lineage_ids,
                           RecordDemo(session, csv, schema, profile_path, summary_path, reports,
                                      fairness_audit, explanations, started));
  const std::string keys_path = args.out + "/trusted-keys.pem";
  PROBITY_ASSIGN_OR_RETURN(lineage::VerifyReport verified, VerifyDemo(session, keys_path));
  const std::string auditor_command =
      "probity verify --workspace " + args.out + " --trusted-keys " + keys_path;

  if (global.json) {
    nlohmann::ordered_json doc = MachineDocument("probity.demo/1");
    nlohmann::ordered_json outputs;
    outputs["data"] = csv;
    outputs["schema_file"] = schema;
    outputs["profile"] = profile_path;
    outputs["summary"] = summary_path;
    doc["outputs"] = outputs;
    doc["rows"] = profile.scan.rows;
    doc["columns"] = profile.columns.size();
    doc["digest"] = profile.scan.digest.ToString();
    nlohmann::ordered_json facets = nlohmann::ordered_json::array();
    for (const auto& f : profile.candidate_facets) facets.push_back(f.column);
    doc["candidate_facets"] = facets;
    nlohmann::ordered_json models = nlohmann::ordered_json::array();
    for (const ModelReport& r : reports) {
      const ModelInfo& info = r.model->info();
      nlohmann::ordered_json m;
      m["path"] = r.path;
      m["format"] = info.format;
      m["digest"] = info.digest.ToString();
      m["task"] = ModelTaskName(info.task);
      m["scan"] = {{"verdict", r.scan.Fails(/*strict=*/true) ? "fail" : "pass"},
                   {"findings", r.scan.findings.size()}};
      m["inputs"] = info.inputs.size();
      m["predictions"] = r.predictions;
      m["scored_rows"] = r.scored.rows;
      m["accuracy"] = JsonNumber(Accuracy(r.scored.score));
      models.push_back(std::move(m));
    }
    doc["models"] = std::move(models);
    nlohmann::ordered_json fairness_doc;
    fairness_doc["model"] = reports.front().path;
    fairness_doc["report"] = fairness_audit.report_path;
    fairness_doc["legal_tables"] = fairness_audit.tables_path;
    fairness_doc["facets"] = {"sex", "age", "foreign_worker"};
    nlohmann::ordered_json flagged = nlohmann::ordered_json::array();
    for (const auto& t : fairness_audit.four_fifths) {
      for (const auto& row : t.rows) {
        if (row.below_four_fifths) flagged.push_back(t.facet + "=" + row.category);
      }
    }
    fairness_doc["below_four_fifths"] = std::move(flagged);
    doc["fairness"] = std::move(fairness_doc);
    nlohmann::ordered_json explain_doc;
    explain_doc["model"] = reports.front().path;
    explain_doc["method"] = explanations.shap.document.value("method", "");
    explain_doc["shap_values"] = explanations.shap.outputs.empty()
                                     ? std::string()
                                     : explanations.shap.outputs.front().first;
    explain_doc["report"] = explanations.shap_json;
    explain_doc["max_additivity_error"] = explanations.shap.document["max_additivity_error"];
    explain_doc["reasons"] = explanations.reasons_csv;
    explain_doc["reasons_report"] = explanations.reasons_json;
    explain_doc["declined"] = explanations.reasons.report.rows.size();
    explain_doc["unstable"] = explanations.reasons.report.unstable_rows;
    doc["explain"] = std::move(explain_doc);
    nlohmann::ordered_json lineage_doc;
    lineage_doc["workspace"] = session.workspace.dir;
    lineage_doc["log_size"] = lineage_ids.log_size;
    lineage_doc["dataset_id"] = lineage_ids.data;
    lineage_doc["model_ids"] = lineage_ids.models;
    lineage_doc["card_id"] =
        lineage_ids.card ? nlohmann::ordered_json(*lineage_ids.card) : nlohmann::ordered_json();
    lineage_doc["verified"] = verified.verified();
    lineage_doc["verify_failures"] = verified.failures.size();
    lineage_doc["auditor_command"] = auditor_command;
    doc["lineage"] = std::move(lineage_doc);
    std::cout << DumpJson(doc) << std::flush;
  } else {
    std::cout << summary << "\nOutputs:\n"
              << "  " << profile_path << "   machine-readable profile (probity.data.profile/1)\n"
              << "  " << summary_path << "   this summary\n"
              << "  " << csv << "   the data set\n"
              << "  " << schema << "   its schema (roles: label, facets)\n"
              << "  " << args.out << "/models/   the example models\n"
              << "  " << args.out << "/predictions/   their predictions (probity predict format)\n"
              << "  " << fairness_audit.report_path << "   fairness report (probity.fairness/1)\n"
              << "  " << fairness_audit.tables_path << "   four-fifths and NYC LL144 tables\n"
              << "  " << explanations.shap_json << "   explanations (probity.explain/1), values in "
              << "shap.csv\n"
              << "  " << explanations.reasons_csv << "   reason codes for declined applicants\n"
              << "  " << session.workspace.dir << "/   signed lineage of this run (log size "
              << lineage_ids.log_size << ")\n"
              << "\nLineage: " << (verified.verified() ? "VERIFIED" : "FAILED") << " ("
              << verified.records << " records, " << verified.checkpoints << " signed checkpoints, "
              << verified.attestations << " signed attestations, " << verified.artifacts_checked
              << " artifacts re-hashed, " << verified.failures.size() << " failures)\n"
              << (lineage_ids.card
                      ? "Model card draft for " + DemoModels()[0].file + ": probity --workspace " +
                            args.out + " card show " + std::to_string(lineage_ids.models[0]) + "\n"
                      : std::string())
              << "An auditor re-checks it, offline, with:\n  " << auditor_command << "\n"
              << std::flush;
  }
  return verified.verified() ? Verdict::kPass : Verdict::kFail;
}

}  // namespace

void AddDemoCommand(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the demo audit on the embedded German credit data and write its outputs");
  cmd->add_option("--out", args->out, "Output directory")->default_str("probity-demo");
  cmd->footer("Example:\n  probity demo && less probity-demo/summary.txt");
  cmd->callback([args, &global, selected] {
    *selected = [args, &global] { return RunDemo(*args, global); };
  });
}

}  // namespace probity::cli
