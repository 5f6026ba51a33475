#include "audit/ingest/models/internal/flat_forest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace probity::models::internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TreeNode Split(SplitKind kind, int32_t feature, double threshold, int32_t left, int32_t right,
               bool default_left) {
  TreeNode n;
  n.kind = kind;
  n.feature = feature;
  n.threshold = threshold;
  n.left = left;
  n.right = right;
  n.default_left = default_left;
  return n;
}

TreeNode Leaf(std::vector<double> values) {
  TreeNode n;
  n.leaf = std::move(values);
  return n;
}

std::vector<double> Score(const FlatForest& forest, const std::vector<std::vector<double>>& cols,
                          int64_t rows) {
  std::vector<const double*> pointers;
  for (const auto& c : cols) pointers.push_back(c.data());
  std::vector<double> out(static_cast<size_t>(rows * forest.num_outputs()));
  forest.PredictMargins(pointers, rows, out.data());
  return out;
}

TEST(FlatForestTest, LessAndLessEqualDifferAtTheThreshold) {
  FlatForest forest(1, 1);
  TreeView less{.nodes = {Split(SplitKind::kLess, 0, 1, 1, 2, false), Leaf({1}), Leaf({2})}};
  TreeView less_equal{
      .nodes = {Split(SplitKind::kLessEqual, 0, 1, 1, 2, true), Leaf({10}), Leaf({20})}};
  ASSERT_TRUE(forest.AddTree(less).ok());
  ASSERT_TRUE(forest.AddTree(less_equal).ok());
  // x=1: < sends right (2), <= sends left (10); NaN follows default_left.
  EXPECT_EQ(Score(forest, {{1, 0, kNaN}}, 3), (std::vector<double>{12, 11, 12}));
}

TEST(FlatForestTest, CategoricalSetsBothWays) {
  FlatForest forest(1, 1);
  TreeNode cat = Split(SplitKind::kCategorical, 0, 0, 1, 2, false);
  cat.categories = {1, 40};
  cat.categories_go_left = true;
  TreeNode cat_right = cat;
  cat_right.categories_go_left = false;
  cat_right.default_left = true;
  ASSERT_TRUE(forest.AddTree(TreeView{.nodes = {cat, Leaf({1}), Leaf({2})}}).ok());
  ASSERT_TRUE(forest.AddTree(TreeView{.nodes = {cat_right, Leaf({10}), Leaf({20})}}).ok());
  // codes 1 and 40 are in the set; 2, 1000, -3 are not; NaN goes default.
  EXPECT_EQ(Score(forest, {{1, 40, 2, 1000, -3, kNaN}}, 6),
            (std::vector<double>{21, 21, 12, 12, 12, 12}));
}

TEST(FlatForestTest, VectorLeavesBaseMarginAndAverage) {
  FlatForest forest(1, 2);
  TreeView t{.nodes = {Split(SplitKind::kLess, 0, 0, 1, 2, true), Leaf({1, 2}), Leaf({3, 4})}};
  ASSERT_TRUE(forest.AddTree(t).ok());
  TreeView single{.nodes = {Leaf({5})}, .output = 1};
  ASSERT_TRUE(forest.AddTree(single).ok());
  forest.SetBaseMargin(std::vector<double>{0.5, -0.5});
  EXPECT_EQ(Score(forest, {{-1, 1}}, 2), (std::vector<double>{1.5, 6.5, 3.5, 8.5}));
  forest.SetAverage(true);
  // output 0: one tree; output 1: two trees.
  EXPECT_EQ(Score(forest, {{-1, 1}}, 2), (std::vector<double>{1.5, 3, 3.5, 4}));
}

TEST(FlatForestTest, ManyRowsAcrossBlocks) {
  FlatForest forest(1, 1);
  ASSERT_TRUE(forest
                  .AddTree(TreeView{.nodes = {Split(SplitKind::kLessEqual, 0, 500, 1, 2, true),
                                              Leaf({1}), Leaf({2})}})
                  .ok());
  std::vector<double> x(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i);
  std::vector<double> out = Score(forest, {x}, 1000);
  for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(out[i], i <= 500 ? 1 : 2);
}

TEST(FlatForestTest, RejectsBadShapes) {
  FlatForest forest(2, 1);
  Status out_of_range =
      forest.AddTree(TreeView{.nodes = {Split(SplitKind::kLess, 0, 0, 1, 7, true), Leaf({1})}});
  EXPECT_EQ(out_of_range.ToString(),
            "node 0 has child 7, out of range; expected a node index in [0, 2)");
  Status orphan = forest.AddTree(TreeView{.nodes = {Leaf({1}), Leaf({2})}});
  EXPECT_EQ(orphan.ToString(),
            "node 1 is not reachable from the root; expected every node to hang below node 0");
  Status shared =
      forest.AddTree(TreeView{.nodes = {Split(SplitKind::kLess, 0, 0, 1, 1, true), Leaf({1})}});
  EXPECT_EQ(shared.message(),
            "node 0 leads back to node 1, which is already in the tree (a cycle or a shared "
            "node)");
  Status feature = forest.AddTree(
      TreeView{.nodes = {Split(SplitKind::kLess, 2, 0, 1, 2, true), Leaf({1}), Leaf({2})}});
  EXPECT_EQ(feature.message(), "node 0 splits on input 2, out of range");
  Status leaf = forest.AddTree(TreeView{.nodes = {Leaf({1, 2})}});
  EXPECT_EQ(leaf.message(), "node 0 is a leaf with 2 values");
  EXPECT_EQ(forest.num_trees(), 0u);
}

}  // namespace
}  // namespace probity::models::internal
