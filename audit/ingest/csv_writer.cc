#include "audit/ingest/csv_writer.h"

#include <charconv>
#include <cmath>

namespace probity::ingest {
namespace {

constexpr size_t kWriteChunkBytes = size_t{1} << 20;

bool NeedsQuotes(std::string_view text, char delimiter) {
  if (text.empty()) return false;
  if (text.front() == ' ' || text.front() == '\t' || text.back() == ' ' || text.back() == '\t') {
    return true;
  }
  for (char c : text) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

}  // namespace

void AppendCsvField(std::string_view text, std::string* out, char delimiter) {
  if (!NeedsQuotes(text, delimiter)) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendCsvNumber(double value, std::string* out) {
  if (std::isnan(value)) return;
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out->append(buffer, end);
}

void AppendCellText(const Column& column, int64_t row, std::string* out) {
  if (!column.IsValid(row)) return;
  const auto i = static_cast<size_t>(row);
  switch (column.type()) {
    case DataType::kString: out->append(column.StringAt(row)); return;
    case DataType::kInt64: {
      char buffer[24];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, column.int64s()[i]);
      out->append(buffer, end);
      return;
    }
    case DataType::kBool: out->append(column.bools()[i] ? "true" : "false"); return;
    case DataType::kFloat64: AppendCsvNumber(column.float64s()[i], out); return;
  }
}

void AppendCsvCell(const Column& column, int64_t row, std::string* out, char delimiter) {
  if (column.type() == DataType::kString) {
    if (column.IsValid(row)) AppendCsvField(column.StringAt(row), out, delimiter);
    return;
  }
  AppendCellText(column, row, out);  // numbers and bools never need quotes
}

void AppendCsvHeader(std::span<const std::string> names, std::string* out,
                     const CsvWriteOptions& options) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out->push_back(options.delimiter);
    AppendCsvField(names[i], out, options.delimiter);
  }
  out->append(options.line_end);
}

void AppendCsvRows(std::span<const Column* const> columns, int64_t begin, int64_t end,
                   std::string* out, const CsvWriteOptions& options) {
  for (int64_t row = begin; row < end; ++row) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out->push_back(options.delimiter);
      AppendCsvCell(*columns[i], row, out, options.delimiter);
    }
    // A record of one empty field would read as a blank line, which holds no record.
    if (columns.size() == 1 && !columns[0]->IsValid(row)) out->append("\"\"");
    out->append(options.line_end);
  }
}

Status WriteCsv(std::span<const std::string> names, std::span<const Column* const> columns,
                OutputFile& out, const CsvWriteOptions& options) {
  std::string text;
  AppendCsvHeader(names, &text, options);
  const int64_t rows = columns.empty() ? 0 : columns[0]->size();
  for (int64_t row = 0; row < rows; ++row) {
    AppendCsvRows(columns, row, row + 1, &text, options);
    if (text.size() >= kWriteChunkBytes) {
      PROBITY_RETURN_IF_ERROR(out.Append(text));
      text.clear();
    }
  }
  return out.Append(text);
}

}  // namespace probity::ingest
