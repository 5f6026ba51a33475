#include "audit/core/schema.h"

#include <algorithm>
#include <array>
#include <utility>

#include "audit/core/internal/name_table.h"

namespace probity {
namespace {

constexpr internal::NameTable<DataType, 4> kTypeNames = {{
    {DataType::kFloat64, "float64"},
    {DataType::kInt64, "int64"},
    {DataType::kBool, "bool"},
    {DataType::kString, "string"},
}};

constexpr internal::NameTable<ColumnRole, 7> kRoleNames = {{
    {ColumnRole::kFeature, "feature"},
    {ColumnRole::kLabel, "label"},
    {ColumnRole::kFacet, "facet"},
    {ColumnRole::kId, "id"},
    {ColumnRole::kWeight, "weight"},
    {ColumnRole::kPrediction, "prediction"},
    {ColumnRole::kScore, "score"},
}};

}  // namespace

std::string_view DataTypeName(DataType type) { return internal::NameOf(kTypeNames, type); }
std::string_view ColumnRoleName(ColumnRole role) { return internal::NameOf(kRoleNames, role); }
std::optional<DataType> ParseDataType(std::string_view name) {
  return internal::ValueOf(kTypeNames, name);
}
std::optional<ColumnRole> ParseColumnRole(std::string_view name) {
  return internal::ValueOf(kRoleNames, name);
}

Schema::Schema(std::vector<Field> fields) : fields_(std::move(fields)) {
  for (size_t i = 0; i < fields_.size(); ++i) index_.emplace(fields_[i].name, i);
}

std::optional<size_t> Schema::IndexOf(std::string_view name) const {
  auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<size_t> Schema::ColumnsWithRole(ColumnRole role) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].role == role) out.push_back(i);
  }
  return out;
}

Status Schema::Validate() const {
  std::map<std::string_view, size_t> seen;
  for (size_t i = 0; i < fields_.size(); ++i) {
    const Field& f = fields_[i];
    if (f.name.empty()) {
      return InvalidArgumentError("column " + std::to_string(i + 1) + " has an empty name")
          .Expecting("a non-empty column name");
    }
    if (!seen.emplace(f.name, i).second) {
      return InvalidArgumentError("column name \"" + f.name + "\" appears twice")
          .Expecting("unique column names");
    }
    if (!f.value_map.empty() && !f.categories.empty()) {
      for (const auto& [code, value] : f.value_map) {
        if (std::find(f.categories.begin(), f.categories.end(), value) == f.categories.end()) {
          return InvalidArgumentError("column \"" + f.name + "\" maps code \"" + code + "\" to \"" +
                                      value + "\", which is not in its categories")
              .Expecting("every mapped value to be one of the column's categories");
        }
      }
    }
  }
  return OkStatus();
}

}  // namespace probity
