// PMML expressions (TransformationDictionary, LocalTransformations, transformedValue
// outputs): Constant, FieldRef, NormContinuous, NormDiscrete, Discretize, MapValues and
// Apply with the built-in functions. Each compiles to an Expr that reads slots.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "audit/ingest/models/pmml/internal/compiler.h"

namespace probity::models::pmml_internal {
namespace {

class ConstantExpr final : public Expr {
 public:
  explicit ConstantExpr(Value value) : value_(value) {}
  Value Eval(RowContext&) const override { return value_; }

 private:
  Value value_;
};

// mapMissingTo: the value an expression yields when its input is missing.
struct MissingMap {
  std::optional<Literal> to;
  Value Apply() const { return to ? to->AsValue() : Value::Missing(); }
};

MissingMap ReadMissingMap(const pugi::xml_node& node) {
  MissingMap m;
  if (pugi::xml_attribute a = node.attribute("mapMissingTo")) m.to = Literal::Of(a.value());
  return m;
}

class FieldRefExpr final : public Expr {
 public:
  FieldRefExpr(int32_t slot, MissingMap missing) : slot_(slot), missing_(std::move(missing)) {}
  Value Eval(RowContext& row) const override {
    Value v = row.Get(slot_);
    return v.missing() ? missing_.Apply() : v;
  }

 private:
  int32_t slot_;
  MissingMap missing_;
};

class NormContinuousExpr final : public Expr {
 public:
  enum class Outliers { kAsIs, kAsMissing, kAsExtreme };
  NormContinuousExpr(int32_t slot, std::vector<std::pair<double, double>> points, Outliers outliers,
                     MissingMap missing)
      : slot_(slot),
        points_(std::move(points)),
        outliers_(outliers),
        missing_(std::move(missing)) {}
  Value Eval(RowContext& row) const override {
    std::optional<double> x = row.Get(slot_).AsNumber();
    if (!x) return missing_.Apply();
    const size_t n = points_.size();
    if (*x < points_.front().first || *x > points_.back().first) {
      if (outliers_ == Outliers::kAsMissing) return missing_.Apply();
      if (outliers_ == Outliers::kAsExtreme) {
        return Value::Number(*x < points_.front().first ? points_.front().second
                                                        : points_.back().second);
      }
    }
    size_t i = 1;
    while (i < n - 1 && *x > points_[i].first) ++i;
    const auto& [x0, y0] = points_[i - 1];
    const auto& [x1, y1] = points_[i];
    return Value::Number(y0 + (*x - x0) / (x1 - x0) * (y1 - y0));
  }

 private:
  int32_t slot_;
  std::vector<std::pair<double, double>> points_;  // (orig, norm), increasing orig
  Outliers outliers_;
  MissingMap missing_;
};

class NormDiscreteExpr final : public Expr {
 public:
  NormDiscreteExpr(int32_t slot, Literal value, MissingMap missing)
      : slot_(slot), value_(std::move(value)), missing_(std::move(missing)) {}
  Value Eval(RowContext& row) const override {
    Value v = row.Get(slot_);
    if (v.missing()) return missing_.Apply();
    return Value::Number(Matches(v, value_) ? 1 : 0);
  }

 private:
  int32_t slot_;
  Literal value_;
  MissingMap missing_;
};

class DiscretizeExpr final : public Expr {
 public:
  DiscretizeExpr(int32_t slot, std::vector<std::pair<Interval, Value>> bins, MissingMap missing,
                 Value fallback)
      : slot_(slot), bins_(std::move(bins)), missing_(std::move(missing)), fallback_(fallback) {}
  Value Eval(RowContext& row) const override {
    std::optional<double> x = row.Get(slot_).AsNumber();
    if (!x) return missing_.Apply();
    for (const auto& [interval, value] : bins_) {
      if (interval.Contains(*x)) return value;
    }
    return fallback_;
  }

 private:
  int32_t slot_;
  std::vector<std::pair<Interval, Value>> bins_;
  MissingMap missing_;
  Value fallback_;
};

class MapValuesExpr final : public Expr {
 public:
  MapValuesExpr(std::vector<int32_t> slots, std::vector<std::vector<Literal>> keys,
                std::vector<Value> outputs, MissingMap missing, Value fallback)
      : slots_(std::move(slots)),
        keys_(std::move(keys)),
        outputs_(std::move(outputs)),
        missing_(std::move(missing)),
        fallback_(fallback) {}
  Value Eval(RowContext& row) const override {
    Value inputs[8];
    for (size_t j = 0; j < slots_.size(); ++j) {
      inputs[j] = row.Get(slots_[j]);
      if (inputs[j].missing()) return missing_.Apply();
    }
    for (size_t r = 0; r < keys_.size(); ++r) {
      bool hit = true;
      for (size_t j = 0; j < slots_.size() && hit; ++j) hit = Matches(inputs[j], keys_[r][j]);
      if (hit) return outputs_[r];
    }
    return fallback_;
  }
  static constexpr size_t kMaxColumns = 8;

 private:
  std::vector<int32_t> slots_;
  std::vector<std::vector<Literal>> keys_;
  std::vector<Value> outputs_;
  MissingMap missing_;
  Value fallback_;
};

// ---- Apply --------------------------------------------------------------------------------

using Args = std::span<const Value>;
using Function = Value (*)(Args);

Value Bool(bool b) { return Value::Number(b ? 1 : 0); }
bool AnyMissing(Args args) {
  return std::any_of(args.begin(), args.end(), [](const Value& v) { return v.missing(); });
}

template <typename F>
Value Numeric(Args args, F f) {
  double x[3] = {0, 0, 0};
  for (size_t i = 0; i < args.size() && i < 3; ++i) {
    std::optional<double> v = args[i].AsNumber();
    if (!v) return Value::Missing();
    x[i] = *v;
  }
  const double r = f(x);
  return std::isfinite(r) ? Value::Number(r) : Value::Missing();
}

Value Add(Args a) {
  return Numeric(a, [](const double* x) { return x[0] + x[1]; });
}
Value Subtract(Args a) {
  return Numeric(a, [](const double* x) { return x[0] - x[1]; });
}
Value Multiply(Args a) {
  return Numeric(a, [](const double* x) { return x[0] * x[1]; });
}
Value Divide(Args a) {
  return Numeric(a, [](const double* x) { return x[1] == 0 ? kNaN : x[0] / x[1]; });
}
Value Pow(Args a) {
  return Numeric(a, [](const double* x) { return std::pow(x[0], x[1]); });
}
Value Atan2(Args a) {
  return Numeric(a, [](const double* x) { return std::atan2(x[0], x[1]); });
}
Value Hypot(Args a) {
  return Numeric(a, [](const double* x) { return std::hypot(x[0], x[1]); });
}
Value Modulo(Args a) {
  return Numeric(
      a, [](const double* x) { return x[1] == 0 ? kNaN : x[0] - std::floor(x[0] / x[1]) * x[1]; });
}
Value Threshold(Args a) {
  return Numeric(a, [](const double* x) { return x[0] > x[1] ? 1.0 : 0.0; });
}

template <double (*F)(double)>
Value Unary(Args a) {
  return Numeric(a, [](const double* x) { return F(x[0]); });
}
double Log10(double x) { return x > 0 ? std::log10(x) : kNaN; }
double Ln(double x) { return x > 0 ? std::log(x) : kNaN; }
double Sqrt(double x) { return x >= 0 ? std::sqrt(x) : kNaN; }
double Abs(double x) { return std::fabs(x); }
double Exp(double x) { return std::exp(x); }
double Floor(double x) { return std::floor(x); }
double Ceil(double x) { return std::ceil(x); }
double Round(double x) { return std::floor(x + 0.5); }  // Java Math.round semantics
double Rint(double x) { return std::nearbyint(x); }
double Sin(double x) { return std::sin(x); }
double Cos(double x) { return std::cos(x); }
double Tan(double x) { return std::tan(x); }
double Asin(double x) { return std::asin(x); }
double Acos(double x) { return std::acos(x); }
double Atan(double x) { return std::atan(x); }
double Sinh(double x) { return std::sinh(x); }
double Cosh(double x) { return std::cosh(x); }
double Tanh(double x) { return std::tanh(x); }
double Expm1(double x) { return std::expm1(x); }
double Log1p(double x) { return x > -1 ? std::log1p(x) : kNaN; }
double Sigmoid(double x) { return Logistic(x); }

Value Aggregate(Args args, int kind) {  // 0 min, 1 max, 2 sum, 3 avg, 4 product
  if (args.empty()) return Value::Missing();
  double acc = kind == 4 ? 1 : (kind == 0 ? INFINITY : (kind == 1 ? -INFINITY : 0));
  for (const Value& v : args) {
    std::optional<double> x = v.AsNumber();
    if (!x) return Value::Missing();
    switch (kind) {
      case 0: acc = std::min(acc, *x); break;
      case 1: acc = std::max(acc, *x); break;
      case 4: acc *= *x; break;
      default: acc += *x; break;
    }
  }
  if (kind == 3) acc /= static_cast<double>(args.size());
  return Value::Number(acc);
}
Value Min(Args a) { return Aggregate(a, 0); }
Value Max(Args a) { return Aggregate(a, 1); }
Value Sum(Args a) { return Aggregate(a, 2); }
Value Avg(Args a) { return Aggregate(a, 3); }
Value Product(Args a) { return Aggregate(a, 4); }

template <int kWant>  // -1 less, 0 equal, 1 greater; combined with kOrEqual below
Value Compare(Args a, bool or_equal, bool negate) {
  if (AnyMissing(a)) return Value::Missing();
  std::optional<int> order = CompareValues(a[0], a[1]);
  if (kWant == 0) {
    const bool eq = ValuesEqual(a[0], a[1]);
    return Bool(negate ? !eq : eq);
  }
  if (!order) return Value::Missing();
  return Bool((kWant < 0 ? *order < 0 : *order > 0) || (or_equal && *order == 0));
}
Value Equal(Args a) { return Compare<0>(a, false, false); }
Value NotEqual(Args a) { return Compare<0>(a, false, true); }
Value LessThan(Args a) { return Compare<-1>(a, false, false); }
Value LessOrEqual(Args a) { return Compare<-1>(a, true, false); }
Value GreaterThan(Args a) { return Compare<1>(a, false, false); }
Value GreaterOrEqual(Args a) { return Compare<1>(a, true, false); }

std::optional<bool> Truthy(const Value& v) {
  if (v.missing()) return std::nullopt;
  if (v.is_number()) return v.number != 0;
  if (v.text == "true") return true;
  if (v.text == "false") return false;
  return std::nullopt;
}
// and/or with PMML's three-valued logic.
Value And(Args a) {
  bool unknown = false;
  for (const Value& v : a) {
    std::optional<bool> b = Truthy(v);
    if (b && !*b) return Bool(false);
    unknown |= !b;
  }
  return unknown ? Value::Missing() : Bool(true);
}
Value Or(Args a) {
  bool unknown = false;
  for (const Value& v : a) {
    std::optional<bool> b = Truthy(v);
    if (b && *b) return Bool(true);
    unknown |= !b;
  }
  return unknown ? Value::Missing() : Bool(false);
}
Value Not(Args a) {
  std::optional<bool> b = Truthy(a[0]);
  return b ? Bool(!*b) : Value::Missing();
}
Value IsMissing(Args a) { return Bool(a[0].missing()); }
Value IsNotMissing(Args a) { return Bool(!a[0].missing()); }
Value IsIn(Args a) {
  if (a[0].missing()) return Value::Missing();
  for (size_t i = 1; i < a.size(); ++i) {
    if (!a[i].missing() && ValuesEqual(a[0], a[i])) return Bool(true);
  }
  return Bool(false);
}
Value IsNotIn(Args a) {
  Value in = IsIn(a);
  return in.missing() ? in : Bool(in.number == 0);
}

struct FunctionDef {
  Function f;
  int min_args;
  int max_args;  // -1 = any
};

const std::map<std::string_view, FunctionDef>& Functions() {
  static const std::map<std::string_view, FunctionDef> kFunctions = {
      {"+", {Add, 2, 2}},
      {"-", {Subtract, 2, 2}},
      {"*", {Multiply, 2, 2}},
      {"/", {Divide, 2, 2}},
      {"pow", {Pow, 2, 2}},
      {"modulo", {Modulo, 2, 2}},
      {"x-modulo", {Modulo, 2, 2}},
      {"threshold", {Threshold, 2, 2}},
      {"atan2", {Atan2, 2, 2}},
      {"hypot", {Hypot, 2, 2}},
      {"x-atan2", {Atan2, 2, 2}},
      {"x-hypot", {Hypot, 2, 2}},
      {"min", {Min, 1, -1}},
      {"max", {Max, 1, -1}},
      {"sum", {Sum, 1, -1}},
      {"avg", {Avg, 1, -1}},
      {"product", {Product, 1, -1}},
      {"log10", {Unary<Log10>, 1, 1}},
      {"ln", {Unary<Ln>, 1, 1}},
      {"sqrt", {Unary<Sqrt>, 1, 1}},
      {"abs", {Unary<Abs>, 1, 1}},
      {"exp", {Unary<Exp>, 1, 1}},
      {"floor", {Unary<Floor>, 1, 1}},
      {"ceil", {Unary<Ceil>, 1, 1}},
      {"round", {Unary<Round>, 1, 1}},
      {"rint", {Unary<Rint>, 1, 1}},
      {"x-rint", {Unary<Rint>, 1, 1}},
      {"sin", {Unary<Sin>, 1, 1}},
      {"cos", {Unary<Cos>, 1, 1}},
      {"tan", {Unary<Tan>, 1, 1}},
      {"asin", {Unary<Asin>, 1, 1}},
      {"acos", {Unary<Acos>, 1, 1}},
      {"atan", {Unary<Atan>, 1, 1}},
      {"sinh", {Unary<Sinh>, 1, 1}},
      {"cosh", {Unary<Cosh>, 1, 1}},
      {"tanh", {Unary<Tanh>, 1, 1}},
      {"expm1", {Unary<Expm1>, 1, 1}},
      {"log1p", {Unary<Log1p>, 1, 1}},
      {"x-sin", {Unary<Sin>, 1, 1}},
      {"x-cos", {Unary<Cos>, 1, 1}},
      {"x-tan", {Unary<Tan>, 1, 1}},
      {"x-asin", {Unary<Asin>, 1, 1}},
      {"x-acos", {Unary<Acos>, 1, 1}},
      {"x-atan", {Unary<Atan>, 1, 1}},
      {"x-sinh", {Unary<Sinh>, 1, 1}},
      {"x-cosh", {Unary<Cosh>, 1, 1}},
      {"x-tanh", {Unary<Tanh>, 1, 1}},
      {"x-expm1", {Unary<Expm1>, 1, 1}},
      {"x-log1p", {Unary<Log1p>, 1, 1}},
      {"x-sigmoid", {Unary<Sigmoid>, 1, 1}},
      {"equal", {Equal, 2, 2}},
      {"notEqual", {NotEqual, 2, 2}},
      {"lessThan", {LessThan, 2, 2}},
      {"lessOrEqual", {LessOrEqual, 2, 2}},
      {"greaterThan", {GreaterThan, 2, 2}},
      {"greaterOrEqual", {GreaterOrEqual, 2, 2}},
      {"and", {And, 2, -1}},
      {"or", {Or, 2, -1}},
      {"not", {Not, 1, 1}},
      {"isMissing", {IsMissing, 1, 1}},
      {"isNotMissing", {IsNotMissing, 1, 1}},
      {"isValid", {IsNotMissing, 1, 1}},
      {"isNotValid", {IsMissing, 1, 1}},
      {"isIn", {IsIn, 2, -1}},
      {"isNotIn", {IsNotIn, 2, -1}},
  };
  return kFunctions;
}

// Functions that look at missing arguments themselves; for the others a missing argument
// makes the result missing (then mapMissingTo applies).
bool HandlesMissing(std::string_view name) {
  return name == "isMissing" || name == "isNotMissing" || name == "isValid" ||
         name == "isNotValid" || name == "and" || name == "or" || name == "if";
}

class ApplyExpr final : public Expr {
 public:
  ApplyExpr(std::string_view name, Function f, std::vector<const Expr*> args, MissingMap missing,
            std::optional<Literal> fallback)
      : handles_missing_(HandlesMissing(name)),
        is_if_(name == "if"),
        f_(f),
        args_(std::move(args)),
        missing_(std::move(missing)),
        fallback_(std::move(fallback)) {}

  Value Eval(RowContext& row) const override {
    if (is_if_) {
      std::optional<bool> cond = Truthy(args_[0]->Eval(row));
      if (!cond) return missing_.Apply();
      if (*cond) return args_[1]->Eval(row);
      return args_.size() > 2 ? args_[2]->Eval(row) : Value::Missing();
    }
    Value values[kMaxInline];
    std::vector<Value> many;
    Value* v = values;
    if (args_.size() > kMaxInline) {
      many.resize(args_.size());
      v = many.data();
    }
    bool any_missing = false;
    for (size_t i = 0; i < args_.size(); ++i) {
      v[i] = args_[i]->Eval(row);
      any_missing |= v[i].missing();
    }
    if (any_missing && !handles_missing_) return missing_.Apply();
    Value result = f_(Args(v, args_.size()));
    if (result.missing() && fallback_) return fallback_->AsValue();
    return result;
  }

 private:
  static constexpr size_t kMaxInline = 8;
  bool handles_missing_;
  bool is_if_;
  Function f_;
  std::vector<const Expr*> args_;
  MissingMap missing_;
  std::optional<Literal> fallback_;
};

Value ConstantValue(const pugi::xml_node& node, Program& program) {
  std::string_view type = node.attribute("dataType").as_string();
  if (node.attribute("missing").as_bool(false)) return Value::Missing();
  std::string text = node.child_value();
  if (type == "string") return Value::String(program.Intern(std::move(text)));
  Literal literal = Literal::Of(text);
  if (literal.number) return Value::Number(*literal.number);
  return Value::String(program.Intern(std::move(text)));
}

Value LiteralValue(const Literal& literal, Program& program) {
  if (literal.number) return Value::Number(*literal.number);
  return Value::String(program.Intern(literal.text));
}

}  // namespace

Result<const Expr*> Compiler::CompileExpr(const pugi::xml_node& node) {
  PROBITY_RETURN_IF_ERROR(Enter(node));
  struct Leaver {
    Compiler* c;
    ~Leaver() { c->Leave(); }
  } leaver{this};
  const std::string_view name = LocalName(node);
  if (name == "Constant") {
    return program_.Own(std::make_unique<ConstantExpr>(ConstantValue(node, program_)));
  }
  if (name == "FieldRef") {
    PROBITY_ASSIGN_OR_RETURN(int32_t slot, ResolveAttribute(node, "field"));
    return program_.Own(std::make_unique<FieldRefExpr>(slot, ReadMissingMap(node)));
  }
  if (name == "NormContinuous") {
    PROBITY_ASSIGN_OR_RETURN(int32_t slot, ResolveAttribute(node, "field"));
    std::vector<std::pair<double, double>> points;
    for (const pugi::xml_node& norm : Children(node, "LinearNorm")) {
      PROBITY_ASSIGN_OR_RETURN(double orig, src_.RequiredNumber(norm, "orig"));
      PROBITY_ASSIGN_OR_RETURN(double value, src_.RequiredNumber(norm, "norm"));
      if (!points.empty() && !(orig > points.back().first)) {
        return src_.Invalid(norm, "LinearNorm orig values must increase");
      }
      points.emplace_back(orig, value);
    }
    if (points.size() < 2) return src_.Invalid(node, "<NormContinuous> needs two <LinearNorm>s");
    std::string_view outliers = node.attribute("outliers").as_string("asIs");
    auto mode = NormContinuousExpr::Outliers::kAsIs;
    if (outliers == "asMissingValues") {
      mode = NormContinuousExpr::Outliers::kAsMissing;
    } else if (outliers == "asExtremeValues") {
      mode = NormContinuousExpr::Outliers::kAsExtreme;
    } else if (outliers != "asIs") {
      return src_.Invalid(node, "outliers \"" + std::string(outliers) + "\" is unknown");
    }
    return program_.Own(
        std::make_unique<NormContinuousExpr>(slot, std::move(points), mode, ReadMissingMap(node)));
  }
  if (name == "NormDiscrete") {
    PROBITY_ASSIGN_OR_RETURN(int32_t slot, ResolveAttribute(node, "field"));
    PROBITY_ASSIGN_OR_RETURN(std::string value, src_.RequiredText(node, "value"));
    return program_.Own(
        std::make_unique<NormDiscreteExpr>(slot, Literal::Of(value), ReadMissingMap(node)));
  }
  if (name == "Discretize") {
    PROBITY_ASSIGN_OR_RETURN(int32_t slot, ResolveAttribute(node, "field"));
    std::vector<std::pair<Interval, Value>> bins;
    for (const pugi::xml_node& bin : Children(node, "DiscretizeBin")) {
      PROBITY_ASSIGN_OR_RETURN(std::string value, src_.RequiredText(bin, "binValue"));
      pugi::xml_node interval = Child(bin, "Interval");
      if (!interval) return src_.Invalid(bin, "<DiscretizeBin> has no <Interval>");
      PROBITY_ASSIGN_OR_RETURN(Interval range, ReadInterval(src_, interval));
      bins.emplace_back(range, LiteralValue(Literal::Of(value), program_));
    }
    Value fallback;
    if (pugi::xml_attribute a = node.attribute("defaultValue")) {
      fallback = LiteralValue(Literal::Of(a.value()), program_);
    }
    return program_.Own(
        std::make_unique<DiscretizeExpr>(slot, std::move(bins), ReadMissingMap(node), fallback));
  }
  if (name == "MapValues") {
    PROBITY_ASSIGN_OR_RETURN(std::string output, src_.RequiredText(node, "outputColumn"));
    std::vector<int32_t> slots;
    std::vector<std::string> columns;
    for (const pugi::xml_node& pair : Children(node, "FieldColumnPair")) {
      PROBITY_ASSIGN_OR_RETURN(int32_t slot, ResolveAttribute(pair, "field"));
      PROBITY_ASSIGN_OR_RETURN(std::string column, src_.RequiredText(pair, "column"));
      slots.push_back(slot);
      columns.push_back(std::move(column));
    }
    if (slots.empty() || slots.size() > MapValuesExpr::kMaxColumns) {
      return src_.Unsupported(node, "<MapValues> with " + std::to_string(slots.size()) +
                                        " FieldColumnPairs (1 to 8 are supported)");
    }
    pugi::xml_node table = Child(node, "InlineTable");
    if (!table) return src_.Unsupported(node, "<MapValues> without an <InlineTable>");
    std::vector<std::vector<Literal>> keys;
    std::vector<Value> outputs;
    for (const pugi::xml_node& row : Children(table, "row")) {
      std::vector<Literal> key(columns.size());
      std::optional<Value> out;
      std::vector<bool> seen(columns.size(), false);
      for (const pugi::xml_node& cell : Elements(row)) {
        const std::string_view cell_name = LocalName(cell);
        if (cell_name == output) out = LiteralValue(Literal::Of(cell.child_value()), program_);
        for (size_t j = 0; j < columns.size(); ++j) {
          if (cell_name == columns[j]) {
            key[j] = Literal::Of(cell.child_value());
            seen[j] = true;
          }
        }
      }
      if (!out || std::find(seen.begin(), seen.end(), false) != seen.end()) {
        return src_.Invalid(row, "InlineTable row lacks a cell for a MapValues column");
      }
      keys.push_back(std::move(key));
      outputs.push_back(*out);
    }
    Value fallback;
    if (pugi::xml_attribute a = node.attribute("defaultValue")) {
      fallback = LiteralValue(Literal::Of(a.value()), program_);
    }
    return program_.Own(std::make_unique<MapValuesExpr>(
        std::move(slots), std::move(keys), std::move(outputs), ReadMissingMap(node), fallback));
  }
  if (name == "Apply") {
    PROBITY_ASSIGN_OR_RETURN(std::string function, src_.RequiredText(node, "function"));
    std::vector<const Expr*> args;
    for (const pugi::xml_node& child : Elements(node)) {
      PROBITY_ASSIGN_OR_RETURN(const Expr* arg, CompileExpr(child));
      args.push_back(arg);
    }
    Function f = nullptr;
    if (function == "if") {
      if (args.size() < 2 || args.size() > 3) {
        return src_.Invalid(
            node, "Apply \"if\" takes 2 or 3 arguments, not " + std::to_string(args.size()));
      }
    } else {
      auto def = Functions().find(function);
      if (def == Functions().end()) {
        return src_.Unsupported(node, "the function \"" + function + "\"");
      }
      const int n = static_cast<int>(args.size());
      if (n < def->second.min_args || (def->second.max_args >= 0 && n > def->second.max_args)) {
        return src_.Invalid(
            node, "Apply \"" + function + "\" has " + std::to_string(n) + " arguments; expected " +
                      std::to_string(def->second.min_args) +
                      (def->second.max_args == def->second.min_args ? std::string() : " or more"));
      }
      f = def->second.f;
    }
    std::optional<Literal> fallback;
    if (pugi::xml_attribute a = node.attribute("defaultValue")) fallback = Literal::Of(a.value());
    return program_.Own(std::make_unique<ApplyExpr>(function, f, std::move(args),
                                                    ReadMissingMap(node), std::move(fallback)));
  }
  return src_.Unsupported(node, std::string("<").append(name) + "> as an expression");
}

}  // namespace probity::models::pmml_internal
