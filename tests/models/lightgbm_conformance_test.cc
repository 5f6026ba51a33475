// Conformance: every LightGBM case in the shared folder (../shared/data/models/lightgbm, see
// its SOURCES.md) scored by Probity must match LightGBM's own predictions within 1e-6
// (absolute, on regression values and on each class probability; labels exactly). The
// shared files are AGPL test resources, read in place and never copied into the project;
// without the folder every case is skipped with a message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "audit/core/file_system.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/models/model_loader.h"
#include "tests/testing/test_data.h"

namespace probity::models {
namespace {

constexpr double kTolerance = 1e-6;

struct Case {
  std::string name;   // e.g. "ClassificationAudit@17"
  std::string model;  // path of the .txt model
  std::string input;  // path of the input CSV
  std::string expected;
  int iteration_limit = 0;
};

std::string Dir() { return testing::SharedPath("data/models/lightgbm"); }

// The input of a model named <Kind><Dataset>.txt is <Dataset>.csv under input/ (the Audit
// models use xgboost/input/Audit.csv, as SOURCES.md says).
std::string InputFor(const std::string& model_name) {
  for (const char* prefix : {"Classification", "RFRegression", "Regression"}) {
    if (model_name.rfind(prefix, 0) != 0) continue;
    const std::string dataset = model_name.substr(std::string(prefix).size());
    for (const std::string& dir : {Dir() + "/input/", Dir() + "/../xgboost/input/"}) {
      if (std::filesystem::exists(dir + dataset + ".csv")) return dir + dataset + ".csv";
    }
  }
  return {};
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  if (Dir().empty()) return {Case{.name = "SharedFolderAbsent"}};
  for (const auto& entry : std::filesystem::directory_iterator(Dir())) {
    const std::string file = entry.path().filename().string();
    const std::string suffix = ".expected.csv";
    if (file.size() <= suffix.size() || file.substr(file.size() - suffix.size()) != suffix) {
      continue;
    }
    Case c;
    c.name = file.substr(0, file.size() - suffix.size());
    std::string model_name = c.name;
    if (size_t at = c.name.find('@'); at != std::string::npos) {
      model_name = c.name.substr(0, at);
      c.iteration_limit = std::stoi(c.name.substr(at + 1));
    }
    c.model = Dir() + "/" + model_name + ".txt";
    c.input = InputFor(model_name);
    c.expected = entry.path().string();
    cases.push_back(c);
  }
  std::sort(cases.begin(), cases.end(),
            [](const Case& a, const Case& b) { return a.name < b.name; });
  return cases;
}

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class LightGBMConformanceTest : public ::testing::TestWithParam<Case> {};

TEST_P(LightGBMConformanceTest, MatchesLightGBM) {
  const Case& c = GetParam();
  if (Dir().empty()) GTEST_SKIP() << "../shared/data/models/lightgbm is absent";
  ASSERT_FALSE(c.input.empty()) << "no input CSV found for " << c.name;
  ModelLoadOptions options;
  options.iteration_limit = c.iteration_limit;
  auto model = LoadModel(LocalFileSystem(), c.model, options);
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  const ModelInfo& info = (*model)->info();

  ingest::DatasetSpec spec;
  spec.format.missing_tokens.push_back("N/A");
  for (const ModelInput& input : info.inputs) {
    spec.type_hints[input.name] =
        input.kind == InputKind::kContinuous ? DataType::kFloat64 : DataType::kString;
  }
  ingest::ScanOptions scan;
  scan.threads = 2;
  auto table = ingest::ReadTable(LocalFileSystem(), c.input, spec, scan);
  ASSERT_TRUE(table.has_value()) << table.error().ToString();
  auto predictions = (*model)->Predict(*table);
  ASSERT_TRUE(predictions.has_value()) << predictions.error().ToString();

  std::vector<std::vector<std::string>> expected = ReadCsv(c.expected);
  ASSERT_GE(expected.size(), 2u);
  const std::vector<std::string>& header = expected[0];
  ASSERT_EQ(static_cast<int64_t>(expected.size() - 1), predictions->rows);
  int mismatches = 0;
  double max_error = 0;
  for (size_t r = 1; r < expected.size(); ++r) {
    const auto row = static_cast<int64_t>(r - 1);
    for (size_t k = 0; k < header.size(); ++k) {
      const std::string& want = expected[r][k];
      if (header[k] == "_target" && info.task == ModelTask::kClassification) {
        const int32_t label = predictions->labels[static_cast<size_t>(row)];
        const std::string got = label < 0 ? "" : info.classes[static_cast<size_t>(label)];
        if (got != want && ++mismatches <= 5) {
          ADD_FAILURE() << c.name << " row " << r << ": label " << got << ", expected " << want;
        }
        continue;
      }
      const double got =
          header[k] == "_target" ? predictions->Value(row) : predictions->Probability(row, k - 1);
      const double w = std::stod(want);
      max_error = std::max(max_error, std::fabs(got - w));
      if (!(std::fabs(got - w) <= kTolerance) && ++mismatches <= 5) {
        ADD_FAILURE() << c.name << " row " << r << " " << header[k] << ": " << got << ", expected "
                      << want;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
  std::cout << c.name << ": " << predictions->rows << " rows, max |error| " << max_error << "\n";
}

INSTANTIATE_TEST_SUITE_P(SharedCases, LightGBMConformanceTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           std::string name = param_info.param.name;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace probity::models
