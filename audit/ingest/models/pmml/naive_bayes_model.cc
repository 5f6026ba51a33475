// NaiveBayesModel: class priors from BayesOutput, per-input likelihoods from PairCounts
// (discrete values, optionally discretized by a DerivedField) or GaussianDistribution
// (TargetValueStats); a likelihood below the model's threshold is replaced by the threshold;
// missing inputs and values without counts are skipped.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "audit/ingest/models/pmml/internal/compiler.h"

namespace probity::models::pmml_internal {
namespace {

struct BayesInput {
  const Expr* value = nullptr;  // the field, or its discretization
  // Discrete: per value, the count per class.
  std::vector<std::pair<Literal, std::vector<double>>> pairs;
  std::vector<double> class_totals;  // Σ over values of the counts, per class
  // Continuous: per class (mean, variance); empty when discrete.
  std::vector<std::pair<double, double>> gaussians;
};

class NaiveBayesEvaluator final : public Evaluator {
 public:
  double threshold = 0;
  std::vector<double> priors;
  std::vector<BayesInput> inputs;

  void Evaluate(RowContext& row, Score& out) const override {
    std::vector<double> p = priors;
    const size_t k = p.size();
    for (const BayesInput& in : inputs) {
      const Value v = in.value->Eval(row);
      if (v.missing()) continue;
      if (!in.gaussians.empty()) {
        std::optional<double> x = v.AsNumber();
        if (!x) continue;
        for (size_t c = 0; c < k; ++c) {
          const auto [mean, variance] = in.gaussians[c];
          double density = std::exp(-(*x - mean) * (*x - mean) / (2 * variance)) /
                           std::sqrt(2 * std::numbers::pi * variance);
          if (density < threshold || std::isnan(density)) density = threshold;
          p[c] *= density;
        }
        continue;
      }
      const std::vector<double>* counts = nullptr;
      for (const auto& [literal, per_class] : in.pairs) {
        if (Matches(v, literal)) {
          counts = &per_class;
          break;
        }
      }
      if (!counts) continue;
      for (size_t c = 0; c < k; ++c) {
        double likelihood = in.class_totals[c] > 0 ? (*counts)[c] / in.class_totals[c] : 0;
        if (likelihood < threshold) likelihood = threshold;
        p[c] *= likelihood;
      }
    }
    double sum = 0;
    for (double v : p) sum += v;
    if (!(sum > 0) || !std::isfinite(sum)) return;
    for (double& v : p) v /= sum;
    out.missing = false;
    out.label = static_cast<int32_t>(std::max_element(p.begin(), p.end()) - p.begin());
    out.probabilities = std::move(p);
  }
};

// TargetValueCounts → count per class.
Result<std::vector<double>> ReadCounts(const XmlSource& src, const pugi::xml_node& counts,
                                       std::vector<std::string>& classes, bool open) {
  std::vector<double> out(classes.size(), 0);
  for (const pugi::xml_node& tvc : Children(counts, "TargetValueCount")) {
    PROBITY_ASSIGN_OR_RETURN(std::string value, src.RequiredText(tvc, "value"));
    PROBITY_ASSIGN_OR_RETURN(double count, src.RequiredNumber(tvc, "count"));
    const int32_t k = ClassIndex(classes, value, open);
    if (k < 0) return src.Invalid(tvc, "TargetValueCount value \"" + value + "\" is not a class");
    out.resize(classes.size(), 0);
    out[static_cast<size_t>(k)] += count;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Evaluator>> CompileNaiveBayesModel(Compiler& c,
                                                          const pugi::xml_node& model) {
  const XmlSource& src = c.src();
  auto nb = std::make_unique<NaiveBayesEvaluator>();
  c.InitEvaluator(*nb);
  if (nb->task != ModelTask::kClassification) {
    return src.Unsupported(model, "a NaiveBayesModel that is not a classifier");
  }
  PROBITY_ASSIGN_OR_RETURN(nb->threshold, src.RequiredNumber(model, "threshold"));
  const bool open = nb->classes.empty();
  pugi::xml_node output = Child(model, "BayesOutput");
  if (!output) return src.Invalid(model, "<NaiveBayesModel> has no <BayesOutput>");
  PROBITY_ASSIGN_OR_RETURN(nb->priors,
                           ReadCounts(src, Child(output, "TargetValueCounts"), nb->classes, open));
  std::vector<pugi::xml_node> inputs = Children(Child(model, "BayesInputs"), "BayesInput");
  for (const pugi::xml_node& xml : inputs) {
    BayesInput in;
    if (pugi::xml_node derived = Child(xml, "DerivedField")) {
      PROBITY_ASSIGN_OR_RETURN(in.value, c.CompileExprChild(derived));
    } else {
      PROBITY_ASSIGN_OR_RETURN(int32_t slot, c.ResolveAttribute(xml, "fieldName"));
      in.value = c.program().Own(std::make_unique<SlotRead>(slot));
    }
    if (pugi::xml_node stats = Child(xml, "TargetValueStats")) {
      std::vector<std::optional<std::pair<double, double>>> per_class;
      for (const pugi::xml_node& stat : Children(stats, "TargetValueStat")) {
        PROBITY_ASSIGN_OR_RETURN(std::string value, src.RequiredText(stat, "value"));
        const int32_t k = ClassIndex(nb->classes, value, open);
        if (k < 0)
          return src.Invalid(stat, "TargetValueStat value \"" + value + "\" is not a class");
        pugi::xml_node gauss = Child(stat, "GaussianDistribution");
        if (!gauss) {
          pugi::xml_node other = Elements(stat).empty() ? stat : Elements(stat).front();
          return src.Unsupported(other, "<" + std::string(LocalName(other)) +
                                            "> (only GaussianDistribution is supported)");
        }
        PROBITY_ASSIGN_OR_RETURN(double mean, src.RequiredNumber(gauss, "mean"));
        PROBITY_ASSIGN_OR_RETURN(double variance, src.RequiredNumber(gauss, "variance"));
        if (!(variance > 0))
          return src.Invalid(gauss, "GaussianDistribution variance must be positive");
        per_class.resize(std::max(per_class.size(), nb->classes.size()));
        per_class[static_cast<size_t>(k)] = std::make_pair(mean, variance);
      }
      for (const auto& g : per_class) {
        if (!g) return src.Invalid(stats, "<TargetValueStats> lacks a class");
        in.gaussians.push_back(*g);
      }
    } else {
      for (const pugi::xml_node& pair : Children(xml, "PairCounts")) {
        PROBITY_ASSIGN_OR_RETURN(std::string value, src.RequiredText(pair, "value"));
        PROBITY_ASSIGN_OR_RETURN(
            std::vector<double> counts,
            ReadCounts(src, Child(pair, "TargetValueCounts"), nb->classes, open));
        in.pairs.emplace_back(Literal::Of(value), std::move(counts));
      }
    }
    nb->inputs.push_back(std::move(in));
  }
  // Classes may have been discovered late: size every per-class vector to the final count.
  const size_t k = nb->classes.size();
  if (k < 2) return src.Invalid(model, "<NaiveBayesModel> needs two or more classes");
  nb->priors.resize(k, 0);
  for (BayesInput& in : nb->inputs) {
    if (!in.gaussians.empty() && in.gaussians.size() != k) {
      return src.Invalid(model, "a BayesInput's TargetValueStats do not cover every class");
    }
    in.class_totals.assign(k, 0);
    for (auto& [literal, counts] : in.pairs) {
      counts.resize(k, 0);
      for (size_t j = 0; j < k; ++j) in.class_totals[j] += counts[j];
    }
  }
  nb->yields_probabilities = true;
  nb->structure = {{"inputs", static_cast<int64_t>(nb->inputs.size())}};
  return std::unique_ptr<Evaluator>(std::move(nb));
}

}  // namespace probity::models::pmml_internal
