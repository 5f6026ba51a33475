#include "audit/core/column.h"

#include <cstring>
#include <limits>

#include "audit/core/check.h"
#include "audit/core/hash.h"

namespace probity {

std::string_view Column::StringAt(int64_t row) const {
  PROBITY_CHECK(type_ == DataType::kString);
  int32_t code = codes_[static_cast<size_t>(row)];
  return code < 0 ? std::string_view() : std::string_view(dictionary_[static_cast<size_t>(code)]);
}

double Column::NumberAt(int64_t row) const {
  if (!IsValid(row)) return std::numeric_limits<double>::quiet_NaN();
  auto i = static_cast<size_t>(row);
  switch (type_) {
    case DataType::kFloat64: return f64_[i];
    case DataType::kInt64: return static_cast<double>(i64_[i]);
    case DataType::kBool: return bools_[i];
    case DataType::kString: break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

Column Column::WithValidity(DataType type, size_t rows, std::vector<uint64_t> validity,
                            int64_t null_count) {
  PROBITY_CHECK(validity.size() == (rows + 63) / 64);
  Column c(type);
  c.size_ = static_cast<int64_t>(rows);
  c.null_count_ = null_count;
  c.validity_ = std::move(validity);
  return c;
}

Column Column::FromFloat64(Buffer<double> values, std::vector<uint64_t> validity,
                           int64_t null_count) {
  Column c = WithValidity(DataType::kFloat64, values.size(), std::move(validity), null_count);
  c.f64_ = std::move(values);
  return c;
}

Column Column::FromInt64(Buffer<int64_t> values, std::vector<uint64_t> validity,
                         int64_t null_count) {
  Column c = WithValidity(DataType::kInt64, values.size(), std::move(validity), null_count);
  c.i64_ = std::move(values);
  return c;
}

void Column::Reserve(int64_t rows) {
  auto n = static_cast<size_t>(rows);
  validity_.reserve((n + 63) / 64);
  switch (type_) {
    case DataType::kFloat64: f64_.reserve(n); break;
    case DataType::kInt64: i64_.reserve(n); break;
    case DataType::kBool: bools_.reserve(n); break;
    case DataType::kString: codes_.reserve(n); break;
  }
}

namespace {

// Byte equality without a library call for the short strings typical of categories.
bool ShortEqual(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    return n <= 16 ? Load64(a) == Load64(b) && Load64(a + n - 8) == Load64(b + n - 8)
                   : std::memcmp(a, b, n) == 0;
  }
  if (n >= 4) return Load32(a) == Load32(b) && Load32(a + n - 4) == Load32(b + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

void Column::RehashDictionary(size_t capacity) {
  dictionary_slots_.assign(capacity, DictionarySlot{});
  for (size_t code = 0; code < dictionary_.size(); ++code) {
    uint64_t h = HashBytes(dictionary_[code]);
    size_t i = h & (capacity - 1);
    while (dictionary_slots_[i].code_plus_one != 0) i = (i + 1) & (capacity - 1);
    dictionary_slots_[i] = {static_cast<int32_t>(code) + 1, static_cast<uint32_t>(h >> 32)};
  }
}

int32_t Column::FindString(std::string_view v) const {
  if (dictionary_slots_.empty()) return -1;
  const size_t mask = dictionary_slots_.size() - 1;
  const uint64_t h = HashBytes(v);
  const auto high = static_cast<uint32_t>(h >> 32);
  for (size_t i = h & mask; int32_t slot = dictionary_slots_[i].code_plus_one; i = (i + 1) & mask) {
    if (dictionary_slots_[i].hash_high == high) {
      const std::string& s = dictionary_[static_cast<size_t>(slot - 1)];
      if (s.size() == v.size() && ShortEqual(s.data(), v.data(), v.size())) return slot - 1;
    }
  }
  return -1;
}

int32_t Column::InternString(std::string_view v) {
  if (dictionary_slots_.empty()) RehashDictionary(16);
  const size_t mask = dictionary_slots_.size() - 1;
  const uint64_t h = HashBytes(v);
  const auto high = static_cast<uint32_t>(h >> 32);
  size_t i = h & mask;
  while (int32_t slot = dictionary_slots_[i].code_plus_one) {
    if (dictionary_slots_[i].hash_high == high) {
      const std::string& s = dictionary_[static_cast<size_t>(slot - 1)];
      if (s.size() == v.size() && ShortEqual(s.data(), v.data(), v.size())) return slot - 1;
    }
    i = (i + 1) & mask;
  }
  auto code = static_cast<int32_t>(dictionary_.size());
  dictionary_.emplace_back(v);
  dictionary_slots_[i] = {code + 1, high};
  if (dictionary_.size() * 2 > dictionary_slots_.size())
    RehashDictionary(dictionary_slots_.size() * 2);
  return code;
}

void Column::AppendString(std::string_view v) {
  codes_.push_back(InternString(v));
  AppendValidity(true);
}

void Column::AppendNull() {
  switch (type_) {
    case DataType::kFloat64: f64_.push_back(std::numeric_limits<double>::quiet_NaN()); break;
    case DataType::kInt64: i64_.push_back(0); break;
    case DataType::kBool: bools_.push_back(0); break;
    case DataType::kString: codes_.push_back(-1); break;
  }
  AppendValidity(false);
}

void Column::Truncate(int64_t rows) {
  PROBITY_CHECK(rows >= 0 && rows <= size_);
  for (int64_t r = rows; r < size_; ++r) {
    if (!IsValid(r)) --null_count_;
  }
  auto n = static_cast<size_t>(rows);
  switch (type_) {
    case DataType::kFloat64: f64_.resize(n); break;
    case DataType::kInt64: i64_.resize(n); break;
    case DataType::kBool: bools_.resize(n); break;
    case DataType::kString: codes_.resize(n); break;
  }
  validity_.resize((n + 63) / 64);
  if (n % 64 != 0) validity_.back() &= (uint64_t{1} << (n % 64)) - 1;
  size_ = rows;
}

Column Column::Filter(const std::vector<uint8_t>& keep) const {
  PROBITY_CHECK(static_cast<int64_t>(keep.size()) == size_);
  Column out(type_);
  out.Reserve(size_);
  for (int64_t r = 0; r < size_; ++r) {
    auto i = static_cast<size_t>(r);
    if (keep[i] == 0) continue;
    if (!IsValid(r)) {
      out.AppendNull();
      continue;
    }
    switch (type_) {
      case DataType::kFloat64: out.AppendFloat64(f64_[i]); break;
      case DataType::kInt64: out.AppendInt64(i64_[i]); break;
      case DataType::kBool: out.AppendBool(bools_[i] != 0); break;
      case DataType::kString: out.AppendString(StringAt(r)); break;
    }
  }
  return out;
}

void Column::WidenToFloat64() {
  PROBITY_CHECK(type_ == DataType::kInt64);
  f64_.resize(i64_.size());
  for (size_t i = 0; i < i64_.size(); ++i) {
    f64_[i] = IsValid(static_cast<int64_t>(i)) ? static_cast<double>(i64_[i])
                                               : std::numeric_limits<double>::quiet_NaN();
  }
  i64_.clear();
  i64_.shrink_to_fit();
  type_ = DataType::kFloat64;
}

Status Column::AppendColumn(const Column& other) {
  if (type_ == DataType::kInt64 && other.type_ == DataType::kFloat64) WidenToFloat64();
  bool widen_other = type_ == DataType::kFloat64 && other.type_ == DataType::kInt64;
  if (type_ != other.type_ && !widen_other) {
    return InvalidArgumentError("cannot append a " + std::string(DataTypeName(other.type_)) +
                                " column to a " + std::string(DataTypeName(type_)) + " column")
        .Expecting("columns of the same type");
  }
  std::vector<int32_t> remap;
  if (type_ == DataType::kString) {
    remap.reserve(other.dictionary_.size());
    for (const std::string& s : other.dictionary_) remap.push_back(InternString(s));
  }
  for (int64_t r = 0; r < other.size_; ++r) {
    if (!other.IsValid(r)) {
      AppendNull();
      continue;
    }
    auto i = static_cast<size_t>(r);
    switch (type_) {
      case DataType::kFloat64:
        AppendFloat64(widen_other ? static_cast<double>(other.i64_[i]) : other.f64_[i]);
        break;
      case DataType::kInt64: AppendInt64(other.i64_[i]); break;
      case DataType::kBool: AppendBool(other.bools_[i] != 0); break;
      case DataType::kString:
        codes_.push_back(remap[static_cast<size_t>(other.codes_[i])]);
        AppendValidity(true);
        break;
    }
  }
  return OkStatus();
}

}  // namespace probity
