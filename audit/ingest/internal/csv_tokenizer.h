// Splits CSV text into rows and fields per RFC 4180, with the relaxations real files need:
// any of , ; tab | as delimiter or runs of whitespace, LF, CRLF or CR line ends, optional
// trimming of spaces around fields, and quotes that are literal when they do not open a
// field. The chunker (FindLastRowEnd) and the tokenizer share one state machine so that
// chunks always end where the tokenizer ends a row.
//
// The tokenizer records field boundaries only (no line numbers, no copies): quoted fields
// are unescaped in place, and a location is computed from an offset only when an error is
// reported. Conversion to typed columns then runs column by column over the boundaries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/status.h"

namespace probity::ingest::internal {

struct CsvDialect {
  char delimiter = ',';  // ' ' means runs of spaces and tabs
  char quote = '"';
  bool trim = true;
  bool whitespace() const { return delimiter == ' '; }
};

// A row the tokenizer could not split: its fields are unreliable.
struct CsvRowError {
  enum class Kind : uint8_t { kJunkAfterQuote, kUnclosedQuote };
  uint32_t row = 0;
  uint32_t offset = 0;  // where the problem is (the junk byte, or the opening quote)
  Kind kind = Kind::kJunkAfterQuote;
  char found = 0;
};

// The rows and fields of one piece of text, as byte offsets into it.
struct CsvFields {
  // Per field: offsets of its first byte and past its last. Only the first
  // row_field.back() entries are meaningful (the arrays are reused and never shrink).
  std::vector<uint32_t> begin;
  std::vector<uint32_t> end;
  std::vector<uint32_t> row_field;   // per row: index of its first field; one extra at the end
  std::vector<uint32_t> row_offset;  // per row: offset of its first byte
  std::vector<CsvRowError> errors;   // in row order
  int64_t blank_lines = 0;

  size_t rows() const { return row_offset.size(); }
  size_t field_count(size_t row) const { return row_field[row + 1] - row_field[row]; }
  std::string_view field(std::string_view text, size_t row, size_t k) const {
    size_t i = row_field[row] + k;
    return text.substr(begin[i], end[i] - begin[i]);
  }
};

// Returns the offset just past the last complete row in `text` (after its line end), or
// std::string::npos if `text` holds no complete row. A row is complete only when its line
// end is outside quotes; a CR at the very end is not taken as a line end because an LF may
// follow in the next read.
size_t FindLastRowEnd(std::string_view text, const CsvDialect& dialect);

// Tokenizes up to `max_rows` rows of `text`, which must start at a row boundary and be
// shorter than 4 GiB. Quoted fields are unescaped in place, so `text` is modified; field
// offsets refer to the modified text. Lines holding only spaces are counted as blank.
// Returns the offset just past the last row read. `allow_fast_path` = false forces the
// byte-by-byte reference path (for tests comparing the two).
size_t TokenizeCsv(char* text, size_t size, const CsvDialect& dialect, CsvFields* out,
                   size_t max_rows = SIZE_MAX, bool allow_fast_path = true);
inline size_t TokenizeCsv(std::string& text, const CsvDialect& dialect, CsvFields* out,
                          size_t max_rows = SIZE_MAX, bool allow_fast_path = true) {
  return TokenizeCsv(text.data(), text.size(), dialect, out, max_rows, allow_fast_path);
}

// Line ends in `text`: LF, CRLF (once) and a CR not followed by LF.
int64_t CountLineEnds(std::string_view text);

// The 1-based line and byte column of `offset` in `text`, whose first byte is on
// `first_line`. Lines end as CountLineEnds counts them.
InputLocation LocateOffset(std::string_view text, int64_t first_line, size_t offset);

// The message for a row error, located in `file`.
Status DescribeRowError(const CsvRowError& error, const CsvDialect& dialect, std::string_view text,
                        const std::string& file, int64_t first_line);

}  // namespace probity::ingest::internal
