// Golden tests of `probity fairness` on real data: German credit (with the example XGBoost
// model, and labels only) and UCI Adult (labels only), against the values
// tests/fairness/golden/make_golden.py computed with pandas from the data and from
// XGBoost's own predictions, by the tools' published formulas (reference/fairness.md); see
// tests/data/fairness/golden/README.md. Also the command's malformed-input contract (exit 3
// naming the culprit) and the --partial / merge round trip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/fairness/golden_util.h"

namespace probity::testing {
namespace {

std::string Source(const std::string& relative) {
  return std::string(PROBITY_SOURCE_DIR) + "/" + relative;
}

const Json& Expected(const std::string& name) {
  static std::map<std::string, Json> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    it = cache.emplace(name, LoadJson(TestDataPath("fairness/golden/" + name + ".expected.json")))
             .first;
  }
  return it->second;
}

// German credit, label credit_risk (favourable good), facets sex, foreign_worker and age in
// the bands (-inf, 25], (25, 40], (40, inf).
std::vector<std::string> GermanArgs(bool model, std::vector<std::string> facets = {}) {
  std::vector<std::string> args = {"--data",     Source("examples/data/german_credit.csv"),
                                   "--schema",   Source("examples/data/german_credit.schema.yaml"),
                                   "--label",    "credit_risk",
                                   "--positive", "good"};
  if (model) {
    args.insert(args.end(), {"--model", Source("examples/models/german_credit_xgboost.json"),
                             "--predicted-positive", "1"});
  }
  if (facets.empty()) {
    facets = {"--facet", "sex", "--facet", "foreign_worker",
              "--facet", "age", "--bins",  "age=25,40"};
  }
  args.insert(args.end(), facets.begin(), facets.end());
  return args;
}

// Each report once per test process (ctest runs every test in its own).
const Json& GermanModelReport(bool compat) {
  if (compat) {
    static const Json clarify = [] {
      std::vector<std::string> args = GermanArgs(true);
      args.push_back("--clarify-compat");
      return RunFairnessJson(args);
    }();
    return clarify;
  }
  static const Json plain = RunFairnessJson(GermanArgs(true));
  return plain;
}

TEST(FairnessGoldenTest, GermanCreditModelGroupCountsAndRates) {
  const Json& report = GermanModelReport(false);
  ASSERT_FALSE(report.is_discarded());
  EXPECT_EQ(report["label"]["column"], "credit_risk");
  EXPECT_EQ(report["rows"]["read"], 1000);
  EXPECT_EQ(report["rows"]["label_missing"], 0);
  EXPECT_EQ(report["rows"]["prediction_missing"], 0);
  ExpectAnalysis(report, Expected("german_credit")["model"], Check::kGroups, false);
  // The 37 non-foreign workers are not below the default --min-group-size of 30.
  const Json* fw = FindBy(report["facets"], "facet", "foreign_worker");
  ASSERT_NE(fw, nullptr);
  const Json* no = FindBy((*fw)["groups"], "group", "no");
  ASSERT_NE(no, nullptr);
  EXPECT_EQ((*no)["small"], false);
}

TEST(FairnessGoldenTest, GermanCreditModelPairMetrics) {
  // Clarify pre- and post-training, AIF360 pair metrics; every one-vs-rest comparison.
  ExpectAnalysis(GermanModelReport(false), Expected("german_credit")["model"], Check::kComparisons,
                 false);
}

TEST(FairnessGoldenTest, GermanCreditModelFairlearnAggregatesAndDatasetMetrics) {
  const Json& report = GermanModelReport(false);
  const Json& expected = Expected("german_credit")["model"];
  ExpectAnalysis(report, expected, Check::kFacetMetrics, false);
  ExpectMetrics(report["dataset_metrics"], expected["dataset_metrics"], false, "dataset");
}

TEST(FairnessGoldenTest, GermanCreditClarifyCompatGivesTheSameValuesWithoutZeroCells) {
  // No group of these facets has an empty cell, so Clarify's arithmetic changes nothing:
  // the reference has no clarify_compat value for them.
  const Json& report = GermanModelReport(true);
  ASSERT_FALSE(report.is_discarded());
  EXPECT_EQ(report["options"]["clarify_compat"], true);
  ExpectAnalysis(report, Expected("german_credit")["model"], Check::kComparisons, true);
}

// --facet 'age>74': two applicants, both good and both predicted good. Probity reports KL =
// inf and DCR, SD, DRR, TE undefined (0/0); Clarify's arithmetic (--clarify-compat) gives KL
// = −0.250 (common support only), halves TVD, and turns 0/0 into 0. The test shows both.
TEST(FairnessGoldenTest, GermanCreditZeroCellsProbityAndClarifyArithmetic) {
  const Json& expected = Expected("german_credit")["age_over_74"];
  std::vector<std::string> args = GermanArgs(true, {"--facet", "age>74"});
  const Json report = RunFairnessJson(args);
  ExpectAnalysis(report, expected, Check::kGroups, false, /*rest=*/false);
  ExpectAnalysis(report, expected, Check::kComparisons, false, /*rest=*/false);
  const Json* age = FindBy(report["facets"], "facet", "age");
  ASSERT_NE(age, nullptr);
  const Json* over = FindBy((*age)["groups"], "group", "(74, inf)");
  ASSERT_NE(over, nullptr);
  EXPECT_EQ((*over)["small"], true);

  args.push_back("--clarify-compat");
  const Json compat = RunFairnessJson(args);
  ExpectAnalysis(compat, expected, Check::kComparisons, true, /*rest=*/false);
}

TEST(FairnessGoldenTest, GermanCreditLabelsOnly) {
  const Json report = RunFairnessJson(GermanArgs(false));
  ASSERT_FALSE(report.is_discarded());
  EXPECT_TRUE(report["prediction"].is_null());
  const Json& expected = Expected("german_credit")["labels_only"];
  ExpectAnalysis(report, expected, Check::kGroups, false);
  ExpectAnalysis(report, expected, Check::kComparisons, false);
  // Without predictions there is no post-training metric.
  for (const Json& facet : report["facets"]) {
    for (const Json& c : facet["comparisons"]) {
      for (const Json& m : c["metrics"]) EXPECT_NE(m["stage"], "post-training") << m.dump();
    }
  }
}

TEST(FairnessGoldenTest, AdultLabelsOnlySexAndRace) {
  const Json report = RunFairnessJson({"--data", TestDataPath("adult.data.gz"), "--schema",
                                       TestDataPath("adult.schema.yaml"), "--label", "income",
                                       "--positive", ">50K", "--facet", "sex", "--facet", "race"});
  ASSERT_FALSE(report.is_discarded());
  EXPECT_EQ(report["rows"]["read"], 32561);
  const Json& expected = Expected("adult")["labels_only"];
  ExpectAnalysis(report, expected, Check::kGroups, false);
  ExpectAnalysis(report, expected, Check::kComparisons, false);
}

// ---- malformed input: exit 3, a message naming the culprit ----------------------------------

class FairnessCliTest : public ::testing::Test {
 protected:
  static std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + "/fairness_cli_" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  static CommandResult Fairness(std::vector<std::string> args) {
    args.insert(args.begin(), "fairness");
    return RunProbity(args);
  }
};

TEST_F(FairnessCliTest, UnknownFacetColumnIsExit3NamingIt) {
  const CommandResult r = Fairness(GermanArgs(false, {"--facet", "no_such_column"}));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("\"no_such_column\" does not exist"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("german_credit.csv"), std::string::npos) << r.err;
}

TEST_F(FairnessCliTest, UnknownLabelColumnIsExit3NamingIt) {
  std::vector<std::string> args = GermanArgs(false, {"--facet", "sex"});
  args[5] = "no_such_label";  // --label
  const CommandResult r = Fairness(args);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("label column \"no_such_label\" does not exist"), std::string::npos)
      << r.err;
}

TEST_F(FairnessCliTest, LabelWithNoPositiveValueIsExit3NamingIt) {
  std::vector<std::string> args = GermanArgs(false, {"--facet", "sex"});
  args[7] = "excellent";  // --positive: no row has it
  const CommandResult r = Fairness(args);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("\"credit_risk\" has no row with a favourable value"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("excellent"), std::string::npos) << r.err;
}

TEST_F(FairnessCliTest, NonNumericScoreIsExit3NamingIt) {
  std::vector<std::string> args =
      GermanArgs(false, {"--facet", "sex", "--score", "purpose", "--threshold", "0.5"});
  const CommandResult r = Fairness(args);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("score column \"purpose\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("numeric"), std::string::npos) << r.err;
}

TEST_F(FairnessCliTest, FacetWithOneValueIsExit3NamingIt) {
  const std::string path = WriteFile("one_value.csv",
                                     "region,y\n"
                                     "north,1\nnorth,0\nnorth,1\nnorth,0\n");
  const CommandResult r =
      Fairness({"--data", path, "--label", "y", "--positive", "1", "--facet", "region"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("\"region\" has only one value"), std::string::npos) << r.err;
}

// ---- shards: --partial per shard, `fairness merge`, the same counts as one run -------------

TEST_F(FairnessCliTest, PartialShardsMergeToTheSingleFileCounts) {
  std::ifstream in(Source("examples/data/german_credit.csv"));
  std::string header, line;
  std::getline(in, header);
  std::string shard[2] = {header + "\n", header + "\n"};
  for (int row = 0; std::getline(in, line); ++row) shard[row < 400 ? 0 : 1] += line + "\n";
  std::vector<std::string> parts;
  for (int i = 0; i < 2; ++i) {
    const std::string csv = WriteFile("shard" + std::to_string(i) + ".csv", shard[i]);
    const std::string part =
        ::testing::TempDir() + "/fairness_cli_shard" + std::to_string(i) + ".partial";
    std::vector<std::string> args = GermanArgs(true);
    args[1] = csv;
    args.push_back("--partial");
    args.push_back(part);
    args.push_back("--quiet");
    const CommandResult r = Fairness(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    parts.push_back(part);
  }
  const CommandResult merged =
      Fairness({"merge", parts[0], parts[1], "--facet", "sex", "--facet", "foreign_worker",
                "--facet", "age", "--bins", "age=25,40", "--json", "--quiet"});
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  const Json report = Json::parse(merged.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << merged.out;
  const Json& single = GermanModelReport(false);
  EXPECT_EQ(report["rows"]["used"], single["rows"]["used"]);
  for (const Json& facet : single["facets"]) {
    const Json* m = FindBy(report["facets"], "facet", facet["facet"]);
    ASSERT_NE(m, nullptr) << facet["facet"];
    ASSERT_EQ((*m)["groups"].size(), facet["groups"].size());
    for (const Json& g : facet["groups"]) {
      const Json* mg = FindBy((*m)["groups"], "group", g["group"]);
      ASSERT_NE(mg, nullptr) << g["group"];
      for (const char* k : {"n", "rows", "tp", "fp", "tn", "fn"}) {
        EXPECT_EQ((*mg)[k], g[k]) << facet["facet"] << " " << g["group"] << " " << k;
      }
    }
  }
  // And both equal the independent reference.
  ExpectAnalysis(report, Expected("german_credit")["model"], Check::kGroups, false);
}

}  // namespace
}  // namespace probity::testing

namespace probity::testing {
namespace {

// --record: the run lands in the workspace's signed lineage (data, model, report, the step,
// and a fairness statement about the model), and the workspace still verifies offline.
TEST(FairnessRecordTest, RecordAddsASignedStatementThatVerifies) {
  const std::string ws = ::testing::TempDir() + "/fairness_record_ws";
  std::filesystem::remove_all(ws);
  std::filesystem::create_directories(ws);
  ASSERT_EQ(RunProbity({"init", ws}).exit_code, 0);
  const std::string keys = ws + "/trusted.pem";
  std::ofstream(keys) << RunProbity({"--workspace", ws, "key", "export"}).out;
  std::vector<std::string> args = {"--workspace", ws, "--quiet", "fairness", "--record"};
  for (const std::string& a : GermanArgs(true, {"--facet", "sex"})) args.push_back(a);
  const CommandResult run = RunProbity(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const CommandResult verified =
      RunProbity({"--json", "--workspace", ws, "verify", "--trusted-keys", keys});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  const Json report = Json::parse(verified.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << verified.out;
  EXPECT_EQ(report.value("attestations", 0), 1) << verified.out;
  // Records 0–2 are the data, the model and the report; 3 is the step.
  const CommandResult graph = RunProbity({"--json", "--workspace", ws, "lineage", "show", "3"});
  EXPECT_NE(graph.out.find("probity fairness"), std::string::npos) << graph.out;
}

}  // namespace
}  // namespace probity::testing
