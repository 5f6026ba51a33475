// The CSV rules of the foundation issue, each checked on a small literal input through the
// full reader (detection, tokenizing, conversion, batching).
#include <gtest/gtest.h>

#include <cmath>

#include "audit/ingest/dataset_reader.h"
#include "tests/testing/test_data.h"

namespace probity::ingest {
namespace {

using probity::testing::ReadText;

Table MustRead(const std::string& text, const DatasetSpec& spec = {}, ScanOptions options = {},
               ScanSummary* summary = nullptr) {
  Result<Table> t = ReadText(text, spec, options, summary);
  EXPECT_TRUE(t.has_value()) << (t.has_value() ? "" : t.error().ToString());
  return t.has_value() ? std::move(t).value() : Table();
}

Status MustFail(const std::string& text, const DatasetSpec& spec = {}, ScanOptions options = {}) {
  Result<Table> t = ReadText(text, spec, options);
  EXPECT_FALSE(t.has_value());
  return t.has_value() ? OkStatus() : t.error();
}

std::string Str(const Table& t, size_t column, int64_t row) {
  return std::string(t.column(column).StringAt(row));
}

TEST(CsvReaderTest, QuotedFieldsWithDelimitersDoubledQuotesAndNewlines) {
  Table t = MustRead("name,note\n\"Smith, J\",\"said \"\"hi\"\"\"\nLee,\"two\nlines\"\n");
  ASSERT_EQ(t.num_rows(), 2);
  EXPECT_EQ(Str(t, 0, 0), "Smith, J");
  EXPECT_EQ(Str(t, 1, 0), "said \"hi\"");
  EXPECT_EQ(Str(t, 1, 1), "two\nlines");
}

TEST(CsvReaderTest, CrLfAndLfAndCrLineEndings) {
  for (std::string eol : {"\n", "\r\n", "\r"}) {
    Table t = MustRead("a,b" + eol + "1,x" + eol + "2,y" + eol);
    ASSERT_EQ(t.num_rows(), 2) << "eol size " << eol.size();
    EXPECT_EQ(t.column(0).int64s()[1], 2);
    EXPECT_EQ(Str(t, 1, 1), "y");
  }
}

TEST(CsvReaderTest, ByteOrderMarkIsRemoved) {
  ScanSummary summary;
  Table t = MustRead(
      "\xEF\xBB\xBF"
      "id,v\n1,2\n",
      {}, {}, &summary);
  EXPECT_EQ(t.schema().field(0).name, "id");
  EXPECT_EQ(summary.rows, 1);
}

TEST(CsvReaderTest, PaddedValuesAndQuestionMarksLikeUciAdult) {
  Table t = MustRead("39, State-gov, 77516, ?\n50, Self-emp-not-inc, 83311, Cuba\n");
  ASSERT_EQ(t.num_columns(), 4u);
  EXPECT_EQ(t.schema().field(0).type, DataType::kInt64);
  EXPECT_EQ(Str(t, 1, 0), "State-gov");
  EXPECT_FALSE(t.column(3).IsValid(0));
  EXPECT_EQ(Str(t, 3, 1), "Cuba");
}

TEST(CsvReaderTest, DefaultMissingTokens) {
  Table t = MustRead("x,y\n1,a\nNA,NA\nNaN,null\n,?\n\"\",\"NA\"\n");
  ASSERT_EQ(t.num_rows(), 5);
  EXPECT_EQ(t.column(0).null_count(), 4);
  EXPECT_EQ(t.column(1).null_count(), 4);
}

TEST(CsvReaderTest, ConfigurableMissingTokens) {
  DatasetSpec spec;
  spec.format.missing_tokens = {"-999"};
  Table t = MustRead("x,y\n-999,NA\n3,b\n", spec);
  EXPECT_EQ(t.column(0).null_count(), 1);
  EXPECT_EQ(t.column(1).null_count(), 0);
  EXPECT_EQ(Str(t, 1, 0), "NA");
}

TEST(CsvReaderTest, RaggedRowIsLocated) {
  Status s = MustFail("a,b,c\n1,2,3\n4,5\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(),
            "input.csv:3:1: row has 2 fields; expected 3 fields, as the header has (delimiter: ,)");
}

TEST(CsvReaderTest, BadNumberIsLocatedByLineAndColumn) {
  DatasetSpec spec;
  spec.schema = Schema({Field{.name = "id", .type = DataType::kInt64},
                        Field{.name = "age", .type = DataType::kInt64}});
  Status s = MustFail("id,age\n1,40\n2,4o\n", spec);
  EXPECT_EQ(s.ToString(),
            "input.csv:3:3: found \"4o\" in column \"age\"; expected an integer (int64)");
}

TEST(CsvReaderTest, InvalidUtf8IsRejected) {
  Status s = MustFail("name\nok\nbad\xff\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.location().line, 3);
  EXPECT_NE(s.message().find("invalid UTF-8 (byte 0xff at offset 3 of the field)"),
            std::string::npos)
      << s.ToString();
}

TEST(CsvReaderTest, EmptyFileIsAnError) {
  Status s = MustFail("");
  EXPECT_EQ(s.ToString(),
            "input.csv: the file is empty; expected a header or at least one data row");
}

TEST(CsvReaderTest, HeaderOnlyGivesZeroRows) {
  DatasetSpec spec;
  spec.format.header = true;
  Table t = MustRead("age,sex,income\n", spec);
  EXPECT_EQ(t.num_rows(), 0);
  ASSERT_EQ(t.num_columns(), 3u);
  EXPECT_EQ(t.schema().field(2).name, "income");
  // Detected too: a lone row of distinct names is a header.
  Table detected = MustRead("age,sex,income\n");
  EXPECT_EQ(detected.num_rows(), 0);
  EXPECT_EQ(detected.num_columns(), 3u);
}

TEST(CsvReaderTest, WhitespaceDelimitedLikeUciGerman) {
  ScanSummary summary;
  Table t = MustRead("A11 6 A34 1169\nA12  48\tA32 5951 \n", {}, {}, &summary);
  ASSERT_EQ(t.num_columns(), 4u);
  EXPECT_EQ(t.num_rows(), 2);
  EXPECT_EQ(t.schema().field(1).name, "column_2");
  EXPECT_EQ(t.column(1).int64s()[1], 48);
  EXPECT_EQ(Str(t, 2, 1), "A32");
}

TEST(CsvReaderTest, DetectsEachDelimiter) {
  for (char d : {',', ';', '\t', '|'}) {
    std::string text =
        std::string("a") + d + "b" + d + "c\n1" + d + "2" + d + "3\n4" + d + "5" + d + "6\n";
    auto reader = [&] {
      MemoryFileSystem fs;
      fs.AddFile("f", text);
      return DatasetReader::Open(fs, "f", {}, {});
    }();
    ASSERT_TRUE(reader.has_value()) << d;
    EXPECT_EQ((*reader)->format().delimiter, d);
    EXPECT_TRUE((*reader)->format().header);
    EXPECT_EQ((*reader)->schema().size(), 3u);
  }
}

TEST(CsvReaderTest, ExplicitDelimiterAndNoHeader) {
  DatasetSpec spec;
  spec.format.delimiter = ';';
  spec.format.header = false;
  Table t = MustRead("a;b\nc;d\n", spec);
  EXPECT_EQ(t.num_rows(), 2);
  EXPECT_EQ(Str(t, 0, 0), "a");
}

TEST(CsvReaderTest, HeaderDetection) {
  EXPECT_EQ(MustRead("x,y\n1,2\n").num_rows(), 1);                        // names over numbers
  EXPECT_EQ(MustRead("1,2\n3,4\n").num_rows(), 2);                        // numbers: no header
  EXPECT_EQ(MustRead("name,city\nbob,paris\nann,rome\n").num_rows(), 2);  // new texts below
  EXPECT_EQ(MustRead("a,b\na,c\nb,b\n").num_rows(), 3);  // the first row's values recur
  // A pandas index column has an empty header name.
  Table t = MustRead(",race,sex\n0,White,1\n1,Black,2\n");
  EXPECT_EQ(t.schema().field(0).name, "column_1");
  EXPECT_EQ(t.schema().field(1).name, "race");
}

TEST(CsvReaderTest, DuplicateHeaderNamesGetSuffixes) {
  Table t = MustRead("a,a,b,a\n1,2,3,4\n");
  EXPECT_EQ(t.schema().field(1).name, "a.1");
  EXPECT_EQ(t.schema().field(3).name, "a.2");
}

TEST(CsvReaderTest, BlankLinesAreCountedNotRead) {
  ScanSummary summary;
  Table t = MustRead("a,b\n1,2\n\n   \n3,4\n\n", {}, {}, &summary);
  EXPECT_EQ(t.num_rows(), 2);
  EXPECT_EQ(summary.blank_lines, 3);
}

TEST(CsvReaderTest, SkipPolicyCountsAndExplainsBadRows) {
  ScanOptions options;
  options.on_bad_row = BadRowPolicy::kSkip;
  ScanSummary summary;
  Table t = MustRead("a,b\n1,2\n3\n4,5\n\"x\"y,6\n7,8\n", {}, options, &summary);
  EXPECT_EQ(t.num_rows(), 3);
  EXPECT_EQ(summary.skipped_rows, 2);
  ASSERT_EQ(summary.skipped_examples.size(), 2u);
  EXPECT_EQ(summary.skipped_examples[0].location().line, 3);
  EXPECT_EQ(summary.skipped_examples[1].ToString(),
            "input.csv:5:4: found 'y' after the closing quote of a field; expected the delimiter "
            "',' or the end of the line");
  EXPECT_EQ(t.column(0).int64s()[2], 7);
}

TEST(CsvReaderTest, UnclosedQuoteIsLocatedAtItsStart) {
  Status s = MustFail("a,b\n1,\"open\n2,3\n");
  EXPECT_EQ(s.ToString(),
            "input.csv:2:3: quoted field is never closed; expected a closing quote (\")");
}

TEST(CsvReaderTest, QuoteInsideAnUnquotedFieldIsLiteral) {
  Table t = MustRead("height,name\n5'10\",Al\n6'1\",Bo\n");
  EXPECT_EQ(Str(t, 0, 0), "5'10\"");
  EXPECT_EQ(Str(t, 0, 1), "6'1\"");
}

TEST(CsvReaderTest, InfersTypes) {
  Table t = MustRead("i,f,b,s,empty\n1,1.5,true,x,\n-2,3,False,7,\n");
  EXPECT_EQ(t.schema().field(0).type, DataType::kInt64);
  EXPECT_EQ(t.schema().field(1).type, DataType::kFloat64);
  EXPECT_EQ(t.schema().field(2).type, DataType::kBool);
  EXPECT_EQ(t.schema().field(3).type, DataType::kString);
  EXPECT_EQ(t.schema().field(4).type, DataType::kString);
  EXPECT_EQ(t.column(4).null_count(), 2);
  EXPECT_TRUE(t.schema().field(0).inferred);
}

TEST(CsvReaderTest, InferredIntegerColumnWidensAfterTheSample) {
  ScanOptions options;
  options.sample_bytes = 4096;
  options.chunk_bytes = 1024;
  std::string text = "v\n";
  for (int i = 0; i < 2000; ++i) text += std::to_string(i) + "\n";
  text += "2.5\n";
  Table t = MustRead(text, {}, options);
  EXPECT_EQ(t.schema().field(0).type, DataType::kFloat64);
  EXPECT_EQ(t.column(0).float64s()[2000], 2.5);
  EXPECT_EQ(t.column(0).float64s()[1999], 1999.0);
}

TEST(CsvReaderTest, ASkippedRowDoesNotWidenAnIntegerColumn) {
  ScanOptions options;
  options.on_bad_row = BadRowPolicy::kSkip;
  options.sample_bytes = 4096;
  options.chunk_bytes = 4096;
  std::string text = "a,b\n";
  for (int i = 0; i < 3000; ++i) text += "1,2\n";
  text += "3.5,oops\n4,5\n";  // after the sample: 3.5 would widen a, but b makes the row bad
  ScanSummary summary;
  Table t = MustRead(text, {}, options, &summary);
  EXPECT_EQ(summary.skipped_rows, 1);
  ASSERT_EQ(t.schema().field(0).type, DataType::kInt64);
  EXPECT_EQ(t.column(0).int64s()[3000], 4);
}

TEST(CsvReaderTest, SkippingManyBadRowsStaysLinear) {
  // Every other row is bad; only the first few messages are built.
  std::string text = "a,b\n";
  for (int i = 0; i < 200000; ++i) text += i % 2 == 0 ? "1,2\n" : "3\n";
  ScanOptions options;
  options.on_bad_row = BadRowPolicy::kSkip;
  ScanSummary summary;
  Table t = MustRead(text, {}, options, &summary);
  EXPECT_EQ(t.num_rows(), 100000);
  EXPECT_EQ(summary.skipped_rows, 100000);
  EXPECT_EQ(summary.skipped_examples.size(), ScanSummary::kMaxSkippedExamples);
  EXPECT_EQ(summary.skipped_examples[0].location().line, 3);
}

TEST(CsvReaderTest, TextAfterTheSampleInANumericColumnSuggestsASchema) {
  ScanOptions options;
  options.sample_bytes = 4096;
  std::string text = "v\n";
  for (int i = 0; i < 2000; ++i) text += "1.5\n";
  text += "abc\n";
  Status s = MustFail(text, {}, options);
  EXPECT_EQ(s.location().line, 2002);
  EXPECT_NE(s.expected().find("probity data schema input.csv > schema.yaml"), std::string::npos)
      << s.ToString();
}

TEST(CsvReaderTest, LineNumbersStayRightAcrossChunks) {
  ScanOptions options;
  options.chunk_bytes = 1024;
  options.sample_bytes = 4096;
  std::string text = "a,b\n";
  for (int i = 0; i < 3000; ++i) text += std::to_string(i) + ",\"q\nq\"\n";  // two lines per row
  text += "x,y,z\n";
  Status s = MustFail(text, {}, options);
  EXPECT_EQ(s.location().line, 2 + 3000 * 2);
}

TEST(CsvReaderTest, ResultsDoNotDependOnThreadCount) {
  std::string text = "k,v,s\n";
  for (int i = 0; i < 20000; ++i) {
    text += std::to_string(i % 97) + "," + std::to_string(i * 0.25) + ",s" +
            std::to_string(i % 13) + "\n";
  }
  ScanOptions one;
  one.threads = 1;
  one.chunk_bytes = 4096;
  ScanOptions four = one;
  four.threads = 4;
  Table a = MustRead(text, {}, one);
  Table b = MustRead(text, {}, four);
  ASSERT_EQ(a.num_rows(), 20000);
  ASSERT_EQ(b.num_rows(), 20000);
  for (int64_t r = 0; r < a.num_rows(); r += 7) {
    EXPECT_EQ(a.column(1).float64s()[static_cast<size_t>(r)],
              b.column(1).float64s()[static_cast<size_t>(r)]);
    EXPECT_EQ(a.column(2).StringAt(r), b.column(2).StringAt(r));
  }
}

TEST(CsvReaderTest, OverlongRowIsAnError) {
  ScanOptions options;
  options.max_row_bytes = 8192;
  options.sample_bytes = 4096;
  Status s = MustFail("a\n\"" + std::string(20000, 'x') + "\"\n", {}, options);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "a row is longer than 8192 bytes");
}

TEST(CsvReaderTest, ReadFaultIsAnIoError) {
  MemoryFileSystem fs;
  std::string text = "a,b\n";
  for (int i = 0; i < 5000; ++i) text += "1,2\n";
  fs.AddFile("f.csv", text);
  fs.FailReadsAfter(10000);
  ScanOptions options;
  options.sample_bytes = 4096;
  options.chunk_bytes = 2048;
  Result<Table> t = ReadTable(fs, "f.csv", {}, options);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code(), StatusCode::kIoError);
  EXPECT_EQ(t.error().location().file, "f.csv");
}

// --- Schema application ---

Schema CreditSchema() {
  Field status{.name = "status", .type = DataType::kString};
  status.value_map = {{"A11", "< 0 DM"}, {"A14", "none"}};
  Field sex{.name = "sex",
            .type = DataType::kString,
            .role = ColumnRole::kFacet,
            .categories = {"male", "female"}};
  Field age{.name = "age", .type = DataType::kInt64, .role = ColumnRole::kFacet, .nullable = false};
  return Schema({status, sex, age});
}

TEST(CsvSchemaTest, ValueMapsDecodeCodes) {
  DatasetSpec spec;
  spec.schema = CreditSchema();
  Table t = MustRead("status,sex,age\nA11,male,30\nA14,female,41\n", spec);
  EXPECT_EQ(Str(t, 0, 0), "< 0 DM");
  EXPECT_EQ(Str(t, 0, 1), "none");
  EXPECT_EQ(t.schema().field(1).role, ColumnRole::kFacet);
}

TEST(CsvSchemaTest, UnknownCodeInvalidCategoryAndNullInNonNullable) {
  DatasetSpec spec;
  spec.schema = CreditSchema();
  EXPECT_EQ(
      MustFail("status,sex,age\nA12,male,30\n", spec).ToString(),
      "input.csv:2:1: found unknown code \"A12\" in column \"status\"; expected one of the codes "
      "in the schema's value map: A11, A14");
  EXPECT_EQ(
      MustFail("status,sex,age\nA11,Male,30\n", spec).ToString(),
      "input.csv:2:5: found \"Male\", which is not a category in column \"sex\"; expected one of "
      "male, female");
  EXPECT_EQ(MustFail("status,sex,age\nA11,male,NA\n", spec).ToString(),
            "input.csv:2:10: missing value in column \"age\"; expected a value (the column is not "
            "nullable)");
}

TEST(CsvSchemaTest, BindsHeaderByName) {
  DatasetSpec spec;
  spec.schema = CreditSchema();
  Table t = MustRead("age,status,sex\n30,A14,male\n", spec);
  EXPECT_EQ(t.column(2).int64s()[0], 30);
  EXPECT_EQ(Str(t, 0, 0), "none");
}

TEST(CsvSchemaTest, HeaderAndSchemaMustAgree) {
  DatasetSpec spec;
  spec.schema = CreditSchema();
  spec.format.header = true;
  EXPECT_EQ(MustFail("status,sex,age,extra\nA11,male,3,4\n", spec).ToString(),
            "input.csv:1:1: header column \"extra\" (field 4) is not in the schema; expected every "
            "header column to be listed in the schema's columns");
  EXPECT_EQ(MustFail("status,sex\nA11,male\n", spec).ToString(),
            "input.csv:1:1: schema column \"age\" is not in the header; expected a header naming "
            "every schema column");
}

TEST(CsvSchemaTest, PositionalSchemaWithoutHeader) {
  DatasetSpec spec;
  spec.schema = CreditSchema();
  Table t = MustRead("A11,female,22\n", spec);
  EXPECT_EQ(t.num_rows(), 1);
  EXPECT_EQ(MustFail("A11,female\n", spec).ToString(),
            "input.csv:1:1: row has 2 fields; expected 3 fields, as the schema has (delimiter: ,)");
}

TEST(CsvSchemaTest, PerColumnMissingTokensAndBooleans) {
  Field flag{.name = "flag", .type = DataType::kBool};
  Field score{.name = "score", .type = DataType::kFloat64};
  score.missing_tokens = std::vector<std::string>{"-1"};
  DatasetSpec spec;
  spec.schema = Schema({flag, score});
  Table t = MustRead("flag,score\nyes,-1\nN,2.5\n1,3\n", spec);
  EXPECT_EQ(t.column(0).bools()[0], 1);
  EXPECT_EQ(t.column(0).bools()[1], 0);
  EXPECT_EQ(t.column(1).null_count(), 1);
  EXPECT_FALSE(t.column(1).IsValid(0));
  // "NA" is not a missing token of `score`, so it is a bad number there.
  Result<Table> bad = ReadText("flag,score\n1,NA\n", spec);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), "found \"NA\" in column \"score\"");
}

}  // namespace
}  // namespace probity::ingest
