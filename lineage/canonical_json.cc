#include "lineage/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <new>
#include <vector>

namespace probity::lineage {
namespace {

using Json = nlohmann::json;

constexpr uint64_t kMaxSafeInteger = uint64_t{1} << 53;  // RFC 8785 numbers are doubles

// The length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629 §4), or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b = byte(i);
  if (b < 0x80) return 1;
  size_t n = 0;
  uint8_t low = 0x80, high = 0xBF;  // range of the first continuation byte
  if (b >= 0xC2 && b <= 0xDF) {
    n = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    n = 3;
    if (b == 0xE0) low = 0xA0;   // no overlong forms
    if (b == 0xED) high = 0x9F;  // no surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    n = 4;
    if (b == 0xF0) low = 0x90;
    if (b == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

// Writes `s` as a string literal. Returns the offset of the first byte that is not valid
// UTF-8 (after writing it as U+FFFD), or npos.
size_t AppendString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t first_invalid = std::string_view::npos;
  out += '"';
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(s, i);
      if (n != 0) {
        i += n;
        continue;
      }
      out.append(s.data() + run, i - run);
      out += "\xEF\xBF\xBD";
      if (first_invalid == std::string_view::npos) first_invalid = i;
      run = ++i;
      continue;
    }
    out.append(s.data() + run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
    run = ++i;
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
  return first_invalid;
}

// ECMAScript Number::toString (ECMA-262 §6.1.6.1.20) for a finite double. std::to_chars gives
// the shortest digits that round-trip, choosing the closest (then the even) candidate as
// ECMA-262 does; only the layout differs.
void AppendDouble(std::string& out, double v) {
  if (v == 0) {  // both zeros
    out += '0';
    return;
  }
  char buf[40];
  const auto result = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view text(buf, static_cast<size_t>(result.ptr - buf));  // [-]d[.ddd]e(+|-)dd
  if (text.front() == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  const size_t e = text.find('e');
  char digits[24];
  size_t k = 0;
  for (size_t i = 0; i < e; ++i) {
    if (text[i] != '.') digits[k++] = text[i];
  }
  int exponent = 0;
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(),
                  exponent);
  const int n = exponent + 1;  // the decimal point sits after n digits
  const int kk = static_cast<int>(k);
  if (kk <= n && n <= 21) {
    out.append(digits, k);
    out.append(static_cast<size_t>(n - kk), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, static_cast<size_t>(n));
    out += '.';
    out.append(digits + n, k - static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out.append(digits, k);
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits + 1, k - 1);
    }
    out += 'e';
    out += n - 1 < 0 ? '-' : '+';
    char exp[8];
    const auto r = std::to_chars(exp, exp + sizeof(exp), std::abs(n - 1));
    out.append(exp, r.ptr);
  }
}

template <typename Int>
void AppendInteger(std::string& out, Int v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
}

// The sort key RFC 8785 §3.2.3 orders member names by: their UTF-16 code units. UTF-8 byte
// order equals code point order, which differs from UTF-16 order only between a character
// above U+FFFF (a surrogate pair, D800–DBFF first) and one in U+E000–U+FFFF. A byte that is
// not valid UTF-8 (refused later, when the name is written) maps above every code unit, which
// keeps the order strict and weak.
std::u32string Utf16SortKey(std::string_view s) {
  std::u32string units;
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<uint8_t>(s[i]);
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      units += static_cast<char32_t>(0x110000 + b);
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? b : b & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3F);
    if (cp >= 0x10000) {
      units += static_cast<char32_t>(0xD800 + ((cp - 0x10000) >> 10));
      units += static_cast<char32_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      units += cp;
    }
    i += n;
  }
  return units;
}

bool HasSupplementary(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<uint8_t>(c) >= 0xF0; });
}

class CanonicalWriter {
 public:
  explicit CanonicalWriter(std::string& out) : out_(out) {}

  Status Write(const Json& value) {
    switch (value.type()) {
      case Json::value_t::null: out_ += "null"; return OkStatus();
      case Json::value_t::boolean: out_ += value.get<bool>() ? "true" : "false"; return OkStatus();
      case Json::value_t::string: return WriteString(value.get_ref<const std::string&>());
      case Json::value_t::number_integer: {
        const int64_t v = value.get<int64_t>();
        const uint64_t magnitude =
            v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
        if (magnitude > kMaxSafeInteger) return TooLarge(std::to_string(v));
        AppendInteger(out_, v);
        return OkStatus();
      }
      case Json::value_t::number_unsigned: {
        const uint64_t v = value.get<uint64_t>();
        if (v > kMaxSafeInteger) return TooLarge(std::to_string(v));
        AppendInteger(out_, v);
        return OkStatus();
      }
      case Json::value_t::number_float: {
        const double v = value.get<double>();
        if (!std::isfinite(v)) {
          return Error(std::string(std::isnan(v) ? "NaN" : "an infinite number") +
                       " has no JSON form")
              .Expecting("a finite number (RFC 8785 §3.2.2.3)");
        }
        AppendDouble(out_, v);
        return OkStatus();
      }
      case Json::value_t::array: return WriteArray(value);
      case Json::value_t::object: return WriteObject(value);
      case Json::value_t::binary:
      case Json::value_t::discarded: break;
    }
    return Error("a binary value has no JSON form").Expecting("a JSON value");
  }

 private:
  struct Step {
    const std::string* key;  // null for an array element
    size_t index;
  };

  Status WriteString(const std::string& s) {
    const size_t bad = AppendString(out_, s);
    if (bad == std::string_view::npos) return OkStatus();
    return Error("a string is not valid UTF-8 (byte " + std::to_string(bad) + ")")
        .Expecting("UTF-8 text (RFC 8785 §3.2.2.2)");
  }

  Status Enter() {
    if (path_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
      return Error("nesting is deeper than " + std::to_string(kMaxJsonDepth) + " levels")
          .Expecting("at most " + std::to_string(kMaxJsonDepth) + " nested arrays or objects");
    }
    return OkStatus();
  }

  Status WriteArray(const Json& array) {
    PROBITY_RETURN_IF_ERROR(Enter());
    out_ += '[';
    path_.push_back({nullptr, 0});
    for (const Json& element : array) {
      if (path_.back().index > 0) out_ += ',';
      PROBITY_RETURN_IF_ERROR(Write(element));
      ++path_.back().index;
    }
    path_.pop_back();
    out_ += ']';
    return OkStatus();
  }

  Status WriteObject(const Json& object) {
    PROBITY_RETURN_IF_ERROR(Enter());
    const auto& members = object.get_ref<const Json::object_t&>();
    // std::map already holds the names in UTF-8 byte order; re-sort only when a name has a
    // character above U+FFFF, the one case where UTF-16 order differs.
    const bool resort = std::any_of(members.begin(), members.end(),
                                    [](const auto& m) { return HasSupplementary(m.first); });
    std::vector<std::pair<std::u32string, const Json::object_t::value_type*>> sorted;
    if (resort) {
      for (const auto& m : members) sorted.emplace_back(Utf16SortKey(m.first), &m);
      std::sort(sorted.begin(), sorted.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    out_ += '{';
    path_.push_back({nullptr, 0});
    const auto write_member = [&](const Json::object_t::value_type& m) -> Status {
      if (path_.back().index++ > 0) out_ += ',';
      path_.back().key = &m.first;
      PROBITY_RETURN_IF_ERROR(WriteString(m.first));
      out_ += ':';
      return Write(m.second);
    };
    if (resort) {
      for (const auto& m : sorted) PROBITY_RETURN_IF_ERROR(write_member(*m.second));
    } else {
      for (const auto& m : members) PROBITY_RETURN_IF_ERROR(write_member(m));
    }
    path_.pop_back();
    out_ += '}';
    return OkStatus();
  }

  Status TooLarge(const std::string& digits) {
    return Error("the integer " + digits +
                 " is beyond 2^53 in magnitude, which an IEEE double (the only number type "
                 "of RFC 8785) cannot represent exactly")
        .Expecting("an integer in [-2^53, 2^53], or the value as a string");
  }

  // "canonical JSON at /a/0: <message>", naming the value by its JSON pointer (RFC 6901).
  Status Error(const std::string& message) const {
    std::string pointer;
    for (const Step& step : path_) {
      pointer += '/';
      if (step.key == nullptr) {
        pointer += std::to_string(step.index);
        continue;
      }
      for (char c : *step.key) {
        if (c == '~') {
          pointer += "~0";
        } else if (c == '/') {
          pointer += "~1";
        } else {
          pointer += c;
        }
      }
    }
    return InvalidArgumentError("canonical JSON at " + (pointer.empty() ? "/" : pointer) + ": " +
                                message);
  }

  std::string& out_;
  std::vector<Step> path_;
};

// An input iterator over the text that also counts the bytes the parser consumed, so SAX
// callbacks can name where they are.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* p, size_t* consumed) : p_(p), consumed_(consumed) {}
  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    ++p_;
    ++*consumed_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const CountingIterator& other) const { return p_ == other.p_; }

 private:
  const char* p_;
  size_t* consumed_;
};

// Replaces bytes that are not printable ASCII by \xNN, so messages quoting input stay clean.
std::string Printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    const auto b = static_cast<uint8_t>(c);
    if (b >= 0x20 && b < 0x7F) {
      out += c;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
  return out;
}

// Builds the DOM as nlohmann's SAX parser reports it, refusing what a signed input must not
// contain. The first refusal is kept in `error_`.
class StrictBuilder {
 public:
  StrictBuilder(std::string_view text, std::string_view origin, const size_t& consumed)
      : text_(text), origin_(origin), consumed_(consumed) {}

  bool null() { return Add(nullptr) != nullptr; }
  bool boolean(bool v) { return Add(v) != nullptr; }
  bool number_integer(int64_t v) {
    if (v >= -static_cast<int64_t>(kMaxSafeInteger)) return Add(v) != nullptr;
    const double d = static_cast<double>(v);  // in [-2^63, -2^53): the cast back is defined
    return AddLargeInteger(d, static_cast<int64_t>(d) == v, std::to_string(v));
  }
  bool number_unsigned(uint64_t v) {
    if (v <= kMaxSafeInteger) return Add(v) != nullptr;
    const double d = static_cast<double>(v);
    return AddLargeInteger(d, d < 0x1p64 && static_cast<uint64_t>(d) == v, std::to_string(v));
  }
  bool number_float(double v, const std::string& /*text*/) { return Add(v) != nullptr; }
  bool string(std::string& v) { return Add(std::move(v)) != nullptr; }
  bool binary(Json::binary_t& /*unused*/) { return Fail(consumed_, "binary data", "JSON text"); }
  bool start_object(size_t /*unused*/) { return Open(Json::object()); }
  bool key(std::string& name) {
    if (stack_.back()->contains(name)) {
      return Fail(consumed_, "duplicate member name \"" + Printable(name) + "\"",
                  "each name at most once per object");
    }
    key_ = std::move(name);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(size_t /*unused*/) { return Open(Json::array()); }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1,
    // column 5: <what>; expected <what>"; keep the part after the location.
    std::string what = ex.what();
    const size_t column = what.find("column ");
    const size_t colon = what.find(": ", column == std::string::npos ? 0 : column);
    if (colon != std::string::npos) what.erase(0, colon + 2);
    std::string expected = "a JSON text (RFC 8259)";
    const size_t split = what.find("; expected ");
    if (split != std::string::npos) {
      expected = what.substr(split + 11);
      what.erase(split);
    }
    return Fail(position, Printable(what), Printable(expected));
  }

  Json& root() { return root_; }
  Status& error() { return error_; }

 private:
  bool Open(Json container) {
    if (stack_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
      return Fail(consumed_, "nesting is deeper than " + std::to_string(kMaxJsonDepth) + " levels",
                  "at most " + std::to_string(kMaxJsonDepth) + " nested arrays or objects");
    }
    Json* added = Add(std::move(container));
    if (added == nullptr) return false;
    stack_.push_back(added);
    return true;
  }

  // An integer literal beyond 2^53: kept as the double it denotes when that loses nothing —
  // the double equals it, or the literal is that double's canonical spelling (so canonical
  // output parses back to itself) — and refused otherwise.
  bool AddLargeInteger(double d, bool exact, const std::string& digits) {
    std::string canonical;
    AppendDouble(canonical, d);
    if (exact || canonical == digits) return Add(d) != nullptr;
    return Fail(consumed_,
                "the integer " + digits +
                    " is not exactly representable as an IEEE double (it "
                    "would become " +
                    canonical + ")",
                "an integer in [-2^53, 2^53], or the value as a string");
  }

  Json* Add(Json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& top = *stack_.back();
    if (top.is_array()) {
      top.get_ref<Json::array_t&>().push_back(std::move(value));
      return &top.get_ref<Json::array_t&>().back();
    }
    Json& slot = top.get_ref<Json::object_t&>()[std::move(key_)];
    slot = std::move(value);
    return &slot;
  }

  bool Fail(size_t position, std::string message, std::string expected) {
    if (!error_.ok()) return false;
    const size_t end = std::min(position, text_.size());
    const std::string_view before = text_.substr(0, end);
    const size_t line_start = before.rfind('\n');
    const int64_t line = 1 + std::count(before.begin(), before.end(), '\n');
    const int64_t column = static_cast<int64_t>(
        std::max<size_t>(1, end - (line_start == std::string_view::npos ? 0 : line_start + 1)));
    error_ = InvalidArgumentError(std::move(message))
                 .At({std::string(origin_), line, column})
                 .Expecting(std::move(expected));
    return false;
  }

  std::string_view text_;
  std::string_view origin_;
  const size_t& consumed_;
  Json root_;
  std::vector<Json*> stack_;
  std::string key_;
  Status error_;
};

}  // namespace

Result<std::string> CanonicalJson(const Json& value) {
  std::string out;
  try {
    PROBITY_RETURN_IF_ERROR(CanonicalWriter(out).Write(value));
  } catch (const std::bad_alloc&) {
    return InternalError("out of memory writing canonical JSON");
  }
  return out;
}

void AppendCanonicalString(std::string& out, std::string_view utf8) {
  (void)AppendString(out, utf8);
}

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

Result<Json> ParseStrictJson(std::string_view text, std::string_view origin) {
  if (text.size() > kMaxStrictJsonBytes) {
    return InvalidArgumentError("the JSON text is " + std::to_string(text.size()) + " bytes")
        .At({std::string(origin)})
        .Expecting("at most " + std::to_string(kMaxStrictJsonBytes) + " bytes");
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    return InvalidArgumentError("the text starts with a byte-order mark")
        .At({std::string(origin), 1, 1})
        .Expecting("JSON text without a BOM (RFC 8259 §8.1)");
  }
  size_t consumed = 0;
  StrictBuilder builder(text, origin, consumed);
  try {
    const bool ok = Json::sax_parse(CountingIterator(text.data(), &consumed),
                                    CountingIterator(text.data() + text.size(), &consumed),
                                    &builder, Json::input_format_t::json, /*strict=*/true);
    if (!ok || !builder.error().ok()) {
      if (builder.error().ok()) return InternalError("JSON parser stopped without an error");
      return std::move(builder.error());
    }
  } catch (const std::bad_alloc&) {
    return InternalError("out of memory parsing JSON").At({std::string(origin)});
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgumentError(Printable(e.what())).At({std::string(origin)});
  }
  return std::move(builder.root());
}

Result<std::string> Canonicalize(std::string_view json_text, std::string_view origin) {
  PROBITY_ASSIGN_OR_RETURN(Json value, ParseStrictJson(json_text, origin));
  Result<std::string> canonical = CanonicalJson(value);
  if (!canonical.has_value()) return std::move(canonical).error().InFile(origin);
  return canonical;
}

}  // namespace probity::lineage
