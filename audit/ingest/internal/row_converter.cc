#include "audit/ingest/internal/row_converter.h"

#include <cmath>
#include <limits>
#include <type_traits>

#include "audit/ingest/internal/text_values.h"

namespace probity::ingest::internal {
namespace {

std::string Quoted(std::string_view text) {
  constexpr size_t kMax = 60;
  std::string out = "\"";
  for (char c : text.substr(0, kMax)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned char>(c));
      out += buffer;
    } else {
      out += c;
    }
  }
  if (text.size() > kMax) out += "…";
  return out + "\"";
}

std::string JoinLimited(const std::vector<std::string>& items, size_t limit) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < limit; ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  if (items.size() > limit) out += ", … (" + std::to_string(items.size()) + " in all)";
  return out;
}

std::string TypeExpectation(DataType type) {
  switch (type) {
    case DataType::kFloat64: return "a number (float64)";
    case DataType::kInt64: return "an integer (int64)";
    case DataType::kBool: return "a boolean (true/false, yes/no, 1/0)";
    case DataType::kString: return "UTF-8 text";
  }
  return "a value";
}

}  // namespace

RowConverter::RowConverter(const Schema& schema, const FormatOptions& format, std::string file,
                           int64_t inference_rows)
    : file_(std::move(file)), inference_rows_(inference_rows) {
  rules_.reserve(schema.size());
  for (const Field& f : schema.fields()) {
    Rules r;
    r.name = f.name;
    r.type = f.type;
    r.nullable = f.nullable;
    r.widenable = f.inferred && f.type == DataType::kInt64;
    r.missing = f.missing_tokens ? *f.missing_tokens : format.missing_tokens;
    for (const std::string& m : r.missing) {
      r.max_missing_length = std::max(r.max_missing_length, m.size());
      if (m.empty()) {
        r.empty_is_missing = true;
      } else {
        r.missing_first[static_cast<unsigned char>(m[0])] = true;
      }
    }
    if (!f.value_map.empty()) {
      r.value_map = &f.value_map;
      std::vector<std::string> codes;
      for (const auto& [code, value] : f.value_map) codes.push_back(code);
      r.codes_text = JoinLimited(codes, 12);
    }
    for (const std::string& c : f.categories) r.categories.insert(c);
    r.categories_text = JoinLimited(f.categories, 12);
    rules_.push_back(std::move(r));
  }
}

std::vector<Column> RowConverter::NewColumns(int64_t rows) const {
  std::vector<Column> columns;
  columns.reserve(rules_.size());
  for (const Rules& r : rules_) {
    columns.emplace_back(r.type);
    columns.back().Reserve(rows);
  }
  return columns;
}

template <bool kInteger>
inline RowConverter::NumberCell RowConverter::ReadNumber(const Rules& rules, std::string_view text,
                                                         bool is_null, int64_t* as_int,
                                                         double* as_double) const {
  if (is_null || IsMissing(rules, text))
    return rules.nullable ? NumberCell::kNull : NumberCell::kBad;
  if (rules.value_map != nullptr) {
    auto it = rules.value_map->find(text);
    if (it == rules.value_map->end()) return NumberCell::kBad;
    text = it->second;
  }
  if constexpr (kInteger) {
    if (ParseInt64(text, as_int) == NumberParse::kOk) return NumberCell::kInt;
    // An inferred integer column takes a decimal by widening to float64.
    if (rules.widenable && ParseFloat64(text, as_double) == NumberParse::kOk &&
        !std::isnan(*as_double)) {
      return NumberCell::kDouble;
    }
    return NumberCell::kBad;
  } else {
    if (ParseFloat64(text, as_double) != NumberParse::kOk) return NumberCell::kBad;
    if (std::isnan(*as_double)) return rules.nullable ? NumberCell::kNull : NumberCell::kBad;
    return NumberCell::kDouble;
  }
}

template <DataType kType>
inline bool RowConverter::AppendTyped(const Rules& rules, std::string_view text, bool is_null,
                                      Column& column) const {
  if constexpr (kType == DataType::kFloat64 || kType == DataType::kInt64) {
    int64_t i = 0;
    double d = 0;
    switch (ReadNumber<kType == DataType::kInt64>(rules, text, is_null, &i, &d)) {
      case NumberCell::kBad: return false;
      case NumberCell::kNull: column.AppendNull(); return true;
      case NumberCell::kInt:
        if (column.type() == DataType::kFloat64) {
          column.AppendFloat64(static_cast<double>(i));
        } else {
          column.AppendInt64(i);
        }
        return true;
      case NumberCell::kDouble:
        if (column.type() == DataType::kInt64) column.WidenToFloat64();
        column.AppendFloat64(d);
        return true;
    }
    return false;
  }
  if (is_null || IsMissing(rules, text)) {
    if (!rules.nullable) return false;
    column.AppendNull();
    return true;
  }
  if (rules.value_map != nullptr) {
    auto it = rules.value_map->find(text);
    if (it == rules.value_map->end()) return false;
    text = it->second;
  }
  if constexpr (kType == DataType::kBool) {
    std::optional<bool> b = ParseBool(text, /*strict=*/false);
    if (!b) return false;
    column.AppendBool(*b);
  } else {
    // Most values repeat: only a string new to this batch's dictionary is validated.
    int32_t code = column.FindString(text);
    if (code >= 0) {
      column.AppendCode(code);
      return true;
    }
    if (FindInvalidUtf8(text) >= 0) return false;
    if (!rules.categories.empty() && !rules.categories.contains(text)) return false;
    column.AppendString(text);
  }
  return true;
}

bool RowConverter::AppendCell(size_t index, std::string_view text, bool is_null,
                              Column& column) const {
  const Rules& rules = rules_[index];
  switch (rules.type) {
    case DataType::kFloat64: return AppendTyped<DataType::kFloat64>(rules, text, is_null, column);
    case DataType::kInt64: return AppendTyped<DataType::kInt64>(rules, text, is_null, column);
    case DataType::kBool: return AppendTyped<DataType::kBool>(rules, text, is_null, column);
    case DataType::kString: return AppendTyped<DataType::kString>(rules, text, is_null, column);
  }
  return false;
}

template <typename T>
Column RowConverter::ConvertNumbers(const Rules& rules, std::string_view text,
                                    const CsvFields& fields, size_t k,
                                    const std::vector<uint8_t>& row_ok,
                                    std::vector<uint32_t>* bad) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const size_t rows = fields.rows();
  Buffer<T> values(rows);  // every slot is written below
  Buffer<double> widened;  // an inferred int64 column that met a decimal
  std::vector<uint64_t> validity((rows + 63) / 64, 0);
  int64_t nulls = 0;
  for (size_t r = 0; r < rows; ++r) {
    auto set_null = [&] {
      ++nulls;
      if constexpr (std::is_same_v<T, double>) {
        values[r] = kNaN;
      } else {
        values[r] = 0;
      }
      if (!widened.empty()) widened[r] = kNaN;
    };
    if (row_ok[r] == 0) {
      set_null();
      continue;
    }
    size_t i = fields.row_field[r] + k;
    std::string_view value(text.data() + fields.begin[i], fields.end[i] - fields.begin[i]);
    int64_t as_int = 0;
    double as_double = 0;
    switch (ReadNumber<std::is_same_v<T, int64_t>>(rules, value, false, &as_int, &as_double)) {
      case NumberCell::kBad:
        bad->push_back(static_cast<uint32_t>(r));
        set_null();
        continue;
      case NumberCell::kNull: set_null(); continue;
      case NumberCell::kInt:
        values[r] = static_cast<T>(as_int);
        if (!widened.empty()) widened[r] = static_cast<double>(as_int);
        break;
      case NumberCell::kDouble:
        if constexpr (std::is_same_v<T, double>) {
          values[r] = as_double;
        } else {
          if (widened.empty()) {
            widened.resize(rows);
            for (size_t j = 0; j < r; ++j) {
              bool valid = (validity[j >> 6] >> (j & 63)) & 1U;
              widened[j] = valid ? static_cast<double>(values[j]) : kNaN;
            }
          }
          widened[r] = as_double;
        }
        break;
    }
    validity[r >> 6] |= uint64_t{1} << (r & 63);
  }
  if (!widened.empty()) return Column::FromFloat64(std::move(widened), std::move(validity), nulls);
  if constexpr (std::is_same_v<T, double>) {
    return Column::FromFloat64(std::move(values), std::move(validity), nulls);
  } else {
    return Column::FromInt64(std::move(values), std::move(validity), nulls);
  }
}

Column RowConverter::ConvertColumn(size_t index, std::string_view text, const CsvFields& fields,
                                   size_t k, const std::vector<uint8_t>& row_ok,
                                   std::vector<uint32_t>* bad) const {
  const Rules& rules = rules_[index];
  if (rules.type == DataType::kFloat64)
    return ConvertNumbers<double>(rules, text, fields, k, row_ok, bad);
  if (rules.type == DataType::kInt64)
    return ConvertNumbers<int64_t>(rules, text, fields, k, row_ok, bad);
  Column column(rules.type);
  column.Reserve(static_cast<int64_t>(fields.rows()));
  auto run = [&](auto append) {
    const size_t rows = fields.rows();
    for (size_t r = 0; r < rows; ++r) {
      if (row_ok[r] == 0) {
        column.AppendNull();
        continue;
      }
      size_t i = fields.row_field[r] + k;
      std::string_view value(text.data() + fields.begin[i], fields.end[i] - fields.begin[i]);
      if (!append(value)) {
        column.AppendNull();
        bad->push_back(static_cast<uint32_t>(r));
      }
    }
  };
  if (rules.type == DataType::kBool) {
    run([&](std::string_view v) { return AppendTyped<DataType::kBool>(rules, v, false, column); });
  } else {
    run([&](std::string_view v) {
      return AppendTyped<DataType::kString>(rules, v, false, column);
    });
  }
  return column;
}

Status RowConverter::CellError(size_t index, std::string_view text, bool is_null,
                               InputLocation where) const {
  const Rules& rules = rules_[index];
  where.file = file_;
  auto error = [&](std::string what, std::string expected) {
    if (inference_rows_ > 0) {
      expected += " (the type was inferred from the first " + std::to_string(inference_rows_) +
                  " rows; to change it, write a schema with `probity data schema " + file_ +
                  " > schema.yaml`, edit it and pass --schema schema.yaml)";
    }
    return InvalidArgumentError(std::move(what) + " in column \"" + rules.name + "\"")
        .At(where)
        .Expecting(std::move(expected));
  };
  if (is_null || IsMissing(rules, text)) {
    return error("missing value", "a value (the column is not nullable)");
  }
  if (rules.value_map != nullptr) {
    auto it = rules.value_map->find(text);
    if (it == rules.value_map->end()) {
      return error("found unknown code " + Quoted(text),
                   "one of the codes in the schema's value map: " + rules.codes_text);
    }
    text = it->second;
  }
  switch (rules.type) {
    case DataType::kFloat64: {
      double v;
      NumberParse r = ParseFloat64(text, &v);
      if (r == NumberParse::kOutOfRange) {
        return error("number " + Quoted(text) + " is out of the float64 range",
                     TypeExpectation(rules.type));
      }
      if (r == NumberParse::kOk)
        return error("missing value (NaN)", "a value (the column is not nullable)");
      return error("found " + Quoted(text), TypeExpectation(rules.type));
    }
    case DataType::kInt64: {
      int64_t i;
      NumberParse r = ParseInt64(text, &i);
      if (r == NumberParse::kOutOfRange) {
        return error("integer " + Quoted(text) + " is out of the int64 range",
                     TypeExpectation(rules.type));
      }
      return error("found " + Quoted(text),
                   rules.widenable ? "a number" : TypeExpectation(rules.type));
    }
    case DataType::kBool: return error("found " + Quoted(text), TypeExpectation(rules.type));
    case DataType::kString: {
      int64_t bad = FindInvalidUtf8(text);
      if (bad >= 0) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x",
                      static_cast<unsigned char>(text[static_cast<size_t>(bad)]));
        return error(std::string("invalid UTF-8 (byte ") + byte + " at offset " +
                         std::to_string(bad) + " of the field)",
                     "UTF-8 text");
      }
      return error("found " + Quoted(text) + ", which is not a category",
                   "one of " + rules.categories_text);
    }
  }
  return InternalError("unknown column type");
}

}  // namespace probity::ingest::internal
