#include "audit/ingest/models/pmml/internal/predicates.h"

#include <map>

#include "audit/ingest/models/pmml/internal/compiler.h"

namespace probity::models::pmml_internal {
namespace {

class CompoundPredicate final : public Predicate {
 public:
  enum class Op { kAnd, kOr, kXor, kSurrogate };
  CompoundPredicate(Op op, std::vector<std::unique_ptr<Predicate>> parts)
      : op_(op), parts_(std::move(parts)) {}

  Truth Eval(RowContext& row) const override {
    switch (op_) {
      case Op::kAnd: {
        Truth result = Truth::kTrue;
        for (const auto& part : parts_) {
          const Truth t = part->Eval(row);
          if (t == Truth::kFalse) return Truth::kFalse;
          if (t == Truth::kUnknown) result = Truth::kUnknown;
        }
        return result;
      }
      case Op::kOr: {
        Truth result = Truth::kFalse;
        for (const auto& part : parts_) {
          const Truth t = part->Eval(row);
          if (t == Truth::kTrue) return Truth::kTrue;
          if (t == Truth::kUnknown) result = Truth::kUnknown;
        }
        return result;
      }
      case Op::kXor: {
        bool parity = false;
        for (const auto& part : parts_) {
          const Truth t = part->Eval(row);
          if (t == Truth::kUnknown) return Truth::kUnknown;
          parity ^= (t == Truth::kTrue);
        }
        return parity ? Truth::kTrue : Truth::kFalse;
      }
      case Op::kSurrogate:
        for (const auto& part : parts_) {
          const Truth t = part->Eval(row);
          if (t != Truth::kUnknown) return t;
        }
        return Truth::kUnknown;
    }
    return Truth::kUnknown;
  }

 private:
  Op op_;
  std::vector<std::unique_ptr<Predicate>> parts_;
};

class SetPredicate final : public Predicate {
 public:
  SetPredicate(int32_t slot, bool is_in, std::vector<Literal> values)
      : slot_(slot), is_in_(is_in), values_(std::move(values)) {}
  Truth Eval(RowContext& row) const override {
    const Value v = row.Get(slot_);
    if (v.missing()) return Truth::kUnknown;
    bool found = false;
    for (const Literal& literal : values_) {
      if (Matches(v, literal)) {
        found = true;
        break;
      }
    }
    return found == is_in_ ? Truth::kTrue : Truth::kFalse;
  }

 private:
  int32_t slot_;
  bool is_in_;
  std::vector<Literal> values_;
};

Truth FromBool(bool b) { return b ? Truth::kTrue : Truth::kFalse; }

}  // namespace

Truth SimplePredicate::Eval(RowContext& row) const {
  const Value v = row.Get(slot_);
  if (op_ == Comparison::kIsMissing) return FromBool(v.missing());
  if (op_ == Comparison::kIsNotMissing) return FromBool(!v.missing());
  if (v.missing()) return Truth::kUnknown;
  if (op_ == Comparison::kEqual) return FromBool(Matches(v, literal_));
  if (op_ == Comparison::kNotEqual) return FromBool(!Matches(v, literal_));
  std::optional<int> order = CompareValues(v, literal_value_);
  if (!order) return Truth::kUnknown;
  switch (op_) {
    case Comparison::kLessThan: return FromBool(*order < 0);
    case Comparison::kLessOrEqual: return FromBool(*order <= 0);
    case Comparison::kGreaterThan: return FromBool(*order > 0);
    case Comparison::kGreaterOrEqual: return FromBool(*order >= 0);
    default: return Truth::kUnknown;
  }
}

Result<std::unique_ptr<Predicate>> Compiler::CompilePredicate(const pugi::xml_node& node) {
  const std::string_view name = LocalName(node);
  if (name == "True") return std::unique_ptr<Predicate>(new ConstantPredicate(true));
  if (name == "False") return std::unique_ptr<Predicate>(new ConstantPredicate(false));
  if (name == "SimplePredicate") {
    static const std::map<std::string_view, Comparison> kOps = {
        {"equal", Comparison::kEqual},
        {"notEqual", Comparison::kNotEqual},
        {"lessThan", Comparison::kLessThan},
        {"lessOrEqual", Comparison::kLessOrEqual},
        {"greaterThan", Comparison::kGreaterThan},
        {"greaterOrEqual", Comparison::kGreaterOrEqual},
        {"isMissing", Comparison::kIsMissing},
        {"isNotMissing", Comparison::kIsNotMissing},
    };
    PROBITY_ASSIGN_OR_RETURN(std::string op_name, src_.RequiredText(node, "operator"));
    auto op = kOps.find(op_name);
    if (op == kOps.end()) {
      return src_.Invalid(node, "SimplePredicate operator \"" + op_name + "\" is unknown");
    }
    PROBITY_ASSIGN_OR_RETURN(int32_t slot, ResolveAttribute(node, "field"));
    Literal literal;
    if (op->second != Comparison::kIsMissing && op->second != Comparison::kIsNotMissing) {
      PROBITY_ASSIGN_OR_RETURN(std::string text, src_.RequiredText(node, "value"));
      literal = Literal::Of(std::move(text));
    }
    return std::unique_ptr<Predicate>(new SimplePredicate(slot, op->second, std::move(literal)));
  }
  if (name == "SimpleSetPredicate") {
    PROBITY_ASSIGN_OR_RETURN(int32_t slot, ResolveAttribute(node, "field"));
    PROBITY_ASSIGN_OR_RETURN(std::string op, src_.RequiredText(node, "booleanOperator"));
    if (op != "isIn" && op != "isNotIn") {
      return src_.Invalid(
          node, "SimpleSetPredicate booleanOperator \"" + op + "\" is not one of isIn, isNotIn");
    }
    pugi::xml_node array = Child(node, "Array");
    if (!array) return src_.Invalid(node, "<SimpleSetPredicate> has no <Array>");
    PROBITY_ASSIGN_OR_RETURN(std::vector<std::string> tokens, src_.StringArray(array));
    std::vector<Literal> values;
    values.reserve(tokens.size());
    for (std::string& token : tokens) values.push_back(Literal::Of(std::move(token)));
    return std::unique_ptr<Predicate>(new SetPredicate(slot, op == "isIn", std::move(values)));
  }
  if (name == "CompoundPredicate") {
    static const std::map<std::string_view, CompoundPredicate::Op> kOps = {
        {"and", CompoundPredicate::Op::kAnd},
        {"or", CompoundPredicate::Op::kOr},
        {"xor", CompoundPredicate::Op::kXor},
        {"surrogate", CompoundPredicate::Op::kSurrogate},
    };
    PROBITY_ASSIGN_OR_RETURN(std::string op_name, src_.RequiredText(node, "booleanOperator"));
    auto op = kOps.find(op_name);
    if (op == kOps.end()) {
      return src_.Invalid(node, "CompoundPredicate booleanOperator \"" + op_name +
                                    "\" is not one of and, or, xor, surrogate");
    }
    PROBITY_RETURN_IF_ERROR(Enter(node));
    std::vector<std::unique_ptr<Predicate>> parts;
    for (const pugi::xml_node& child : Elements(node)) {
      Result<std::unique_ptr<Predicate>> part = CompilePredicate(child);
      if (!part.has_value()) {
        Leave();
        return std::move(part).error();
      }
      parts.push_back(std::move(part).value());
    }
    Leave();
    if (parts.size() < 2) {
      return src_.Invalid(node, "<CompoundPredicate> needs at least two predicates");
    }
    return std::unique_ptr<Predicate>(new CompoundPredicate(op->second, std::move(parts)));
  }
  return src_.Unsupported(node, std::string("<").append(name) + "> as a predicate");
}

}  // namespace probity::models::pmml_internal
