#include <gtest/gtest.h>

#include "audit/ingest/dataset_reader.h"
#include "tests/testing/test_data.h"

namespace probity::ingest {
namespace {

using probity::testing::ReadText;

TEST(JsonLinesReaderTest, InfersKeysAndTypes) {
  ScanSummary summary;
  Result<Table> t = ReadText(
      "{\"id\": 1, \"score\": 0.5, \"ok\": true, \"group\": \"a\"}\n"
      "\n"
      "{\"id\": 2, \"score\": 2, \"ok\": false, \"group\": null, \"extra\": \"x\"}\r\n"
      "{\"group\": \"b\", \"id\": 3}\n",
      {}, {}, &summary, "rows.jsonl");
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  ASSERT_EQ(t->num_rows(), 3);
  ASSERT_EQ(t->num_columns(), 5u);
  EXPECT_EQ(t->schema().field(0).type, DataType::kInt64);
  EXPECT_EQ(t->schema().field(1).type, DataType::kFloat64);
  EXPECT_EQ(t->schema().field(2).type, DataType::kBool);
  EXPECT_EQ(t->schema().field(3).type, DataType::kString);
  EXPECT_EQ(t->schema().field(4).name, "extra");
  EXPECT_EQ(t->column(3).null_count(), 1);
  EXPECT_EQ(t->column(1).null_count(), 1);  // absent key
  EXPECT_EQ(t->column(3).StringAt(2), "b");
  EXPECT_EQ(summary.blank_lines, 1);
}

TEST(JsonLinesReaderTest, MalformedLinesAreLocated) {
  Result<Table> t = ReadText("{\"a\": 1}\n{\"a\": }\n", {}, {}, nullptr, "rows.jsonl");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.error().location().line, 2);
  EXPECT_NE(t.error().message().find("the line is not valid JSON"), std::string::npos)
      << t.error().ToString();
}

TEST(JsonLinesReaderTest, NestedValuesUnknownKeysAndNonObjects) {
  auto error = [](const std::string& text) {
    Result<Table> t = ReadText(text, {}, {}, nullptr, "rows.jsonl");
    return t.has_value() ? std::string("ok") : t.error().ToString();
  };
  EXPECT_EQ(
      error("{\"a\": [1, 2]}\n"),
      "rows.jsonl:1:1: key \"a\" holds a nested array; expected a number, string, boolean or null");
  EXPECT_EQ(error("{\"a\": 1}\n[1]\n"),
            "rows.jsonl:2:1: the line holds a JSON array; expected one JSON object per line");
  DatasetSpec spec;
  spec.format.type = FileFormat::kJsonLines;
  spec.schema = Schema({Field{.name = "a", .type = DataType::kInt64}});
  Result<Table> t = ReadText("{\"a\": 1}\n{\"b\": 2}\n", spec, {}, nullptr, "rows.jsonl");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().ToString(),
            "rows.jsonl:2:1: unknown key \"b\"; expected only keys named in the schema");
}

TEST(JsonLinesReaderTest, NestedValueInTheSampleIsABadRowNotAFailedOpen) {
  ScanOptions options;
  options.on_bad_row = BadRowPolicy::kSkip;
  ScanSummary summary;
  Result<Table> t =
      ReadText("{\"a\": 1, \"b\": \"x\"}\n{\"a\": {\"n\": 2}, \"b\": \"y\"}\n{\"a\": 3}\n", {},
               options, &summary, "rows.jsonl");
  ASSERT_TRUE(t.has_value()) << t.error().ToString();
  EXPECT_EQ(t->num_rows(), 2);
  EXPECT_EQ(summary.skipped_rows, 1);
  EXPECT_EQ(t->schema().field(0).type, DataType::kInt64);
}

TEST(JsonLinesReaderTest, EmptyKeysAreRejected) {
  Result<Table> t = ReadText("{\"\": 1}\n", {}, {}, nullptr, "rows.jsonl");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error().ToString(),
            "rows.jsonl:1:1: a key is empty; expected non-empty keys (they name the columns)");
}

TEST(JsonLinesReaderTest, ColumnsKeepTheFilesKeyOrder) {
  Result<Table> t = ReadText("{\"z\": 1, \"a\": 2}\n", {}, {}, nullptr, "rows.jsonl");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->schema().field(0).name, "z");
}

TEST(JsonLinesReaderTest, SkipPolicyAndTypeErrors) {
  DatasetSpec spec;
  spec.schema = Schema({Field{.name = "a", .type = DataType::kInt64}});
  spec.format.type = FileFormat::kJsonLines;
  ScanOptions options;
  options.on_bad_row = BadRowPolicy::kSkip;
  ScanSummary summary;
  Result<Table> t = ReadText("{\"a\": 1}\n{\"a\": \"x\"}\n{\"a\": 3}\nnot json\n", spec, options,
                             &summary, "r.jsonl");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->num_rows(), 2);
  EXPECT_EQ(summary.skipped_rows, 2);
  EXPECT_EQ(summary.skipped_examples[0].ToString(),
            "r.jsonl:2:1: found \"x\" in column \"a\"; expected an integer (int64)");
}

}  // namespace
}  // namespace probity::ingest
