// The lineage import/export commands end to end: imports are recorded, signed and verified;
// a file that fails its schema is rejected whole (exit 3) and nothing of it is recorded;
// --follow streams JSON Lines from stdin with a rejects file; the OpenLineage export of a
// workspace is valid against the OpenLineage schema (checked with python3-jsonschema).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/testing/run_command.h"
#include "tests/testing/test_data.h"

namespace probity {
namespace {

namespace fs = std::filesystem;
using testing::RunCommand;
using testing::RunProbity;
using testing::Slurp;
using testing::TestDataPath;

class LineageCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = ::testing::TempDir() + "/probity_lineage_cli_" +
          ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(ws_);
    fs::create_directories(ws_);
    ASSERT_EQ(RunProbity({"init", ws_}).exit_code, 0);
    keys_ = ws_ + "/keys.pem";
    std::ofstream(keys_) << RunProbity({"--workspace", ws_, "key", "export"}).out;
  }
  void TearDown() override { fs::remove_all(ws_); }

  int64_t LogSize() {
    auto r = RunProbity({"--json", "--workspace", ws_, "verify", "--trusted-keys", keys_});
    return nlohmann::json::parse(r.out)["records"].get<int64_t>();
  }
  testing::CommandResult Probity(std::vector<std::string> args) {
    args.insert(args.begin(), {"--workspace", ws_});
    return RunProbity(args);
  }

  std::string ws_;
  std::string keys_;
};

TEST_F(LineageCliTest, ImportsEachFormatAndVerifies) {
  // Fixtures copied from ../shared/data (tests/data/lineage/SOURCES.md).
  const std::string dir = TestDataPath("lineage/");
  struct Case {
    std::string format;
    std::string file;
  };
  for (const Case& c : {Case{"openlineage", "openlineage/fluentd-event_full.json"},
                        Case{"sagemaker", "sagemaker/TrainingJobStateChange.event.json"},
                        Case{"cloudtrail", "sagemaker/CreateEndpoint.cloudtrail.json"},
                        Case{"mlflow", "mlflow/MLmodel"}}) {
    const int64_t before = LogSize();
    auto r = Probity({"lineage", "import", c.format, dir + c.file});
    ASSERT_EQ(r.exit_code, 0) << c.format << ": " << r.err;
    EXPECT_GT(LogSize(), before) << c.format;
  }
  auto verified = RunProbity({"--workspace", ws_, "verify", "--trusted-keys", keys_});
  EXPECT_EQ(verified.exit_code, 0) << verified.out;
  // Imported records say where they came from.
  auto shown = Probity({"--json", "lineage", "show", "0"});
  ASSERT_EQ(shown.exit_code, 0);
  const nlohmann::json record = nlohmann::json::parse(shown.out)["record"];
  EXPECT_EQ(record["source"]["format"], "openlineage");
  EXPECT_EQ(record["source"]["file_digest"].get<std::string>().rfind("sha256:", 0), 0u);
}

TEST_F(LineageCliTest, InvalidFileIsRejectedWholeAndNothingIsRecorded) {
  // A valid event, then one whose parent run facet lacks runId, in one JSON Lines file.
  const std::string good = Slurp(TestDataPath("lineage/openlineage/fluentd-event_simple.json"));
  nlohmann::json bad = nlohmann::json::parse(good);
  bad["run"]["facets"]["parent"] = {
      {"_producer", "https://example.com"},
      {"_schemaURL", "https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json"},
      {"job", {{"namespace", "n"}, {"name", "j"}}},
      {"run", nlohmann::json::object()}};
  const std::string file = ws_ + "/events.jsonl";
  std::ofstream(file) << nlohmann::json::parse(good).dump() << "\n" << bad.dump() << "\n";
  auto r = Probity({"lineage", "import", "openlineage", file});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find(file + ":2:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/run/facets/parent/run"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("required"), std::string::npos) << r.err;
  EXPECT_EQ(LogSize(), 0);
}

TEST_F(LineageCliTest, FollowStreamsStdinAndKeepsRejects) {
  const std::string good =
      nlohmann::json::parse(Slurp(TestDataPath("lineage/openlineage/fluentd-event_simple.json")))
          .dump();
  const std::string input = ws_ + "/stream.jsonl";
  std::ofstream(input) << good << "\n{not json\n" << good << "\n";
  const std::string rejects = ws_ + "/rejects.jsonl";
  auto r = RunCommand({"/bin/sh", "-c",
                       "'" + testing::ProbityBinary() + "' --workspace '" + ws_ +
                           "' lineage import openlineage --follow - --rejects '" + rejects +
                           "' --batch-records 1 < '" + input + "'"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // a line was rejected
  EXPECT_NE(r.err.find("-:2:"), std::string::npos) << r.err;
  EXPECT_EQ(Slurp(rejects), "{not json\n");
  EXPECT_GT(LogSize(), 0);
  EXPECT_EQ(RunProbity({"--workspace", ws_, "verify", "--trusted-keys", keys_}).exit_code, 0);
}

TEST_F(LineageCliTest, OpenLineageExportIsValidAgainstTheSchema) {
  ASSERT_EQ(Probity({"lineage", "import", "openlineage",
                     TestDataPath("lineage/openlineage/fluentd-event_full.json")})
                .exit_code,
            0);
  ASSERT_EQ(RunProbity({"demo", "--out", ws_, "--quiet"}).exit_code, 0);
  const std::string events = ws_ + "/events.jsonl";
  auto r = Probity({"lineage", "export", "openlineage", "--out", events});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int lines = 0;
  {
    std::ifstream in(events);
    for (std::string line; std::getline(in, line);) ++lines;
  }
  EXPECT_GE(lines, 6);  // the imported run and the demo's profile, scan and predict steps
  if (RunCommand({"/usr/bin/python3", "-c", "import jsonschema"}).exit_code != 0) {
    GTEST_SKIP() << "python3-jsonschema is not installed (scripts/setup installs it)";
  }
  auto v = RunCommand({"/usr/bin/python3",
                       std::string(PROBITY_SOURCE_DIR) + "/tests/lineage/validate_openlineage.py",
                       std::string(PROBITY_SOURCE_DIR) + "/lineage/import/schemas/openlineage",
                       events});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

}  // namespace
}  // namespace probity
