// Reading JSON lineage files: one JSON document, a JSON array of documents, or JSON Lines,
// each document with the line it starts on; and finding the line and column of a value
// named by a JSON pointer, so that a schema violation can be reported where it is.
//
//   PROBITY_ASSIGN_OR_RETURN(std::vector<JsonDocument> docs,
//                            ParseJsonDocuments(text, "events.jsonl"));
//   InputLocation where = LocateInText(text, "events.jsonl", docs[0], "/run/runId");
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/result.h"

namespace probity::lineage {

// Documents nested deeper than this are refused before they are parsed, so that no later
// step (validation, serialization) recurses without bound.
inline constexpr int kMaxJsonNesting = 256;

struct JsonDocument {
  nlohmann::json value;
  size_t offset = 0;  // byte offset of the document's first character in the file
  size_t length = 0;  // its length in bytes
  int64_t line = 0;   // 1-based line of its first character
};

// Splits `text` into documents:
//  - text whose first non-blank character is '[' is one JSON array; each element is a
//    document;
//  - otherwise, when the first non-blank line is a complete JSON value on its own, the text
//    is JSON Lines (one document per non-blank line);
//  - otherwise the whole text is one JSON document.
// Every document must be an object. kInvalidArgument, located in `file` (line and column),
// for a syntax error, a document that is not an object, nesting deeper than
// kMaxJsonNesting, or an empty input.
// The member `key` of `object` when it is a string (or an object), else nullptr.
const std::string* StringAt(const nlohmann::json& object, std::string_view key);
const nlohmann::json* ObjectAt(const nlohmann::json& object, std::string_view key);

Result<std::vector<JsonDocument>> ParseJsonDocuments(std::string_view text, std::string_view file);

// Parses one JSON Lines line (the follow mode's unit); errors carry `line` and the column.
Result<nlohmann::json> ParseJsonLine(std::string_view text, std::string_view file, int64_t line);

// The deepest nesting of arrays and objects in `text` (strings are skipped).
int JsonNestingDepth(std::string_view text);

// The byte offset, within `text` (a valid JSON value), of the value that `pointer` names,
// or of its deepest ancestor that exists (for a missing member, the object that lacks it).
size_t FindJsonPointer(std::string_view text, std::string_view pointer);

// 1-based line and column of a byte offset.
InputLocation LocationOfOffset(std::string_view text, size_t offset, std::string_view file);

// Where `pointer` (relative to `document`) is in the file `text`.
InputLocation LocateInText(std::string_view text, std::string_view file,
                           const JsonDocument& document, std::string_view pointer);

}  // namespace probity::lineage
