#include "audit/ingest/internal/csv_tokenizer.h"

#include <algorithm>
#include <cstring>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

namespace {

// Tokenizes rows one at a time. FastRow handles the common row (no quote, no lone CR) with
// 16-byte SSE2 comparisons; ScalarRow handles every row, and is the reference the fast path
// must agree with (tests/ingest/csv_tokenizer_test.cc compares them on random input).
class RowTokenizer {
 public:
  RowTokenizer(char* text, size_t size, const CsvDialect& dialect, CsvFields* out)
      : out_(out),
        base_(text),
        end_(text + size),
        ws_(dialect.whitespace()),
        quote_(dialect.quote),
        delimiter_(dialect.delimiter),
        trim_(dialect.trim),
        delimiter_word_(kOnes * static_cast<unsigned char>(dialect.delimiter)) {
    // Field offsets are written through cached pointers; the vectors only grow, never
    // shrink, so their memory is reused from chunk to chunk.
    if (out->begin.size() < 1024) {
      out->begin.resize(1024);
      out->end.resize(1024);
    }
    field_begin_ = out->begin.data();
    field_stop_ = out->end.data();
    capacity_ = out->begin.size();
    out->row_field.clear();
    out->row_offset.clear();
    out->errors.clear();
    out->blank_lines = 0;
  }

  char* base() const { return base_; }
  char* end() const { return end_; }
  void Finish() { out_->row_field.push_back(static_cast<uint32_t>(fields_)); }

  // Tokenizes the row (or blank line) at p; returns the position after it, or nullptr when
  // the row needs ScalarRow (a quote, a lone CR, whitespace delimiting, the last 16 bytes).
  char* FastRow(char* p);
  // Tokenizes the row (or blank line) at p; returns the position after it.
  char* ScalarRow(char* p);

 private:
  bool IsSpace(char c) const { return c == ' ' || (c == '\t' && delimiter_ != '\t'); }
  static bool IsWs(char c) { return c == ' ' || c == '\t'; }
  uint32_t Offset(const char* q) const { return static_cast<uint32_t>(q - base_); }
  void OpenRow(const char* p) {
    out_->row_offset.push_back(Offset(p));
    out_->row_field.push_back(static_cast<uint32_t>(fields_));
  }
  void Push(const char* b, const char* e) {
    if (fields_ == capacity_) {
      capacity_ *= 2;
      out_->begin.resize(capacity_);
      out_->end.resize(capacity_);
      field_begin_ = out_->begin.data();
      field_stop_ = out_->end.data();
    }
    field_begin_[fields_] = Offset(b);
    field_stop_[fields_] = Offset(e);
    ++fields_;
  }
  // Pushes [b, e) with surrounding spaces removed when trimming.
  void PushTrimmed(const char* b, const char* e) {
    if (trim_) {
      while (b < e && IsSpace(*b)) ++b;
      while (e > b && IsSpace(e[-1])) --e;
    }
    Push(b, e);
  }
  const char* FieldEnd(const char* q) const;
  char* AfterLineEnd(char* q) const {
    if (*q == '\r' && q + 1 < end_ && q[1] == '\n') return q + 2;
    return q + 1;
  }

  CsvFields* out_;
  char* base_;
  char* end_;
  bool ws_;
  char quote_;
  char delimiter_;
  bool trim_;
  uint64_t delimiter_word_;
  uint32_t* field_begin_;
  uint32_t* field_stop_;
  size_t capacity_;
  size_t fields_ = 0;
};

const char* RowTokenizer::FieldEnd(const char* q) const {
  if (!ws_) {
    while (end_ - q >= 8) {
      uint64_t word;
      std::memcpy(&word, q, 8);
      uint64_t hits = MatchBytes(word, delimiter_word_) | MatchBytes(word, kOnes * '\n') |
                      MatchBytes(word, kOnes * '\r');
      if (hits != 0) return q + (__builtin_ctzll(hits) >> 3);
      q += 8;
    }
    while (q < end_ && *q != delimiter_ && *q != '\n' && *q != '\r') ++q;
  } else {
    while (q < end_ && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r') ++q;
  }
  return q;
}

char* RowTokenizer::FastRow(char* p) {
#if defined(__SSE2__)
  if (ws_) return nullptr;
  const size_t first_field = fields_;
  const __m128i delimiter = _mm_set1_epi8(delimiter_);
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i quote = _mm_set1_epi8(quote_);
  const char* field = p;
  for (const char* q = p; end_ - q >= 16; q += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    auto delimiters = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, delimiter)));
    auto stops = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)), _mm_cmpeq_epi8(v, quote))));
    unsigned before_stop = stops == 0 ? 0xFFFFu : (1u << __builtin_ctz(stops)) - 1;
    if (fields_ == first_field && (delimiters & before_stop) != 0) OpenRow(p);
    for (unsigned d = delimiters & before_stop; d != 0; d &= d - 1) {
      const char* at = q + __builtin_ctz(d);
      PushTrimmed(field, at);
      field = at + 1;
    }
    if (stops == 0) continue;
    const char* at = q + __builtin_ctz(stops);
    // A quote (quoted field or literal) or a lone CR: leave the row to ScalarRow.
    bool crlf = *at == '\r' && at + 1 < end_ && at[1] == '\n';
    if (*at != '\n' && !crlf) break;
    if (fields_ == first_field) {
      // A single field: a blank line when it is empty after trimming.
      const char* b = p;
      if (trim_) {
        while (b < at && IsSpace(*b)) ++b;
      }
      if (b == at) {
        ++out_->blank_lines;
        return const_cast<char*>(at) + (crlf ? 2 : 1);
      }
      OpenRow(p);
    }
    PushTrimmed(field, at);
    return const_cast<char*>(at) + (crlf ? 2 : 1);
  }
  // Not handled here: undo what this row pushed.
  if (fields_ != first_field) {
    fields_ = first_field;
    out_->row_offset.pop_back();
    out_->row_field.pop_back();
  }
#else
  (void)p;
#endif
  return nullptr;
}

char* RowTokenizer::ScalarRow(char* p) {
  const bool ws = ws_;
  char* s = p;
  if (ws || trim_) {
    while (s < end_ && (ws ? IsWs(*s) : IsSpace(*s))) ++s;
  }
  if (s == end_ || *s == '\n' || *s == '\r') {
    ++out_->blank_lines;
    return s == end_ ? end_ : AfterLineEnd(s);
  }
  const auto row = static_cast<uint32_t>(out_->rows());
  OpenRow(p);
  if (ws) p = s;
  while (true) {
    if (!ws && trim_) {
      while (p < end_ && IsSpace(*p)) ++p;
    }
    bool spaces_after_quote = false;
    if (p < end_ && *p == quote_) {
      char* open = p;
      char* content = ++p;
      char* write = content;
      bool closed = false;
      while (true) {
        char* close = static_cast<char*>(std::memchr(p, quote_, static_cast<size_t>(end_ - p)));
        if (close == nullptr) break;
        bool doubled = close + 1 < end_ && close[1] == quote_;
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
        out_->errors.push_back({row, Offset(open), CsvRowError::Kind::kUnclosedQuote, quote_});
        Push(content, content);
        return end_;
      }
      Push(content, write);
      // Unescaping shifted the content left; fill the gap (it held doubled quotes) so that
      // counting line ends over the text still gives true line numbers.
      if (write < p - 1) std::memset(write, quote_, static_cast<size_t>(p - 1 - write));
      char* after_quote = p;
      if (ws || trim_) {
        while (p < end_ && (ws ? IsWs(*p) : IsSpace(*p))) ++p;
      }
      spaces_after_quote = p != after_quote;
      bool at_separator =
          p >= end_ || *p == '\n' || *p == '\r' || (ws ? spaces_after_quote : *p == delimiter_);
      if (!at_separator) {
        // The row is bad; as FindLastRowEnd does, read the junk as the rest of an unquoted
        // field and go on, so that row boundaries stay where the chunker put them.
        out_->errors.push_back({row, Offset(p), CsvRowError::Kind::kJunkAfterQuote, *p});
        p = const_cast<char*>(FieldEnd(p));
        spaces_after_quote = false;
      }
    } else {
      char* start = p;
      p = const_cast<char*>(FieldEnd(p));
      char* stop = p;
      if (!ws && trim_) {
        while (stop > start && IsSpace(stop[-1])) --stop;
      }
      Push(start, stop);
    }
    if (p >= end_) return end_;
    char c = *p;
    if (ws && (c == ' ' || c == '\t')) {
      while (p < end_ && IsWs(*p)) ++p;
      if (p >= end_) return end_;
      c = *p;
      if (c != '\n' && c != '\r') continue;
    } else if (ws && spaces_after_quote) {
      if (c != '\n' && c != '\r') continue;
    } else if (!ws && c == delimiter_) {
      ++p;
      continue;
    }
    return AfterLineEnd(p);
  }
}

}  // namespace

size_t TokenizeCsv(char* text, size_t size, const CsvDialect& dialect, CsvFields* out,
                   size_t max_rows, bool allow_fast_path) {
  RowTokenizer tokenizer(text, size, dialect, out);
  char* p = tokenizer.base();
  char* const end = tokenizer.end();
  while (p < end && out->rows() < max_rows) {
    if (allow_fast_path) {
      if (char* next = tokenizer.FastRow(p)) {
        p = next;
        continue;
      }
    }
    p = tokenizer.ScalarRow(p);
  }
  tokenizer.Finish();
  return static_cast<size_t>(p - tokenizer.base());
}

int64_t CountLineEnds(std::string_view text) {
  const char* data = text.data();
  const char* end = data + text.size();
  // LF bytes, counted 16 at a time (a memchr call per line costs more).
  int64_t count = 0;
  const char* p = data;
#if defined(__SSE2__)
  const __m128i lf = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    // Byte counters subtract -1 per match; flush them before any can wrap (255 rounds).
    __m128i counters = _mm_setzero_si128();
    for (int round = 0; round < 255 && end - p >= 16; ++round, p += 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      counters = _mm_sub_epi8(counters, _mm_cmpeq_epi8(v, lf));
    }
    __m128i sums = _mm_sad_epu8(counters, _mm_setzero_si128());
    count += _mm_cvtsi128_si64(sums) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums));
  }
#endif
  count += std::count(p, end, '\n');
  // A CR ends a line only when no LF follows it (old Mac files); most files have no CR.
  for (const char* q = data;
       (q = static_cast<const char*>(std::memchr(q, '\r', static_cast<size_t>(end - q)))) !=
       nullptr;
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
  return InvalidArgumentError("found " + Printable(error.found) +
                              " after the closing quote of a field")
      .At(std::move(where))
      .Expecting(DelimiterDescription(dialect) + " or the end of the line");
}

}  // namespace probity::ingest::internal
