#include "audit/ingest/models/lightgbm_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "audit/core/file_system.h"
#include "audit/ingest/models/model_loader.h"
#include "tests/testing/model_cases.h"
#include "tests/testing/test_data.h"

namespace probity::models {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string Fixture(const std::string& name) {
  return testing::TestDataPath("models/lightgbm/" + name);
}

std::unique_ptr<Model> Load(const std::string& name, int iteration_limit = 0) {
  return testing::LoadModelOrFail(Fixture(name), iteration_limit);
}

Status LoadError(const std::string& name) { return testing::LoadModelError(Fixture(name)); }

using testing::MakeTable;
Column Numbers(const std::vector<double>& values) { return testing::NumberColumn(values); }
Column Strings(const std::vector<std::string>& values) { return testing::StringColumn(values); }

double Sigmoid(double m, double scale) { return 1 / (1 + std::exp(-scale * m)); }

TEST(LightGBMModelTest, StumpRegressionAndIterationLimit) {
  auto model = Load("stump_regression.txt");
  ASSERT_NE(model, nullptr);
  const ModelInfo& info = model->info();
  EXPECT_EQ(info.format, "lightgbm");
  EXPECT_EQ(info.format_version, "v4");
  EXPECT_EQ(info.algorithm, "gbdt");
  EXPECT_EQ(info.objective, "regression");
  EXPECT_EQ(info.link, "identity");
  EXPECT_EQ(info.task, ModelTask::kRegression);
  ASSERT_EQ(info.inputs.size(), 1u);
  EXPECT_EQ(info.inputs[0].name, "x");
  EXPECT_EQ(info.inputs[0].kind, InputKind::kContinuous);
  Table data = MakeTable({{"x", Numbers({1, 2, kNaN, 1.5})}});
  auto p = model->Predict(data);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->Value(0), 10.5);
  EXPECT_EQ(p->Value(1), 20.5);
  EXPECT_EQ(p->Value(2), 10.5);  // missing type None: NaN reads as 0, and 0 <= 1.5
  EXPECT_EQ(p->Value(3), 10.5);  // <= goes left
  EXPECT_EQ(p->margin_width, 1);

  auto first = Load("stump_regression.txt", 1);
  ASSERT_NE(first, nullptr);
  auto q = first->Predict(data);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->Value(0), 10);
  EXPECT_EQ(q->Value(1), 20);
  EXPECT_EQ(first->tree_view()->trees.size(), 1u);
}

TEST(LightGBMModelTest, StructureCounts) {
  auto model = Load("stump_regression.txt");
  ASSERT_NE(model, nullptr);
  std::vector<std::pair<std::string, int64_t>> expected = {
      {"trees", 2}, {"iterations", 2}, {"max_depth", 1}, {"leaves", 3}};
  EXPECT_EQ(model->info().structure, expected);
}

TEST(LightGBMModelTest, CategoricalSplitsWithPandasCategories) {
  auto model = Load("categorical_binary.txt");
  ASSERT_NE(model, nullptr);
  const ModelInfo& info = model->info();
  EXPECT_EQ(info.task, ModelTask::kClassification);
  EXPECT_EQ(info.classes, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(info.link, "logistic");
  ASSERT_EQ(info.inputs.size(), 2u);
  EXPECT_EQ(info.inputs[0].kind, InputKind::kCategorical);
  EXPECT_EQ(info.inputs[0].categories, (std::vector<std::string>{"blue", "green", "red"}));
  EXPECT_EQ(info.inputs[1].kind, InputKind::kContinuous);

  Table data =
      MakeTable({{"color", Strings({"blue", "green", "green", "green", "purple", "", "red"})},
                 {"size", Numbers({5, 2, 7, kNaN, 7, 1, 1})}});
  auto p = model->Predict(data);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  // Margins by hand: blue/red → 1; otherwise size <= 3 (NaN default left) → -1, else 0.5.
  const std::vector<double> margins = {1, -1, 0.5, -1, 0.5, -1, 1};
  for (size_t r = 0; r < margins.size(); ++r) {
    const auto row = static_cast<int64_t>(r);
    EXPECT_NEAR(p->Probability(row, 1), Sigmoid(margins[r], 2), 1e-15) << "row " << r;
    EXPECT_NEAR(p->Probability(row, 0), 1 - Sigmoid(margins[r], 2), 1e-15) << "row " << r;
    EXPECT_EQ(p->labels[r], margins[r] > 0 ? 1 : 0);
    EXPECT_EQ(p->margins[r], margins[r]);
  }
}

TEST(LightGBMModelTest, TreeViewOfCategoricalModel) {
  auto model = Load("categorical_binary.txt");
  ASSERT_NE(model, nullptr);
  const TreeEnsembleView* view = model->tree_view();
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->cover_kind, "count");
  EXPECT_EQ(view->link, "logistic");
  EXPECT_FALSE(view->average);
  ASSERT_EQ(view->trees.size(), 1u);
  const auto& nodes = view->trees[0].nodes;
  ASSERT_EQ(nodes.size(), 5u);  // 2 splits, then leaves 0..2 at 2..4
  EXPECT_EQ(nodes[0].kind, SplitKind::kCategorical);
  EXPECT_EQ(nodes[0].categories, (std::vector<int32_t>{0, 2}));
  EXPECT_TRUE(nodes[0].categories_go_left);
  EXPECT_FALSE(nodes[0].default_left);
  EXPECT_EQ(nodes[0].left, 2);
  EXPECT_EQ(nodes[0].right, 1);
  EXPECT_EQ(nodes[0].cover, 10);
  EXPECT_EQ(nodes[1].kind, SplitKind::kLessEqual);
  EXPECT_EQ(nodes[1].feature, 1);
  EXPECT_EQ(nodes[1].threshold, 3);
  EXPECT_TRUE(nodes[1].default_left);
  EXPECT_EQ(nodes[1].left, 3);
  EXPECT_EQ(nodes[1].right, 4);
  EXPECT_EQ(nodes[4].kind, SplitKind::kLeaf);
  EXPECT_EQ(nodes[4].leaf, (std::vector<double>{0.5}));
  EXPECT_EQ(nodes[4].cover, 3);
}

TEST(LightGBMModelTest, BooleanCategoriesMatchTextWithoutCase) {
  // pandas_categorical [false, true]: the data's TRUE/False text reads as booleans.
  std::string text = R"(tree
version=v4
num_class=1
num_tree_per_iteration=1
label_index=0
max_feature_idx=0
objective=regression
feature_names=flag
feature_infos=0:1

Tree=0
num_leaves=2
num_cat=1
split_feature=0
threshold=0
decision_type=1
left_child=-1
right_child=-2
leaf_value=1 2
cat_boundaries=0 1
cat_threshold=2

end of trees

pandas_categorical:[[false, true]]
)";
  auto model = LoadLightGBMModel(text, "flag.txt", {});
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  auto p = (*model)->Predict(MakeTable({{"flag", Strings({"TRUE", "False", "", "maybe"})}}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->Value(0), 1);  // true = code 1, in the set
  EXPECT_EQ(p->Value(1), 2);
  EXPECT_EQ(p->Value(2), 2);
  EXPECT_EQ(p->Value(3), 2);
}

TEST(LightGBMModelTest, MissingTypesNoneZeroNaN) {
  auto model = Load("missing_types.txt");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().format_version, "v3");
  Table data = MakeTable({{"a", Numbers({0.2, 1, kNaN, 0.7, 0})},
                          {"b", Numbers({0, 5, -3, kNaN, 0.5})},
                          {"c", Numbers({1, kNaN, 3, 0, 2})}});
  auto p = model->Predict(data);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  const std::vector<double> expected = {111, 322, 311, 112, 121};
  for (size_t r = 0; r < expected.size(); ++r) {
    EXPECT_EQ(p->Value(static_cast<int64_t>(r)), expected[r]) << "row " << r;
  }
  // A value within 1e-35 of zero is zero for LightGBM, so missing under type Zero.
  auto tiny = model->Predict(
      MakeTable({{"a", Numbers({0})}, {"b", Numbers({1e-40})}, {"c", Numbers({0})}}));
  ASSERT_TRUE(tiny.has_value());
  EXPECT_EQ(tiny->Value(0), 111);
  // The view states where NaN goes: type None follows 0 <= threshold.
  const TreeEnsembleView* view = model->tree_view();
  EXPECT_TRUE(view->trees[0].nodes[0].default_left);   // None: 0 <= 0.5
  EXPECT_TRUE(view->trees[1].nodes[0].default_left);   // Zero, default left
  EXPECT_FALSE(view->trees[2].nodes[0].default_left);  // NaN, default right
}

TEST(LightGBMModelTest, MulticlassSoftmax) {
  auto model = Load("multiclass.txt");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().classes, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(model->info().link, "softmax");
  auto p = model->Predict(MakeTable({{"x", Numbers({-1, 0.5, 2, kNaN})}}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  const std::vector<std::vector<double>> margins = {
      {1, 0.5, 0}, {0, 0.5, 0}, {0, 0.5, 2}, {1, 0.5, 0}};
  const std::vector<int32_t> labels = {0, 1, 2, 0};
  for (size_t r = 0; r < margins.size(); ++r) {
    double sum = 0;
    for (double m : margins[r]) sum += std::exp(m);
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(p->Probability(static_cast<int64_t>(r), k), std::exp(margins[r][k]) / sum, 1e-15)
          << "row " << r << " class " << k;
    }
    EXPECT_EQ(p->labels[r], labels[r]);
  }
  EXPECT_EQ(p->margin_width, 3);
  EXPECT_EQ(model->tree_view()->trees[2].output, 2);
}

TEST(LightGBMModelTest, RandomForestAveragesIterations) {
  auto model = Load("rf_regression.txt");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().algorithm, "rf");
  EXPECT_TRUE(model->tree_view()->average);
  auto p = model->Predict(MakeTable({{"x", Numbers({1, 3, 6})}}));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->Value(0), 5.5);
  EXPECT_EQ(p->Value(1), 10.5);
  EXPECT_EQ(p->Value(2), 11.5);
}

TEST(LightGBMModelTest, IntegerCodedCategoriesUseTheNumber) {
  auto model = Load("int_categorical.txt");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().link, "exp");
  EXPECT_EQ(model->info().inputs[0].categories, (std::vector<std::string>{"0", "1", "2", "3"}));
  auto p = model->Predict(MakeTable({{"k", Numbers({1, 3, 3.9, 0, 2, 7, -1, kNaN})}}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  const std::vector<double> leaf = {1, 1, 1, 2, 2, 2, 2, 2};
  for (size_t r = 0; r < leaf.size(); ++r) {
    EXPECT_DOUBLE_EQ(p->Value(static_cast<int64_t>(r)), std::exp(leaf[r])) << "row " << r;
  }
}

TEST(LightGBMModelTest, MissingColumnNamesTheInput) {
  auto model = Load("categorical_binary.txt");
  ASSERT_NE(model, nullptr);
  auto p = model->Predict(MakeTable({{"color", Strings({"blue"})}}));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.error().message(), "model input \"size\" has no column in the data");
}

TEST(LightGBMModelTest, TruncatedFile) {
  Status s = LoadError("malformed/truncated.txt");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), Fixture("malformed/truncated.txt") +
                              ":22: the model ends without \"end of trees\" (truncated?); "
                              "expected a line \"end of trees\" after the last tree");
}

TEST(LightGBMModelTest, MissingHeaderKey) {
  Status s = LoadError("malformed/missing_num_class.txt");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), Fixture("malformed/missing_num_class.txt") +
                              ":1: the header has no \"num_class\"; expected a line "
                              "\"num_class=…\"");
}

TEST(LightGBMModelTest, ChildOutOfRange) {
  Status s = LoadError("malformed/child_out_of_range.txt");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), Fixture("malformed/child_out_of_range.txt") +
                              ":19: Tree=0: right_child 1 is -5, out of range; expected an "
                              "internal node in [0, 1) or a leaf in [-2, -1]");
}

TEST(LightGBMModelTest, HugeNumLeavesIsCheckedAgainstTheArrays) {
  Status s = LoadError("malformed/huge_num_leaves.txt");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), Fixture("malformed/huge_num_leaves.txt") +
                              ":20: Tree=0: \"leaf_value\" has 2 values; expected 1000000000 "
                              "(from num_leaves / num_cat)");
}

TEST(LightGBMModelTest, CycleIsRefused) {
  Status s = LoadError("malformed/cycle.txt");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), Fixture("malformed/cycle.txt") +
                              ":11: Tree=0: node 1 leads back to node 0, which is already in "
                              "the tree (a cycle or a shared node); expected each node to have "
                              "exactly one parent");
}

TEST(LightGBMModelTest, LinearTreesAreUnimplemented) {
  Status s = LoadError("malformed/linear_tree.txt");
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(s.message(), Fixture("malformed/linear_tree.txt") +
                             ":26: linear trees (is_linear=1, trained with linear_tree) are not "
                             "supported");
}

TEST(LightGBMModelTest, UnknownObjectiveIsUnimplemented) {
  std::string text =
      "tree\nversion=v4\nnum_class=1\nmax_feature_idx=0\nobjective=cox\nfeature_names=x\n"
      "end of trees\n";
  auto model = LoadLightGBMModel(text, "m.txt", {});
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(model.error().message(), "m.txt:5: LightGBM objective \"cox\" is not supported");
}

TEST(LightGBMModelTest, FeatureNameCountMustMatch) {
  std::string text =
      "tree\nversion=v4\nnum_class=1\nmax_feature_idx=2\nfeature_names=x y\nend of trees\n";
  auto model = LoadLightGBMModel(text, "m.txt", {});
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().ToString(),
            "m.txt:5: \"feature_names\" lists 2 names; expected 3 (max_feature_idx + 1)");
}

TEST(LightGBMModelTest, DetectedByTheDispatcher) {
  EXPECT_EQ(DetectModelFormat("tree\nversion=v4\n"), ModelFormat::kLightGBM);
}

}  // namespace
}  // namespace probity::models
