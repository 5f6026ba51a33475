// Path-dependent TreeSHAP on the shared third-party models (AGPL, read from ../shared and
// never copied): PMML tree models (rattle, KNIME, RapidMiner), LightGBM models and XGBoost
// 3.x models from the jpmml projects. No reference SHAP values exist for them, so each
// model that has usable covers must explain with additivity error < 1e-9 against the
// view's margins, the classic and fast algorithms must agree to 1e-9, and the view's
// margins must match the model's own Predict margins where the format gives them.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "explain/tree_shap.h"
#include "tests/testing/model_cases.h"
#include "tests/testing/test_data.h"

namespace probity::explain {
namespace {

struct SharedCase {
  std::string model;  // under ../shared/data
  std::string input;  // under ../shared/data
};

std::vector<SharedCase> Cases() {
  std::vector<SharedCase> cases;
  for (const char* name :
       {"DecisionTreeIris", "DecisionTreeAudit", "DecisionTreeAuto", "DecisionTreeXformIris",
        "RandomForestIris", "RandomForestAuto", "GBMAuto"}) {
    const std::string n = name;
    const std::string input = n.ends_with("Iris")    ? "Iris"
                              : n.ends_with("Audit") ? "Audit"
                                                     : "Auto";
    cases.push_back({"pmml/rattle/" + n + ".pmml", "pmml/input/" + input + ".csv"});
  }
  cases.push_back({"pmml/knime/DecisionTreeEnsembleIris.pmml", "pmml/input/Iris.csv"});
  cases.push_back({"pmml/rapidminer/DecisionTreeIris.pmml", "pmml/input/Iris.csv"});
  cases.push_back({"models/lightgbm/ClassificationAudit.txt", "models/xgboost/input/Audit.csv"});
  cases.push_back(
      {"models/lightgbm/ClassificationVersicolor.txt", "models/lightgbm/input/Versicolor.csv"});
  cases.push_back({"models/lightgbm/ClassificationIrisNA.txt", "models/lightgbm/input/IrisNA.csv"});
  cases.push_back({"models/lightgbm/RegressionAuto.txt", "models/lightgbm/input/Auto.csv"});
  cases.push_back({"models/lightgbm/RFRegressionAuto.txt", "models/lightgbm/input/Auto.csv"});
  cases.push_back({"models/lightgbm/RegressionHousing.txt", "models/lightgbm/input/Housing.csv"});
  cases.push_back(
      {"models/xgboost/BinomialClassificationAudit.json", "models/xgboost/input/Audit.csv"});
  cases.push_back(
      {"models/xgboost/MultinomialClassificationIris.json", "models/xgboost/input/Iris.csv"});
  cases.push_back({"models/xgboost/LinearRegressionAuto.json", "models/xgboost/input/Auto.csv"});
  cases.push_back({"models/xgboost/MultiDecisionTreeAuto.json", "models/xgboost/input/Auto.csv"});
  return cases;
}

TEST(TreeShapConformanceTest, SharedTreeModelsExplainAdditively) {
  const std::string root = probity::testing::SharedPath("data");
  if (root.empty()) GTEST_SKIP() << "../shared/data is absent (AGPL cases are not copied)";
  int explained = 0;
  int without_covers = 0;
  int without_view = 0;
  for (const SharedCase& c : Cases()) {
    SCOPED_TRACE(c.model);
    std::cout << c.model << "\n";
    std::unique_ptr<Model> model = probity::testing::LoadModelOrFail(root + "/" + c.model);
    ASSERT_NE(model, nullptr);
    const TreeEnsembleView* view = model->tree_view();
    if (view == nullptr) {  // e.g. PMML classification trees (scores, not margins)
      ++without_view;
      continue;
    }
    // As the model conformance tests read them: "N/A" and "NA" are missing.
    ingest::DatasetSpec spec;
    spec.type_hints = models::InputTypeHints(model->info());
    if (model->info().format != "xgboost") {
      spec.format.missing_tokens = {"N/A", "NA"};
      for (const ModelInput& in : model->info().inputs) {
        spec.type_hints[in.name] =
            in.kind == InputKind::kContinuous ? DataType::kFloat64 : DataType::kString;
      }
    }
    ingest::ScanOptions scan;
    scan.threads = 2;
    Result<Table> input = ingest::ReadTable(LocalFileSystem(), root + "/" + c.input, spec, scan);
    ASSERT_TRUE(input.has_value()) << input.error().ToString();
    Result<Buffer<double>> x = model->ViewInputs(*input);
    ASSERT_TRUE(x.has_value()) << x.error().ToString();
    const int64_t rows = input->num_rows();
    const Players players = InputPlayers(model->info());
    Result<Attributions> fast = TreeShap(model->info(), *view, players, *x, rows, {});
    if (!fast.has_value()) {
      EXPECT_EQ(fast.error().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(fast.error().message().find("no usable node covers"), std::string::npos)
          << fast.error().ToString();
      ++without_covers;
      continue;
    }
    Result<Attributions> classic = TreeShap(model->info(), *view, players, *x, rows,
                                            {.algorithm = TreeShapOptions::Algorithm::kClassic});
    ASSERT_TRUE(classic.has_value()) << classic.error().ToString();
    ++explained;
    EXPECT_LT(fast->max_additivity_error, 1e-9);
    EXPECT_LT(classic->max_additivity_error, 1e-9);
    double worst = 0;
    for (size_t i = 0; i < fast->values.size(); ++i) {
      worst = std::max(worst, std::fabs(fast->values[i] - classic->values[i]));
    }
    EXPECT_LT(worst, 1e-9);
    Result<Predictions> p = model->Predict(*input);
    ASSERT_TRUE(p.has_value()) << p.error().ToString();
    if (static_cast<size_t>(p->margin_width) == fast->outputs.size()) {
      for (size_t i = 0; i < fast->prediction.size(); ++i) {
        if (std::isnan(p->margins[i])) continue;
        EXPECT_TRUE(probity::testing::NumbersAgree(p->margins[i], fast->prediction[i], 1e-6))
            << "margin " << i << ": Predict " << p->margins[i] << ", view " << fast->prediction[i];
      }
    }
  }
  std::cout << "explained " << explained << " shared tree models; " << without_covers
            << " have no usable covers; " << without_view << " have no tree view\n";
  EXPECT_GT(explained, 0);
}

}  // namespace
}  // namespace probity::explain
