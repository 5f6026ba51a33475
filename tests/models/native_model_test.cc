#include "audit/ingest/models/native_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "audit/core/file_system.h"
#include "audit/ingest/models/model_loader.h"
#include "tests/testing/model_cases.h"
#include "tests/testing/test_data.h"

namespace probity::models {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string Fixture(const std::string& name) {
  return testing::TestDataPath("models/native/" + name);
}

std::unique_ptr<Model> Load(const std::string& name, int iteration_limit = 0) {
  return testing::LoadModelOrFail(Fixture(name), iteration_limit);
}

Status LoadError(const std::string& name) { return testing::LoadModelError(Fixture(name)); }

// x (float64, NaN = missing) and color (string, "" = missing).
Table Data(const std::vector<double>& x, const std::vector<std::string>& color = {}) {
  std::vector<std::pair<std::string, Column>> columns;
  columns.emplace_back("x", testing::NumberColumn(x));
  if (!color.empty()) columns.emplace_back("color", testing::StringColumn(color));
  return testing::MakeTable(std::move(columns));
}

// Exit status of a shell command (output discarded).
int RunShell(const std::string& command) {
  const int status = std::system((command + " > /dev/null 2>&1").c_str());
  return status == 0 ? 0 : 1;
}

double Sigmoid(double m) { return 1 / (1 + std::exp(-m)); }

TEST(NativeModelTest, LinearRegressionWithOneHotCategories) {
  auto model = Load("linear.json");
  ASSERT_NE(model, nullptr);
  const ModelInfo& info = model->info();
  EXPECT_EQ(info.format, "probity");
  EXPECT_EQ(info.format_version, "1");
  EXPECT_EQ(info.algorithm, "least_squares");
  EXPECT_EQ(info.target, "y");
  EXPECT_EQ(info.link, "identity");
  ASSERT_EQ(info.inputs.size(), 2u);
  EXPECT_EQ(info.inputs[1].kind, InputKind::kCategorical);
  EXPECT_EQ(info.inputs[1].categories, (std::vector<std::string>{"red", "green", "blue"}));
  auto p = model->Predict(Data({1, -1, kNaN, 0}, {"green", "blue", "red", "red"}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  // 0.5 + 2x + {red 0, green 1, blue -1}; a missing input gives no prediction (NaN).
  EXPECT_EQ(p->Value(0), 3.5);
  EXPECT_EQ(p->Value(1), -2.5);
  EXPECT_TRUE(std::isnan(p->Value(2)));
  EXPECT_EQ(p->Value(3), 0.5);
  const LinearView* view = model->linear_view();
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->coefficients, (std::vector<std::vector<double>>{{2, 0, 1, -1}}));
  EXPECT_EQ(view->intercepts, (std::vector<double>{0.5}));
  EXPECT_EQ(view->link, "identity");
  EXPECT_EQ(model->tree_view(), nullptr);
}

TEST(NativeModelTest, UnseenCategoryIsAnError) {
  auto model = Load("linear.json");
  ASSERT_NE(model, nullptr);
  auto p = model->Predict(Data({1}, {"purple"}));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.error().message(),
            "row 1 of column \"color\" holds the category \"purple\", unseen by the model");
}

TEST(NativeModelTest, BinaryLogistic) {
  auto model = Load("logistic_binary.json");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().classes, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(model->info().link, "logistic");
  EXPECT_EQ(model->linear_view()->link, "logit");
  auto p = model->Predict(Data({1, 0}, {"green", "red"}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_DOUBLE_EQ(p->Probability(0, 1), Sigmoid(2));  // -1 + 1 + 2
  EXPECT_DOUBLE_EQ(p->Probability(0, 0), 1 - Sigmoid(2));
  EXPECT_DOUBLE_EQ(p->Probability(1, 1), Sigmoid(-1));
  EXPECT_EQ(p->labels, (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(p->margins[0], 2);
}

TEST(NativeModelTest, MultinomialLogistic) {
  auto model = Load("logistic_multinomial.json");
  ASSERT_NE(model, nullptr);
  auto p = model->Predict(Data({1, 0}, {"red", "blue"}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  const std::vector<std::vector<double>> margins = {{1, 1.5, -1}, {0, 0.5, 2}};
  for (size_t r = 0; r < 2; ++r) {
    double sum = 0;
    for (double m : margins[r]) sum += std::exp(m);
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(p->Probability(static_cast<int64_t>(r), k), std::exp(margins[r][k]) / sum, 1e-15);
    }
  }
  EXPECT_EQ(p->labels, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(model->linear_view()->coefficients.size(), 3u);
}

TEST(NativeModelTest, TreeEnsembleRegression) {
  auto model = Load("trees_regression.json");
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().algorithm, "gradient_boosting");
  auto p = model->Predict(Data({0, 1, kNaN}, {"green", "red", ""}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  // 0.5 + (x < 1, missing left: 1 | 2) + (green: 10 | else and missing: 20)
  EXPECT_EQ(p->Value(0), 11.5);
  EXPECT_EQ(p->Value(1), 22.5);
  EXPECT_EQ(p->Value(2), 21.5);
  const TreeEnsembleView* view = model->tree_view();
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->base_margin, (std::vector<double>{0.5}));
  ASSERT_EQ(view->trees.size(), 2u);
  EXPECT_EQ(view->trees[0].nodes[0].kind, SplitKind::kLess);
  EXPECT_EQ(view->trees[0].nodes[0].cover, 10);
  EXPECT_EQ(view->trees[1].nodes[0].kind, SplitKind::kCategorical);
  EXPECT_EQ(view->trees[1].nodes[0].categories, (std::vector<int32_t>{1}));
  std::vector<std::pair<std::string, int64_t>> structure = {
      {"trees", 2}, {"max_depth", 1}, {"leaves", 4}};
  EXPECT_EQ(model->info().structure, structure);

  auto first = Load("trees_regression.json", 1);
  ASSERT_NE(first, nullptr);
  auto q = first->Predict(Data({0, 1, kNaN}, {"green", "red", ""}));
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->Value(0), 1.5);
  EXPECT_EQ(q->Value(1), 2.5);
  EXPECT_EQ(first->tree_view()->trees.size(), 1u);
}

TEST(NativeModelTest, TreeEnsembleBinary) {
  auto model = Load("trees_binary.json");
  ASSERT_NE(model, nullptr);
  auto p = model->Predict(Data({2, 3, kNaN}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_DOUBLE_EQ(p->Probability(0, 1), Sigmoid(0.5));   // -0.5 + 1 (x <= 2)
  EXPECT_DOUBLE_EQ(p->Probability(1, 1), Sigmoid(-1.5));  // -0.5 - 1
  EXPECT_DOUBLE_EQ(p->Probability(2, 1), Sigmoid(-1.5));  // missing goes right
  EXPECT_TRUE(std::isnan(model->tree_view()->trees[0].nodes[0].cover));
}

TEST(NativeModelTest, TreeEnsembleSoftmaxWithVectorLeavesAveraged) {
  auto model = Load("trees_softmax.json");
  ASSERT_NE(model, nullptr);
  auto p = model->Predict(Data({-1, 1}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  // Averages of two trees: x <= 0 → ([1,0,0] + [0,1,0]) / 2, else ([0,0,2] + [0,1,0]) / 2.
  const std::vector<std::vector<double>> margins = {{0.5, 0.5, 0}, {0, 0.5, 1}};
  for (size_t r = 0; r < 2; ++r) {
    double sum = 0;
    for (double m : margins[r]) sum += std::exp(m);
    for (size_t k = 0; k < 3; ++k) {
      EXPECT_NEAR(p->Probability(static_cast<int64_t>(r), k), std::exp(margins[r][k]) / sum, 1e-15);
    }
  }
  EXPECT_EQ(p->labels, (std::vector<int32_t>{0, 2}));
}

TEST(NativeModelTest, UnknownKeyNamesThePath) {
  Status s = LoadError("malformed/unknown_key.json");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), Fixture("malformed/unknown_key.json") +
                              ": $.trees[0].nodes[1]: unknown key \"colour\"; expected one of "
                              "leaf, cover");
}

TEST(NativeModelTest, CycleIsRefused) {
  Status s = LoadError("malformed/cycle.json");
  EXPECT_EQ(s.ToString(), Fixture("malformed/cycle.json") +
                              ": $.trees[1].nodes[0] leads back to node 0, which is already in "
                              "the tree (a cycle or a shared node); expected each node to have "
                              "exactly one parent");
}

TEST(NativeModelTest, ChildOutOfRange) {
  Status s = LoadError("malformed/child_out_of_range.json");
  EXPECT_EQ(s.ToString(), Fixture("malformed/child_out_of_range.json") +
                              ": $.trees[0].nodes[0] has child 7, out of range; expected a node "
                              "index in [0, 3)");
}

TEST(NativeModelTest, CategoryCodeOutOfRange) {
  Status s = LoadError("malformed/category_out_of_range.json");
  EXPECT_EQ(s.ToString(), Fixture("malformed/category_out_of_range.json") +
                              ": $.trees[1].nodes[0].categories[0]: is 3; expected an integer in "
                              "[0, 3)");
}

TEST(NativeModelTest, CoefficientCountPerCategory) {
  Status s = LoadError("malformed/coefficient_count.json");
  EXPECT_EQ(s.ToString(), Fixture("malformed/coefficient_count.json") +
                              ": $.coefficients[0][1]: has 2 values; expected 3 (one per "
                              "category of \"color\")");
}

TEST(NativeModelTest, TruncatedJsonHasALocation) {
  Status s = LoadError("malformed/truncated.json");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.location().line, 8);
  EXPECT_EQ(s.message().rfind("not valid JSON: syntax error", 0), 0u) << s.message();
}

TEST(NativeModelTest, WrongLinkForKind) {
  std::string text = R"({"probity_model": 1, "kind": "linear", "task": "regression",
    "inputs": [], "link": "logistic", "coefficients": [[]], "intercepts": [0]})";
  auto model = LoadNativeModel(text, "m.json", {});
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().ToString(), "m.json: $.link: is \"logistic\"; expected \"identity\"");
}

TEST(NativeModelTest, FutureVersionIsUnimplemented) {
  auto model = LoadNativeModel(R"({"probity_model": 2, "kind": "linear", "task": "regression",
    "inputs": [], "link": "identity"})",
                               "m.json", {});
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().code(), StatusCode::kUnimplemented);
}

TEST(NativeModelTest, DetectedByTheDispatcher) {
  EXPECT_EQ(DetectModelFormat(R"({"probity_model": 1})"), ModelFormat::kNative);
}

// Every example model validates against docs/formats/model.schema.json, and a malformed
// one does not (python3-jsonschema).
TEST(NativeModelTest, ExamplesValidateAgainstTheSchema) {
  if (RunShell("/usr/bin/python3 -c 'import jsonschema'") != 0) {
    GTEST_SKIP() << "python3-jsonschema is not installed (scripts/setup installs it)";
  }
  const std::string schema = std::string(PROBITY_SOURCE_DIR) + "/docs/formats/model.schema.json";
  const std::string validator = std::string(PROBITY_SOURCE_DIR) + "/tests/tools/validate_json.py";
  for (const char* name : {"linear.json", "logistic_binary.json", "logistic_multinomial.json",
                           "trees_regression.json", "trees_binary.json", "trees_softmax.json"}) {
    EXPECT_EQ(RunShell("/usr/bin/python3 " + validator + " " + schema + " " + Fixture(name)), 0)
        << name;
  }
  EXPECT_NE(RunShell("/usr/bin/python3 " + validator + " " + schema + " " +
                     Fixture("malformed/unknown_key.json")),
            0);
}

}  // namespace
}  // namespace probity::models
