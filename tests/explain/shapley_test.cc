#include "explain/shapley.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>

#include "audit/core/file_system.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/models/model_loader.h"
#include "audit/ingest/models/native_model.h"
#include "tests/explain/random_trees.h"
#include "tests/explain/test_models.h"
#include "tests/testing/test_data.h"

namespace probity::explain {
namespace {

using testing::FunctionModel;
using ::testing::HasSubstr;
using testing::ViewModel;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ModelInfo NumericInfo(int inputs, const std::vector<std::string>& classes = {}) {
  ModelInfo info;
  info.format = "test";
  info.task = classes.empty() ? ModelTask::kRegression : ModelTask::kClassification;
  info.classes = classes;
  for (int j = 0; j < inputs; ++j) info.inputs.push_back({.name = "f" + std::to_string(j)});
  return info;
}

InputFrame Frame(const ModelInfo& info, const std::vector<std::vector<double>>& rows) {
  return testing::NumericRows(info, rows);
}

InputFrame FromValues(const ModelInfo& info, const Buffer<double>& values) {
  InputFrame frame = Frame(info, std::vector<std::vector<double>>{});
  frame.rows = static_cast<int64_t>(values.size() / info.inputs.size());
  frame.values = values;
  return frame;
}

Background Equal(InputFrame frame) {
  Background b;
  b.weights.assign(static_cast<size_t>(frame.rows), 1.0 / static_cast<double>(frame.rows));
  b.frame = std::move(frame);
  return b;
}

// ---- Hand-computed games ----------------------------------------------------------------

TEST(ExactShapleyTest, ProductGameAgainstHandValues) {
  const ModelInfo info = NumericInfo(3);
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{x[0] * x[1] + 2 * x[2]};
  });
  // v(S) = 0.75 f(x_S, 0) + 0.25 f(x_S, 1). Against (0,0,0): phi = (1, 1, 6) (the product's
  // interaction split in half); against (1,1,1), where x0 = b0: phi = (0, 1, 4). Shapley
  // values are linear in the background weights.
  Background background = Equal(Frame(info, {{0, 0, 0}, {1, 1, 1}}));
  background.weights = {0.75, 0.25};
  auto a = ExactShapley(model, InputPlayers(info), Frame(info, {{1, 2, 3}}), background,
                        {.space = OutputSpace::kValue});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->method, "exact");
  EXPECT_NEAR(a->value(0, 0, 0), 0.75, 1e-12);
  EXPECT_NEAR(a->value(0, 0, 1), 1.0, 1e-12);
  EXPECT_NEAR(a->value(0, 0, 2), 5.5, 1e-12);
  EXPECT_NEAR(a->base[0], 0.75, 1e-12);
  EXPECT_NEAR(a->prediction[0], 8, 1e-12);
  EXPECT_LT(a->max_additivity_error, 1e-12);
  EXPECT_EQ(a->background_rows, 2);
  // 2 background rows + 1 explained row + (2^3 − 2) coalitions × 2 background rows.
  EXPECT_EQ(a->model_evaluations, 2 + 1 + 6 * 2);
}

TEST(ExactShapleyTest, GroupsPlayTogetherAndAConstantPlayerGetsZero) {
  ModelInfo info;
  info.format = "test";
  for (const char* name : {"a", "b", "c", "d"}) info.inputs.push_back({.name = name});
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{x[0] * x[1] + x[2] + 10 * x[3]};
  });
  auto players = GroupPlayers(info, {{.name = "ab", .inputs = {"a", "b"}}});
  ASSERT_TRUE(players.has_value());
  // d = 5 in x and every background row: it cannot matter. The game is additive in the
  // group {a, b} and c: phi_ab = 6 − E[a·b] = 5.5, phi_c = 1 − 0.
  const Background background = Equal(Frame(info, {{0, 0, 0, 5}, {1, 1, 0, 5}}));
  auto a = ExactShapley(model, *players, Frame(info, {{2, 3, 1, 5}}), background,
                        {.space = OutputSpace::kValue});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->players, (std::vector<std::string>{"ab", "c", "d"}));
  EXPECT_NEAR(a->value(0, 0, 0), 5.5, 1e-12);
  EXPECT_NEAR(a->value(0, 0, 1), 1.0, 1e-12);
  EXPECT_EQ(a->value(0, 0, 2), 0.0);
  EXPECT_NEAR(a->base[0], 50.5, 1e-12);
  EXPECT_NEAR(a->prediction[0], 57, 1e-12);
  EXPECT_EQ(a->coalitions, 4);                     // 2 varying players
  EXPECT_EQ(a->model_evaluations, 2 + 1 + 2 * 2);  // the constant player costs nothing
}

TEST(ExactShapleyTest, MissingValuesEqualEachOther) {
  const ModelInfo info = NumericInfo(2);
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{(std::isnan(x[0]) ? 7.0 : x[0]) + x[1]};
  });
  auto a = ExactShapley(model, InputPlayers(info), Frame(info, {{kNaN, 4}}),
                        Equal(Frame(info, {{kNaN, 1}, {kNaN, 3}})), {.space = OutputSpace::kValue});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->value(0, 0, 0), 0.0);
  EXPECT_NEAR(a->value(0, 0, 1), 2.0, 1e-12);
  EXPECT_EQ(a->coalitions, 2);
}

// ---- Oracle: brute-force interventional Shapley values on random trees ----------------

double Margin(const TreeEnsembleView& view, const double* x, int output) {
  double m = view.base_margin[static_cast<size_t>(output)];
  for (const TreeView& tree : view.trees) {
    if (tree.output != output) continue;
    size_t n = 0;
    while (tree.nodes[n].kind != SplitKind::kLeaf) {
      const TreeNode& node = tree.nodes[n];
      n = static_cast<size_t>(GoesLeft(node, x[node.feature]) ? node.left : node.right);
    }
    m += tree.weight * tree.nodes[n].leaf[0];
  }
  return m;
}

// The model's explained output k for row x: margins, or probabilities through the link.
double Output(const TreeEnsembleView& view, const double* x, size_t k, bool probability) {
  const int outputs = view.num_outputs;
  if (!probability) return Margin(view, x, outputs == 1 ? 0 : static_cast<int>(k));
  if (outputs == 1) return 1 / (1 + std::exp(-Margin(view, x, 0)));
  std::vector<double> m;
  for (int c = 0; c < outputs; ++c) m.push_back(Margin(view, x, c));
  double total = 0;
  for (double v : m) total += std::exp(v);
  return std::exp(m[k]) / total;
}

// phi_i = Σ_{S ⊆ F\{i}} |S|!(M−|S|−1)!/M! [v(S ∪ i) − v(S)] over all M features, each v
// the plain average of the output over hybrid rows.
std::vector<double> BruteForce(const TreeEnsembleView& view, int features, const double* x,
                               const Buffer<double>& background, size_t k, bool probability) {
  const auto m = static_cast<size_t>(features);
  const size_t rows = background.size() / m;
  auto v = [&](uint32_t s) {
    double sum = 0;
    std::vector<double> hybrid(m);
    for (size_t b = 0; b < rows; ++b) {
      for (size_t j = 0; j < m; ++j) hybrid[j] = (s >> j) & 1 ? x[j] : background[b * m + j];
      sum += Output(view, hybrid.data(), k, probability);
    }
    return sum / static_cast<double>(rows);
  };
  auto factorial = [](size_t n) { return std::tgamma(static_cast<double>(n) + 1); };
  std::vector<double> phi(m, 0);
  for (size_t i = 0; i < m; ++i) {
    for (uint32_t s = 0; s < (1u << m); ++s) {
      if ((s >> i) & 1) continue;
      const auto size = static_cast<size_t>(__builtin_popcount(s));
      const double w = factorial(size) * factorial(m - size - 1) / factorial(m);
      phi[i] += w * (v(s | (1u << i)) - v(s));
    }
  }
  return phi;
}

struct TreeCase {
  int outputs;
  std::string link;
  OutputSpace space;
};

void PrintTo(const TreeCase& c, std::ostream* os) {
  *os << c.outputs << " output(s), " << c.link << ", " << OutputSpaceName(c.space);
}

class ExactShapleyOracleTest : public ::testing::TestWithParam<TreeCase> {};

TEST_P(ExactShapleyOracleTest, MatchesBruteForceOnRandomTrees) {
  const TreeCase c = GetParam();
  const int features = 5;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    TreeEnsembleView view = testing::RandomEnsemble(
        {.features = features, .depth = 4, .trees = 3 * c.outputs, .outputs = c.outputs}, seed);
    view.link = c.link;
    ModelInfo info = testing::RandomInfo(features, c.outputs);
    if (c.link == "logistic") {
      info.task = ModelTask::kClassification;
      info.classes = {"no", "yes"};
    }
    ViewModel model(info, view);
    const Buffer<double> x = testing::RandomRows(4, features, seed * 7, 0.1);
    const Buffer<double> b = testing::RandomRows(6, features, seed * 7 + 1, 0.1);
    auto a = ExactShapley(model, InputPlayers(info), FromValues(info, x),
                          Equal(FromValues(info, b)), {.space = c.space, .threads = 2});
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
    const bool probability = c.space == OutputSpace::kProbability;
    ASSERT_EQ(a->outputs.size(), static_cast<size_t>(c.outputs));
    for (int64_t r = 0; r < 4; ++r) {
      for (size_t k = 0; k < a->outputs.size(); ++k) {
        const std::vector<double> phi =
            BruteForce(view, features, x.data() + r * features, b, k, probability);
        for (size_t i = 0; i < phi.size(); ++i) {
          EXPECT_NEAR(a->value(r, k, i), phi[i], 1e-12)
              << "seed " << seed << " row " << r << " output " << k << " player " << i;
        }
      }
    }
    EXPECT_LT(a->max_additivity_error, 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Spaces, ExactShapleyOracleTest,
                         ::testing::Values(TreeCase{1, "identity", OutputSpace::kValue},
                                           TreeCase{1, "logistic", OutputSpace::kMargin},
                                           TreeCase{1, "logistic", OutputSpace::kProbability},
                                           TreeCase{3, "softmax", OutputSpace::kProbability}));

// ---- KernelSHAP ---------------------------------------------------------------------------

struct TreeModelCase {
  ModelInfo info;
  TreeEnsembleView view;
  InputFrame rows;
  Background background;
};

TreeModelCase BinaryTrees(int features, int64_t rows, uint64_t seed) {
  TreeModelCase c;
  c.view = testing::RandomEnsemble({.features = features, .depth = 5, .trees = 8}, seed);
  c.view.link = "logistic";
  c.info = testing::RandomInfo(features, 1);
  c.info.task = ModelTask::kClassification;
  c.info.classes = {"no", "yes"};
  c.rows = FromValues(c.info, testing::RandomRows(rows, features, seed + 100, 0.05));
  c.background = Equal(FromValues(c.info, testing::RandomRows(10, features, seed + 200, 0.05)));
  return c;
}

double MaxDifference(const Attributions& a, const Attributions& b) {
  double worst = 0;
  for (size_t i = 0; i < a.values.size(); ++i) {
    worst = std::max(worst, std::fabs(a.values[i] - b.values[i]));
  }
  return worst;
}

TEST(KernelShapTest, EqualsExactWhenTheBudgetCoversEveryCoalition) {
  for (int features : {2, 3, 6, 9}) {
    TreeModelCase c = BinaryTrees(features, 5, static_cast<uint64_t>(features));
    ViewModel model(c.info, c.view);
    auto exact = ExactShapley(model, InputPlayers(c.info), c.rows, c.background, {});
    auto kernel = KernelShap(model, InputPlayers(c.info), c.rows, c.background, {.seed = 3});
    ASSERT_TRUE(exact.has_value()) << exact.error().ToString();
    ASSERT_TRUE(kernel.has_value()) << kernel.error().ToString();
    EXPECT_EQ(kernel->method, "kernel");
    EXPECT_EQ(kernel->seed, uint64_t{3});
    // Auto budget 2P + 2048 covers all 2^P − 2 coalitions for P ≤ 11.
    EXPECT_EQ(kernel->coalitions, (int64_t{1} << features) - 2) << features;
    EXPECT_LT(MaxDifference(*exact, *kernel), 1e-9) << features;
    EXPECT_EQ(kernel->model_evaluations, exact->model_evaluations) << features;
  }
}

TEST(KernelShapTest, GroupsAreSinglePlayers) {
  TreeModelCase c = BinaryTrees(6, 4, 21);
  ViewModel model(c.info, c.view);
  auto players = GroupPlayers(c.info, {{.name = "g01", .inputs = {"f0", "f1"}},
                                       {.name = "g234", .inputs = {"f2", "f3", "f4"}}});
  ASSERT_TRUE(players.has_value());
  auto exact = ExactShapley(model, *players, c.rows, c.background, {});
  auto kernel = KernelShap(model, *players, c.rows, c.background, {});
  ASSERT_TRUE(exact.has_value() && kernel.has_value());
  EXPECT_EQ(kernel->players, (std::vector<std::string>{"g01", "g234", "f5"}));
  EXPECT_EQ(kernel->coalitions, 6);  // 2^3 − 2
  EXPECT_LT(MaxDifference(*exact, *kernel), 1e-9);
}

// Mean absolute error against exact enumeration over `seeds` seeds.
double KernelError(const Model& model, const TreeModelCase& c, const Attributions& exact,
                   int64_t samples, int seeds) {
  double total = 0;
  size_t count = 0;
  for (int s = 0; s < seeds; ++s) {
    auto kernel = KernelShap(model, InputPlayers(c.info), c.rows, c.background,
                             {.samples = samples, .seed = static_cast<uint64_t>(s)});
    EXPECT_TRUE(kernel.has_value()) << kernel.error().ToString();
    if (!kernel.has_value()) return kNaN;
    EXPECT_LE(kernel->coalitions, samples);
    EXPECT_LT(kernel->max_additivity_error, 1e-10);
    for (size_t i = 0; i < exact.values.size(); ++i) {
      total += std::fabs(kernel->values[i] - exact.values[i]);
      ++count;
    }
  }
  return total / static_cast<double>(count);
}

TEST(KernelShapTest, ConvergesToExactAsSamplesGrow) {
  TreeModelCase c = BinaryTrees(12, 6, 12);  // 4,094 coalitions
  ViewModel model(c.info, c.view);
  auto exact = ExactShapley(model, InputPlayers(c.info), c.rows, c.background, {});
  ASSERT_TRUE(exact.has_value()) << exact.error().ToString();
  double scale = 0;
  for (double v : exact->values) scale = std::max(scale, std::fabs(v));
  std::vector<double> errors;
  for (int64_t samples : {60, 250, 1000, 3000}) {
    errors.push_back(KernelError(model, c, *exact, samples, 4));
  }
  for (size_t i = 1; i < errors.size(); ++i) {
    EXPECT_LT(errors[i], errors[i - 1]) << "samples step " << i;
  }
  EXPECT_LT(errors.back(), 0.005 * scale);  // measured 0.0025 · scale at 3,000 samples
  EXPECT_LT(MaxDifference(*exact, *KernelShap(model, InputPlayers(c.info), c.rows, c.background,
                                              {.samples = 4094})),
            1e-9);
}

TEST(KernelShapTest, BitIdenticalAcrossThreadCountsAndSeedDependent) {
  TreeModelCase c = BinaryTrees(14, 9, 5);
  ViewModel model(c.info, c.view);
  const Players players = InputPlayers(c.info);
  auto one =
      KernelShap(model, players, c.rows, c.background, {.samples = 300, .seed = 11, .threads = 1});
  auto two =
      KernelShap(model, players, c.rows, c.background, {.samples = 300, .seed = 11, .threads = 2});
  auto other =
      KernelShap(model, players, c.rows, c.background, {.samples = 300, .seed = 12, .threads = 2});
  ASSERT_TRUE(one.has_value() && two.has_value() && other.has_value());
  EXPECT_EQ(one->coalitions, 300);
  ASSERT_EQ(one->values.size(), two->values.size());
  EXPECT_EQ(
      std::memcmp(one->values.data(), two->values.data(), one->values.size() * sizeof(double)), 0);
  EXPECT_GT(MaxDifference(*one, *other), 0);
  // A row's values depend on its index and the seed only, not on the rows explained with it.
  InputFrame first = Frame(c.info, {});
  first.rows = 3;
  first.values.assign(c.rows.row(0), c.rows.row(3));
  auto prefix = KernelShap(model, players, first, c.background, {.samples = 300, .seed = 11});
  ASSERT_TRUE(prefix.has_value());
  for (size_t i = 0; i < prefix->values.size(); ++i) EXPECT_EQ(prefix->values[i], one->values[i]);
}

TEST(KernelShapTest, EfficiencyHoldsToRoundingAndL1KeepsAtMostKPlayers) {
  TreeModelCase c = BinaryTrees(16, 5, 8);
  ViewModel model(c.info, c.view);
  for (OutputSpace space : {OutputSpace::kMargin, OutputSpace::kProbability}) {
    auto a = KernelShap(model, InputPlayers(c.info), c.rows, c.background,
                        {.space = space, .samples = 500, .seed = 1});
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
    EXPECT_LT(a->max_additivity_error, 1e-10);
    auto l1 = KernelShap(model, InputPlayers(c.info), c.rows, c.background,
                         {.space = space, .samples = 500, .seed = 1, .l1_features = 3});
    ASSERT_TRUE(l1.has_value()) << l1.error().ToString();
    EXPECT_LT(l1->max_additivity_error, 1e-10);
    for (int64_t r = 0; r < l1->rows; ++r) {
      int nonzero = 0;
      for (size_t p = 0; p < 16; ++p) nonzero += l1->value(r, 0, p) != 0;
      EXPECT_LE(nonzero, 3) << "row " << r;
    }
  }
}

TEST(KernelShapTest, TooFewSamplesIsAnErrorNamingTheRow) {
  TreeModelCase c = BinaryTrees(12, 2, 3);
  ViewModel model(c.info, c.view);
  auto a = KernelShap(model, InputPlayers(c.info), c.rows, c.background, {.samples = 4});
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(a.error().message(), HasSubstr("row 0"));
  EXPECT_THAT(a.error().message(), HasSubstr("do not determine"));
  // Budgets that would not fit in memory are refused before any work.
  auto huge =
      KernelShap(model, InputPlayers(c.info), c.rows, c.background, {.samples = int64_t{1} << 40});
  ASSERT_FALSE(huge.has_value());
  EXPECT_EQ(huge.error().code(), StatusCode::kInvalidArgument);
  auto exact = ExactShapley(model, InputPlayers(c.info), c.rows, c.background, {.max_players = 40});
  ASSERT_FALSE(exact.has_value());
  EXPECT_EQ(exact.error().code(), StatusCode::kInvalidArgument);
}

// Throughput on a real model (not a correctness test; skipped unless the environment names a
// folder with model.json, background.csv and rows.csv — docs/explain-agnostic.md says how
// they were made). Prints evaluations/s and rows/s.
TEST(KernelShapTest, ThroughputOnAnXGBoostModel) {
  const char* dir = std::getenv("PROBITY_KERNEL_BENCH_DIR");
  if (dir == nullptr) GTEST_SKIP() << "set PROBITY_KERNEL_BENCH_DIR to time KernelSHAP";
  FileSystem& fs = LocalFileSystem();
  auto model = models::LoadModel(fs, std::string(dir) + "/model.json");
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  auto data = ingest::ReadTable(fs, std::string(dir) + "/rows.csv", {}, {});
  auto background_table = ingest::ReadTable(fs, std::string(dir) + "/background.csv", {}, {});
  ASSERT_TRUE(data.has_value() && background_table.has_value());
  const ModelInfo& info = (*model)->info();
  auto rows = ReadInputFrame(info, *data, "rows.csv");
  auto background = ReadInputFrame(info, *background_table, "background.csv");
  ASSERT_TRUE(rows.has_value() && background.has_value());
  const char* count = std::getenv("PROBITY_KERNEL_BENCH_ROWS");
  rows->rows = std::min<int64_t>(rows->rows, count ? std::atoll(count) : 20);
  rows->values.resize(static_cast<size_t>(rows->rows) * rows->width());
  for (int threads : {1, 2}) {
    const auto start = std::chrono::steady_clock::now();
    auto a = KernelShap(**model, InputPlayers(info), *rows, Equal(*background),
                        {.space = OutputSpace::kProbability, .seed = 1, .threads = threads});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(a.has_value()) << a.error().ToString();
    std::printf(
        "KernelSHAP %d thread(s): %lld rows, %lld coalitions/row, %lld evaluations in "
        "%.2f s: %.0f evaluations/s, %.2f rows/s, additivity %.1e\n",
        threads, static_cast<long long>(a->rows), static_cast<long long>(a->coalitions),
        static_cast<long long>(a->model_evaluations), seconds,
        static_cast<double>(a->model_evaluations) / seconds, static_cast<double>(a->rows) / seconds,
        a->max_additivity_error);
  }
}

// ---- LinearSHAP ---------------------------------------------------------------------------

std::unique_ptr<Model> LoadNative(const std::string& name) {
  std::ifstream in(probity::testing::TestDataPath("models/native/" + name));
  std::stringstream text;
  text << in.rdbuf();
  auto model = models::LoadNativeModel(text.str(), name, {});
  EXPECT_TRUE(model.has_value()) << model.error().ToString();
  return model.has_value() ? std::move(*model) : nullptr;
}

Table XColor(const std::vector<double>& x, const std::vector<std::string>& color) {
  Column xs(DataType::kFloat64);
  Column colors(DataType::kString);
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i])) {
      xs.AppendNull();
    } else {
      xs.AppendFloat64(x[i]);
    }
    colors.AppendString(color[i]);
  }
  return Table(Schema({{.name = "x", .type = DataType::kFloat64},
                       {.name = "color", .type = DataType::kString}}),
               {std::move(xs), std::move(colors)});
}

TEST(LinearShapTest, NativeLogisticIsCoefficientTimesDeviationFromTheBackgroundMean) {
  auto model = LoadNative("logistic_binary.json");
  ASSERT_NE(model, nullptr);
  ASSERT_NE(model->linear_view(), nullptr);
  // margin = −1 + 1.0·x + (0, 2, 0)[color]. E_b[x] = 4/3, E_b[β_color] = 2/3.
  auto x = model->ViewInputs(XColor({2, kNaN}, {"green", "red"}));
  auto b = model->ViewInputs(XColor({0, 1, 3}, {"red", "blue", "green"}));
  ASSERT_TRUE(x.has_value() && b.has_value());
  const ModelInfo& info = model->info();
  auto a = LinearShap(info, *model->linear_view(), InputPlayers(info), *x, 2, *b, 3, {});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_EQ(a->method, "linear");
  EXPECT_EQ(a->space, OutputSpace::kMargin);
  EXPECT_EQ(a->outputs, (std::vector<std::string>{"yes"}));
  EXPECT_NEAR(a->value(0, 0, 0), 2 - 4.0 / 3, 1e-15);
  EXPECT_NEAR(a->value(0, 0, 1), 2 - 2.0 / 3, 1e-15);
  EXPECT_NEAR(a->base[0], -1 + 4.0 / 3 + 2.0 / 3, 1e-15);
  EXPECT_NEAR(a->prediction[0], 3, 1e-15);
  // A missing input: the model cannot score the row, so its values are NaN.
  EXPECT_TRUE(std::isnan(a->value(1, 0, 0)));
  EXPECT_TRUE(std::isnan(a->value(1, 0, 1)));
  EXPECT_TRUE(std::isnan(a->prediction[1]));
  EXPECT_LT(a->max_additivity_error, 1e-15);
  // Weighted background: E_b[x] = 0.5·0 + 0.5·3, E_b[β_color] = 0.5·2.
  const std::vector<double> w = {1, 0, 1};
  auto weighted = LinearShap(info, *model->linear_view(), InputPlayers(info), *x, 2, *b, 3, w);
  ASSERT_TRUE(weighted.has_value());
  EXPECT_NEAR(weighted->value(0, 0, 0), 2 - 1.5, 1e-15);
  EXPECT_NEAR(weighted->value(0, 0, 1), 2 - 1.0, 1e-15);
}

TEST(LinearShapTest, MultinomialExplainsEveryClassAndEqualsExactEnumeration) {
  auto model = LoadNative("logistic_multinomial.json");
  ASSERT_NE(model, nullptr);
  const ModelInfo& info = model->info();
  const Table data = XColor({2, -1, 0.5}, {"blue", "green", "red"});
  const Table background_table = XColor({0, 1, 3, -2}, {"red", "blue", "green", "blue"});
  auto x = model->ViewInputs(data);
  auto b = model->ViewInputs(background_table);
  ASSERT_TRUE(x.has_value() && b.has_value());
  auto a = LinearShap(info, *model->linear_view(), InputPlayers(info), *x, 3, *b, 4, {});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  ASSERT_EQ(a->outputs, (std::vector<std::string>{"a", "b", "c"}));
  // Class c: margin = −x + (0, 0, 2)[color]; E_b[x] = 0.5, E_b[β] = 2·2/4.
  EXPECT_NEAR(a->value(0, 2, 0), -(2 - 0.5), 1e-15);
  EXPECT_NEAR(a->value(0, 2, 1), 2 - 1.0, 1e-15);
  // Exact enumeration through Predict (frames read separately: their dictionaries differ).
  auto rows = ReadInputFrame(info, data, "data.csv");
  auto background = ReadInputFrame(info, background_table, "background.csv");
  ASSERT_TRUE(rows.has_value() && background.has_value());
  auto exact = ExactShapley(*model, InputPlayers(info), *rows, Equal(*background),
                            {.space = OutputSpace::kMargin});
  ASSERT_TRUE(exact.has_value()) << exact.error().ToString();
  EXPECT_LT(MaxDifference(*a, *exact), 1e-12);
  for (size_t i = 0; i < a->base.size(); ++i) EXPECT_NEAR(a->base[i], exact->base[i], 1e-12);
}

TEST(LinearShapTest, OneCoefficientPerInputLayoutAndGroups) {
  // PMML's RegressionModel view: one coefficient per input; a shorter row leaves the last
  // inputs at 0.
  const ModelInfo info = NumericInfo(3);
  LinearView view{.coefficients = {{2, -1}}, .intercepts = {0.5}, .link = "identity"};
  auto players = GroupPlayers(info, {{.name = "g", .inputs = {"f0", "f2"}}});
  ASSERT_TRUE(players.has_value());
  const std::vector<double> x = {1, 1, 9};
  const std::vector<double> b = {0, 0, 0, 2, 4, 1};
  auto a = LinearShap(info, view, *players, x, 1, b, 2, {});
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  EXPECT_NEAR(a->value(0, 0, 0), 2 * (1 - 1.0), 1e-15);  // group g = {f0, f2}; β2 = 0
  EXPECT_NEAR(a->value(0, 0, 1), -1 * (1 - 2.0), 1e-15);
  EXPECT_NEAR(a->base[0], 0.5 + 2 * 1.0 - 1 * 2.0, 1e-15);
  // A linear FunctionModel with the same margin, by exact enumeration.
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& r) {
    return std::vector<double>{0.5 + 2 * r[0] - r[1]};
  });
  auto exact =
      ExactShapley(model, *players, Frame(info, {x}), Equal(Frame(info, {{0, 0, 0}, {2, 4, 1}})),
                   {.space = OutputSpace::kValue});
  ASSERT_TRUE(exact.has_value());
  EXPECT_LT(MaxDifference(*a, *exact), 1e-12);
}

TEST(LinearShapTest, RejectsBadBackgrounds) {
  auto model = LoadNative("linear.json");
  ASSERT_NE(model, nullptr);
  const ModelInfo& info = model->info();
  const std::vector<double> x = {1, 0};
  auto empty = LinearShap(info, *model->linear_view(), InputPlayers(info), x, 1, {}, 0, {});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.error().message(), HasSubstr("no rows"));
  const std::vector<double> missing = {1, 0, kNaN, 1};
  auto nan = LinearShap(info, *model->linear_view(), InputPlayers(info), x, 1, missing, 2, {});
  ASSERT_FALSE(nan.has_value());
  EXPECT_THAT(nan.error().message(), HasSubstr("background row 1 has no value for input \"x\""));
  const std::vector<double> bad_code = {1, 7};
  auto code = LinearShap(info, *model->linear_view(), InputPlayers(info), bad_code, 1, x, 1, {});
  ASSERT_FALSE(code.has_value());
  EXPECT_THAT(code.error().message(), HasSubstr("row 0: input \"color\" has category code 7"));
}

// ---- Errors ------------------------------------------------------------------------------

TEST(ExactShapleyTest, TooManyPlayersNamesTheCountAndTheWayOut) {
  const ModelInfo info = NumericInfo(17);
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{std::accumulate(x.begin(), x.end(), 0.0)};
  });
  auto a = ExactShapley(model, InputPlayers(info), Frame(info, {std::vector<double>(17, 1)}),
                        Equal(Frame(info, {std::vector<double>(17, 0)})),
                        {.space = OutputSpace::kValue});
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(a.error().message(), HasSubstr("row 0 has 17 players that vary"));
  EXPECT_THAT(a.error().expected(), HasSubstr("at most 16"));
  EXPECT_THAT(a.error().expected(), HasSubstr("--method kernel"));
}

TEST(ExactShapleyTest, RejectsAnEmptyBackgroundAndAnotherSchema) {
  const ModelInfo info = NumericInfo(2);
  FunctionModel model(info, 1, "identity",
                      [](const std::vector<double>& x) { return std::vector<double>{x[0]}; });
  const InputFrame rows = Frame(info, {{1, 2}});
  auto empty = ExactShapley(model, InputPlayers(info), rows, Equal(Frame(info, {})),
                            {.space = OutputSpace::kValue});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.error().message(), HasSubstr("the background has no rows"));

  InputFrame swapped = Frame(info, {{0, 0}});
  std::swap(swapped.names[0], swapped.names[1]);
  auto other =
      KernelShap(model, InputPlayers(info), rows, Equal(swapped), {.space = OutputSpace::kValue});
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(other.error().message(), HasSubstr("the background's inputs differ"));

  // A background file whose column holds text where the data's holds numbers.
  Column f0(DataType::kString);
  f0.AppendString("high");
  Column f1(DataType::kFloat64);
  f1.AppendFloat64(1);
  InputFrame background = EmptyLike(rows);
  Status appended = AppendInputFrame(Table(Schema({{.name = "f0", .type = DataType::kString},
                                                   {.name = "f1", .type = DataType::kFloat64}}),
                                           {std::move(f0), std::move(f1)}),
                                     "background.csv", &background);
  EXPECT_EQ(appended.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(appended.message(), HasSubstr("background.csv: column \"f0\" holds text"));

  // A probability asked of a regression model.
  auto space = ExactShapley(model, InputPlayers(info), rows, Equal(Frame(info, {{0, 0}})), {});
  ASSERT_FALSE(space.has_value());
  EXPECT_EQ(space.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace probity::explain
