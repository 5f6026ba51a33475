#include "audit/ingest/csv_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "tests/testing/test_data.h"

namespace probity::ingest {
namespace {

std::string Field(std::string_view text, char delimiter = ',') {
  std::string out;
  AppendCsvField(text, &out, delimiter);
  return out;
}

std::string Number(double v) {
  std::string out;
  AppendCsvNumber(v, &out);
  return out;
}

TEST(CsvWriterTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(Field("plain"), "plain");
  EXPECT_EQ(Field(""), "");
  EXPECT_EQ(Field("a,b"), "\"a,b\"");
  EXPECT_EQ(Field("a;b"), "a;b");
  EXPECT_EQ(Field("a;b", ';'), "\"a;b\"");
  EXPECT_EQ(Field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(Field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(Field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(Field(" lead"), "\" lead\"");
  EXPECT_EQ(Field("trail\t"), "\"trail\t\"");
  EXPECT_EQ(Field("in side"), "in side");
}

TEST(CsvWriterTest, NumbersInShortestRoundTripForm) {
  EXPECT_EQ(Number(0.1), "0.1");
  EXPECT_EQ(Number(3), "3");
  EXPECT_EQ(Number(-2.5), "-2.5");
  EXPECT_EQ(Number(1e300), "1e+300");
  EXPECT_EQ(Number(0.9649386244538335), "0.9649386244538335");
  EXPECT_EQ(Number(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(Number(std::numeric_limits<double>::quiet_NaN()), "");
}

TEST(CsvWriterTest, RowsOfEveryTypeReadBackUnchanged) {
  Column f(DataType::kFloat64);
  Column i(DataType::kInt64);
  Column b(DataType::kBool);
  Column s(DataType::kString);
  f.AppendFloat64(0.30000000000000004);
  i.AppendInt64(-9007199254740993);
  b.AppendBool(true);
  s.AppendString("a \"quoted\", comma");
  f.AppendNull();
  i.AppendNull();
  b.AppendBool(false);
  s.AppendNull();
  std::vector<const Column*> columns = {&f, &i, &b, &s};
  std::vector<std::string> names = {"f", "i", "b", "s,t"};
  std::string text;
  AppendCsvHeader(names, &text);
  AppendCsvRows(columns, 0, 2, &text);
  EXPECT_EQ(text,
            "f,i,b,\"s,t\"\n"
            "0.30000000000000004,-9007199254740993,true,\"a \"\"quoted\"\", comma\"\n"
            ",,false,\n");

  Result<Table> table = probity::testing::ReadText(text);
  ASSERT_TRUE(table.has_value()) << table.error().ToString();
  ASSERT_EQ(table->num_rows(), 2);
  EXPECT_EQ(table->column(0).float64s()[0], 0.30000000000000004);
  EXPECT_EQ(table->column(1).int64s()[0], -9007199254740993);
  EXPECT_EQ(table->column(3).StringAt(0), "a \"quoted\", comma");
  EXPECT_EQ(table->schema().field(3).name, "s,t");
  EXPECT_FALSE(table->column(0).IsValid(1));
  EXPECT_FALSE(table->column(3).IsValid(1));
}

TEST(CsvWriterTest, SingleMissingColumnIsNotABlankLine) {
  Column f(DataType::kFloat64);
  f.AppendNull();
  std::vector<const Column*> columns = {&f};
  std::string text;
  AppendCsvRows(columns, 0, 1, &text, {.line_end = "\r\n"});
  EXPECT_EQ(text, "\"\"\r\n");
}

TEST(CsvWriterTest, WriteCsvStreamsToAFile) {
  Column f(DataType::kFloat64);
  for (int r = 0; r < 100'000; ++r) f.AppendFloat64(r + 0.5);
  std::vector<const Column*> columns = {&f};
  std::vector<std::string> names = {"prediction"};
  MemoryFileSystem fs;
  auto out = fs.CreateAtomically("out.csv");
  ASSERT_TRUE(out.has_value());
  ASSERT_TRUE(WriteCsv(names, columns, **out).ok());
  ASSERT_TRUE((*out)->Commit().ok());
  std::string contents = *fs.Contents("out.csv");
  EXPECT_EQ(contents.substr(0, 22), "prediction\n0.5\n1.5\n2.5");
  EXPECT_EQ(contents.substr(contents.size() - 8), "99999.5\n");
}

}  // namespace
}  // namespace probity::ingest
