#include "audit/ingest/models/internal/flat_forest.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace probity::models::internal {
namespace {

// Rows scored together: every tree is walked for the whole block before the next tree, so
// a tree's nodes stay in cache.
constexpr int64_t kBlockRows = 64;
// Category codes above this are refused (a bitset per split would grow too large).
constexpr int32_t kMaxCategoryCode = (1 << 20) - 1;
// Bitset words over the whole forest.
constexpr size_t kMaxCategoryWords = size_t{1} << 24;

std::string NodeName(size_t i) { return "node " + std::to_string(i); }

}  // namespace

FlatForest::FlatForest(int num_inputs, int num_outputs)
    : num_inputs_(num_inputs), num_outputs_(num_outputs), base_(num_outputs, 0.0) {}

void FlatForest::SetBaseMargin(std::span<const double> base) {
  for (size_t k = 0; k < base_.size() && k < base.size(); ++k) base_[k] = base[k];
}

Status FlatForest::AddTree(const TreeView& tree, std::span<const uint8_t> extra) {
  const size_t n = tree.nodes.size();
  if (n == 0) return InvalidArgumentError("the tree has no nodes").Expecting("a root node");
  if (n > size_t{1} << 30) return InvalidArgumentError("the tree has too many nodes");
  if (!extra.empty() && extra.size() != n) {
    return InternalError("extra routing flags do not match the tree's nodes");
  }
  if (tree.output < 0 || tree.output >= num_outputs_) {
    return InvalidArgumentError("the tree adds to output " + std::to_string(tree.output))
        .Expecting("an output in [0, " + std::to_string(num_outputs_) + ")");
  }
  // Walk from the root first: every node must be reached exactly once.
  std::vector<int32_t> depth(n, -1);
  std::vector<size_t> stack = {0};
  depth[0] = 0;
  int tree_depth = 0;
  while (!stack.empty()) {
    const size_t i = stack.back();
    stack.pop_back();
    const TreeNode& node = tree.nodes[i];
    tree_depth = std::max(tree_depth, depth[i]);
    if (node.kind == SplitKind::kLeaf) continue;
    for (int32_t child : {node.left, node.right}) {
      if (child < 0 || static_cast<size_t>(child) >= n) {
        return InvalidArgumentError(NodeName(i) + " has child " + std::to_string(child) +
                                    ", out of range")
            .Expecting("a node index in [0, " + std::to_string(n) + ")");
      }
      if (depth[static_cast<size_t>(child)] >= 0) {
        return InvalidArgumentError(NodeName(i) + " leads back to " +
                                    NodeName(static_cast<size_t>(child)) +
                                    ", which is already in the tree (a cycle or a shared node)")
            .Expecting("each node to have exactly one parent");
      }
      depth[static_cast<size_t>(child)] = depth[i] + 1;
      stack.push_back(static_cast<size_t>(child));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (depth[i] < 0) {
      return InvalidArgumentError(NodeName(i) + " is not reachable from the root")
          .Expecting("every node to hang below node 0");
    }
  }

  const auto base = static_cast<int32_t>(nodes_.size());
  FlatTree flat_tree{.root = base, .output = tree.output, .weight = tree.weight};
  // A tree's leaves hold either one value each (added to tree.output) or, in a model with
  // several outputs, num_outputs values each (vector leaves), decided by the first leaf.
  bool vector_leaves = false;
  for (const TreeNode& node : tree.nodes) {
    if (node.kind == SplitKind::kLeaf) {
      vector_leaves = num_outputs_ > 1 && node.leaf.size() == static_cast<size_t>(num_outputs_);
      break;
    }
  }
  const size_t leaf_size = vector_leaves ? static_cast<size_t>(num_outputs_) : 1;
  if (vector_leaves) flat_tree.output = -1;
  std::vector<FlatNode> added(n);
  std::vector<uint32_t> bits;
  std::vector<double> vectors;
  int64_t leaves = 0;
  for (size_t i = 0; i < n; ++i) {
    const TreeNode& node = tree.nodes[i];
    FlatNode& flat = added[i];
    if (node.kind == SplitKind::kLeaf) {
      ++leaves;
      if (node.leaf.size() != leaf_size) {
        return InvalidArgumentError(NodeName(i) + " is a leaf with " +
                                    std::to_string(node.leaf.size()) + " values")
            .Expecting(std::to_string(leaf_size) + " (like the tree's first leaf)");
      }
      if (vector_leaves) {
        flat.left = static_cast<int32_t>(leaf_vectors_.size() + vectors.size());
        vectors.insert(vectors.end(), node.leaf.begin(), node.leaf.end());
      } else {
        flat.value = node.leaf[0];
      }
      continue;
    }
    if (node.feature < 0 || node.feature >= num_inputs_) {
      return InvalidArgumentError(NodeName(i) + " splits on input " + std::to_string(node.feature) +
                                  ", out of range")
          .Expecting("an input index in [0, " + std::to_string(num_inputs_) + ")");
    }
    if (node.kind == SplitKind::kCategorical) {
      flat.kind = FlatKind::kCategorical;
      int32_t max_code = -1;
      for (int32_t code : node.categories) {
        if (code < 0 || code > kMaxCategoryCode) {
          return InvalidArgumentError(NodeName(i) + " lists category code " + std::to_string(code))
              .Expecting("codes in [0, " + std::to_string(kMaxCategoryCode) + "]");
        }
        max_code = std::max(max_code, code);
      }
      const auto words = static_cast<uint32_t>(max_code / 32 + 1);
      if (category_bits_.size() + bits.size() + words > kMaxCategoryWords) {
        return InvalidArgumentError(NodeName(i) + ": the category sets are too large")
            .Expecting("fewer and smaller category codes");
      }
      flat.category_begin = static_cast<uint32_t>(category_bits_.size() + bits.size());
      flat.category_words = max_code < 0 ? 0 : words;
      if (max_code >= 0) bits.resize(bits.size() + words, 0);
      for (int32_t code : node.categories) {
        bits[flat.category_begin - category_bits_.size() + static_cast<size_t>(code / 32)] |=
            uint32_t{1} << (code % 32);
      }
      if (node.categories_go_left) flat.flags |= kFlagCategoriesGoLeft;
    } else {
      flat.kind = node.kind == SplitKind::kLess ? FlatKind::kLess : FlatKind::kLessEqual;
      flat.value = node.threshold;
    }
    flat.feature = node.feature;
    flat.left = base + node.left;
    flat.right = base + node.right;
    if (node.default_left) flat.flags |= kFlagDefaultLeft;
    if (!extra.empty() && (extra[i] & kZeroIsMissing)) flat.flags |= kFlagZeroIsMissing;
  }
  nodes_.insert(nodes_.end(), added.begin(), added.end());
  category_bits_.insert(category_bits_.end(), bits.begin(), bits.end());
  leaf_vectors_.insert(leaf_vectors_.end(), vectors.begin(), vectors.end());
  trees_.push_back(flat_tree);
  max_depth_ = std::max(max_depth_, tree_depth);
  num_leaves_ += leaves;
  return OkStatus();
}

int32_t FlatForest::Leaf(int32_t node, std::span<const double* const> columns, int64_t row) const {
  while (true) {
    const FlatNode& n = nodes_[static_cast<size_t>(node)];
    if (n.kind == FlatKind::kLeaf) return node;
    const double x = columns[static_cast<size_t>(n.feature)][row];
    bool left;
    if (std::isnan(x) || ((n.flags & kFlagZeroIsMissing) && std::fabs(x) <= kZeroThreshold)) {
      left = (n.flags & kFlagDefaultLeft) != 0;
    } else if (n.kind == FlatKind::kLessEqual) {
      left = x <= n.value;
    } else if (n.kind == FlatKind::kLess) {
      left = x < n.value;
    } else {
      // The integer part is the code (truncation toward zero, as LightGBM's int cast).
      bool in_set = false;
      if (x > -1.0 && x < 2147483648.0) {
        const auto code = static_cast<uint32_t>(static_cast<int64_t>(x));
        const uint32_t word = code >> 5;
        in_set = word < n.category_words &&
                 ((category_bits_[n.category_begin + word] >> (code & 31)) & 1U) != 0;
      }
      left = in_set == ((n.flags & kFlagCategoriesGoLeft) != 0);
    }
    node = left ? n.left : n.right;
  }
}

template <typename Sum>
void FlatForest::PredictBlock(std::span<const double* const> columns, int64_t begin, int64_t end,
                              double* margins, size_t tree_count) const {
  const auto width = static_cast<size_t>(num_outputs_);
  Sum sums[kBlockRows * 4];
  std::vector<Sum> wide;
  Sum* acc = sums;
  const auto rows = static_cast<size_t>(end - begin);
  if (rows * width > sizeof sums / sizeof sums[0]) {
    wide.resize(rows * width);
    acc = wide.data();
  }
  for (size_t r = 0; r < rows; ++r) {
    for (size_t k = 0; k < width; ++k) acc[r * width + k] = average_ ? Sum(0) : Sum(base_[k]);
  }
  for (size_t t = 0; t < tree_count; ++t) {
    const FlatTree& tree = trees_[t];
    const auto weight = static_cast<Sum>(tree.weight);
    for (size_t r = 0; r < rows; ++r) {
      const FlatNode& leaf =
          nodes_[static_cast<size_t>(Leaf(tree.root, columns, begin + static_cast<int64_t>(r)))];
      if (tree.output >= 0) {
        acc[r * width + static_cast<size_t>(tree.output)] += static_cast<Sum>(leaf.value) * weight;
      } else {
        const double* values = leaf_vectors_.data() + leaf.left;
        for (size_t k = 0; k < width; ++k)
          acc[r * width + k] += static_cast<Sum>(values[k]) * weight;
      }
    }
  }
  std::vector<double> divisor;
  if (average_) {
    divisor.assign(width, 0.0);
    for (size_t t = 0; t < tree_count; ++t) {
      if (trees_[t].output >= 0) {
        divisor[static_cast<size_t>(trees_[t].output)] += 1;
      } else {
        for (double& d : divisor) d += 1;
      }
    }
  }
  for (size_t r = 0; r < rows; ++r) {
    double* out = margins + (static_cast<size_t>(begin) + r) * width;
    for (size_t k = 0; k < width; ++k) {
      const double sum = static_cast<double>(acc[r * width + k]);
      out[k] = average_ ? base_[k] + (divisor[k] > 0 ? sum / divisor[k] : 0.0) : sum;
    }
  }
}

void FlatForest::PredictMargins(std::span<const double* const> columns, int64_t rows,
                                double* margins) const {
  PredictMargins(columns, rows, margins, trees_.size());
}

void FlatForest::PredictMargins(std::span<const double* const> columns, int64_t rows,
                                double* margins, size_t tree_count) const {
  tree_count = std::min(tree_count, trees_.size());
  const int64_t blocks = (rows + kBlockRows - 1) / kBlockRows;
#pragma omp parallel for schedule(dynamic, 4) if (rows >= kParallelPredictRows)
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t begin = b * kBlockRows;
    const int64_t end = std::min(rows, begin + kBlockRows);
    PredictBlock<double>(columns, begin, end, margins, tree_count);
  }
}

}  // namespace probity::models::internal
