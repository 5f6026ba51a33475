#include "explain/permutation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/core/status.h"
#include "tests/explain/test_models.h"
#include "tests/testing/test_data.h"

namespace probity::explain {
namespace {

using testing::FunctionModel;
using ::testing::HasSubstr;

ModelInfo Info(size_t inputs, ModelTask task, std::vector<std::string> classes = {}) {
  ModelInfo info;
  info.format = "test";
  info.task = task;
  info.classes = std::move(classes);
  for (size_t j = 0; j < inputs; ++j) info.inputs.push_back({.name = "x" + std::to_string(j)});
  return info;
}

InputFrame Frame(const ModelInfo& info, const std::vector<std::vector<double>>& rows) {
  return testing::NumericRows(info, rows);
}

Column Numbers(const std::vector<double>& values) {
  Column c(DataType::kFloat64);
  for (double v : values) c.AppendFloat64(v);
  return c;
}

Column Integers(const std::vector<int64_t>& values) {
  Column c(DataType::kInt64);
  for (int64_t v : values) c.AppendInt64(v);
  return c;
}

// A linear model with scikit-learn's coefficients: one margin per coefficient row.
FunctionModel LinearModel(const ModelInfo& info, const nlohmann::json& fixture) {
  const auto coef = fixture["coef"].get<std::vector<std::vector<double>>>();
  const auto intercept = fixture["intercept"].get<std::vector<double>>();
  const std::string link = info.task == ModelTask::kRegression ? "identity"
                           : coef.size() == 1                  ? "logistic"
                                                               : "softmax";
  return FunctionModel(info, static_cast<int>(coef.size()), link,
                       [coef, intercept](const std::vector<double>& x) {
                         std::vector<double> m(coef.size());
                         for (size_t k = 0; k < coef.size(); ++k) {
                           m[k] = intercept[k];
                           for (size_t j = 0; j < x.size(); ++j) m[k] += coef[k][j] * x[j];
                         }
                         return m;
                       });
}

nlohmann::json Fixture() {
  std::ifstream in(probity::testing::TestDataPath("explain/permutation/sklearn_metrics.json"));
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

// For every permuted copy of the data in the fixture, the baseline PermutationImportanceOf
// reports on that copy equals scikit-learn's metric on it.
void ExpectSklearnMetrics(const std::string& name, ModelTask task) {
  const nlohmann::json all = Fixture();
  const nlohmann::json& f = all[name];
  const auto x = f["x"].get<std::vector<std::vector<double>>>();
  const auto classes = f["classes"].get<std::vector<std::string>>();
  const ModelInfo info = Info(x[0].size(), task, classes);
  FunctionModel model = LinearModel(info, f);
  const Players players = InputPlayers(info);
  Column labels = task == ModelTask::kRegression ? Numbers(f["y"].get<std::vector<double>>())
                                                 : Integers(f["y"].get<std::vector<int64_t>>());
  int checked = 0;
  for (const nlohmann::json& c : f["cases"]) {
    const auto columns = c["columns"].get<std::vector<size_t>>();
    const auto order = c["order"].get<std::vector<size_t>>();
    std::vector<std::vector<double>> xp = x;
    for (size_t col : columns) {
      for (size_t i = 0; i < x.size(); ++i) xp[i][col] = x[order[i]][col];
    }
    const InputFrame data = Frame(info, xp);
    for (const auto& [metric, expected] : c["metrics"].items()) {
      auto r =
          PermutationImportanceOf(model, players, data, labels, {.metric = metric, .repeats = 1});
      ASSERT_TRUE(r.has_value()) << r.error().ToString();
      EXPECT_NEAR(r->baseline, expected.get<double>(), 1e-12) << name << " " << metric;
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

TEST(PermutationImportanceTest, BinaryMetricsMatchScikitLearn) {
  ExpectSklearnMetrics("binary", ModelTask::kClassification);
}

TEST(PermutationImportanceTest, MulticlassMetricsMatchScikitLearn) {
  ExpectSklearnMetrics("multiclass", ModelTask::kClassification);
}

TEST(PermutationImportanceTest, RegressionMetricsMatchScikitLearn) {
  ExpectSklearnMetrics("regression", ModelTask::kRegression);
}

// y = x0 + 2·x1 on 8 rows; the model ignores x2, so shuffling x2 never changes the score.
struct Regression {
  ModelInfo info = Info(3, ModelTask::kRegression);
  FunctionModel model{info, 1, "identity", [](const std::vector<double>& x) {
                        return std::vector<double>{x[0] + 2 * x[1]};
                      }};
  InputFrame data;
  Column labels;
  Regression() {
    std::vector<std::vector<double>> rows;
    std::vector<double> y;
    for (int i = 0; i < 40; ++i) {
      const double a = i % 7;
      const double b = (i * 3) % 5;
      rows.push_back({a, b, static_cast<double>(i % 4)});
      y.push_back(a + 2 * b);
    }
    data = Frame(info, rows);
    labels = Numbers(y);
  }
};

TEST(PermutationImportanceTest, UnusedFeatureHasZeroImportanceAndLossesAreSignedUp) {
  Regression t;
  for (const std::string metric : {"r2", "rmse", "mae"}) {
    auto r = PermutationImportanceOf(t.model, InputPlayers(t.info), t.data, t.labels,
                                     {.metric = metric, .repeats = 4, .seed = 9});
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    EXPECT_EQ(r->greater_is_better, metric == "r2");
    EXPECT_DOUBLE_EQ(r->baseline, metric == "r2" ? 1 : 0);  // a perfect model
    ASSERT_EQ(r->importances.size(), 3u);
    ASSERT_EQ(r->importances[2].raw.size(), 4u);
    for (double v : r->importances[2].raw) EXPECT_EQ(v, 0) << metric;
    EXPECT_EQ(r->importances[2].std, 0);
    // x1 has the larger coefficient: larger = more important, for scores and losses alike.
    EXPECT_GT(r->importances[1].mean, r->importances[0].mean) << metric;
    EXPECT_GT(r->importances[0].mean, 0) << metric;
    // Mean and population standard deviation of the raw values.
    const auto& raw = r->importances[1].raw;
    double mean = 0;
    for (double v : raw) mean += v / 4;
    double var = 0;
    for (double v : raw) var += (v - mean) * (v - mean) / 4;
    EXPECT_NEAR(r->importances[1].mean, mean, 1e-15);
    EXPECT_NEAR(r->importances[1].std, std::sqrt(var), 1e-15);
    EXPECT_EQ(r->model_evaluations, 40 * (1 + 3 * 4));
  }
}

TEST(PermutationImportanceTest, GroupIsPermutedWithOneRowOrder) {
  // f = x0 − x1 + x2 with x0 == x1 in the data: shuffled together the two cancel, so the
  // group's importance is exactly 0; shuffled alone each matters.
  ModelInfo info = Info(3, ModelTask::kRegression);
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{x[0] - x[1] + x[2]};
  });
  std::vector<std::vector<double>> rows;
  std::vector<double> y;
  for (int i = 0; i < 30; ++i) {
    rows.push_back(
        {static_cast<double>(i % 6), static_cast<double>(i % 6), static_cast<double>(i % 5)});
    y.push_back(i % 5);
  }
  const InputFrame data = Frame(info, rows);
  auto grouped = GroupPlayers(info, {{.name = "pair", .inputs = {"x0", "x1"}}});
  ASSERT_TRUE(grouped.has_value());
  auto r = PermutationImportanceOf(model, *grouped, data, Numbers(y),
                                   {.metric = "rmse", .repeats = 3, .seed = 1});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->importances.size(), 2u);
  EXPECT_EQ(r->importances[0].player, "pair");
  for (double v : r->importances[0].raw) EXPECT_EQ(v, 0);
  auto single = PermutationImportanceOf(model, InputPlayers(info), data, Numbers(y),
                                        {.metric = "rmse", .repeats = 3, .seed = 1});
  ASSERT_TRUE(single.has_value());
  EXPECT_GT(single->importances[0].mean, 0);
  EXPECT_GT(single->importances[1].mean, 0);
}

TEST(PermutationImportanceTest, SameSeedSameResultAtAnyThreadCount) {
  Regression t;
  PermutationOptions options{.metric = "r2", .repeats = 5, .seed = 42, .max_rows = 25};
  options.threads = 1;
  auto one = PermutationImportanceOf(t.model, InputPlayers(t.info), t.data, t.labels, options);
  options.threads = 2;
  auto two = PermutationImportanceOf(t.model, InputPlayers(t.info), t.data, t.labels, options);
  ASSERT_TRUE(one.has_value() && two.has_value());
  EXPECT_EQ(one->rows, 25);
  EXPECT_EQ(one->baseline, two->baseline);
  for (size_t p = 0; p < 3; ++p) EXPECT_EQ(one->importances[p].raw, two->importances[p].raw);
  options.seed = 43;
  auto other = PermutationImportanceOf(t.model, InputPlayers(t.info), t.data, t.labels, options);
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(one->importances[1].raw, other->importances[1].raw);
}

TEST(PermutationImportanceTest, RejectsBadMetricsLabelsAndOptions) {
  Regression t;
  const Players players = InputPlayers(t.info);
  auto expect = [&](Result<PermutationImportance> r, const std::string& text) {
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.error().ToString(), HasSubstr(text));
  };
  expect(PermutationImportanceOf(t.model, players, t.data, t.labels, {.metric = "f1"}),
         "unknown metric \"f1\"");
  expect(PermutationImportanceOf(t.model, players, t.data, t.labels, {.metric = "accuracy"}),
         "is for classifiers");
  expect(PermutationImportanceOf(t.model, players, t.data, t.labels, {.repeats = 0}),
         "repeats is 0");
  expect(PermutationImportanceOf(t.model, players, t.data, Numbers({1, 2}), {}),
         "2 labels for 40 rows");
  Column missing = Numbers(std::vector<double>(39, 1.0));
  missing.AppendNull();
  expect(PermutationImportanceOf(t.model, players, t.data, missing, {}),
         "label of row 40 is missing");

  ModelInfo info = Info(1, ModelTask::kClassification, {"no", "yes"});
  FunctionModel clf(info, 1, "logistic",
                    [](const std::vector<double>& x) { return std::vector<double>{x[0]}; });
  const InputFrame data = Frame(info, {{1}, {-1}});
  Column words(DataType::kString);
  words.AppendString("yes");
  words.AppendString("maybe");
  expect(PermutationImportanceOf(clf, InputPlayers(info), data, words, {}),
         "label \"maybe\" of row 2 is not among the model's classes");
  Column both_yes(DataType::kString);
  both_yes.AppendString("yes");
  both_yes.AppendString("yes");
  expect(PermutationImportanceOf(clf, InputPlayers(info), data, both_yes, {.metric = "roc_auc"}),
         "roc_auc needs both classes");
  expect(PermutationImportanceOf(clf, InputPlayers(info), data, both_yes, {.metric = "r2"}),
         "is for regression models");
  ModelInfo three = Info(1, ModelTask::kClassification, {"a", "b", "c"});
  FunctionModel multi(three, 3, "softmax", [](const std::vector<double>& x) {
    return std::vector<double>{x[0], 0, 0};
  });
  expect(PermutationImportanceOf(multi, InputPlayers(three), data, both_yes, {.metric = "brier"}),
         "defined for binary classifiers");
}

TEST(PermutationImportanceTest, StringLabelsAndAutoMetric) {
  ModelInfo info = Info(2, ModelTask::kClassification, {"deny", "approve"});
  FunctionModel clf(info, 1, "logistic",
                    [](const std::vector<double>& x) { return std::vector<double>{4 * x[0]}; });
  std::vector<std::vector<double>> rows;
  Column labels(DataType::kString);
  for (int i = 0; i < 20; ++i) {
    rows.push_back({i % 2 == 0 ? 1.0 : -1.0, static_cast<double>(i)});
    labels.AppendString(i % 2 == 0 ? "approve" : "deny");
  }
  auto r =
      PermutationImportanceOf(clf, InputPlayers(info), Frame(info, rows), labels, {.repeats = 3});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->metric, "accuracy");
  EXPECT_EQ(r->baseline, 1);
  EXPECT_GT(r->importances[0].mean, 0);
  EXPECT_EQ(r->importances[1].mean, 0);
}

}  // namespace
}  // namespace probity::explain
