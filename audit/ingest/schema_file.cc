#include "audit/ingest/schema_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "audit/core/json_output.h"
#include "audit/core/version.h"

namespace probity::ingest {
namespace {

// The schema-file reader: walks the YAML tree, checking every key, and records the first
// error with the node's location.
class SchemaFileParser {
 public:
  explicit SchemaFileParser(std::string file) : file_(std::move(file)) {}

  Result<DatasetSpec> Parse(const YAML::Node& root) {
    if (!root.IsMap())
      return Error(root, "the document is not a mapping", "keys version, format and columns");
    PROBITY_RETURN_IF_ERROR(CheckKeys(
        root, {"version", "format", "columns", "schema", "probity_version"}, "the top level"));
    YAML::Node version = root["version"];
    if (!version) return Error(root, "key \"version\" is missing", "version: 1");
    if (!version.IsScalar() || version.Scalar() != "1") {
      return Error(version, "unsupported version \"" + Text(version) + "\"", "version: 1");
    }
    DatasetSpec spec;
    if (YAML::Node format = root["format"])
      PROBITY_RETURN_IF_ERROR(ParseFormat(format, &spec.format));
    YAML::Node columns = root["columns"];
    if (!columns) return Error(root, "key \"columns\" is missing", "a list of columns");
    if (!columns.IsSequence() || columns.size() == 0) {
      return Error(columns, "\"columns\" is not a non-empty list",
                   "a list of columns, each with a name and a type");
    }
    std::vector<Field> fields;
    for (const YAML::Node& c : columns) {
      Field f;
      PROBITY_RETURN_IF_ERROR(ParseColumn(c, &f));
      fields.push_back(std::move(f));
    }
    Schema schema(std::move(fields));
    Status valid = schema.Validate();
    if (!valid.ok()) return std::move(valid).At({file_, Line(columns), Column(columns)});
    spec.schema = std::move(schema);
    return spec;
  }

 private:
  static int64_t Line(const YAML::Node& n) { return n.Mark().line + 1; }
  static int64_t Column(const YAML::Node& n) { return n.Mark().column + 1; }
  static std::string Text(const YAML::Node& n) {
    return n.IsScalar() ? n.Scalar() : std::string("(not a scalar)");
  }

  Status Error(const YAML::Node& node, std::string what, std::string expected) const {
    return InvalidArgumentError(std::move(what))
        .At({file_, Line(node), Column(node)})
        .Expecting(std::move(expected));
  }

  Status CheckKeys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                   const std::string& where) const {
    for (const auto& kv : map) {
      std::string key = kv.first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (std::string_view a : allowed) {
          if (a == "schema" || a == "probity_version") continue;
          list += (list.empty() ? "" : ", ") + std::string(a);
        }
        return Error(kv.first, "unknown key \"" + key + "\" in " + where, "one of " + list);
      }
    }
    return OkStatus();
  }

  Result<bool> Bool(const YAML::Node& n, const std::string& key) const {
    if (n.IsScalar()) {
      std::string v = n.Scalar();
      std::transform(v.begin(), v.end(), v.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (v == "true" || v == "yes") return true;
      if (v == "false" || v == "no") return false;
    }
    return Error(n, "\"" + key + "\" is \"" + Text(n) + "\"", "true or false");
  }

  Result<std::string> String(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) return Error(n, "\"" + key + "\" is not a single value", "a string");
    return n.Scalar();
  }

  Result<std::vector<std::string>> StringList(const YAML::Node& n, const std::string& key) const {
    if (!n.IsSequence()) return Error(n, "\"" + key + "\" is not a list", "a list of strings");
    std::vector<std::string> out;
    for (const YAML::Node& item : n) {
      PROBITY_ASSIGN_OR_RETURN(std::string s, String(item, key));
      out.push_back(std::move(s));
    }
    return out;
  }

  Status ParseFormat(const YAML::Node& n, FormatOptions* format) const {
    if (!n.IsMap())
      return Error(n, "\"format\" is not a mapping", "keys such as delimiter and header");
    PROBITY_RETURN_IF_ERROR(
        CheckKeys(n, {"type", "delimiter", "header", "quote", "trim", "missing"}, "format"));
    if (YAML::Node t = n["type"]) {
      PROBITY_ASSIGN_OR_RETURN(std::string type, String(t, "type"));
      if (type == "csv") {
        format->type = FileFormat::kCsv;
      } else if (type == "jsonl") {
        format->type = FileFormat::kJsonLines;
      } else if (type == "auto") {
        format->type = FileFormat::kAuto;
      } else {
        return Error(t, "unknown format type \"" + type + "\"", "csv, jsonl or auto");
      }
    }
    if (YAML::Node d = n["delimiter"]) {
      PROBITY_ASSIGN_OR_RETURN(std::string v, String(d, "delimiter"));
      std::optional<char> delimiter = ParseDelimiterName(v);
      if (!delimiter) {
        return Error(d, "unsupported delimiter \"" + v + "\"",
                     "one of \",\", \";\", \"|\", tab, whitespace");
      }
      format->delimiter = *delimiter;
    }
    if (YAML::Node h = n["header"]) {
      PROBITY_ASSIGN_OR_RETURN(bool header, Bool(h, "header"));
      format->header = header;
    }
    if (YAML::Node q = n["quote"]) {
      PROBITY_ASSIGN_OR_RETURN(std::string v, String(q, "quote"));
      if (v.size() != 1 || v[0] == '\n' || v[0] == '\r') {
        return Error(q, "quote \"" + v + "\" is not a single character",
                     "one character, such as '\"'");
      }
      format->quote = v[0];
    }
    if (YAML::Node t = n["trim"]) {
      PROBITY_ASSIGN_OR_RETURN(bool trim, Bool(t, "trim"));
      format->trim = trim;
    }
    if (YAML::Node m = n["missing"]) {
      PROBITY_ASSIGN_OR_RETURN(format->missing_tokens, StringList(m, "missing"));
    }
    if (format->delimiter && *format->delimiter == format->quote) {
      return Error(n, "the delimiter and the quote are the same character", "different characters");
    }
    return OkStatus();
  }

  Status ParseColumn(const YAML::Node& n, Field* f) const {
    if (!n.IsMap()) return Error(n, "a column is not a mapping", "name and type keys");
    PROBITY_RETURN_IF_ERROR(CheckKeys(
        n, {"name", "type", "role", "nullable", "missing", "categories", "values", "description"},
        "a column"));
    YAML::Node name = n["name"];
    if (!name) return Error(n, "a column has no \"name\"", "name: <column name>");
    PROBITY_ASSIGN_OR_RETURN(f->name, String(name, "name"));
    YAML::Node type = n["type"];
    if (!type)
      return Error(n, "column \"" + f->name + "\" has no \"type\"",
                   "type: float64, int64, bool or string");
    PROBITY_ASSIGN_OR_RETURN(std::string type_name, String(type, "type"));
    std::optional<DataType> t = ParseDataType(type_name);
    if (!t) {
      return Error(type, "unknown type \"" + type_name + "\" for column \"" + f->name + "\"",
                   "one of float64, int64, bool, string");
    }
    f->type = *t;
    if (YAML::Node role = n["role"]) {
      PROBITY_ASSIGN_OR_RETURN(std::string role_name, String(role, "role"));
      std::optional<ColumnRole> r = ParseColumnRole(role_name);
      if (!r) {
        return Error(role, "unknown role \"" + role_name + "\" for column \"" + f->name + "\"",
                     "one of feature, label, facet, id, weight, prediction, score");
      }
      f->role = *r;
    }
    if (YAML::Node v = n["nullable"]) {
      PROBITY_ASSIGN_OR_RETURN(f->nullable, Bool(v, "nullable"));
    }
    if (YAML::Node v = n["missing"]) {
      PROBITY_ASSIGN_OR_RETURN(std::vector<std::string> tokens, StringList(v, "missing"));
      f->missing_tokens = std::move(tokens);
    }
    if (YAML::Node v = n["categories"]) {
      PROBITY_ASSIGN_OR_RETURN(f->categories, StringList(v, "categories"));
    }
    if (YAML::Node v = n["values"]) {
      if (!v.IsMap())
        return Error(v, "\"values\" of column \"" + f->name + "\" is not a mapping",
                     "code: value pairs");
      for (const auto& kv : v) {
        PROBITY_ASSIGN_OR_RETURN(std::string code, String(kv.first, "values"));
        PROBITY_ASSIGN_OR_RETURN(std::string value, String(kv.second, "values"));
        f->value_map[code] = value;
      }
    }
    if (YAML::Node v = n["description"]) {
      PROBITY_ASSIGN_OR_RETURN(f->description, String(v, "description"));
    }
    return OkStatus();
  }

  std::string file_;
};

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  static const std::set<std::string> kReserved = {"true", "false", "yes", "no",   "on",
                                                  "off",  "y",     "n",   "null", "~",
                                                  "nan",  ".nan",  "inf", ".inf"};
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (kReserved.contains(lower)) return true;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return true;
  return !std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

void EmitString(YAML::Emitter& out, const std::string& s) {
  if (NeedsQuotes(s)) {
    out << YAML::DoubleQuoted << s;
  } else {
    out << s;
  }
}

const FacetCandidate* FacetFor(const DatasetProfile& p, const std::string& column) {
  for (const FacetCandidate& f : p.candidate_facets) {
    if (f.column == column) return &f;
  }
  return nullptr;
}

}  // namespace

Result<DatasetSpec> ParseSchemaFile(std::string_view text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("not valid YAML or JSON: " + e.msg)
        .At({file, e.mark.line + 1, e.mark.column + 1})
        .Expecting("a schema file as described in docs/formats/schema.md");
  }
  try {
    return SchemaFileParser(file).Parse(root);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("cannot read the schema: " + e.msg)
        .At({file, e.mark.line + 1, e.mark.column + 1})
        .Expecting("a schema file as described in docs/formats/schema.md");
  }
}

Result<DatasetSpec> LoadSchemaFile(FileSystem& fs, const std::string& path) {
  PROBITY_ASSIGN_OR_RETURN(std::string text, fs.ReadSmallFile(path, 16 << 20));
  return ParseSchemaFile(text, path);
}

std::string SchemaFileYaml(const DatasetProfile& p) {
  YAML::Emitter out;
  out << YAML::Comment(
      fmt::format("Dataset schema for {} (docs/formats/schema.md), written by probity {}.\n"
                  "Types fit all {} rows. Review the roles: mark the label, the facets\n"
                  "(protected attributes) and any id, weight, prediction or score columns.",
                  p.path, PROBITY_VERSION, p.scan.rows));
  out << YAML::Newline << YAML::BeginMap;
  out << YAML::Key << "version" << YAML::Value << 1;
  out << YAML::Key << "format" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << std::string(FileFormatName(p.format.type));
  if (p.format.type == FileFormat::kCsv) {
    out << YAML::Key << "delimiter" << YAML::Value;
    EmitString(out, DelimiterName(p.format.delimiter));
    out << YAML::Key << "header" << YAML::Value << p.format.header;
    out << YAML::Key << "quote" << YAML::Value << YAML::SingleQuoted
        << std::string(1, p.format.quote);
    out << YAML::Key << "trim" << YAML::Value << p.format.trim;
  }
  out << YAML::Key << "missing" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const std::string& m : p.format.missing_tokens) out << YAML::DoubleQuoted << m;
  out << YAML::EndSeq << YAML::EndMap;
  out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
  for (const ColumnProfile& c : p.columns) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value;
    EmitString(out, c.field.name);
    out << YAML::Key << "type" << YAML::Value << std::string(DataTypeName(c.field.type));
    out << YAML::Key << "role" << YAML::Value << std::string(ColumnRoleName(c.field.role));
    // One comment per column (yaml-cpp would put two on one line): the facet hint and the
    // values of a low-cardinality text column.
    std::string note;
    if (const FacetCandidate* f = FacetFor(p, c.field.name);
        f != nullptr && c.field.role != ColumnRole::kFacet) {
      note = "candidate facet (" + f->attribute + "): " + f->detail;
    }
    if (c.field.categories.empty() && c.field.type == DataType::kString && c.distinct_exact &&
        c.distinct <= 12 && c.distinct > 0) {
      std::vector<std::string> values;
      for (const ValueCount& v : c.top_values) values.push_back(v.value);
      std::sort(values.begin(), values.end());
      std::string list;
      for (const std::string& v : values) list += (list.empty() ? "" : ", ") + v;
      if (c.distinct > static_cast<int64_t>(values.size())) list += ", ...";
      note += (note.empty() ? "" : "; ") + fmt::format("{} values seen: {}", c.distinct, list);
    }
    if (!note.empty()) {
      // Values from the data may hold line ends or other control bytes: not in a comment.
      for (char& ch : note) {
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = ' ';
      }
      out << YAML::Comment(note);
    }
    if (!c.field.nullable) out << YAML::Key << "nullable" << YAML::Value << false;
    if (c.field.missing_tokens) {
      out << YAML::Key << "missing" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const std::string& m : *c.field.missing_tokens) out << YAML::DoubleQuoted << m;
      out << YAML::EndSeq;
    }
    if (!c.field.categories.empty()) {
      out << YAML::Key << "categories" << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const std::string& v : c.field.categories) EmitString(out, v);
      out << YAML::EndSeq;
    }
    if (!c.field.value_map.empty()) {
      out << YAML::Key << "values" << YAML::Value << YAML::BeginMap;
      for (const auto& [code, value] : c.field.value_map) {
        out << YAML::Key;
        EmitString(out, code);
        out << YAML::Value;
        EmitString(out, value);
      }
      out << YAML::EndMap;
    }
    if (!c.field.description.empty()) {
      out << YAML::Key << "description" << YAML::Value << YAML::DoubleQuoted << c.field.description;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string SchemaFileJson(const DatasetProfile& p) {
  nlohmann::ordered_json doc = MachineDocument("probity.data.schema/1");
  doc["version"] = 1;
  nlohmann::ordered_json format;
  format["type"] = std::string(FileFormatName(p.format.type));
  if (p.format.type == FileFormat::kCsv) {
    format["delimiter"] = DelimiterName(p.format.delimiter);
    format["header"] = p.format.header;
    format["quote"] = std::string(1, p.format.quote);
    format["trim"] = p.format.trim;
  }
  format["missing"] = p.format.missing_tokens;
  doc["format"] = format;
  nlohmann::ordered_json columns = nlohmann::ordered_json::array();
  for (const ColumnProfile& c : p.columns) {
    nlohmann::ordered_json j;
    j["name"] = c.field.name;
    j["type"] = std::string(DataTypeName(c.field.type));
    j["role"] = std::string(ColumnRoleName(c.field.role));
    if (!c.field.nullable) j["nullable"] = false;
    if (c.field.missing_tokens) j["missing"] = *c.field.missing_tokens;
    if (!c.field.categories.empty()) j["categories"] = c.field.categories;
    if (!c.field.value_map.empty()) {
      nlohmann::ordered_json values = nlohmann::ordered_json::object();
      for (const auto& [code, value] : c.field.value_map) values[code] = value;
      j["values"] = values;
    }
    if (!c.field.description.empty()) j["description"] = c.field.description;
    columns.push_back(j);
  }
  doc["columns"] = columns;
  return DumpJson(doc);
}

}  // namespace probity::ingest
