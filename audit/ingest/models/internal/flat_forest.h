// FlatForest is the fast scoring form of a tree ensemble in double precision, shared by the
// LightGBM and Probity native tree loaders (XGBoost, whose float32 rules differ, has its own
// internal/float_forest.h): every tree's nodes in one flat array of small
// structs, categorical splits as bitsets, scored row by row with no allocation per node and
// OpenMP across row blocks. A loader describes each tree as a TreeView (the same read-only
// structure explainers get), adds it, and then only calls PredictMargins; the link
// (logistic, softmax…) stays with the loader.
//
//   FlatForest forest(num_inputs, num_outputs);
//   for (const TreeView& tree : view.trees) PROBITY_RETURN_IF_ERROR(forest.AddTree(tree));
//   forest.SetBaseMargin(view.base_margin);
//   forest.SetAverage(view.average);
//   Buffer<double> margins(rows * num_outputs);
//   forest.PredictMargins(columns, rows, margins.data());
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "audit/core/model.h"
#include "audit/core/status.h"

namespace probity::models::internal {

// Extra routing rules a TreeView cannot state, one byte per node (AddTree's `extra`).
// kZeroIsMissing: |x| <= kZeroThreshold routes like a missing value (LightGBM missing
// type Zero).
inline constexpr uint8_t kZeroIsMissing = 1;

// LightGBM's kZeroThreshold: values this close to zero count as zero.
inline constexpr double kZeroThreshold = 1e-35;

enum class FlatKind : uint8_t { kLeaf, kLess, kLessEqual, kCategorical };

// FlatNode::flags bits.
inline constexpr uint8_t kFlagDefaultLeft = 1;
inline constexpr uint8_t kFlagCategoriesGoLeft = 2;
inline constexpr uint8_t kFlagZeroIsMissing = 4;

struct FlatNode {
  double value = 0;             // split: threshold; leaf of a scalar tree: the leaf value
  int32_t feature = -1;         // split: input index; leaf: -1
  int32_t left = -1;            // split: children (indices into FlatForest nodes);
  int32_t right = -1;           //   vector leaf: `left` is the offset into leaf_vectors
  uint32_t category_begin = 0;  // categorical split: first word of its bitset
  uint32_t category_words = 0;  //   and the number of 32-bit words
  FlatKind kind = FlatKind::kLeaf;
  uint8_t flags = 0;  // kFlag… bits
};

class FlatForest {
 public:
  // `num_inputs` columns are read; margins have `num_outputs` entries per row.
  FlatForest(int num_inputs, int num_outputs);

  // Appends a tree. Checks what scoring relies on: node 0 is the root, every child index is
  // in range, every node is reached exactly once from the root (no cycles, no shared or
  // orphaned nodes), split features are < num_inputs, category codes are in [0, 2^24), the
  // tree's output is in range, and each leaf holds 1 value (added to tree.output) or
  // num_outputs values (a vector leaf). kInvalidArgument "node N: …" otherwise (the caller
  // adds the file and tree). `extra`, when not empty, holds one byte of kZeroIsMissing…
  // bits per node.
  //
  // Semantics per node: a missing value (NaN, or |x| <= kZeroThreshold with
  // kZeroIsMissing) goes to default_left; kLess / kLessEqual compare the double value with
  // the threshold; a categorical split sends a value whose integer part is in `categories`
  // left when categories_go_left (right otherwise), and any other value (negative, not in
  // the set, beyond 2^31) the other way.
  Status AddTree(const TreeView& tree, std::span<const uint8_t> extra = {});

  // margin[k] starts at base[k] (default 0).
  void SetBaseMargin(std::span<const double> base);
  // Random forests: margin[k] = base[k] + (Σ trees of output k) / (number of such trees).
  void SetAverage(bool average) { average_ = average; }

  // Scores rows [0, rows): columns[j][r] is input j of row r (NaN = missing); writes
  // rows × num_outputs margins, row-major. Multithreaded with OpenMP over blocks of rows;
  // thread-safe (const). Requires columns.size() == num_inputs.
  void PredictMargins(std::span<const double* const> columns, int64_t rows, double* margins) const;

  // Scores the first `tree_count` trees only (iteration limits).
  void PredictMargins(std::span<const double* const> columns, int64_t rows, double* margins,
                      size_t tree_count) const;

  size_t num_trees() const { return trees_.size(); }
  int num_outputs() const { return num_outputs_; }
  // Longest root-to-leaf path over all trees (edges).
  int max_depth() const { return max_depth_; }
  int64_t num_leaves() const { return num_leaves_; }

 private:
  struct FlatTree {
    int32_t root = 0;
    int32_t output = 0;  // -1 = vector leaves
    double weight = 1;
  };

  template <typename Sum>
  void PredictBlock(std::span<const double* const> columns, int64_t begin, int64_t end,
                    double* margins, size_t tree_count) const;
  int32_t Leaf(int32_t node, std::span<const double* const> columns, int64_t row) const;

  int num_inputs_;
  int num_outputs_;
  std::vector<FlatNode> nodes_;
  std::vector<FlatTree> trees_;
  std::vector<uint32_t> category_bits_;
  std::vector<double> leaf_vectors_;
  std::vector<double> base_;
  bool average_ = false;
  int max_depth_ = 0;
  int64_t num_leaves_ = 0;
};

}  // namespace probity::models::internal
