// The compiled form of a PMML document that rows are scored against: values, field slots,
// expressions, predicates and model evaluators. The compiler (compiler.h) builds these
// once at load; scoring a row then touches no XML and no name lookups: every field
// reference is a slot index into the row's RowContext.
#pragma once

#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/model.h"

namespace probity::models::pmml_internal {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One value of a field for one row. Strings are views into the batch's columns or into
// strings the Program owns; both outlive the row.
struct Value {
  enum class Kind : uint8_t { kMissing, kNumber, kString, kInvalid };
  Kind kind = Kind::kMissing;
  double number = 0;
  std::string_view text;

  static Value Missing() { return {}; }
  static Value Number(double v) {
    if (std::isnan(v)) return {};
    return {Kind::kNumber, v, {}};
  }
  // A string; `number` caches its numeric reading (NaN when it is not a number) so that
  // comparing categories with numeric literals does not parse in the hot path.
  static Value String(std::string_view s);
  bool missing() const { return kind == Kind::kMissing || kind == Kind::kInvalid; }
  bool is_number() const { return kind == Kind::kNumber; }
  // The value as a number: numbers as they are, strings parsed; nullopt otherwise.
  std::optional<double> AsNumber() const;
};

// A constant from the document, kept in both readings so that it compares with a field
// whatever the field's data type ("4" equals the number 4 and the string "4").
struct Literal {
  std::string text;
  std::optional<double> number;
  static Literal Of(std::string text);
  Value AsValue() const { return number ? Value::Number(*number) : Value::String(text); }
};

// Equality of a present value with a literal: numerically when both are numbers, else by
// text. Missing values are handled by the caller.
bool Matches(const Value& value, const Literal& literal);
// Equality of two present values (numeric when both read as numbers).
bool ValuesEqual(const Value& a, const Value& b);
// Three-way comparison for ordering operators; nullopt when the two cannot be ordered.
std::optional<int> CompareValues(const Value& a, const Value& b);

class RowContext;

class Expr {
 public:
  virtual ~Expr() = default;
  virtual Value Eval(RowContext& row) const = 0;
};

enum class Truth : uint8_t { kFalse, kTrue, kUnknown };

class Predicate {
 public:
  virtual ~Predicate() = default;
  virtual Truth Eval(RowContext& row) const = 0;
};

// A field of the evaluation: a data field (set from the batch), a derived field (computed
// on first use in a row), or an output field (set by the model that declares it).
struct Slot {
  std::string name;
  const Expr* expr = nullptr;
};

// Owns every compiled object; slots are indexed by position.
class Program {
 public:
  std::vector<Slot> slots;

  template <typename T>
  const T* Own(std::unique_ptr<T> object) {
    const T* raw = object.get();
    exprs_.push_back(std::move(object));
    return raw;
  }
  // A string with a stable address for the Program's lifetime.
  std::string_view Intern(std::string text) { return strings_.emplace_back(std::move(text)); }

 private:
  std::vector<std::unique_ptr<Expr>> exprs_;
  std::deque<std::string> strings_;
};

// The values of one row. Not shared between threads: each scoring thread has its own.
class RowContext {
 public:
  explicit RowContext(const Program& program)
      : program_(&program), values_(program.slots.size()), ready_(program.slots.size(), 0) {}

  void Reset() { std::fill(ready_.begin(), ready_.end(), 0); }
  Value Get(int32_t slot) {
    const auto s = static_cast<size_t>(slot);
    if (!ready_[s]) {
      const Expr* expr = program_->slots[s].expr;
      values_[s] = expr ? expr->Eval(*this) : Value::Missing();
      ready_[s] = 1;
    }
    return values_[s];
  }
  void Set(int32_t slot, Value value) {
    values_[static_cast<size_t>(slot)] = value;
    ready_[static_cast<size_t>(slot)] = 1;
  }

 private:
  const Program* program_;
  std::vector<Value> values_;
  std::vector<uint8_t> ready_;
};

// An expression that reads a slot as it is.
class SlotRead final : public Expr {
 public:
  explicit SlotRead(int32_t slot) : slot_(slot) {}
  Value Eval(RowContext& row) const override { return row.Get(slot_); }

 private:
  int32_t slot_;
};

// What one model produced for one row.
struct Score {
  bool missing = true;
  double value = kNaN;  // regression result; classification: numeric score where there is one
  int32_t label = -1;   // classification/clustering: index into the model's classes
  std::vector<double> probabilities;           // per class, when the model yields them
  std::string_view entity_id;                  // tree node id, rule id, cluster id
  std::vector<double> affinities;              // clustering: per cluster distance/similarity
  std::vector<std::string_view> reason_codes;  // scorecard: ranked reason codes

  void Clear() {
    missing = true;
    value = kNaN;
    label = -1;
    probabilities.clear();
    entity_id = {};
    affinities.clear();
    reason_codes.clear();
  }
};

enum class OutputFeature {
  kPredictedValue,
  kProbability,
  kTransformedValue,
  kEntityId,
  kClusterId,
  kClusterAffinity,
  kReasonCode,
};

struct OutputField {
  std::string name;
  int32_t slot = -1;
  OutputFeature feature = OutputFeature::kPredictedValue;
  int32_t class_index = -1;    // probability / clusterAffinity: which class; -1 = the predicted one
  int32_t rank = 1;            // reasonCode
  const Expr* expr = nullptr;  // transformedValue
  bool numeric = false;        // declared dataType is numeric
};

// Targets: how a regression result is post-processed.
struct TargetTransform {
  double rescale_factor = 1;
  double rescale_constant = 0;
  std::optional<double> min;
  std::optional<double> max;
  enum class Cast { kNone, kRound, kCeiling, kFloor } cast = Cast::kNone;
  std::optional<double> default_value;  // regression value when the model yields none
  std::vector<double> priors;           // classification probabilities when it yields none
};

// Maps a slot to the index of the model input it reads directly, -1 for any other slot
// (derived and output fields); used to express structure views in input indices.
using InputIndex = std::vector<int32_t>;

// A compiled model element.
class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Scores the row into `out` (already cleared). Never fails: a row the model cannot
  // score yields a missing result.
  virtual void Evaluate(RowContext& row, Score& out) const = 0;

  std::string element;  // "TreeModel"
  ModelTask task = ModelTask::kRegression;
  std::string target;                // predicted field name ("" when none)
  std::vector<std::string> classes;  // classification labels / cluster ids
  bool yields_probabilities = false;
  TargetTransform targets;
  std::vector<OutputField> outputs;
  std::string link;  // ModelInfo::link where the family has one
  std::vector<std::pair<std::string, int64_t>> structure;  // counts for `model inspect`

  // Appends this model's trees to `view` when it is a tree (or a sum/average of trees) that
  // the view can express exactly; false otherwise (the view is then discarded).
  virtual bool AppendTrees(const InputIndex& inputs, TreeEnsembleView& view) const {
    (void)inputs;
    (void)view;
    return false;
  }
  // The coefficients when the model is a plain linear model of its inputs; nullptr otherwise.
  virtual std::unique_ptr<LinearView> MakeLinearView(const InputIndex& inputs) const {
    (void)inputs;
    return nullptr;
  }
};

// Evaluate + Targets + the model's OutputFields (whose slots get their values).
void ScoreRow(const Evaluator& model, RowContext& row, Score& out);
// The predicted value as a field value (class label text or number).
Value PredictedValue(const Evaluator& model, const Score& score);

// Inverse link functions shared by the regression families.
double Logistic(double x);
double NormalCdf(double x);

}  // namespace probity::models::pmml_internal
