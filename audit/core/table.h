// Table is Probity's in-memory dataset: a Schema and one Column per field, all of the same
// length. RowBatch is a slice of a file's rows produced by a streaming reader; consumers that
// aggregate (profiles, fairness statistics) work batch by batch in bounded memory, and
// TableBuilder concatenates batches when a whole Table is needed.
//
//   TableBuilder builder(schema);
//   for (RowBatch& batch : batches) PROBITY_RETURN_IF_ERROR(builder.Append(std::move(batch)));
//   Table table = std::move(builder).Finish();
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/column.h"
#include "audit/core/result.h"
#include "audit/core/schema.h"

namespace probity {

class Table {
 public:
  Table() = default;
  // Requires one column per schema field, all of equal length (checked).
  Table(Schema schema, std::vector<Column> columns);

  const Schema& schema() const { return schema_; }
  int64_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const Column& column(size_t i) const { return columns_[i]; }
  Column& mutable_column(size_t i) { return columns_[i]; }
  // Returns kNotFound naming the column when there is none of that name.
  Result<const Column*> ColumnByName(std::string_view name) const;

 private:
  Schema schema_;
  std::vector<Column> columns_;
  int64_t num_rows_ = 0;
};

// Rows [k, k + n) of a file, parsed. Batches are numbered in file order.
struct RowBatch {
  int64_t sequence = 0;      // 0-based position of the batch in the file
  int64_t first_line = 0;    // 1-based physical line where the batch's first row starts
  Table rows;                // the parsed rows; column types may widen (int64 -> float64)
  int64_t skipped_rows = 0;  // bad rows skipped under --on-bad-row=skip
  int64_t blank_lines = 0;   // empty lines, which hold no row
  std::vector<Status> skipped_examples;  // the first few skipped rows' errors, in order
};

// Concatenates batches in order into one Table, unifying string dictionaries and widening
// int64 columns to float64 when any batch widened them.
class TableBuilder {
 public:
  explicit TableBuilder(Schema schema);
  // Returns kInvalidArgument if the batch's columns do not match the schema.
  Status Append(const Table& batch);
  Table Finish() &&;

 private:
  Schema schema_;
  std::vector<Column> columns_;
};

}  // namespace probity
