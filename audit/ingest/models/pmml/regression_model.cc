// RegressionModel: one RegressionTable per output (NumericPredictor with exponents,
// CategoricalPredictor, PredictorTerm products), then the normalizationMethod: for
// regression none/exp/softmax(logistic)/logit/probit/cloglog/loglog/cauchit, for
// classification softmax/simplemax/none and the binary links.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "audit/ingest/models/pmml/internal/compiler.h"
#include "audit/ingest/models/pmml/internal/regression_link.h"

namespace probity::models::pmml_internal {
namespace {

struct NumericTerm {
  int32_t slot;
  double exponent;
  double coefficient;
};
struct CategoricalTerm {
  int32_t slot;
  Literal value;
  double coefficient;
};
struct ProductTerm {
  std::vector<int32_t> slots;
  double coefficient;
};

struct Table {
  double intercept = 0;
  int32_t label = -1;
  std::vector<NumericTerm> numeric;
  std::vector<CategoricalTerm> categorical;
  std::vector<ProductTerm> products;

  // The table's linear value, nullopt when an input it reads is missing.
  std::optional<double> Eval(RowContext& row) const {
    double y = intercept;
    for (const NumericTerm& t : numeric) {
      std::optional<double> x = row.Get(t.slot).AsNumber();
      if (!x) return std::nullopt;
      y += t.coefficient * (t.exponent == 1 ? *x : std::pow(*x, t.exponent));
    }
    for (const CategoricalTerm& t : categorical) {
      const Value v = row.Get(t.slot);
      if (v.missing()) return std::nullopt;
      if (Matches(v, t.value)) y += t.coefficient;
    }
    for (const ProductTerm& t : products) {
      double p = t.coefficient;
      for (int32_t slot : t.slots) {
        std::optional<double> x = row.Get(slot).AsNumber();
        if (!x) return std::nullopt;
        p *= *x;
      }
      y += p;
    }
    return y;
  }
};

class RegressionEvaluator final : public Evaluator {
 public:
  std::vector<Table> tables;
  Normalization normalization = Normalization::kNone;

  void Evaluate(RowContext& row, Score& out) const override {
    if (task == ModelTask::kRegression) {
      std::optional<double> y = tables[0].Eval(row);
      if (!y) return;
      out.value = ApplyRegressionLink(normalization, *y);
      out.missing = std::isnan(out.value);
      return;
    }
    double y[64];
    std::vector<double> many;
    double* ys = y;
    if (tables.size() > 64) {
      many.resize(tables.size());
      ys = many.data();
    }
    for (size_t k = 0; k < tables.size(); ++k) {
      std::optional<double> v = tables[k].Eval(row);
      if (!v) return;
      ys[k] = *v;
    }
    std::vector<double> p(tables.size());
    if (!NormalizeClassScores(normalization, std::span<const double>(ys, tables.size()), p)) {
      return;
    }
    out.probabilities.assign(classes.size(), 0);
    for (size_t k = 0; k < tables.size(); ++k) {
      out.probabilities[static_cast<size_t>(tables[k].label)] = p[k];
    }
    out.missing = false;
    out.label =
        static_cast<int32_t>(std::max_element(out.probabilities.begin(), out.probabilities.end()) -
                             out.probabilities.begin());
  }

  std::unique_ptr<LinearView> MakeLinearView(const InputIndex& inputs) const override {
    auto view = std::make_unique<LinearView>();
    size_t width = 0;  // the number of model inputs
    for (int32_t index : inputs) width = std::max(width, static_cast<size_t>(index + 1));
    for (const Table& t : tables) {
      if (!t.categorical.empty() || !t.products.empty()) return nullptr;
      std::vector<double> coefficients(width, 0);
      for (const NumericTerm& term : t.numeric) {
        if (term.exponent != 1 || inputs[static_cast<size_t>(term.slot)] < 0) return nullptr;
        coefficients[static_cast<size_t>(inputs[static_cast<size_t>(term.slot)])] +=
            term.coefficient;
      }
      view->coefficients.push_back(std::move(coefficients));
      view->intercepts.push_back(t.intercept);
    }
    view->link = link;
    return view;
  }
};

}  // namespace

Result<std::unique_ptr<Evaluator>> CompileRegressionModel(Compiler& c,
                                                          const pugi::xml_node& model) {
  const XmlSource& src = c.src();
  auto regression = std::make_unique<RegressionEvaluator>();
  c.InitEvaluator(*regression);
  if (regression->task == ModelTask::kClustering) {
    return src.Unsupported(model, "a clustering RegressionModel");
  }
  PROBITY_ASSIGN_OR_RETURN(regression->normalization,
                           ReadNormalization(src, model, regression->task));
  regression->link = std::string(NormalizationName(regression->normalization));
  const bool open_classes = regression->classes.empty();
  for (const pugi::xml_node& xml : Children(model, "RegressionTable")) {
    Table table;
    PROBITY_ASSIGN_OR_RETURN(table.intercept, src.RequiredNumber(xml, "intercept"));
    if (regression->task == ModelTask::kClassification) {
      PROBITY_ASSIGN_OR_RETURN(std::string category, src.RequiredText(xml, "targetCategory"));
      table.label = ClassIndex(regression->classes, category, open_classes);
      if (table.label < 0) {
        return src.Invalid(xml, "targetCategory \"" + category +
                                    "\" is not a category of the target \"" + regression->target +
                                    "\"");
      }
    }
    for (const pugi::xml_node& p : Children(xml, "NumericPredictor")) {
      NumericTerm term;
      PROBITY_ASSIGN_OR_RETURN(term.slot, c.ResolveAttribute(p, "name"));
      PROBITY_ASSIGN_OR_RETURN(term.exponent, src.Number(p, "exponent", 1));
      PROBITY_ASSIGN_OR_RETURN(term.coefficient, src.RequiredNumber(p, "coefficient"));
      table.numeric.push_back(term);
    }
    for (const pugi::xml_node& p : Children(xml, "CategoricalPredictor")) {
      CategoricalTerm term;
      PROBITY_ASSIGN_OR_RETURN(term.slot, c.ResolveAttribute(p, "name"));
      PROBITY_ASSIGN_OR_RETURN(std::string value, src.RequiredText(p, "value"));
      term.value = Literal::Of(std::move(value));
      PROBITY_ASSIGN_OR_RETURN(term.coefficient, src.RequiredNumber(p, "coefficient"));
      table.categorical.push_back(std::move(term));
    }
    for (const pugi::xml_node& p : Children(xml, "PredictorTerm")) {
      ProductTerm term;
      PROBITY_ASSIGN_OR_RETURN(term.coefficient, src.RequiredNumber(p, "coefficient"));
      for (const pugi::xml_node& ref : Children(p, "FieldRef")) {
        PROBITY_ASSIGN_OR_RETURN(int32_t slot, c.ResolveAttribute(ref, "field"));
        term.slots.push_back(slot);
      }
      if (term.slots.empty()) return src.Invalid(p, "<PredictorTerm> has no <FieldRef>");
      table.products.push_back(std::move(term));
    }
    regression->tables.push_back(std::move(table));
  }
  if (regression->tables.empty())
    return src.Invalid(model, "<RegressionModel> has no <RegressionTable>");
  if (regression->task == ModelTask::kRegression && regression->tables.size() != 1) {
    return src.Invalid(model, "a regression <RegressionModel> needs exactly one <RegressionTable>");
  }
  if (regression->task == ModelTask::kClassification) {
    if (regression->tables.size() < 2 && regression->classes.size() < 2) {
      return src.Invalid(model, "a classification <RegressionModel> needs two or more classes");
    }
    if (regression->tables.size() != regression->classes.size()) {
      return src.Invalid(model, "the model has " + std::to_string(regression->tables.size()) +
                                    " RegressionTables for " +
                                    std::to_string(regression->classes.size()) + " classes");
    }
    regression->yields_probabilities = true;
  }
  regression->structure = {{"tables", static_cast<int64_t>(regression->tables.size())}};
  return std::unique_ptr<Evaluator>(std::move(regression));
}

}  // namespace probity::models::pmml_internal
