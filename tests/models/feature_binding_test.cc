#include "audit/ingest/models/feature_binding.h"

#include <gtest/gtest.h>

#include <cmath>

#include "audit/core/status.h"

namespace probity::models {
namespace {

Table OneColumn(Column column, std::string name) {
  return Table(Schema({Field{.name = std::move(name), .type = column.type()}}),
               {std::move(column)});
}

TEST(FeatureBindingTest, MissingColumnNamesTheInput) {
  ModelInfo info;
  info.inputs.push_back(ModelInput{.name = "age"});
  Column c(DataType::kFloat64);
  c.AppendFloat64(1);
  Result<std::vector<const Column*>> bound = BindColumns(info, OneColumn(std::move(c), "income"));
  ASSERT_FALSE(bound.has_value());
  EXPECT_EQ(bound.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bound.error().ToString().find("model input \"age\""), std::string::npos);
  EXPECT_NE(bound.error().ToString().find("income"), std::string::npos);
}

TEST(FeatureBindingTest, NumbersFromIntsStringsAndNulls) {
  Column c(DataType::kString);
  c.AppendString("2.5");
  c.AppendNull();
  c.AppendString("-4");
  Result<Buffer<double>> numbers = ReadNumbers(c, ModelInput{.name = "x"});
  ASSERT_TRUE(numbers.has_value()) << numbers.error().ToString();
  EXPECT_EQ((*numbers)[0], 2.5);
  EXPECT_TRUE(std::isnan((*numbers)[1]));
  EXPECT_EQ((*numbers)[2], -4);

  Column bad(DataType::kString);
  bad.AppendString("four");
  Result<Buffer<double>> refused = ReadNumbers(bad, ModelInput{.name = "x"});
  ASSERT_FALSE(refused.has_value());
  EXPECT_NE(refused.error().ToString().find("\"four\""), std::string::npos);
}

TEST(FeatureBindingTest, CategoriesMatchTextOfNumbersAndRefuseUnseen) {
  ModelInput input{
      .name = "cylinders", .kind = InputKind::kCategorical, .categories = {"3", "4", "6", "8"}};
  Column ints(DataType::kInt64);
  ints.AppendInt64(8);
  ints.AppendNull();
  ints.AppendInt64(4);
  Result<std::vector<int32_t>> codes = EncodeCategories(ints, input);
  ASSERT_TRUE(codes.has_value()) << codes.error().ToString();
  EXPECT_EQ(*codes, (std::vector<int32_t>{3, -1, 1}));

  Column floats(DataType::kFloat64);
  floats.AppendFloat64(6.0);
  codes = EncodeCategories(floats, input);
  ASSERT_TRUE(codes.has_value());
  EXPECT_EQ(*codes, (std::vector<int32_t>{2}));

  Column unseen(DataType::kString);
  unseen.AppendString("5");
  codes = EncodeCategories(unseen, input);
  ASSERT_FALSE(codes.has_value());
  EXPECT_NE(codes.error().ToString().find("unseen"), std::string::npos);
  codes = EncodeCategories(unseen, input, /*unseen_as_missing=*/true);
  ASSERT_TRUE(codes.has_value());
  EXPECT_EQ(*codes, (std::vector<int32_t>{-1}));
}

}  // namespace
}  // namespace probity::models
