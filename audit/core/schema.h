// Schema describes the columns of a Table: each column's name, value type and role (what
// the column is for in an audit). Schemas come from a schema file or from type inference
// (audit/ingest/schema_file.h, audit/ingest/type_inference.h) and travel with every Table.
//
//   Schema schema({Field{.name = "age", .type = DataType::kInt64, .role = ColumnRole::kFacet}});
//   std::optional<size_t> i = schema.IndexOf("age");
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/result.h"

namespace probity {

enum class DataType { kFloat64, kInt64, kBool, kString };

// What a column is for. Fairness reads facets and labels, explanations read features.
enum class ColumnRole { kFeature, kLabel, kFacet, kId, kWeight, kPrediction, kScore };

// Stable lower-case names used in files and JSON ("float64", "facet").
std::string_view DataTypeName(DataType type);
std::string_view ColumnRoleName(ColumnRole role);
// Parse the names above; nullopt for anything else.
std::optional<DataType> ParseDataType(std::string_view name);
std::optional<ColumnRole> ParseColumnRole(std::string_view name);

struct Field {
  std::string name;
  DataType type = DataType::kString;
  ColumnRole role = ColumnRole::kFeature;
  bool nullable = true;
  // Allowed values after decoding; empty means any value is allowed.
  std::vector<std::string> categories;
  // Tokens read as missing in this column; nullopt means "use the format's tokens".
  std::optional<std::vector<std::string>> missing_tokens;
  // Raw code -> value map for coded data (German credit's A91...); empty means no map.
  std::map<std::string, std::string, std::less<>> value_map;
  std::string description;
  // True when the type was inferred from a sample rather than declared; such an int64
  // column may be widened to float64 by a later value.
  bool inferred = false;
};

class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields);

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  const Field& field(size_t i) const { return fields_[i]; }
  Field& mutable_field(size_t i) { return fields_[i]; }
  const std::vector<Field>& fields() const { return fields_; }

  // Index of the column with this name; nullopt if absent. O(log n).
  std::optional<size_t> IndexOf(std::string_view name) const;
  // Indices of the columns with this role, in column order.
  std::vector<size_t> ColumnsWithRole(ColumnRole role) const;

  // Checks names are non-empty and unique and categories are consistent with value maps.
  // Returns kInvalidArgument naming the first offending column.
  Status Validate() const;

 private:
  std::vector<Field> fields_;
  std::map<std::string, size_t, std::less<>> index_;
};

}  // namespace probity
