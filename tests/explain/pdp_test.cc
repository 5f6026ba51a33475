#include "explain/pdp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/explain/random_trees.h"
#include "tests/explain/test_models.h"
#include "tests/testing/test_data.h"

namespace probity::explain {
namespace {

using ::testing::ElementsAre;
using testing::FunctionModel;
using ::testing::HasSubstr;
using testing::ViewModel;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ModelInfo NumericInfo(const std::vector<std::string>& names) {
  ModelInfo info;
  info.format = "test";
  for (const std::string& name : names) info.inputs.push_back({.name = name});
  return info;
}

InputFrame NumericFrame(const ModelInfo& info, std::vector<double> values) {
  InputFrame frame;
  for (const ModelInput& input : info.inputs) {
    frame.names.push_back(input.name);
    frame.is_string.push_back(false);
    frame.dictionaries.emplace_back();
  }
  frame.rows = static_cast<int64_t>(values.size() / frame.width());
  frame.values.assign(values.begin(), values.end());
  return frame;
}

void ExpectValues(const Buffer<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-12 * std::max(1.0, std::fabs(expected[i]))) << i;
}

// f(a, b) = a·b + 2a, a regression model scored through Model::Predict.
FunctionModel ProductModel() {
  return FunctionModel(NumericInfo({"a", "b"}), 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{x[0] * x[1] + 2 * x[0]};
  });
}

TEST(PartialDependenceTest, BruteAverageAndIceByHand) {
  FunctionModel model = ProductModel();
  // Rows (a, b): (1, 1), (2, 3), (4, 2). Fewer unique values than grid points: the grid is
  // the unique values.
  InputFrame data = NumericFrame(model.info(), {1, 1, 2, 3, 4, 2});
  auto curves = PartialDependence(model, data, {.space = OutputSpace::kValue});
  ASSERT_TRUE(curves.has_value()) << curves.error().ToString();
  ASSERT_EQ(curves->size(), 2u);
  const PdpCurve& a = (*curves)[0];
  EXPECT_EQ(a.feature, "a");
  EXPECT_EQ(a.method, "brute");
  EXPECT_FALSE(a.categorical);
  EXPECT_THAT(a.grid, ElementsAre(1, 2, 4));
  EXPECT_THAT(a.labels, ElementsAre("1", "2", "4"));
  EXPECT_THAT(a.outputs, ElementsAre("value"));
  // ICE_i(t) = t·(b_i + 2): slopes 3, 5, 4; PD(t) = 4t.
  ExpectValues(a.average, {4, 8, 16});
  ExpectValues(a.ice, {3, 6, 12, 5, 10, 20, 4, 8, 16});
  // Counts: below 1, [1, 2), [2, 4), at or above 4.
  EXPECT_THAT(a.data_counts, ElementsAre(0, 1, 1, 1));
  EXPECT_EQ(a.rows, 3);
  EXPECT_EQ(a.missing, 0);
  // ICE_i(t) = a_i·(t + 2): PD(t) = (7/3)(t + 2) on grid 1, 2, 3.
  const PdpCurve& b = (*curves)[1];
  ExpectValues(b.average, {7, 28.0 / 3, 35.0 / 3});
  ExpectValues(b.ice, {3, 4, 5, 6, 8, 10, 12, 16, 20});
}

TEST(PartialDependenceTest, PercentileGridMatchesScikitLearn) {
  // x = i² for i = 0..29 and one missing cell. Expected values from scipy's mquantiles
  // (scikit-learn's grid ends) and numpy's linspace and searchsorted(side="right"):
  //   mquantiles(x, prob=(0.05, 0.95)) = (0.91, 789.13), grid of 5 points, counts
  //   [1 14 5 5 4 1]; prob=(0.1, 0.8): (6.1, 555.32), counts [3 9 5 4 3 6].
  ModelInfo info = NumericInfo({"x"});
  std::vector<double> values;
  for (int i = 0; i < 30; ++i) values.push_back(i * i);
  values.push_back(kNaN);
  InputFrame data = NumericFrame(info, values);
  FunctionModel model(info, 1, "identity",
                      [](const std::vector<double>& x) { return std::vector<double>{x[0]}; });
  auto curves = PartialDependence(model, data,
                                  {.grid_points = 5, .ice = false, .space = OutputSpace::kValue});
  ASSERT_TRUE(curves.has_value()) << curves.error().ToString();
  const PdpCurve& c = (*curves)[0];
  ExpectValues(Buffer<double>(c.grid.begin(), c.grid.end()),
               {0.91, 197.96499999999997, 395.02, 592.0749999999999, 789.13});
  EXPECT_THAT(c.data_counts, ElementsAre(1, 14, 5, 5, 4, 1));
  EXPECT_EQ(c.missing, 1);
  EXPECT_EQ(c.rows, 31);
  EXPECT_TRUE(c.ice.empty());
  // The model is the identity on x: PD equals the grid (missing rows included).
  ExpectValues(c.average, {0.91, 197.96499999999997, 395.02, 592.0749999999999, 789.13});

  curves = PartialDependence(model, data,
                             {.grid_points = 5,
                              .lower_percentile = 0.1,
                              .upper_percentile = 0.8,
                              .space = OutputSpace::kValue});
  ASSERT_TRUE(curves.has_value()) << curves.error().ToString();
  const PdpCurve& d = (*curves)[0];
  ExpectValues(Buffer<double>(d.grid.begin(), d.grid.end()),
               {6.1, 143.40499999999997, 280.71, 418.015, 555.32});
  EXPECT_THAT(d.data_counts, ElementsAre(3, 9, 5, 4, 3, 6));
}

TEST(PartialDependenceTest, StringFeatureUsesItsLevels) {
  ModelInfo info;
  info.format = "test";
  info.inputs = {
      {.name = "housing", .kind = InputKind::kCategorical, .categories = {"free", "own", "rent"}},
      {.name = "age"}};
  // The model sees housing as its category code (free 0, own 1, rent 2).
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{10 * x[0] + x[1]};
  });
  Column housing(DataType::kString);
  for (const char* s : {"rent", "own", "", "rent"}) {
    if (*s) {
      housing.AppendString(s);
    } else {
      housing.AppendNull();
    }
  }
  Column age(DataType::kFloat64);
  for (double v : {1.0, 2.0, 3.0, 4.0}) age.AppendFloat64(v);
  Table table(Schema({{.name = "housing", .type = DataType::kString},
                      {.name = "age", .type = DataType::kFloat64}}),
              {std::move(housing), std::move(age)});
  auto data = ReadInputFrame(info, table, "d.csv");
  ASSERT_TRUE(data.has_value()) << data.error().ToString();
  auto curves =
      PartialDependence(model, *data, {.features = {"housing"}, .space = OutputSpace::kValue});
  ASSERT_TRUE(curves.has_value()) << curves.error().ToString();
  ASSERT_EQ(curves->size(), 1u);
  const PdpCurve& c = (*curves)[0];
  EXPECT_TRUE(c.categorical);
  EXPECT_THAT(c.labels, ElementsAre("own", "rent"));  // levels present, in text order
  // PD(own) = 10 + mean(age) = 12.5; PD(rent) = 20 + 2.5.
  ExpectValues(c.average, {12.5, 22.5});
  EXPECT_THAT(c.data_counts, ElementsAre(1, 2, 1));  // own, rent, then missing
  EXPECT_EQ(c.missing, 1);
}

TEST(PartialDependenceTest, BruteChunksLargeSyntheticSets) {
  // 5,000 rows × 20 grid points = 100,000 synthetic rows, scored in two blocks.
  ModelInfo info = NumericInfo({"x0", "x1"});
  std::vector<double> values;
  double mean_x1 = 0;
  for (int i = 0; i < 5000; ++i) {
    values.push_back(i / 5000.0);
    values.push_back((i % 7) / 7.0);
    mean_x1 += (i % 7) / 7.0 / 5000;
  }
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{x[0] + 3 * x[1]};
  });
  auto curves = PartialDependence(model, NumericFrame(info, values),
                                  {.features = {"x0"}, .space = OutputSpace::kValue});
  ASSERT_TRUE(curves.has_value()) << curves.error().ToString();
  const PdpCurve& c = (*curves)[0];
  ASSERT_EQ(c.grid.size(), 20u);
  ASSERT_EQ(c.ice.size(), 5000u * 20);
  for (size_t g = 0; g < 20; ++g) {
    EXPECT_NEAR(c.average[g], c.grid[g] + 3 * mean_x1, 1e-12);
    EXPECT_NEAR(c.ice[4999 * 20 + g], c.grid[g] + 3 * (4999 % 7) / 7.0, 1e-12);
  }
}

// One tree: x0 < 0.5 ? (x1 < 0.5 ? 1 : 2) : 3, covers 10 → (4 → (1, 3), 6).
TreeEnsembleView HandTree() {
  TreeView tree;
  tree.nodes.resize(5);
  tree.nodes[0] = {
      .kind = SplitKind::kLess, .feature = 0, .threshold = 0.5, .left = 1, .right = 2, .cover = 10};
  tree.nodes[1] = {
      .kind = SplitKind::kLess, .feature = 1, .threshold = 0.5, .left = 3, .right = 4, .cover = 4};
  tree.nodes[2] = {.leaf = {3}, .cover = 6};
  tree.nodes[3] = {.leaf = {1}, .cover = 1};
  tree.nodes[4] = {.leaf = {2}, .cover = 3};
  return TreeEnsembleView{.trees = {tree}, .base_margin = {0.5}, .link = "identity"};
}

TEST(PartialDependenceTest, RecursionIsTheCoverWeightedTraversal) {
  ViewModel model(testing::RandomInfo(2, 1), HandTree());
  InputFrame data = NumericFrame(model.info(), {0.2, 0.1, 0.8, 0.9});
  auto curves = PartialDependence(
      model, data, {.method = "recursion", .space = OutputSpace::kMargin, .threads = 2});
  ASSERT_TRUE(curves.has_value()) << curves.error().ToString();
  const PdpCurve& x0 = (*curves)[0];
  EXPECT_EQ(x0.method, "recursion");
  EXPECT_TRUE(x0.ice.empty());
  // x0 = 0.2: left, x1 unknown: (1·1 + 3·2) / 4 = 1.75; x0 = 0.8: 3. Plus 0.5.
  ExpectValues(x0.average, {2.25, 3.5});
  // x1 known, x0 unknown: 0.4·(1 or 2) + 0.6·3 = 2.2 or 2.6. Plus 0.5.
  ExpectValues((*curves)[1].average, {2.7, 3.1});
  // Brute averages over the data instead: at x0 = 0.2 the rows give 1 and 2, so 2.0.
  auto brute = PartialDependence(model, data, {.method = "brute", .space = OutputSpace::kMargin});
  ASSERT_TRUE(brute.has_value()) << brute.error().ToString();
  ExpectValues((*brute)[0].average, {2.0, 3.5});
}

TEST(PartialDependenceTest, RecursionEncodesGridValuesAsTheModelReadsThem) {
  // Frame codes follow first appearance (c = 0, a = 1); the model's codes its category
  // list (a = 0, b = 1, c = 2). The split sends model code 2 ("c") left to leaf 1.
  ModelInfo info;
  info.format = "test";
  info.inputs = {{.name = "k", .kind = InputKind::kCategorical, .categories = {"a", "b", "c"}}};
  TreeView tree;
  tree.nodes.resize(3);
  tree.nodes[0] = {.kind = SplitKind::kCategorical,
                   .feature = 0,
                   .categories = {2},
                   .left = 1,
                   .right = 2,
                   .cover = 2};
  tree.nodes[1] = {.leaf = {1}, .cover = 1};
  tree.nodes[2] = {.leaf = {0}, .cover = 1};
  ViewModel model(info, TreeEnsembleView{.trees = {tree}, .base_margin = {0}});
  Column k(DataType::kString);
  k.AppendString("c");
  k.AppendString("a");
  auto data = ReadInputFrame(
      info, Table(Schema({{.name = "k", .type = DataType::kString}}), {std::move(k)}), "d.csv");
  ASSERT_TRUE(data.has_value()) << data.error().ToString();
  for (const char* method : {"recursion", "brute"}) {
    auto curves = PartialDependence(
        model, *data, {.ice = false, .method = method, .space = OutputSpace::kMargin});
    ASSERT_TRUE(curves.has_value()) << curves.error().ToString();
    EXPECT_THAT((*curves)[0].labels, ElementsAre("a", "c"));
    ExpectValues((*curves)[0].average, {0, 1});
  }
}

TEST(PartialDependenceTest, RecursionMatchesScikitLearn) {
  // tests/data/explain/pdp/make_gbr_recursion.py: a GradientBoostingRegressor and
  // scikit-learn's partial_dependence(method="recursion") plus the init constant.
  std::ifstream in(probity::testing::TestDataPath("explain/pdp/gbr_recursion.json"));
  ASSERT_TRUE(in) << "missing fixture";
  const nlohmann::json fixture = nlohmann::json::parse(in);
  TreeEnsembleView view;
  view.base_margin = {fixture["init"].get<double>()};
  view.link = "identity";
  for (const nlohmann::json& t : fixture["trees"]) {
    TreeView tree;
    tree.weight = fixture["learning_rate"].get<double>();
    for (size_t i = 0; i < t["left"].size(); ++i) {
      TreeNode node;
      node.cover = t["cover"][i].get<double>();
      if (t["left"][i].get<int>() < 0) {
        node.leaf = {t["value"][i].get<double>()};
      } else {
        node.kind = SplitKind::kLessEqual;  // scikit-learn: x <= threshold goes left
        node.feature = t["feature"][i].get<int32_t>();
        node.threshold = t["threshold"][i].get<double>();
        node.left = t["left"][i].get<int32_t>();
        node.right = t["right"][i].get<int32_t>();
      }
      tree.nodes.push_back(node);
    }
    view.trees.push_back(std::move(tree));
  }
  ViewModel model(NumericInfo(fixture["features"].get<std::vector<std::string>>()), view);
  std::vector<double> values;
  for (const nlohmann::json& row : fixture["data"]) {
    for (const nlohmann::json& v : row) values.push_back(v.get<double>());
  }
  InputFrame data = NumericFrame(model.info(), values);
  // The exported trees score as scikit-learn does.
  auto predictions = ScoreRows(model, data, data.values, data.rows, OutputSpace::kMargin);
  ASSERT_TRUE(predictions.has_value()) << predictions.error().ToString();
  ExpectValues(*predictions, fixture["predictions"].get<std::vector<double>>());
  auto curves =
      PartialDependence(model, data, {.method = "recursion", .space = OutputSpace::kMargin});
  ASSERT_TRUE(curves.has_value()) << curves.error().ToString();
  ASSERT_EQ(curves->size(), 3u);
  for (size_t j = 0; j < 3; ++j) {
    const nlohmann::json& expected = fixture["expected"][j];
    EXPECT_EQ((*curves)[j].grid, expected["grid"].get<std::vector<double>>());
    ExpectValues((*curves)[j].average, expected["average"].get<std::vector<double>>());
  }
}

TEST(PartialDependenceTest, AutoPicksRecursionForTreesInMarginSpaceWithoutIce) {
  ViewModel trees(testing::RandomInfo(2, 1), HandTree());
  InputFrame data = NumericFrame(trees.info(), {0.2, 0.1, 0.8, 0.9});
  auto average = PartialDependence(trees, data,
                                   {.ice = false, .method = "auto", .space = OutputSpace::kMargin});
  ASSERT_TRUE(average.has_value());
  EXPECT_EQ((*average)[0].method, "recursion");
  auto ice = PartialDependence(trees, data,
                               {.ice = true, .method = "auto", .space = OutputSpace::kMargin});
  ASSERT_TRUE(ice.has_value());
  EXPECT_EQ((*ice)[0].method, "brute");
  FunctionModel function = ProductModel();
  auto other = PartialDependence(function, NumericFrame(function.info(), {1, 1, 2, 3}),
                                 {.method = "auto", .space = OutputSpace::kValue});
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ((*other)[0].method, "brute");
}

TEST(PartialDependenceTest, RejectsBadRequests) {
  FunctionModel function = ProductModel();
  InputFrame data = NumericFrame(function.info(), {1, 1, 2, 3, 4, 2});
  auto expect_error = [](const Result<std::vector<PdpCurve>>& r, const std::string& text) {
    ASSERT_FALSE(r.has_value()) << text;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.error().ToString(), HasSubstr(text));
  };
  const OutputSpace value = OutputSpace::kValue;
  expect_error(PartialDependence(function, data, {.features = {"c"}, .space = value}),
               "unknown feature \"c\"");
  expect_error(
      PartialDependence(function, data,
                        {.lower_percentile = 0.9, .upper_percentile = 0.1, .space = value}),
      "0 <= lower < upper <= 1");
  expect_error(PartialDependence(function, data, {.upper_percentile = 1.5, .space = value}),
               "0 <= lower < upper <= 1");
  expect_error(PartialDependence(function, data, {.grid_points = 1, .space = value}),
               "grid_points is 1");
  expect_error(PartialDependence(function, data, {.method = "fast", .space = value}),
               "unknown method \"fast\"");
  expect_error(PartialDependence(function, data, {.method = "recursion", .space = value}),
               "has no tree structure");
  expect_error(PartialDependence(function, NumericFrame(function.info(), {}), {.space = value}),
               "the data has no rows");
  expect_error(PartialDependence(function, NumericFrame(function.info(), {kNaN, 1, kNaN, 2}),
                                 {.space = value}),
               "feature \"a\" has no non-missing value");

  ViewModel trees(testing::RandomInfo(2, 1), HandTree());
  InputFrame tree_data = NumericFrame(trees.info(), {0.2, 0.1, 0.8, 0.9});
  expect_error(PartialDependence(trees, tree_data, {.method = "recursion", .space = value}),
               "the output space is value");
  TreeEnsembleView no_covers = HandTree();
  for (TreeNode& node : no_covers.trees[0].nodes) node.cover = kNaN;
  ViewModel uncovered(testing::RandomInfo(2, 1), no_covers);
  expect_error(
      PartialDependence(uncovered, tree_data,
                        {.features = {"f1"}, .method = "recursion", .space = OutputSpace::kMargin}),
      "tree 0, node 0 has children without a usable cover");
}

}  // namespace
}  // namespace probity::explain
