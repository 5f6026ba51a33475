#include "audit/ingest/internal/text_values.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace probity::ingest::internal {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != b[i]) return false;
  }
  return true;
}

}  // namespace

NumberParse ParseInt64Slow(std::string_view text, int64_t* out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  bool plus = begin != end && *begin == '+';
  if (plus) ++begin;
  if (begin == end || *begin == '+' || (plus && *begin == '-')) return NumberParse::kNotANumber;
  auto [ptr, ec] = std::from_chars(begin, end, *out);
  if (ptr != end) return NumberParse::kNotANumber;
  if (ec == std::errc::result_out_of_range) return NumberParse::kOutOfRange;
  if (ec != std::errc()) return NumberParse::kNotANumber;
  return NumberParse::kOk;
}

NumberParse ParseFloat64Slow(std::string_view text, double* out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  bool plus = begin != end && *begin == '+';
  if (plus) ++begin;
  if (begin == end || *begin == '+' || (plus && *begin == '-')) return NumberParse::kNotANumber;
  auto [ptr, ec] = std::from_chars(begin, end, *out, std::chars_format::general);
  if (ptr != end) return NumberParse::kNotANumber;
  if (ec == std::errc::result_out_of_range) return NumberParse::kOutOfRange;
  if (ec != std::errc()) return NumberParse::kNotANumber;
  return NumberParse::kOk;
}

std::optional<bool> ParseBool(std::string_view text, bool strict) {
  if (EqualsIgnoreCase(text, "true")) return true;
  if (EqualsIgnoreCase(text, "false")) return false;
  if (strict) return std::nullopt;
  if (EqualsIgnoreCase(text, "yes") || EqualsIgnoreCase(text, "t") || EqualsIgnoreCase(text, "y") ||
      text == "1") {
    return true;
  }
  if (EqualsIgnoreCase(text, "no") || EqualsIgnoreCase(text, "f") || EqualsIgnoreCase(text, "n") ||
      text == "0") {
    return false;
  }
  return std::nullopt;
}

int64_t FindInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Fast path: eight ASCII bytes at a time.
    if (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t min_code;
    uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      length = 2, min_code = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, min_code = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, min_code = 0x10000, code = c & 0x07;
    } else {
      return static_cast<int64_t>(i);
    }
    if (i + length > n) return static_cast<int64_t>(i);
    for (size_t k = 1; k < length; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return static_cast<int64_t>(i);
      code = (code << 6) | (s[i + k] & 0x3F);
    }
    if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return static_cast<int64_t>(i);
    }
    i += length;
  }
  return -1;
}

std::string_view TrimSpaces(std::string_view text, bool keep_tabs) {
  auto is_space = [keep_tabs](char c) { return c == ' ' || (!keep_tabs && c == '\t'); };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace probity::ingest::internal
