#include "audit/ingest/models/pmml/internal/compiler.h"

#include <algorithm>
#include <cmath>

namespace probity::models::pmml_internal {
namespace {

bool IsNumericType(std::string_view data_type) {
  return data_type == "integer" || data_type == "float" || data_type == "double";
}

class TreatedField final : public Expr {
 public:
  TreatedField(int32_t source, FieldTreatment treatment)
      : source_(source), treatment_(std::move(treatment)) {}
  Value Eval(RowContext& row) const override {
    return ApplyTreatment(treatment_, row.Get(source_));
  }

 private:
  int32_t source_;
  FieldTreatment treatment_;
};

}  // namespace

Status Compiler::Enter(const pugi::xml_node& node) {
  if (nesting_ >= kMaxNesting) {
    return src_.Invalid(node,
                        "elements nest more than " + std::to_string(kMaxNesting) + " levels deep");
  }
  ++nesting_;
  return OkStatus();
}

Result<Interval> ReadInterval(const XmlSource& src, const pugi::xml_node& node) {
  Interval out;
  PROBITY_ASSIGN_OR_RETURN(out.left, src.Number(node, "leftMargin", out.left));
  PROBITY_ASSIGN_OR_RETURN(out.right, src.Number(node, "rightMargin", out.right));
  PROBITY_ASSIGN_OR_RETURN(std::string closure, src.RequiredText(node, "closure"));
  if (closure == "openClosed") {
    out.left_closed = false;
  } else if (closure == "openOpen") {
    out.left_closed = out.right_closed = false;
  } else if (closure == "closedOpen") {
    out.right_closed = false;
  } else if (closure != "closedClosed") {
    return src.Invalid(node, "closure \"" + closure +
                                 "\" is not one of openClosed, openOpen, closedOpen, closedClosed");
  }
  return out;
}

Value ApplyTreatment(const FieldTreatment& treatment, Value value) {
  if (value.is_number() && (value.number < treatment.low || value.number > treatment.high)) {
    if (treatment.outliers == FieldTreatment::Outliers::kAsMissing) {
      value = Value::Missing();
    } else if (treatment.outliers == FieldTreatment::Outliers::kAsExtreme) {
      value.number = std::clamp(value.number, treatment.low, treatment.high);
    }
  }
  if (value.kind == Value::Kind::kMissing && treatment.missing_replacement) {
    return treatment.missing_replacement->AsValue();
  }
  return value;
}

int32_t ClassIndex(std::vector<std::string>& classes, std::string_view label, bool open) {
  for (size_t i = 0; i < classes.size(); ++i) {
    if (classes[i] == label) return static_cast<int32_t>(i);
  }
  // Numeric labels match by value ("1" and "1.0").
  std::optional<double> number = XmlSource::ParseNumber(label);
  if (number) {
    for (size_t i = 0; i < classes.size(); ++i) {
      std::optional<double> other = XmlSource::ParseNumber(classes[i]);
      if (other && *other == *number) return static_cast<int32_t>(i);
    }
  }
  if (!open) return -1;
  classes.emplace_back(label);
  return static_cast<int32_t>(classes.size() - 1);
}

Result<ModelTask> ReadTask(const XmlSource& src, const pugi::xml_node& model) {
  PROBITY_ASSIGN_OR_RETURN(std::string function, src.RequiredText(model, "functionName"));
  if (function == "regression") return ModelTask::kRegression;
  if (function == "classification") return ModelTask::kClassification;
  if (function == "clustering") return ModelTask::kClustering;
  return src.Unsupported(model, "functionName=\"" + function + "\"");
}

Status Compiler::ReadDataDictionary(const pugi::xml_node& dictionary) {
  PROBITY_ASSIGN_OR_RETURN(int64_t declared,
                           src_.Integer(dictionary, "numberOfFields", -1, 0, kMaxDeclaredCount));
  (void)declared;  // JPMML does not enforce the count either; only its form is checked
  for (const pugi::xml_node& node : Children(dictionary, "DataField")) {
    DataFieldDef field;
    PROBITY_ASSIGN_OR_RETURN(field.name, src_.RequiredText(node, "name"));
    field.line = src_.LineOf(node);
    PROBITY_ASSIGN_OR_RETURN(std::string optype, src_.RequiredText(node, "optype"));
    if (optype == "continuous") {
      field.kind = InputKind::kContinuous;
    } else if (optype == "categorical") {
      field.kind = InputKind::kCategorical;
    } else if (optype == "ordinal") {
      field.kind = InputKind::kOrdinal;
    } else {
      return src_.Invalid(
          node, "optype \"" + optype + "\" is not one of continuous, categorical, ordinal");
    }
    PROBITY_ASSIGN_OR_RETURN(field.data_type, src_.RequiredText(node, "dataType"));
    field.numeric = IsNumericType(field.data_type);
    if (!field.numeric && field.data_type != "string" && field.data_type != "boolean") {
      return src_.Unsupported(
          node, "dataType \"" + field.data_type + "\" of DataField \"" + field.name + "\"");
    }
    for (const pugi::xml_node& value : Children(node, "Value")) {
      PROBITY_ASSIGN_OR_RETURN(std::string text, src_.RequiredText(value, "value"));
      std::string_view property = value.attribute("property").as_string("valid");
      if (property == "valid") {
        field.valid_values.push_back(text);
      } else if (property == "invalid") {
        field.invalid_values.push_back(Literal::Of(text));
      } else if (property == "missing") {
        field.missing_values.push_back(Literal::Of(text));
      } else {
        return src_.Invalid(value, "property \"" + std::string(property) +
                                       "\" is not one of valid, invalid, missing");
      }
    }
    for (const pugi::xml_node& interval : Children(node, "Interval")) {
      PROBITY_ASSIGN_OR_RETURN(Interval range, ReadInterval(src_, interval));
      field.intervals.push_back(range);
    }
    std::string name = field.name;
    if (!data_fields_.emplace(name, std::move(field)).second) {
      return src_.Invalid(node, "DataField \"" + name + "\" is declared twice");
    }
  }
  scopes_.emplace_back();  // the global scope: TransformationDictionary
  return OkStatus();
}

Status Compiler::RegisterDerivedFields(const pugi::xml_node& container) {
  for (const pugi::xml_node& node : Elements(container)) {
    if (LocalName(node) != "DerivedField") {
      return src_.Unsupported(node, std::string("<").append(LocalName(node)) + "> in <" +
                                        std::string(LocalName(container)) + ">");
    }
    PROBITY_ASSIGN_OR_RETURN(std::string name, src_.RequiredText(node, "name"));
    if (!scopes_.back().pending.emplace(name, node).second) {
      return src_.Invalid(node, "DerivedField \"" + name + "\" is declared twice");
    }
  }
  return OkStatus();
}

Status Compiler::ReadTransformationDictionary(const pugi::xml_node& dictionary) {
  return RegisterDerivedFields(dictionary);
}

const DataFieldDef* Compiler::FindDataField(const std::string& name) const {
  auto it = data_fields_.find(name);
  return it == data_fields_.end() ? nullptr : &it->second;
}

int32_t Compiler::NewSlot(const std::string& name, const Expr* expr) {
  program_.slots.push_back(Slot{name, expr});
  return static_cast<int32_t>(program_.slots.size() - 1);
}

void Compiler::Bind(const std::string& name, int32_t slot) { scopes_.back().slots[name] = slot; }

Result<int32_t> Compiler::BindInput(const DataFieldDef& field, const FieldTreatment& treatment) {
  auto it = input_slots_.find(field.name);
  if (it != input_slots_.end()) return it->second;
  const int32_t slot = NewSlot(field.name, nullptr);
  inputs_.push_back(InputBinding{&field, slot, treatment});
  input_slots_.emplace(field.name, slot);
  return slot;
}

Result<int32_t> Compiler::Resolve(const pugi::xml_node& where, const std::string& name) {
  for (size_t i = scopes_.size(); i-- > 0;) {
    auto slot = scopes_[i].slots.find(name);
    if (slot != scopes_[i].slots.end()) return slot->second;
    if (scopes_[i].pending.count(name)) return CompileDerived(i, name);
  }
  if (const DataFieldDef* field = FindDataField(name)) return BindInput(*field, {});
  return src_.Invalid(where, std::string("<").append(LocalName(where)) +
                                 "> refers to the field \"" + name + "\", which is not defined");
}

Result<int32_t> Compiler::ResolveAttribute(const pugi::xml_node& node, const char* attribute) {
  PROBITY_ASSIGN_OR_RETURN(std::string name, src_.RequiredText(node, attribute));
  return Resolve(node, name);
}

Result<int32_t> Compiler::CompileDerived(size_t scope_index, const std::string& name) {
  const std::string key = std::to_string(scope_index) + "/" + name;
  pugi::xml_node node = scopes_[scope_index].pending.at(name);
  if (!in_progress_.insert(key).second) {
    return src_.Invalid(node, "DerivedField \"" + name + "\" refers to itself (a cycle)");
  }
  // The field sees only its own scope and the ones around it.
  std::vector<Scope> inner(std::make_move_iterator(scopes_.begin() + scope_index + 1),
                           std::make_move_iterator(scopes_.end()));
  scopes_.resize(scope_index + 1);
  Result<const Expr*> expr = CompileExprChild(node);
  for (Scope& scope : inner) scopes_.push_back(std::move(scope));
  in_progress_.erase(key);
  if (!expr.has_value()) return std::move(expr).error();
  const int32_t slot = NewSlot(name, *expr);
  scopes_[scope_index].pending.erase(name);
  scopes_[scope_index].slots[name] = slot;
  return slot;
}

Result<FieldTreatment> Compiler::ReadTreatment(const pugi::xml_node& node) {
  FieldTreatment t;
  if (pugi::xml_attribute a = node.attribute("missingValueReplacement")) {
    t.missing_replacement = Literal::Of(a.value());
  }
  std::string_view invalid = node.attribute("invalidValueTreatment").as_string("returnInvalid");
  if (invalid == "asIs") {
    t.invalid = FieldTreatment::Invalid::kAsIs;
  } else if (invalid == "asMissing") {
    t.invalid = FieldTreatment::Invalid::kAsMissing;
  } else if (invalid == "asValue") {
    t.invalid = FieldTreatment::Invalid::kAsValue;
    PROBITY_ASSIGN_OR_RETURN(std::string v, src_.RequiredText(node, "invalidValueReplacement"));
    t.invalid_replacement = Literal::Of(v);
  } else if (invalid != "returnInvalid") {
    return src_.Invalid(node, "invalidValueTreatment \"" + std::string(invalid) +
                                  "\" is not one of returnInvalid, asIs, asMissing, asValue");
  }
  std::string_view outliers = node.attribute("outliers").as_string("asIs");
  if (outliers == "asMissingValues") {
    t.outliers = FieldTreatment::Outliers::kAsMissing;
  } else if (outliers == "asExtremeValues") {
    t.outliers = FieldTreatment::Outliers::kAsExtreme;
  } else if (outliers != "asIs") {
    return src_.Invalid(node, "outliers \"" + std::string(outliers) +
                                  "\" is not one of asIs, asMissingValues, asExtremeValues");
  }
  if (t.outliers != FieldTreatment::Outliers::kAsIs) {
    PROBITY_ASSIGN_OR_RETURN(t.low, src_.Number(node, "lowValue", t.low));
    PROBITY_ASSIGN_OR_RETURN(t.high, src_.Number(node, "highValue", t.high));
  }
  return t;
}

Status Compiler::ReadMiningSchema(const pugi::xml_node& model, bool top_level, ModelHeader& out) {
  pugi::xml_node schema = Child(model, "MiningSchema");
  if (!schema) return src_.Invalid(model, "<" + out.element + "> has no <MiningSchema>");
  for (const pugi::xml_node& node : Children(schema, "MiningField")) {
    PROBITY_ASSIGN_OR_RETURN(std::string name, src_.RequiredText(node, "name"));
    std::string_view usage = node.attribute("usageType").as_string("active");
    if (usage == "predicted" || usage == "target") {
      if (out.target.empty()) out.target = name;
      continue;
    }
    if (usage != "active") continue;  // supplementary, group, order, weights: not read
    PROBITY_ASSIGN_OR_RETURN(FieldTreatment treatment, ReadTreatment(node));
    if (top_level) {
      const DataFieldDef* field = FindDataField(name);
      if (!field) {
        return src_.Invalid(node, "MiningField \"" + name + "\" names no DataField");
      }
      PROBITY_ASSIGN_OR_RETURN(int32_t slot, BindInput(*field, treatment));
      (void)slot;
    } else {
      PROBITY_ASSIGN_OR_RETURN(int32_t source, Resolve(node, name));
      if (!treatment.IsDefault()) {
        Bind(name, NewSlot(name, program_.Own(std::make_unique<TreatedField>(source, treatment))));
      }
    }
  }
  if (!out.target.empty() && out.task != ModelTask::kRegression) {
    if (const DataFieldDef* field = FindDataField(out.target)) out.classes = field->valid_values;
  }
  return OkStatus();
}

void Compiler::InitEvaluator(Evaluator& out) const {
  const ModelHeader& h = header();
  out.element = h.element;
  out.task = h.task;
  out.target = h.target;
  out.classes = h.classes;
}

Status Compiler::ReadTargets(const pugi::xml_node& model, Evaluator& out) {
  pugi::xml_node targets = Child(model, "Targets");
  if (!targets) return OkStatus();
  for (const pugi::xml_node& node : Children(targets, "Target")) {
    std::string field = node.attribute("field").as_string();
    if (!field.empty() && !out.target.empty() && field != out.target) continue;
    TargetTransform& t = out.targets;
    PROBITY_ASSIGN_OR_RETURN(t.rescale_factor, src_.Number(node, "rescaleFactor", 1));
    PROBITY_ASSIGN_OR_RETURN(t.rescale_constant, src_.Number(node, "rescaleConstant", 0));
    if (node.attribute("min")) {
      PROBITY_ASSIGN_OR_RETURN(double min, src_.Number(node, "min", 0));
      t.min = min;
    }
    if (node.attribute("max")) {
      PROBITY_ASSIGN_OR_RETURN(double max, src_.Number(node, "max", 0));
      t.max = max;
    }
    std::string_view cast = node.attribute("castInteger").as_string("");
    if (cast == "round") {
      t.cast = TargetTransform::Cast::kRound;
    } else if (cast == "ceiling") {
      t.cast = TargetTransform::Cast::kCeiling;
    } else if (cast == "floor") {
      t.cast = TargetTransform::Cast::kFloor;
    } else if (!cast.empty()) {
      return src_.Invalid(
          node, "castInteger \"" + std::string(cast) + "\" is not one of round, ceiling, floor");
    }
    std::vector<pugi::xml_node> values = Children(node, "TargetValue");
    for (const pugi::xml_node& value : values) {
      if (out.task == ModelTask::kRegression) {
        if (value.attribute("defaultValue")) {
          PROBITY_ASSIGN_OR_RETURN(double v, src_.Number(value, "defaultValue", 0));
          t.default_value = v;
        }
        continue;
      }
      if (!value.attribute("priorProbability")) continue;
      PROBITY_ASSIGN_OR_RETURN(double prior, src_.Number(value, "priorProbability", 0));
      const int32_t index = ClassIndex(out.classes, value.attribute("value").as_string(), false);
      if (index < 0) continue;
      t.priors.resize(out.classes.size(), 0);
      t.priors[static_cast<size_t>(index)] = prior;
    }
  }
  return OkStatus();
}

Status Compiler::ReadOutput(const pugi::xml_node& model, Evaluator& out) {
  pugi::xml_node output = Child(model, "Output");
  if (!output) return OkStatus();
  for (const pugi::xml_node& node : Children(output, "OutputField")) {
    OutputField field;
    PROBITY_ASSIGN_OR_RETURN(field.name, src_.RequiredText(node, "name"));
    if (node.attribute("segmentId")) return src_.Unsupported(node, "OutputField segmentId");
    field.numeric = IsNumericType(node.attribute("dataType").as_string());
    std::string_view feature = node.attribute("feature").as_string("predictedValue");
    const bool has_value = static_cast<bool>(node.attribute("value"));
    const std::string value = node.attribute("value").as_string();
    auto class_of = [&](std::string_view what) -> Result<int32_t> {
      if (!has_value) return -1;
      const int32_t index = ClassIndex(out.classes, value, false);
      if (index < 0) {
        return src_.Invalid(node, "OutputField \"" + field.name + "\" asks for the " +
                                      std::string(what) + " of \"" + value +
                                      "\", which is not one of the model's classes");
      }
      return index;
    };
    if (feature == "predictedValue" || feature == "predictedDisplayValue") {
      field.feature = OutputFeature::kPredictedValue;
    } else if (feature == "probability") {
      if (out.task != ModelTask::kClassification) {
        return src_.Invalid(node, "OutputField \"" + field.name +
                                      "\" asks for a probability of a model that is not a "
                                      "classifier");
      }
      field.feature = OutputFeature::kProbability;
      PROBITY_ASSIGN_OR_RETURN(field.class_index, class_of("probability"));
      field.numeric = true;
    } else if (feature == "transformedValue" || feature == "decision") {
      field.feature = OutputFeature::kTransformedValue;
    } else if (feature == "entityId") {
      field.feature = OutputFeature::kEntityId;
    } else if (feature == "clusterId") {
      field.feature = OutputFeature::kClusterId;
    } else if (feature == "clusterAffinity" || feature == "affinity") {
      if (out.task != ModelTask::kClustering) {
        return src_.Unsupported(node, "OutputField feature \"" + std::string(feature) +
                                          "\" of a model that is not a clustering model");
      }
      field.feature = OutputFeature::kClusterAffinity;
      PROBITY_ASSIGN_OR_RETURN(field.class_index, class_of("affinity"));
      field.numeric = true;
    } else if (feature == "reasonCode") {
      field.feature = OutputFeature::kReasonCode;
      PROBITY_ASSIGN_OR_RETURN(int64_t rank, src_.Integer(node, "rank", 1, 1, 1000));
      field.rank = static_cast<int32_t>(rank);
    } else {
      return src_.Unsupported(node, "OutputField feature \"" + std::string(feature) + "\"");
    }
    field.slot = NewSlot(field.name, nullptr);
    if (field.feature == OutputFeature::kTransformedValue) {
      PROBITY_ASSIGN_OR_RETURN(field.expr, CompileExprChild(node));
    }
    Bind(field.name, field.slot);
    out.outputs.push_back(std::move(field));
  }
  return OkStatus();
}

Status Compiler::CheckGlobalFields() {
  while (!scopes_.empty() && !scopes_.front().pending.empty()) {
    std::string name = scopes_.front().pending.begin()->first;
    PROBITY_ASSIGN_OR_RETURN(int32_t slot, CompileDerived(0, name));
    (void)slot;
  }
  return OkStatus();
}

Result<std::unique_ptr<Evaluator>> Compiler::CompileModel(const pugi::xml_node& model,
                                                          bool top_level) {
  if (headers_.size() >= 16) return src_.Unsupported(model, "nesting models more than 16 deep");
  ModelHeader header;
  header.element = std::string(LocalName(model));
  using Family = Result<std::unique_ptr<Evaluator>> (*)(Compiler&, const pugi::xml_node&);
  static const std::map<std::string_view, Family> kFamilies = {
      {"RegressionModel", CompileRegressionModel},
      {"GeneralRegressionModel", CompileGeneralRegressionModel},
      {"TreeModel", CompileTreeModel},
      {"MiningModel", CompileMiningModel},
      {"NeuralNetwork", CompileNeuralNetwork},
      {"Scorecard", CompileScorecard},
      {"RuleSetModel", CompileRuleSetModel},
      {"NaiveBayesModel", CompileNaiveBayesModel},
      {"SupportVectorMachineModel", CompileSupportVectorMachineModel},
      {"ClusteringModel", CompileClusteringModel},
  };
  auto family = kFamilies.find(header.element);
  if (family == kFamilies.end()) return src_.Unsupported(model, "<" + header.element + ">");
  PROBITY_ASSIGN_OR_RETURN(header.task, ReadTask(src_, model));
  if (model.attribute("isScorable").as_string("true") == std::string_view("false")) {
    return src_.Unsupported(model, "a model with isScorable=\"false\"");
  }
  scopes_.emplace_back();
  PROBITY_RETURN_IF_ERROR(ReadMiningSchema(model, top_level, header));
  if (pugi::xml_node local = Child(model, "LocalTransformations")) {
    PROBITY_RETURN_IF_ERROR(RegisterDerivedFields(local));
  }
  headers_.push_back(std::move(header));
  Result<std::unique_ptr<Evaluator>> compiled = family->second(*this, model);
  headers_.pop_back();
  if (!compiled.has_value()) return std::move(compiled).error();
  std::unique_ptr<Evaluator> evaluator = std::move(compiled).value();
  PROBITY_RETURN_IF_ERROR(ReadTargets(model, *evaluator));
  PROBITY_RETURN_IF_ERROR(ReadOutput(model, *evaluator));
  // Derived fields nobody referenced are still checked.
  while (!scopes_.back().pending.empty()) {
    std::string name = scopes_.back().pending.begin()->first;
    PROBITY_ASSIGN_OR_RETURN(int32_t slot, CompileDerived(scopes_.size() - 1, name));
    (void)slot;
  }
  scopes_.pop_back();
  // Output fields are visible to the models that follow (modelChain segments).
  for (const OutputField& field : evaluator->outputs) Bind(field.name, field.slot);
  return evaluator;
}

Result<const Expr*> Compiler::CompileExprChild(const pugi::xml_node& parent) {
  for (const pugi::xml_node& node : Elements(parent)) {
    if (!IsPredicate(LocalName(node))) return CompileExpr(node);
  }
  return src_.Invalid(parent, std::string("<").append(LocalName(parent)) + "> has no expression");
}

Result<std::unique_ptr<Predicate>> Compiler::CompilePredicateChild(const pugi::xml_node& parent) {
  for (const pugi::xml_node& node : Elements(parent)) {
    if (IsPredicate(LocalName(node))) return CompilePredicate(node);
  }
  return src_.Invalid(parent, std::string("<").append(LocalName(parent)) + "> has no predicate");
}

bool Compiler::IsPredicate(std::string_view name) {
  return name == "SimplePredicate" || name == "CompoundPredicate" || name == "SimpleSetPredicate" ||
         name == "True" || name == "False";
}

}  // namespace probity::models::pmml_internal
