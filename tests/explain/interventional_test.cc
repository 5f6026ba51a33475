#include "explain/interventional.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "explain/input_frame.h"
#include "tests/explain/random_trees.h"
#include "tests/explain/test_models.h"

namespace probity::explain {
namespace {

using ::testing::HasSubstr;
using testing::RandomEnsemble;
using testing::RandomInfo;
using testing::RandomRows;
using testing::RandomTreeSpec;

// ---- Oracle: the interventional game enumerated over every coalition -----------------

// The ensemble's margins for one row, routed with GoesLeft (trees with one value per leaf,
// averaging by the tree count per output).
std::vector<double> OracleMargins(const TreeEnsembleView& view, const double* x) {
  std::vector<double> m = view.base_margin;
  std::vector<double> trees(m.size(), 0), sums(m.size(), 0);
  for (const TreeView& tree : view.trees) {
    const TreeNode* node = &tree.nodes[0];
    while (node->kind != SplitKind::kLeaf) {
      node = &tree.nodes[static_cast<size_t>(
          GoesLeft(*node, x[static_cast<size_t>(node->feature)]) ? node->left : node->right)];
    }
    const auto k = static_cast<size_t>(tree.output);
    sums[k] += tree.weight * node->leaf[0];
    trees[k] += 1;
  }
  for (size_t k = 0; k < m.size(); ++k) m[k] += view.average ? sums[k] / trees[k] : sums[k];
  return m;
}

void Logistic(std::vector<double>& m) {
  for (double& v : m) v = 1 / (1 + std::exp(-v));
}
void Softmax(std::vector<double>& m) {
  double sum = 0;
  for (double& v : m) sum += (v = std::exp(v));
  for (double& v : m) v /= sum;
}

// Shapley values of v(S) = Σ_b w_b g(f(x_S, b_S̄)) by enumerating all 2^P coalitions:
// outputs × players for one row.
struct Oracle {
  std::vector<double> phi, base, prediction;
};
Oracle Enumerate(const TreeEnsembleView& view, const Players& players, const double* x,
                 const Buffer<double>& background, const std::vector<double>& weights,
                 void (*link)(std::vector<double>&)) {
  const size_t width = players.player_of_input.size();
  const size_t n = players.size();
  const size_t outputs = static_cast<size_t>(view.num_outputs);
  const size_t background_rows = background.size() / width;
  double total = 0;
  for (size_t i = 0; i < background_rows; ++i) total += weights.empty() ? 1 : weights[i];
  std::vector<double> v((size_t{1} << n) * outputs, 0.0);
  std::vector<double> hybrid(width);
  for (size_t mask = 0; mask < (size_t{1} << n); ++mask) {
    for (size_t i = 0; i < background_rows; ++i) {
      const double w = (weights.empty() ? 1 : weights[i]) / total;
      for (size_t j = 0; j < width; ++j) {
        const auto p = static_cast<size_t>(players.player_of_input[j]);
        hybrid[j] = (mask >> p) & 1 ? x[j] : background[i * width + j];
      }
      std::vector<double> m = OracleMargins(view, hybrid.data());
      if (link != nullptr) link(m);
      for (size_t k = 0; k < outputs; ++k) v[mask * outputs + k] += w * m[k];
    }
  }
  Oracle o;
  o.phi.assign(outputs * n, 0.0);
  const auto factorial = [](size_t k) { return std::tgamma(static_cast<double>(k) + 1); };
  for (size_t p = 0; p < n; ++p) {
    for (size_t mask = 0; mask < (size_t{1} << n); ++mask) {
      if ((mask >> p) & 1) continue;
      const auto s = static_cast<size_t>(__builtin_popcountll(mask));
      const double w = factorial(s) * factorial(n - s - 1) / factorial(n);
      for (size_t k = 0; k < outputs; ++k) {
        o.phi[k * n + p] +=
            w * (v[(mask | (size_t{1} << p)) * outputs + k] - v[mask * outputs + k]);
      }
    }
  }
  for (size_t k = 0; k < outputs; ++k) {
    o.base.push_back(v[k]);
    o.prediction.push_back(v[((size_t{1} << n) - 1) * outputs + k]);
  }
  return o;
}

void ExpectMatchesOracle(const Attributions& a, const TreeEnsembleView& view,
                         const Players& players, const Buffer<double>& x,
                         const Buffer<double>& background, const std::vector<double>& weights,
                         void (*link)(std::vector<double>&) = nullptr) {
  const size_t width = players.player_of_input.size();
  const size_t outputs = a.outputs.size();
  ASSERT_EQ(outputs, static_cast<size_t>(view.num_outputs));
  int nonzero = 0;  // the comparison is not between two zero vectors
  for (int64_t r = 0; r < a.rows; ++r) {
    Oracle o = Enumerate(view, players, x.data() + static_cast<size_t>(r) * width, background,
                         weights, link);
    for (size_t k = 0; k < outputs; ++k) {
      EXPECT_NEAR(a.base[static_cast<size_t>(r) * outputs + k], o.base[k], 1e-9);
      EXPECT_NEAR(a.prediction[static_cast<size_t>(r) * outputs + k], o.prediction[k], 1e-9);
      for (size_t p = 0; p < players.size(); ++p) {
        EXPECT_NEAR(a.value(r, k, p), o.phi[k * players.size() + p], 1e-9)
            << "row " << r << " output " << k << " player " << p;
        nonzero += std::fabs(o.phi[k * players.size() + p]) > 1e-6;
      }
    }
  }
  EXPECT_GT(nonzero, 0);
  EXPECT_LT(a.max_additivity_error, 1e-9);
}

Result<Attributions> Explain(const ModelInfo& info, const TreeEnsembleView& view,
                             const Players& players, const Buffer<double>& x,
                             const Buffer<double>& background, std::vector<double> weights = {},
                             InterventionalOptions options = {}) {
  const auto width = static_cast<int64_t>(info.inputs.size());
  return InterventionalTreeShap(info, view, players, x, static_cast<int64_t>(x.size()) / width,
                                background, static_cast<int64_t>(background.size()) / width,
                                weights, options);
}

// ---- Margin space ----------------------------------------------------------------------

TEST(InterventionalTreeShapTest, SingleBackgroundRowIsBaselineShapley) {
  // f = x1 >= 0.5 ? 5 : (x2 < 0.5 ? 0 : 2); x = (1, 1), b = (0, 0):
  // f(x) = 5, f(b) = 0, f(x1 from x) = 5, f(x2 from x) = 2, so
  // phi1 = ((5 − 0) + (5 − 2)) / 2 = 4 and phi2 = ((2 − 0) + (5 − 5)) / 2 = 1.
  TreeView tree;
  tree.nodes.resize(5);
  tree.nodes[0] = {.kind = SplitKind::kLess, .feature = 0, .threshold = 0.5, .left = 1, .right = 2};
  tree.nodes[1] = {.kind = SplitKind::kLess, .feature = 1, .threshold = 0.5, .left = 3, .right = 4};
  tree.nodes[2].leaf = {5};
  tree.nodes[3].leaf = {0};
  tree.nodes[4].leaf = {2};
  for (TreeNode& node : tree.nodes) node.cover = std::numeric_limits<double>::quiet_NaN();
  TreeEnsembleView view{.trees = {tree}, .base_margin = {0.5}, .link = "identity"};
  ModelInfo info = RandomInfo(2, 1);
  Buffer<double> x = {1, 1}, b = {0, 0};
  auto a = Explain(info, view, InputPlayers(info), x, b);
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->method, "tree_interventional");
  EXPECT_EQ(a->background_rows, 1);
  EXPECT_DOUBLE_EQ(a->value(0, 0, 0), 4);
  EXPECT_DOUBLE_EQ(a->value(0, 0, 1), 1);
  EXPECT_DOUBLE_EQ(a->base[0], 0.5);
  EXPECT_DOUBLE_EQ(a->prediction[0], 5.5);
}

TEST(InterventionalTreeShapTest, MarginMatchesEnumerationOnRandomTrees) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    RandomTreeSpec spec{.features = 5, .depth = 5, .trees = 4};
    TreeEnsembleView view = RandomEnsemble(spec, seed);
    ModelInfo info = RandomInfo(spec.features, 1);
    Buffer<double> x = RandomRows(3, spec.features, seed * 7, 0.15);
    Buffer<double> background = RandomRows(6, spec.features, seed * 11, 0.15);
    auto a = Explain(info, view, InputPlayers(info), x, background);
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
    ExpectMatchesOracle(*a, view, InputPlayers(info), x, background, {});
  }
}

TEST(InterventionalTreeShapTest, GroupsActAsOnePlayer) {
  RandomTreeSpec spec{.features = 6, .depth = 6, .trees = 3};
  TreeEnsembleView view = RandomEnsemble(spec, 5);
  ModelInfo info = RandomInfo(spec.features, 1);
  auto players = GroupPlayers(info, {{"g02", {"f0", "f2"}}, {"g345", {"f3", "f4", "f5"}}});
  ASSERT_TRUE(players.has_value());
  ASSERT_EQ(players->size(), 3u);  // g02, f1, g345
  Buffer<double> x = RandomRows(4, spec.features, 21);
  Buffer<double> background = RandomRows(5, spec.features, 22);
  auto a = Explain(info, view, *players, x, background);
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  ExpectMatchesOracle(*a, view, *players, x, background, {});
}

TEST(InterventionalTreeShapTest, WeightedBackgroundAveragingAndTreeWeights) {
  RandomTreeSpec spec{.features = 4, .depth = 4, .trees = 5};
  TreeEnsembleView view = RandomEnsemble(spec, 8);
  view.average = true;
  for (size_t t = 0; t < view.trees.size(); ++t) view.trees[t].weight = 0.5 + 0.25 * t;
  ModelInfo info = RandomInfo(spec.features, 1);
  Buffer<double> x = RandomRows(3, spec.features, 31);
  Buffer<double> background = RandomRows(4, spec.features, 32);
  const std::vector<double> weights = {3, 0, 1, 0.5};  // a zero weight drops a row
  auto a = Explain(info, view, InputPlayers(info), x, background, weights);
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  ExpectMatchesOracle(*a, view, InputPlayers(info), x, background, weights);
}

TEST(InterventionalTreeShapTest, MultiOutputCategoricalSplitsAndMissingValues) {
  RandomTreeSpec spec{.features = 4, .depth = 5, .trees = 6, .outputs = 3, .categorical = true};
  TreeEnsembleView view = RandomEnsemble(spec, 13);
  ModelInfo info = RandomInfo(spec.features, 3);
  // Codes 0..3 route categorical splits; as numbers they also route threshold splits.
  Buffer<double> x = RandomRows(4, spec.features, 41, 0.2, /*categorical=*/true);
  Buffer<double> background = RandomRows(5, spec.features, 42, 0.2, /*categorical=*/true);
  auto a = Explain(info, view, InputPlayers(info), x, background);
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->outputs, (std::vector<std::string>{"c0", "c1", "c2"}));
  ExpectMatchesOracle(*a, view, InputPlayers(info), x, background, {});
}

TEST(InterventionalTreeShapTest, VectorLeavesAddToEveryOutput) {
  // One tree with two-valued leaves: f = x0 < 0.5 ? (1, 10) : (3, 20); x = 1, b = 0.
  TreeView tree;
  tree.nodes.resize(3);
  tree.nodes[0] = {.kind = SplitKind::kLess, .feature = 0, .threshold = 0.5, .left = 1, .right = 2};
  tree.nodes[1].leaf = {1, 10};
  tree.nodes[2].leaf = {3, 20};
  TreeEnsembleView view{.trees = {tree}, .num_outputs = 2, .base_margin = {0, 0}};
  ModelInfo info = RandomInfo(1, 1);
  info.num_targets = 2;
  Buffer<double> x = {1}, b = {0};
  auto a = Explain(info, view, InputPlayers(info), x, b);
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_DOUBLE_EQ(a->value(0, 0, 0), 2);
  EXPECT_DOUBLE_EQ(a->value(0, 1, 0), 10);
}

TEST(InterventionalTreeShapTest, BitIdenticalAtOneAndTwoThreads) {
  RandomTreeSpec spec{.features = 6, .depth = 6, .trees = 20, .outputs = 3};
  TreeEnsembleView view = RandomEnsemble(spec, 3);
  view.link = "softmax";
  ModelInfo info = RandomInfo(spec.features, 3);
  Buffer<double> x = RandomRows(17, spec.features, 51);
  Buffer<double> background = RandomRows(9, spec.features, 52);
  for (OutputSpace space : {OutputSpace::kMargin, OutputSpace::kProbability}) {
    auto one =
        Explain(info, view, InputPlayers(info), x, background, {}, {.space = space, .threads = 1});
    auto two =
        Explain(info, view, InputPlayers(info), x, background, {}, {.space = space, .threads = 2});
    ASSERT_TRUE(one.has_value()) << one.error().ToString();
    ASSERT_TRUE(two.has_value()) << two.error().ToString();
    EXPECT_EQ(one->values, two->values);  // exact equality, element by element
    EXPECT_EQ(one->base, two->base);
    EXPECT_EQ(one->prediction, two->prediction);
  }
}

// ---- Probability space -----------------------------------------------------------------

// A classifier over the view, scored through Model::Predict (the oracle's probabilities
// come from the model, not from the code under test).
void ExpectProbabilitiesMatchModel(int classes, const std::string& link, uint64_t seed) {
  const int outputs = classes == 2 ? 1 : classes;
  RandomTreeSpec spec{.features = 5, .depth = 4, .trees = 6, .outputs = outputs};
  TreeEnsembleView view = RandomEnsemble(spec, seed);
  view.link = link;
  ModelInfo info = RandomInfo(spec.features, classes);
  info.task = ModelTask::kClassification;
  if (classes == 2) info.classes = {"deny", "grant"};
  testing::ViewModel model(info, view);
  Buffer<double> x = RandomRows(3, spec.features, seed + 1, 0.1);
  Buffer<double> background = RandomRows(4, spec.features, seed + 2, 0.1);
  const std::vector<double> weights = {1, 2, 3, 4};
  auto a = Explain(model.info(), view, InputPlayers(info), x, background, weights,
                   {.space = OutputSpace::kProbability});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->space, OutputSpace::kProbability);
  ExpectMatchesOracle(*a, view, InputPlayers(info), x, background, weights,
                      classes == 2 ? Logistic : Softmax);
  // The predictions are the model's own probabilities.
  InputFrame frame;
  for (const ModelInput& input : info.inputs) {
    frame.names.push_back(input.name);
    frame.is_string.push_back(false);
    frame.dictionaries.emplace_back();
  }
  auto p = ScoreRows(model, frame, x, a->rows, OutputSpace::kProbability);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  ASSERT_EQ(p->size(), a->prediction.size());
  for (size_t i = 0; i < p->size(); ++i) EXPECT_NEAR((*p)[i], a->prediction[i], 1e-12);
}

TEST(InterventionalTreeShapTest, ProbabilityMatchesEnumerationForLogisticModel) {
  for (uint64_t seed : {101, 102, 103}) ExpectProbabilitiesMatchModel(2, "logistic", seed);
}

TEST(InterventionalTreeShapTest, ProbabilityMatchesEnumerationForSoftmaxModel) {
  for (uint64_t seed : {201, 202}) ExpectProbabilitiesMatchModel(3, "softmax", seed);
}

void Exp(std::vector<double>& m) {
  for (double& v : m) v = std::exp(v);
}

TEST(InterventionalTreeShapTest, ValueSpaceThroughExpLinkWithGroups) {
  // A Poisson-style regression (value = exp(margin)) explained in value space: the same
  // per-pair enumeration as probability space, over grouped players.
  RandomTreeSpec spec{.features = 6, .depth = 5, .trees = 8};
  TreeEnsembleView view = RandomEnsemble(spec, 91);
  view.link = "exp";
  ModelInfo info = RandomInfo(spec.features, 1);
  auto players = GroupPlayers(info, {{"g14", {"f1", "f4"}}, {"g035", {"f0", "f3", "f5"}}});
  ASSERT_TRUE(players.has_value());
  Buffer<double> x = RandomRows(3, spec.features, 92, 0.1);
  Buffer<double> background = RandomRows(4, spec.features, 93, 0.1);
  const std::vector<double> weights = {0.5, 1, 0, 2};
  auto a = Explain(info, view, *players, x, background, weights, {.space = OutputSpace::kValue});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->space, OutputSpace::kValue);
  EXPECT_THAT(a->value_function, HasSubstr("g the link"));
  ExpectMatchesOracle(*a, view, *players, x, background, weights, Exp);
}

TEST(InterventionalTreeShapTest, ProbabilityRefusesTooManyDifferingPlayers) {
  RandomTreeSpec spec{.features = 5, .depth = 6, .trees = 10};
  TreeEnsembleView view = RandomEnsemble(spec, 61);
  view.link = "logistic";
  ModelInfo info = RandomInfo(spec.features, 2);
  info.task = ModelTask::kClassification;
  Buffer<double> x = {0.05, 0.05, 0.05, 0.05, 0.05, 0.95, 0.95, 0.95, 0.95, 0.95};
  Buffer<double> background = {0.95, 0.95, 0.95, 0.95, 0.95};
  auto a = Explain(info, view, InputPlayers(info), x, background, {},
                   {.space = OutputSpace::kProbability, .max_exact_players = 1});
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(a.error().ToString(), HasSubstr("row 0 and background row 0 route differently on"));
  EXPECT_THAT(a.error().ToString(), HasSubstr("the limit is 1 players"));
  EXPECT_THAT(a.error().ToString(), HasSubstr("--output margin"));
  // Row 1 equals the background row: no differing players, so a limit of 0 suffices.
  Buffer<double> same = {0.95, 0.95, 0.95, 0.95, 0.95};
  auto b = Explain(info, view, InputPlayers(info), same, background, {},
                   {.space = OutputSpace::kProbability, .max_exact_players = 0});
  ASSERT_TRUE(b.has_value()) << b.error().ToString();
  for (double v : b->values) EXPECT_EQ(v, 0);
}

// ---- Errors ----------------------------------------------------------------------------

TEST(InterventionalTreeShapTest, RejectsBadArguments) {
  RandomTreeSpec spec{.features = 3, .depth = 3};
  TreeEnsembleView view = RandomEnsemble(spec, 71);
  ModelInfo info = RandomInfo(3, 1);
  const Players players = InputPlayers(info);
  Buffer<double> x = RandomRows(2, 3, 72), background = RandomRows(2, 3, 73);
  auto expect_error = [](const Result<Attributions>& a, const std::string& text) {
    ASSERT_FALSE(a.has_value()) << text;
    EXPECT_EQ(a.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(a.error().ToString(), HasSubstr(text));
  };
  expect_error(Explain(info, view, players, x, Buffer<double>{}), "the background set is empty");
  expect_error(Explain(info, view, players, x, background, {1, -1}), "has weight");
  expect_error(Explain(info, view, players, x, background, {0, 0}), "add up to");
  expect_error(Explain(info, view, players, x, background, {1}), "1 weights for 2 rows");
  expect_error(InterventionalTreeShap(info, view, players, x, 3, background, 2, {}, {}),
               "the rows to explain hold 6 values");
  expect_error(
      Explain(info, view, players, x, background, {}, {.space = OutputSpace::kProbability}),
      "cannot explain a regression model in probability space");
  TreeEnsembleView broken = view;
  broken.trees[0].nodes[0].left = 99;
  expect_error(Explain(info, broken, players, x, background), "tree 0, node 0 has child 99");
  broken = view;
  broken.trees[0].nodes[0].right = broken.trees[0].nodes[0].left;  // a node with two parents
  expect_error(Explain(info, broken, players, x, background), "that no other node points to");
  broken = view;
  broken.trees[0].output = 1;  // a one-output ensemble
  expect_error(Explain(info, broken, players, x, background), "values in a tree for output 1");
  expect_error(Explain(info, view, players, x, background, {}, {.max_exact_players = 21}),
               "max_exact_players is 21");
}

// A timing, not a test (the figures in the issue-6 report): run with
// --gtest_filter=*Throughput --gtest_also_run_disabled_tests.
TEST(InterventionalTreeShapTest, DISABLED_Throughput) {
  for (int features : {20, 8}) {
    RandomTreeSpec spec{.features = features, .depth = 6, .trees = 100, .leaf_probability = 0};
    TreeEnsembleView view = RandomEnsemble(spec, 1);
    view.link = "logistic";
    ModelInfo info = RandomInfo(features, 2);
    const int64_t rows = 20;
    Buffer<double> x = RandomRows(rows, features, 2, 0.0);
    Buffer<double> background = RandomRows(100, features, 3, 0.0);
    for (OutputSpace space : {OutputSpace::kMargin, OutputSpace::kProbability}) {
      if (space == OutputSpace::kProbability && features > 8) continue;
      for (int threads : {1, 2}) {
        const auto start = std::chrono::steady_clock::now();
        auto a = Explain(info, view, InputPlayers(info), x, background, {},
                         {.space = space, .max_exact_players = 20, .threads = threads});
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ASSERT_TRUE(a.has_value()) << a.error().ToString();
        std::printf("%d features, %s, %d threads: %.0f pairs/s, %.2f rows/s, additivity %.1e\n",
                    features, std::string(OutputSpaceName(space)).c_str(), threads,
                    static_cast<double>(rows) * 100 / s, static_cast<double>(rows) / s,
                    a->max_additivity_error);
        std::fflush(stdout);
      }
    }
  }
}

}  // namespace
}  // namespace probity::explain
