#include "explain/attribution.h"

#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/explain/random_trees.h"

namespace probity::explain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

ModelInfo FourInputs() {
  ModelInfo info;
  info.format = "test";
  info.inputs = {{.name = "age"}, {.name = "housing_own"}, {.name = "income"},
                 {.name = "housing_rent"}};
  return info;
}

TEST(PlayersTest, InputPlayersAreTheInputs) {
  Players p = InputPlayers(FourInputs());
  EXPECT_THAT(p.names, ElementsAre("age", "housing_own", "income", "housing_rent"));
  EXPECT_THAT(p.player_of_input, ElementsAre(0, 1, 2, 3));
}

TEST(PlayersTest, GroupsPlayAsOneAtTheirFirstInput) {
  auto p = GroupPlayers(FourInputs(), {{"housing", {"housing_rent", "housing_own"}}});
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_THAT(p->names, ElementsAre("age", "housing", "income"));
  EXPECT_THAT(p->player_of_input, ElementsAre(0, 1, 2, 1));
  EXPECT_THAT(p->InputsOf(1), ElementsAre(1, 3));
}

TEST(PlayersTest, GroupErrorsNameTheGroup) {
  auto unknown = GroupPlayers(FourInputs(), {{"h", {"housing_own", "housing_free"}}});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message(), HasSubstr("\"housing_free\""));
  auto twice = GroupPlayers(FourInputs(), {{"a", {"age"}}, {"b", {"age", "income"}}});
  ASSERT_FALSE(twice.has_value());
  EXPECT_THAT(twice.error().message(), HasSubstr("already in group \"a\""));
  auto empty = GroupPlayers(FourInputs(), {{"e", {}}});
  EXPECT_FALSE(empty.has_value());
  auto clash = GroupPlayers(FourInputs(), {{"age", {"housing_own", "housing_rent"}}});
  ASSERT_FALSE(clash.has_value());
  EXPECT_THAT(clash.error().message(), HasSubstr("\"age\""));
}

TEST(ExplainedOutputNamesTest, BinaryExplainsThePositiveClass) {
  ModelInfo info = FourInputs();
  info.task = ModelTask::kClassification;
  info.classes = {"bad", "good"};
  EXPECT_THAT(ExplainedOutputNames(info, 1), ElementsAre("good"));
  info.classes = {"a", "b", "c"};
  EXPECT_THAT(ExplainedOutputNames(info, 3), ElementsAre("a", "b", "c"));
  info.task = ModelTask::kRegression;
  info.classes = {};
  info.target = "price";
  EXPECT_THAT(ExplainedOutputNames(info, 1), ElementsAre("price"));
  EXPECT_THAT(ExplainedOutputNames(info, 2), ElementsAre("output_0", "output_1"));
}

TEST(SetAdditivityErrorTest, LargestGapOverRowsAndOutputsSkippingUnscoredRows) {
  Attributions a;
  a.players = {"x", "y"};
  a.outputs = {"o"};
  a.rows = 3;
  a.values = {1, 2, 0.5, 0.5, 7, 7};
  a.base = {0.25, 0, 1};
  a.prediction = {3.25, 1.125, std::numeric_limits<double>::quiet_NaN()};
  SetAdditivityError(a);
  EXPECT_DOUBLE_EQ(a.max_additivity_error, 0.125);
}

TEST(OutputSpaceTest, NamesRoundTrip) {
  for (OutputSpace s : {OutputSpace::kMargin, OutputSpace::kProbability, OutputSpace::kValue}) {
    auto parsed = ParseOutputSpace(OutputSpaceName(s), "--output");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, s);
  }
  auto bad = ParseOutputSpace("logit", "--output");
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message(), HasSubstr("--output"));
}

}  // namespace
}  // namespace probity::explain
