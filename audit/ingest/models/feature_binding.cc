#include "audit/ingest/models/feature_binding.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "audit/core/status.h"
#include "audit/ingest/csv_writer.h"

namespace probity::models {
namespace {

std::string ColumnList(const Table& batch) {
  std::string names;
  const size_t shown = std::min<size_t>(batch.num_columns(), 12);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) names += ", ";
    names += batch.schema().field(i).name;
  }
  if (shown < batch.num_columns()) names += ", …";
  return names;
}

bool ParseWholeNumber(std::string_view text, double* out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return false;
  if (text.front() == '+') text.remove_prefix(1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<std::vector<const Column*>> BindColumns(const ModelInfo& info, const Table& batch) {
  std::vector<const Column*> columns;
  columns.reserve(info.inputs.size());
  for (const ModelInput& input : info.inputs) {
    std::optional<size_t> index = batch.schema().IndexOf(input.name);
    if (!index) {
      return InvalidArgumentError("model input \"" + input.name + "\" has no column in the data")
          .Expecting("a column named \"" + input.name + "\" (columns: " + ColumnList(batch) + ")");
    }
    columns.push_back(&batch.column(*index));
  }
  return columns;
}

std::map<std::string, DataType, std::less<>> InputTypeHints(const ModelInfo& info) {
  std::map<std::string, DataType, std::less<>> hints;
  for (const ModelInput& input : info.inputs) {
    if (input.kind != InputKind::kContinuous) hints[input.name] = DataType::kString;
  }
  return hints;
}

std::string CellText(const Column& column, int64_t row) {
  std::string text;
  ingest::AppendCellText(column, row, &text);
  return text;
}

Result<Buffer<double>> ReadNumbers(const Column& column, const ModelInput& input) {
  const size_t rows = static_cast<size_t>(column.size());
  Buffer<double> out(rows);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  switch (column.type()) {
    case DataType::kFloat64: {
      auto values = column.float64s();
      for (size_t r = 0; r < rows; ++r) {
        out[r] = column.IsValid(static_cast<int64_t>(r)) ? values[r] : nan;
      }
      return out;
    }
    case DataType::kInt64: {
      auto values = column.int64s();
      for (size_t r = 0; r < rows; ++r) {
        out[r] = column.IsValid(static_cast<int64_t>(r)) ? static_cast<double>(values[r]) : nan;
      }
      return out;
    }
    case DataType::kBool: {
      auto values = column.bools();
      for (size_t r = 0; r < rows; ++r) {
        out[r] = column.IsValid(static_cast<int64_t>(r)) ? values[r] : nan;
      }
      return out;
    }
    case DataType::kString: {
      // Parse each dictionary entry once.
      const auto& dictionary = column.dictionary();
      std::vector<double> parsed(dictionary.size());
      for (size_t i = 0; i < dictionary.size(); ++i) {
        if (!ParseWholeNumber(dictionary[i], &parsed[i])) {
          return InvalidArgumentError("column \"" + input.name + "\" holds \"" + dictionary[i] +
                                      "\", which model input \"" + input.name + "\" cannot read")
              .Expecting("a number (the model declares \"" + input.name + "\" continuous)");
        }
      }
      auto codes = column.codes();
      for (size_t r = 0; r < rows; ++r) {
        out[r] = codes[r] >= 0 ? parsed[static_cast<size_t>(codes[r])] : nan;
      }
      return out;
    }
  }
  return out;
}

Result<std::vector<int32_t>> EncodeCategories(const Column& column, const ModelInput& input,
                                              bool unseen_as_missing) {
  std::unordered_map<std::string_view, int32_t> index;
  index.reserve(input.categories.size());
  for (size_t i = 0; i < input.categories.size(); ++i) {
    index.emplace(input.categories[i], static_cast<int32_t>(i));
  }
  auto lookup = [&](const std::string& text, int64_t row) -> Result<int32_t> {
    auto it = index.find(text);
    if (it != index.end()) return it->second;
    // "4.0" read from a float column still matches the category "4".
    if (column.type() == DataType::kFloat64) {
      double v = column.float64s()[static_cast<size_t>(row)];
      for (size_t i = 0; i < input.categories.size(); ++i) {
        double c;
        if (ParseWholeNumber(input.categories[i], &c) && c == v) return static_cast<int32_t>(i);
      }
    }
    if (unseen_as_missing) return -1;
    std::string known;
    for (size_t i = 0; i < input.categories.size() && i < 12; ++i) {
      known += (i ? ", \"" : "\"") + input.categories[i] + "\"";
    }
    if (input.categories.size() > 12) known += ", …";
    return InvalidArgumentError("row " + std::to_string(row + 1) + " of column \"" + input.name +
                                "\" holds the category \"" + text + "\", unseen by the model")
        .Expecting("one of the model input's categories: " + known);
  };
  const size_t rows = static_cast<size_t>(column.size());
  std::vector<int32_t> out(rows, -1);
  if (column.type() == DataType::kString) {
    const auto& dictionary = column.dictionary();
    std::vector<int32_t> mapped(dictionary.size(), -2);  // -2 = not yet resolved
    auto codes = column.codes();
    for (size_t r = 0; r < rows; ++r) {
      const int32_t code = codes[r];
      if (code < 0) continue;
      int32_t& m = mapped[static_cast<size_t>(code)];
      if (m == -2) {
        PROBITY_ASSIGN_OR_RETURN(
            m, lookup(dictionary[static_cast<size_t>(code)], static_cast<int64_t>(r)));
      }
      out[r] = m;
    }
    return out;
  }
  for (size_t r = 0; r < rows; ++r) {
    const auto row = static_cast<int64_t>(r);
    if (!column.IsValid(row)) continue;
    PROBITY_ASSIGN_OR_RETURN(out[r], lookup(CellText(column, row), row));
  }
  return out;
}

Result<std::vector<Buffer<double>>> ReadInputColumns(const ModelInfo& info, const Table& batch) {
  PROBITY_ASSIGN_OR_RETURN(std::vector<const Column*> columns, BindColumns(info, batch));
  std::vector<Buffer<double>> values(columns.size());
  for (size_t j = 0; j < columns.size(); ++j) {
    const ModelInput& input = info.inputs[j];
    if (input.kind == InputKind::kContinuous || input.categories.empty()) {
      PROBITY_ASSIGN_OR_RETURN(values[j], ReadNumbers(*columns[j], input));
      continue;
    }
    PROBITY_ASSIGN_OR_RETURN(std::vector<int32_t> codes, EncodeCategories(*columns[j], input));
    values[j].resize(codes.size());
    for (size_t r = 0; r < codes.size(); ++r) {
      values[j][r] = codes[r] < 0 ? std::numeric_limits<double>::quiet_NaN() : codes[r];
    }
  }
  return values;
}

Buffer<double> ToRowMajor(const std::vector<Buffer<double>>& columns, int64_t rows) {
  const size_t width = columns.size();
  Buffer<double> out(static_cast<size_t>(rows) * width);
  for (size_t j = 0; j < width; ++j) {
    for (size_t r = 0; r < static_cast<size_t>(rows); ++r) out[r * width + j] = columns[j][r];
  }
  return out;
}

}  // namespace probity::models
