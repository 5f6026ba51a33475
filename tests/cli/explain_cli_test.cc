// The `probity explain` command-line contract: outputs in the documented layouts, and bad
// input (a feature missing from the data, a background with another schema, K larger than
// the feature count, --method tree for a model without a tree view) exits 3 with a message
// naming the culprit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/run_command.h"

namespace probity::testing {
namespace {

using Json = nlohmann::json;

std::string Source(const std::string& relative) {
  return std::string(PROBITY_SOURCE_DIR) + "/" + relative;
}

const std::string kModel = Source("examples/models/german_credit_xgboost.json");
const std::string kPmml = Source("examples/models/german_credit_logistic.pmml");
const std::string kData = Source("examples/data/german_credit.csv");
const std::string kCodes = Source("examples/explain/german-credit-reasons.yaml");

std::string Temp(const std::string& name) {
  return std::string(::testing::TempDir()) + "/explain_cli_" + name;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The first `n` data rows of the German credit file with column `drop` removed and
// `replace` (column=value) applied to every row.
std::string GermanSubset(int n, const std::string& drop, const std::string& column = "",
                         const std::string& value = "") {
  std::ifstream in(kData);
  std::string out;
  std::string line;
  std::vector<std::string> header;
  int row = -1;
  while (std::getline(in, line) && row < n) {
    // Split on commas outside quotes.
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) {
        fields.push_back(field);
        field.clear();
      } else {
        field += c;
      }
    }
    fields.push_back(field);
    if (row < 0) header = fields;
    std::string joined;
    for (size_t j = 0; j < fields.size(); ++j) {
      if (header[j] == drop) continue;
      std::string f = fields[j];
      if (row >= 0 && header[j] == column) f = value;
      joined += (joined.empty() ? "" : ",") + f;
    }
    out += joined + "\n";
    ++row;
  }
  return out;
}

TEST(ExplainCliTest, TreeShapCsvHasOneRowPerInputAndTheXgboostLayout) {
  const std::string csv = Temp("tree.csv");
  const std::string json = Temp("tree.json");
  CommandResult r = RunProbity({"explain", "--model", kModel, "--data", kData, "--method", "tree",
                                "--csv", csv, "--out", json, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(Slurp(csv));
  ASSERT_EQ(lines.size(), 1001u);
  EXPECT_EQ(lines[0],
            "duration_months,credit_amount,installment_rate_pct,residence_since,age,"
            "existing_credits,num_dependents,base_value");
  Json doc = Json::parse(Slurp(json), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["schema"], "probity.explain/1");
  EXPECT_EQ(doc["method"], "tree_path_dependent");
  EXPECT_EQ(doc["space"], "margin");
  EXPECT_EQ(doc["data"]["rows_explained"], 1000);
  EXPECT_LT(doc["max_additivity_error"].get<double>(), 1e-9);
  // XGBoost sums float32 margins; the explanation is in double.
  EXPECT_LT(doc["max_model_difference"].get<double>(), 1e-4);
}

TEST(ExplainCliTest, RowSelectorPicksRowsInInputOrder) {
  const std::string csv = Temp("rows.csv");
  CommandResult r = RunProbity({"explain", "--model", kModel, "--data", kData, "--rows",
                                "5,0:2,998:", "--csv", csv, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(Slurp(csv)).size(), 1u + 5u);  // rows 0, 1, 5, 998, 999
}

TEST(ExplainCliTest, FeatureMissingFromDataExits3) {
  const std::string data = Temp("no_age.csv");
  WriteFile(data, GermanSubset(20, "age"));
  CommandResult r =
      RunProbity({"explain", "--model", kModel, "--data", data, "--method", "tree", "--quiet"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("\"age\""), std::string::npos) << r.err;
}

TEST(ExplainCliTest, BackgroundWithAnotherSchemaExits3) {
  const std::string background = Temp("text_age.csv");
  WriteFile(background, GermanSubset(20, "", "age", "old"));
  CommandResult r = RunProbity({"explain", "--model", kModel, "--data", kData, "--method",
                                "kernel", "--background", background, "--rows", "0", "--quiet"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("age"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(background), std::string::npos) << r.err;
}

TEST(ExplainCliTest, BackgroundMissingAColumnExits3) {
  const std::string background = Temp("bg_no_duration.csv");
  WriteFile(background, GermanSubset(20, "duration_months"));
  CommandResult r = RunProbity({"explain", "--model", kModel, "--data", kData, "--method",
                                "interventional", "--background", background, "--quiet"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("duration_months"), std::string::npos) << r.err;
}

TEST(ExplainCliTest, TopKLargerThanTheFeatureCountExits3) {
  CommandResult r = RunProbity({"explain", "reasons", "--model", kModel, "--data", kData,
                                "--codes", kCodes, "--top", "50", "--quiet"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("50"), std::string::npos) << r.err;
}

TEST(ExplainCliTest, TreeMethodForAModelWithoutTreesExits3) {
  CommandResult r =
      RunProbity({"explain", "--model", kPmml, "--data", kData, "--method", "tree", "--quiet"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("not a tree ensemble"), std::string::npos) << r.err;
}

TEST(ExplainCliTest, PathDependentTreeRefusesProbabilitySpace) {
  CommandResult r = RunProbity({"explain", "--model", kModel, "--data", kData, "--method", "tree",
                                "--output", "probability", "--quiet"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("margin"), std::string::npos) << r.err;
}

TEST(ExplainCliTest, BadRowSelectorExits3) {
  CommandResult r =
      RunProbity({"explain", "--model", kModel, "--data", kData, "--rows", "5:2", "--quiet"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("5:2"), std::string::npos) << r.err;
}

TEST(ExplainCliTest, KernelShapIsIdenticalAtOneAndTwoThreads) {
  const std::string one = Temp("kernel1.csv");
  const std::string two = Temp("kernel2.csv");
  for (const auto& [threads, path] : {std::pair{"1", one}, std::pair{"2", two}}) {
    CommandResult r = RunProbity({"explain", "--model", kModel, "--data", kData, "--method",
                                  "kernel", "--rows", "0:8", "--samples", "64", "--seed", "11",
                                  "--threads", threads, "--csv", path, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const std::string a = Slurp(one);
  EXPECT_EQ(Lines(a).size(), 9u);
  EXPECT_EQ(a, Slurp(two));
}

TEST(ExplainCliTest, KernelShapOfARowDoesNotDependOnTheRowsExplainedWithIt) {
  const std::string alone = Temp("kernel_alone.csv");
  const std::string among = Temp("kernel_among.csv");
  for (const auto& [rows, path] : {std::pair{"5", alone}, std::pair{"0:8", among}}) {
    CommandResult r = RunProbity({"explain", "--model", kModel, "--data", kData, "--method",
                                  "kernel", "--rows", rows, "--samples", "40", "--seed", "3",
                                  "--csv", path, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::vector<std::string> a = Lines(Slurp(alone));
  std::vector<std::string> b = Lines(Slurp(among));
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 9u);
  EXPECT_EQ(a[1], b[6]);  // file row 5 is the sixth explained row
}

TEST(ExplainCliTest, DocumentsValidateAgainstTheSchema) {
  const std::string schema = Source("docs/formats/explain.schema.json");
  const std::string validator = Source("tests/tools/validate_json.py");
  std::vector<std::vector<std::string>> runs = {
      {"--method", "tree", "--rows", "0:5", "--json-rows", "--interactions", Temp("i.csv")},
      {"--method", "interventional", "--rows", "0:3"},
      {"--method", "kernel", "--rows", "0:3", "--samples", "40"},
      {"--method", "lime", "--rows", "0:2", "--samples", "300"},
      {"--method", "permutation", "--label", "credit_risk", "--label-map", "good=1,bad=0",
       "--repeats", "2"},
      {"--method", "pdp", "--feature", "age", "--grid", "5"},
      {"--method", "counterfactual", "--rows", "1", "--immutable", "age"}};
  if (RunCommand({"/usr/bin/python3", "-c", "import jsonschema"}).exit_code != 0) {
    GTEST_SKIP() << "python3-jsonschema is not installed";
  }
  int index = 0;
  for (const std::vector<std::string>& args : runs) {
    const std::string out = Temp("doc" + std::to_string(index++) + ".json");
    std::vector<std::string> argv = {"explain", "--model", kModel, "--data", kData, "--out", out,
                                     "--quiet"};
    argv.insert(argv.end(), args.begin(), args.end());
    CommandResult r = RunProbity(argv);
    ASSERT_EQ(r.exit_code, 0) << args[1] << ": " << r.err;
    CommandResult v = RunCommand({"/usr/bin/python3", validator, schema, out});
    EXPECT_EQ(v.exit_code, 0) << args[1] << ": " << v.out << v.err;
  }
  const std::string reasons = Temp("reasons_doc.json");
  CommandResult r = RunProbity({"explain", "reasons", "--model", kModel, "--data", kData,
                                "--codes", kCodes, "--out", reasons, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  CommandResult v = RunCommand({"/usr/bin/python3", validator, schema, reasons});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST(ExplainCliTest, ReasonsNeverNameAProtectedAttribute) {
  const std::string csv = Temp("reasons.csv");
  const std::string json = Temp("reasons.json");
  CommandResult r = RunProbity({"explain", "reasons", "--model", kModel, "--data", kData,
                                "--codes", kCodes, "--csv", csv, "--out", json, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json doc = Json::parse(Slurp(json), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["schema"], "probity.explain.reasons/1");
  ASSERT_TRUE(doc["rows"].is_array());
  EXPECT_GT(doc["rows"].size(), 0u);
  for (const Json& row : doc["rows"]) {
    EXPECT_LE(row["reasons"].size(), 4u);
    for (const Json& reason : row["reasons"]) {
      for (const Json& player : reason["players"]) EXPECT_NE(player, "age");
    }
  }
  EXPECT_EQ(Slurp(csv).find(",age,"), std::string::npos);
}

}  // namespace
}  // namespace probity::testing
