#include "audit/ingest/internal/csv_tokenizer.h"

#include <gtest/gtest.h>

#include <random>

namespace probity::ingest::internal {
namespace {

std::vector<std::vector<std::string>> Rows(std::string text, const CsvDialect& d,
                                           size_t* consumed = nullptr, size_t* errors = nullptr) {
  CsvFields f;
  size_t used = TokenizeCsv(text, d, &f);
  if (consumed != nullptr) *consumed = used;
  if (errors != nullptr) *errors = f.errors.size();
  std::vector<std::vector<std::string>> rows;
  for (size_t r = 0; r < f.rows(); ++r) {
    std::vector<std::string> row;
    for (size_t k = 0; k < f.field_count(r); ++k) row.emplace_back(f.field(text, r, k));
    rows.push_back(row);
  }
  return rows;
}

TEST(CsvTokenizerTest, SplitsFieldsAndUnescapes) {
  auto rows = Rows("a,\"b,\"\"c\"\"\",\n\"x\ny\" , z \n", CsvDialect{});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b,\"c\"", ""}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x\ny", "z"}));
}

TEST(CsvTokenizerTest, TrimOffKeepsSpaces) {
  CsvDialect d;
  d.trim = false;
  auto rows = Rows(" a , b\n", d);
  EXPECT_EQ(rows[0], (std::vector<std::string>{" a ", " b"}));
}

TEST(CsvTokenizerTest, TabDelimiterKeepsEmptyTabFields) {
  CsvDialect d;
  d.delimiter = '\t';
  auto rows = Rows("a\t\tb\n", d);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "", "b"}));
}

TEST(CsvTokenizerTest, WhitespaceModeWithQuotes) {
  CsvDialect d;
  d.delimiter = ' ';
  auto rows = Rows("  a   \"b c\"\td  \n\"e\"\n", d);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"a", "b c", "d"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"e"}));
}

TEST(CsvTokenizerTest, ReportsJunkAfterQuoteAndContinues) {
  CsvFields f;
  std::string text = "\"a\"b,c\nd,e\n";
  TokenizeCsv(text, CsvDialect{}, &f);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].row, 0u);
  EXPECT_EQ(f.errors[0].kind, CsvRowError::Kind::kJunkAfterQuote);
  ASSERT_EQ(f.rows(), 2u);
  EXPECT_EQ(f.field(text, 1, 1), "e");
  Status s = DescribeRowError(f.errors[0], CsvDialect{}, text, "t.csv", 10);
  EXPECT_EQ(
      s.ToString(),
      "t.csv:10:4: found 'b' after the closing quote of a field; expected the delimiter ',' or "
      "the end of the line");
}

TEST(CsvTokenizerTest, LocateOffsetCountsLinesThroughUnescapedFields) {
  std::string text = "\"a\"\"\nb\",x\n1,2\n";
  CsvFields f;
  TokenizeCsv(text, CsvDialect{}, &f);
  ASSERT_EQ(f.rows(), 2u);
  EXPECT_EQ(f.field(text, 0, 0), "a\"\nb");
  InputLocation where = LocateOffset(text, 1, f.row_offset[1]);
  EXPECT_EQ(where.line, 3);
  EXPECT_EQ(where.column, 1);
}

TEST(CsvTokenizerTest, CountLineEndsCountsLfCrLfAndLoneCr) {
  std::string text;
  int64_t expected = 0;
  for (int i = 0; i < 20000; ++i) {  // long enough to flush the 8-bit SIMD counters
    const char* ends[] = {"\n", "\r\n", "\r"};
    text += "row" + std::to_string(i) + ends[i % 3];
    ++expected;
  }
  EXPECT_EQ(CountLineEnds(text), expected);
  EXPECT_EQ(CountLineEnds("a\r"), 1);
  EXPECT_EQ(CountLineEnds(""), 0);
}

TEST(FindLastRowEndTest, IgnoresLineEndsInsideQuotes) {
  CsvDialect d;
  EXPECT_EQ(FindLastRowEnd("a,b\nc,\"d\ne", d), 4u);
  EXPECT_EQ(FindLastRowEnd("a,\"b\nc", d), std::string::npos);
  EXPECT_EQ(FindLastRowEnd("a\r\nb\r", d), 3u);  // a final CR may be half of CRLF
  EXPECT_EQ(FindLastRowEnd("a\rb\rc", d), 4u);
  EXPECT_EQ(FindLastRowEnd("x\"y\nz", d), 4u);  // a quote inside a field is literal
}

// The property that makes parallel parsing correct: cutting text at FindLastRowEnd and
// tokenizing the two parts separately gives exactly the rows of tokenizing it whole.
TEST(FindLastRowEndTest, ChunkingNeverChangesRows) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab,\"\n\r \t;";
  for (int trial = 0; trial < 100000; ++trial) {
    CsvDialect d;
    d.delimiter = (trial % 3 == 0) ? ' ' : (trial % 3 == 1 ? ',' : ';');
    d.trim = trial % 2 == 0;
    std::string text;
    size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
    size_t prefix = n == 0 ? 0 : rng() % (n + 1);
    size_t cut = FindLastRowEnd(std::string_view(text).substr(0, prefix), d);
    if (cut == std::string::npos) continue;
    size_t consumed_whole = 0;
    auto whole = Rows(text, d, &consumed_whole);
    size_t consumed_first = 0;
    auto first = Rows(text.substr(0, cut), d, &consumed_first);
    auto second = Rows(text.substr(cut), d);
    ASSERT_EQ(consumed_first, cut) << "text=" << ::testing::PrintToString(text) << " cut=" << cut;
    first.insert(first.end(), second.begin(), second.end());
    ASSERT_EQ(first, whole) << "text=" << ::testing::PrintToString(text) << " cut=" << cut
                            << " delimiter=" << d.delimiter;
  }
}

// The SSE2 row path against the byte-by-byte reference path: same rows, fields, offsets,
// errors and blank lines on random text full of the characters that matter.
TEST(CsvTokenizerTest, FastPathAgreesWithReferencePath) {
  std::mt19937 rng(11);
  const std::string alphabet = "abcdefgh,,,;\"\n\r  \t";
  for (int trial = 0; trial < 50000; ++trial) {
    CsvDialect d;
    d.delimiter = trial % 4 == 0 ? '\t' : (trial % 4 == 1 ? ';' : ',');
    d.trim = trial % 3 != 0;
    std::string text;
    size_t n = rng() % 120;
    bool quotes = trial % 5 == 0;
    for (size_t i = 0; i < n; ++i) {
      char c = alphabet[rng() % alphabet.size()];
      if (c == '"' && !quotes) c = 'q';
      text += c;
    }
    std::string fast_text = text;
    std::string slow_text = text;
    CsvFields fast, slow;
    size_t fast_used = TokenizeCsv(fast_text, d, &fast, SIZE_MAX, true);
    size_t slow_used = TokenizeCsv(slow_text, d, &slow, SIZE_MAX, false);
    ASSERT_EQ(fast_used, slow_used) << ::testing::PrintToString(text);
    ASSERT_EQ(fast.rows(), slow.rows()) << ::testing::PrintToString(text);
    ASSERT_EQ(fast.row_offset, slow.row_offset) << ::testing::PrintToString(text);
    ASSERT_EQ(fast.row_field, slow.row_field) << ::testing::PrintToString(text);
    ASSERT_EQ(fast.blank_lines, slow.blank_lines) << ::testing::PrintToString(text);
    ASSERT_EQ(fast.errors.size(), slow.errors.size()) << ::testing::PrintToString(text);
    for (size_t i = 0; i < fast.row_field.back(); ++i) {
      ASSERT_EQ(fast.begin[i], slow.begin[i]) << ::testing::PrintToString(text) << " field " << i;
      ASSERT_EQ(fast.end[i], slow.end[i]) << ::testing::PrintToString(text) << " field " << i;
    }
    ASSERT_EQ(fast_text, slow_text);
  }
}

}  // namespace
}  // namespace probity::ingest::internal
