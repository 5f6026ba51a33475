// Random tree ensembles and rows for the explainers' oracle tests: trees of a given depth
// over `features` continuous inputs (features repeat along paths, as real trees do),
// covers that add up (each child's cover is a random share of its parent's), thresholds
// in [0, 1), and rows in [0, 1) with some missing values.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "audit/core/buffer.h"
#include "audit/core/model.h"

namespace probity::explain::testing {

struct RandomTreeSpec {
  int features = 4;
  int depth = 3;
  int trees = 1;
  int outputs = 1;
  double leaf_probability = 0.2;  // chance that a node above max depth is a leaf
  bool categorical = false;       // make some splits categorical (codes 0..3)
};

inline int32_t GrowNode(TreeView& tree, std::mt19937_64& rng, const RandomTreeSpec& spec,
                        int depth, double cover) {
  std::uniform_real_distribution<double> unit(0, 1);
  const auto index = static_cast<int32_t>(tree.nodes.size());
  tree.nodes.emplace_back();
  const bool leaf = depth >= spec.depth || (depth > 0 && unit(rng) < spec.leaf_probability);
  if (leaf) {
    tree.nodes[static_cast<size_t>(index)].leaf = {unit(rng) * 2 - 1};
    tree.nodes[static_cast<size_t>(index)].cover = cover;
    return index;
  }
  TreeNode node;
  node.feature = static_cast<int32_t>(rng() % static_cast<uint64_t>(spec.features));
  node.kind = (rng() & 1) ? SplitKind::kLess : SplitKind::kLessEqual;
  node.threshold = unit(rng);
  if (spec.categorical && rng() % 4 == 0) {
    node.kind = SplitKind::kCategorical;
    node.categories = {static_cast<int32_t>(rng() % 4)};
    node.categories_go_left = (rng() & 1) != 0;
  }
  node.default_left = (rng() & 1) != 0;
  node.cover = cover;
  const double share = 0.1 + 0.8 * unit(rng);
  tree.nodes[static_cast<size_t>(index)] = node;
  const int32_t left = GrowNode(tree, rng, spec, depth + 1, cover * share);
  const int32_t right = GrowNode(tree, rng, spec, depth + 1, cover * (1 - share));
  tree.nodes[static_cast<size_t>(index)].left = left;
  tree.nodes[static_cast<size_t>(index)].right = right;
  return index;
}

inline TreeEnsembleView RandomEnsemble(const RandomTreeSpec& spec, uint64_t seed) {
  std::mt19937_64 rng(seed);
  TreeEnsembleView view;
  view.num_outputs = spec.outputs;
  view.link = "identity";
  view.cover_kind = "hessian";
  for (int k = 0; k < spec.outputs; ++k) view.base_margin.push_back(0.25 * (k + 1));
  for (int t = 0; t < spec.trees; ++t) {
    TreeView tree;
    tree.output = t % spec.outputs;
    GrowNode(tree, rng, spec, 0, 100.0 + static_cast<double>(rng() % 100));
    view.trees.push_back(std::move(tree));
  }
  return view;
}

// rows × features values in [0, 1) (categorical specs: codes 0..3 in feature 0..), with
// about `missing_share` NaN cells.
inline Buffer<double> RandomRows(int64_t rows, int features, uint64_t seed,
                                 double missing_share = 0.05, bool categorical = false) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  Buffer<double> x(static_cast<size_t>(rows * features));
  for (double& v : x) {
    v = unit(rng) < missing_share ? std::numeric_limits<double>::quiet_NaN()
        : categorical         ? static_cast<double>(rng() % 4)
                              : unit(rng);
  }
  return x;
}

inline ModelInfo RandomInfo(int features, int outputs) {
  ModelInfo info;
  info.format = "test";
  info.task = outputs > 1 ? ModelTask::kClassification : ModelTask::kRegression;
  for (int j = 0; j < features; ++j) info.inputs.push_back({"f" + std::to_string(j)});
  if (outputs > 1) {
    for (int k = 0; k < outputs; ++k) info.classes.push_back("c" + std::to_string(k));
  }
  return info;
}

}  // namespace probity::explain::testing
