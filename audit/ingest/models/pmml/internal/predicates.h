// Compiled PMML predicates (SimplePredicate, CompoundPredicate, SimpleSetPredicate, True,
// False) with PMML's three-valued logic: a predicate on a missing value is UNKNOWN, and
// compound operators propagate UNKNOWN as the PMML 4.4 truth tables say.
#pragma once

#include <memory>
#include <vector>

#include "audit/ingest/models/pmml/internal/evaluation.h"

namespace probity::models::pmml_internal {

enum class Comparison {
  kEqual,
  kNotEqual,
  kLessThan,
  kLessOrEqual,
  kGreaterThan,
  kGreaterOrEqual,
  kIsMissing,
  kIsNotMissing,
};

class SimplePredicate final : public Predicate {
 public:
  SimplePredicate(int32_t slot, Comparison op, Literal literal)
      : slot_(slot), op_(op), literal_(std::move(literal)), literal_value_(literal_.AsValue()) {}
  Truth Eval(RowContext& row) const override;

  int32_t slot() const { return slot_; }
  Comparison op() const { return op_; }
  const Literal& literal() const { return literal_; }

 private:
  int32_t slot_;
  Comparison op_;
  Literal literal_;
  Value literal_value_;
};

class ConstantPredicate final : public Predicate {
 public:
  explicit ConstantPredicate(bool value) : value_(value) {}
  Truth Eval(RowContext&) const override { return value_ ? Truth::kTrue : Truth::kFalse; }
  bool value() const { return value_; }

 private:
  bool value_;
};

}  // namespace probity::models::pmml_internal
