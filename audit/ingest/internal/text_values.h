// Parsing of single field values from text, shared by the CSV and JSON Lines readers and by
// type inference. All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace probity::ingest::internal {

enum class NumberParse { kOk, kNotANumber, kOutOfRange };

NumberParse ParseInt64Slow(std::string_view text, int64_t* out);
NumberParse ParseFloat64Slow(std::string_view text, double* out);

// Parses an int64 with an optional leading sign. Rejects anything else, including
// "1.0", "1e3" and surrounding spaces.
inline NumberParse ParseInt64(std::string_view text, int64_t* out) {
  // Fast path: an optional sign and up to 18 digits cannot overflow.
  const char* p = text.data();
  const char* end = p + text.size();
  bool negative = p != end && *p == '-';
  if (p != end && (*p == '-' || *p == '+')) ++p;
  if (p == end || end - p > 18) return ParseInt64Slow(text, out);
  int64_t v = 0;
  for (; p != end; ++p) {
    auto digit = static_cast<unsigned>(*p - '0');
    if (digit >= 10) return NumberParse::kNotANumber;
    v = v * 10 + digit;
  }
  *out = negative ? -v : v;
  return NumberParse::kOk;
}

// Parses a float64: decimal or scientific notation, optional sign, "inf"/"infinity"
// (any case). "nan" parses and yields NaN (callers treat it as missing).
inline NumberParse ParseFloat64(std::string_view text, double* out) {
  // Clinger's fast path: a decimal with at most 15 significant digits and at most 22
  // fraction digits is m / 10^k with both operands exact, so one IEEE division gives the
  // correctly rounded value, the same as from_chars.
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const char* p = text.data();
  const char* end = p + text.size();
  bool negative = p != end && *p == '-';
  if (p != end && (*p == '-' || *p == '+')) ++p;
  uint64_t mantissa = 0;
  const char* digits_start = p;
  while (p != end && static_cast<unsigned>(*p - '0') < 10) {
    mantissa = mantissa * 10 + static_cast<uint64_t>(*p++ - '0');
  }
  auto digits = p - digits_start;
  long fraction = 0;
  if (p != end && *p == '.') {
    const char* fraction_start = ++p;
    while (p != end && static_cast<unsigned>(*p - '0') < 10) {
      mantissa = mantissa * 10 + static_cast<uint64_t>(*p++ - '0');
    }
    fraction = p - fraction_start;
    digits += fraction;
  }
  if (p != end || digits == 0 || digits > 15 || fraction > 22) return ParseFloat64Slow(text, out);
  double v = static_cast<double>(mantissa) / kPow10[fraction];
  *out = negative ? -v : v;
  return NumberParse::kOk;
}

// Parses true/false, yes/no, t/f, y/n (any case) and 1/0. With strict, only true/false
// (any case) — the forms type inference accepts.
std::optional<bool> ParseBool(std::string_view text, bool strict);

// Returns the byte offset of the first invalid UTF-8 sequence, or -1 if `text` is valid
// UTF-8 (overlong forms, surrogates and code points above U+10FFFF are invalid).
int64_t FindInvalidUtf8(std::string_view text);

// Removes spaces, and tabs unless `keep_tabs`, from both ends.
std::string_view TrimSpaces(std::string_view text, bool keep_tabs);

}  // namespace probity::ingest::internal
