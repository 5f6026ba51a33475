#include "explain/internal/interventional_ensemble.h"

#include <string>

#include "audit/core/status.h"

namespace probity::explain::internal {

void EnsembleLayout::Margins(const TreeEnsembleView& view, const double* x, double* out) const {
  for (size_t k = 0; k < num_outputs; ++k) out[k] = base[k];
  for (size_t t = 0; t < view.trees.size(); ++t) {
    ForEachLeafValue(t, LeafOf(view.trees[t], x), 1.0,
                     [&](size_t k, double value) { out[k] += value; });
  }
}

Result<EnsembleLayout> CheckEnsemble(const TreeEnsembleView& view, size_t num_inputs) {
  if (view.num_outputs < 1) {
    return InvalidArgumentError("the tree ensemble has " + std::to_string(view.num_outputs) +
                                " outputs")
        .Expecting("at least one output");
  }
  EnsembleLayout layout;
  layout.num_outputs = static_cast<size_t>(view.num_outputs);
  const size_t outputs = layout.num_outputs;
  if (!view.base_margin.empty() && view.base_margin.size() != outputs) {
    return InvalidArgumentError("the tree ensemble has " + std::to_string(view.base_margin.size()) +
                                " base margins for " + std::to_string(outputs) + " outputs")
        .Expecting("one base margin per output");
  }
  layout.base = view.base_margin;
  layout.base.resize(outputs, 0.0);
  std::vector<double> trees_per_output(outputs, 0.0);
  for (size_t t = 0; t < view.trees.size(); ++t) {
    const TreeView& tree = view.trees[t];
    const std::string name = "tree " + std::to_string(t);
    const size_t n = tree.nodes.size();
    if (n == 0) return InvalidArgumentError(name + " has no nodes").Expecting("a root node");
    std::vector<uint8_t> reached(n, 0);
    reached[0] = 1;
    int32_t output = -2;  // decided by the first leaf
    for (size_t i = 0; i < n; ++i) {
      const TreeNode& node = tree.nodes[i];
      const std::string where = name + ", node " + std::to_string(i);
      if (node.kind == SplitKind::kLeaf) {
        const bool single =
            node.leaf.size() == 1 && tree.output >= 0 && static_cast<size_t>(tree.output) < outputs;
        const bool vector = outputs > 1 && node.leaf.size() == outputs;
        const int32_t leaf_output = single ? tree.output : -1;
        if (!single && !vector) {
          return InvalidArgumentError(where + ": a leaf with " + std::to_string(node.leaf.size()) +
                                      " values in a tree for output " + std::to_string(tree.output))
              .Expecting("one value for an output below " + std::to_string(outputs) + ", or " +
                         std::to_string(outputs) + " values");
        }
        if (output != -2 && output != leaf_output) {
          return InvalidArgumentError(where + ": leaves of different sizes in one tree")
              .Expecting("every leaf of a tree with the same number of values");
        }
        output = leaf_output;
        continue;
      }
      if (node.feature < 0 || static_cast<size_t>(node.feature) >= num_inputs) {
        return InvalidArgumentError(where + " splits on input " + std::to_string(node.feature))
            .Expecting("an input index below " + std::to_string(num_inputs));
      }
      for (int32_t child : {node.left, node.right}) {
        if (child <= 0 || static_cast<size_t>(child) >= n || reached[static_cast<size_t>(child)]) {
          return InvalidArgumentError(where + " has child " + std::to_string(child))
              .Expecting("a node index in [1, " + std::to_string(n) +
                         ") that no other node points to");
        }
        reached[static_cast<size_t>(child)] = 1;
      }
    }
    // The root has no parent and every other node at most one, so a walk from the root
    // never meets a node twice and ends (nodes it cannot reach are never read).
    if (output == -2) {
      return InvalidArgumentError(name + " has no leaf").Expecting("a tree ending in leaves");
    }
    layout.tree_output.push_back(output);
    if (output >= 0) {
      trees_per_output[static_cast<size_t>(output)] += 1;
    } else {
      for (double& c : trees_per_output) c += 1;
    }
  }
  layout.scale.resize(view.trees.size() * outputs);
  for (size_t t = 0; t < view.trees.size(); ++t) {
    for (size_t k = 0; k < outputs; ++k) {
      double s = view.trees[t].weight;
      if (view.average && trees_per_output[k] > 0) s /= trees_per_output[k];
      layout.scale[t * outputs + k] = s;
    }
  }
  return layout;
}

}  // namespace probity::explain::internal
