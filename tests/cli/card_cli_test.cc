// `probity card …` and `probity lineage export cyclonedx` end to end: a workspace, a model
// artifact, the card's versions, the two-key approval rule, and exports validated against
// their JSON Schemas (tests/tools/validate_json_draft7.py, Debian's python3-jsonschema).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/testing/run_command.h"
#include "tests/testing/test_data.h"

namespace probity {
namespace {

using nlohmann::json;
using testing::CommandResult;
using testing::RunCommand;
using testing::RunProbity;

class CardCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("probity_card_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_EQ(RunProbity({"init", dir_.string()}).exit_code, 0);
    Write("model.json", "{\"learner\": {}}\n");
    model_ = AddArtifact("model.json", "model");
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(Path(name), std::ios::binary) << text;
  }
  CommandResult Probity(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--workspace", dir_.string()});
    return RunProbity(args);
  }
  std::string AddArtifact(const std::string& name, const std::string& kind) const {
    CommandResult r = Probity({"--json", "lineage", "add", "artifact", Path(name), "--kind", kind});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::to_string(json::parse(r.out)["id"].get<int64_t>());
  }
  json Show(const std::string& version = "") const {
    std::vector<std::string> args = {"--json", "card", "show", model_};
    if (!version.empty()) args.insert(args.end(), {"--version", version});
    CommandResult r = Probity(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out);
  }

  std::filesystem::path dir_;
  std::string model_;
};

constexpr char kCardYaml[] = R"(details:
  name: German credit risk
  overview: Scores loan applications.
  version: {name: "1.0", date: 2026-11-28}
  owners: [{name: Credit Analytics, contact: credit@example.org}]
  licenses: [{identifier: MIT}]
model: {task: binary classification, approach: supervised}
intended_uses: {purpose: Ranking, users: [loan officers], out_of_scope_uses: [automated rejection]}
risk: {rating: High, explanation: Access to credit.}
metrics:
  - {type: accuracy, value: 0.76, slice: all, confidence_interval: {lower: 0.73, upper: 0.79}}
fairness_assessments: [{group_at_risk: applicants under 25, harms: more rejections}]
ethical_considerations: [{name: Age is protected, mitigation: monitored}]
)";

TEST_F(CardCliTest, VersionsEditsAndTheTwoKeyApproval) {
  CommandResult init = Probity({"--json", "card", "init", model_});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_EQ(json::parse(init.out)["version"], 1);
  EXPECT_EQ(json::parse(init.out)["status"], "draft");
  CommandResult again = Probity({"card", "init", model_});
  EXPECT_EQ(again.exit_code, 4) << again.err;
  EXPECT_NE(again.err.find("already has a card"), std::string::npos);

  Write("card.yaml", kCardYaml);
  CommandResult set = Probity({"card", "set", model_, Path("card.yaml")});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  // Malformed YAML and an unknown key are bad input, located in the file.
  Write("bad.yaml", "details:\n  name: [unclosed\n");
  CommandResult bad = Probity({"card", "edit", model_, Path("bad.yaml")});
  EXPECT_EQ(bad.exit_code, 3);
  EXPECT_NE(bad.err.find("bad.yaml:3:1: not valid YAML"), std::string::npos) << bad.err;
  Write("unknown.yaml", "details:\n  name: x\n  colour: blue\n");
  CommandResult unknown = Probity({"card", "set", model_, Path("unknown.yaml")});
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_NE(unknown.err.find("unknown.yaml:3:3: unknown key \"details.colour\""), std::string::npos)
      << unknown.err;

  json v2 = Show();
  EXPECT_EQ(v2["version"], 2);
  EXPECT_EQ(v2["card"]["details"]["name"], "German credit risk");
  EXPECT_EQ(Show("1")["card"]["status_history"].size(), 1u);

  // draft → approved skips review; the author cannot approve; a second key can.
  EXPECT_EQ(Probity({"card", "approve", model_, "--status", "approved"}).exit_code, 4);
  ASSERT_EQ(Probity({"card", "approve", model_, "--status", "pending_review"}).exit_code, 0);
  CommandResult same = Probity({"card", "approve", model_, "--status", "approved"});
  EXPECT_EQ(same.exit_code, 4);
  EXPECT_NE(same.err.find("different key"), std::string::npos) << same.err;
  CommandResult key = Probity({"--json", "key", "generate", "--name", "reviewer"});
  ASSERT_EQ(key.exit_code, 0) << key.err;
  const std::string reviewer = json::parse(key.out)["key_id"];
  CommandResult approved =
      Probity({"card", "approve", model_, "--status", "approved", "--key", "reviewer"});
  ASSERT_EQ(approved.exit_code, 0) << approved.err;
  json v4 = Show();
  EXPECT_EQ(v4["version"], 4);
  EXPECT_EQ(v4["card"]["status"], "approved");
  EXPECT_EQ(v4["card"]["status_history"][3]["key_id"], reviewer);
  EXPECT_NE(v4["card"]["status_history"][2]["key_id"], reviewer);

  // Each version is a card record linked to the previous one and bound to the model digest.
  CommandResult record =
      Probity({"--json", "lineage", "show", std::to_string(v4["record_id"].get<int64_t>())});
  ASSERT_EQ(record.exit_code, 0);
  json r = json::parse(record.out)["record"];
  EXPECT_EQ(r["record"], "card");
  EXPECT_EQ(r["version"], 4);
  EXPECT_EQ(r["previous"], Show("3")["record_id"]);
  EXPECT_EQ(r["model_digest"], v4["card"]["model"]["digest"]);

  // The store with its card versions verifies when the auditor trusts both keys.
  CommandResult author_key = Probity({"key", "export"});
  CommandResult reviewer_key = Probity({"key", "export", "reviewer"});
  ASSERT_EQ(author_key.exit_code, 0);
  ASSERT_EQ(reviewer_key.exit_code, 0);
  Write("trusted.pem", author_key.out + reviewer_key.out);
  CommandResult verified = Probity({"verify", "--trusted-keys", Path("trusted.pem")});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
}

TEST_F(CardCliTest, ExportsValidateAgainstTheirSchemas) {
  if (RunCommand({"/usr/bin/python3", "-c", "import jsonschema"}).exit_code != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with jsonschema is not installed (Debian: "
                    "python3-jsonschema); schema validation not run";
  }
  Write("train.csv", "a,b\n1,2\n");
  AddArtifact("train.csv", "dataset");
  ASSERT_EQ(Probity({"card", "init", model_}).exit_code, 0);
  Write("card.yaml", kCardYaml);
  ASSERT_EQ(Probity({"card", "set", model_, Path("card.yaml")}).exit_code, 0);

  const std::string tools = std::string(PROBITY_SOURCE_DIR) + "/tests/tools/";
  const std::string data = std::string(PROBITY_SOURCE_DIR) + "/tests/data/model_cards/";
  const std::vector<std::string> cdx_refs = {data + "cyclonedx/spdx.schema.json",
                                             data + "cyclonedx/jsf-0.82.schema.json"};
  auto validate = [&](const std::string& schema, const std::string& instance,
                      std::vector<std::string> refs = {}) {
    std::vector<std::string> argv = {"/usr/bin/python3", tools + "validate_json_draft7.py", schema,
                                     instance};
    argv.insert(argv.end(), refs.begin(), refs.end());
    return RunCommand(argv);
  };
  CommandResult mct =
      Probity({"card", "export", model_, "--format", "mct", "--out", Path("mct.json")});
  ASSERT_EQ(mct.exit_code, 0) << mct.err;
  CommandResult v = validate(data + "mct/model_card.schema.json", Path("mct.json"));
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;

  CommandResult cdx = Probity({"card", "export", model_, "--format", "cyclonedx"});
  ASSERT_EQ(cdx.exit_code, 0) << cdx.err;
  Write("bom.json", cdx.out);
  v = validate(data + "cyclonedx/bom-1.6.schema.json", Path("bom.json"), cdx_refs);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  // `lineage export cyclonedx` writes the same BOM.
  ASSERT_EQ(
      Probity({"lineage", "export", "cyclonedx", model_, "--out", Path("bom2.json")}).exit_code, 0);
  EXPECT_EQ(testing::Slurp(Path("bom2.json")), cdx.out);

  const std::string sagemaker_schema =
      testing::SharedPath("data/sagemaker/schemas/model-card.schema.json");
  CommandResult sm =
      Probity({"card", "export", model_, "--format", "sagemaker", "--out", Path("sm.json")});
  ASSERT_EQ(sm.exit_code, 0) << sm.err;
  if (!sagemaker_schema.empty()) {
    v = validate(sagemaker_schema, Path("sm.json"));
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }

  // A model without a card: card export refuses, lineage export uses lineage alone.
  Write("other.json", "{}\n");
  const std::string other = AddArtifact("other.json", "model");
  CommandResult no_card = Probity({"card", "export", other, "--format", "mct"});
  EXPECT_EQ(no_card.exit_code, 3);
  EXPECT_NE(no_card.err.find("has no card"), std::string::npos) << no_card.err;
  ASSERT_EQ(
      Probity({"lineage", "export", "cyclonedx", other, "--out", Path("bom3.json")}).exit_code, 0);
  v = validate(data + "cyclonedx/bom-1.6.schema.json", Path("bom3.json"), cdx_refs);
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  // A dataset is not a model.
  EXPECT_EQ(Probity({"card", "init", AddArtifact("train.csv", "dataset")}).exit_code, 3);
}

}  // namespace
}  // namespace probity
