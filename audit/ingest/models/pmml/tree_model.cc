// TreeModel: nodes with predicates, scores and ScoreDistributions, evaluated by walking
// from the root to the first child whose predicate is true, with every
// missingValueStrategy (none, lastPrediction, nullPrediction, defaultChild,
// weightedConfidence, aggregateNodes) and noTrueChildStrategy (returnNullPrediction,
// returnLastPrediction) of PMML 4.4.
#include <algorithm>
#include <cmath>
#include <map>

#include "audit/ingest/models/pmml/internal/compiler.h"
#include "audit/ingest/models/pmml/internal/predicates.h"

namespace probity::models::pmml_internal {
namespace {

enum class MissingStrategy {
  kNone,
  kLastPrediction,
  kNullPrediction,
  kDefaultChild,
  kWeightedConfidence,
  kAggregateNodes
};

struct Node {
  std::unique_ptr<Predicate> predicate;
  std::vector<int32_t> children;
  int32_t default_child = -1;
  bool has_score = false;
  double score = kNaN;  // regression
  int32_t label = -1;   // classification
  double record_count = kNaN;
  std::vector<double> counts;         // per class: ScoreDistribution recordCount
  std::vector<double> probabilities;  // per class; empty when the node has no distribution
  std::string_view id;
};

class TreeEvaluator final : public Evaluator {
 public:
  std::vector<Node> nodes;  // nodes[0] is the root
  MissingStrategy missing_strategy = MissingStrategy::kNone;
  bool return_last_on_no_true_child = false;

  void Evaluate(RowContext& row, Score& out) const override {
    if (nodes[0].predicate->Eval(row) != Truth::kTrue) return;
    int32_t current = 0;
    while (true) {
      const Node& node = nodes[static_cast<size_t>(current)];
      if (node.children.empty()) return Emit(node, out);
      int32_t next = -1;
      for (int32_t child : node.children) {
        const Truth t = nodes[static_cast<size_t>(child)].predicate->Eval(row);
        if (t == Truth::kTrue) {
          next = child;
          break;
        }
        if (t == Truth::kFalse) continue;
        switch (missing_strategy) {
          case MissingStrategy::kNone: continue;  // unknown counts as false
          case MissingStrategy::kNullPrediction: return;
          case MissingStrategy::kLastPrediction: return Emit(node, out);
          case MissingStrategy::kDefaultChild:
            if (node.default_child < 0) return Emit(node, out);
            next = node.default_child;
            break;
          case MissingStrategy::kWeightedConfidence:
          case MissingStrategy::kAggregateNodes: return Blend(row, current, out);
        }
        break;
      }
      if (next < 0) {
        if (return_last_on_no_true_child) Emit(node, out);
        return;
      }
      current = next;
    }
  }

  bool AppendTrees(const InputIndex& inputs, TreeEnsembleView& view) const override {
    TreeView tree;
    tree.nodes.resize(1);
    if (!Convert(inputs, 0, 0, tree)) return false;
    view.trees.push_back(std::move(tree));
    view.cover_kind = "recordCount";
    view.link = "identity";
    if (view.base_margin.empty()) view.base_margin.assign(1, 0);
    return true;
  }

 private:
  void Emit(const Node& node, Score& out) const {
    if (task == ModelTask::kRegression) {
      if (!node.has_score) return;
      out.missing = false;
      out.value = node.score;
    } else {
      if (node.label < 0) return;
      out.missing = false;
      out.label = node.label;
      out.probabilities = node.probabilities;
    }
    out.entity_id = node.id;
  }

  // weightedConfidence / aggregateNodes: the leaves reachable from `start` following every
  // child that is not false, blended by record count.
  void Blend(RowContext& row, int32_t start, Score& out) const {
    std::vector<int32_t> stack = {start};
    std::vector<double> mix(classes.size(), 0);
    double total = 0;
    double value = 0;
    while (!stack.empty()) {
      const Node& node = nodes[static_cast<size_t>(stack.back())];
      stack.pop_back();
      bool descended = false;
      for (int32_t child : node.children) {
        const Truth t = nodes[static_cast<size_t>(child)].predicate->Eval(row);
        if (t == Truth::kFalse) continue;
        stack.push_back(child);
        descended = true;
        if (t == Truth::kTrue) break;
      }
      if (descended) continue;
      const double w = std::isnan(node.record_count) ? 1 : node.record_count;
      total += w;
      if (task == ModelTask::kRegression) {
        value += w * node.score;
      } else if (missing_strategy == MissingStrategy::kAggregateNodes) {
        for (size_t k = 0; k < node.counts.size() && k < mix.size(); ++k) mix[k] += node.counts[k];
      } else {
        for (size_t k = 0; k < node.probabilities.size() && k < mix.size(); ++k) {
          mix[k] += w * node.probabilities[k];
        }
      }
    }
    if (total <= 0) return;
    out.missing = false;
    if (task == ModelTask::kRegression) {
      out.value = value / total;
      return;
    }
    double sum = 0;
    for (double m : mix) sum += m;
    if (sum <= 0) {
      out.missing = true;
      return;
    }
    for (double& m : mix) m /= sum;
    out.label = static_cast<int32_t>(std::max_element(mix.begin(), mix.end()) - mix.begin());
    out.probabilities = std::move(mix);
  }

  // Converts node `index` into tree.nodes[at]: binary splits on one continuous input with a
  // complementary (or True) second child; leaves carry the score.
  bool Convert(const InputIndex& inputs, int32_t index, int32_t at, TreeView& tree) const {
    const Node& node = nodes[static_cast<size_t>(index)];
    const auto a = static_cast<size_t>(at);
    tree.nodes[a].cover = node.record_count;
    if (node.children.empty()) {
      if (!node.has_score) return false;
      tree.nodes[a].kind = SplitKind::kLeaf;
      tree.nodes[a].leaf = {node.score};
      return true;
    }
    if (node.children.size() != 2) return false;
    const Node& first = nodes[static_cast<size_t>(node.children[0])];
    const Node& second = nodes[static_cast<size_t>(node.children[1])];
    const auto* split = dynamic_cast<const SimplePredicate*>(first.predicate.get());
    if (!split || split->slot() < 0 || static_cast<size_t>(split->slot()) >= inputs.size() ||
        inputs[static_cast<size_t>(split->slot())] < 0 || !split->literal().number) {
      return false;
    }
    bool first_is_low;
    SplitKind kind;
    Comparison complement;
    switch (split->op()) {
      case Comparison::kLessThan:
        first_is_low = true, kind = SplitKind::kLess, complement = Comparison::kGreaterOrEqual;
        break;
      case Comparison::kLessOrEqual:
        first_is_low = true, kind = SplitKind::kLessEqual, complement = Comparison::kGreaterThan;
        break;
      case Comparison::kGreaterThan:
        first_is_low = false, kind = SplitKind::kLessEqual, complement = Comparison::kLessOrEqual;
        break;
      case Comparison::kGreaterOrEqual:
        first_is_low = false, kind = SplitKind::kLess, complement = Comparison::kLessThan;
        break;
      default: return false;
    }
    const auto* other = dynamic_cast<const SimplePredicate*>(second.predicate.get());
    const auto* always = dynamic_cast<const ConstantPredicate*>(second.predicate.get());
    const bool second_complements =
        (always && always->value()) ||
        (other && other->slot() == split->slot() && other->op() == complement &&
         other->literal().number == split->literal().number);
    if (!second_complements) return false;
    // Where a missing value goes: the default child, or (strategy none) the True child.
    bool missing_to_first;
    if (missing_strategy == MissingStrategy::kDefaultChild && node.default_child >= 0) {
      missing_to_first = node.default_child == node.children[0];
    } else if (missing_strategy == MissingStrategy::kNone && always) {
      missing_to_first = false;
    } else {
      return false;
    }
    const auto left = static_cast<int32_t>(tree.nodes.size());
    tree.nodes.resize(tree.nodes.size() + 2);
    TreeNode& t = tree.nodes[a];
    t.kind = kind;
    t.feature = inputs[static_cast<size_t>(split->slot())];
    t.threshold = *split->literal().number;
    t.left = left;
    t.right = left + 1;
    t.default_left = missing_to_first == first_is_low;
    const int32_t low = first_is_low ? node.children[0] : node.children[1];
    const int32_t high = first_is_low ? node.children[1] : node.children[0];
    return Convert(inputs, low, left, tree) && Convert(inputs, high, left + 1, tree);
  }
};

struct TreeCompiler {
  Compiler& c;
  TreeEvaluator& tree;
  bool open_classes;
  struct Pending {
    std::vector<std::pair<int32_t, double>> counts;
    std::vector<std::pair<int32_t, double>> probabilities;
  };
  std::vector<Pending> pending;
  std::map<std::string, int32_t, std::less<>> ids;

  Result<int32_t> Add(const pugi::xml_node& xml) {
    const XmlSource& src = c.src();
    PROBITY_RETURN_IF_ERROR(c.Enter(xml));
    struct Leaver {
      Compiler& c;
      ~Leaver() { c.Leave(); }
    } leaver{c};
    const auto index = static_cast<int32_t>(tree.nodes.size());
    tree.nodes.emplace_back();
    pending.emplace_back();
    Node node;
    PROBITY_ASSIGN_OR_RETURN(node.predicate, c.CompilePredicateChild(xml));
    PROBITY_ASSIGN_OR_RETURN(node.record_count, src.Number(xml, "recordCount", kNaN));
    std::string id =
        xml.attribute("id") ? xml.attribute("id").as_string() : std::to_string(index + 1);
    node.id = c.program().Intern(id);
    ids.emplace(id, index);
    if (pugi::xml_attribute score = xml.attribute("score")) {
      node.has_score = true;
      if (tree.task == ModelTask::kRegression) {
        std::optional<double> v = XmlSource::ParseNumber(score.value());
        if (!v)
          return src.Invalid(xml, "Node score \"" + std::string(score.value()) +
                                      "\" is not a number (regression tree)");
        node.score = *v;
      } else {
        node.label = ClassIndex(tree.classes, score.value(), open_classes);
        if (node.label < 0) {
          return src.Invalid(xml, "Node score \"" + std::string(score.value()) +
                                      "\" is not a category of the target \"" + tree.target + "\"");
        }
      }
    }
    for (const pugi::xml_node& dist : Children(xml, "ScoreDistribution")) {
      if (tree.task == ModelTask::kRegression) break;
      PROBITY_ASSIGN_OR_RETURN(std::string value, src.RequiredText(dist, "value"));
      const int32_t k = ClassIndex(tree.classes, value, open_classes);
      if (k < 0) {
        return src.Invalid(
            dist, "ScoreDistribution value \"" + value + "\" is not a category of the target");
      }
      PROBITY_ASSIGN_OR_RETURN(double count, src.RequiredNumber(dist, "recordCount"));
      pending[static_cast<size_t>(index)].counts.emplace_back(k, count);
      if (dist.attribute("probability")) {
        PROBITY_ASSIGN_OR_RETURN(double p, src.Number(dist, "probability", 0));
        pending[static_cast<size_t>(index)].probabilities.emplace_back(k, p);
      }
    }
    std::string default_child = xml.attribute("defaultChild").as_string();
    for (const pugi::xml_node& child : Children(xml, "Node")) {
      PROBITY_ASSIGN_OR_RETURN(int32_t child_index, Add(child));
      node.children.push_back(child_index);
      if (!default_child.empty() &&
          tree.nodes[static_cast<size_t>(child_index)].id == default_child) {
        node.default_child = child_index;
      }
    }
    if (!default_child.empty() && node.default_child < 0) {
      return src.Invalid(
          xml, "defaultChild \"" + default_child + "\" is not a child of node \"" + id + "\"");
    }
    if (Child(xml, "Partition") || Child(xml, "Regression") || Child(xml, "DecisionTree")) {
      return src.Unsupported(xml, "a Node with an embedded model");
    }
    tree.nodes[static_cast<size_t>(index)] = std::move(node);
    return index;
  }

  void Finish() {
    const size_t k = tree.classes.size();
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
      Node& node = tree.nodes[i];
      const Pending& p = pending[i];
      if (p.counts.empty()) continue;
      tree.yields_probabilities = true;
      node.counts.assign(k, 0);
      double total = 0;
      for (const auto& [cls, count] : p.counts) {
        node.counts[static_cast<size_t>(cls)] += count;
        total += count;
      }
      node.probabilities.assign(k, 0);
      if (!p.probabilities.empty()) {
        for (const auto& [cls, prob] : p.probabilities) {
          node.probabilities[static_cast<size_t>(cls)] = prob;
        }
      } else if (total > 0) {
        for (size_t j = 0; j < k; ++j) node.probabilities[j] = node.counts[j] / total;
      }
      if (node.label < 0) {
        node.label = static_cast<int32_t>(
            std::max_element(node.probabilities.begin(), node.probabilities.end()) -
            node.probabilities.begin());
      }
    }
  }
};

}  // namespace

Result<std::unique_ptr<Evaluator>> CompileTreeModel(Compiler& c, const pugi::xml_node& model) {
  const XmlSource& src = c.src();
  auto tree = std::make_unique<TreeEvaluator>();
  c.InitEvaluator(*tree);
  if (tree->task == ModelTask::kClustering) return src.Unsupported(model, "a clustering TreeModel");
  static const std::map<std::string_view, MissingStrategy> kStrategies = {
      {"none", MissingStrategy::kNone},
      {"lastPrediction", MissingStrategy::kLastPrediction},
      {"nullPrediction", MissingStrategy::kNullPrediction},
      {"defaultChild", MissingStrategy::kDefaultChild},
      {"weightedConfidence", MissingStrategy::kWeightedConfidence},
      {"aggregateNodes", MissingStrategy::kAggregateNodes},
  };
  std::string_view strategy = model.attribute("missingValueStrategy").as_string("none");
  auto s = kStrategies.find(strategy);
  if (s == kStrategies.end()) {
    return src.Invalid(model, "missingValueStrategy \"" + std::string(strategy) + "\" is unknown");
  }
  tree->missing_strategy = s->second;
  std::string_view no_true =
      model.attribute("noTrueChildStrategy").as_string("returnNullPrediction");
  if (no_true == "returnLastPrediction") {
    tree->return_last_on_no_true_child = true;
  } else if (no_true != "returnNullPrediction") {
    return src.Invalid(model, "noTrueChildStrategy \"" + std::string(no_true) + "\" is unknown");
  }
  pugi::xml_node root = Child(model, "Node");
  if (!root) return src.Invalid(model, "<TreeModel> has no <Node>");
  TreeCompiler compiler{c, *tree, tree->classes.empty(), {}, {}};
  PROBITY_ASSIGN_OR_RETURN(int32_t root_index, compiler.Add(root));
  (void)root_index;
  compiler.Finish();
  tree->structure = {{"nodes", static_cast<int64_t>(tree->nodes.size())}};
  return std::unique_ptr<Evaluator>(std::move(tree));
}

}  // namespace probity::models::pmml_internal
