// Column is one typed, nullable column of a Table: a contiguous array of float64, int64,
// bool or dictionary codes (for strings) plus a validity bitmap (bit set = value present).
// Parsers append to columns; every later module reads them through the typed spans.
//
//   Column age(DataType::kInt64);
//   age.AppendInt64(42);
//   age.AppendNull();
//   if (age.IsValid(0)) Use(age.int64s()[0]);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/buffer.h"
#include "audit/core/schema.h"

namespace probity {

class Column {
 public:
  explicit Column(DataType type = DataType::kString) : type_(type) {}

  DataType type() const { return type_; }
  int64_t size() const { return size_; }
  int64_t null_count() const { return null_count_; }
  bool IsValid(int64_t row) const {
    return (validity_[static_cast<size_t>(row) >> 6] >> (row & 63)) & 1U;
  }

  // Typed views; only the one matching type() is non-empty. Null slots hold 0 (NaN for
  // float64, code -1 for strings).
  std::span<const double> float64s() const { return f64_; }
  std::span<const int64_t> int64s() const { return i64_; }
  std::span<const uint8_t> bools() const { return bools_; }
  std::span<const int32_t> codes() const { return codes_; }
  // Distinct strings in first-seen order; codes() index into it.
  const std::vector<std::string>& dictionary() const { return dictionary_; }
  // The string at `row`; empty for a null. Requires type() == kString.
  std::string_view StringAt(int64_t row) const;
  // The value as a double: float64 as is, int64 and bool converted; NaN for null or string.
  double NumberAt(int64_t row) const;

  // Builds a column from finished arrays. `validity` holds (values.size() + 63) / 64 words,
  // bit set = value present, with no bits set past the end; `null_count` is the number of
  // clear bits. Null slots should hold NaN (float64) or 0 (int64).
  static Column FromFloat64(Buffer<double> values, std::vector<uint64_t> validity,
                            int64_t null_count);
  static Column FromInt64(Buffer<int64_t> values, std::vector<uint64_t> validity,
                          int64_t null_count);

  void Reserve(int64_t rows);
  void AppendFloat64(double v) {
    f64_.push_back(v);
    AppendValidity(true);
  }
  void AppendInt64(int64_t v) {
    i64_.push_back(v);
    AppendValidity(true);
  }
  void AppendBool(bool v) {
    bools_.push_back(v ? 1 : 0);
    AppendValidity(true);
  }
  void AppendString(std::string_view v);
  // The code of `v` in the dictionary, or -1 if it is not there.
  int32_t FindString(std::string_view v) const;
  // Appends a string by its dictionary code (from FindString). Requires 0 <= code < size.
  void AppendCode(int32_t code) {
    codes_.push_back(code);
    AppendValidity(true);
  }
  void AppendNull();

  // Drops rows from the end so that `rows` remain (rows <= size()). Dictionary entries are
  // kept, so a dictionary may then hold strings no row uses.
  void Truncate(int64_t rows);
  // A copy holding only the rows whose `keep` entry is non-zero (keep.size() == size()).
  Column Filter(const std::vector<uint8_t>& keep) const;
  // Converts an int64 column to float64 in place (used when an inferred integer column
  // meets a decimal value). Requires type() == kInt64.
  void WidenToFloat64();
  // Appends every row of `other`, which must have the same type, or be int64 when this is
  // float64 (or vice versa, in which case this column is widened first). String codes are
  // remapped into this column's dictionary. Returns kInvalidArgument on other type mixes.
  Status AppendColumn(const Column& other);

 private:
  void AppendValidity(bool valid) {
    auto word = static_cast<size_t>(size_ >> 6);
    if (word == validity_.size()) validity_.push_back(0);
    validity_[word] |= uint64_t{valid} << (size_ & 63);
    null_count_ += valid ? 0 : 1;
    ++size_;
  }
  int32_t InternString(std::string_view v);
  // A column of `rows` rows with the given validity bits and no values yet.
  static Column WithValidity(DataType type, size_t rows, std::vector<uint64_t> validity,
                             int64_t null_count);
  void RehashDictionary(size_t capacity);

  DataType type_;
  int64_t size_ = 0;
  int64_t null_count_ = 0;
  std::vector<uint64_t> validity_;
  Buffer<double> f64_;
  Buffer<int64_t> i64_;
  std::vector<uint8_t> bools_;
  std::vector<int32_t> codes_;
  std::vector<std::string> dictionary_;
  // Open-addressing index into dictionary_, keyed by HashBytes: each slot holds the code + 1
  // (0 = empty) and the hash's high 32 bits, compared before the strings.
  struct DictionarySlot {
    int32_t code_plus_one = 0;
    uint32_t hash_high = 0;
  };
  std::vector<DictionarySlot> dictionary_slots_;
};

}  // namespace probity
