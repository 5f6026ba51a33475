#include "lineage/internal/tables.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "lineage/canonical_json.h"

namespace probity::lineage::internal {
namespace {

using K = RecordKind;
constexpr int64_t kMaxExactInteger = int64_t{1} << 53;

std::vector<TableSpec> MakeTables() {
  const FieldSpec source{"source", FieldType::kObject};
  return {
      {K::kArtifact,
       "artifacts",
       {{"digest", FieldType::kText},
        {"kind", FieldType::kText, true, {},
         {"dataset", "model", "code", "params", "metrics", "report", "card", "log", "other"}},
        {"media_type", FieldType::kText},
        {"size", FieldType::kInteger},
        {"uri", FieldType::kText},
        {"name", FieldType::kText},
        {"properties", FieldType::kObject},
        {"stored", FieldType::kBoolean},
        source}},
      {K::kExecution,
       "executions",
       {{"name", FieldType::kText, true},
        {"type", FieldType::kText},
        {"status", FieldType::kText, true, {},
         {"new", "running", "complete", "failed", "canceled", "aborted", "other"}},
        {"parameters", FieldType::kObject},
        {"environment", FieldType::kObject},
        {"started", FieldType::kText},
        {"ended", FieldType::kText},
        {"exit_code", FieldType::kInteger},
        {"previous", FieldType::kId, false, {K::kExecution}},
        source}},
      {K::kEvent,
       "events",
       {{"execution", FieldType::kId, true, {K::kExecution}},
        {"artifact", FieldType::kId, true, {K::kArtifact}},
        {"direction", FieldType::kText, true, {}, {"input", "output"}},
        {"role", FieldType::kText},
        source}},
      {K::kContext,
       "contexts",
       {{"type", FieldType::kText, true, {},
         {"pipeline_run", "experiment", "model", "model_version", "job", "other"}},
        {"name", FieldType::kText, true},
        {"properties", FieldType::kObject},
        {"parent", FieldType::kId, false, {K::kContext}},
        source}},
      {K::kAttribution,
       "attributions",
       {{"context", FieldType::kId, true, {K::kContext}},
        {"artifact", FieldType::kId, true, {K::kArtifact}},
        source}},
      {K::kAssociation,
       "associations",
       {{"context", FieldType::kId, true, {K::kContext}},
        {"execution", FieldType::kId, true, {K::kExecution}},
        source}},
      {K::kAttestation,
       "attestations",
       {{"subject_digest", FieldType::kText, true},
        {"predicate_type", FieldType::kText, true},
        {"envelope", FieldType::kObject, true},
        {"key_id", FieldType::kText},
        source}},
      {K::kCard,
       "cards",
       {{"model", FieldType::kId, true, {K::kArtifact}},
        {"model_digest", FieldType::kText, true},
        {"version", FieldType::kInteger, true},
        {"status", FieldType::kText, true, {},
         {"draft", "pending_review", "approved", "archived"}},
        {"document", FieldType::kObject, true},
        {"envelope", FieldType::kObject},
        {"previous", FieldType::kId, false, {K::kCard}},
        source}},
      {K::kStatus,
       "statuses",
       {{"target", FieldType::kId, true},
        {"status", FieldType::kText, true},
        {"reason", FieldType::kText},
        source}},
  };
}

std::string_view SqlType(FieldType type) {
  switch (type) {
    case FieldType::kText:
    case FieldType::kObject: return "TEXT";
    case FieldType::kInteger:
    case FieldType::kBoolean:
    case FieldType::kId: return "INTEGER";
  }
  return "TEXT";
}

std::string_view TypeName(FieldType type) {
  switch (type) {
    case FieldType::kText: return "a string";
    case FieldType::kInteger: return "an integer";
    case FieldType::kBoolean: return "true or false";
    case FieldType::kObject: return "an object";
    case FieldType::kId: return "a record id (a non-negative integer)";
  }
  return "";
}

bool HasType(const nlohmann::json& value, FieldType type) {
  switch (type) {
    case FieldType::kText: return value.is_string();
    case FieldType::kInteger:
      return value.is_number_integer() &&
             (value.is_number_unsigned() ? value.get<uint64_t>() <= uint64_t{kMaxExactInteger}
                                         : std::abs(value.get<int64_t>()) <= kMaxExactInteger);
    case FieldType::kBoolean: return value.is_boolean();
    case FieldType::kObject: return value.is_object();
    case FieldType::kId:
      return value.is_number_unsigned() ||
             (value.is_number_integer() && value.get<int64_t>() >= 0);
  }
  return false;
}

// A column of the canonical entry, in the entry's key order (RFC 8785 sorts keys by UTF-16
// code units; every key here is ASCII, so byte order is the same).
struct EntryColumn {
  std::string_view name;
  int column = -1;  // in SelectSql's order; -1 for "record"
  FieldType type = FieldType::kText;
};

std::vector<EntryColumn> EntryColumns(const TableSpec& spec) {
  std::vector<EntryColumn> columns = {{"id", 0, FieldType::kInteger},
                                      {"record", -1, FieldType::kText},
                                      {"time", 1, FieldType::kText}};
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    columns.push_back({spec.fields[i].name, static_cast<int>(i) + 2, spec.fields[i].type});
  }
  std::sort(columns.begin(), columns.end(),
            [](const EntryColumn& a, const EntryColumn& b) { return a.name < b.name; });
  return columns;
}

}  // namespace

std::optional<std::string> RowToCanonicalEntry(const Statement& row, const TableSpec& spec) {
  static const std::vector<std::vector<EntryColumn>> orders = [] {
    std::vector<std::vector<EntryColumn>> all;
    for (const TableSpec& t : Tables()) all.push_back(EntryColumns(t));
    return all;
  }();
  const std::vector<EntryColumn>& order = orders[static_cast<size_t>(spec.kind)];
  std::string out = "{";
  char number[32];
  for (const EntryColumn& c : order) {
    if (c.column >= 0 && row.IsNull(c.column)) continue;
    if (out.size() > 1) out += ',';
    out += '"';
    out += c.name;
    out += "\":";
    if (c.column < 0) {
      AppendCanonicalString(out, RecordKindName(spec.kind));
      continue;
    }
    const int type = row.Type(c.column);
    switch (c.type) {
      case FieldType::kText:
        if (type != SQLITE_TEXT) return std::nullopt;
        AppendCanonicalString(out, row.Text(c.column));
        break;
      case FieldType::kInteger:
      case FieldType::kId: {
        if (type != SQLITE_INTEGER) return std::nullopt;
        const auto [end, ec] = std::to_chars(number, number + sizeof(number), row.Int(c.column));
        out.append(number, end);
        break;
      }
      case FieldType::kBoolean:
        if (type != SQLITE_INTEGER || (row.Int(c.column) != 0 && row.Int(c.column) != 1)) {
          return std::nullopt;
        }
        out += row.Int(c.column) == 1 ? "true" : "false";
        break;
      case FieldType::kObject:
        // Stored as the canonical text written at Add; anything else will not match.
        if (type != SQLITE_TEXT) return std::nullopt;
        out += row.Text(c.column);
        break;
    }
  }
  out += '}';
  return out;
}

const std::vector<TableSpec>& Tables() {
  static const std::vector<TableSpec> tables = MakeTables();
  return tables;
}

const TableSpec& TableFor(RecordKind kind) { return Tables()[static_cast<size_t>(kind)]; }

Status ValidateFields(const TableSpec& spec, const nlohmann::json& fields) {
  const std::string kind(RecordKindName(spec.kind));
  if (!fields.is_object()) {
    return InvalidArgumentError("the fields of a " + kind + " record are not an object");
  }
  for (const auto& [name, value] : fields.items()) {
    const auto it = std::find_if(spec.fields.begin(), spec.fields.end(),
                                 [&key = name](const FieldSpec& f) { return f.name == key; });
    if (it == spec.fields.end()) {
      std::string known;
      for (const FieldSpec& f : spec.fields) known += (known.empty() ? "" : ", ") + std::string(f.name);
      return InvalidArgumentError("unknown field \"" + name + "\" in a " + kind + " record")
          .Expecting("one of " + known);
    }
    if (value.is_null()) continue;
    if (!HasType(value, it->type)) {
      return InvalidArgumentError("field \"" + name + "\" of a " + kind + " record is " +
                                  std::string(value.type_name()))
          .Expecting(std::string(TypeName(it->type)));
    }
    if (!it->allowed.empty() &&
        std::find(it->allowed.begin(), it->allowed.end(), value.get<std::string>()) ==
            it->allowed.end()) {
      std::string allowed;
      for (std::string_view a : it->allowed) allowed += (allowed.empty() ? "" : ", ") + std::string(a);
      return InvalidArgumentError("field \"" + name + "\" of a " + kind + " record is \"" +
                                  value.get<std::string>() + "\"")
          .Expecting("one of " + allowed);
    }
  }
  for (const FieldSpec& f : spec.fields) {
    if (f.required && (!fields.contains(f.name) || fields.at(std::string(f.name)).is_null())) {
      return InvalidArgumentError("a " + kind + " record has no \"" + std::string(f.name) +
                                  "\"")
          .Expecting("field \"" + std::string(f.name) + "\" (" + std::string(TypeName(f.type)) +
                     ")");
    }
  }
  return OkStatus();
}

std::string AppendOnlyTriggersSql(std::string_view table) {
  const std::string t(table);
  return "CREATE TRIGGER " + t + "_no_update BEFORE UPDATE ON " + t +
         " BEGIN SELECT RAISE(ABORT, 'lineage records are append-only: " + t +
         " rows cannot be updated'); END;\n"
         "CREATE TRIGGER " + t + "_no_delete BEFORE DELETE ON " + t +
         " BEGIN SELECT RAISE(ABORT, 'lineage records are append-only: " + t +
         " rows cannot be deleted'); END;\n";
}

std::string CreateTableSql(const TableSpec& spec) {
  std::string sql = "CREATE TABLE " + std::string(spec.table) +
                    " (\n  id INTEGER PRIMARY KEY REFERENCES log(idx),\n  time TEXT NOT NULL";
  for (const FieldSpec& f : spec.fields) {
    sql += ",\n  " + std::string(f.name) + " " + std::string(SqlType(f.type));
    if (f.required) sql += " NOT NULL";
    if (f.type == FieldType::kId) {
      sql += f.refers_to.size() == 1
                 ? " REFERENCES " + std::string(TableFor(f.refers_to[0]).table) + "(id)"
                 : " REFERENCES log(idx)";
    }
  }
  sql += "\n);\n";
  for (const FieldSpec& f : spec.fields) {
    if (f.type == FieldType::kId || f.name == "digest" || f.name == "subject_digest" ||
        f.name == "model_digest") {
      sql += "CREATE INDEX " + std::string(spec.table) + "_" + std::string(f.name) + " ON " +
             std::string(spec.table) + "(" + std::string(f.name) + ");\n";
    }
  }
  return sql + AppendOnlyTriggersSql(spec.table);
}

std::string InsertSql(const TableSpec& spec) {
  std::string columns = "id, time";
  std::string values = "?, ?";
  for (const FieldSpec& f : spec.fields) {
    columns += ", " + std::string(f.name);
    values += ", ?";
  }
  return "INSERT INTO " + std::string(spec.table) + " (" + columns + ") VALUES (" + values + ")";
}

std::string SelectSql(const TableSpec& spec) {
  std::string columns = "id, time";
  for (const FieldSpec& f : spec.fields) columns += ", " + std::string(f.name);
  return "SELECT " + columns + " FROM " + std::string(spec.table) + " ORDER BY id";
}

Status BindRow(Statement& insert, const TableSpec& spec, int64_t id, std::string_view time,
               const nlohmann::json& fields) {
  insert.Bind(1, id).Bind(2, time);
  int index = 3;
  for (const FieldSpec& f : spec.fields) {
    const auto it = fields.find(std::string(f.name));
    if (it == fields.end() || it->is_null()) {
      insert.BindNull(index++);
      continue;
    }
    switch (f.type) {
      case FieldType::kText: insert.Bind(index, it->get_ref<const std::string&>()); break;
      case FieldType::kInteger:
      case FieldType::kId: insert.Bind(index, it->get<int64_t>()); break;
      case FieldType::kBoolean: insert.Bind(index, int64_t{it->get<bool>() ? 1 : 0}); break;
      case FieldType::kObject: {
        PROBITY_ASSIGN_OR_RETURN(std::string text, CanonicalJson(*it));
        insert.Bind(index, text);
        break;
      }
    }
    ++index;
  }
  return OkStatus();
}

nlohmann::json RowToRecord(const Statement& row, const TableSpec& spec) {
  nlohmann::json record = nlohmann::json::object();
  record["record"] = RecordKindName(spec.kind);
  record["id"] = row.Int(0);
  record["time"] = row.Text(1);
  int column = 2;
  for (const FieldSpec& f : spec.fields) {
    const int c = column++;
    if (row.IsNull(c)) continue;
    const std::string name(f.name);
    switch (f.type) {
      case FieldType::kText:
        record[name] = row.Type(c) == SQLITE_TEXT ? nlohmann::json(row.Text(c))
                                                  : nlohmann::json(row.Int(c));
        break;
      case FieldType::kInteger:
      case FieldType::kId:
        record[name] = row.Type(c) == SQLITE_INTEGER ? nlohmann::json(row.Int(c))
                                                     : nlohmann::json(row.Text(c));
        break;
      case FieldType::kBoolean:
        record[name] = row.Type(c) == SQLITE_INTEGER && (row.Int(c) == 0 || row.Int(c) == 1)
                           ? nlohmann::json(row.Int(c) == 1)
                           : nlohmann::json(row.Text(c));
        break;
      case FieldType::kObject: {
        const std::string text = row.Text(c);
        nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
        record[name] = parsed.is_discarded() ? nlohmann::json(text) : std::move(parsed);
        break;
      }
    }
  }
  return record;
}

}  // namespace probity::lineage::internal
