// Infers column types from sample values, for datasets read without a schema. The rules
// are those of docs/formats/schema.md ("Inferred types"): int64 if every non-missing value is
// an integer, float64 if every one is a number, bool if every one is true/false, otherwise
// string (also when every value is missing).
//
//   TypeInference inference(format.missing_tokens);
//   inference.Observe(0, "42");
//   inference.Observe(0, "4.5");
//   inference.Inferred(0);   // DataType::kFloat64
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/schema.h"

namespace probity::ingest {

class TypeInference {
 public:
  explicit TypeInference(std::vector<std::string> missing_tokens);

  // Records one sampled value of `column` (columns are created on first use). `is_null`
  // marks a value known to be missing (JSON null).
  void Observe(size_t column, std::string_view text, bool is_null = false);
  DataType Inferred(size_t column) const;
  // Combines the observations of another inference (over other rows), in any order.
  void Merge(const TypeInference& other);
  // Number of non-missing values seen in `column`.
  int64_t values_seen(size_t column) const;

 private:
  struct State {
    bool can_int = true;
    bool can_float = true;
    bool can_bool = true;
    int64_t seen = 0;
  };
  std::vector<std::string> missing_tokens_;
  std::vector<State> columns_;
};

}  // namespace probity::ingest
