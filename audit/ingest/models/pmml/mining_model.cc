// MiningModel with Segmentation: the segments' models are compiled recursively; their
// results are combined with sum, average, weightedAverage, median, max, majorityVote,
// weightedMajorityVote, modelChain, selectFirst, or selectAll (when one segment is
// selected).
#include <algorithm>
#include <map>

#include "audit/ingest/models/pmml/internal/compiler.h"
#include "audit/ingest/models/pmml/internal/predicates.h"

namespace probity::models::pmml_internal {
namespace {

enum class Method {
  kSum,
  kAverage,
  kWeightedAverage,
  kMedian,
  kMax,
  kMajorityVote,
  kWeightedMajorityVote,
  kModelChain,
  kSelectFirst,
  kSelectAll,
};

struct Segment {
  std::unique_ptr<Predicate> predicate;
  std::unique_ptr<Evaluator> model;
  double weight = 1;
  std::vector<int32_t> class_map;  // segment class index → mining model class index
  std::string_view id;
  bool predicate_is_true = false;
};

class MiningEvaluator final : public Evaluator {
 public:
  Method method = Method::kSelectFirst;
  std::vector<Segment> segments;

  void Evaluate(RowContext& row, Score& out) const override {
    Score part;
    switch (method) {
      case Method::kSelectFirst:
      case Method::kModelChain:
      case Method::kSelectAll: {
        int selected = 0;
        for (const Segment& s : segments) {
          if (s.predicate->Eval(row) != Truth::kTrue) continue;
          ++selected;
          ScoreRow(*s.model, row, part);
          if (method == Method::kSelectAll && selected > 1) {
            out.missing = true;  // several results: not one output
            return;
          }
          Adopt(s, part, out);
          if (method == Method::kSelectFirst) return;
        }
        return;
      }
      default: break;
    }
    if (task == ModelTask::kRegression) return Combine(row, out);
    return Vote(row, out);
  }

  bool AppendTrees(const InputIndex& inputs, TreeEnsembleView& view) const override {
    if (method != Method::kSum && method != Method::kAverage &&
        method != Method::kWeightedAverage) {
      return false;
    }
    double total_weight = 0;
    for (const Segment& s : segments) total_weight += s.weight;
    for (const Segment& s : segments) {
      if (!s.model->outputs.empty() || s.model->targets.rescale_factor != 1 ||
          s.model->targets.rescale_constant != 0 || !IsTrue(s)) {
        return false;
      }
      const size_t before = view.trees.size();
      if (!s.model->AppendTrees(inputs, view)) return false;
      for (size_t t = before; t < view.trees.size(); ++t) {
        if (method == Method::kWeightedAverage) view.trees[t].weight *= s.weight / total_weight;
      }
    }
    view.average = method == Method::kAverage;
    return true;
  }

 private:
  static bool IsTrue(const Segment& s) { return s.predicate_is_true; }

  void Adopt(const Segment& s, const Score& part, Score& out) const {
    out.Clear();
    if (part.missing) return;
    out.missing = false;
    out.value = part.value;
    out.entity_id = part.entity_id;
    out.affinities = part.affinities;
    out.reason_codes = part.reason_codes;
    if (task == ModelTask::kRegression) return;
    if (part.label >= 0 && static_cast<size_t>(part.label) >= s.class_map.size()) {
      out.missing = true;  // a chain link of another kind
      return;
    }
    out.label = part.label < 0 ? -1 : s.class_map[static_cast<size_t>(part.label)];
    if (!part.probabilities.empty()) {
      out.probabilities.assign(classes.size(), 0);
      for (size_t k = 0; k < part.probabilities.size() && k < s.class_map.size(); ++k) {
        if (s.class_map[k] >= 0)
          out.probabilities[static_cast<size_t>(s.class_map[k])] = part.probabilities[k];
      }
    }
  }

  void Combine(RowContext& row, Score& out) const {
    Score part;
    std::vector<double> values;
    double sum = 0;
    double weights = 0;
    for (const Segment& s : segments) {
      if (s.predicate->Eval(row) != Truth::kTrue) continue;
      ScoreRow(*s.model, row, part);
      if (part.missing) return;  // a missing segment result makes the whole result missing
      values.push_back(part.value);
      sum += method == Method::kWeightedAverage ? s.weight * part.value : part.value;
      weights += s.weight;
    }
    if (values.empty()) return;
    out.missing = false;
    switch (method) {
      case Method::kSum: out.value = sum; break;
      case Method::kAverage: out.value = sum / static_cast<double>(values.size()); break;
      case Method::kWeightedAverage: out.value = sum / weights; break;
      case Method::kMax: out.value = *std::max_element(values.begin(), values.end()); break;
      case Method::kMedian: {
        std::sort(values.begin(), values.end());
        const size_t n = values.size();
        out.value = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        break;
      }
      default: out.missing = true; break;
    }
  }

  void Vote(RowContext& row, Score& out) const {
    Score part;
    std::vector<double> acc(classes.size(), 0);
    std::vector<int32_t> first_seen;  // class order of first vote, for ties
    double total = 0;
    int counted = 0;
    double best_max = -1;
    for (const Segment& s : segments) {
      if (s.predicate->Eval(row) != Truth::kTrue) continue;
      ScoreRow(*s.model, row, part);
      if (part.missing || part.label < 0) return;
      const int32_t label = s.class_map[static_cast<size_t>(part.label)];
      if (label < 0) return;
      ++counted;
      switch (method) {
        case Method::kMajorityVote:
        case Method::kWeightedMajorityVote: {
          const double w = method == Method::kWeightedMajorityVote ? s.weight : 1;
          if (acc[static_cast<size_t>(label)] == 0) first_seen.push_back(label);
          acc[static_cast<size_t>(label)] += w;
          total += w;
          break;
        }
        case Method::kAverage:
        case Method::kWeightedAverage:
        case Method::kMedian: {
          if (part.probabilities.empty()) return;
          const double w = method == Method::kWeightedAverage ? s.weight : 1;
          for (size_t k = 0; k < part.probabilities.size(); ++k) {
            if (s.class_map[k] >= 0)
              acc[static_cast<size_t>(s.class_map[k])] += w * part.probabilities[k];
          }
          total += w;
          break;
        }
        case Method::kMax: {
          if (part.probabilities.empty()) return;
          const double p = part.probabilities[static_cast<size_t>(part.label)];
          if (p > best_max) {
            best_max = p;
            std::fill(acc.begin(), acc.end(), 0);
            for (size_t k = 0; k < part.probabilities.size(); ++k) {
              if (s.class_map[k] >= 0)
                acc[static_cast<size_t>(s.class_map[k])] = part.probabilities[k];
            }
            total = 1;
          }
          break;
        }
        default: return;  // sum over classifiers is not defined
      }
    }
    if (counted == 0 || total <= 0) return;
    for (double& a : acc) a /= total;
    int32_t best = -1;
    auto consider = [&](int32_t k) {
      if (best < 0 || acc[static_cast<size_t>(k)] > acc[static_cast<size_t>(best)]) best = k;
    };
    if (!first_seen.empty()) {
      for (int32_t k : first_seen) consider(k);
    } else {
      for (size_t k = 0; k < acc.size(); ++k) consider(static_cast<int32_t>(k));
    }
    out.missing = false;
    out.label = best;
    out.probabilities = std::move(acc);
  }
};

}  // namespace

Result<std::unique_ptr<Evaluator>> CompileMiningModel(Compiler& c, const pugi::xml_node& model) {
  const XmlSource& src = c.src();
  auto mining = std::make_unique<MiningEvaluator>();
  c.InitEvaluator(*mining);
  if (Child(model, "Regression") || Child(model, "DecisionTree")) {
    return src.Unsupported(model, "a PMML 3 MiningModel with embedded <Regression>/<DecisionTree>");
  }
  pugi::xml_node segmentation = Child(model, "Segmentation");
  if (!segmentation) return src.Invalid(model, "<MiningModel> has no <Segmentation>");
  static const std::map<std::string_view, Method> kMethods = {
      {"sum", Method::kSum},
      {"average", Method::kAverage},
      {"weightedAverage", Method::kWeightedAverage},
      {"median", Method::kMedian},
      {"max", Method::kMax},
      {"majorityVote", Method::kMajorityVote},
      {"weightedMajorityVote", Method::kWeightedMajorityVote},
      {"modelChain", Method::kModelChain},
      {"selectFirst", Method::kSelectFirst},
      {"selectAll", Method::kSelectAll},
  };
  PROBITY_ASSIGN_OR_RETURN(std::string method,
                           src.RequiredText(segmentation, "multipleModelMethod"));
  auto m = kMethods.find(method);
  if (m == kMethods.end())
    return src.Unsupported(segmentation, "multipleModelMethod=\"" + method + "\"");
  mining->method = m->second;
  const bool open_classes = mining->classes.empty();
  const std::vector<pugi::xml_node> segment_nodes = Children(segmentation, "Segment");
  for (const pugi::xml_node& xml : segment_nodes) {
    Segment segment;
    PROBITY_ASSIGN_OR_RETURN(segment.predicate, c.CompilePredicateChild(xml));
    const auto* constant = dynamic_cast<const ConstantPredicate*>(segment.predicate.get());
    segment.predicate_is_true = constant && constant->value();
    PROBITY_ASSIGN_OR_RETURN(segment.weight, src.Number(xml, "weight", 1));
    segment.id = c.program().Intern(xml.attribute("id").as_string());
    pugi::xml_node inner;
    for (const pugi::xml_node& child : Elements(xml)) {
      if (!Compiler::IsPredicate(LocalName(child))) {
        inner = child;
        break;
      }
    }
    if (!inner) return src.Invalid(xml, "<Segment> holds no model");
    PROBITY_ASSIGN_OR_RETURN(segment.model, c.CompileModel(inner, /*top_level=*/false));
    const Evaluator& sub = *segment.model;
    const bool last = xml == segment_nodes.back();
    const bool chain_link = mining->method == Method::kModelChain && !last;
    if (!chain_link && sub.task != mining->task) {
      return src.Invalid(inner, "segment model is a " + std::string(ModelTaskName(sub.task)) +
                                    " model inside a " + std::string(ModelTaskName(mining->task)) +
                                    " MiningModel");
    }
    if (mining->task != ModelTask::kRegression && !chain_link) {
      for (const std::string& label : sub.classes) {
        const int32_t k = ClassIndex(mining->classes, label, open_classes);
        if (k < 0) {
          return src.Invalid(inner, "segment class \"" + label +
                                        "\" is not a category of the target \"" + mining->target +
                                        "\"");
        }
        segment.class_map.push_back(k);
      }
      mining->yields_probabilities |= sub.yields_probabilities ||
                                      mining->method == Method::kMajorityVote ||
                                      mining->method == Method::kWeightedMajorityVote;
      if (mining->task == ModelTask::kClustering) {
        return src.Unsupported(segmentation, "a clustering MiningModel");
      }
    }
    mining->segments.push_back(std::move(segment));
  }
  if (mining->segments.empty()) return src.Invalid(segmentation, "<Segmentation> has no <Segment>");
  if (mining->method == Method::kModelChain) {
    mining->yields_probabilities = mining->segments.back().model->yields_probabilities;
  }
  mining->structure = {{"segments", static_cast<int64_t>(mining->segments.size())}};
  return std::unique_ptr<Evaluator>(std::move(mining));
}

}  // namespace probity::models::pmml_internal
