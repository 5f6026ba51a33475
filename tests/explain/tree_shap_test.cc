// Path-dependent TreeSHAP against an oracle: Shapley values and Shapley interaction
// indices computed by enumerating every coalition with the path-dependent value function
// v(S) (splits on players in S follow x, the others are averaged by node cover), written
// here independently of explain/tree_shap.cc; plus a hand-computed stump, classic vs fast
// on deep trees, and the errors.
#include "explain/tree_shap.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "explain/internal/gauss_legendre.h"
#include "tests/explain/random_trees.h"
#include "tests/testing/model_cases.h"
#include "tests/testing/test_data.h"

namespace probity::explain {
namespace {

using testing::RandomEnsemble;
using testing::RandomInfo;
using testing::RandomRows;
using testing::RandomTreeSpec;
using Algorithm = TreeShapOptions::Algorithm;

// v(S) of one tree for output k: the cover-weighted expectation over the splits on players
// outside S.
double TreeValue(const TreeView& tree, size_t node_index, const double* x,
                 const std::vector<int32_t>& player_of_input, uint32_t coalition, size_t k) {
  const TreeNode& node = tree.nodes[node_index];
  if (node.kind == SplitKind::kLeaf) {
    if (node.leaf.size() > 1) return node.leaf[k];
    return tree.output == static_cast<int>(k) ? node.leaf[0] : 0.0;
  }
  const auto left = static_cast<size_t>(node.left);
  const auto right = static_cast<size_t>(node.right);
  const int32_t player = player_of_input[static_cast<size_t>(node.feature)];
  if ((coalition >> player) & 1U) {
    return TreeValue(tree, GoesLeft(node, x[node.feature]) ? left : right, x, player_of_input,
                     coalition, k);
  }
  return (tree.nodes[left].cover * TreeValue(tree, left, x, player_of_input, coalition, k) +
          tree.nodes[right].cover * TreeValue(tree, right, x, player_of_input, coalition, k)) /
         node.cover;
}

double EnsembleValue(const TreeEnsembleView& view, const double* x,
                     const std::vector<int32_t>& player_of_input, uint32_t coalition, size_t k) {
  double sum = 0;
  double count = 0;
  for (const TreeView& tree : view.trees) {
    sum += tree.weight * TreeValue(tree, 0, x, player_of_input, coalition, k);
    bool vector_tree = false;
    for (const TreeNode& node : tree.nodes) {
      if (node.kind == SplitKind::kLeaf) {
        vector_tree = node.leaf.size() > 1;
        break;
      }
    }
    if (vector_tree || tree.output == static_cast<int>(k)) count += 1;
  }
  if (view.average && count > 0) sum /= count;
  return view.base_margin[k] + sum;
}

double Factorial(int n) { return n <= 1 ? 1.0 : n * Factorial(n - 1); }

// Brute-force Shapley values (outputs × players) and interaction matrices
// (outputs × (P+1)²) of one row.
struct Oracle {
  std::vector<double> phi;
  std::vector<double> interactions;
  std::vector<double> base;
};

Oracle BruteForce(const TreeEnsembleView& view, const Players& players, const double* x) {
  const int m = static_cast<int>(players.size());
  const auto outputs = static_cast<size_t>(view.num_outputs);
  const size_t width = players.size() + 1;
  Oracle o;
  o.phi.assign(outputs * players.size(), 0.0);
  o.interactions.assign(outputs * width * width, 0.0);
  for (size_t k = 0; k < outputs; ++k) {
    std::vector<double> v(size_t{1} << m);
    for (uint32_t s = 0; s < v.size(); ++s)
      v[s] = EnsembleValue(view, x, players.player_of_input, s, k);
    o.base.push_back(v[0]);
    double* phi = o.phi.data() + k * players.size();
    double* block = o.interactions.data() + k * width * width;
    for (int i = 0; i < m; ++i) {
      for (uint32_t s = 0; s < v.size(); ++s) {
        if ((s >> i) & 1U) continue;
        const int size = __builtin_popcount(s);
        phi[i] +=
            Factorial(size) * Factorial(m - size - 1) / Factorial(m) * (v[s | (1U << i)] - v[s]);
      }
      for (int j = 0; j < m; ++j) {
        if (j == i) continue;
        double sum = 0;
        for (uint32_t s = 0; s < v.size(); ++s) {
          if (((s >> i) & 1U) || ((s >> j) & 1U)) continue;
          const int size = __builtin_popcount(s);
          sum += Factorial(size) * Factorial(m - size - 2) / (2 * Factorial(m - 1)) *
                 (v[s | (1U << i) | (1U << j)] - v[s | (1U << i)] - v[s | (1U << j)] + v[s]);
        }
        block[static_cast<size_t>(i) * width + static_cast<size_t>(j)] = sum;
      }
    }
    for (size_t i = 0; i < players.size(); ++i) {
      double off = 0;
      for (size_t j = 0; j < players.size(); ++j) off += j == i ? 0 : block[i * width + j];
      block[i * width + i] = phi[i] - off;
    }
    block[players.size() * width + players.size()] = v[0];
  }
  return o;
}

struct Case {
  std::string name;
  RandomTreeSpec spec;
  bool groups = false;
  bool weights = false;
  bool average = false;
  bool vector_leaves = false;
};

TreeEnsembleView MakeView(const Case& c, uint64_t seed) {
  TreeEnsembleView view = RandomEnsemble(c.spec, seed);
  for (size_t t = 0; t < view.trees.size(); ++t) {
    if (c.weights) view.trees[t].weight = 0.5 + 0.3 * static_cast<double>(t);
  }
  view.average = c.average;
  if (c.vector_leaves) {
    view.num_outputs = 3;
    view.base_margin = {0.1, -0.2, 0.3};
    for (TreeView& tree : view.trees) {
      for (TreeNode& node : tree.nodes) {
        if (node.kind == SplitKind::kLeaf) {
          const double v = node.leaf[0];
          node.leaf = {v, -2 * v, v + 0.5};
        }
      }
    }
  }
  return view;
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  cases.push_back({"plain", {.features = 5, .depth = 4, .trees = 3}});
  cases.push_back({"deep_repeats", {.features = 3, .depth = 7, .trees = 2}});
  cases.push_back({"groups", {.features = 6, .depth = 5, .trees = 3}, true});
  cases.push_back({"multiclass", {.features = 4, .depth = 4, .trees = 6, .outputs = 3}});
  cases.push_back({"categorical", {.features = 4, .depth = 4, .trees = 3, .categorical = true}});
  cases.push_back({"dart_weights", {.features = 5, .depth = 4, .trees = 4}, false, true});
  cases.push_back(
      {"average", {.features = 5, .depth = 4, .trees = 4, .outputs = 2}, false, true, true});
  cases.push_back(
      {"vector_leaves", {.features = 5, .depth = 4, .trees = 3}, false, false, false, true});
  return cases;
}

Players PlayersFor(const Case& c, const ModelInfo& info) {
  if (!c.groups) return InputPlayers(info);
  Result<Players> players = GroupPlayers(info, {{"g02", {"f0", "f2"}}, {"g35", {"f3", "f5"}}});
  EXPECT_TRUE(players.has_value());
  return players.value();
}

TEST(TreeShapTest, BothAlgorithmsMatchBruteForceShapley) {
  for (const Case& c : Cases()) {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
      SCOPED_TRACE(c.name + " seed " + std::to_string(seed));
      const TreeEnsembleView view = MakeView(c, seed);
      const ModelInfo info = RandomInfo(c.spec.features, view.num_outputs);
      const Players players = PlayersFor(c, info);
      const int64_t rows = 8;
      const Buffer<double> x =
          RandomRows(rows, c.spec.features, seed + 100, 0.15, c.spec.categorical);
      // kFast twice: with per-pattern tables and integrating per row.
      for (const TreeShapOptions& options :
           {TreeShapOptions{.algorithm = Algorithm::kClassic, .threads = 2},
            TreeShapOptions{.algorithm = Algorithm::kFast, .threads = 2},
            TreeShapOptions{
                .algorithm = Algorithm::kFast, .threads = 2, .table_budget_bytes = 0}}) {
        Result<Attributions> a = TreeShap(info, view, players, x, rows, options);
        ASSERT_TRUE(a.has_value()) << a.error().message();
        EXPECT_EQ(a->method, "tree_path_dependent");
        EXPECT_EQ(a->cover_kind, "hessian");
        EXPECT_LT(a->max_additivity_error, 1e-9);
        for (int64_t r = 0; r < rows; ++r) {
          const Oracle o =
              BruteForce(view, players, x.data() + r * static_cast<int64_t>(c.spec.features));
          for (size_t k = 0; k < a->outputs.size(); ++k) {
            EXPECT_NEAR(a->base[static_cast<size_t>(r) * a->outputs.size() + k], o.base[k], 1e-9);
            for (size_t p = 0; p < players.size(); ++p) {
              EXPECT_NEAR(a->value(r, k, p), o.phi[k * players.size() + p], 1e-9)
                  << "row " << r << " output " << k << " player " << p;
            }
          }
        }
      }
    }
  }
}

TEST(TreeShapTest, InteractionsMatchBruteForceInteractionIndex) {
  for (const Case& c : Cases()) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE(c.name + " seed " + std::to_string(seed));
      const TreeEnsembleView view = MakeView(c, seed);
      const ModelInfo info = RandomInfo(c.spec.features, view.num_outputs);
      const Players players = PlayersFor(c, info);
      const int64_t rows = 6;
      const Buffer<double> x =
          RandomRows(rows, c.spec.features, seed + 200, 0.15, c.spec.categorical);
      Result<Interactions> m = TreeShapInteractions(info, view, players, x, rows, {});
      ASSERT_TRUE(m.has_value()) << m.error().message();
      const size_t width = players.size() + 1;
      for (int64_t r = 0; r < rows; ++r) {
        const Oracle o =
            BruteForce(view, players, x.data() + r * static_cast<int64_t>(c.spec.features));
        for (size_t k = 0; k < m->outputs.size(); ++k) {
          for (size_t i = 0; i < width; ++i) {
            for (size_t j = 0; j < width; ++j) {
              EXPECT_NEAR(m->value(r, k, i, j), o.interactions[(k * width + i) * width + j], 1e-9)
                  << "row " << r << " output " << k << " (" << i << ", " << j << ")";
            }
          }
        }
      }
    }
  }
}

// One stump, x0 < 0.5 → 1 (cover 30) else 3 (cover 10): base (30·1 + 10·3)/40 = 1.5, and
// the only player takes the whole difference.
TEST(TreeShapTest, StumpByHand) {
  TreeEnsembleView view;
  view.base_margin = {0.25};
  view.cover_kind = "count";
  TreeView tree;
  TreeNode root;
  root.kind = SplitKind::kLess;
  root.feature = 0;
  root.threshold = 0.5;
  root.left = 1;
  root.right = 2;
  root.cover = 40;
  root.default_left = false;
  TreeNode left;
  left.leaf = {1};
  left.cover = 30;
  TreeNode right;
  right.leaf = {3};
  right.cover = 10;
  tree.nodes = {root, left, right};
  view.trees = {tree};
  const ModelInfo info = RandomInfo(2, 1);
  const std::vector<double> x = {0.2, 7, std::numeric_limits<double>::quiet_NaN(), 7};
  for (Algorithm algorithm : {Algorithm::kClassic, Algorithm::kFast}) {
    Result<Attributions> a =
        TreeShap(info, view, InputPlayers(info), x, 2, {.algorithm = algorithm});
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->cover_kind, "count");
    EXPECT_DOUBLE_EQ(a->base[0], 1.75);
    EXPECT_DOUBLE_EQ(a->value(0, 0, 0), -0.5);
    EXPECT_DOUBLE_EQ(a->value(0, 0, 1), 0.0);
    EXPECT_DOUBLE_EQ(a->value(1, 0, 0), 1.5);  // missing goes right (default_left false)
    EXPECT_DOUBLE_EQ(a->prediction[0], 1.25);
    EXPECT_DOUBLE_EQ(a->prediction[1], 3.25);
  }
}

TEST(TreeShapTest, ClassicAndFastAgreeOnDeepTrees) {
  for (int depth : {8, 12, 16}) {
    SCOPED_TRACE("depth " + std::to_string(depth));
    RandomTreeSpec spec{.features = 24, .depth = depth, .trees = 12, .leaf_probability = 0.3};
    const TreeEnsembleView view = RandomEnsemble(spec, 40 + static_cast<uint64_t>(depth));
    int deepest = 0;
    for (const TreeView& tree : view.trees) deepest = std::max(deepest, TreeDepth(tree));
    ASSERT_EQ(deepest, depth);
    const ModelInfo info = RandomInfo(spec.features, 1);
    const int64_t rows = 64;
    const Buffer<double> x = RandomRows(rows, spec.features, 7, 0.1);
    Result<Attributions> classic =
        TreeShap(info, view, InputPlayers(info), x, rows, {.algorithm = Algorithm::kClassic});
    Result<Attributions> fast =
        TreeShap(info, view, InputPlayers(info), x, rows, {.algorithm = Algorithm::kFast});
    Result<Attributions> quadrature =
        TreeShap(info, view, InputPlayers(info), x, rows,
                 {.algorithm = Algorithm::kFast, .table_budget_bytes = 0});
    ASSERT_TRUE(classic.has_value() && fast.has_value() && quadrature.has_value());
    double worst = 0;
    for (size_t i = 0; i < fast->values.size(); ++i) {
      worst = std::max(worst, std::fabs(classic->values[i] - fast->values[i]));
      worst = std::max(worst, std::fabs(classic->values[i] - quadrature->values[i]));
    }
    EXPECT_LT(worst, 1e-9);
    EXPECT_LT(fast->max_additivity_error, 1e-9);
    EXPECT_LT(classic->max_additivity_error, 1e-9);
  }
}

TEST(TreeShapTest, ResultsDoNotDependOnThreadCount) {
  RandomTreeSpec spec{.features = 8, .depth = 6, .trees = 10, .outputs = 2};
  const TreeEnsembleView view = RandomEnsemble(spec, 3);
  const ModelInfo info = RandomInfo(spec.features, 2);
  const int64_t rows = 300;
  const Buffer<double> x = RandomRows(rows, spec.features, 4);
  Result<Attributions> one = TreeShap(info, view, InputPlayers(info), x, rows, {.threads = 1});
  Result<Attributions> two = TreeShap(info, view, InputPlayers(info), x, rows, {.threads = 2});
  ASSERT_TRUE(one.has_value() && two.has_value());
  EXPECT_EQ(one->values, two->values);
  Result<Interactions> m1 =
      TreeShapInteractions(info, view, InputPlayers(info), x, 50, {.threads = 1});
  ASSERT_FALSE(m1.has_value());  // 50 rows but 300 rows of inputs
  const std::span<const double> head(x.data(), 50 * static_cast<size_t>(spec.features));
  m1 = TreeShapInteractions(info, view, InputPlayers(info), head, 50, {.threads = 1});
  Result<Interactions> m2 =
      TreeShapInteractions(info, view, InputPlayers(info), head, 50, {.threads = 2});
  ASSERT_TRUE(m1.has_value() && m2.has_value());
  EXPECT_EQ(m1->values, m2->values);
}

TEST(TreeShapTest, ViewMarginsAddTreesAndBase) {
  RandomTreeSpec spec{.features = 4, .depth = 3, .trees = 2};
  TreeEnsembleView view = RandomEnsemble(spec, 9);
  view.average = true;
  const std::vector<double> x = {0.1, 0.2, 0.3, 0.4};
  const Buffer<double> margins = ViewMargins(view, 4, x, 1);
  ASSERT_EQ(margins.size(), 1U);
  double sum = 0;
  for (const TreeView& tree : view.trees) {
    size_t n = 0;
    while (tree.nodes[n].kind != SplitKind::kLeaf) {
      n = static_cast<size_t>(GoesLeft(tree.nodes[n], x[static_cast<size_t>(tree.nodes[n].feature)])
                                  ? tree.nodes[n].left
                                  : tree.nodes[n].right);
    }
    sum += tree.nodes[n].leaf[0];
  }
  EXPECT_DOUBLE_EQ(margins[0], view.base_margin[0] + sum / 2);
}

TEST(TreeShapTest, MissingCoverIsInvalidArgument) {
  RandomTreeSpec spec{.features = 3, .depth = 3};
  TreeEnsembleView view = RandomEnsemble(spec, 5);
  view.trees[0].nodes[1].cover = std::numeric_limits<double>::quiet_NaN();
  const ModelInfo info = RandomInfo(3, 1);
  const Buffer<double> x = RandomRows(2, 3, 1);
  for (Algorithm algorithm : {Algorithm::kClassic, Algorithm::kFast}) {
    Result<Attributions> a =
        TreeShap(info, view, InputPlayers(info), x, 2, {.algorithm = algorithm});
    ASSERT_FALSE(a.has_value());
    EXPECT_EQ(a.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(a.error().message().find("tree 0 node 1 has no cover"), std::string::npos)
        << a.error().message();
    EXPECT_NE(a.error().message().find("--method interventional"), std::string::npos);
  }
  Result<Interactions> m = TreeShapInteractions(info, view, InputPlayers(info), x, 2, {});
  ASSERT_FALSE(m.has_value());
  EXPECT_EQ(m.error().code(), StatusCode::kInvalidArgument);
}

TEST(TreeShapTest, ZeroCoverUnderASplitIsInvalidArgument) {
  RandomTreeSpec spec{.features = 3, .depth = 2, .leaf_probability = 0};
  TreeEnsembleView view = RandomEnsemble(spec, 5);
  view.trees[0].nodes[0].cover = 0;
  const ModelInfo info = RandomInfo(3, 1);
  const Buffer<double> x = RandomRows(1, 3, 1);
  Result<Attributions> a = TreeShap(info, view, InputPlayers(info), x, 1, {});
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(a.error().message().find("tree 0 node 0 is a split with a zero cover"),
            std::string::npos)
      << a.error().message();
}

TEST(TreeShapTest, WrongInputSizeIsInvalidArgument) {
  RandomTreeSpec spec{.features = 3, .depth = 2};
  const TreeEnsembleView view = RandomEnsemble(spec, 5);
  const ModelInfo info = RandomInfo(3, 1);
  const std::vector<double> x(7, 0.5);
  Result<Attributions> a = TreeShap(info, view, InputPlayers(info), x, 2, {});
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(a.error().message().find("the input matrix has 7 values for 2 rows"), std::string::npos)
      << a.error().message();
}

TEST(TreeShapTest, SplitOnUnknownInputIsInvalidArgument) {
  RandomTreeSpec spec{.features = 3, .depth = 2, .leaf_probability = 0};
  TreeEnsembleView view = RandomEnsemble(spec, 5);
  view.trees[0].nodes[0].feature = 9;
  const ModelInfo info = RandomInfo(3, 1);
  const Buffer<double> x = RandomRows(1, 3, 1);
  Result<Attributions> a = TreeShap(info, view, InputPlayers(info), x, 1, {});
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(a.error().message().find("splits on input 9"), std::string::npos);
}

// tests/data/models/pmml/tree_binary.pmml: b <= 2.5 → 1.5 (40 records); else a >= 0 → −2
// (20), else 7 (40). Base (40·1.5 + 20·(−2) + 40·7)/100 = 3. For a = 1, b = 1:
// v({a}) = 0.4·1.5 + 0.6·(−2) = −0.6, v({b}) = v({a,b}) = 1.5, so φ_a = ½(−3.6 + 0) = −1.8
// and φ_b = ½(−1.5 + 2.1) = 0.3.
TEST(TreeShapTest, PmmlTreeWithRecordCounts) {
  std::unique_ptr<Model> model = probity::testing::LoadModelOrFail(
      probity::testing::TestDataPath("models/pmml/tree_binary.pmml"));
  ASSERT_NE(model, nullptr);
  ASSERT_NE(model->tree_view(), nullptr);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Table batch =
      probity::testing::MakeTable({{"a", probity::testing::NumberColumn({1, -1, nan, 3})},
                                   {"b", probity::testing::NumberColumn({1, 4, 4, nan})}});
  Result<Buffer<double>> x = model->ViewInputs(batch);
  ASSERT_TRUE(x.has_value()) << x.error().ToString();
  const Players players = InputPlayers(model->info());
  Result<Attributions> a = TreeShap(model->info(), *model->tree_view(), players, *x, 4, {});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->cover_kind, "recordCount");
  EXPECT_LT(a->max_additivity_error, 1e-9);
  EXPECT_NEAR(a->base[0], 3.0, 1e-12);
  size_t pa = 0;
  size_t pb = 0;
  for (size_t p = 0; p < players.size(); ++p) (players.names[p] == "a" ? pa : pb) = p;
  EXPECT_NEAR(a->value(0, 0, pa), -1.8, 1e-12);
  EXPECT_NEAR(a->value(0, 0, pb), 0.3, 1e-12);
  Result<Predictions> p = model->Predict(batch);
  ASSERT_TRUE(p.has_value());
  for (int64_t r = 0; r < 4; ++r) {
    if (!std::isnan(p->Value(r))) {
      EXPECT_NEAR(a->prediction[static_cast<size_t>(r)], p->Value(r), 1e-12);
    }
  }
}

TEST(GaussLegendreTest, IntegratesPolynomialsUpToDegreeTwoNMinusOne) {
  for (int n : {1, 2, 3, 5, 8, 16, 32, 64}) {
    const internal::GaussLegendre rule(n);
    for (int degree = 0; degree <= 2 * n - 1; ++degree) {
      double integral = 0;
      for (size_t k = 0; k < rule.nodes.size(); ++k) {
        integral += rule.weights[k] * std::pow(rule.nodes[k], degree);
      }
      EXPECT_NEAR(integral, 1.0 / (degree + 1), 1e-14) << "n " << n << " degree " << degree;
    }
  }
}

}  // namespace
}  // namespace probity::explain
