// Shared by the model card tests: a lineage store holding a model, the training run that
// produced it from a dataset, and an evaluation run that scored it on a second dataset; the
// owner's card file that fills every section; and JSON Schema validation through
// tests/tools/validate_json_draft7.py (Debian's python3-jsonschema).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "audit/core/clock.h"
#include "lineage/card.h"
#include "lineage/keys.h"
#include "lineage/store.h"
#include "tests/testing/run_command.h"

namespace probity::lineage::testing {

// Hex digests written out by hand so the expectations do not come from the code under test.
inline const std::string kTrainDigest =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";
inline const std::string kEvalDigest =
    "sha256:2222222222222222222222222222222222222222222222222222222222222222";
inline const std::string kModelDigest =
    "sha256:abcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdefabcdef0123";

// The owner's card file: every section, with values chosen to exercise the mappings.
inline const char kOwnerYaml[] = R"(details:
  name: German credit risk
  overview: Scores loan applications for default risk.
  documentation: Gradient-boosted trees trained on the Statlog German credit data.
  version: {name: "1.2", date: 2026-11-28, diff: Added the age feature}
  owners:
    - {name: Credit Analytics, contact: credit@example.org}
    - {name: Model Risk Office, contact: room 4.12}
  licenses:
    - identifier: Apache-2.0
  references: [https://doi.org/10.24432/C5NC77]
  citations:
    - {style: text, citation: "Hofmann, H. (1994). Statlog (German Credit Data)."}
model:
  task: binary classification
  approach: supervised
  architecture: gradient-boosted decision trees
  algorithm: XGBoost gbtree
  input_format: CSV row of 20 applicant attributes
  output_format: probability of default in [0, 1]
  hyperparameters: {learning_rate: 0.05}
intended_uses:
  purpose: Support loan officers in ranking applications.
  uses: [ranking applications for manual review]
  users: [loan officers, model risk auditors]
  out_of_scope_uses: [fully automated rejection]
risk:
  rating: Medium
  explanation: Decisions affect access to credit.
metrics:
  - {type: accuracy, value: 0.76, slice: all applicants, confidence_interval: {lower: 0.73, upper: 0.79}}
  - {type: disparate impact, value: 0.82, slice: "age < 25 vs age >= 25"}
  - {type: calibration, value: "well calibrated"}
fairness_assessments:
  - group_at_risk: applicants under 25
    benefits: Faster decisions
    harms: Higher false rejection rate
    mitigation: Manual review of every rejection under 25
limitations: [Trained on 1970s German data]
tradeoffs: [Higher recall costs precision]
ethical_considerations:
  - {name: Age is a protected attribute, mitigation: Disparate impact is monitored}
)";

inline std::string TempPath(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("probity_card_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

// A store with: dataset "train.csv" (kTrainDigest) → execution "train" (parameters) → model
// "model.json" (kModelDigest) → execution "evaluate" (+ dataset "holdout.csv", kEvalDigest) →
// metrics artifact with one metric in its properties.
struct CardStore {
  FixedClock clock{TimePoint(std::chrono::seconds(1795000000))};
  std::unique_ptr<LineageStore> store;
  std::unique_ptr<Signer> signer;
  int64_t train = -1, eval = -1, model = -1, training_run = -1, evaluation_run = -1, metrics = -1;

  explicit CardStore(const std::string& name) {
    const std::string path = TempPath(name + ".db");
    std::filesystem::remove(path);
    StoreOptions options;
    options.create = true;
    options.origin = "probity.test/cards";
    options.clock = &clock;
    options.synchronous_full = false;
    auto opened = LineageStore::Open(path, options);
    EXPECT_TRUE(opened.has_value()) << opened.error().ToString();
    store = std::move(*opened);
    signer = std::move(*GenerateEd25519Signer());
    auto batch = std::move(*store->Begin());
    auto add = [&](RecordKind kind, nlohmann::json fields) {
      auto id = batch->Add({kind, std::move(fields)});
      EXPECT_TRUE(id.has_value()) << id.error().ToString();
      return id.has_value() ? *id : int64_t{-1};
    };
    train = add(RecordKind::kArtifact, {{"digest", kTrainDigest},
                                        {"kind", "dataset"},
                                        {"name", "train.csv"},
                                        {"uri", "file:///data/train.csv"}});
    eval = add(RecordKind::kArtifact,
               {{"digest", kEvalDigest}, {"kind", "dataset"}, {"name", "holdout.csv"}});
    model = add(RecordKind::kArtifact, {{"digest", kModelDigest},
                                        {"kind", "model"},
                                        {"name", "model.json"},
                                        {"uri", "file:///models/model.json"}});
    training_run = add(RecordKind::kExecution, {{"name", "train"},
                                                {"status", "complete"},
                                                {"parameters",
                                                 {{"max_depth", 4},
                                                  {"eta", 0.3},
                                                  {"objective", "binary:logistic"},
                                                  {"monotone", {{"age", 1}}}}}});
    add(RecordKind::kEvent,
        {{"execution", training_run}, {"artifact", train}, {"direction", "input"}});
    add(RecordKind::kEvent,
        {{"execution", training_run}, {"artifact", model}, {"direction", "output"}});
    evaluation_run = add(RecordKind::kExecution, {{"name", "evaluate"}, {"status", "complete"}});
    metrics = add(
        RecordKind::kArtifact,
        {{"digest", "sha256:3333333333333333333333333333333333333333333333333333333333333333"},
         {"kind", "metrics"},
         {"name", "metrics.json"},
         {"properties",
          {{"metrics", nlohmann::json::array(
                           {{{"type", "auc"},
                             {"value", 0.81},
                             {"slice", "holdout"},
                             {"confidence_interval", {{"lower", 0.78}, {"upper", 0.84}}}}})}}}});
    add(RecordKind::kEvent,
        {{"execution", evaluation_run}, {"artifact", model}, {"direction", "input"}});
    add(RecordKind::kEvent,
        {{"execution", evaluation_run}, {"artifact", eval}, {"direction", "input"}});
    add(RecordKind::kEvent,
        {{"execution", evaluation_run}, {"artifact", metrics}, {"direction", "output"}});
    auto committed = batch->Commit(*signer);
    EXPECT_TRUE(committed.has_value()) << committed.error().ToString();
  }
};

// The rich card: lineage plus kOwnerYaml, recorded as version 1 (init) and 2 (edit).
inline ModelCard RichCard(CardStore& s) {
  ModelCard card = *InitCardFromLineage(*s.store, s.model);
  card = NextCardVersion(std::move(card), "init", s.signer->key_id(), s.clock.Now());
  auto edited = EditCard(card, kOwnerYaml, "card.yaml");
  EXPECT_TRUE(edited.has_value()) << edited.error().ToString();
  return NextCardVersion(std::move(*edited), "edit", s.signer->key_id(), s.clock.Now());
}

inline bool PythonJsonSchemaAvailable() {
  return probity::testing::RunCommand({"/usr/bin/python3", "-c", "import jsonschema"}).exit_code ==
         0;
}

// Runs tests/tools/validate_json_draft7.py on `document`; exit 0 means valid.
inline probity::testing::CommandResult ValidateDraft7(const std::string& schema,
                                                      const std::string& document,
                                                      const std::vector<std::string>& refs = {}) {
  static int counter = 0;
  const std::string instance = TempPath("instance_" + std::to_string(counter++) + ".json");
  std::ofstream(instance, std::ios::binary) << document;
  std::vector<std::string> argv = {
      "/usr/bin/python3", std::string(PROBITY_SOURCE_DIR) + "/tests/tools/validate_json_draft7.py",
      schema, instance};
  argv.insert(argv.end(), refs.begin(), refs.end());
  return probity::testing::RunCommand(argv);
}

inline std::string ProjectData(const std::string& relative) {
  return std::string(PROBITY_SOURCE_DIR) + "/tests/data/model_cards/" + relative;
}
inline std::vector<std::string> CycloneDxRefs() {
  return {ProjectData("cyclonedx/spdx.schema.json"), ProjectData("cyclonedx/jsf-0.82.schema.json")};
}

}  // namespace probity::lineage::testing
