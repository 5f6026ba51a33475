// Conventions shared by every machine-readable output (DESIGN.md §9): one JSON object that
// starts with "schema" and "probity_version", snake_case keys, undefined numbers as null with
// a sibling "<key>_reason", and infinities as the strings "inf" / "-inf".
//
//   nlohmann::ordered_json doc = MachineDocument("probity.data.profile/1");
//   doc["mean"] = JsonNumber(mean);
//   SetUndefined(doc, "std", "fewer than two values");
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "audit/core/status.h"

namespace probity {

// {"schema": <schema>, "probity_version": PROBITY_VERSION}
nlohmann::ordered_json MachineDocument(std::string_view schema);

// A finite double as a JSON number; ±inf as "inf"/"-inf"; NaN as null.
nlohmann::ordered_json JsonNumber(double value);

// Sets object[key] = null and object[key + "_reason"] = reason.
void SetUndefined(nlohmann::ordered_json& object, const std::string& key, std::string_view reason);

// A JSON Pointer (RFC 6901) reference token: "~" as "~0", "/" as "~1".
std::string EscapeJsonPointerToken(std::string_view name);

// kInvalidArgument for text nlohmann::json could not parse: "not valid JSON: <what>" at the
// line and column of the offending byte of `text`, read from `source`.
Status JsonSyntaxError(std::string_view text, std::string source,
                       const nlohmann::json::parse_error& error);

// Serialises with two-space indentation and a final newline; byte-identical for equal input.
std::string DumpJson(const nlohmann::ordered_json& document);

}  // namespace probity
