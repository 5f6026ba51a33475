#include "lineage/card.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "audit/core/check.h"
#include "audit/core/version.h"
#include "lineage/canonical_json.h"
#include "lineage/dsse.h"
#include "lineage/intoto.h"

namespace probity::lineage {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// The card's shape, shared by the YAML reader and the document validator.

enum class FieldKind {
  kString,
  kUri,      // a string with an RFC 3986 scheme ("https:", "file:", "urn:")
  kDate,     // YYYY-MM-DD
  kDigest,   // "sha256:<64 lower-case hex>"
  kNumber,   // a finite JSON number
  kScalar,   // a number or a string
  kInteger,  // a non-negative integer
  kEnum,
  kObject,
  kList,
  kMap,  // string keys to scalar values (string, number, true/false)
};

// Object-level rules beyond the fields' own types.
enum class Rule { kNone, kOneLicenseForm, kOrderedInterval };

struct FieldSpec {
  std::string name;
  FieldKind kind = FieldKind::kString;
  bool required = false;
  bool owned = false;               // set by Probity, never by the owner's YAML
  std::vector<FieldSpec> children;  // kObject: members; kList: the item
  std::vector<std::string> values;  // kEnum
  Rule rule = Rule::kNone;
};

FieldSpec Field(std::string name, FieldKind kind = FieldKind::kString, bool required = false) {
  return {std::move(name), kind, required};
}
FieldSpec Owned(FieldSpec f) {
  f.owned = true;
  return f;
}
FieldSpec Enum(std::string name, std::vector<std::string> values, bool required = false) {
  FieldSpec f = Field(std::move(name), FieldKind::kEnum, required);
  f.values = std::move(values);
  return f;
}
FieldSpec Object(std::string name, std::vector<FieldSpec> children, Rule rule = Rule::kNone) {
  FieldSpec f = Field(std::move(name), FieldKind::kObject);
  f.children = std::move(children);
  f.rule = rule;
  return f;
}
FieldSpec List(std::string name, FieldSpec item) {
  FieldSpec f = Field(std::move(name), FieldKind::kList);
  f.children.push_back(std::move(item));
  return f;
}
FieldSpec Strings(std::string name) { return List(std::move(name), Field("")); }

const std::vector<std::string>& StatusNames() {
  static const std::vector<std::string> names = {"draft", "pending_review", "approved", "archived"};
  return names;
}

const FieldSpec& CardSpec() {
  static const FieldSpec spec = [] {
    using K = FieldKind;
    const FieldSpec dataset =
        Object("", {Field("artifact", K::kInteger), Field("digest", K::kDigest, true),
                    Field("name", K::kString, true), Field("uri", K::kUri), Field("description"),
                    Strings("sensitive_data")});
    FieldSpec root = Object(
        "",
        {Owned(Field("schema", K::kString, true)), Owned(Field("card_version", K::kInteger)),
         Object("details",
                {Field("name"), Field("overview"), Field("documentation"),
                 Object("version", {Field("name"), Field("date", K::kDate), Field("diff")}),
                 List("owners", Object("", {Field("name", K::kString, true), Field("contact")})),
                 List("licenses", Object("", {Field("identifier"), Field("custom_text")},
                                         Rule::kOneLicenseForm)),
                 List("references", Field("", K::kUri)),
                 List("citations",
                      Object("", {Field("style"), Field("citation", K::kString, true)}))}),
         Object("model",
                {Owned(Field("artifact", K::kInteger)), Owned(Field("digest", K::kDigest, true)),
                 Owned(Field("name")), Owned(Field("uri", K::kUri)), Field("task"),
                 Enum("approach", {"supervised", "unsupervised", "reinforcement-learning",
                                   "semi-supervised", "self-supervised"}),
                 Field("architecture"), Field("algorithm"), Field("input_format"),
                 Field("output_format"), Field("hyperparameters", K::kMap)}),
         Object("intended_uses", {Field("purpose"), Strings("uses"), Strings("users"),
                                  Strings("out_of_scope_uses")}),
         Object("risk",
                {Enum("rating", {"High", "Medium", "Low", "Unknown"}), Field("explanation")}),
         List("training_data", dataset), List("evaluation_data", dataset),
         List("metrics", Object("", {Field("type", K::kString, true),
                                     Field("value", K::kScalar, true), Field("slice"),
                                     Object("confidence_interval",
                                            {Field("lower", K::kNumber, true),
                                             Field("upper", K::kNumber, true)},
                                            Rule::kOrderedInterval)})),
         List("fairness_assessments",
              Object("", {Field("group_at_risk", K::kString, true), Field("benefits"),
                          Field("harms"), Field("mitigation")})),
         Strings("limitations"), Strings("tradeoffs"),
         List("ethical_considerations",
              Object("", {Field("name", K::kString, true), Field("mitigation")})),
         Owned(Enum("status", StatusNames(), true)),
         Owned(List(
             "status_history",
             Object("", {Field("version", K::kInteger, true), Enum("status", StatusNames(), true),
                         Enum("change", {"init", "edit", "status"}, true),
                         Field("key_id", K::kString, true), Field("time", K::kString, true)})))});
    root.children[3].required = true;  // model
    return root;
  }();
  return spec;
}

const FieldSpec& Child(const FieldSpec& object, std::string_view name) {
  for (const FieldSpec& c : object.children) {
    if (c.name == name) return c;
  }
  PROBITY_CHECK(false);
  return object;
}

std::string ChildPath(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

std::string Names(const FieldSpec& object) {
  std::string out;
  for (const FieldSpec& c : object.children) {
    if (c.owned) continue;
    if (!out.empty()) out += ", ";
    out += c.name;
  }
  return out;
}

bool IsValidDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const int year = std::stoi(s.substr(0, 4));
  const int month = std::stoi(s.substr(5, 2));
  const int day = std::stoi(s.substr(8, 2));
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

bool IsUri(const std::string& s) {
  const size_t colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    const char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return std::none_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '<' || c == '>';
  });
}

// What a scalar value of this kind must look like, or nullopt when `value` is fine.
std::optional<std::string> CheckScalar(const FieldSpec& spec, const json& value) {
  switch (spec.kind) {
    case FieldKind::kString:
      if (!value.is_string()) return "a string";
      break;
    case FieldKind::kUri:
      if (!value.is_string() || !IsUri(value.get_ref<const std::string&>())) {
        return "a URI with a scheme, e.g. https://example.org/paper";
      }
      break;
    case FieldKind::kDate:
      if (!value.is_string() || !IsValidDate(value.get_ref<const std::string&>())) {
        return "a date YYYY-MM-DD";
      }
      break;
    case FieldKind::kDigest: {
      if (!value.is_string()) return "a digest \"sha256:<64 hex>\"";
      Result<Digest> d = Digest::Parse(value.get_ref<const std::string&>());
      if (!d.has_value() || d->ToString() != value.get_ref<const std::string&>()) {
        return "a digest \"sha256:<64 lower-case hex>\"";
      }
      break;
    }
    case FieldKind::kNumber:
      if (!value.is_number() || !std::isfinite(value.get<double>())) return "a number";
      break;
    case FieldKind::kScalar:
      if (!value.is_string() && !(value.is_number() && std::isfinite(value.get<double>()))) {
        return "a number or a string";
      }
      break;
    case FieldKind::kInteger:
      if (!value.is_number_unsigned() &&
          !(value.is_number_integer() && value.get<int64_t>() >= 0)) {
        return "a non-negative integer";
      }
      break;
    case FieldKind::kEnum: {
      std::string all;
      for (const std::string& v : spec.values) all += (all.empty() ? "" : ", ") + v;
      if (!value.is_string()) return "one of " + all;
      if (std::find(spec.values.begin(), spec.values.end(), value.get<std::string>()) ==
          spec.values.end()) {
        return "one of " + all;
      }
      break;
    }
    case FieldKind::kMap:
      if (!value.is_object()) return "a mapping of names to values";
      for (const auto& [k, v] : value.items()) {
        if (k.empty() || !(v.is_string() || v.is_boolean() ||
                           (v.is_number() && std::isfinite(v.get<double>())))) {
          return "a mapping of names to strings, numbers or true/false";
        }
      }
      break;
    case FieldKind::kObject:
    case FieldKind::kList: break;
  }
  return std::nullopt;
}

// The object-level rule, or nullopt when it holds.
std::optional<std::string> CheckRule(const FieldSpec& spec, const json& object) {
  switch (spec.rule) {
    case Rule::kNone: break;
    case Rule::kOneLicenseForm:
      if (object.contains("identifier") == object.contains("custom_text")) {
        return "exactly one of identifier (an SPDX license id) and custom_text";
      }
      break;
    case Rule::kOrderedInterval:
      if (object.contains("lower") && object.contains("upper") &&
          object["lower"].get<double>() > object["upper"].get<double>()) {
        return "lower ≤ upper";
      }
      break;
  }
  return std::nullopt;
}

// The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or nullopt. JSON text must be
// UTF-8 and yaml-cpp passes any bytes through.
std::optional<size_t> FirstInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t length = 0;
    uint32_t min = 0;
    uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      length = 2, min = 0x80, cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      length = 3, min = 0x800, cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      length = 4, min = 0x10000, cp = b & 0x07;
    } else {
      return i;
    }
    if (i + length > s.size()) return i;
    for (size_t k = 1; k < length; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += length;
  }
  return std::nullopt;
}

// At most `max_bytes` of `s`, cut at a character boundary (for messages).
std::string Excerpt(const std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "…";
}

// ---------------------------------------------------------------------------------------------
// The validator of whole documents.

Status FieldError(const std::string& path, const std::string& what, const std::string& expected) {
  return InvalidArgumentError("card field \"" + (path.empty() ? "<root>" : path) + "\": " + what)
      .Expecting(expected);
}

Status ValidateValue(const json& value, const FieldSpec& spec, const std::string& path) {
  if (spec.kind == FieldKind::kObject) {
    if (!value.is_object()) return FieldError(path, "not an object", "an object");
    for (const auto& [key, member] : value.items()) {
      auto it = std::find_if(spec.children.begin(), spec.children.end(),
                             [&name = key](const FieldSpec& c) { return c.name == name; });
      if (it == spec.children.end()) {
        return FieldError(ChildPath(path, key), "unknown field", "one of " + Names(spec));
      }
      PROBITY_RETURN_IF_ERROR(ValidateValue(member, *it, ChildPath(path, key)));
    }
    for (const FieldSpec& c : spec.children) {
      if (c.required && !value.contains(c.name)) {
        return FieldError(ChildPath(path, c.name), "missing", "a value (the field is required)");
      }
    }
    if (std::optional<std::string> rule = CheckRule(spec, value)) {
      return FieldError(path, "invalid", *rule);
    }
    return OkStatus();
  }
  if (spec.kind == FieldKind::kList) {
    if (!value.is_array()) return FieldError(path, "not a list", "a list");
    for (size_t i = 0; i < value.size(); ++i) {
      PROBITY_RETURN_IF_ERROR(
          ValidateValue(value[i], spec.children[0], path + "[" + std::to_string(i) + "]"));
    }
    return OkStatus();
  }
  if (std::optional<std::string> expected = CheckScalar(spec, value)) {
    return FieldError(path, "found " + Excerpt(value.dump(), 80), *expected);
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------
// The reader of the owner's YAML.

class CardYamlReader {
 public:
  explicit CardYamlReader(std::string origin) : origin_(std::move(origin)) {}

  // The YAML value of `spec` as JSON. Inside list items (`whole`) objects are complete, so
  // required fields are checked and nulls dropped; elsewhere a null means "remove".
  Result<json> Read(const YAML::Node& node, const FieldSpec& spec, const std::string& path,
                    bool whole) {
    PROBITY_RETURN_IF_ERROR(Charge(node, 1));
    switch (spec.kind) {
      case FieldKind::kObject: return ReadObject(node, spec, path, whole);
      case FieldKind::kList: {
        if (!node.IsSequence()) return Error(node, "\"" + path + "\" is not a list", "a list");
        json out = json::array();
        for (const YAML::Node& item : node) {
          if (item.IsNull()) return Error(item, "empty item in \"" + path + "\"", "a value");
          PROBITY_ASSIGN_OR_RETURN(
              json v,
              Read(item, spec.children[0], path + "[" + std::to_string(out.size()) + "]", true));
          out.push_back(std::move(v));
        }
        return out;
      }
      case FieldKind::kMap: {
        if (!node.IsMap()) return Error(node, "\"" + path + "\" is not a mapping", "a mapping");
        json out = json::object();
        for (auto it = node.begin(); it != node.end(); ++it) {
          PROBITY_ASSIGN_OR_RETURN(std::string key, Key(it->first, path));
          if (out.contains(key)) return Error(it->first, "duplicate key \"" + key + "\"", "");
          PROBITY_RETURN_IF_ERROR(Charge(it->second, 1));
          if (it->second.IsNull()) {
            if (!whole) out[key] = nullptr;
            continue;
          }
          if (!it->second.IsScalar()) {
            return Error(it->second, "\"" + ChildPath(path, key) + "\" is not a single value",
                         "a string, number or true/false");
          }
          out[key] = MapValue(it->second);
        }
        return out;
      }
      default: return ReadScalar(node, spec, path);
    }
  }

 private:
  Result<json> ReadObject(const YAML::Node& node, const FieldSpec& spec, const std::string& path,
                          bool whole) {
    if (!node.IsMap()) {
      return Error(node,
                   "\"" + (path.empty() ? std::string("the card") : path) + "\" is not a mapping",
                   "a mapping with keys " + Names(spec));
    }
    json out = json::object();
    for (auto it = node.begin(); it != node.end(); ++it) {
      PROBITY_ASSIGN_OR_RETURN(std::string key, Key(it->first, path));
      auto child = std::find_if(spec.children.begin(), spec.children.end(),
                                [&name = key](const FieldSpec& c) { return c.name == name; });
      const std::string child_path = ChildPath(path, key);
      if (child == spec.children.end()) {
        return Error(it->first, "unknown key \"" + child_path + "\"", "one of " + Names(spec));
      }
      if (child->owned) {
        return Error(it->first, "\"" + child_path + "\" is set by Probity, not by the card file",
                     "one of " + Names(spec));
      }
      if (out.contains(key)) return Error(it->first, "duplicate key \"" + child_path + "\"", "");
      if (it->second.IsNull()) {
        if (child->required && whole) {
          return Error(it->second, "\"" + child_path + "\" is empty", "a value");
        }
        if (!whole) out[key] = nullptr;
        continue;
      }
      PROBITY_ASSIGN_OR_RETURN(out[key], Read(it->second, *child, child_path, whole));
    }
    if (whole) {
      for (const FieldSpec& c : spec.children) {
        if (c.required && !out.contains(c.name)) {
          return Error(node, "\"" + ChildPath(path, c.name) + "\" is missing",
                       "a value (the field is required)");
        }
      }
      if (std::optional<std::string> rule = CheckRule(spec, out)) {
        return Error(node, "\"" + path + "\" is invalid", *rule);
      }
    }
    return out;
  }

  Result<json> ReadScalar(const YAML::Node& node, const FieldSpec& spec, const std::string& path) {
    if (!node.IsScalar()) {
      return Error(node, "\"" + path + "\" is not a single value",
                   *CheckScalar(spec, json::array()));
    }
    const std::string& text = node.Scalar();
    json value = text;
    const bool plain = node.Tag() == "?";
    if (spec.kind == FieldKind::kNumber || spec.kind == FieldKind::kInteger ||
        (spec.kind == FieldKind::kScalar && plain)) {
      if (std::optional<json> number = plain ? ParseNumber(text) : std::nullopt) {
        value = *number;
      }
    }
    if (std::optional<std::string> expected = CheckScalar(spec, value)) {
      return Error(node, "\"" + path + "\" has the value \"" + Excerpt(text, 80) + "\"", *expected);
    }
    return value;
  }

  static std::optional<json> ParseNumber(const std::string& text) {
    if (text.empty()) return std::nullopt;
    const char* begin = text.data();
    const char* end = begin + text.size();
    int64_t i = 0;
    if (auto [p, ec] = std::from_chars(begin, end, i); ec == std::errc() && p == end) return i;
    double d = 0;
    if (auto [p, ec] = std::from_chars(begin, end, d);
        ec == std::errc() && p == end && std::isfinite(d)) {
      return d;
    }
    return std::nullopt;
  }

  static json MapValue(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    if (node.Tag() == "?") {
      if (text == "true") return true;
      if (text == "false") return false;
      if (std::optional<json> number = ParseNumber(text)) return *number;
    }
    return text;
  }

  Result<std::string> Key(const YAML::Node& key, const std::string& path) {
    if (!key.IsScalar() || key.Scalar().empty()) {
      return Error(
          key, "a key in \"" + (path.empty() ? std::string("the card") : path) + "\" is not a name",
          "a plain name");
    }
    PROBITY_RETURN_IF_ERROR(Charge(key, 0));
    return key.Scalar();
  }

  // Bounds the card the file can build: aliases can repeat a node many times, so every use
  // of a node is charged, not every node of the text.
  Status Charge(const YAML::Node& node, size_t minimum) {
    if (node.IsScalar() && FirstInvalidUtf8(node.Scalar())) {
      return Error(node, "a value is not valid UTF-8 once its escapes are decoded",
                   "text without escapes of surrogates (\\uD800-\\uDFFF)");
    }
    const size_t cost = std::max(minimum, node.IsScalar() ? node.Scalar().size() : size_t{0});
    if (cost > budget_) {
      return Error(node,
                   "the card file describes more than " + std::to_string(kMaxCardBytes >> 20) +
                       " MiB of content",
                   "a smaller card (aliases count every time they are used)");
    }
    budget_ -= cost;
    return OkStatus();
  }

  Status Error(const YAML::Node& node, std::string what, std::string expected) const {
    const YAML::Mark mark = node.Mark();
    Status s = InvalidArgumentError(std::move(what))
                   .At({origin_, mark.line >= 0 ? mark.line + 1 : 0,
                        mark.column >= 0 ? mark.column + 1 : 0});
    if (!expected.empty()) s.Expecting(std::move(expected));
    return s;
  }

  std::string origin_;
  size_t budget_ = kMaxCardBytes;
};

// Objects merge key by key (a null removes the key); everything else replaces.
void Merge(json& target, const json& patch) {
  for (const auto& [key, value] : patch.items()) {
    if (value.is_null()) {
      target.erase(key);
    } else if (value.is_object()) {
      if (!target.contains(key) || !target[key].is_object()) target[key] = json::object();
      Merge(target[key], value);
    } else {
      target[key] = value;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the document in exports.

const json& Get(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

std::string Text(const json& object, const char* key) {
  const json& v = Get(object, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// A scalar as text: strings as they are, numbers in their shortest round-trip form.
std::string ValueText(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::vector<std::string> TextList(const json& object, const char* key) {
  std::vector<std::string> out;
  for (const json& v : Get(object, key)) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

void SetIfNotEmpty(ojson& target, const char* key, const std::string& value) {
  if (!value.empty()) target[key] = value;
}
void SetIfNotEmpty(ojson& target, const char* key, ojson value) {
  if (!value.empty()) target[key] = std::move(value);
}

// The use cases MCT and CycloneDX list: the purpose first, then the stated uses.
std::vector<std::string> UseCases(const json& uses) {
  std::vector<std::string> out = TextList(uses, "uses");
  if (!Text(uses, "purpose").empty()) out.insert(out.begin(), Text(uses, "purpose"));
  return out;
}

// The limitations, with the out-of-scope uses (which neither format has a field for).
std::vector<std::string> Limitations(const json& doc, const json& uses) {
  std::vector<std::string> out = TextList(doc, "limitations");
  for (const std::string& s : TextList(uses, "out_of_scope_uses")) out.push_back("Out of scope: " + s);
  return out;
}

// The card's metrics as MCT and CycloneDX list them (values as text); the formats differ only
// in the names of the interval and its bounds.
ojson PerformanceMetrics(const json& doc, const char* interval, const char* lower,
                         const char* upper) {
  ojson metrics = ojson::array();
  for (const json& m : Get(doc, "metrics")) {
    ojson entry = {{"type", Text(m, "type")}, {"value", ValueText(m["value"])}};
    SetIfNotEmpty(entry, "slice", Text(m, "slice"));
    if (const json& ci = Get(m, "confidence_interval"); !ci.is_null()) {
      entry[interval] = {{lower, ValueText(ci["lower"])}, {upper, ValueText(ci["upper"])}};
    }
    metrics.push_back(std::move(entry));
  }
  return metrics;
}

std::string FairnessText(const json& f) {
  std::vector<std::string> parts = {"Group at risk: " + Text(f, "group_at_risk")};
  if (!Text(f, "benefits").empty()) parts.push_back("benefits: " + Text(f, "benefits"));
  if (!Text(f, "harms").empty()) parts.push_back("harms: " + Text(f, "harms"));
  return Join(parts, "; ");
}

std::string OwnerText(const json& owner) {
  const std::string contact = Text(owner, "contact");
  return Text(owner, "name") + (contact.empty() ? "" : " <" + contact + ">");
}

std::string ModelName(const json& doc) {
  std::string name = Text(Get(doc, "details"), "name");
  return name.empty() ? Text(Get(doc, "model"), "name") : name;
}

std::string Architecture(const json& model) {
  std::string a = Text(model, "architecture");
  return a.empty() ? Text(model, "algorithm") : a;
}

std::string StatusNote(const json& doc) {
  return "Probity model card version " +
         std::to_string(
             Get(doc, "card_version").is_number() ? Get(doc, "card_version").get<int64_t>() : 0) +
         ", status " + Text(doc, "status");
}

Status Limit(const std::string& field, const std::string& value, size_t max_chars) {
  if (value.size() <= max_chars) return OkStatus();
  return InvalidArgumentError("the SageMaker field " + field + " would hold " +
                              std::to_string(value.size()) + " characters")
      .Expecting("at most " + std::to_string(max_chars) + " characters (a SageMaker limit)");
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string_view CardStatusName(CardStatus status) {
  return StatusNames()[static_cast<size_t>(status)];
}

std::optional<CardStatus> ParseCardStatus(std::string_view name) {
  const auto& names = StatusNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<CardStatus>(i);
  }
  return std::nullopt;
}

CardStatus ModelCard::status() const {
  return ParseCardStatus(Text(document, "status")).value_or(CardStatus::kDraft);
}

int64_t ModelCard::version() const {
  const json& v = Get(document, "card_version");
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}

Result<ModelCard> InitCardFromLineage(LineageStore& store, int64_t model_artifact_id) {
  PROBITY_ASSIGN_OR_RETURN(json model, store.Get(model_artifact_id));
  const std::string id_text = std::to_string(model_artifact_id);
  if (model.value("record", "") != "artifact" || model.value("kind", "") != "model") {
    return InvalidArgumentError("record " + id_text + " is " + WithArticle(model.value("record", "")) +
                                (model.contains("kind") ? " of kind " + Text(model, "kind") : "") +
                                ", not a model artifact")
        .Expecting(
            "the id of an artifact of kind model (probity lineage add artifact --kind "
            "model)");
  }
  if (!model.contains("digest")) {
    return FailedPreconditionError("model artifact " + id_text +
                                   " has no digest, so a card cannot be bound to its bytes");
  }
  ModelCard card;
  json& doc = card.document;
  doc["schema"] = kCardSchema;
  doc["card_version"] = 0;
  doc["status"] = "draft";
  doc["status_history"] = json::array();
  json& m = doc["model"];
  m["artifact"] = model_artifact_id;
  m["digest"] = model["digest"];
  if (model.contains("name")) {
    m["name"] = model["name"];
    doc["details"]["name"] = model["name"];
  }
  if (model.contains("uri") &&
      CheckScalar(Field("", FieldKind::kUri), model["uri"]) == std::nullopt) {
    m["uri"] = model["uri"];
  }

  std::set<std::string> seen_data;
  auto add_data = [&](const json& artifact, const char* list) {
    const std::string digest = Text(artifact, "digest");
    if (digest.empty() || !seen_data.insert(std::string(list) + digest).second) return;
    json entry = {{"artifact", artifact["id"]},
                  {"digest", digest},
                  {"name", artifact.value("name", "artifact " + artifact["id"].dump())}};
    if (artifact.contains("uri") &&
        CheckScalar(Field("", FieldKind::kUri), artifact["uri"]) == std::nullopt) {
      entry["uri"] = artifact["uri"];
    }
    doc[list].push_back(std::move(entry));
  };
  auto add_metrics = [&](const json& artifact) {
    const json& properties = Get(artifact, "properties");
    if (!properties.is_object()) return;
    const json& listed = Get(properties, "metrics");
    if (listed.is_array()) {
      for (const json& metric : listed) {
        if (ValidateValue(metric, Child(CardSpec(), "metrics").children[0], "").ok()) {
          doc["metrics"].push_back(metric);
        }
      }
      return;
    }
    for (const auto& [key, value] : properties.items()) {
      if (value.is_string() || (value.is_number() && std::isfinite(value.get<double>()))) {
        doc["metrics"].push_back({{"type", key}, {"value", value}});
      }
    }
  };
  // Executions linked to the model, and the other artifacts of each.
  PROBITY_ASSIGN_OR_RETURN(std::vector<json> model_events,
                           store.List(RecordKind::kEvent, "artifact", model_artifact_id));
  std::set<int64_t> done;
  for (const json& event : model_events) {
    const int64_t execution_id = event["execution"].get<int64_t>();
    const bool produced = event["direction"] == "output";
    if (!done.insert(execution_id * 2 + (produced ? 1 : 0)).second) continue;
    PROBITY_ASSIGN_OR_RETURN(json execution, store.Get(execution_id));
    if (produced && Get(execution, "parameters").is_object()) {
      for (const auto& [key, value] : execution["parameters"].items()) {
        m["hyperparameters"][key] = value.is_string() || value.is_boolean() || value.is_number()
                                        ? value
                                        : json(value.dump());
      }
    }
    PROBITY_ASSIGN_OR_RETURN(std::vector<json> events,
                             store.List(RecordKind::kEvent, "execution", execution_id));
    for (const json& e : events) {
      const int64_t artifact_id = e["artifact"].get<int64_t>();
      if (artifact_id == model_artifact_id) continue;
      PROBITY_ASSIGN_OR_RETURN(json artifact, store.Get(artifact_id));
      const std::string kind = Text(artifact, "kind");
      if (e["direction"] == "input" && kind == "dataset") {
        add_data(artifact, produced ? "training_data" : "evaluation_data");
      } else if (e["direction"] == "output" && kind == "metrics") {
        add_metrics(artifact);
      }
    }
  }
  return card;
}

Result<ModelCard> ApplyCardYaml(const ModelCard& card, std::string_view yaml,
                                std::string_view origin) {
  const std::string file(origin);
  const std::string expected = "a card file as described in docs/formats/model-card.md";
  if (yaml.size() > kMaxCardBytes) {
    return InvalidArgumentError("the card file is larger than 1 MiB")
        .At({file})
        .Expecting(expected);
  }
  if (std::optional<size_t> bad = FirstInvalidUtf8(yaml)) {
    const std::string_view before = yaml.substr(0, *bad);
    const size_t line_start = before.rfind('\n');
    const int64_t line = 1 + std::count(before.begin(), before.end(), '\n');
    const int64_t column =
        1 +
        static_cast<int64_t>(line_start == std::string_view::npos ? *bad : *bad - line_start - 1);
    return InvalidArgumentError("the card file is not valid UTF-8")
        .At({file, line, column})
        .Expecting("UTF-8 text");
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("not valid YAML: " + e.msg)
        .At({file, e.mark.line + 1, e.mark.column + 1})
        .Expecting(expected);
  }
  if (root.IsNull())
    return InvalidArgumentError("the card file is empty").At({file}).Expecting(expected);
  json patch;
  try {
    CardYamlReader reader(file);
    PROBITY_ASSIGN_OR_RETURN(patch, reader.Read(root, CardSpec(), "", false));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("cannot read the card file: " + e.msg)
        .At({file, e.mark.line + 1, e.mark.column + 1})
        .Expecting(expected);
  }
  ModelCard out = card;
  Merge(out.document, patch);
  return out;
}

Status ValidateCard(const ModelCard& card) {
  PROBITY_RETURN_IF_ERROR(ValidateValue(card.document, CardSpec(), ""));
  if (Text(card.document, "schema") != kCardSchema) {
    return FieldError("schema", "found " + card.document["schema"].dump(),
                      "\"" + std::string(kCardSchema) + "\"");
  }
  const json& history = Get(card.document, "status_history");
  if (!history.empty()) {
    const json& last = history.back();
    if (last["version"] != Get(card.document, "card_version")) {
      return FieldError("status_history", "the last entry is not the card's version",
                        "the last entry's version equal to card_version");
    }
  }
  return OkStatus();
}

Result<ModelCard> EditCard(const ModelCard& card, std::string_view yaml, std::string_view origin) {
  if (card.status() == CardStatus::kArchived) {
    return FailedPreconditionError("the card is archived; an archived card cannot be edited");
  }
  PROBITY_ASSIGN_OR_RETURN(ModelCard edited, ApplyCardYaml(card, yaml, origin));
  edited.document["status"] = CardStatusName(CardStatus::kDraft);
  PROBITY_RETURN_IF_ERROR(ValidateCard(edited).InFile(origin));
  return edited;
}

Result<ModelCard> ChangeCardStatus(const ModelCard& card, CardStatus to,
                                   const std::string& key_id) {
  using S = CardStatus;
  const S from = card.status();
  static const std::map<S, std::vector<S>> kAllowed = {
      {S::kDraft, {S::kPendingReview, S::kArchived}},
      {S::kPendingReview, {S::kApproved, S::kDraft}},
      {S::kApproved, {S::kArchived}},
      {S::kArchived, {}}};
  const std::vector<S>& allowed = kAllowed.at(from);
  if (std::find(allowed.begin(), allowed.end(), to) == allowed.end()) {
    std::string names;
    for (S s : allowed) names += (names.empty() ? "" : " or ") + std::string(CardStatusName(s));
    return FailedPreconditionError("a card cannot move from " + std::string(CardStatusName(from)) +
                                   " to " + std::string(CardStatusName(to)))
        .Expecting(names.empty() ? "nothing: an archived card is final"
                                 : "from " + std::string(CardStatusName(from)) + ": " + names);
  }
  if (to == S::kApproved) {
    const json& history = Get(card.document, "status_history");
    if (history.empty()) {
      return FailedPreconditionError("the card has no recorded version to approve");
    }
    const std::string under_review = Text(history.back(), "key_id");
    if (key_id == under_review) {
      return FailedPreconditionError(
                 "approval must be signed by a different key than the one that recorded the "
                 "version "
                 "under review (version " +
                 history.back()["version"].dump() + ", key " + under_review.substr(0, 16) + "…)")
          .Expecting("probity card approve --status approved --key <a reviewer's key>");
    }
    for (const json& entry : history) {
      if (Text(entry, "change") != "status" && Text(entry, "key_id") == key_id) {
        return FailedPreconditionError(
                   "approval must come from a key that did not write the card: key " +
                   key_id.substr(0, 16) + "… recorded version " + entry["version"].dump() + " (" +
                   Text(entry, "change") + ")")
            .Expecting("probity card approve --status approved --key <a reviewer's key>");
      }
    }
  }
  ModelCard out = card;
  out.document["status"] = CardStatusName(to);
  return out;
}

ModelCard NextCardVersion(ModelCard card, std::string_view change, const std::string& key_id,
                          TimePoint time) {
  const int64_t version = card.version() + 1;
  card.document["card_version"] = version;
  if (!card.document.contains("status")) card.document["status"] = "draft";
  card.document["status_history"].push_back({{"version", version},
                                             {"status", card.document["status"]},
                                             {"change", std::string(change)},
                                             {"key_id", key_id},
                                             {"time", FormatRfc3339(time)}});
  return card;
}

Result<Digest> CardDigest(const ModelCard& card) {
  PROBITY_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(card.document));
  return Sha256Of(canonical);
}

Result<Record> CardRecord(const ModelCard& card, std::optional<int64_t> previous,
                          const Signer& signer) {
  const json& model = Get(card.document, "model");
  json fields = {{"model", Get(model, "artifact")},
                 {"model_digest", Get(model, "digest")},
                 {"version", card.version()},
                 {"status", CardStatusName(card.status())},
                 {"document", card.document}};
  if (previous) fields["previous"] = *previous;
  PROBITY_ASSIGN_OR_RETURN(Digest digest, Digest::Parse(fields["model_digest"].get<std::string>()));
  ResourceDescriptor subject;
  subject.name = model.value("name", "model");
  subject.digest["sha256"] = digest.Hex();
  const json statement =
      Statement({subject}, kModelCardPredicateType,
                {{"card", card.document}, {"version", card.version()}, {"status", fields["status"]}});
  PROBITY_ASSIGN_OR_RETURN(std::string payload, CanonicalJson(statement));
  PROBITY_ASSIGN_OR_RETURN(Envelope envelope,
                           SignEnvelope(kInTotoPayloadType, std::move(payload), signer));
  fields["envelope"] = json::parse(EnvelopeJson(envelope));
  return Record{RecordKind::kCard, std::move(fields)};
}

Result<std::vector<StoredCard>> CardVersions(LineageStore& store, int64_t model_artifact_id) {
  PROBITY_ASSIGN_OR_RETURN(std::vector<json> records,
                           store.List(RecordKind::kCard, "model", model_artifact_id));
  std::vector<StoredCard> out;
  for (json& r : records) {
    StoredCard c;
    c.record_id = r["id"].get<int64_t>();
    c.version = r["version"].get<int64_t>();
    c.card.document = std::move(r["document"]);
    out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const StoredCard& a, const StoredCard& b) { return a.version < b.version; });
  return out;
}

Result<StoredCard> LatestCard(LineageStore& store, int64_t model_artifact_id) {
  PROBITY_ASSIGN_OR_RETURN(std::vector<StoredCard> versions,
                           CardVersions(store, model_artifact_id));
  if (versions.empty()) {
    const std::string id = std::to_string(model_artifact_id);
    return NotFoundError("model " + id + " has no card")
        .Expecting("a card: run `probity card init " + id + "` first");
  }
  return std::move(versions.back());
}

// ---------------------------------------------------------------------------------------------
// Exports.

Result<ojson> ExportMct(const ModelCard& card) {
  PROBITY_RETURN_IF_ERROR(ValidateCard(card));
  const json& doc = card.document;
  const json& details = Get(doc, "details");
  const json& model = Get(doc, "model");
  const json& uses = Get(doc, "intended_uses");
  ojson out;
  out["schema_version"] = "0.0.2";

  ojson md;
  SetIfNotEmpty(md, "name", ModelName(doc));
  SetIfNotEmpty(md, "overview", Text(details, "overview"));
  // MCT has no digest field: the binding to the model's bytes goes into the documentation.
  SetIfNotEmpty(md, "documentation",
                Join({Text(details, "documentation"),
                      "Model SHA-256: " + Text(model, "digest") + ". " + StatusNote(doc) + "."},
                     "\n\n"));
  if (!Get(details, "owners").empty()) md["owners"] = Get(details, "owners");
  if (!Get(details, "version").empty()) md["version"] = Get(details, "version");
  if (!Get(details, "licenses").empty()) md["licenses"] = Get(details, "licenses");
  ojson references = ojson::array();
  for (const std::string& r : TextList(details, "references"))
    references.push_back({{"reference", r}});
  SetIfNotEmpty(md, "references", std::move(references));
  if (!Get(details, "citations").empty()) md["citations"] = Get(details, "citations");
  SetIfNotEmpty(md, "path", Text(model, "uri"));
  out["model_details"] = std::move(md);

  ojson mp;
  SetIfNotEmpty(mp, "model_architecture", Architecture(model));
  ojson data = ojson::array();
  for (const char* list : {"training_data", "evaluation_data"}) {
    for (const json& d : Get(doc, list)) {
      ojson entry;
      entry["name"] = Text(d, "name");
      SetIfNotEmpty(entry, "link", Text(d, "uri"));
      if (!Get(d, "sensitive_data").empty()) {
        entry["sensitive"] = {{"sensitive_data", Get(d, "sensitive_data")}};
      }
      entry["description"] = Join(
          {std::string(list == std::string("training_data") ? "Training data" : "Evaluation data") +
               ", " + Text(d, "digest"),
           Text(d, "description")},
          ". ");
      data.push_back(std::move(entry));
    }
  }
  SetIfNotEmpty(mp, "data", std::move(data));
  SetIfNotEmpty(mp, "input_format", Text(model, "input_format"));
  SetIfNotEmpty(mp, "output_format", Text(model, "output_format"));
  SetIfNotEmpty(out, "model_parameters", std::move(mp));

  ojson metrics = PerformanceMetrics(doc, "confidence_interval", "lower_bound", "upper_bound");
  if (!metrics.empty()) out["quantitative_analysis"]["performance_metrics"] = std::move(metrics);

  ojson considerations;
  auto descriptions = [](const std::vector<std::string>& texts) {
    ojson list = ojson::array();
    for (const std::string& t : texts) list.push_back({{"description", t}});
    return list;
  };
  SetIfNotEmpty(considerations, "users", descriptions(TextList(uses, "users")));
  const std::vector<std::string> use_cases = UseCases(uses);
  SetIfNotEmpty(considerations, "use_cases", descriptions(use_cases));
  const std::vector<std::string> limitations = Limitations(doc, uses);
  SetIfNotEmpty(considerations, "limitations", descriptions(limitations));
  SetIfNotEmpty(considerations, "tradeoffs", descriptions(TextList(doc, "tradeoffs")));
  ojson risks = ojson::array();
  for (const json& e : Get(doc, "ethical_considerations")) {
    ojson r = {{"name", Text(e, "name")}};
    SetIfNotEmpty(r, "mitigation_strategy", Text(e, "mitigation"));
    risks.push_back(std::move(r));
  }
  for (const json& f : Get(doc, "fairness_assessments")) {
    ojson r = {{"name", "Fairness. " + FairnessText(f)}};
    SetIfNotEmpty(r, "mitigation_strategy", Text(f, "mitigation"));
    risks.push_back(std::move(r));
  }
  if (const json& risk = Get(doc, "risk"); !Text(risk, "rating").empty()) {
    ojson r = {{"name", "Risk rating: " + Text(risk, "rating")}};
    SetIfNotEmpty(r, "mitigation_strategy", Text(risk, "explanation"));
    risks.push_back(std::move(r));
  }
  SetIfNotEmpty(considerations, "ethical_considerations", std::move(risks));
  SetIfNotEmpty(out, "considerations", std::move(considerations));
  return out;
}

Result<ojson> ExportSageMaker(const ModelCard& card) {
  PROBITY_RETURN_IF_ERROR(ValidateCard(card));
  const json& doc = card.document;
  const json& details = Get(doc, "details");
  const json& model = Get(doc, "model");
  const json& uses = Get(doc, "intended_uses");
  ojson out;
  // Sets target[key] = value when not empty, within SageMaker's length limit for `field`.
  auto set = [](ojson& target, const char* key, const std::string& value, size_t max_chars,
                const std::string& field) -> Status {
    PROBITY_RETURN_IF_ERROR(Limit(field, value, max_chars));
    if (!value.empty()) target[key] = value;
    return OkStatus();
  };

  ojson overview;
  PROBITY_RETURN_IF_ERROR(set(overview, "model_id", Text(model, "digest"), 1024, "model_id"));
  PROBITY_RETURN_IF_ERROR(set(overview, "model_name", ModelName(doc), 1024, "model_name"));
  PROBITY_RETURN_IF_ERROR(
      set(overview, "model_description", Text(details, "overview"), 1024, "model_description"));
  std::vector<std::string> owners;
  for (const json& o : Get(details, "owners")) owners.push_back(OwnerText(o));
  PROBITY_RETURN_IF_ERROR(set(overview, "model_owner", Join(owners, "; "), 1024, "model_owner"));
  PROBITY_RETURN_IF_ERROR(set(overview, "problem_type", Text(model, "task"), 1024, "problem_type"));
  std::string algorithm = Text(model, "algorithm");
  if (algorithm.empty()) algorithm = Text(model, "architecture");
  PROBITY_RETURN_IF_ERROR(set(overview, "algorithm_type", algorithm, 1024, "algorithm_type"));
  if (!Text(model, "uri").empty()) {
    PROBITY_RETURN_IF_ERROR(Limit("model_artifact", Text(model, "uri"), 1024));
    overview["model_artifact"] = ojson::array({Text(model, "uri")});
  }
  out["model_overview"] = std::move(overview);

  ojson intended;
  PROBITY_RETURN_IF_ERROR(
      set(intended, "purpose_of_model", Text(uses, "purpose"), 2048, "purpose_of_model"));
  std::vector<std::string> use_lines = TextList(uses, "uses");
  if (!Get(uses, "users").empty()) {
    use_lines.push_back("Intended users: " + Join(TextList(uses, "users"), "; "));
  }
  if (!Get(uses, "out_of_scope_uses").empty()) {
    use_lines.push_back("Out of scope: " + Join(TextList(uses, "out_of_scope_uses"), "; "));
  }
  PROBITY_RETURN_IF_ERROR(
      set(intended, "intended_uses", Join(use_lines, "\n"), 2048, "intended_uses"));
  PROBITY_RETURN_IF_ERROR(set(intended, "factors_affecting_model_efficiency",
                              Join(TextList(doc, "limitations"), "\n"), 2048,
                              "factors_affecting_model_efficiency"));
  const json& risk = Get(doc, "risk");
  if (!Text(risk, "rating").empty()) intended["risk_rating"] = Text(risk, "rating");
  PROBITY_RETURN_IF_ERROR(set(intended, "explanations_for_risk_rating", Text(risk, "explanation"),
                              2048, "explanations_for_risk_rating"));
  SetIfNotEmpty(out, "intended_uses", std::move(intended));

  ojson training_datasets = ojson::array();
  for (const json& d : Get(doc, "training_data")) training_datasets.push_back(Text(d, "digest"));
  if (!training_datasets.empty()) {
    out["training_details"]["training_job_details"]["training_datasets"] =
        std::move(training_datasets);
  }

  if (!Get(doc, "metrics").empty() || !Get(doc, "evaluation_data").empty()) {
    ojson evaluation = {{"name", "Probity model card evaluation"}};
    ojson datasets = ojson::array();
    for (const json& d : Get(doc, "evaluation_data")) datasets.push_back(Text(d, "digest"));
    if (datasets.size() > 10) {
      return InvalidArgumentError("the card lists " + std::to_string(datasets.size()) +
                                  " evaluation datasets")
          .Expecting("at most 10 (a SageMaker limit on evaluation_details[].datasets)");
    }
    SetIfNotEmpty(evaluation, "datasets", std::move(datasets));
    // One metric group per slice, in order of appearance.
    ojson groups = ojson::array();
    std::map<std::string, size_t> group_of;
    for (const json& m : Get(doc, "metrics")) {
      std::string slice = Text(m, "slice");
      if (slice.empty()) slice = "all data";
      PROBITY_RETURN_IF_ERROR(Limit("metric_groups[].name (the slice)", slice, 63));
      if (!group_of.contains(slice)) {
        group_of[slice] = groups.size();
        groups.push_back({{"name", slice}, {"metric_data", ojson::array()}});
      }
      PROBITY_RETURN_IF_ERROR(Limit("metric_data[].name (the metric type)", Text(m, "type"), 255));
      ojson metric = {{"name", Text(m, "type")},
                      {"type", m["value"].is_number() ? "number" : "string"},
                      {"value", ojson::parse(m["value"].dump())}};
      if (m["value"].is_string()) {
        PROBITY_RETURN_IF_ERROR(Limit("metric_data[].value", Text(m, "value"), 63));
      }
      if (const json& ci = Get(m, "confidence_interval"); !ci.is_null()) {
        metric["notes"] =
            "confidence interval [" + ValueText(ci["lower"]) + ", " + ValueText(ci["upper"]) + "]";
      }
      groups[group_of[slice]]["metric_data"].push_back(std::move(metric));
    }
    SetIfNotEmpty(evaluation, "metric_groups", std::move(groups));
    out["evaluation_details"] = ojson::array({std::move(evaluation)});
  }

  ojson additional;
  std::vector<std::string> ethics;
  for (const json& e : Get(doc, "ethical_considerations")) {
    ethics.push_back(Text(e, "name") +
                     (Text(e, "mitigation").empty() ? "" : ": " + Text(e, "mitigation")));
  }
  for (const json& f : Get(doc, "fairness_assessments")) {
    ethics.push_back(
        "Fairness. " + FairnessText(f) +
        (Text(f, "mitigation").empty() ? "" : "; mitigation: " + Text(f, "mitigation")));
  }
  PROBITY_RETURN_IF_ERROR(set(additional, "ethical_considerations", Join(ethics, "\n"), 2048,
                              "ethical_considerations"));
  PROBITY_RETURN_IF_ERROR(set(additional, "caveats_and_recommendations",
                              Join(TextList(doc, "tradeoffs"), "\n"), 2048,
                              "caveats_and_recommendations"));
  ojson custom;
  custom["model_digest"] = Text(model, "digest");
  custom["probity_card"] = StatusNote(doc);
  std::vector<std::string> licenses;
  for (const json& l : Get(details, "licenses")) {
    licenses.push_back(l.contains("identifier") ? Text(l, "identifier") : Text(l, "custom_text"));
  }
  PROBITY_RETURN_IF_ERROR(
      set(custom, "license", Join(licenses, "; "), 1024, "custom_details.license"));
  for (const auto& [key, value] : Get(model, "hyperparameters").items()) {
    const std::string name = "hyperparameter." + key;
    PROBITY_RETURN_IF_ERROR(
        set(custom, name.c_str(), ValueText(value), 1024, "custom_details." + name));
  }
  additional["custom_details"] = std::move(custom);
  out["additional_information"] = std::move(additional);

  const size_t size = out.dump().size();
  if (size > 100000) {
    return InvalidArgumentError("the SageMaker card content would be " + std::to_string(size) +
                                " characters")
        .Expecting("at most 100,000 characters (the SageMaker API limit)");
  }
  return out;
}

Result<ojson> ExportCycloneDx(const ModelCard& card) {
  PROBITY_RETURN_IF_ERROR(ValidateCard(card));
  const json& doc = card.document;
  const json& details = Get(doc, "details");
  const json& model = Get(doc, "model");
  const json& uses = Get(doc, "intended_uses");
  PROBITY_ASSIGN_OR_RETURN(Digest card_digest, CardDigest(card));
  PROBITY_ASSIGN_OR_RETURN(Digest model_digest, Digest::Parse(Text(model, "digest")));

  // A UUIDv8 (RFC 9562 §5.8) from the card digest's first 16 bytes: the same card version
  // always exports the same serial number.
  std::array<uint8_t, 16> u{};
  std::copy_n(card_digest.bytes.begin(), 16, u.begin());
  u[6] = static_cast<uint8_t>((u[6] & 0x0F) | 0x80);
  u[8] = static_cast<uint8_t>((u[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string uuid;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid += '-';
    uuid += kHex[u[i] >> 4];
    uuid += kHex[u[i] & 0xF];
  }

  ojson bom;
  bom["$schema"] = "http://cyclonedx.org/schema/bom-1.6.schema.json";
  bom["bomFormat"] = "CycloneDX";
  bom["specVersion"] = "1.6";
  bom["serialNumber"] = "urn:uuid:" + uuid;
  bom["version"] = 1;
  ojson metadata;
  if (const json& history = Get(doc, "status_history"); !history.empty()) {
    metadata["timestamp"] = Text(history.back(), "time");
  }
  metadata["tools"]["components"] =
      ojson::array({{{"type", "application"}, {"name", "probity"}, {"version", PROBITY_VERSION}}});
  const std::string model_ref = "model-" + model_digest.Hex();
  bom["metadata"] = std::move(metadata);

  ojson component;
  component["bom-ref"] = model_ref;
  component["type"] = "machine-learning-model";
  component["name"] = ModelName(doc).empty() ? Text(model, "digest") : ModelName(doc);
  SetIfNotEmpty(component, "version", Text(Get(details, "version"), "name"));
  SetIfNotEmpty(component, "description", Text(details, "overview"));
  component["hashes"] = ojson::array({{{"alg", "SHA-256"}, {"content", model_digest.Hex()}}});
  ojson authors = ojson::array();
  for (const json& o : Get(details, "owners")) {
    ojson a = {{"name", Text(o, "name")}};
    const std::string contact = Text(o, "contact");
    if (contact.find('@') != std::string::npos && contact.find(' ') == std::string::npos) {
      a["email"] = contact;
    }
    authors.push_back(std::move(a));
  }
  SetIfNotEmpty(component, "authors", std::move(authors));
  // One SPDX identifier becomes a license expression; anything else is listed by name.
  const json& licenses = Get(details, "licenses");
  if (licenses.size() == 1 && licenses[0].contains("identifier")) {
    component["licenses"] = ojson::array({{{"expression", Text(licenses[0], "identifier")}}});
  } else if (!licenses.empty()) {
    ojson list = ojson::array();
    for (const json& l : licenses) {
      ojson license;
      if (l.contains("identifier")) {
        license["name"] = Text(l, "identifier");
      } else {
        license["name"] = "custom license";
        license["text"] = {{"content", Text(l, "custom_text")}};
      }
      list.push_back({{"license", std::move(license)}});
    }
    component["licenses"] = std::move(list);
  }
  ojson references = ojson::array();
  for (const std::string& r : TextList(details, "references")) {
    references.push_back({{"type", "documentation"}, {"url", r}});
  }
  if (!Text(model, "uri").empty()) {
    references.push_back(
        {{"type", "distribution"}, {"url", Text(model, "uri")}, {"hashes", component["hashes"]}});
  }
  SetIfNotEmpty(component, "externalReferences", std::move(references));

  // Datasets: one data component per distinct digest.
  ojson data_components = ojson::array();
  ojson data_refs = ojson::array();
  std::set<std::string> seen;
  ojson dataset_refs = ojson::array();
  for (const char* list : {"training_data", "evaluation_data"}) {
    for (const json& d : Get(doc, list)) {
      PROBITY_ASSIGN_OR_RETURN(Digest digest, Digest::Parse(Text(d, "digest")));
      const std::string ref = "data-" + digest.Hex();
      dataset_refs.push_back({{"ref", ref}});
      if (!seen.insert(ref).second) continue;
      data_refs.push_back(ref);
      ojson data = {{"type", "dataset"}, {"name", Text(d, "name")}};
      if (!Text(d, "uri").empty()) data["contents"] = {{"url", Text(d, "uri")}};
      if (!Get(d, "sensitive_data").empty()) {
        data["sensitiveData"] = ojson::parse(Get(d, "sensitive_data").dump());
      }
      data["description"] = Join(
          {std::string(list == std::string("training_data") ? "Training data" : "Evaluation data"),
           Text(d, "description")},
          ". ");
      data_components.push_back(
          {{"bom-ref", ref},
           {"type", "data"},
           {"name", Text(d, "name")},
           {"hashes", ojson::array({{{"alg", "SHA-256"}, {"content", digest.Hex()}}})},
           {"data", ojson::array({std::move(data)})}});
    }
  }
  // CycloneDX's datasets list refers to data components by bom-ref; repeated references
  // (a dataset used for training and evaluation) are kept once.
  ojson unique_dataset_refs = ojson::array();
  std::set<std::string> listed;
  for (const ojson& r : dataset_refs) {
    if (listed.insert(r["ref"].get<std::string>()).second) unique_dataset_refs.push_back(r);
  }

  ojson mc;
  ojson parameters;
  if (!Text(model, "approach").empty())
    parameters["approach"] = {{"type", Text(model, "approach")}};
  SetIfNotEmpty(parameters, "task", Text(model, "task"));
  SetIfNotEmpty(parameters, "architectureFamily", Text(model, "algorithm"));
  SetIfNotEmpty(parameters, "modelArchitecture", Text(model, "architecture"));
  SetIfNotEmpty(parameters, "datasets", std::move(unique_dataset_refs));
  if (!Text(model, "input_format").empty()) {
    parameters["inputs"] = ojson::array({{{"format", Text(model, "input_format")}}});
  }
  if (!Text(model, "output_format").empty()) {
    parameters["outputs"] = ojson::array({{{"format", Text(model, "output_format")}}});
  }
  SetIfNotEmpty(mc, "modelParameters", std::move(parameters));

  ojson metrics = PerformanceMetrics(doc, "confidenceInterval", "lowerBound", "upperBound");
  if (!metrics.empty()) mc["quantitativeAnalysis"]["performanceMetrics"] = std::move(metrics);

  ojson considerations;
  auto strings = [](const std::vector<std::string>& v) { return ojson(v); };
  SetIfNotEmpty(considerations, "users", strings(TextList(uses, "users")));
  const std::vector<std::string> use_cases = UseCases(uses);
  SetIfNotEmpty(considerations, "useCases", strings(use_cases));
  const std::vector<std::string> limitations = Limitations(doc, uses);
  SetIfNotEmpty(considerations, "technicalLimitations", strings(limitations));
  SetIfNotEmpty(considerations, "performanceTradeoffs", strings(TextList(doc, "tradeoffs")));
  ojson ethics = ojson::array();
  for (const json& e : Get(doc, "ethical_considerations")) {
    ojson r = {{"name", Text(e, "name")}};
    SetIfNotEmpty(r, "mitigationStrategy", Text(e, "mitigation"));
    ethics.push_back(std::move(r));
  }
  SetIfNotEmpty(considerations, "ethicalConsiderations", std::move(ethics));
  ojson fairness = ojson::array();
  for (const json& f : Get(doc, "fairness_assessments")) {
    ojson a = {{"groupAtRisk", Text(f, "group_at_risk")}};
    SetIfNotEmpty(a, "benefits", Text(f, "benefits"));
    SetIfNotEmpty(a, "harms", Text(f, "harms"));
    SetIfNotEmpty(a, "mitigationStrategy", Text(f, "mitigation"));
    fairness.push_back(std::move(a));
  }
  SetIfNotEmpty(considerations, "fairnessAssessments", std::move(fairness));
  SetIfNotEmpty(mc, "considerations", std::move(considerations));

  ojson card_properties = ojson::array();
  const json& risk = Get(doc, "risk");
  if (!Text(risk, "rating").empty()) {
    card_properties.push_back({{"name", "probity:risk_rating"}, {"value", Text(risk, "rating")}});
  }
  if (!Text(risk, "explanation").empty()) {
    card_properties.push_back(
        {{"name", "probity:risk_explanation"}, {"value", Text(risk, "explanation")}});
  }
  card_properties.push_back({{"name", "probity:card_status"}, {"value", Text(doc, "status")}});
  card_properties.push_back(
      {{"name", "probity:card_version"}, {"value", std::to_string(card.version())}});
  card_properties.push_back({{"name", "probity:card_digest"}, {"value", card_digest.ToString()}});
  mc["properties"] = std::move(card_properties);
  component["modelCard"] = std::move(mc);

  ojson properties = ojson::array();
  for (const auto& [key, value] : Get(model, "hyperparameters").items()) {
    properties.push_back({{"name", "probity:hyperparameter:" + key}, {"value", ValueText(value)}});
  }
  SetIfNotEmpty(component, "properties", std::move(properties));

  ojson components = ojson::array({std::move(component)});
  for (ojson& c : data_components) components.push_back(std::move(c));
  bom["components"] = std::move(components);
  ojson dependency = {{"ref", model_ref}};
  if (!data_refs.empty()) dependency["dependsOn"] = std::move(data_refs);
  bom["dependencies"] = ojson::array({std::move(dependency)});
  return bom;
}

}  // namespace probity::lineage
