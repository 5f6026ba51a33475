#include "audit/ingest/models/internal/float_forest.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "audit/core/status.h"

namespace probity::models::internal {
namespace {

constexpr int kLanes = 8;       // rows walked through a tree together (memory parallelism)
constexpr int64_t kBlock = 64;  // rows per block: their features stay in L1 across trees
// Bound on all categorical bitsets together (a category code can be up to 2^24, so one
// small node could otherwise ask for 2 MiB).
constexpr size_t kMaxCategoryWords = size_t{1} << 24;

}  // namespace

Result<FloatForest> FloatForest::Compile(const TreeEnsembleView& view, size_t num_features) {
  FloatForest forest;
  forest.num_features_ = num_features;
  forest.num_outputs_ = view.num_outputs;
  forest.base_margin_.assign(static_cast<size_t>(view.num_outputs), 0.0F);
  for (size_t k = 0; k < view.base_margin.size() && k < forest.base_margin_.size(); ++k) {
    forest.base_margin_[k] = static_cast<float>(view.base_margin[k]);
  }
  if (num_features == 0 || num_features >= kFeatureMask) {
    return InvalidArgumentError("a tree ensemble needs between 1 and 2^28 features");
  }
  const auto padding_feature = static_cast<uint32_t>(num_features);
  const float infinity = std::numeric_limits<float>::infinity();
  for (size_t t = 0; t < view.trees.size(); ++t) {
    const TreeView& tree = view.trees[t];
    const auto base = static_cast<int32_t>(forest.nodes_.size());
    if (tree.nodes.empty() || tree.output < 0 || tree.output >= view.num_outputs) {
      return InvalidArgumentError("tree " + std::to_string(t) +
                                  " is empty or has an output out of range");
    }
    Tree compiled{.root = base,
                  .depth = TreeDepth(tree),
                  .output = tree.output,
                  .weight = static_cast<float>(tree.weight),
                  .has_categorical = false};
    // Breadth-first renumbering: order[k] is the view node that becomes node base + k;
    // each split's two children take the next two free slots.
    std::vector<int32_t> order{0};
    std::vector<int32_t> new_left;
    for (size_t k = 0; k < order.size(); ++k) {
      const auto index = static_cast<size_t>(order[k]);
      if (index >= tree.nodes.size() || order.size() > tree.nodes.size()) {
        return InvalidArgumentError("tree " + std::to_string(t) + " refers out of range");
      }
      const TreeNode& node = tree.nodes[index];
      if (node.kind == SplitKind::kLeaf) {
        new_left.push_back(-1);
        continue;
      }
      new_left.push_back(static_cast<int32_t>(order.size()));
      order.push_back(node.left);
      order.push_back(node.right);
    }
    for (size_t k = 0; k < order.size(); ++k) {
      const TreeNode& node = tree.nodes[static_cast<size_t>(order[k])];
      const auto self = base + static_cast<int32_t>(k);
      forest.category_begin_.push_back(0);
      forest.category_size_.push_back(0);
      if (node.kind == SplitKind::kLeaf) {
        if (node.leaf.size() != 1) {
          return InvalidArgumentError("tree " + std::to_string(t) + " has a vector leaf");
        }
        forest.nodes_.push_back(Node{infinity, padding_feature, self});
        forest.leaf_values_.push_back(static_cast<float>(node.leaf[0]));
        continue;
      }
      if (node.feature < 0 || static_cast<size_t>(node.feature) >= num_features) {
        return InvalidArgumentError("tree " + std::to_string(t) + " splits on feature " +
                                    std::to_string(node.feature) + ", out of range");
      }
      Node out{static_cast<float>(node.threshold), static_cast<uint32_t>(node.feature),
               base + new_left[k]};
      if (node.default_left) out.flags |= kDefaultLeft;
      if (node.kind == SplitKind::kCategorical) {
        if (node.categories_go_left) {
          return InvalidArgumentError("categorical split with categories going left");
        }
        out.flags |= kCategorical;
        compiled.has_categorical = true;
        int32_t max_category = -1;
        for (int32_t c : node.categories) max_category = std::max(max_category, c);
        if (max_category >= 0) {
          const auto words = static_cast<uint32_t>(max_category / 32 + 1);
          if (forest.category_words_.size() + words > kMaxCategoryWords) {
            return InvalidArgumentError(
                "tree " + std::to_string(t) +
                ": the categorical splits' category sets exceed 64 MiB of bitsets");
          }
          forest.category_begin_.back() = static_cast<uint32_t>(forest.category_words_.size());
          forest.category_size_.back() = words;
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
      forest.nodes_.push_back(out);
      forest.leaf_values_.push_back(0);
    }
    forest.trees_.push_back(compiled);
  }
  return forest;
}

bool FloatForest::CategoryGoesRight(size_t index, float value) const {
  // XGBoost's Decision(): an invalid category (negative, or past the bitset) goes left;
  // a category in the set goes right.
  if (!(value >= 0) || value >= 16777216.0F) return false;
  const auto category = static_cast<uint32_t>(value);
  const uint32_t word = category / 32;
  if (word >= category_size_[index]) return false;
  return ((category_words_[category_begin_[index] + word] >> (category % 32)) & 1U) != 0;
}

void FloatForest::PredictBlock(const float* features, int64_t rows, float* margins) const {
  // The block's rows, padded with the always-zero feature that leaves read.
  const size_t width = num_features_ + 1;
  thread_local std::vector<float> block;
  block.resize(static_cast<size_t>(rows) * width);
  for (int64_t r = 0; r < rows; ++r) {
    std::copy_n(features + static_cast<size_t>(r) * num_features_, num_features_,
                block.data() + static_cast<size_t>(r) * width);
    block[static_cast<size_t>(r) * width + num_features_] = 0.0F;
  }
  const auto outputs = static_cast<size_t>(num_outputs_);
  for (int64_t r = 0; r < rows; ++r) {
    std::copy(base_margin_.begin(), base_margin_.end(), margins + static_cast<size_t>(r) * outputs);
  }
  const Node* nodes = nodes_.data();
  const float* leaf_values = leaf_values_.data();
  const float* x = block.data();
  // One step: NaN compares false, so it goes right unless the node's default is left.
  auto step = [nodes](int32_t index, const float* row) {
    const Node& node = nodes[index];
    const float value = row[node.flags & kFeatureMask];
    const uint32_t right = static_cast<uint32_t>(!(value < node.threshold));
    const uint32_t missing_left = static_cast<uint32_t>(value != value) & (node.flags >> 31);
    return node.left + static_cast<int32_t>(right & ~missing_left);
  };
  for (const Tree& tree : trees_) {
    const size_t output = static_cast<size_t>(tree.output);
    if (tree.has_categorical) {
      for (int64_t r = 0; r < rows; ++r) {
        const float* row = x + static_cast<size_t>(r) * width;
        int32_t index = tree.root;
        for (int32_t s = 0; s < tree.depth; ++s) {
          const Node& node = nodes[index];
          const float value = row[node.flags & kFeatureMask];
          if ((node.flags & kCategorical) != 0 && value == value) {
            index = node.left +
                    static_cast<int32_t>(CategoryGoesRight(static_cast<size_t>(index), value));
          } else {
            index = step(index, row);
          }
        }
        margins[static_cast<size_t>(r) * outputs + output] += leaf_values[index] * tree.weight;
      }
      continue;
    }
    // Numeric trees: kLanes rows walk the tree in lock step, for exactly `depth` steps.
    int64_t r = 0;
    for (; r + kLanes <= rows; r += kLanes) {
      int32_t index[kLanes];
      for (int l = 0; l < kLanes; ++l) index[l] = tree.root;
      for (int32_t s = 0; s < tree.depth; ++s) {
        for (int l = 0; l < kLanes; ++l) {
          index[l] = step(index[l], x + static_cast<size_t>(r + l) * width);
        }
      }
      for (int l = 0; l < kLanes; ++l) {
        margins[static_cast<size_t>(r + l) * outputs + output] +=
            leaf_values[index[l]] * tree.weight;
      }
    }
    for (; r < rows; ++r) {
      const float* row = x + static_cast<size_t>(r) * width;
      int32_t index = tree.root;
      for (int32_t s = 0; s < tree.depth; ++s) index = step(index, row);
      margins[static_cast<size_t>(r) * outputs + output] += leaf_values[index] * tree.weight;
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
#pragma omp parallel for schedule(dynamic, 4) if (rows >= kParallelPredictRows)
  for (int64_t b = 0; b < blocks; ++b) run(b);
}

}  // namespace probity::models::internal
