#include "audit/ingest/internal/csv_tokenizer.h"

#include <gtest/gtest.h>

#include <random>

namespace probity::ingest::internal {
namespace {

std::vector<std::vector<std::string>> Rows(std::string text, const CsvDialect& d, size_t* consumed = nullptr,
                                           size_t* errors = nullptr) {
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
  EXPECT_EQ(s.ToString(),
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

}  // namespace
}  // namespace probity::ingest::internal
