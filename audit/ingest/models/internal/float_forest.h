// FloatForest scores a tree ensemble the way XGBoost's CPU predictor does: features and
// thresholds in float32, `value < threshold` goes left, a missing value takes the default
// direction, categorical splits send the listed categories right, and each row's margin
// is accumulated in float32 in tree order starting from the base margin. Matching these
// semantics is what makes Probity's predictions equal XGBoost's to the last float bit.
//
//   PROBITY_ASSIGN_OR_RETURN(FloatForest forest, FloatForest::Compile(view, num_inputs));
//   forest.PredictMargins(features, rows, margins);   // rows × num_outputs floats
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "audit/core/model.h"
#include "audit/core/result.h"

namespace probity::models::internal {

class FloatForest {
 public:
  // Compiles `view` (SplitKind::kLess and kCategorical splits with categories_go_left ==
  // false, leaves with one value, tree outputs < view.num_outputs). kInvalidArgument for
  // anything else (the loader validates structure first; this guards the invariants).
  static Result<FloatForest> Compile(const TreeEnsembleView& view, size_t num_features);

  size_t num_features() const { return num_features_; }
  int num_outputs() const { return num_outputs_; }

  // features: rows × num_features() floats, row-major, NaN = missing. margins (out):
  // rows × num_outputs() floats. Runs on the calling thread, except that batches of at
  // least kParallelPredictRows rows are split over OpenMP threads.
  void PredictMargins(std::span<const float> features, int64_t rows,
                      std::span<float> margins) const;

 private:
  // 12 bytes; the right child is always left + 1 (nodes are renumbered breadth-first),
  // so a step is `index = left + goes_right` with no branch. A leaf points to itself and
  // reads the always-zero padding feature (index num_features) against +inf, so a fixed
  // number of steps (the tree's depth) walks every row to its leaf; leaf values live in
  // leaf_values_.
  struct Node {
    float threshold;
    uint32_t flags;  // feature index (low 28 bits) | kDefaultLeft | kCategorical
    int32_t left;    // absolute node index; the right child is left + 1
  };
  static constexpr uint32_t kFeatureMask = (1U << 28) - 1;
  static constexpr uint32_t kDefaultLeft = 1U << 31;
  static constexpr uint32_t kCategorical = 1U << 30;

  struct Tree {
    int32_t root;
    int32_t depth;
    int32_t output;
    float weight;
    bool has_categorical;
  };

  void PredictBlock(const float* features, int64_t rows, float* margins) const;
  bool CategoryGoesRight(size_t index, float value) const;

  std::vector<Node> nodes_;
  std::vector<float> leaf_values_;  // per node; 0 for splits
  std::vector<Tree> trees_;
  // Categorical nodes: bitset of categories that go right, indexed by node.
  std::vector<uint32_t> category_begin_;  // per node: first word in category_words_
  std::vector<uint32_t> category_size_;   // per node: number of words
  std::vector<uint32_t> category_words_;
  std::vector<float> base_margin_;
  size_t num_features_ = 0;
  int num_outputs_ = 1;
};

}  // namespace probity::models::internal
