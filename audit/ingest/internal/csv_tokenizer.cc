#include "audit/ingest/internal/csv_tokenizer.h"

#include <cstring>
#include <string>

namespace probity::ingest::internal {
namespace {

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;

// Bytes of `word` equal to `pattern` (a byte repeated) get their high bit set; the lowest
// set bit marks the first match exactly (higher ones may be false positives).
inline uint64_t MatchBytes(uint64_t word, uint64_t pattern) {
  uint64_t v = word ^ pattern;
  return (v - kOnes) & ~v & kHighs;
}

std::string Printable(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + c + "'";
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%02x", static_cast<unsigned char>(c));
  return buffer;
}

std::string DelimiterDescription(const CsvDialect& d) {
  if (d.whitespace()) return "whitespace";
  if (d.delimiter == '\t') return "a tab";
  return std::string("the delimiter '") + d.delimiter + "'";
}

}  // namespace

size_t FindLastRowEnd(std::string_view text, const CsvDialect& dialect) {
  const char* data = text.data();
  size_t n = text.size();
  if (std::memchr(data, dialect.quote, n) == nullptr) {
    const void* lf = memrchr(data, '\n', n);
    if (lf != nullptr) return static_cast<size_t>(static_cast<const char*>(lf) - data) + 1;
  }
  // The slow path mirrors TokenizeCsv: a quote opens a quoted field only at field start.
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  using enum State;
  State state = kFieldStart;
  size_t last = std::string::npos;
  const bool ws = dialect.whitespace();
  auto is_space = [&](char c) { return c == ' ' || (c == '\t' && dialect.delimiter != '\t'); };
  for (size_t i = 0; i < n; ++i) {
    char c = data[i];
    bool line_end = c == '\n' || (c == '\r' && i + 1 < n && data[i + 1] != '\n');
    switch (state) {
      case kQuoted:
        if (c == dialect.quote) state = kQuoteInQuoted;
        continue;
      case kQuoteInQuoted:
        if (c == dialect.quote) {
          state = kQuoted;
          continue;
        }
        break;
      case kFieldStart:
        if (c == dialect.quote) {
          state = kQuoted;
          continue;
        }
        break;
      case kUnquoted: break;
    }
    // Outside quotes.
    if (line_end) {
      last = i + 1;
      state = kFieldStart;
    } else if (c == '\r') {
      // CR followed by LF: the LF ends the row.
    } else if (ws ? (c == ' ' || c == '\t') : c == dialect.delimiter) {
      state = kFieldStart;
    } else if (state == kFieldStart && dialect.trim && is_space(c)) {
      // Leading spaces keep the field open for a quote.
    } else {
      state = kUnquoted;
    }
  }
  return last;
}

size_t TokenizeCsv(std::string& text, const CsvDialect& dialect, CsvFields* out, size_t max_rows) {
  // Field offsets are written through local pointers (kept in registers); the vectors only
  // grow, never shrink, so their memory is reused from chunk to chunk.
  if (out->begin.size() < 1024) {
    out->begin.resize(1024);
    out->end.resize(1024);
  }
  uint32_t* field_begin = out->begin.data();
  uint32_t* field_stop = out->end.data();
  size_t capacity = out->begin.size();
  size_t fields = 0;
  out->row_field.clear();
  out->row_offset.clear();
  out->errors.clear();
  out->blank_lines = 0;
  char* const base = text.data();
  char* p = base;
  char* const end = base + text.size();
  const bool ws = dialect.whitespace();
  const char quote = dialect.quote;
  const char delimiter = dialect.delimiter;
  const bool trim = dialect.trim;
  const uint64_t delimiter_word = kOnes * static_cast<unsigned char>(delimiter);
  auto is_space = [&](char c) { return c == ' ' || (c == '\t' && delimiter != '\t'); };
  auto is_ws = [](char c) { return c == ' ' || c == '\t'; };
  auto offset = [&](const char* q) { return static_cast<uint32_t>(q - base); };
  auto push_field = [&](const char* b, const char* e) {
    if (fields == capacity) {
      capacity *= 2;
      out->begin.resize(capacity);
      out->end.resize(capacity);
      field_begin = out->begin.data();
      field_stop = out->end.data();
    }
    field_begin[fields] = offset(b);
    field_stop[fields] = offset(e);
    ++fields;
  };
  auto field_end = [&](const char* q) {
    if (!ws) {
      while (end - q >= 8) {
        uint64_t word;
        std::memcpy(&word, q, 8);
        uint64_t hits = MatchBytes(word, delimiter_word) | MatchBytes(word, kOnes * '\n') |
                        MatchBytes(word, kOnes * '\r');
        if (hits != 0) return q + (__builtin_ctzll(hits) >> 3);
        q += 8;
      }
      while (q < end && *q != delimiter && *q != '\n' && *q != '\r') ++q;
    } else {
      while (q < end && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r') ++q;
    }
    return q;
  };
  // Moves past the line end at q (LF, CRLF or CR); q must point at '\n' or '\r'.
  auto after_line_end = [&](char* q) {
    if (*q == '\r' && q + 1 < end && q[1] == '\n') return q + 2;
    return q + 1;
  };

  while (p < end && out->rows() < max_rows) {
    char* s = p;
    if (ws || trim) {
      while (s < end && (ws ? is_ws(*s) : is_space(*s))) ++s;
    }
    if (s == end || *s == '\n' || *s == '\r') {
      ++out->blank_lines;
      p = s == end ? end : after_line_end(s);
      continue;
    }
    const auto row = static_cast<uint32_t>(out->rows());
    out->row_offset.push_back(offset(p));
    out->row_field.push_back(static_cast<uint32_t>(fields));
    if (ws) p = s;
    while (true) {
      if (!ws && trim) {
        while (p < end && is_space(*p)) ++p;
      }
      bool spaces_after_quote = false;
      if (p < end && *p == quote) {
        char* open = p;
        char* content = ++p;
        char* write = content;
        bool closed = false;
        while (true) {
          char* close = static_cast<char*>(std::memchr(p, quote, static_cast<size_t>(end - p)));
          if (close == nullptr) break;
          bool doubled = close + 1 < end && close[1] == quote;
          size_t n = static_cast<size_t>(close - p) + (doubled ? 1 : 0);
          if (write != p) std::memmove(write, p, n);
          write += n;
          p = close + (doubled ? 2 : 1);
          if (!doubled) {
            closed = true;
            break;
          }
        }
        if (!closed) {
          out->errors.push_back({row, offset(open), CsvRowError::Kind::kUnclosedQuote, quote});
          push_field(content, content);
          p = end;
          break;
        }
        push_field(content, write);
        // Unescaping shifted the content left; fill the gap (it held doubled quotes) so that
        // counting line ends over the text still gives true line numbers.
        if (write < p - 1) std::memset(write, quote, static_cast<size_t>(p - 1 - write));
        char* after_quote = p;
        if (ws || trim) {
          while (p < end && (ws ? is_ws(*p) : is_space(*p))) ++p;
        }
        spaces_after_quote = p != after_quote;
        bool at_separator = p >= end || *p == '\n' || *p == '\r' ||
                            (ws ? spaces_after_quote : *p == delimiter);
        if (!at_separator) {
          // The row is bad; as FindLastRowEnd does, read the junk as the rest of an unquoted
          // field and go on, so that row boundaries stay where the chunker put them.
          out->errors.push_back({row, offset(p), CsvRowError::Kind::kJunkAfterQuote, *p});
          p = const_cast<char*>(field_end(p));
          spaces_after_quote = false;
        }
      } else {
        char* start = p;
        p = const_cast<char*>(field_end(p));
        char* stop = p;
        if (!ws && trim) {
          while (stop > start && is_space(stop[-1])) --stop;
        }
        push_field(start, stop);
      }
      if (p >= end) break;
      char c = *p;
      if (ws && (c == ' ' || c == '\t')) {
        while (p < end && is_ws(*p)) ++p;
        if (p >= end) break;
        c = *p;
        if (c != '\n' && c != '\r') continue;
      } else if (ws && spaces_after_quote) {
        if (c != '\n' && c != '\r') continue;
      } else if (!ws && c == delimiter) {
        ++p;
        continue;
      }
      p = after_line_end(p);
      break;
    }
  }
  out->row_field.push_back(static_cast<uint32_t>(fields));
  return static_cast<size_t>(p - base);
}

int64_t CountLineEnds(std::string_view text) {
  const char* data = text.data();
  const char* end = data + text.size();
  int64_t count = 0;
  for (const char* q = data; (q = static_cast<const char*>(std::memchr(q, '\n', static_cast<size_t>(end - q)))) != nullptr;
       ++q) {
    ++count;
  }
  // A CR ends a line only when no LF follows it (old Mac files).
  for (const char* q = data; (q = static_cast<const char*>(std::memchr(q, '\r', static_cast<size_t>(end - q)))) != nullptr;
       ++q) {
    if (q + 1 == end || q[1] != '\n') ++count;
  }
  return count;
}

InputLocation LocateOffset(std::string_view text, int64_t first_line, size_t offset) {
  int64_t line = first_line;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++line;
      line_start = i + 1;
    }
  }
  return {"", line, static_cast<int64_t>(offset - line_start) + 1};
}

Status DescribeRowError(const CsvRowError& error, const CsvDialect& dialect, std::string_view text,
                        const std::string& file, int64_t first_line) {
  InputLocation where = LocateOffset(text, first_line, error.offset);
  where.file = file;
  if (error.kind == CsvRowError::Kind::kUnclosedQuote) {
    return InvalidArgumentError("quoted field is never closed")
        .At(std::move(where))
        .Expecting(std::string("a closing quote (") + dialect.quote + ")");
  }
  return InvalidArgumentError("found " + Printable(error.found) + " after the closing quote of a field")
      .At(std::move(where))
      .Expecting(DelimiterDescription(dialect) + " or the end of the line");
}

}  // namespace probity::ingest::internal
