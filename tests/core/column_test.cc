#include "audit/core/column.h"

#include <gtest/gtest.h>

#include <cmath>

#include "audit/core/table.h"

namespace probity {
namespace {

TEST(ColumnTest, TracksValidityAcrossWordBoundaries) {
  Column c(DataType::kInt64);
  for (int i = 0; i < 130; ++i) {
    if (i % 3 == 0) {
      c.AppendNull();
    } else {
      c.AppendInt64(i);
    }
  }
  EXPECT_EQ(c.size(), 130);
  EXPECT_EQ(c.null_count(), 44);
  for (int i = 0; i < 130; ++i) EXPECT_EQ(c.IsValid(i), i % 3 != 0) << i;
  EXPECT_EQ(c.int64s()[5], 5);
}

TEST(ColumnTest, DictionaryEncodesStringsInFirstSeenOrder) {
  Column c(DataType::kString);
  for (const char* s : {"b", "a", "b", "c", "a"}) c.AppendString(s);
  c.AppendNull();
  ASSERT_EQ(c.dictionary().size(), 3u);
  EXPECT_EQ(c.dictionary()[0], "b");
  EXPECT_EQ(c.codes()[2], 0);
  EXPECT_EQ(c.codes()[5], -1);
  EXPECT_EQ(c.StringAt(3), "c");
  EXPECT_EQ(c.StringAt(5), "");
}

TEST(ColumnTest, ManyDistinctStringsSurviveRehashing) {
  Column c(DataType::kString);
  for (int i = 0; i < 5000; ++i) c.AppendString("value-" + std::to_string(i % 1000));
  EXPECT_EQ(c.dictionary().size(), 1000u);
  EXPECT_EQ(c.StringAt(4321), "value-321");
}

TEST(ColumnTest, NumberAtConvertsAndReturnsNanForNull) {
  Column c(DataType::kBool);
  c.AppendBool(true);
  c.AppendNull();
  EXPECT_EQ(c.NumberAt(0), 1.0);
  EXPECT_TRUE(std::isnan(c.NumberAt(1)));
}

TEST(ColumnTest, WidenToFloat64KeepsValuesAndNulls) {
  Column c(DataType::kInt64);
  c.AppendInt64(3);
  c.AppendNull();
  c.WidenToFloat64();
  EXPECT_EQ(c.type(), DataType::kFloat64);
  EXPECT_EQ(c.float64s()[0], 3.0);
  EXPECT_FALSE(c.IsValid(1));
}

TEST(ColumnTest, TruncateRestoresNullCountAndBits) {
  Column c(DataType::kFloat64);
  for (int i = 0; i < 70; ++i) {
    if (i >= 64) {
      c.AppendNull();
    } else {
      c.AppendFloat64(i);
    }
  }
  c.Truncate(65);
  EXPECT_EQ(c.size(), 65);
  EXPECT_EQ(c.null_count(), 1);
  c.AppendFloat64(1.5);
  EXPECT_TRUE(c.IsValid(65));
  EXPECT_FALSE(c.IsValid(64));
}

TEST(ColumnTest, FilterDropsRowsAndUnusedStrings) {
  Column c(DataType::kString);
  c.AppendString("keep");
  c.AppendString("drop");
  c.AppendNull();
  Column f = c.Filter({1, 0, 1});
  EXPECT_EQ(f.size(), 2);
  EXPECT_EQ(f.dictionary().size(), 1u);
  EXPECT_FALSE(f.IsValid(1));
}

TEST(ColumnTest, AppendColumnRemapsDictionariesAndWidens) {
  Column a(DataType::kString);
  a.AppendString("x");
  Column b(DataType::kString);
  b.AppendString("y");
  b.AppendString("x");
  ASSERT_TRUE(a.AppendColumn(b).ok());
  EXPECT_EQ(a.size(), 3);
  EXPECT_EQ(a.dictionary().size(), 2u);
  EXPECT_EQ(a.codes()[2], 0);

  Column ints(DataType::kInt64);
  ints.AppendInt64(2);
  Column floats(DataType::kFloat64);
  floats.AppendFloat64(0.5);
  ASSERT_TRUE(ints.AppendColumn(floats).ok());
  EXPECT_EQ(ints.type(), DataType::kFloat64);
  EXPECT_EQ(ints.float64s()[0], 2.0);

  Column strings(DataType::kString);
  Status s = strings.AppendColumn(floats);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "cannot append a float64 column to a string column");
}

TEST(TableTest, ColumnByNameReportsMissingColumns) {
  Column c(DataType::kInt64);
  c.AppendInt64(1);
  Table t(Schema({Field{.name = "age", .type = DataType::kInt64}}), {c});
  EXPECT_EQ(t.num_rows(), 1);
  ASSERT_TRUE(t.ColumnByName("age").has_value());
  Result<const Column*> missing = t.ColumnByName("sex");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.error().message(), "no column named \"sex\"");
}

TEST(TableBuilderTest, ConcatenatesBatchesAndRecordsWidening) {
  Schema schema({Field{.name = "v", .type = DataType::kInt64}});
  TableBuilder builder(schema);
  Column first(DataType::kInt64);
  first.AppendInt64(1);
  Column second(DataType::kFloat64);
  second.AppendFloat64(2.5);
  ASSERT_TRUE(builder.Append(Table(schema, {first})).ok());
  Schema widened({Field{.name = "v", .type = DataType::kFloat64}});
  ASSERT_TRUE(builder.Append(Table(widened, {second})).ok());
  Table t = std::move(builder).Finish();
  EXPECT_EQ(t.num_rows(), 2);
  EXPECT_EQ(t.schema().field(0).type, DataType::kFloat64);
  EXPECT_EQ(t.column(0).float64s()[1], 2.5);
}

TEST(SchemaTest, ValidateRejectsDuplicateAndEmptyNames) {
  Schema dup({Field{.name = "a"}, Field{.name = "a"}});
  Status s = dup.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "column name \"a\" appears twice");
  Schema empty({Field{.name = ""}});
  EXPECT_EQ(empty.Validate().message(), "column 1 has an empty name");
}

TEST(SchemaTest, ValidateRejectsValueMapsOutsideCategories) {
  Field f{.name = "sex", .categories = {"male", "female"}};
  f.value_map = {{"A91", "male"}, {"A92", "woman"}};
  Status s = Schema({f}).Validate();
  EXPECT_EQ(s.message(),
            "column \"sex\" maps code \"A92\" to \"woman\", which is not in its categories");
}

TEST(SchemaTest, NamesRoundTrip) {
  for (DataType t : {DataType::kFloat64, DataType::kInt64, DataType::kBool, DataType::kString}) {
    EXPECT_EQ(ParseDataType(DataTypeName(t)), t);
  }
  for (ColumnRole r :
       {ColumnRole::kFeature, ColumnRole::kLabel, ColumnRole::kFacet, ColumnRole::kId,
        ColumnRole::kWeight, ColumnRole::kPrediction, ColumnRole::kScore}) {
    EXPECT_EQ(ParseColumnRole(ColumnRoleName(r)), r);
  }
  EXPECT_EQ(ParseDataType("integer"), std::nullopt);
  Schema s({Field{.name = "y", .role = ColumnRole::kLabel}, Field{.name = "x"}});
  EXPECT_EQ(s.ColumnsWithRole(ColumnRole::kLabel), std::vector<size_t>{0});
  EXPECT_EQ(s.IndexOf("x"), 1u);
  EXPECT_EQ(s.IndexOf("z"), std::nullopt);
}

}  // namespace
}  // namespace probity
