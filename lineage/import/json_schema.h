// A small JSON Schema (draft 2020-12) validator for exactly the keywords the OpenLineage
// schemas use, so that an import is checked against the published schemas rather than a
// hand-written approximation. A schema that uses any other keyword is refused when it is
// loaded (never silently ignored), so adding a schema cannot quietly weaken validation.
//
//   SchemaSet schemas;
//   PROBITY_RETURN_IF_ERROR(schemas.Add(core_schema_json, "OpenLineage.json"));
//   PROBITY_RETURN_IF_ERROR(schemas.CheckReferences());
//   if (auto violation = schemas.Validate(event,
//   "https://openlineage.io/spec/2-0-2/OpenLineage.json"))
//     std::cerr << violation->instance_path << ": " << violation->keyword;
//
// Supported keywords (docs/formats/lineage-import.md lists them with their semantics):
//   structure   $schema (root), $id (root), $defs, $ref ("#/json/pointer" or "<$id>#/pointer")
//   assertions  type, enum, const, required, dependentRequired, properties,
//               additionalProperties, items, allOf, anyOf, oneOf, not, minimum, format
//               (date-time as RFC 3339 §5.6, uri as RFC 3986 absolute URI, uuid as RFC 9562
//               8-4-4-4-12 hex)
//   annotations description, title, example, examples, default, deprecated, $comment,
//               documentation (a non-standard annotation OpenLineage uses)
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "audit/core/json_output.h"  // EscapeJsonPointerToken
#include "audit/core/status.h"

namespace probity::lineage {

// Why an instance does not match a schema: where (a JSON pointer into the instance; for
// `required` and `dependentRequired` the pointer names the missing member), which keyword
// failed, and what was expected.
struct SchemaViolation {
  std::string instance_path;
  std::string keyword;
  std::string message;
};

// A set of schema documents that may refer to one another by $id. Thread-compatible: Add
// and CheckReferences while loading, then Validate from any number of threads.
class SchemaSet {
 public:
  // Adds one schema document. kInvalidArgument (naming `name` and the schema path) if it is
  // not an object, has no absolute $id, repeats an $id already added, or uses a keyword or
  // format outside the supported list above.
  Status Add(nlohmann::json document, std::string_view name);

  // Checks that every $ref of every document resolves, and remembers where each points so
  // that Validate need not resolve them again. kInvalidArgument naming the first that does
  // not resolve.
  Status CheckReferences();

  // Validates `instance` against the schema at `schema_uri` ("<$id>" or "<$id>#/pointer").
  // Returns nothing when it is valid, else the first violation found; when every branch of
  // an anyOf/oneOf fails, the violation reported is the one deepest in the instance (the
  // branch that matched furthest), which is the one a reader can act on. Instances nested
  // so deep that validating them would need more than 512 nested schema frames are reported as a
  // violation (keyword "depth"), not recursed into.
  // With `assert_formats` false, `format` is an annotation only (the draft 2020-12 default
  // for the format-annotation vocabulary); with true (the default) it is asserted.
  std::optional<SchemaViolation> Validate(const nlohmann::json& instance,
                                          std::string_view schema_uri,
                                          bool assert_formats = true) const;

  // The root of the document with this $id, or nullptr.
  const nlohmann::json* Document(std::string_view id) const;

 private:
  std::optional<SchemaViolation> Check(const nlohmann::json& schema, const std::string& base,
                                       const nlohmann::json& instance, std::string& path, int depth,
                                       bool assert_formats) const;
  const nlohmann::json* Resolve(std::string_view ref, const std::string& base,
                                std::string* resolved_base) const;

  struct ResolvedRef {
    const nlohmann::json* target;
    const std::string* base;  // the $id of the document holding the target
  };
  std::map<std::string, nlohmann::json, std::less<>> documents_;
  // The address of each "$ref" value → what it resolves to (nodes of documents_ never move).
  std::unordered_map<const nlohmann::json*, ResolvedRef> resolved_;
};

// Format checks, exposed for tests and for the exporter.
bool IsRfc3339DateTime(std::string_view text);
bool IsAbsoluteUri(std::string_view text);
bool IsUuid(std::string_view text);

}  // namespace probity::lineage
