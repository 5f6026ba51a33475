// GeneralRegressionModel: parameters built from the PPMatrix (factor indicators, covariate
// powers, their products), linear predictors from the ParamMatrix, then per modelType:
// regression/generalLinear (identity), generalizedLinear (inverse linkFunction),
// multinomialLogistic (softmax against the reference category), ordinalMultinomial
// (cumulativeLink over the ordered categories).
#include <algorithm>
#include <cmath>
#include <map>

#include "audit/ingest/models/pmml/internal/compiler.h"
#include "audit/ingest/models/pmml/internal/regression_link.h"

namespace probity::models::pmml_internal {
namespace {

enum class GrType { kLinear, kGeneralized, kMultinomial, kOrdinal };

struct Cell {
  int32_t slot;
  bool factor;  // compare with `level`; else raise to `exponent`
  Literal level;
  double exponent = 1;
};

class GeneralRegressionEvaluator final : public Evaluator {
 public:
  GrType type = GrType::kLinear;
  LinkFunction link_function = LinkFunction::kIdentity;
  double link_power = 1;
  double offset = 0;
  std::optional<int32_t> offset_slot;
  std::vector<std::vector<Cell>> parameters;  // per parameter: the PPCells multiplied
  // Per equation (one per class for classification, one for regression): beta per parameter.
  std::vector<std::vector<double>> betas;
  std::vector<int32_t> equation_class;  // class index of each equation
  int32_t reference_class = -1;         // multinomial: the class with η = 0

  void Evaluate(RowContext& row, Score& out) const override {
    std::vector<double> x(parameters.size(), 1);
    for (size_t p = 0; p < parameters.size(); ++p) {
      for (const Cell& cell : parameters[p]) {
        const Value v = row.Get(cell.slot);
        if (v.missing()) return;
        if (cell.factor) {
          if (!Matches(v, cell.level)) x[p] = 0;
        } else {
          std::optional<double> number = v.AsNumber();
          if (!number) return;
          x[p] *= cell.exponent == 1 ? *number : std::pow(*number, cell.exponent);
        }
      }
    }
    double extra = offset;
    if (offset_slot) {
      std::optional<double> o = row.Get(*offset_slot).AsNumber();
      if (!o) return;
      extra += *o;
    }
    std::vector<double> eta(betas.size(), 0);
    for (size_t e = 0; e < betas.size(); ++e) {
      for (size_t p = 0; p < x.size(); ++p) eta[e] += betas[e][p] * x[p];
      eta[e] += extra;
    }
    if (task == ModelTask::kRegression) {
      out.value =
          type == GrType::kGeneralized ? InverseLink(link_function, eta[0], link_power) : eta[0];
      out.missing = !std::isfinite(out.value);
      return;
    }
    std::vector<double> p(classes.size(), 0);
    switch (type) {
      case GrType::kGeneralized:
      case GrType::kLinear: {
        const double mu =
            type == GrType::kGeneralized ? InverseLink(link_function, eta[0], link_power) : eta[0];
        const auto k = static_cast<size_t>(equation_class[0]);
        p[k] = mu;
        p[1 - k] = 1 - mu;
        break;
      }
      case GrType::kMultinomial: {
        double top = 0;
        for (double e : eta) top = std::max(top, e);
        double sum = std::exp(-top);  // the reference class
        p[static_cast<size_t>(reference_class)] = std::exp(-top);
        for (size_t e = 0; e < eta.size(); ++e) {
          const double v = std::exp(eta[e] - top);
          p[static_cast<size_t>(equation_class[e])] = v;
          sum += v;
        }
        for (double& v : p) v /= sum;
        break;
      }
      case GrType::kOrdinal: {
        double previous = 0;
        for (size_t e = 0; e < eta.size(); ++e) {
          const double cumulative = InverseLink(link_function, eta[e], link_power);
          p[static_cast<size_t>(equation_class[e])] = cumulative - previous;
          previous = cumulative;
        }
        p[static_cast<size_t>(reference_class)] = 1 - previous;
        break;
      }
    }
    out.missing = false;
    out.label = static_cast<int32_t>(std::max_element(p.begin(), p.end()) - p.begin());
    out.probabilities = std::move(p);
  }
};

}  // namespace

Result<std::unique_ptr<Evaluator>> CompileGeneralRegressionModel(Compiler& c,
                                                                 const pugi::xml_node& model) {
  const XmlSource& src = c.src();
  auto gr = std::make_unique<GeneralRegressionEvaluator>();
  c.InitEvaluator(*gr);
  PROBITY_ASSIGN_OR_RETURN(std::string model_type, src.RequiredText(model, "modelType"));
  if (model_type == "regression" || model_type == "generalLinear") {
    gr->type = GrType::kLinear;
  } else if (model_type == "generalizedLinear") {
    gr->type = GrType::kGeneralized;
    PROBITY_ASSIGN_OR_RETURN(gr->link_function, ReadLinkFunction(src, model));
    PROBITY_ASSIGN_OR_RETURN(gr->link_power, src.Number(model, "linkParameter", 1));
  } else if (model_type == "multinomialLogistic") {
    gr->type = GrType::kMultinomial;
  } else if (model_type == "ordinalMultinomial") {
    gr->type = GrType::kOrdinal;
    pugi::xml_node link_source = model;
    std::string cumulative = model.attribute("cumulativeLink").as_string("logit");
    if (cumulative == "logit")
      gr->link_function = LinkFunction::kLogit;
    else if (cumulative == "probit")
      gr->link_function = LinkFunction::kProbit;
    else if (cumulative == "cloglog")
      gr->link_function = LinkFunction::kCloglog;
    else if (cumulative == "loglog")
      gr->link_function = LinkFunction::kLoglog;
    else if (cumulative == "cauchit")
      gr->link_function = LinkFunction::kCauchit;
    else
      return src.Unsupported(link_source, "cumulativeLink=\"" + cumulative + "\"");
  } else {
    return src.Unsupported(model, "modelType=\"" + model_type + "\"");
  }
  if (gr->task == ModelTask::kClustering)
    return src.Unsupported(model, "a clustering GeneralRegressionModel");
  if (model.attribute("trialsVariable") || model.attribute("trialsValue")) {
    return src.Unsupported(model, "binomial trials (trialsVariable/trialsValue)");
  }
  PROBITY_ASSIGN_OR_RETURN(gr->offset, src.Number(model, "offsetValue", 0));
  if (model.attribute("offsetVariable")) {
    PROBITY_ASSIGN_OR_RETURN(int32_t slot, c.ResolveAttribute(model, "offsetVariable"));
    gr->offset_slot = slot;
  }

  std::map<std::string, size_t, std::less<>> parameter_index;
  pugi::xml_node parameter_list = Child(model, "ParameterList");
  if (!parameter_list) return src.Invalid(model, "<GeneralRegressionModel> has no <ParameterList>");
  for (const pugi::xml_node& p : Children(parameter_list, "Parameter")) {
    PROBITY_ASSIGN_OR_RETURN(std::string name, src.RequiredText(p, "name"));
    if (!parameter_index.emplace(name, gr->parameters.size()).second) {
      return src.Invalid(p, "Parameter \"" + name + "\" is declared twice");
    }
    gr->parameters.emplace_back();
  }
  std::map<std::string, bool, std::less<>> is_factor;
  for (const pugi::xml_node& p : Children(Child(model, "FactorList"), "Predictor")) {
    is_factor[p.attribute("name").as_string()] = true;
  }
  for (const pugi::xml_node& p : Children(Child(model, "CovariateList"), "Predictor")) {
    is_factor[p.attribute("name").as_string()] = false;
  }
  for (const pugi::xml_node& cell : Children(Child(model, "PPMatrix"), "PPCell")) {
    PROBITY_ASSIGN_OR_RETURN(std::string predictor, src.RequiredText(cell, "predictorName"));
    PROBITY_ASSIGN_OR_RETURN(std::string parameter, src.RequiredText(cell, "parameterName"));
    PROBITY_ASSIGN_OR_RETURN(std::string value, src.RequiredText(cell, "value"));
    if (cell.attribute("targetCategory")) return src.Unsupported(cell, "PPCell targetCategory");
    auto p = parameter_index.find(parameter);
    if (p == parameter_index.end()) {
      return src.Invalid(cell, "PPCell names the undeclared Parameter \"" + parameter + "\"");
    }
    auto kind = is_factor.find(predictor);
    if (kind == is_factor.end()) {
      return src.Invalid(
          cell, "PPCell names \"" + predictor + "\", which is neither a factor nor a covariate");
    }
    Cell compiled;
    PROBITY_ASSIGN_OR_RETURN(compiled.slot, c.Resolve(cell, predictor));
    compiled.factor = kind->second;
    if (compiled.factor) {
      compiled.level = Literal::Of(value);
    } else {
      std::optional<double> exponent = XmlSource::ParseNumber(value);
      if (!exponent)
        return src.Invalid(cell, "covariate PPCell value \"" + value + "\" is not a number");
      compiled.exponent = *exponent;
    }
    gr->parameters[p->second].push_back(std::move(compiled));
  }

  // Equations: one per target category named in the ParamMatrix (one for regression).
  const bool open_classes = gr->classes.empty();
  std::map<int32_t, size_t> equation_of_class;
  std::vector<double> shared(gr->parameters.size(), 0);  // PCells without targetCategory
  std::vector<std::pair<int32_t, std::pair<size_t, double>>> per_class;
  for (const pugi::xml_node& cell : Children(Child(model, "ParamMatrix"), "PCell")) {
    PROBITY_ASSIGN_OR_RETURN(std::string parameter, src.RequiredText(cell, "parameterName"));
    PROBITY_ASSIGN_OR_RETURN(double beta, src.RequiredNumber(cell, "beta"));
    auto p = parameter_index.find(parameter);
    if (p == parameter_index.end()) {
      return src.Invalid(cell, "PCell names the undeclared Parameter \"" + parameter + "\"");
    }
    if (gr->task == ModelTask::kClassification && cell.attribute("targetCategory")) {
      const std::string category = cell.attribute("targetCategory").as_string();
      const int32_t k = ClassIndex(gr->classes, category, open_classes);
      if (k < 0) return src.Invalid(cell, "targetCategory \"" + category + "\" is not a class");
      per_class.push_back({k, {p->second, beta}});
    } else {
      shared[p->second] += beta;
    }
  }
  if (gr->task == ModelTask::kRegression) {
    gr->betas.push_back(shared);
  } else {
    if (gr->type == GrType::kMultinomial) {
      if (pugi::xml_attribute ref = model.attribute("targetReferenceCategory")) {
        gr->reference_class = ClassIndex(gr->classes, ref.value(), open_classes);
      }
    }
    for (const auto& [k, pb] : per_class) {
      if (!equation_of_class.count(k)) {
        equation_of_class[k] = gr->betas.size();
        gr->betas.push_back(shared);
        gr->equation_class.push_back(k);
      }
    }
    // Equations in class order (the ordinal cumulative sums rely on it).
    std::vector<size_t> order(gr->equation_class.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return gr->equation_class[a] < gr->equation_class[b]; });
    for (const auto& [k, pb] : per_class) {
      gr->betas[equation_of_class[k]][pb.first] += pb.second - 0;
    }
    std::vector<std::vector<double>> betas;
    std::vector<int32_t> classes_of;
    for (size_t i : order) {
      betas.push_back(gr->betas[i]);
      classes_of.push_back(gr->equation_class[i]);
    }
    gr->betas = std::move(betas);
    gr->equation_class = std::move(classes_of);
    const size_t k = gr->classes.size();
    if (gr->equation_class.empty() || gr->equation_class.size() + 1 != k) {
      if (!(gr->type == GrType::kGeneralized || gr->type == GrType::kLinear) || k != 2 ||
          gr->equation_class.size() != 1) {
        return src.Invalid(model, "the ParamMatrix has equations for " +
                                      std::to_string(gr->equation_class.size()) + " of " +
                                      std::to_string(k) + " classes; expected all but one");
      }
    }
    if (gr->type == GrType::kGeneralized || gr->type == GrType::kLinear) {
      if (k != 2)
        return src.Unsupported(model, "a generalized linear classifier with more than two classes");
    } else if (gr->reference_class < 0 || gr->type == GrType::kOrdinal) {
      // The reference (multinomial) or last (ordinal) category is the one without an equation.
      for (size_t j = 0; j < k; ++j) {
        if (!equation_of_class.count(static_cast<int32_t>(j)))
          gr->reference_class = static_cast<int32_t>(j);
      }
    }
    if (gr->type == GrType::kMultinomial && equation_of_class.count(gr->reference_class)) {
      return src.Invalid(model, "the reference category has coefficients in the ParamMatrix");
    }
    gr->yields_probabilities = true;
  }
  gr->link = gr->type == GrType::kMultinomial
                 ? "softmax"
                 : std::string(model.attribute("linkFunction").as_string("identity"));
  gr->structure = {{"parameters", static_cast<int64_t>(gr->parameters.size())}};
  return std::unique_ptr<Evaluator>(std::move(gr));
}

}  // namespace probity::models::pmml_internal
