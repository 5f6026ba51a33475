#include "explain/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/explain/random_trees.h"
#include "tests/explain/test_models.h"

namespace probity::explain {
namespace {

using ::testing::HasSubstr;

TEST(RowSelectionTest, AllByDefault) {
  RowSelection all;
  EXPECT_TRUE(all.all());
  EXPECT_TRUE(all.Contains(0));
  EXPECT_TRUE(all.Contains(1'000'000));
  EXPECT_FALSE(all.ExhaustedAt(5));
  EXPECT_EQ(all.ToString(), "all");
}

TEST(RowSelectionTest, IndicesAndRangesMerge) {
  auto s = RowSelection::Parse("7,0:3,2:5,10:");
  ASSERT_TRUE(s.has_value()) << s.error().ToString();
  for (int64_t r : {0, 1, 2, 3, 4, 7, 10, 11, 500}) EXPECT_TRUE(s->Contains(r)) << r;
  for (int64_t r : {5, 6, 8, 9}) EXPECT_FALSE(s->Contains(r)) << r;
  EXPECT_FALSE(s->ExhaustedAt(1'000));
  EXPECT_EQ(s->ToString(), "0:5,7,10:");
  auto head = RowSelection::Parse(":4");
  ASSERT_TRUE(head.has_value());
  EXPECT_TRUE(head->ExhaustedAt(4));
  EXPECT_FALSE(head->ExhaustedAt(3));
}

TEST(RowSelectionTest, BadSelectorsSayWhatIsExpected) {
  for (const char* text : {"x", "3:1", "-2", "1:2:3", ",,"}) {
    auto s = RowSelection::Parse(text);
    ASSERT_FALSE(s.has_value()) << text;
    EXPECT_EQ(s.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.error().message(), HasSubstr("--rows")) << text;
  }
}

TEST(ShapMethodTest, DefaultsAndChecks) {
  ModelInfo info = testing::RandomInfo(3, 2);
  info.classes = {"no", "yes"};
  testing::RandomTreeSpec spec{.features = 3, .depth = 2};
  testing::ViewModel trees(info, testing::RandomEnsemble(spec, 1));
  EXPECT_EQ(DefaultShapMethod(trees), ShapMethod::kTree);
  EXPECT_EQ(DefaultSpace(ShapMethod::kTree, trees), OutputSpace::kMargin);
  EXPECT_EQ(DefaultSpace(ShapMethod::kKernel, trees), OutputSpace::kProbability);
  EXPECT_TRUE(CheckMethod(ShapMethod::kInterventional, trees, OutputSpace::kProbability).ok());
  Status tree_probability = CheckMethod(ShapMethod::kTree, trees, OutputSpace::kProbability);
  EXPECT_EQ(tree_probability.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(tree_probability.message(), HasSubstr("margin"));
  testing::FunctionModel function(info, 1, "logistic",
                                  [](const std::vector<double>& x) { return std::vector{x[0]}; });
  EXPECT_EQ(DefaultShapMethod(function), ShapMethod::kKernel);
  Status no_trees = CheckMethod(ShapMethod::kTree, function, OutputSpace::kMargin);
  EXPECT_THAT(no_trees.message(), HasSubstr("not a tree ensemble"));
  EXPECT_THAT(CheckMethod(ShapMethod::kLinear, function, OutputSpace::kMargin).message(),
              HasSubstr("not a linear model"));
  EXPECT_FALSE(CheckMethod(ShapMethod::kExact, function, OutputSpace::kValue).ok());
  auto unknown = ParseShapMethod("saabas");
  EXPECT_FALSE(unknown.has_value());
}

Table Numbers(const std::vector<std::vector<double>>& columns) {
  std::vector<Field> fields;
  std::vector<Column> cols;
  for (size_t j = 0; j < columns.size(); ++j) {
    fields.push_back({.name = "f" + std::to_string(j), .type = DataType::kFloat64});
    Column c(DataType::kFloat64);
    for (double v : columns[j]) c.AppendFloat64(v);
    cols.push_back(std::move(c));
  }
  return Table(Schema(std::move(fields)), std::move(cols));
}

TEST(ExplainTableTest, ExplainsTheSelectedRowsAndChecksAgainstTheModel) {
  // A regression tree ensemble scored through its view: the explanation's sum must equal
  // the model's own prediction, and the selected rows keep their file indices.
  ModelInfo info = testing::RandomInfo(3, 1);
  testing::RandomTreeSpec spec{.features = 3, .depth = 3, .trees = 4};
  testing::ViewModel model(info, testing::RandomEnsemble(spec, 9));
  Table batch = Numbers({{0.1, 0.5, 0.9, 0.3}, {0.2, 0.4, 0.6, 0.8}, {0.7, 0.1, 0.5, 0.2}});
  auto selection = RowSelection::Parse("11,13");
  ASSERT_TRUE(selection.has_value());
  ShapRequest request{.method = ShapMethod::kTree,
                      .space = OutputSpace::kMargin,
                      .players = InputPlayers(info)};
  auto explained = ExplainTable(model, batch, 10, *selection, request, "d.csv");
  ASSERT_TRUE(explained.has_value()) << explained.error().ToString();
  EXPECT_EQ(explained->row_indices, (std::vector<int64_t>{11, 13}));
  EXPECT_EQ(explained->attributions.rows, 2);
  EXPECT_EQ(explained->frame.rows, 2);
  EXPECT_LT(explained->max_model_difference, 1e-12);
  EXPECT_LT(explained->attributions.max_additivity_error, 1e-12);

  ShapRequest kernel = request;
  kernel.method = ShapMethod::kKernel;
  kernel.space = OutputSpace::kValue;
  auto no_background = ExplainTable(model, batch, 0, RowSelection(), kernel, "d.csv");
  ASSERT_FALSE(no_background.has_value());
  EXPECT_THAT(no_background.error().message(), HasSubstr("background"));
}

}  // namespace
}  // namespace probity::explain
