// The typed tables behind the record kinds of lineage/record.h: one table per kind, one
// column per field, so lineage can be queried with SQL in the spirit of ML Metadata. The
// store writes a row from a record; the verifier rebuilds the record from the row and checks
// it against the logged entry. Both use this one description, so they cannot drift apart.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/result.h"
#include "lineage/internal/sqlite.h"
#include "lineage/record.h"

namespace probity::lineage::internal {

enum class FieldType {
  kText,     // a JSON string
  kInteger,  // a JSON integer (|x| ≤ 2^53)
  kBoolean,  // a JSON boolean, stored as 0/1
  kObject,   // a JSON object, stored as canonical JSON text
  kId,       // the id of an earlier record (of the kinds in `refers_to`)
};

struct FieldSpec {
  std::string_view name;
  FieldType type;
  bool required = false;
  std::vector<RecordKind> refers_to = {};  // for kId; empty = any kind
  std::vector<std::string_view> allowed = {};  // for kText: the closed set of values, if any
};

struct TableSpec {
  RecordKind kind;
  std::string_view table;
  std::vector<FieldSpec> fields;  // after the common columns id and time
};

const std::vector<TableSpec>& Tables();
const TableSpec& TableFor(RecordKind kind);

// Checks a record's fields: no unknown field, required fields present, types right, values
// in their closed sets. Ids are checked by the store (it knows which exist). `where` prefixes
// error messages (e.g. "record 3 (artifact)").
Status ValidateFields(const TableSpec& spec, const nlohmann::json& fields);

// DDL for one table, including the triggers that refuse UPDATE and DELETE.
std::string CreateTableSql(const TableSpec& spec);
// "INSERT INTO t (id, time, f1, …) VALUES (?, ?, ?, …)".
std::string InsertSql(const TableSpec& spec);
// "SELECT id, time, f1, … FROM t ORDER BY id".
std::string SelectSql(const TableSpec& spec);
// Binds id, time and the fields (object fields as the given canonical texts).
Status BindRow(Statement& insert, const TableSpec& spec, int64_t id, std::string_view time,
               const nlohmann::json& fields);
// Rebuilds the full stored record ({"record", "id", "time", fields…}) from a row selected
// with SelectSql. Object columns that are not valid JSON are returned as strings, so the
// comparison with the entry fails and names the field.
nlohmann::json RowToRecord(const Statement& row, const TableSpec& spec);

// The canonical entry bytes of a row selected with SelectSql, built directly from the
// columns (the verifier's fast path: no JSON tree). nullopt when a column does not have
// its field's type, in which case the row cannot match its entry; RowToRecord then helps
// name the field.
std::optional<std::string> RowToCanonicalEntry(const Statement& row, const TableSpec& spec);

// The triggers that make a table append-only.
std::string AppendOnlyTriggersSql(std::string_view table);

}  // namespace probity::lineage::internal
