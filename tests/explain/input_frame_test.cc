#include "explain/input_frame.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/explain/random_trees.h"
#include "tests/explain/test_models.h"

namespace probity::explain {
namespace {

using ::testing::HasSubstr;

Table TwoColumns() {
  Column age(DataType::kInt64);
  age.AppendInt64(30);
  age.AppendNull();
  age.AppendInt64(45);
  Column housing(DataType::kString);
  housing.AppendString("own");
  housing.AppendString("rent");
  housing.AppendNull();
  return Table(Schema({{.name = "age", .type = DataType::kInt64},
                       {.name = "housing", .type = DataType::kString}}),
               {std::move(age), std::move(housing)});
}

ModelInfo AgeHousing() {
  ModelInfo info;
  info.format = "test";
  info.inputs = {{.name = "housing", .kind = InputKind::kCategorical}, {.name = "age"}};
  return info;
}

TEST(InputFrameTest, ReadsNumbersAndCodesInModelInputOrder) {
  auto frame = ReadInputFrame(AgeHousing(), TwoColumns(), "d.csv");
  ASSERT_TRUE(frame.has_value()) << frame.error().ToString();
  ASSERT_EQ(frame->rows, 3);
  EXPECT_EQ(frame->names, (std::vector<std::string>{"housing", "age"}));
  EXPECT_TRUE(frame->is_string[0]);
  EXPECT_EQ(frame->at(0, 0), 0);  // "own"
  EXPECT_EQ(frame->at(1, 0), 1);  // "rent"
  EXPECT_TRUE(std::isnan(frame->at(2, 0)));
  EXPECT_EQ(frame->at(0, 1), 30);
  EXPECT_TRUE(std::isnan(frame->at(1, 1)));
  EXPECT_EQ(frame->Text(0, 1), "rent");
  EXPECT_EQ(frame->Text(1, 45), "45");
}

TEST(InputFrameTest, RoundTripsThroughFrameTable) {
  auto frame = ReadInputFrame(AgeHousing(), TwoColumns(), "d.csv");
  ASSERT_TRUE(frame.has_value());
  Table table = FrameTable(*frame, frame->values, frame->rows);
  ASSERT_EQ(table.num_rows(), 3);
  EXPECT_EQ(table.column(0).StringAt(1), "rent");
  EXPECT_FALSE(table.column(0).IsValid(2));
  EXPECT_EQ(table.column(1).NumberAt(2), 45);
  EXPECT_FALSE(table.column(1).IsValid(1));
}

TEST(InputFrameTest, AppendKeepsCodesAndRefusesAnotherSchema) {
  auto frame = ReadInputFrame(AgeHousing(), TwoColumns(), "d.csv");
  ASSERT_TRUE(frame.has_value());
  Column age(DataType::kFloat64);
  age.AppendFloat64(1.5);
  Column housing(DataType::kString);
  housing.AppendString("free");
  Table more(Schema({{.name = "age", .type = DataType::kFloat64},
                     {.name = "housing", .type = DataType::kString}}),
             {std::move(age), std::move(housing)});
  ASSERT_TRUE(AppendInputFrame(more, "b.csv", &*frame).ok());
  EXPECT_EQ(frame->rows, 4);
  EXPECT_EQ(frame->at(3, 0), 2);  // a new string extends the dictionary
  EXPECT_EQ(frame->dictionaries[0][2], "free");

  Column text_age(DataType::kString);
  text_age.AppendString("old");
  Column h(DataType::kString);
  h.AppendString("own");
  Table wrong(Schema({{.name = "age", .type = DataType::kString},
                      {.name = "housing", .type = DataType::kString}}),
              {std::move(text_age), std::move(h)});
  Status status = AppendInputFrame(wrong, "b.csv", &*frame);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("b.csv"));
  EXPECT_THAT(status.message(), HasSubstr("\"age\""));
}

TEST(InputFrameTest, MissingColumnNamesTheInput) {
  ModelInfo info = AgeHousing();
  info.inputs.push_back({.name = "duration"});
  auto frame = ReadInputFrame(info, TwoColumns(), "d.csv");
  ASSERT_FALSE(frame.has_value());
  EXPECT_EQ(frame.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(frame.error().message(), HasSubstr("\"duration\""));
}

TEST(InputFrameTest, ScoresInTheRequestedSpace) {
  // A logistic model with margin = x0 - 0.5: P(c1) = sigmoid(margin).
  ModelInfo info = testing::RandomInfo(1, 2);
  testing::FunctionModel model(info, 1, "logistic",
                               [](const std::vector<double>& x) { return std::vector{x[0] - 0.5}; });
  Column f0(DataType::kFloat64);
  f0.AppendFloat64(0.5);
  f0.AppendFloat64(2.5);
  Table data(Schema({{.name = "f0", .type = DataType::kFloat64}}), {std::move(f0)});
  auto frame = ReadInputFrame(info, data, "d.csv");
  ASSERT_TRUE(frame.has_value());
  int64_t evaluations = 0;
  auto margin = ScoreRows(model, *frame, frame->values, 2, OutputSpace::kMargin, &evaluations);
  ASSERT_TRUE(margin.has_value()) << margin.error().ToString();
  EXPECT_DOUBLE_EQ((*margin)[1], 2.0);
  auto p = ScoreRows(model, *frame, frame->values, 2, OutputSpace::kProbability, &evaluations);
  ASSERT_TRUE(p.has_value());
  ASSERT_EQ(p->size(), 2u);  // binary: the positive class only
  EXPECT_DOUBLE_EQ((*p)[0], 0.5);
  EXPECT_NEAR((*p)[1], 1 / (1 + std::exp(-2.0)), 1e-15);
  EXPECT_EQ(evaluations, 4);
  auto value = ScoreRows(model, *frame, frame->values, 2, OutputSpace::kValue);
  EXPECT_FALSE(value.has_value());
}

TEST(MixSeedTest, DiffersByStreamAndSeed) {
  EXPECT_NE(MixSeed(0, 0), MixSeed(0, 1));
  EXPECT_NE(MixSeed(0, 0), MixSeed(1, 0));
  EXPECT_EQ(MixSeed(7, 3), MixSeed(7, 3));
}

}  // namespace
}  // namespace probity::explain
