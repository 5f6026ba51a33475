// Detects a CSV file's delimiter and whether its first row is a header, from a sample of
// its first rows. The rules are documented in docs/formats/profile.md ("How a file is read").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "audit/ingest/internal/csv_tokenizer.h"

namespace probity::ingest::internal {

// Tokenizes up to `max_rows` non-blank rows of `sample` into strings; a malformed row ends
// the sample.
std::vector<std::vector<std::string>> SampleRows(std::string_view sample, const CsvDialect& dialect,
                                                 size_t max_rows);

// Picks , ; tab | (in that order of preference) as the delimiter giving the largest
// consistent field count (> 1) over the sampled rows; otherwise whitespace (' ') if that
// gives a consistent count > 1; otherwise ','.
char DetectDelimiter(std::string_view sample, char quote, bool trim);

// Decides whether rows[0] is a header: every value is a non-numeric text, and either some
// column's later values are all numbers, or none of rows[0]'s values reappears in its column.
// A lone row of distinct non-numeric texts counts as a header.
bool DetectHeader(const std::vector<std::vector<std::string>>& rows,
                  const std::vector<std::string>& missing_tokens);

// Column names from a header row: empty names become "column_<n>" (1-based) and repeated
// names get ".1", ".2"… suffixes, as pandas does.
std::vector<std::string> NamesFromHeader(const std::vector<std::string>& header);

}  // namespace probity::ingest::internal
