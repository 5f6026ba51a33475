#include "audit/ingest/type_inference.h"

#include <algorithm>
#include <cmath>

#include "audit/ingest/internal/text_values.h"

namespace probity::ingest {

TypeInference::TypeInference(std::vector<std::string> missing_tokens)
    : missing_tokens_(std::move(missing_tokens)) {}

void TypeInference::Observe(size_t column, std::string_view text, bool is_null) {
  if (columns_.size() <= column) columns_.resize(column + 1);
  if (is_null ||
      std::find(missing_tokens_.begin(), missing_tokens_.end(), text) != missing_tokens_.end()) {
    return;
  }
  State& s = columns_[column];
  ++s.seen;
  if (s.can_int) {
    int64_t i;
    s.can_int = internal::ParseInt64(text, &i) == internal::NumberParse::kOk;
  }
  if (s.can_float && !s.can_int) {
    double d;
    // "nan" is read as missing, so it does not make a column numeric on its own.
    s.can_float = internal::ParseFloat64(text, &d) == internal::NumberParse::kOk;
  }
  if (s.can_bool) s.can_bool = internal::ParseBool(text, /*strict=*/true).has_value();
}

DataType TypeInference::Inferred(size_t column) const {
  if (column >= columns_.size() || columns_[column].seen == 0) return DataType::kString;
  const State& s = columns_[column];
  if (s.can_int) return DataType::kInt64;
  if (s.can_float) return DataType::kFloat64;
  if (s.can_bool) return DataType::kBool;
  return DataType::kString;
}

void TypeInference::Merge(const TypeInference& other) {
  if (columns_.size() < other.columns_.size()) columns_.resize(other.columns_.size());
  for (size_t i = 0; i < other.columns_.size(); ++i) {
    State& s = columns_[i];
    const State& o = other.columns_[i];
    s.can_int = s.can_int && o.can_int;
    s.can_float = s.can_float && o.can_float;
    s.can_bool = s.can_bool && o.can_bool;
    s.seen += o.seen;
  }
}

int64_t TypeInference::values_seen(size_t column) const {
  return column < columns_.size() ? columns_[column].seen : 0;
}

}  // namespace probity::ingest
