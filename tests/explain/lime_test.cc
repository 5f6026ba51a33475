#include "explain/lime.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "audit/core/status.h"
#include "explain/internal/sampling.h"
#include "tests/explain/test_models.h"
#include "tests/testing/test_data.h"

namespace probity::explain {
namespace {

using testing::FunctionModel;
using ::testing::HasSubstr;

ModelInfo Info(size_t inputs, ModelTask task = ModelTask::kRegression,
               std::vector<std::string> classes = {}) {
  ModelInfo info;
  info.format = "test";
  info.task = task;
  info.classes = std::move(classes);
  for (size_t j = 0; j < inputs; ++j) info.inputs.push_back({.name = "x" + std::to_string(j)});
  return info;
}

InputFrame Frame(const ModelInfo& info, const std::vector<std::vector<double>>& rows) {
  return testing::NumericRows(info, rows);
}

// 100 training rows: x0 = i, x1 = 37·i mod 100, x2 = 61·i mod 100, so each column holds
// 0..99 once and its quartile edges are 24.75, 49.5 and 74.25.
InputFrame Training(const ModelInfo& info) {
  std::vector<std::vector<double>> rows;
  for (int i = 0; i < 100; ++i) {
    rows.push_back({static_cast<double>(i), static_cast<double>((37 * i) % 100),
                    static_cast<double>((61 * i) % 100)});
  }
  return Frame(info, rows);
}

const LimeFeature* Find(const LimeExplanation& e, const std::string& player) {
  for (const LimeFeature& f : e.features) {
    if (f.player == player) return &f;
  }
  return nullptr;
}

// f = 2·[x0 ≤ 24.75] − 3·[49.5 < x1 ≤ 74.25] + 1: exactly linear in the interpretable
// representation of the row (10, 60, 90), so an unpenalised surrogate recovers it.
TEST(LimeTest, LinearInBinsModelIsRecoveredWithRSquaredOne) {
  const ModelInfo info = Info(3);
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{2.0 * (x[0] <= 24.75) - 3.0 * (x[1] > 49.5 && x[1] <= 74.25) + 1};
  });
  const InputFrame rows = Frame(info, {{10, 60, 90}});
  auto r = Lime(model, InputPlayers(info), Training(info), rows,
                {.num_features = 3, .ridge_alpha = 0, .seed = 3, .space = OutputSpace::kValue});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->explanations.size(), 1u);
  const LimeExplanation& e = r->explanations[0];
  EXPECT_EQ(e.output, "value");
  ASSERT_EQ(e.features.size(), 3u);
  EXPECT_EQ(e.features[0].player, "x1");  // by decreasing |weight|
  EXPECT_EQ(e.features[0].condition, "49.5 < x1 <= 74.25");
  EXPECT_NEAR(e.features[0].weight, -3, 1e-9);
  EXPECT_EQ(e.features[1].condition, "x0 <= 24.75");
  EXPECT_NEAR(e.features[1].weight, 2, 1e-9);
  EXPECT_EQ(e.features[2].condition, "x2 > 74.25");
  EXPECT_NEAR(e.features[2].weight, 0, 1e-9);
  EXPECT_NEAR(e.intercept, 1, 1e-9);
  EXPECT_NEAR(e.r2, 1, 1e-12);
  EXPECT_NEAR(e.holdout_r2, 1, 1e-12);
  EXPECT_NEAR(e.local_prediction, 0, 1e-9);
  EXPECT_EQ(e.model_prediction, 0);
  EXPECT_NEAR(r->kernel_width, 0.75 * std::sqrt(3.0), 1e-15);
  EXPECT_EQ(r->model_evaluations, 5000 + 1250);  // samples + holdout (samples / 4)

  // LIME's default Ridge(alpha = 1) shrinks a little; forward selection keeps the two.
  auto ridge = Lime(model, InputPlayers(info), Training(info), rows,
                    {.num_features = 2, .seed = 3, .space = OutputSpace::kValue});
  ASSERT_TRUE(ridge.has_value());
  const LimeExplanation& d = ridge->explanations[0];
  ASSERT_EQ(d.features.size(), 2u);
  EXPECT_EQ(d.features[0].player, "x1");
  EXPECT_EQ(d.features[1].player, "x0");
  EXPECT_NEAR(d.features[0].weight, -3, 0.01);
  EXPECT_NEAR(d.features[1].weight, 2, 0.01);
  EXPECT_GT(d.r2, 0.9999);
}

// f = 0.05·x0 − 0.02·x1: "x0 in the row's bin" (0..24, mean 12) against the other bins
// (mean 62) moves f by about 0.05·(12 − 62) = −2.5; x1 in its top bin (75..99, mean 87)
// against the rest (mean 37): −0.02·50 = −1; x2 is unused.
TEST(LimeTest, LinearModelEffectsAreRecovered) {
  const ModelInfo info = Info(3);
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{0.05 * x[0] - 0.02 * x[1]};
  });
  auto r = Lime(model, InputPlayers(info), Training(info), Frame(info, {{5, 90, 40}}),
                {.num_features = 3, .seed = 11, .space = OutputSpace::kValue});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const LimeExplanation& e = r->explanations[0];
  EXPECT_NEAR(Find(e, "x0")->weight, -2.5, 0.1);
  EXPECT_NEAR(Find(e, "x1")->weight, -1.0, 0.05);
  EXPECT_NEAR(Find(e, "x2")->weight, 0, 0.12);  // ≈ 3 standard errors
  EXPECT_EQ(Find(e, "x2")->condition, "24.75 < x2 <= 49.5");
  // The surrogate cannot see x0's spread across the other three bins (0.05 × their means
  // 37, 62, 87) nor within bins, so it explains about 60% of the variance.
  EXPECT_GT(e.r2, 0.5);
  EXPECT_NEAR(e.holdout_r2, e.r2, 0.05);
  EXPECT_NEAR(e.model_prediction, 0.05 * 5 - 0.02 * 90, 1e-15);
}

// With K > 6, "auto" is highest_weights: the K players with the largest |coefficients|.
// f = Σ c_j·[x_j in the row's bin] over 8 inputs (each a permutation of 0..99, so every
// edge is at 24.75, 49.5, 74.25), the row at 10 in every column (bin 0).
TEST(LimeTest, AutoSelectionAboveSixKeepsTheLargestWeights) {
  const ModelInfo info = Info(8);
  const std::vector<double> c = {3, -0.1, 2, -4, 1.5, 0.5, -2.5, 1};
  FunctionModel model(info, 1, "identity", [c](const std::vector<double>& x) {
    double f = 0;
    for (size_t j = 0; j < 8; ++j) f += c[j] * (x[j] <= 24.75);
    return std::vector<double>{f};
  });
  std::vector<std::vector<double>> training;
  for (int i = 0; i < 100; ++i) {
    std::vector<double> row;
    for (int m : {1, 3, 7, 9, 11, 13, 17, 19}) row.push_back(static_cast<double>((i * m) % 100));
    training.push_back(row);
  }
  const InputFrame rows = Frame(info, {std::vector<double>(8, 10)});
  auto r = Lime(model, InputPlayers(info), Frame(info, training), rows,
                {.num_features = 7, .ridge_alpha = 0, .space = OutputSpace::kValue});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const LimeExplanation& e = r->explanations[0];
  ASSERT_EQ(e.features.size(), 7u);
  EXPECT_EQ(Find(e, "x1"), nullptr);  // the smallest effect is left out
  const std::vector<std::string> order = {"x3", "x0", "x6", "x2", "x4", "x7", "x5"};
  for (size_t f = 0; f < 7; ++f) {
    EXPECT_EQ(e.features[f].player, order[f]);
    // x1, left out, leaks into the others through the samples' chance correlations.
    EXPECT_NEAR(e.features[f].weight, c[static_cast<size_t>(order[f][1] - '0')], 0.02);
  }
  EXPECT_NEAR(e.local_prediction, e.model_prediction, 0.15);  // x1's −0.1 is left out

  auto all = Lime(
      model, InputPlayers(info), Frame(info, training), rows,
      {.num_features = 1, .selection = "none", .ridge_alpha = 0, .space = OutputSpace::kValue});
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->explanations[0].features.size(), 8u);
  EXPECT_NEAR(all->explanations[0].r2, 1, 1e-12);
}

// Missing values are a level of their own: a row with x0 missing is explained by
// "x0 is missing", sampled from the training rows where x0 is missing.
TEST(LimeTest, MissingValuesAreALevel) {
  const ModelInfo info = Info(2);
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{std::isnan(x[0]) ? 1.0 : 0.0};
  });
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::vector<double>> training;
  for (int i = 0; i < 50; ++i) {
    training.push_back({i % 5 == 0 ? nan : i * 1.0, static_cast<double>((i * 7) % 50)});
  }
  auto r =
      Lime(model, InputPlayers(info), Frame(info, training), Frame(info, {{nan, 3}}),
           {.samples = 2000, .num_features = 2, .ridge_alpha = 0, .space = OutputSpace::kValue});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const LimeExplanation& e = r->explanations[0];
  EXPECT_EQ(e.features[0].condition, "x0 is missing");
  EXPECT_NEAR(e.features[0].weight, 1, 1e-9);
  EXPECT_NEAR(e.r2, 1, 1e-12);
}

TEST(LimeTest, SameSeedSameExplanationsAtAnyThreadCount) {
  const ModelInfo info = Info(3, ModelTask::kClassification, {"no", "yes"});
  FunctionModel model(info, 1, "logistic", [](const std::vector<double>& x) {
    return std::vector<double>{0.04 * x[0] - 0.03 * x[1] + 0.001 * x[0] * x[2] - 1};
  });
  const InputFrame rows = Frame(info, {{5, 90, 40}, {70, 10, 99}, {50, 50, 50}, {99, 0, 1}});
  LimeOptions options{.samples = 800, .num_features = 2, .seed = 77, .threads = 1};
  auto one = Lime(model, InputPlayers(info), Training(info), rows, options);
  options.threads = 2;
  auto two = Lime(model, InputPlayers(info), Training(info), rows, options);
  ASSERT_TRUE(one.has_value() && two.has_value()) << one.error().ToString();
  ASSERT_EQ(one->explanations.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const LimeExplanation& a = one->explanations[i];
    const LimeExplanation& b = two->explanations[i];
    EXPECT_EQ(a.output, "yes");
    EXPECT_EQ(a.intercept, b.intercept);
    EXPECT_EQ(a.r2, b.r2);
    EXPECT_EQ(a.holdout_r2, b.holdout_r2);
    ASSERT_EQ(a.features.size(), b.features.size());
    for (size_t f = 0; f < a.features.size(); ++f) {
      EXPECT_EQ(a.features[f].player, b.features[f].player);
      EXPECT_EQ(a.features[f].weight, b.features[f].weight);
    }
  }
  // A row's explanation depends on its position (the seed stream), not on the other rows.
  auto alone = Lime(model, InputPlayers(info), Training(info), Frame(info, {{5, 90, 40}}), options);
  ASSERT_TRUE(alone.has_value());
  EXPECT_EQ(alone->explanations[0].intercept, one->explanations[0].intercept);
  options.seed = 78;
  auto other = Lime(model, InputPlayers(info), Training(info), rows, options);
  ASSERT_TRUE(other.has_value());
  EXPECT_NE(other->explanations[0].intercept, one->explanations[0].intercept);
}

TEST(LimeTest, MulticlassExplainsEveryClass) {
  const ModelInfo info = Info(3, ModelTask::kClassification, {"a", "b", "c"});
  FunctionModel model(info, 3, "softmax", [](const std::vector<double>& x) {
    return std::vector<double>{0.01 * x[0], 0.05 * x[1], 0};
  });
  auto r = Lime(model, InputPlayers(info), Training(info), Frame(info, {{5, 90, 40}}),
                {.samples = 500, .num_features = 1, .selection = "highest_weights"});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->explanations.size(), 3u);
  EXPECT_EQ(r->explanations[1].output, "b");
  ASSERT_EQ(r->explanations[1].features.size(), 1u);
  EXPECT_EQ(r->explanations[1].features[0].player, "x1");
  EXPECT_GT(r->explanations[1].features[0].weight, 0);
}

TEST(LimeTest, GroupIsOneInterpretableFeature) {
  const ModelInfo info = Info(3);
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{2.0 * (x[0] <= 24.75 && x[1] > 74.25)};
  });
  auto players = GroupPlayers(info, {{.name = "pair", .inputs = {"x0", "x1"}}});
  ASSERT_TRUE(players.has_value());
  auto r = Lime(model, *players, Training(info), Frame(info, {{10, 90, 40}}),
                {.num_features = 2, .ridge_alpha = 0, .space = OutputSpace::kValue});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const LimeExplanation& e = r->explanations[0];
  ASSERT_EQ(e.features.size(), 2u);
  EXPECT_EQ(e.features[0].player, "pair");
  EXPECT_EQ(e.features[0].condition, "x0 <= 24.75 and x1 > 74.25");
  // Group values come jointly from one training row; the model is 2 exactly when both
  // inputs are in the row's bins, i.e. when the group's interpretable value is 1.
  EXPECT_NEAR(e.features[0].weight, 2, 1e-9);
  EXPECT_NEAR(e.r2, 1, 1e-12);
  EXPECT_NEAR(r->kernel_width, 0.75 * std::sqrt(2.0), 1e-15);

  auto too_many = Lime(model, *players, Training(info), Frame(info, {{10, 90, 40}}),
                       {.num_features = 3, .space = OutputSpace::kValue});
  ASSERT_FALSE(too_many.has_value());
  EXPECT_THAT(too_many.error().message(), HasSubstr("num_features is 3 but the model has 2"));
}

TEST(LimeTest, StringInputsUseCategories) {
  ModelInfo info;
  info.format = "test";
  info.inputs = {
      {.name = "housing", .kind = InputKind::kCategorical, .categories = {"own", "rent", "free"}},
      {.name = "age"}};
  FunctionModel model(info, 1, "identity", [](const std::vector<double>& x) {
    return std::vector<double>{x[0] == 1 ? 3.0 : 0.0};  // "rent"
  });
  Column housing(DataType::kString);
  Column age(DataType::kFloat64);
  for (int i = 0; i < 60; ++i) {
    housing.AppendString(i % 3 == 0 ? "own" : i % 3 == 1 ? "rent" : "free");
    age.AppendFloat64(20 + i);
  }
  Table table(Schema({{.name = "housing", .type = DataType::kString},
                      {.name = "age", .type = DataType::kFloat64}}),
              {std::move(housing), std::move(age)});
  auto training = ReadInputFrame(info, table, "train.csv");
  ASSERT_TRUE(training.has_value());
  // The explained rows have their own dictionary ("rent" is code 0 there).
  Column h2(DataType::kString);
  h2.AppendString("rent");
  Column a2(DataType::kFloat64);
  a2.AppendFloat64(30);
  Table one(Schema({{.name = "housing", .type = DataType::kString},
                    {.name = "age", .type = DataType::kFloat64}}),
            {std::move(h2), std::move(a2)});
  auto rows = ReadInputFrame(info, one, "rows.csv");
  ASSERT_TRUE(rows.has_value());
  auto r = Lime(model, InputPlayers(info), *training, *rows,
                {.num_features = 1, .ridge_alpha = 0, .space = OutputSpace::kValue});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const LimeExplanation& e = r->explanations[0];
  EXPECT_EQ(e.features[0].condition, "housing = rent");
  EXPECT_NEAR(e.features[0].weight, 3, 1e-9);
  EXPECT_EQ(e.model_prediction, 3);
}

// Bin edges against numpy's percentiles (tests/data/explain/lime/make_fixture.py): a row
// at each edge falls in the bin that ends there, and the condition prints both edges.
TEST(LimeTest, DiscretisationEdgesMatchNumpy) {
  std::ifstream in(probity::testing::TestDataPath("explain/lime/percentiles.json"));
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json fixture = nlohmann::json::parse(text.str());
  const ModelInfo info = Info(1);
  FunctionModel model(info, 1, "identity",
                      [](const std::vector<double>& x) { return std::vector<double>{x[0]}; });
  int checked = 0;
  for (const nlohmann::json& column : fixture) {
    std::vector<std::vector<double>> training;
    for (double v : column["values"].get<std::vector<double>>()) training.push_back({v});
    for (const std::string discretizer : {"quartile", "decile"}) {
      const auto edges = column[discretizer].get<std::vector<double>>();
      std::vector<std::vector<double>> rows;
      for (double e : edges) rows.push_back({e});
      rows.push_back({edges.back() + 1});
      auto r = Lime(model, InputPlayers(info), Frame(info, training), Frame(info, rows),
                    {.samples = 50,
                     .num_features = 1,
                     .discretizer = discretizer,
                     .space = OutputSpace::kValue});
      ASSERT_TRUE(r.has_value()) << r.error().ToString();
      for (size_t b = 0; b <= edges.size(); ++b) {
        const std::string& condition = r->explanations[b].features[0].condition;
        double lower = 0;
        double upper = 0;
        if (b == 0) {
          ASSERT_EQ(std::sscanf(condition.c_str(), "x0 <= %lf", &upper), 1) << condition;
          EXPECT_EQ(upper, edges[0]);
        } else if (b == edges.size()) {
          ASSERT_EQ(std::sscanf(condition.c_str(), "x0 > %lf", &lower), 1) << condition;
          EXPECT_EQ(lower, edges.back());
        } else {
          ASSERT_EQ(std::sscanf(condition.c_str(), "%lf < x0 <= %lf", &lower, &upper), 2)
              << condition;
          EXPECT_EQ(lower, edges[b - 1]) << discretizer;
          EXPECT_EQ(upper, edges[b]) << discretizer;
        }
        ++checked;
      }
    }
  }
  EXPECT_EQ(checked, 34);  // bins over the 3 columns × 2 discretisers
}

TEST(LimeTest, RejectsBadOptionsAndFrames) {
  const ModelInfo info = Info(3);
  FunctionModel model(info, 1, "identity",
                      [](const std::vector<double>& x) { return std::vector<double>{x[0]}; });
  const Players players = InputPlayers(info);
  const InputFrame rows = Frame(info, {{1, 2, 3}});
  auto expect = [&](const LimeOptions& options, const InputFrame& training,
                    const InputFrame& explained, const std::string& text) {
    auto r = Lime(model, players, training, explained, options);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.error().ToString(), HasSubstr(text));
  };
  const InputFrame training = Training(info);
  expect({.num_features = 4}, training, rows, "num_features is 4 but the model has 3 features");
  expect({.num_features = 4}, training, rows, "1 ≤ num_features ≤ 3");
  expect({.samples = 1, .num_features = 2}, training, rows, "samples is 1");
  expect({.num_features = 2, .selection = "lasso"}, training, rows,
         "unknown feature selection \"lasso\"");
  expect({.num_features = 2, .discretizer = "entropy"}, training, rows,
         "unknown discretizer \"entropy\"");
  expect({.num_features = 2}, Frame(info, {}), rows, "the training data has no rows");
  InputFrame renamed = rows;
  renamed.names[2] = "z";
  expect({.num_features = 2}, training, renamed, "the rows explained does not have the layout");
  expect({.num_features = 2, .space = OutputSpace::kProbability}, training, rows,
         "gives no class probabilities");
}

// The generator LIME, permutation importance and counterfactuals share: xoshiro256** seeded
// by splitmix64, against values computed independently (Python integer arithmetic).
TEST(RngTest, MatchesTheReferenceStream) {
  internal::Rng rng(12345);
  EXPECT_EQ(rng.Next(), 0xbe6a36374160d49bULL);
  EXPECT_EQ(rng.Next(), 0x214aaa0637a688c6ULL);
  EXPECT_EQ(rng.Next(), 0xf69d16de9954d388ULL);
  EXPECT_EQ(internal::Rng(7).Uniform(), 0.7005764821796896);
  EXPECT_NEAR(internal::Rng(7).Normal(), -0.2790239910251981, 1e-15);
}

TEST(RngTest, DrawsStayInRangeWithTheRightMoments) {
  internal::Rng rng(1);
  std::vector<int> counts(3, 0);
  double sum = 0;
  double squares = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    ++counts[rng.Below(3)];
    const double z = rng.Normal();
    sum += z;
    squares += z * z;
    const double t = rng.TruncatedNormal(1, 2, 0, 4);
    ASSERT_GE(t, 0);
    ASSERT_LE(t, 4);
  }
  for (int c : counts) EXPECT_NEAR(c, n / 3.0, 5 * std::sqrt(n * 2.0 / 9));
  EXPECT_NEAR(sum / n, 0, 0.01);
  EXPECT_NEAR(squares / n, 1, 0.01);
  EXPECT_EQ(rng.TruncatedNormal(5, 0, 0, 10), 5);  // no spread: the mean
  EXPECT_EQ(rng.Below(0), 0u);
}

// Not a test of speed: prints LIME's rows/s at 5,000 samples on a 3-input model.
TEST(LimeTest, ReportsSpeed) {
  const ModelInfo info = Info(3, ModelTask::kClassification, {"no", "yes"});
  FunctionModel model(info, 1, "logistic", [](const std::vector<double>& x) {
    return std::vector<double>{0.04 * x[0] - 0.03 * x[1] + 0.01 * x[2] - 1};
  });
  std::vector<std::vector<double>> rows;
  for (int i = 0; i < 20; ++i) rows.push_back({i * 5.0, 99 - i * 5.0, i * 3.0});
  for (int threads : {1, 2}) {
    const auto start = std::chrono::steady_clock::now();
    auto r = Lime(model, InputPlayers(info), Training(info), Frame(info, rows),
                  {.num_features = 3, .threads = threads});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(r.has_value());
    std::printf(
        "LIME: 20 rows × 5,000 samples (+1,250 holdout) in %.3f s on %d thread(s): "
        "%.1f rows/s\n",
        seconds, threads, 20 / seconds);
  }
}

}  // namespace
}  // namespace probity::explain
