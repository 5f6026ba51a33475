#include "audit/ingest/models/internal/float_forest.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "audit/core/status.h"

namespace probity::models::internal {
namespace {

constexpr int kLanes = 8;       // rows walked through a tree together (memory parallelism)
constexpr int64_t kBlock = 64;  // rows per block: their features stay in L1 across trees

}  // namespace

Result<FloatForest> FloatForest::Compile(const TreeEnsembleView& view, size_t num_features) {
  FloatForest forest;
  forest.num_features_ = num_features;
  forest.num_outputs_ = view.num_outputs;
  forest.base_margin_.assign(static_cast<size_t>(view.num_outputs), 0.0F);
  for (size_t k = 0; k < view.base_margin.size() && k < forest.base_margin_.size(); ++k) {
    forest.base_margin_[k] = static_cast<float>(view.base_margin[k]);
  }
  if (num_features == 0 || num_features > kFeatureMask) {
    return InvalidArgumentError("a tree ensemble needs between 1 and 2^28 features");
  }
  for (size_t t = 0; t < view.trees.size(); ++t) {
    const TreeView& tree = view.trees[t];
    const auto base = static_cast<int32_t>(forest.nodes_.size());
    if (tree.nodes.empty() || tree.output < 0 || tree.output >= view.num_outputs) {
      return InvalidArgumentError("tree " + std::to_string(t) + " is empty or has an output " +
                                  "out of range");
    }
    Tree compiled{.root = base,
                  .depth = 0,
                  .output = tree.output,
                  .weight = static_cast<float>(tree.weight),
                  .has_categorical = false};
    compiled.depth = TreeDepth(tree);
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
      const TreeNode& node = tree.nodes[i];
      Node out{};
      const auto self = base + static_cast<int32_t>(i);
      forest.category_begin_.push_back(0);
      forest.category_size_.push_back(0);
      if (node.kind == SplitKind::kLeaf) {
        if (node.leaf.size() != 1) {
          return InvalidArgumentError("tree " + std::to_string(t) + " has a vector leaf");
        }
        out = Node{static_cast<float>(node.leaf[0]), 0, self, self};
      } else {
        if (node.feature < 0 || static_cast<size_t>(node.feature) >= num_features ||
            node.left < 0 || node.right < 0 ||
            static_cast<size_t>(node.left) >= tree.nodes.size() ||
            static_cast<size_t>(node.right) >= tree.nodes.size()) {
          return InvalidArgumentError("tree " + std::to_string(t) + " node " + std::to_string(i) +
                                      " refers out of range");
        }
        out = Node{static_cast<float>(node.threshold), static_cast<uint32_t>(node.feature),
                   base + node.left, base + node.right};
        if (node.default_left) out.flags |= kDefaultLeft;
        if (node.kind == SplitKind::kCategorical) {
          if (node.categories_go_left) {
            return InvalidArgumentError("categorical split with categories going left");
          }
          out.flags |= kCategorical;
          compiled.has_categorical = true;
          int32_t max_category = -1;
          for (int32_t c : node.categories) max_category = std::max(max_category, c);
          const auto words = static_cast<uint32_t>(max_category / 32 + 1);
          forest.category_begin_.back() = static_cast<uint32_t>(forest.category_words_.size());
          forest.category_size_.back() = max_category < 0 ? 0 : words;
          if (max_category >= 0) {
            forest.category_words_.resize(forest.category_words_.size() + words, 0);
            uint32_t* bits = forest.category_words_.data() + forest.category_begin_.back();
            for (int32_t c : node.categories) {
              if (c >= 0) bits[c / 32] |= 1U << (c % 32);
            }
          }
        } else if (node.kind != SplitKind::kLess) {
          return InvalidArgumentError("tree " + std::to_string(t) +
                                      " uses a split kind XGBoost does not have");
        }
      }
      forest.nodes_.push_back(out);
    }
    forest.trees_.push_back(compiled);
  }
  return forest;
}

int32_t FloatForest::CategoricalStep(const Node& node, int32_t index, float value) const {
  // XGBoost's Decision(): an invalid category (negative, or past the bitset) goes left;
  // a category in the set goes right.
  if (value < 0 || value >= 16777216.0F) return node.left;
  const auto category = static_cast<uint32_t>(static_cast<int32_t>(value));
  const uint32_t word = category / 32;
  if (word >= category_size_[static_cast<size_t>(index)]) return node.left;
  const uint32_t bits = category_words_[category_begin_[static_cast<size_t>(index)] + word];
  return ((bits >> (category % 32)) & 1U) ? node.right : node.left;
}

void FloatForest::PredictBlock(const float* features, int64_t rows, float* margins) const {
  const size_t width = num_features_;
  const auto outputs = static_cast<size_t>(num_outputs_);
  for (int64_t r = 0; r < rows; ++r) {
    std::copy(base_margin_.begin(), base_margin_.end(), margins + static_cast<size_t>(r) * outputs);
  }
  const Node* nodes = nodes_.data();
  for (const Tree& tree : trees_) {
    if (tree.has_categorical) {
      for (int64_t r = 0; r < rows; ++r) {
        const float* x = features + static_cast<size_t>(r) * width;
        int32_t index = tree.root;
        while (nodes[index].left != index) {
          const Node& node = nodes[index];
          const float value = x[node.flags & kFeatureMask];
          if (std::isnan(value)) {
            index = (node.flags & kDefaultLeft) ? node.left : node.right;
          } else if (node.flags & kCategorical) {
            index = CategoricalStep(node, index, value);
          } else {
            index = value < node.value ? node.left : node.right;
          }
        }
        margins[static_cast<size_t>(r) * outputs + static_cast<size_t>(tree.output)] +=
            nodes[index].value * tree.weight;
      }
      continue;
    }
    // Numeric trees: walk kLanes rows in lock step for exactly `depth` steps; leaves loop
    // on themselves. NaN compares false, so it goes right unless the default is left.
    int64_t r = 0;
    for (; r + kLanes <= rows; r += kLanes) {
      int32_t index[kLanes];
      for (int l = 0; l < kLanes; ++l) index[l] = tree.root;
      for (int32_t step = 0; step < tree.depth; ++step) {
        for (int l = 0; l < kLanes; ++l) {
          const Node& node = nodes[index[l]];
          const float value =
              features[static_cast<size_t>(r + l) * width + (node.flags & kFeatureMask)];
          const bool left =
              value < node.value || (std::isnan(value) && (node.flags & kDefaultLeft) != 0);
          index[l] = left ? node.left : node.right;
        }
      }
      for (int l = 0; l < kLanes; ++l) {
        margins[static_cast<size_t>(r + l) * outputs + static_cast<size_t>(tree.output)] +=
            nodes[index[l]].value * tree.weight;
      }
    }
    for (; r < rows; ++r) {
      int32_t index = tree.root;
      for (int32_t step = 0; step < tree.depth; ++step) {
        const Node& node = nodes[index];
        const float value = features[static_cast<size_t>(r) * width + (node.flags & kFeatureMask)];
        const bool left =
            value < node.value || (std::isnan(value) && (node.flags & kDefaultLeft) != 0);
        index = left ? node.left : node.right;
      }
      margins[static_cast<size_t>(r) * outputs + static_cast<size_t>(tree.output)] +=
          nodes[index].value * tree.weight;
    }
  }
}

void FloatForest::PredictMargins(std::span<const float> features, int64_t rows,
                                 std::span<float> margins) const {
  const int64_t blocks = (rows + kBlock - 1) / kBlock;
  const size_t width = num_features_;
  const auto outputs = static_cast<size_t>(num_outputs_);
  auto run = [&](int64_t b) {
    const int64_t begin = b * kBlock;
    const int64_t n = std::min(kBlock, rows - begin);
    PredictBlock(features.data() + static_cast<size_t>(begin) * width, n,
                 margins.data() + static_cast<size_t>(begin) * outputs);
  };
  if (rows >= kParallelRows) {
#pragma omp parallel for schedule(dynamic, 4)
    for (int64_t b = 0; b < blocks; ++b) run(b);
  } else {
    for (int64_t b = 0; b < blocks; ++b) run(b);
  }
}

}  // namespace probity::models::internal
