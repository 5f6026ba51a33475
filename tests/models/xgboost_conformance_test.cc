// Runs every XGBoost case of ../shared/data/models/xgboost (models saved by xgboost 3.4.1,
// expected predictions computed by xgboost itself; see that folder's SOURCES.md) and checks
// Probity's predictions agree within 1e-6 relative. Skips when ../shared is absent: the
// cases are AGPL-licensed test resources and are not copied into the project.
#include <gtest/gtest.h>

#include "audit/core/status.h"
#include "audit/ingest/models/model_loader.h"
#include "tests/testing/model_cases.h"
#include "tests/testing/test_data.h"

namespace probity::models {
namespace {

struct XGBoostCase {
  std::string model;     // file under models/xgboost/
  std::string input;     // dataset under models/xgboost/input/
  std::string expected;  // expected CSV under models/xgboost/
  int iteration_limit = 0;
};

void PrintTo(const XGBoostCase& c, std::ostream* os) { *os << c.model << " → " << c.expected; }

class XGBoostConformanceTest : public ::testing::TestWithParam<XGBoostCase> {};

TEST_P(XGBoostConformanceTest, ReproducesXGBoostPredictions) {
  const XGBoostCase& c = GetParam();
  const std::string dir = testing::SharedPath("data/models/xgboost");
  if (dir.empty())
    GTEST_SKIP() << "../shared/data/models/xgboost is absent (AGPL cases are not copied)";
  ModelLoadOptions options;
  options.iteration_limit = c.iteration_limit;
  Result<std::unique_ptr<Model>> model = LoadModel(LocalFileSystem(), dir + "/" + c.model, options);
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  const ModelInfo& info = (*model)->info();
  Result<Table> input = testing::ReadModelInput(dir + "/input/" + c.input, info);
  ASSERT_TRUE(input.has_value()) << input.error().ToString();
  Result<Predictions> predictions = (*model)->Predict(*input);
  ASSERT_TRUE(predictions.has_value()) << predictions.error().ToString();
  Result<Table> expected = testing::ReadExpected(dir + "/" + c.expected);
  ASSERT_TRUE(expected.has_value()) << expected.error().ToString();
  ASSERT_EQ(expected->num_rows(), predictions->rows);

  int compared = 0;
  for (size_t col = 0; col < expected->num_columns(); ++col) {
    const std::string& name = expected->schema().field(col).name;
    const Column& column = expected->column(col);
    for (int64_t r = 0; r < expected->num_rows(); ++r) {
      const double want = testing::ParseNumber(column.StringAt(r));
      double got;
      if (name.starts_with("probability(")) {
        const size_t k = std::stoul(name.substr(12));
        got = predictions->Probability(r, k);
      } else if (name == "_target" && info.task == ModelTask::kClassification) {
        got = predictions->labels[static_cast<size_t>(r)];
      } else if (name.starts_with("_target")) {
        const int target = name == "_target" ? 0 : std::stoi(name.substr(7)) - 1;
        got = predictions->Value(r, target);
      } else {
        FAIL() << "unexpected column " << name;
      }
      ASSERT_TRUE(testing::NumbersAgree(want, got, 1e-6))
          << c.expected << " row " << r + 1 << " column " << name << ": expected " << want
          << ", Probity " << got;
      ++compared;
    }
  }
  EXPECT_GT(compared, 0);
}

INSTANTIATE_TEST_SUITE_P(
    SharedCases, XGBoostConformanceTest,
    ::testing::Values(
        XGBoostCase{"BinomialClassificationAudit.json", "Audit.csv",
                    "BinomialClassificationAudit.expected.csv"},
        XGBoostCase{"BinomialClassificationAudit.json", "Audit.csv",
                    "BinomialClassificationAudit@31.expected.csv", 31},
        XGBoostCase{"LogisticRegressionAudit.json", "Audit.csv",
                    "LogisticRegressionAudit.expected.csv"},
        XGBoostCase{"LinearRegressionAuto.json", "Auto.csv", "LinearRegressionAuto.expected.csv"},
        XGBoostCase{"LinearRegressionAuto.ubj", "Auto.csv", "LinearRegressionAuto.expected.csv"},
        XGBoostCase{"MultiDecisionTreeAuto.json", "Auto.csv", "MultiDecisionTreeAuto.expected.csv"},
        XGBoostCase{"MultinomialClassificationIris.json", "Iris.csv",
                    "MultinomialClassificationIris.expected.csv"},
        XGBoostCase{"PoissonRegressionVisit.json", "Visit.csv",
                    "PoissonRegressionVisit.expected.csv"}),
    [](const ::testing::TestParamInfo<XGBoostCase>& param_info) {
      std::string name = param_info.param.expected.substr(0, param_info.param.expected.find('.'));
      if (param_info.param.model.ends_with(".ubj")) name += "Ubjson";
      for (char& ch : name)
        if (ch == '@') ch = '_';
      return name;
    });

}  // namespace
}  // namespace probity::models
