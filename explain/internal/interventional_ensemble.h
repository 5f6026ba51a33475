// The checked layout of a TreeEnsembleView that interventional TreeSHAP and the partial
// dependence recursion walk: which output each tree's leaves add to, with which factor
// (tree weight, divided by the tree count per output for averaging ensembles, as the
// models score), and the ensemble's margin from the view for one row.
//
//   PROBITY_ASSIGN_OR_RETURN(EnsembleLayout layout, CheckEnsemble(view, info.inputs.size()));
//   layout.Margins(view, x, margins.data());  // num_outputs values
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "audit/core/model.h"
#include "audit/core/result.h"

namespace probity::explain::internal {

struct EnsembleLayout {
  size_t num_outputs = 1;
  std::vector<double> base;          // per output
  std::vector<int32_t> tree_output;  // per tree: the output, or -1 for vector leaves
  std::vector<double> scale;         // trees × num_outputs: the factor a leaf value gets

  // Calls add(output, value) for each value leaf `leaf` of tree `t` contributes, times
  // `factor`.
  template <typename Add>
  void ForEachLeafValue(size_t t, const TreeNode& leaf, double factor, Add&& add) const {
    const double* s = scale.data() + t * num_outputs;
    if (tree_output[t] >= 0) {
      const auto k = static_cast<size_t>(tree_output[t]);
      add(k, factor * s[k] * leaf.leaf[0]);
      return;
    }
    for (size_t k = 0; k < num_outputs; ++k) add(k, factor * s[k] * leaf.leaf[k]);
  }

  // The ensemble's margins for one row `x` (view inputs) into out[0..num_outputs).
  void Margins(const TreeEnsembleView& view, const double* x, double* out) const;
};

// Checks that every tree is a proper binary tree below node 0 (children in range, each
// node reached once), that splits name inputs below `num_inputs`, that leaves hold one
// value (for tree.output in range) or num_outputs values, and that base_margin has
// num_outputs values (empty = zeros). kInvalidArgument naming the tree and node otherwise.
Result<EnsembleLayout> CheckEnsemble(const TreeEnsembleView& view, size_t num_inputs);

// The leaf `x` reaches in `tree` (GoesLeft routing).
inline const TreeNode& LeafOf(const TreeView& tree, const double* x) {
  const TreeNode* node = &tree.nodes[0];
  while (node->kind != SplitKind::kLeaf) {
    node = &tree.nodes[static_cast<size_t>(
        GoesLeft(*node, x[static_cast<size_t>(node->feature)]) ? node->left : node->right)];
  }
  return *node;
}

}  // namespace probity::explain::internal
