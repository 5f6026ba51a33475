#include "audit/core/table.h"

#include "audit/core/check.h"

namespace probity {

Table::Table(Schema schema, std::vector<Column> columns)
    : schema_(std::move(schema)), columns_(std::move(columns)) {
  PROBITY_CHECK(schema_.size() == columns_.size());
  num_rows_ = columns_.empty() ? 0 : columns_.front().size();
  for (const Column& c : columns_) PROBITY_CHECK(c.size() == num_rows_);
}

Result<const Column*> Table::ColumnByName(std::string_view name) const {
  std::optional<size_t> i = schema_.IndexOf(name);
  if (!i) {
    return NotFoundError("no column named \"" + std::string(name) + "\"")
        .Expecting("one of the table's " + std::to_string(columns_.size()) + " columns");
  }
  return &columns_[*i];
}

TableBuilder::TableBuilder(Schema schema) : schema_(std::move(schema)) {
  columns_.reserve(schema_.size());
  for (const Field& f : schema_.fields()) columns_.emplace_back(f.type);
}

Status TableBuilder::Append(const Table& batch) {
  if (batch.num_columns() != columns_.size()) {
    return InvalidArgumentError("batch has " + std::to_string(batch.num_columns()) + " columns")
        .Expecting(std::to_string(columns_.size()) + " columns");
  }
  for (size_t i = 0; i < columns_.size(); ++i) {
    PROBITY_RETURN_IF_ERROR(columns_[i].AppendColumn(batch.column(i)));
  }
  return OkStatus();
}

Table TableBuilder::Finish() && {
  for (size_t i = 0; i < columns_.size(); ++i) {
    schema_.mutable_field(i).type = columns_[i].type();
  }
  return Table(std::move(schema_), std::move(columns_));
}

}  // namespace probity
