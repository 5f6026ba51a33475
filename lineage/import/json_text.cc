#include "lineage/import/json_text.h"

#include <algorithm>

namespace probity::lineage {
namespace {

using nlohmann::json;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view text, size_t pos) {
  while (pos < text.size() && IsSpace(text[pos])) ++pos;
  return pos;
}

// Returns the offset just past the string starting at `pos` (a '"').
size_t SkipString(std::string_view text, size_t pos) {
  for (++pos; pos < text.size(); ++pos) {
    if (text[pos] == '\\') {
      ++pos;
    } else if (text[pos] == '"') {
      return pos + 1;
    }
  }
  return text.size();
}

// Returns the offset just past the value starting at `pos`.
size_t SkipValue(std::string_view text, size_t pos) {
  if (pos >= text.size()) return pos;
  if (text[pos] == '"') return SkipString(text, pos);
  if (text[pos] == '{' || text[pos] == '[') {
    int depth = 0;
    while (pos < text.size()) {
      char c = text[pos];
      if (c == '"') {
        pos = SkipString(text, pos);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return pos + 1;
      }
      ++pos;
    }
    return pos;
  }
  while (pos < text.size() && !IsSpace(text[pos]) && text[pos] != ',' && text[pos] != ']' &&
         text[pos] != '}') {
    ++pos;
  }
  return pos;
}

std::string DecodePointerToken(std::string_view raw) {
  std::string token;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
      token += raw[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      token += raw[i];
    }
  }
  return token;
}

// "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." →
// "syntax error ...".
std::string ParseErrorText(const json::parse_error& error) {
  std::string what = error.what();
  size_t colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

Status DepthError(std::string_view file, int64_t line) {
  return InvalidArgumentError("JSON nested deeper than " + std::to_string(kMaxJsonNesting) +
                              " levels")
      .At({std::string(file), line, 0});
}

// Parses `text` (a part of the file starting at `offset`) as one JSON value.
Result<json> ParsePart(std::string_view file_text, size_t offset, std::string_view text,
                       std::string_view file) {
  if (JsonNestingDepth(text) > kMaxJsonNesting) {
    return DepthError(file, LocationOfOffset(file_text, offset, file).line);
  }
  try {
    return json::parse(text);
  } catch (const json::parse_error& error) {
    size_t at = offset + (error.byte > 0 ? error.byte - 1 : 0);
    return InvalidArgumentError("malformed JSON: " + ParseErrorText(error))
        .At(LocationOfOffset(file_text, std::min(at, file_text.size()), file));
  } catch (const json::exception& error) {  // e.g. a number out of range
    return InvalidArgumentError(std::string("malformed JSON: ") + error.what())
        .At(LocationOfOffset(file_text, offset, file));
  }
}

Status NotAnObject(std::string_view file_text, size_t offset, std::string_view file,
                   const json& value) {
  return InvalidArgumentError(std::string("found a JSON ") + value.type_name())
      .At(LocationOfOffset(file_text, offset, file))
      .Expecting("a JSON object (an event)");
}

}  // namespace

int JsonNestingDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  for (size_t pos = 0; pos < text.size();) {
    char c = text[pos];
    if (c == '"') {
      pos = SkipString(text, pos);
      continue;
    }
    if (c == '{' || c == '[') deepest = std::max(deepest, ++depth);
    if (c == '}' || c == ']') --depth;
    ++pos;
  }
  return deepest;
}

size_t FindJsonPointer(std::string_view text, std::string_view pointer) {
  size_t pos = SkipSpace(text, 0);
  size_t start = 1;
  while (start <= pointer.size() && !pointer.empty()) {
    size_t end = pointer.find('/', start);
    std::string token = DecodePointerToken(pointer.substr(
        start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (pos >= text.size()) return pos;
    size_t found = std::string_view::npos;
    if (text[pos] == '{') {
      size_t p = SkipSpace(text, pos + 1);
      while (p < text.size() && text[p] == '"') {
        size_t key_end = SkipString(text, p);
        std::string key;
        try {
          key = json::parse(text.substr(p, key_end - p)).get<std::string>();
        } catch (const json::exception&) {
          return pos;
        }
        p = SkipSpace(text, key_end);
        if (p < text.size() && text[p] == ':') p = SkipSpace(text, p + 1);
        if (key == token) {
          found = p;
          break;
        }
        p = SkipSpace(text, SkipValue(text, p));
        if (p < text.size() && text[p] == ',') p = SkipSpace(text, p + 1);
      }
    } else if (text[pos] == '[' && !token.empty() && token.size() < 10 &&
               token.find_first_not_of("0123456789") == std::string::npos) {
      size_t index = std::stoul(token);
      size_t p = SkipSpace(text, pos + 1);
      for (size_t i = 0; p < text.size() && text[p] != ']'; ++i) {
        if (i == index) {
          found = p;
          break;
        }
        p = SkipSpace(text, SkipValue(text, p));
        if (p < text.size() && text[p] == ',') p = SkipSpace(text, p + 1);
      }
    }
    if (found == std::string_view::npos) return pos;
    pos = found;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return pos;
}

InputLocation LocationOfOffset(std::string_view text, size_t offset, std::string_view file) {
  offset = std::min(offset, text.size());
  int64_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {std::string(file), line, static_cast<int64_t>(offset - line_start) + 1};
}

InputLocation LocateInText(std::string_view text, std::string_view file,
                           const JsonDocument& document, std::string_view pointer) {
  std::string_view part = text.substr(std::min(document.offset, text.size()), document.length);
  return LocationOfOffset(text, document.offset + FindJsonPointer(part, pointer), file);
}

Result<json> ParseJsonLine(std::string_view text, std::string_view file, int64_t line) {
  auto value = ParsePart(text, 0, text, file);
  if (!value.has_value()) {
    Status status = value.error();
    InputLocation where = status.location();
    where.line = line;
    return std::move(status).At(where);
  }
  if (!value->is_object()) {
    return InvalidArgumentError(std::string("found a JSON ") + value->type_name())
        .At({std::string(file), line, 1})
        .Expecting("a JSON object (an event)");
  }
  return value;
}

Result<std::vector<JsonDocument>> ParseJsonDocuments(std::string_view text, std::string_view file) {
  std::vector<JsonDocument> documents;
  size_t first = SkipSpace(text, 0);
  if (first == text.size()) {
    return InvalidArgumentError("the file is empty")
        .At({std::string(file), 1, 1})
        .Expecting("a JSON object, a JSON array or JSON Lines");
  }
  if (text[first] == '[') {
    PROBITY_ASSIGN_OR_RETURN(json array, ParsePart(text, 0, text, file));
    size_t pos = SkipSpace(text, first + 1);
    int64_t line = LocationOfOffset(text, first, file).line;
    size_t counted = first;
    for (auto& element : array) {
      for (; counted < pos; ++counted) line += text[counted] == '\n';
      size_t end = SkipValue(text, pos);
      if (!element.is_object()) return NotAnObject(text, pos, file, element);
      documents.push_back({std::move(element), pos, end - pos, line});
      pos = SkipSpace(text, end);
      if (pos < text.size() && text[pos] == ',') pos = SkipSpace(text, pos + 1);
    }
    return documents;
  }
  size_t first_line_end = text.find('\n', first);
  std::string_view first_line =
      text.substr(first, first_line_end == std::string_view::npos ? std::string_view::npos
                                                                  : first_line_end - first);
  bool json_lines = JsonNestingDepth(first_line) <= kMaxJsonNesting && json::accept(first_line) &&
                    first_line_end != std::string_view::npos &&
                    SkipSpace(text, first_line_end) < text.size();
  if (!json_lines) {
    PROBITY_ASSIGN_OR_RETURN(json value, ParsePart(text, 0, text, file));
    if (!value.is_object()) return NotAnObject(text, first, file, value);
    documents.push_back(
        {std::move(value), first, text.size() - first, LocationOfOffset(text, first, file).line});
    return documents;
  }
  int64_t line = 1;
  for (size_t start = 0; start < text.size(); ++line) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    size_t content = SkipSpace(part, 0);
    if (content < part.size()) {
      PROBITY_ASSIGN_OR_RETURN(json value, ParsePart(text, start, part, file));
      if (!value.is_object()) return NotAnObject(text, start + content, file, value);
      documents.push_back({std::move(value), start, part.size(), line});
    }
    start = end + 1;
  }
  return documents;
}

const std::string* StringAt(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

const nlohmann::json* ObjectAt(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

}  // namespace probity::lineage
