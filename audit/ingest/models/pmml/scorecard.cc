// Scorecard: initialScore plus, per Characteristic, the partialScore (or ComplexPartialScore
// expression) of its first Attribute whose predicate is true. Reason codes: per
// Characteristic the points difference to its baselineScore (pointsBelow: baseline −
// partial; pointsAbove: partial − baseline) is added to the Attribute's (else the
// Characteristic's) reasonCode; codes are ranked by total, largest first, ties in document
// order, and only positive totals are reported. A Characteristic with no true Attribute
// makes the score missing.
#include <algorithm>

#include "audit/ingest/models/pmml/internal/compiler.h"

namespace probity::models::pmml_internal {
namespace {

struct Attribute {
  std::unique_ptr<Predicate> predicate;
  double partial = 0;
  const Expr* complex = nullptr;
  int32_t reason = -1;  // index into reason codes
};

struct Characteristic {
  std::vector<Attribute> attributes;
  double baseline = 0;
};

class ScorecardEvaluator final : public Evaluator {
 public:
  double initial = 0;
  bool use_reason_codes = true;
  bool points_above = false;
  std::vector<Characteristic> characteristics;
  std::vector<std::string_view> codes;

  void Evaluate(RowContext& row, Score& out) const override {
    double score = initial;
    std::vector<double> points(codes.size(), 0);
    for (const Characteristic& ch : characteristics) {
      const Attribute* hit = nullptr;
      for (const Attribute& a : ch.attributes) {
        if (a.predicate->Eval(row) == Truth::kTrue) {
          hit = &a;
          break;
        }
      }
      if (!hit) return;
      double partial = hit->partial;
      if (hit->complex) {
        std::optional<double> v = hit->complex->Eval(row).AsNumber();
        if (!v) return;
        partial = *v;
      }
      score += partial;
      if (use_reason_codes && hit->reason >= 0) {
        points[static_cast<size_t>(hit->reason)] +=
            points_above ? partial - ch.baseline : ch.baseline - partial;
      }
    }
    out.missing = false;
    out.value = score;
    if (!use_reason_codes) return;
    std::vector<size_t> order;
    for (size_t k = 0; k < codes.size(); ++k) {
      if (points[k] > 0) order.push_back(k);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return points[a] > points[b]; });
    for (size_t k : order) out.reason_codes.push_back(codes[k]);
  }
};

}  // namespace

Result<std::unique_ptr<Evaluator>> CompileScorecard(Compiler& c, const pugi::xml_node& model) {
  const XmlSource& src = c.src();
  auto sc = std::make_unique<ScorecardEvaluator>();
  c.InitEvaluator(*sc);
  if (sc->task != ModelTask::kRegression)
    return src.Unsupported(model, "a Scorecard that is not a regression");
  PROBITY_ASSIGN_OR_RETURN(sc->initial, src.Number(model, "initialScore", 0));
  sc->use_reason_codes = model.attribute("useReasonCodes").as_bool(true);
  std::string_view algorithm = model.attribute("reasonCodeAlgorithm").as_string("pointsBelow");
  if (algorithm != "pointsBelow" && algorithm != "pointsAbove") {
    return src.Invalid(model, "reasonCodeAlgorithm \"" + std::string(algorithm) +
                                  "\" is not one of pointsBelow, pointsAbove");
  }
  sc->points_above = algorithm == "pointsAbove";
  PROBITY_ASSIGN_OR_RETURN(double model_baseline, src.Number(model, "baselineScore", 0));
  const bool baseline_given = static_cast<bool>(model.attribute("baselineScore"));
  pugi::xml_node list = Child(model, "Characteristics");
  if (!list) return src.Invalid(model, "<Scorecard> has no <Characteristics>");
  std::vector<std::string> code_texts;
  auto code_index = [&](const std::string& code) {
    auto it = std::find(code_texts.begin(), code_texts.end(), code);
    if (it != code_texts.end()) return static_cast<int32_t>(it - code_texts.begin());
    code_texts.push_back(code);
    return static_cast<int32_t>(code_texts.size() - 1);
  };
  for (const pugi::xml_node& xml : Children(list, "Characteristic")) {
    Characteristic ch;
    if (sc->use_reason_codes && !xml.attribute("baselineScore") && !baseline_given) {
      return src.Invalid(xml, "<Characteristic> has no baselineScore (needed for reason codes)");
    }
    PROBITY_ASSIGN_OR_RETURN(ch.baseline, src.Number(xml, "baselineScore", model_baseline));
    const std::string characteristic_code = xml.attribute("reasonCode").as_string();
    for (const pugi::xml_node& a : Children(xml, "Attribute")) {
      Attribute attribute;
      PROBITY_ASSIGN_OR_RETURN(attribute.predicate, c.CompilePredicateChild(a));
      if (pugi::xml_node complex = Child(a, "ComplexPartialScore")) {
        PROBITY_ASSIGN_OR_RETURN(attribute.complex, c.CompileExprChild(complex));
      } else {
        PROBITY_ASSIGN_OR_RETURN(attribute.partial, src.RequiredNumber(a, "partialScore"));
      }
      const std::string code = a.attribute("reasonCode").as_string(characteristic_code.c_str());
      if (sc->use_reason_codes) {
        if (code.empty())
          return src.Invalid(a, "<Attribute> has no reasonCode (nor has its Characteristic)");
        attribute.reason = code_index(code);
      }
      ch.attributes.push_back(std::move(attribute));
    }
    if (ch.attributes.empty()) return src.Invalid(xml, "<Characteristic> has no <Attribute>");
    sc->characteristics.push_back(std::move(ch));
  }
  for (std::string& code : code_texts) sc->codes.push_back(c.program().Intern(std::move(code)));
  sc->structure = {{"characteristics", static_cast<int64_t>(sc->characteristics.size())}};
  return std::unique_ptr<Evaluator>(std::move(sc));
}

}  // namespace probity::models::pmml_internal
