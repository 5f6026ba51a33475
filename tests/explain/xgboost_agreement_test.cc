// Probity's path-dependent TreeSHAP and interaction values against XGBoost 1.7.4's own
// pred_contribs / pred_interactions, for the models tests/explain/make_xgboost_fixtures.py
// trained with Debian's python3-xgboost (binary with missing values, regression, 3-class
// softprob, native categorical splits, dart), and additivity against Model::Predict's
// margins.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <string>

#include "audit/core/file_system.h"
#include "explain/tree_shap.h"
#include "tests/testing/model_cases.h"
#include "tests/testing/test_data.h"

namespace probity::explain {
namespace {

using Algorithm = TreeShapOptions::Algorithm;

std::string Fixture(const std::string& name) {
  return probity::testing::TestDataPath("explain/xgboost/" + name);
}

// XGBoost computes in float: 1e-5 absolute is the agreement bound.
constexpr double kTolerance = 1e-5;

struct Explained {
  std::unique_ptr<Model> model;
  Table input;
  Buffer<double> x;
};

Explained Load(const std::string& name) {
  Explained e;
  e.model = probity::testing::LoadModelOrFail(Fixture(name + ".json"));
  if (e.model == nullptr) return e;
  Result<Table> input = probity::testing::ReadModelInput(Fixture("input.csv"), e.model->info());
  EXPECT_TRUE(input.has_value()) << input.error().ToString();
  if (!input.has_value()) return e;
  e.input = std::move(input).value();
  Result<Buffer<double>> x = e.model->ViewInputs(e.input);
  EXPECT_TRUE(x.has_value()) << x.error().ToString();
  if (x.has_value()) e.x = std::move(x).value();
  return e;
}

// Column name → index of an expected CSV.
std::map<std::string, size_t> Columns(const Table& table) {
  std::map<std::string, size_t> columns;
  for (size_t c = 0; c < table.num_columns(); ++c) columns[table.schema().field(c).name] = c;
  return columns;
}

double Cell(const Table& table, size_t column, int64_t row) {
  return probity::testing::ParseNumber(table.column(column).StringAt(row));
}

class XGBoostAgreementTest : public ::testing::TestWithParam<std::string> {};

TEST_P(XGBoostAgreementTest, ShapValuesEqualPredContribs) {
  Explained e = Load(GetParam());
  ASSERT_NE(e.model, nullptr);
  ASSERT_FALSE(e.x.empty());
  const ModelInfo& info = e.model->info();
  const TreeEnsembleView* view = e.model->tree_view();
  ASSERT_NE(view, nullptr);
  const int64_t rows = e.input.num_rows();
  const Players players = InputPlayers(info);
  Result<Table> expected = probity::testing::ReadExpected(Fixture(GetParam() + ".contribs.csv"));
  ASSERT_TRUE(expected.has_value()) << expected.error().ToString();
  const std::map<std::string, size_t> columns = Columns(*expected);
  Result<Predictions> predictions = e.model->Predict(e.input);
  ASSERT_TRUE(predictions.has_value()) << predictions.error().ToString();
  for (Algorithm algorithm : {Algorithm::kFast, Algorithm::kClassic}) {
    Result<Attributions> a = TreeShap(info, *view, players, e.x, rows, {.algorithm = algorithm});
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
    EXPECT_EQ(a->cover_kind, "hessian");
    EXPECT_LT(a->max_additivity_error, 1e-9);
    const size_t outputs = a->outputs.size();
    ASSERT_EQ(static_cast<int64_t>(outputs) * rows, expected->num_rows());
    double worst = 0;
    for (int64_t line = 0; line < expected->num_rows(); ++line) {
      const auto r = static_cast<int64_t>(Cell(*expected, columns.at("row"), line));
      const auto k = static_cast<size_t>(Cell(*expected, columns.at("output"), line));
      for (size_t p = 0; p < players.size(); ++p) {
        const double want = Cell(*expected, columns.at(players.names[p]), line);
        worst = std::max(worst, std::fabs(a->value(r, k, p) - want));
        EXPECT_NEAR(a->value(r, k, p), want, kTolerance)
            << GetParam() << " row " << r << " output " << k << " " << players.names[p];
      }
      const size_t cell = static_cast<size_t>(r) * outputs + k;
      EXPECT_NEAR(a->base[cell], Cell(*expected, columns.at("bias"), line), kTolerance)
          << GetParam() << " row " << r << " output " << k << " bias";
      // Additivity against the model's own scoring (XGBoost scores in float).
      ASSERT_EQ(static_cast<size_t>(predictions->margin_width), outputs);
      EXPECT_NEAR(a->prediction[cell], predictions->margins[cell], kTolerance);
    }
    RecordProperty("max_abs_difference_" + std::to_string(static_cast<int>(algorithm)),
                   std::to_string(worst));
  }
}

TEST_P(XGBoostAgreementTest, InteractionValuesEqualPredInteractions) {
  Explained e = Load(GetParam());
  ASSERT_NE(e.model, nullptr);
  ASSERT_FALSE(e.x.empty());
  const ModelInfo& info = e.model->info();
  const int64_t rows = e.input.num_rows();
  const Players players = InputPlayers(info);
  Result<Interactions> m =
      TreeShapInteractions(info, *e.model->tree_view(), players, e.x, rows, {});
  ASSERT_TRUE(m.has_value()) << m.error().ToString();
  Result<Table> expected =
      probity::testing::ReadExpected(Fixture(GetParam() + ".interactions.csv"));
  ASSERT_TRUE(expected.has_value()) << expected.error().ToString();
  const std::map<std::string, size_t> columns = Columns(*expected);
  const size_t width = players.size() + 1;
  ASSERT_EQ(static_cast<int64_t>(m->outputs.size() * width) * rows, expected->num_rows());
  for (int64_t line = 0; line < expected->num_rows(); ++line) {
    const auto r = static_cast<int64_t>(Cell(*expected, columns.at("row"), line));
    const auto k = static_cast<size_t>(Cell(*expected, columns.at("output"), line));
    const auto i = static_cast<size_t>(Cell(*expected, columns.at("i"), line));
    for (size_t j = 0; j < width; ++j) {
      const std::string name = j < players.size() ? players.names[j] : "bias";
      EXPECT_NEAR(m->value(r, k, i, j), Cell(*expected, columns.at(name), line), kTolerance)
          << GetParam() << " row " << r << " output " << k << " (" << i << ", " << j << ")";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, XGBoostAgreementTest,
                         ::testing::Values("binary_missing", "regression", "multiclass",
                                           "categorical", "dart"));

}  // namespace
}  // namespace probity::explain
