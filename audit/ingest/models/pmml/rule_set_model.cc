// RuleSetModel: SimpleRules (and CompoundRules that guard nested rules) fire when their
// predicate is true; the first RuleSelectionMethod decides: firstHit (the first fired rule),
// weightedMax (the fired rule of largest weight), weightedSum (the class whose fired rules
// weigh most, confidence = that weight / rules fired). No rule fired → defaultScore.
#include <algorithm>

#include "audit/ingest/models/pmml/internal/compiler.h"

namespace probity::models::pmml_internal {
namespace {

enum class Criterion { kFirstHit, kWeightedMax, kWeightedSum };

struct Rule {
  std::unique_ptr<Predicate> predicate;
  int32_t label = -1;  // SimpleRule only
  double weight = 1;
  std::string_view id;
  std::vector<Rule> children;  // CompoundRule only
  bool compound = false;
};

class RuleSetEvaluator final : public Evaluator {
 public:
  Criterion criterion = Criterion::kFirstHit;
  std::vector<Rule> rules;
  int32_t default_label = -1;

  void Evaluate(RowContext& row, Score& out) const override {
    std::vector<const Rule*> fired;
    Collect(rules, row, fired, criterion == Criterion::kFirstHit);
    if (fired.empty()) {
      if (default_label < 0) return;
      out.missing = false;
      out.label = default_label;
      return;
    }
    const Rule* chosen = fired.front();
    if (criterion == Criterion::kWeightedMax) {
      for (const Rule* r : fired) {
        if (r->weight > chosen->weight) chosen = r;
      }
    } else if (criterion == Criterion::kWeightedSum) {
      std::vector<double> sums(classes.size(), 0);
      for (const Rule* r : fired) sums[static_cast<size_t>(r->label)] += r->weight;
      out.missing = false;
      out.label = static_cast<int32_t>(std::max_element(sums.begin(), sums.end()) - sums.begin());
      return;
    }
    out.missing = false;
    out.label = chosen->label;
    out.entity_id = chosen->id;
  }

 private:
  // Fired simple rules in document order; stops at the first when `first_only`.
  static bool Collect(const std::vector<Rule>& list, RowContext& row,
                      std::vector<const Rule*>& fired, bool first_only) {
    for (const Rule& r : list) {
      if (r.predicate->Eval(row) != Truth::kTrue) continue;
      if (r.compound) {
        if (Collect(r.children, row, fired, first_only) && first_only) return true;
        continue;
      }
      fired.push_back(&r);
      if (first_only) return true;
    }
    return !fired.empty();
  }
};

struct RuleCompiler {
  Compiler& c;
  RuleSetEvaluator& model;
  bool open;

  Result<std::vector<Rule>> Rules(const pugi::xml_node& parent) {
    const XmlSource& src = c.src();
    std::vector<Rule> out;
    for (const pugi::xml_node& xml : Elements(parent)) {
      const std::string_view name = LocalName(xml);
      if (name != "SimpleRule" && name != "CompoundRule") continue;
      PROBITY_RETURN_IF_ERROR(c.Enter(xml));
      Rule rule;
      Result<std::unique_ptr<Predicate>> predicate = c.CompilePredicateChild(xml);
      if (!predicate.has_value()) {
        c.Leave();
        return std::move(predicate).error();
      }
      rule.predicate = std::move(predicate).value();
      if (name == "CompoundRule") {
        rule.compound = true;
        Result<std::vector<Rule>> children = Rules(xml);
        c.Leave();
        if (!children.has_value()) return std::move(children).error();
        rule.children = std::move(children).value();
      } else {
        c.Leave();
        PROBITY_ASSIGN_OR_RETURN(std::string score, src.RequiredText(xml, "score"));
        rule.label = ClassIndex(model.classes, score, open);
        if (rule.label < 0) return src.Invalid(xml, "rule score \"" + score + "\" is not a class");
        PROBITY_ASSIGN_OR_RETURN(rule.weight, src.Number(xml, "weight", 1));
        rule.id = c.program().Intern(xml.attribute("id").as_string());
      }
      out.push_back(std::move(rule));
    }
    return out;
  }
};

}  // namespace

Result<std::unique_ptr<Evaluator>> CompileRuleSetModel(Compiler& c, const pugi::xml_node& model) {
  const XmlSource& src = c.src();
  auto rs = std::make_unique<RuleSetEvaluator>();
  c.InitEvaluator(*rs);
  if (rs->task != ModelTask::kClassification) {
    return src.Unsupported(model, "a RuleSetModel that is not a classifier");
  }
  pugi::xml_node set = Child(model, "RuleSet");
  if (!set) return src.Invalid(model, "<RuleSetModel> has no <RuleSet>");
  pugi::xml_node method = Child(set, "RuleSelectionMethod");
  if (!method) return src.Invalid(set, "<RuleSet> has no <RuleSelectionMethod>");
  PROBITY_ASSIGN_OR_RETURN(std::string criterion, src.RequiredText(method, "criterion"));
  if (criterion == "firstHit") {
    rs->criterion = Criterion::kFirstHit;
  } else if (criterion == "weightedMax") {
    rs->criterion = Criterion::kWeightedMax;
  } else if (criterion == "weightedSum") {
    rs->criterion = Criterion::kWeightedSum;
  } else {
    return src.Invalid(
        method, "criterion \"" + criterion + "\" is not one of firstHit, weightedMax, weightedSum");
  }
  const bool open = rs->classes.empty();
  if (pugi::xml_attribute d = set.attribute("defaultScore")) {
    rs->default_label = ClassIndex(rs->classes, d.value(), open);
    if (rs->default_label < 0)
      return src.Invalid(set, "defaultScore \"" + std::string(d.value()) + "\" is not a class");
  }
  RuleCompiler compiler{c, *rs, open};
  PROBITY_ASSIGN_OR_RETURN(rs->rules, compiler.Rules(set));
  rs->structure = {{"rules", static_cast<int64_t>(rs->rules.size())}};
  return std::unique_ptr<Evaluator>(std::move(rs));
}

}  // namespace probity::models::pmml_internal
