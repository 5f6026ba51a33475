// The PMML compiler's environment: the DataDictionary, the nested field scopes (global
// TransformationDictionary, each model's MiningSchema and LocalTransformations, output
// fields), and the entry points that turn elements into compiled expressions, predicates
// and model evaluators. Names are resolved to slots once, here; derived fields are compiled
// on first reference, which also detects reference cycles.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <set>
#include <string>
#include <vector>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/models/pmml/internal/evaluation.h"
#include "audit/ingest/models/pmml/internal/xml.h"

namespace probity::models::pmml_internal {

struct Interval {
  double left = -std::numeric_limits<double>::infinity();
  double right = std::numeric_limits<double>::infinity();
  bool left_closed = true;
  bool right_closed = true;
  bool Contains(double x) const {
    return (left_closed ? x >= left : x > left) && (right_closed ? x <= right : x < right);
  }
};
Result<Interval> ReadInterval(const XmlSource& src, const pugi::xml_node& node);

// A <DataField> of the DataDictionary.
struct DataFieldDef {
  std::string name;
  int64_t line = 0;
  bool numeric = false;  // dataType integer/float/double (else read as text)
  InputKind kind = InputKind::kContinuous;
  std::string data_type;
  std::vector<std::string> valid_values;  // declared valid <Value>s, in order
  std::vector<Literal> missing_values;    // <Value property="missing">
  std::vector<Literal> invalid_values;    // <Value property="invalid">
  std::vector<Interval> intervals;        // valid ranges of a continuous field
};

// A <MiningField>'s treatment of missing, invalid and outlying values.
struct FieldTreatment {
  std::optional<Literal> missing_replacement;
  enum class Invalid {
    kReturnInvalid,
    kAsIs,
    kAsMissing,
    kAsValue
  } invalid = Invalid::kReturnInvalid;
  std::optional<Literal> invalid_replacement;
  enum class Outliers { kAsIs, kAsMissing, kAsExtreme } outliers = Outliers::kAsIs;
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool IsDefault() const {
    return !missing_replacement && outliers == Outliers::kAsIs &&
           invalid == Invalid::kReturnInvalid;
  }
};

// A data field the model reads from the batch.
struct InputBinding {
  const DataFieldDef* field = nullptr;
  int32_t slot = -1;
  FieldTreatment treatment;
};

// Applies outlier treatment and missing-value replacement to a present/missing value.
Value ApplyTreatment(const FieldTreatment& treatment, Value value);

// What every model element shares, read before its family-specific content.
struct ModelHeader {
  std::string element;
  ModelTask task = ModelTask::kRegression;
  std::string target;
  std::vector<std::string> classes;  // declared target categories (may be empty)
};

class Compiler {
 public:
  Compiler(const XmlSource& src, Program& program) : src_(src), program_(program) {}

  const XmlSource& src() const { return src_; }
  Program& program() { return program_; }

  Status ReadDataDictionary(const pugi::xml_node& dictionary);
  // Registers the global derived fields (compiled on first reference).
  Status ReadTransformationDictionary(const pugi::xml_node& dictionary);

  // Compiles a model element (any supported family), with its MiningSchema, Targets,
  // LocalTransformations and Output. `top_level` models bind their active fields as inputs.
  Result<std::unique_ptr<Evaluator>> CompileModel(const pugi::xml_node& model, bool top_level);

  // Compiles the global derived fields no model referred to, so that their errors (unknown
  // fields, cycles) are reported too. Call after CompileModel.
  Status CheckGlobalFields();

  // The slot of the field named `name` as seen from the current scope; kInvalidArgument at
  // `where` when no such field exists or when derived fields refer to each other in a cycle.
  Result<int32_t> Resolve(const pugi::xml_node& where, const std::string& name);
  Result<int32_t> ResolveAttribute(const pugi::xml_node& node, const char* attribute);
  // The DataField named `name`, or nullptr.
  const DataFieldDef* FindDataField(const std::string& name) const;

  // An expression element (Constant, FieldRef, NormContinuous, NormDiscrete, Discretize,
  // MapValues, Apply).
  Result<const Expr*> CompileExpr(const pugi::xml_node& node);
  // The expression child of `parent` (the first child element that is an expression).
  Result<const Expr*> CompileExprChild(const pugi::xml_node& parent);
  // A predicate element (SimplePredicate, CompoundPredicate, SimpleSetPredicate, True,
  // False).
  Result<std::unique_ptr<Predicate>> CompilePredicate(const pugi::xml_node& node);
  // The predicate child of `parent` (first child element that is a predicate).
  Result<std::unique_ptr<Predicate>> CompilePredicateChild(const pugi::xml_node& parent);
  static bool IsPredicate(std::string_view local_name);

  // Registers `name` → `slot` in the current scope (shadowing outer names).
  void Bind(const std::string& name, int32_t slot);
  int32_t NewSlot(const std::string& name, const Expr* expr);

  // The header of the model being compiled; copied into its evaluator by InitEvaluator.
  const ModelHeader& header() const { return headers_.back(); }
  void InitEvaluator(Evaluator& out) const;

  const std::vector<InputBinding>& inputs() const { return inputs_; }

  // Bounds recursion into nested elements (expressions, predicates, tree nodes): hostile
  // documents nest deeper than any real model. kInvalidArgument past kMaxNesting levels;
  // every successful Enter is paired with Leave.
  static constexpr int kMaxNesting = 250;
  Status Enter(const pugi::xml_node& node);
  void Leave() { --nesting_; }
  // Nesting depth of models, to bound recursion in hostile documents.
  int depth() const { return static_cast<int>(scopes_.size()); }

 private:
  struct Scope {
    std::map<std::string, int32_t, std::less<>> slots;
    std::map<std::string, pugi::xml_node, std::less<>> pending;  // derived, not compiled yet
  };
  Result<int32_t> CompileDerived(size_t scope_index, const std::string& name);
  Status RegisterDerivedFields(const pugi::xml_node& container);
  Result<int32_t> BindInput(const DataFieldDef& field, const FieldTreatment& treatment);
  Status ReadMiningSchema(const pugi::xml_node& model, bool top_level, ModelHeader& out);
  Status ReadTargets(const pugi::xml_node& model, Evaluator& out);
  Status ReadOutput(const pugi::xml_node& model, Evaluator& out);
  Result<FieldTreatment> ReadTreatment(const pugi::xml_node& mining_field);

  const XmlSource& src_;
  Program& program_;
  std::map<std::string, DataFieldDef, std::less<>> data_fields_;
  std::vector<InputBinding> inputs_;
  std::map<std::string, int32_t, std::less<>> input_slots_;
  std::vector<Scope> scopes_;  // scopes_[0]: TransformationDictionary
  std::set<std::string> in_progress_;
  std::vector<ModelHeader> headers_;
  int nesting_ = 0;
};

// The model families (one file each); `model` is the element, `out` already carries the
// MiningSchema/Targets information (task, target, classes from the DataDictionary).
Result<std::unique_ptr<Evaluator>> CompileRegressionModel(Compiler& c, const pugi::xml_node& model);
Result<std::unique_ptr<Evaluator>> CompileGeneralRegressionModel(Compiler& c,
                                                                 const pugi::xml_node& model);
Result<std::unique_ptr<Evaluator>> CompileTreeModel(Compiler& c, const pugi::xml_node& model);
Result<std::unique_ptr<Evaluator>> CompileMiningModel(Compiler& c, const pugi::xml_node& model);
Result<std::unique_ptr<Evaluator>> CompileNeuralNetwork(Compiler& c, const pugi::xml_node& model);
Result<std::unique_ptr<Evaluator>> CompileScorecard(Compiler& c, const pugi::xml_node& model);
Result<std::unique_ptr<Evaluator>> CompileRuleSetModel(Compiler& c, const pugi::xml_node& model);
Result<std::unique_ptr<Evaluator>> CompileNaiveBayesModel(Compiler& c, const pugi::xml_node& model);
Result<std::unique_ptr<Evaluator>> CompileSupportVectorMachineModel(Compiler& c,
                                                                    const pugi::xml_node& model);
Result<std::unique_ptr<Evaluator>> CompileClusteringModel(Compiler& c, const pugi::xml_node& model);

// Model-family helpers.
// The task a functionName attribute names; kUnimplemented for other functions.
Result<ModelTask> ReadTask(const XmlSource& src, const pugi::xml_node& model);
// The index of `label` in `classes`, appending it when `open` (classes not declared).
// -1 when absent and not open.
int32_t ClassIndex(std::vector<std::string>& classes, std::string_view label, bool open);

}  // namespace probity::models::pmml_internal
