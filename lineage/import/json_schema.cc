#include "lineage/import/json_schema.h"

#include <array>
#include <set>
#include <utility>

#include "audit/core/json_output.h"

namespace probity::lineage {
namespace {

using nlohmann::json;

// Counts nested Check calls (schema frames), which bounds the stack: each is a few KB in an
// ASan debug build. Only instance members a schema describes are descended into (facets'
// own content is `additionalProperties: true`), so real events stay far below this; a
// recursive schema (subset conditions) over a pathologically deep instance stops here.
constexpr int kMaxDepth = 512;
constexpr std::string_view kDraft202012 = "https://json-schema.org/draft/2020-12/schema";

const std::set<std::string, std::less<>>& KnownKeywords() {
  static const std::set<std::string, std::less<>> kKeywords = {"$schema",
                                                               "$id",
                                                               "$defs",
                                                               "$ref",
                                                               "$comment",
                                                               "description",
                                                               "title",
                                                               "example",
                                                               "examples",
                                                               "default",
                                                               "deprecated",
                                                               "documentation",
                                                               "type",
                                                               "enum",
                                                               "const",
                                                               "required",
                                                               "dependentRequired",
                                                               "properties",
                                                               "additionalProperties",
                                                               "items",
                                                               "allOf",
                                                               "anyOf",
                                                               "oneOf",
                                                               "not",
                                                               "minimum",
                                                               "format"};
  return kKeywords;
}

const std::set<std::string, std::less<>>& KnownFormats() {
  static const std::set<std::string, std::less<>> kFormats = {"date-time", "uri", "uuid"};
  return kFormats;
}

const std::set<std::string, std::less<>>& KnownTypes() {
  static const std::set<std::string, std::less<>> kTypes = {"null",   "boolean", "object", "array",
                                                            "number", "integer", "string"};
  return kTypes;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int Digits(std::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return -1;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(text[i])) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// A schema error while loading: the document name and the schema path.
Status SchemaError(std::string_view name, const std::string& path, std::string message) {
  return InvalidArgumentError(std::string(name) + ": schema " + (path.empty() ? "/" : path) + ": " +
                              std::move(message));
}

// Walks a schema node, refusing unknown keywords and malformed keyword values.
Status CheckSchemaNode(const json& node, std::string_view name, const std::string& path,
                       bool is_root) {
  if (node.is_boolean()) return OkStatus();
  if (!node.is_object()) return SchemaError(name, path, "a schema must be an object or boolean");
  for (const auto& [key, value] : node.items()) {
    std::string here = path + "/" + EscapeJsonPointerToken(key);
    if (!KnownKeywords().contains(key)) {
      return SchemaError(name, here, "unsupported keyword \"" + key + "\"");
    }
    if ((key == "$schema" || key == "$id") && !is_root) {
      return SchemaError(name, here, "\"" + key + "\" is supported only at the root");
    }
    if (key == "$schema" && value != kDraft202012) {
      return SchemaError(name, here, "only draft 2020-12 schemas are supported");
    }
    if (key == "$ref" && !value.is_string())
      return SchemaError(name, here, "$ref must be a string");
    if (key == "$defs" || key == "properties") {
      if (!value.is_object()) return SchemaError(name, here, key + " must be an object");
      for (const auto& [member, schema] : value.items()) {
        PROBITY_RETURN_IF_ERROR(
            CheckSchemaNode(schema, name, here + "/" + EscapeJsonPointerToken(member), false));
      }
    } else if (key == "additionalProperties" || key == "items" || key == "not") {
      PROBITY_RETURN_IF_ERROR(CheckSchemaNode(value, name, here, false));
    } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      if (!value.is_array() || value.empty()) {
        return SchemaError(name, here, key + " must be a non-empty array");
      }
      for (size_t i = 0; i < value.size(); ++i) {
        PROBITY_RETURN_IF_ERROR(
            CheckSchemaNode(value[i], name, here + "/" + std::to_string(i), false));
      }
    } else if (key == "required") {
      if (!value.is_array()) return SchemaError(name, here, "required must be an array");
      for (const auto& member : value) {
        if (!member.is_string()) return SchemaError(name, here, "required lists strings");
      }
    } else if (key == "dependentRequired") {
      if (!value.is_object()) return SchemaError(name, here, "dependentRequired must be an object");
      for (const auto& [member, list] : value.items()) {
        if (!list.is_array()) return SchemaError(name, here, "dependentRequired lists arrays");
        for (const auto& dependency : list) {
          if (!dependency.is_string())
            return SchemaError(name, here, "dependentRequired lists strings");
        }
      }
    } else if (key == "type") {
      json types = value.is_array() ? value : json::array({value});
      for (const auto& type : types) {
        if (!type.is_string() || !KnownTypes().contains(type.get<std::string>())) {
          return SchemaError(name, here, "unknown type " + type.dump());
        }
      }
    } else if (key == "enum" && !value.is_array()) {
      return SchemaError(name, here, "enum must be an array");
    } else if (key == "minimum" && !value.is_number()) {
      return SchemaError(name, here, "minimum must be a number");
    } else if (key == "format") {
      if (!value.is_string() || !KnownFormats().contains(value.get<std::string>())) {
        return SchemaError(name, here, "unsupported format " + value.dump());
      }
    }
  }
  return OkStatus();
}

// Collects every $ref value of a document.
void CollectRefs(const json& node, std::vector<const json*>& refs) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) {
        refs.push_back(&value);
      } else if (key != "enum" && key != "const" && key != "example" && key != "examples" &&
                 key != "default") {
        CollectRefs(value, refs);
      }
    }
  } else if (node.is_array()) {
    for (const auto& value : node) CollectRefs(value, refs);
  }
}

std::string TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::object: return "object";
    case json::value_t::array: return "array";
    case json::value_t::string: return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    default: return "number";
  }
}

bool HasType(const json& value, std::string_view type) {
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    double d = value.get<double>();
    return d > -9.2e18 && d < 9.2e18 && d == static_cast<double>(static_cast<long long>(d));
  }
  return false;
}

int PathDepth(const std::string& path) {
  if (path == "/") return 0;
  int depth = 0;
  for (char c : path) depth += c == '/';
  return depth;
}

SchemaViolation Violation(const std::string& path, std::string keyword, std::string message) {
  return SchemaViolation{path.empty() ? "/" : path, std::move(keyword), std::move(message)};
}

// Appends "/<token>" to `path` for the life of the object.
class PathSegment {
 public:
  PathSegment(std::string& path, std::string_view token) : path_(path), size_(path.size()) {
    path_ += '/';
    for (char c : token) {
      if (c == '~') {
        path_ += "~0";
      } else if (c == '/') {
        path_ += "~1";
      } else {
        path_ += c;
      }
    }
  }
  ~PathSegment() { path_.resize(size_); }
  PathSegment(const PathSegment&) = delete;
  PathSegment& operator=(const PathSegment&) = delete;

 private:
  std::string& path_;
  size_t size_;
};

}  // namespace

bool IsRfc3339DateTime(std::string_view text) {
  // full-date "T" partial-time time-offset (RFC 3339 §5.6).
  int year = Digits(text, 0, 4), month = Digits(text, 5, 2), day = Digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || text[4] != '-' || text[7] != '-') {
    return false;
  }
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDays[month - 1] || (month == 2 && day == 29 && !leap)) return false;
  if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) return false;
  int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2), second = Digits(text, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 ||
      text[13] != ':' || text[16] != ':') {
    return false;
  }
  size_t pos = 19;
  if (text[pos] == '.') {
    size_t start = ++pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    if (pos == start) return false;
  }
  std::string_view offset = text.substr(pos);
  if (offset == "Z" || offset == "z") return true;
  if (offset.size() != 6 || (offset[0] != '+' && offset[0] != '-') || offset[3] != ':') {
    return false;
  }
  int offset_hour = Digits(offset, 1, 2), offset_minute = Digits(offset, 4, 2);
  return offset_hour >= 0 && offset_hour <= 23 && offset_minute >= 0 && offset_minute <= 59;
}

bool IsAbsoluteUri(std::string_view text) {
  // scheme ":" hier-part [ "?" query ] [ "#" fragment ] (RFC 3986 §3); the characters after
  // the scheme are checked against the URI character set, not the full grammar.
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || !IsAlpha(text[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = text[i];
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  static constexpr std::string_view kAllowed = "-._~:/?#[]@!$&'()*+,;=";
  for (size_t i = colon + 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !IsHex(text[i + 1]) || !IsHex(text[i + 2])) return false;
      i += 2;
    } else if (!IsAlpha(c) && !IsDigit(c) && kAllowed.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !IsHex(text[i])) return false;
  }
  return true;
}

Status SchemaSet::Add(json document, std::string_view name) {
  if (!document.is_object()) return SchemaError(name, "", "a schema document must be an object");
  auto id = document.find("$id");
  if (id == document.end() || !id->is_string() || !IsAbsoluteUri(id->get<std::string>()) ||
      id->get<std::string>().find('#') != std::string::npos) {
    return SchemaError(name, "/$id", "the root needs an absolute $id without a fragment");
  }
  PROBITY_RETURN_IF_ERROR(CheckSchemaNode(document, name, "", true));
  std::string key = id->get<std::string>();
  if (documents_.contains(key)) return SchemaError(name, "/$id", "duplicate $id " + key);
  documents_.emplace(std::move(key), std::move(document));
  return OkStatus();
}

Status SchemaSet::CheckReferences() {
  for (const auto& [id, document] : documents_) {
    std::vector<const json*> refs;
    CollectRefs(document, refs);
    for (const json* ref : refs) {
      std::string base;
      const json* target = Resolve(ref->get_ref<const std::string&>(), id, &base);
      if (target == nullptr) {
        return InvalidArgumentError("schema " + id + ": $ref " + ref->dump() + " does not resolve");
      }
      resolved_[ref] = {target, &documents_.find(base)->first};
    }
  }
  return OkStatus();
}

const json* SchemaSet::Document(std::string_view id) const {
  auto it = documents_.find(id);
  return it == documents_.end() ? nullptr : &it->second;
}

const json* SchemaSet::Resolve(std::string_view ref, const std::string& base,
                               std::string* resolved_base) const {
  size_t hash = ref.find('#');
  std::string_view uri = ref.substr(0, hash);
  std::string_view fragment = hash == std::string_view::npos ? "" : ref.substr(hash + 1);
  *resolved_base = uri.empty() ? base : std::string(uri);
  const json* node = Document(*resolved_base);
  if (node == nullptr) return nullptr;
  if (fragment.empty()) return node;
  if (fragment[0] != '/') return nullptr;  // anchors are not supported
  size_t pos = 1;
  while (true) {
    size_t end = fragment.find('/', pos);
    std::string_view raw = fragment.substr(pos, end == std::string_view::npos ? end : end - pos);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += raw[i];
      }
    }
    if (node->is_object()) {
      auto it = node->find(token);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      if (token.empty() || token.size() > 9 ||
          token.find_first_not_of("0123456789") != std::string::npos) {
        return nullptr;
      }
      size_t index = std::stoul(token);
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
    if (end == std::string_view::npos) return node;
    pos = end + 1;
  }
}

std::optional<SchemaViolation> SchemaSet::Validate(const json& instance,
                                                   std::string_view schema_uri,
                                                   bool assert_formats) const {
  std::string base;
  const json* schema = Resolve(schema_uri, "", &base);
  if (schema == nullptr) {
    return Violation("", "$ref", "no schema " + std::string(schema_uri) + " is loaded");
  }
  std::string path;
  return Check(*schema, base, instance, path, 0, assert_formats);
}

std::optional<SchemaViolation> SchemaSet::Check(const json& schema, const std::string& base,
                                                const json& instance, std::string& path, int depth,
                                                bool assert_formats) const {
  if (schema.is_boolean()) {
    if (schema.get<bool>()) return std::nullopt;
    return Violation(path, "false", "no value is allowed here");
  }
  if (depth > kMaxDepth) return Violation(path, "depth", "nested too deeply to validate");

  if (auto ref = schema.find("$ref"); ref != schema.end()) {
    // References were resolved once by CheckReferences; resolve any added since.
    std::string ref_base;
    const json* target = nullptr;
    const std::string* target_base = &ref_base;
    if (auto known = resolved_.find(&*ref); known != resolved_.end()) {
      target = known->second.target;
      target_base = known->second.base;
    } else {
      target = Resolve(ref->get_ref<const std::string&>(), base, &ref_base);
    }
    if (target == nullptr) {
      return Violation(path, "$ref", "unresolved reference " + ref->get<std::string>());
    }
    if (auto violation = Check(*target, *target_base, instance, path, depth + 1, assert_formats)) {
      return violation;
    }
  }

  if (auto type = schema.find("type"); type != schema.end()) {
    bool matched = type->is_string() && HasType(instance, type->get_ref<const std::string&>());
    for (size_t i = 0; type->is_array() && !matched && i < type->size(); ++i) {
      matched = HasType(instance, (*type)[i].get_ref<const std::string&>());
    }
    if (!matched) {
      std::string expected;
      json types = type->is_array() ? *type : json::array({*type});
      for (const auto& t : types) {
        expected += (expected.empty() ? "" : " or ") + t.get<std::string>();
      }
      return Violation(path, "type", "expected " + expected + ", found " + TypeName(instance));
    }
  }

  if (auto values = schema.find("enum"); values != schema.end()) {
    bool found = false;
    for (const auto& value : *values) found = found || value == instance;
    if (!found) {
      return Violation(path, "enum",
                       "expected one of " + values->dump() + ", found " +
                           instance.dump(-1, ' ', false, json::error_handler_t::replace));
    }
  }
  if (auto value = schema.find("const"); value != schema.end() && *value != instance) {
    return Violation(path, "const", "expected " + value->dump());
  }
  if (auto minimum = schema.find("minimum"); minimum != schema.end() && instance.is_number() &&
                                             instance.get<double>() < minimum->get<double>()) {
    return Violation(path, "minimum", "expected a number >= " + minimum->dump());
  }
  if (auto format = schema.find("format");
      assert_formats && format != schema.end() && instance.is_string()) {
    const auto& text = instance.get_ref<const std::string&>();
    const auto& name = format->get_ref<const std::string&>();
    bool ok = name == "date-time" ? IsRfc3339DateTime(text)
              : name == "uri"     ? IsAbsoluteUri(text)
                                  : IsUuid(text);
    if (!ok) return Violation(path, "format", "expected a " + name + " string");
  }

  if (instance.is_object()) {
    if (auto required = schema.find("required"); required != schema.end()) {
      for (const auto& member : *required) {
        const auto& key = member.get_ref<const std::string&>();
        if (!instance.contains(key)) {
          PathSegment segment(path, key);
          return Violation(path, "required", "required member \"" + key + "\" is missing");
        }
      }
    }
    if (auto dependent = schema.find("dependentRequired"); dependent != schema.end()) {
      for (const auto& [key, list] : dependent->items()) {
        if (!instance.contains(key)) continue;
        for (const auto& member : list) {
          const auto& needed = member.get_ref<const std::string&>();
          if (!instance.contains(needed)) {
            PathSegment segment(path, needed);
            return Violation(path, "dependentRequired",
                             "\"" + needed + "\" is required when \"" + key + "\" is present");
          }
        }
      }
    }
    auto properties = schema.find("properties");
    auto additional = schema.find("additionalProperties");
    for (const auto& [key, value] : instance.items()) {
      const json* member_schema = nullptr;
      if (properties != schema.end()) {
        if (auto it = properties->find(key); it != properties->end()) member_schema = &*it;
      }
      bool from_additional = member_schema == nullptr && additional != schema.end();
      if (from_additional) member_schema = &*additional;
      if (member_schema == nullptr) continue;
      PathSegment segment(path, key);
      if (auto violation = Check(*member_schema, base, value, path, depth + 1, assert_formats)) {
        if (from_additional && violation->keyword == "false") {
          violation->keyword = "additionalProperties";
          violation->message = "member \"" + key + "\" is not allowed";
        }
        return violation;
      }
    }
  }

  if (instance.is_array()) {
    if (auto items = schema.find("items"); items != schema.end()) {
      for (size_t i = 0; i < instance.size(); ++i) {
        PathSegment segment(path, std::to_string(i));
        if (auto violation = Check(*items, base, instance[i], path, depth + 1, assert_formats))
          return violation;
      }
    }
  }

  if (auto all = schema.find("allOf"); all != schema.end()) {
    for (const auto& branch : *all) {
      if (auto violation = Check(branch, base, instance, path, depth + 1, assert_formats))
        return violation;
    }
  }
  for (std::string_view keyword : {"anyOf", "oneOf"}) {
    auto branches = schema.find(keyword);
    if (branches == schema.end()) continue;
    int passed = 0;
    std::optional<SchemaViolation> deepest;
    for (const auto& branch : *branches) {
      auto violation = Check(branch, base, instance, path, depth + 1, assert_formats);
      if (!violation) {
        ++passed;
        if (keyword == "anyOf") break;
      } else if (!deepest ||
                 PathDepth(violation->instance_path) > PathDepth(deepest->instance_path)) {
        deepest = std::move(violation);
      }
    }
    if (passed == 0) return deepest;
    if (keyword == "oneOf" && passed > 1) {
      return Violation(path, "oneOf",
                       "matches " + std::to_string(passed) + " alternatives; expected exactly one");
    }
  }
  if (auto negated = schema.find("not"); negated != schema.end()) {
    if (!Check(*negated, base, instance, path, depth + 1, assert_formats)) {
      return Violation(path, "not", "matches a schema it must not match");
    }
  }
  return std::nullopt;
}

}  // namespace probity::lineage
