// Runs every PMML case listed in ../shared/data/pmml/SOURCES.md (JPMML-Evaluator's
// integration cases, AGPL: read in place, never copied): loads <module>/<Name>.pmml, scores
// input/<Dataset>.csv and compares each column of <module>/<Name>.expected.csv with JPMML's
// PMMLEquivalence (relative precision with a zero threshold; an empty cell = missing). The
// target column is compared with the predicted value/label, the others with the OutputField
// of that name. Skipped, with a message, when the shared folder is absent.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "audit/core/file_system.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/models/pmml/pmml_model.h"
#include "tests/testing/test_data.h"

namespace probity::models {
namespace {

struct PmmlCase {
  std::string module;   // rattle, knime, rapidminer
  std::string name;     // DecisionTreeIris
  std::string dataset;  // Iris
  double tolerance = 1e-13;
};

// Names the case in test output (instead of gtest's byte dump).
void PrintTo(const PmmlCase& c, std::ostream* os) {
  *os << c.module << "/" << c.name << " (tolerance " << c.tolerance << ")";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The cases of the SOURCES.md table: every "module/Name" in the first column of a row,
// with the row's "tolerance X" note when it has one.
std::vector<PmmlCase> ListCases() {
  const std::string dir = testing::SharedPath("data/pmml");
  if (dir.empty()) return {PmmlCase{"absent", "SharedFolderAbsent", "", 0}};
  std::istringstream lines(ReadFile(dir + "/SOURCES.md"));
  const std::regex name_re(R"((rattle|knime|rapidminer)/([A-Za-z]+?)(Iris|Audit|Auto)\b)");
  const std::regex tolerance_re(R"(tolerance ([0-9.eE+-]+))");
  std::vector<PmmlCase> cases;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| ", 0) != 0) continue;
    const std::string first = line.substr(2, line.find('|', 2) - 2);
    std::smatch tol;
    double tolerance = 1e-13;
    if (std::regex_search(line, tol, tolerance_re)) tolerance = std::stod(tol[1]);
    for (auto it = std::sregex_iterator(first.begin(), first.end(), name_re);
         it != std::sregex_iterator(); ++it) {
      cases.push_back(
          PmmlCase{(*it)[1], std::string((*it)[2]) + std::string((*it)[3]), (*it)[3], tolerance});
    }
  }
  return cases;
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      cells.push_back(cell);
      cell.clear();
    } else if (ch != '\r') {
      cell += ch;
    }
  }
  cells.push_back(cell);
  return cells;
}

// JPMML's VerificationUtil.acceptable for numbers; exact text otherwise.
bool Equivalent(const std::string& expected, const std::string& actual, double precision) {
  if (expected.empty() || actual.empty()) return expected.empty() && actual.empty();
  char* end_e = nullptr;
  char* end_a = nullptr;
  const double e = std::strtod(expected.c_str(), &end_e);
  const double a = std::strtod(actual.c_str(), &end_a);
  if (*end_e != '\0' || *end_a != '\0') return expected == actual;
  const double zero = precision;
  if (std::fabs(e) <= zero && std::fabs(a) <= zero) return true;
  return std::fabs(a - e) <= precision * std::fabs(e);
}

std::string CellOf(const Column& column, int64_t row) {
  if (!column.IsValid(row)) return {};
  if (column.type() == DataType::kString) return std::string(column.StringAt(row));
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", column.NumberAt(row));
  return buffer;
}

class PmmlConformanceTest : public ::testing::TestWithParam<PmmlCase> {};

TEST_P(PmmlConformanceTest, ReproducesExpectedOutput) {
  const PmmlCase& c = GetParam();
  if (c.module == "absent") GTEST_SKIP() << "../shared/data/pmml is absent; conformance skipped";
  const std::string dir = testing::SharedPath("data/pmml");
  const std::string pmml_path = dir + "/" + c.module + "/" + c.name + ".pmml";
  Result<std::unique_ptr<Model>> model = LoadPmmlModel(ReadFile(pmml_path), pmml_path);
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  const ModelInfo& info = (*model)->info();

  ingest::DatasetSpec spec;
  for (const ModelInput& input : info.inputs) {
    spec.type_hints[input.name] =
        input.kind == InputKind::kContinuous ? DataType::kFloat64 : DataType::kString;
  }
  ingest::ScanOptions options;
  options.threads = 1;
  Result<Table> data =
      ingest::ReadTable(LocalFileSystem(), dir + "/input/" + c.dataset + ".csv", spec, options);
  ASSERT_TRUE(data.has_value()) << data.error().ToString();
  Result<Predictions> predictions = (*model)->Predict(*data);
  ASSERT_TRUE(predictions.has_value()) << predictions.error().ToString();

  std::istringstream expected(ReadFile(dir + "/" + c.module + "/" + c.name + ".expected.csv"));
  std::string line;
  ASSERT_TRUE(std::getline(expected, line));
  const std::vector<std::string> header = SplitCsvLine(line);
  std::vector<std::function<std::string(int64_t)>> actual;
  for (const std::string& name : header) {
    auto extra = std::find_if(predictions->extra.begin(), predictions->extra.end(),
                              [&](const auto& e) { return e.first == name; });
    if (extra != predictions->extra.end()) {
      const Column* column = &extra->second;
      actual.push_back([column](int64_t r) { return CellOf(*column, r); });
    } else if (name == info.target) {
      const Predictions* p = &*predictions;
      actual.push_back([p, &info](int64_t r) -> std::string {
        if (info.task == ModelTask::kRegression) {
          const double v = p->Value(r);
          if (std::isnan(v)) return {};
          char buffer[64];
          std::snprintf(buffer, sizeof buffer, "%.17g", v);
          return buffer;
        }
        const int32_t label = p->labels[static_cast<size_t>(r)];
        return label < 0 ? std::string() : info.classes[static_cast<size_t>(label)];
      });
    } else {
      FAIL() << "expected column \"" << name << "\" is neither the target nor an OutputField";
    }
  }
  int64_t row = 0;
  int mismatches = 0;
  int64_t cells_compared = 0;
  double worst = 0;  // largest relative difference among numeric cells above the zero threshold
  for (; std::getline(expected, line); ++row) {
    if (line.empty() || line == "\r") break;
    ASSERT_LT(row, predictions->rows) << "more expected rows than input rows";
    const std::vector<std::string> cells = SplitCsvLine(line);
    ASSERT_EQ(cells.size(), header.size()) << "expected row " << row + 1;
    for (size_t k = 0; k < header.size(); ++k) {
      const std::string got = actual[k](row);
      ++cells_compared;
      char* end_e = nullptr;
      char* end_a = nullptr;
      const double e = std::strtod(cells[k].c_str(), &end_e);
      const double a = std::strtod(got.c_str(), &end_a);
      if (!cells[k].empty() && !got.empty() && *end_e == '\0' && *end_a == '\0' &&
          std::fabs(e) > c.tolerance) {
        worst = std::max(worst, std::fabs(a - e) / std::fabs(e));
      }
      if (!Equivalent(cells[k], got, c.tolerance) && ++mismatches <= 5) {
        ADD_FAILURE() << c.module << "/" << c.name << " row " << row + 1 << " column \""
                      << header[k] << "\": expected \"" << cells[k] << "\", got \"" << got << "\"";
      }
    }
  }
  EXPECT_EQ(row, predictions->rows);
  RecordProperty("cells_compared", std::to_string(cells_compared));
  RecordProperty("max_relative_difference", std::to_string(worst));
  std::printf("%s/%s: %lld cells, largest relative difference %.3g (tolerance %.0e)\n",
              c.module.c_str(), c.name.c_str(), static_cast<long long>(cells_compared), worst,
              c.tolerance);
  EXPECT_EQ(mismatches, 0) << "cells outside tolerance " << c.tolerance;
}

INSTANTIATE_TEST_SUITE_P(Shared, PmmlConformanceTest, ::testing::ValuesIn(ListCases()),
                         [](const ::testing::TestParamInfo<PmmlCase>& param) {
                           return param.param.module + "_" + param.param.name;
                         });

}  // namespace
}  // namespace probity::models
