#include "audit/ingest/models/xgboost_model.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "audit/core/status.h"
#include "audit/ingest/models/model_loader.h"
#include "tests/testing/model_cases.h"
#include "tests/testing/test_data.h"

namespace probity::models {
namespace {

// Fixtures made by tests/data/models/xgboost/make_models.py with python3-xgboost 1.7.4;
// the expected CSVs are xgboost's own Booster.predict output.
std::string Fixture(const std::string& name) {
  return testing::TestDataPath("models/xgboost/" + name);
}

class XGBoostFixtureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(XGBoostFixtureTest, MatchesXGBoost17Predictions) {
  for (const char* extension : {".json", ".ubj"}) {
    Result<std::unique_ptr<Model>> model =
        LoadModel(LocalFileSystem(), Fixture(GetParam() + extension));
    ASSERT_TRUE(model.has_value()) << model.error().ToString();
    EXPECT_EQ((*model)->info().format, "xgboost");
    EXPECT_EQ((*model)->info().format_version, "1.7.4");
    Result<Table> input = testing::ReadModelInput(Fixture("input.csv"), (*model)->info());
    ASSERT_TRUE(input.has_value()) << input.error().ToString();
    Result<Predictions> p = (*model)->Predict(*input);
    ASSERT_TRUE(p.has_value()) << p.error().ToString();
    Result<Table> expected = testing::ReadExpected(Fixture(GetParam() + ".expected.csv"));
    ASSERT_TRUE(expected.has_value()) << expected.error().ToString();
    ASSERT_EQ(expected->num_rows(), p->rows);
    for (size_t col = 0; col < expected->num_columns(); ++col) {
      const std::string& name = expected->schema().field(col).name;
      for (int64_t r = 0; r < p->rows; ++r) {
        const double want = testing::ParseNumber(expected->column(col).StringAt(r));
        const double got =
            name == "prediction" ? p->Value(r) : p->Probability(r, std::stoul(name.substr(12)));
        ASSERT_TRUE(testing::NumbersAgree(want, got, 1e-6))
            << GetParam() << extension << " row " << r + 1 << " " << name << ": xgboost " << want
            << ", Probity " << got;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, XGBoostFixtureTest,
                         ::testing::Values("binary_categorical", "regression_dart", "poisson",
                                           "multiclass"));

TEST(XGBoostModelTest, DescribesItselfAndItsTrees) {
  Result<std::unique_ptr<Model>> model =
      LoadModel(LocalFileSystem(), Fixture("binary_categorical.json"));
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.task, ModelTask::kClassification);
  EXPECT_EQ(info.objective, "binary:logistic");
  EXPECT_EQ(info.classes, (std::vector<std::string>{"0", "1"}));
  ASSERT_EQ(info.inputs.size(), 4U);
  EXPECT_EQ(info.inputs[3].name, "code");
  EXPECT_EQ(info.inputs[3].kind, InputKind::kCategorical);
  const TreeEnsembleView* view = (*model)->tree_view();
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->trees.size(), 20U);
  EXPECT_EQ(view->cover_kind, "hessian");
  EXPECT_EQ(view->base_margin.size(), 1U);
  // Covers add up: each split's hessian sum is its children's.
  for (const TreeView& tree : view->trees) {
    for (const TreeNode& node : tree.nodes) {
      if (node.kind == SplitKind::kLeaf) continue;
      EXPECT_NEAR(node.cover, tree.nodes[node.left].cover + tree.nodes[node.right].cover,
                  1e-3 * node.cover);
    }
  }
}

// Loads a fixture's JSON, lets the test break it, and returns the loader's verdict.
Result<std::unique_ptr<Model>> LoadEdited(const std::function<void(nlohmann::json&)>& edit) {
  Result<std::string> text = LocalFileSystem().ReadSmallFile(Fixture("poisson.json"));
  EXPECT_TRUE(text.has_value());
  nlohmann::json json = nlohmann::json::parse(*text);
  edit(json);
  return LoadXGBoostJsonModel(json.dump(), "broken.json", {});
}

nlohmann::json& FirstTree(nlohmann::json& j) {
  return j["learner"]["gradient_booster"]["model"]["trees"][0];
}

void ExpectError(const Result<std::unique_ptr<Model>>& result, StatusCode code,
                 const std::string& fragment) {
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), code) << result.error().ToString();
  EXPECT_NE(result.error().ToString().find(fragment), std::string::npos)
      << result.error().ToString();
}

TEST(XGBoostModelTest, MalformedModelsAreLocatedErrors) {
  Result<std::string> text = LocalFileSystem().ReadSmallFile(Fixture("poisson.json"));
  ASSERT_TRUE(text.has_value());
  ExpectError(LoadXGBoostJsonModel(text->substr(0, text->size() / 2), "cut.json", {}),
              StatusCode::kInvalidArgument, "cut.json: not valid JSON at byte");
  ExpectError(LoadEdited([](auto& j) { FirstTree(j)["left_children"][0] = 9999; }),
              StatusCode::kInvalidArgument, "trees[0] node 0: has children 9999");
  ExpectError(LoadEdited([](auto& j) {
                // node 1's child points back to node 1: a cycle.
                auto& tree = FirstTree(j);
                tree["left_children"][1] = 1;
                tree["right_children"][1] = 2;
                tree["split_indices"][1] = 0;
              }),
              StatusCode::kInvalidArgument, "is reached twice from the root");
  ExpectError(LoadEdited([](auto& j) { FirstTree(j)["split_indices"][0] = 77; }),
              StatusCode::kInvalidArgument, "splits on feature 77");
  ExpectError(LoadEdited([](auto& j) { FirstTree(j)["tree_param"]["num_nodes"] = "1000000000"; }),
              StatusCode::kInvalidArgument, "num_nodes");
  ExpectError(LoadEdited([](auto& j) { FirstTree(j)["split_conditions"] = "oops"; }),
              StatusCode::kInvalidArgument, "split_conditions: holds string");
  ExpectError(LoadEdited([](auto& j) { j["learner"]["objective"]["name"] = "reg:mystery"; }),
              StatusCode::kUnimplemented, "\"reg:mystery\" is not supported");
  ExpectError(LoadEdited([](auto& j) { j["learner"]["learner_model_param"]["base_score"] = "x"; }),
              StatusCode::kInvalidArgument, "base_score: holds x");
  ExpectError(LoadEdited([](auto& j) { j["learner"].erase("gradient_booster"); }),
              StatusCode::kInvalidArgument, "learner: has no \"gradient_booster\"");
  ExpectError(LoadXGBoostUbjsonModel("{Lxx", "bad.ubj", {}), StatusCode::kInvalidArgument,
              "bad.ubj: not valid UBJSON");
}

TEST(XGBoostModelTest, CategorySegmentsMustFollowEachOther) {
  // Segments that overlap or skip would let a small file make every categorical node copy
  // the same long category list; XGBoost writes them back to back.
  Result<std::string> text = LocalFileSystem().ReadSmallFile(Fixture("binary_categorical.json"));
  ASSERT_TRUE(text.has_value());
  std::string cleaned = *text;  // XGBoost 1.7 writes bare NaN, which nlohmann rejects
  for (size_t at = cleaned.find("NaN"); at != std::string::npos; at = cleaned.find("NaN", at)) {
    cleaned.replace(at, 3, "null");
  }
  nlohmann::json json = nlohmann::json::parse(cleaned);
  bool edited = false;
  for (auto& tree : json["learner"]["gradient_booster"]["model"]["trees"]) {
    if (tree["categories_nodes"].empty()) continue;
    tree["categories"].insert(tree["categories"].begin(), 0);  // still in range, but a gap
    tree["categories_segments"][0] = 1;
    edited = true;
    break;
  }
  ASSERT_TRUE(edited) << "the fixture needs a tree with a categorical split";
  ExpectError(LoadXGBoostJsonModel(json.dump(), "gap.json", {}), StatusCode::kInvalidArgument,
              "the next segment of \"categories\"");
}

// Found by tests/fuzz/xgboost_loader_fuzzer (corpus: regression-number-overflow.json).
TEST(XGBoostModelTest, NumberTooLargeForADoubleIsAnError) {
  ExpectError(LoadXGBoostJsonModel("{\"learner\": -0.09455E0855}", "big.json", {}),
              StatusCode::kInvalidArgument, "big.json: not valid JSON");
}

TEST(XGBoostModelTest, ReadsTheBareNaNAndInfinityWordsXGBoostWrites) {
  Result<std::string> text = LocalFileSystem().ReadSmallFile(Fixture("poisson.json"));
  ASSERT_TRUE(text.has_value());
  nlohmann::json json = nlohmann::json::parse(*text);
  nlohmann::json& tree = FirstTree(json);
  tree["loss_changes"][0] = 0.5;
  std::string dumped = json.dump();
  // Inside a string the words stay as they are; as values they become NaN and ±inf.
  const std::string key = "\"loss_changes\":[0.5,";
  const size_t at = dumped.find(key);
  ASSERT_NE(at, std::string::npos);
  dumped.replace(at, key.size(), "\"loss_changes\":[NaN,-Infinity,Infinity,");
  Result<std::unique_ptr<Model>> model = LoadXGBoostJsonModel(dumped, "words.json", {});
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
}

TEST(XGBoostModelTest, BindingErrorsNameTheColumnAndInput) {
  Result<std::unique_ptr<Model>> model = LoadModel(LocalFileSystem(), Fixture("poisson.json"));
  ASSERT_TRUE(model.has_value());
  Result<Table> table = testing::ReadText("x1,x3\n1,2\n");
  ASSERT_TRUE(table.has_value());
  Result<Predictions> p = (*model)->Predict(*table);
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().ToString().find("model input \"x2\" has no column"), std::string::npos);
  table = testing::ReadText("x1,x2,x3\n1,two,2\n");
  ASSERT_TRUE(table.has_value());
  p = (*model)->Predict(*table);
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().ToString().find("\"two\""), std::string::npos) << p.error().ToString();
}

TEST(XGBoostModelTest, IterationLimitUsesTheFirstRounds) {
  ModelLoadOptions options;
  options.iteration_limit = 3;
  Result<std::unique_ptr<Model>> model =
      LoadModel(LocalFileSystem(), Fixture("multiclass.json"), options);
  ASSERT_TRUE(model.has_value());
  EXPECT_EQ((*model)->tree_view()->trees.size(), 9U);  // 3 rounds × 3 classes
}

}  // namespace
}  // namespace probity::models
