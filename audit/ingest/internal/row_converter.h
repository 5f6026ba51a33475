// Converts field texts into typed column values, applying the schema: missing tokens,
// types, value maps, categories and nullability. The hot path (AppendCell, AppendColumn)
// only says whether a value fits; the message for a value that does not is built separately
// (CellError), so well-formed data pays nothing for error reporting.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "audit/core/column.h"
#include "audit/core/schema.h"
#include "audit/ingest/format_options.h"
#include "audit/ingest/internal/csv_tokenizer.h"

namespace probity::ingest::internal {

class RowConverter {
 public:
  // `file` names the input in error messages. `inference_rows` > 0 says the schema was
  // inferred from that many rows (errors then suggest writing a schema).
  RowConverter(const Schema& schema, const FormatOptions& format, std::string file,
               int64_t inference_rows);

  // Empty columns of the schema's types, with room for `rows` rows.
  std::vector<Column> NewColumns(int64_t rows) const;

  // Converts one value of schema column `index` and appends it to `column`; returns false,
  // appending nothing, when it does not fit. `is_null` marks JSON null or an absent key.
  // An inferred int64 column is widened to float64 by a decimal value. Thread-safe.
  bool AppendCell(size_t index, std::string_view text, bool is_null, Column& column) const;

  // Why AppendCell refuses this value: kInvalidArgument located at `where` (whose file is
  // filled in), naming the column, the value and what was expected.
  Status CellError(size_t index, std::string_view text, bool is_null, InputLocation where) const;

  // Converts field `k` of every row of `fields` into a column for schema column `index`.
  // Rows with row_ok[r] == 0, and rows whose value does not fit (listed in `bad`, in order),
  // get a null placeholder so that all columns stay aligned. Thread-safe.
  Column ConvertColumn(size_t index, std::string_view text, const CsvFields& fields, size_t k,
                       const std::vector<uint8_t>& row_ok, std::vector<uint32_t>* bad) const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Rules {
    std::string name;
    DataType type;
    bool nullable;
    bool widenable;  // inferred int64 that may become float64
    std::vector<std::string> missing;
    size_t max_missing_length = 0;
    bool empty_is_missing = false;
    std::array<bool, 256> missing_first{};  // first bytes of the non-empty missing tokens
    const std::map<std::string, std::string, std::less<>>* value_map = nullptr;
    std::unordered_set<std::string, StringHash, std::equal_to<>> categories;
    std::string categories_text;  // "a, b, c" for messages
    std::string codes_text;
  };
  static bool IsMissing(const Rules& rules, std::string_view text) {
    if (text.empty()) return rules.empty_is_missing;
    // Most values fail one of these cheap tests (numbers never start like "NA" or "?").
    if (text.size() > rules.max_missing_length ||
        !rules.missing_first[static_cast<unsigned char>(text[0])]) {
      return false;
    }
    for (const std::string& m : rules.missing) {
      if (text == m) return true;
    }
    return false;
  }
  // How one numeric text reads under a column's rules: missing tokens, value map, parsing,
  // NaN, widening. The JSON cell path and the CSV column path both go through it.
  enum class NumberCell { kNull, kInt, kDouble, kBad };
  template <bool kInteger>
  [[gnu::always_inline]] inline NumberCell ReadNumber(const Rules& rules, std::string_view text,
                                                      bool is_null, int64_t* as_int,
                                                      double* as_double) const;
  // Numeric columns are built straight into arrays, without per-value bookkeeping.
  template <typename T>
  Column ConvertNumbers(const Rules& rules, std::string_view text, const CsvFields& fields,
                        size_t k, const std::vector<uint8_t>& row_ok,
                        std::vector<uint32_t>* bad) const;
  template <DataType kType>
  [[gnu::always_inline]] inline bool AppendTyped(const Rules& rules, std::string_view text,
                                                 bool is_null, Column& column) const;

  std::vector<Rules> rules_;
  std::string file_;
  int64_t inference_rows_;
};

}  // namespace probity::ingest::internal
