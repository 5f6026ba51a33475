#include "explain/counterfactual.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "audit/core/status.h"
#include "tests/explain/test_models.h"

namespace probity::explain {
namespace {

using testing::FunctionModel;
using ::testing::HasSubstr;

// Inputs income, age, debt (numbers) and region (text: "south", "north").
ModelInfo LoanInfo() {
  ModelInfo info;
  info.format = "test";
  info.task = ModelTask::kClassification;
  info.classes = {"deny", "approve"};
  info.inputs = {
      {.name = "income"},
      {.name = "age"},
      {.name = "debt"},
      {.name = "region", .kind = InputKind::kCategorical, .categories = {"south", "north"}}};
  return info;
}

Table LoanTable(const std::vector<std::vector<double>>& rows) {
  Column income(DataType::kFloat64), age(DataType::kFloat64), debt(DataType::kFloat64);
  Column region(DataType::kString);
  for (const auto& r : rows) {
    income.AppendFloat64(r[0]);
    age.AppendFloat64(r[1]);
    debt.AppendFloat64(r[2]);
    region.AppendString(r[3] == 1 ? "north" : "south");
  }
  return Table(Schema({{.name = "income", .type = DataType::kFloat64},
                       {.name = "age", .type = DataType::kFloat64},
                       {.name = "debt", .type = DataType::kFloat64},
                       {.name = "region", .type = DataType::kString}}),
               {std::move(income), std::move(age), std::move(debt), std::move(region)});
}

// 200 rows: income 0..99 twice, age 20..69, debt 0..29, region alternating.
InputFrame Training() {
  std::vector<std::vector<double>> rows;
  for (int i = 0; i < 200; ++i) {
    rows.push_back({static_cast<double>(i % 100), 20.0 + i % 50, static_cast<double>((7 * i) % 30),
                    static_cast<double>(i % 2)});
  }
  return *ReadInputFrame(LoanInfo(), LoanTable(rows), "train.csv");
}

InputFrame Rows(const std::vector<std::vector<double>>& rows) {
  return *ReadInputFrame(LoanInfo(), LoanTable(rows), "rows.csv");
}

// approve iff income ≥ 50 (the margin ±4 gives probabilities 0.982 / 0.018).
FunctionModel IncomeModel() {
  return FunctionModel(LoanInfo(), 1, "logistic", [](const std::vector<double>& x) {
    return std::vector<double>{x[0] >= 50 ? 4.0 : -4.0};
  });
}

// approve iff income ≥ 50 or debt ≤ 2.
FunctionModel IncomeOrDebtModel() {
  return FunctionModel(LoanInfo(), 1, "logistic", [](const std::vector<double>& x) {
    return std::vector<double>{x[0] >= 50 || x[2] <= 2 ? 4.0 : -4.0};
  });
}

TEST(CounterfactualsTest, ChangesIncomeToTheBoundaryAndNothingElse) {
  FunctionModel model = IncomeModel();
  auto r = Counterfactuals(model, Training(), Rows({{30, 40, 10, 0}}), {.seed = 5});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->sets.size(), 1u);
  const CounterfactualSet& set = r->sets[0];
  EXPECT_FALSE(set.already_desired);
  EXPECT_LT(set.prediction, 0.5);
  // Every candidate sparsifies to the same single change, so one remains.
  ASSERT_EQ(set.counterfactuals.size(), 1u);
  const Counterfactual& cf = set.counterfactuals[0];
  ASSERT_EQ(cf.changes.size(), 1u);
  EXPECT_EQ(cf.changes[0].feature, "income");
  EXPECT_EQ(cf.changes[0].from, "30");
  EXPECT_EQ(cf.changes[0].to, "50");  // the closest training value on the approved side
  EXPECT_TRUE(cf.valid);
  EXPECT_NEAR(cf.prediction, 1 / (1 + std::exp(-4.0)), 1e-15);
  // Distance: |50 − 30| / MAD(income) = 20 / 25.
  EXPECT_NEAR(cf.distance, 20.0 / 25.0, 1e-12);
  EXPECT_EQ(cf.values[1], 40);
  EXPECT_EQ(cf.values[2], 10);
  EXPECT_EQ(cf.values[3], 0);
  EXPECT_GT(r->model_evaluations, 1);
}

TEST(CounterfactualsTest, DiverseAlternativesAndImmutableInputs) {
  FunctionModel model = IncomeOrDebtModel();
  auto r = Counterfactuals(model, Training(), Rows({{30, 40, 10, 0}}), {.count = 2, .seed = 8});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const auto& cfs = r->sets[0].counterfactuals;
  ASSERT_EQ(cfs.size(), 2u);
  std::vector<std::string> changed;
  for (const Counterfactual& cf : cfs) {
    ASSERT_EQ(cf.changes.size(), 1u);
    EXPECT_TRUE(cf.valid);
    changed.push_back(cf.changes[0].feature + " " + cf.changes[0].to);
  }
  // debt 10 → 2 costs 8 / MAD(debt) = 8 / 7.5 > income's 20 / 25: income first.
  EXPECT_EQ(changed, (std::vector<std::string>{"income 50", "debt 2"}));
  EXPECT_LE(cfs[0].distance, cfs[1].distance);
  EXPECT_GT(r->sets[0].diversity, 0);

  // income frozen: only debt may change.
  auto frozen = Counterfactuals(model, Training(), Rows({{30, 40, 10, 0}}),
                                {.count = 3, .immutable = {"income"}, .seed = 8});
  ASSERT_TRUE(frozen.has_value());
  ASSERT_FALSE(frozen->sets[0].counterfactuals.empty());
  for (const Counterfactual& cf : frozen->sets[0].counterfactuals) {
    EXPECT_EQ(cf.values[0], 30);
    EXPECT_TRUE(cf.valid);
    for (const FeatureChange& c : cf.changes) EXPECT_NE(c.feature, "income");
  }
}

TEST(CounterfactualsTest, PermittedRangesAreRespected) {
  FunctionModel model = IncomeOrDebtModel();
  // Income may only move within [60, 80]; debt may not go below 5: no way but income ≥ 60.
  auto r =
      Counterfactuals(model, Training(), Rows({{30, 40, 10, 0}}),
                      {.count = 3, .ranges = {{"income", {60, 80}}, {"debt", {5, 30}}}, .seed = 2});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_FALSE(r->sets[0].counterfactuals.empty());
  for (const Counterfactual& cf : r->sets[0].counterfactuals) {
    EXPECT_GE(cf.values[0], 60);
    EXPECT_LE(cf.values[0], 80);
    EXPECT_GE(cf.values[2], 5);
    EXPECT_TRUE(cf.valid);
  }
  EXPECT_EQ(r->sets[0].counterfactuals[0].values[0], 60);

  // income frozen and debt kept above 2: nothing flips the decision.
  auto none = Counterfactuals(
      model, Training(), Rows({{30, 40, 10, 0}}),
      {.immutable = {"income"}, .ranges = {{"debt", {3, 30}}}, .generations = 5, .population = 40});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->sets[0].counterfactuals.empty());
}

TEST(CounterfactualsTest, TextInputsAndAlreadyDesiredRows) {
  // approve iff region is north: the change is reported as text.
  FunctionModel model(LoanInfo(), 1, "logistic", [](const std::vector<double>& x) {
    return std::vector<double>{x[3] == 1 ? 4.0 : -4.0};
  });
  auto r = Counterfactuals(model, Training(), Rows({{30, 40, 10, 0}, {30, 40, 10, 1}}),
                           {.count = 2, .seed = 1});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->sets.size(), 2u);
  ASSERT_EQ(r->sets[0].counterfactuals.size(), 1u);
  const Counterfactual& cf = r->sets[0].counterfactuals[0];
  ASSERT_EQ(cf.changes.size(), 1u);
  EXPECT_EQ(cf.changes[0].feature, "region");
  EXPECT_EQ(cf.changes[0].from, "south");
  EXPECT_EQ(cf.changes[0].to, "north");
  EXPECT_EQ(cf.distance, 1);
  EXPECT_TRUE(r->sets[1].already_desired);
  EXPECT_EQ(r->sets[1].row, 1);
  EXPECT_TRUE(r->sets[1].counterfactuals.empty());

  // Below the threshold as the desired side: the approved row looks for a denial.
  auto below =
      Counterfactuals(model, Training(), Rows({{30, 40, 10, 1}}), {.above = false, .seed = 1});
  ASSERT_TRUE(below.has_value());
  ASSERT_EQ(below->sets[0].counterfactuals.size(), 1u);
  EXPECT_EQ(below->sets[0].counterfactuals[0].changes[0].to, "south");
}

// A missing income cannot satisfy income ≥ 50: any present income ≥ 50 does, at the
// distance 1 a missing-to-present change costs.
TEST(CounterfactualsTest, MissingRowValue) {
  FunctionModel model = IncomeModel();
  Table table = LoanTable({{0, 40, 10, 0}});
  Column income(DataType::kFloat64);
  income.AppendNull();
  Table with_missing(table.schema(),
                     {std::move(income), table.column(1), table.column(2), table.column(3)});
  auto rows = ReadInputFrame(LoanInfo(), with_missing, "rows.csv");
  ASSERT_TRUE(rows.has_value());
  auto r = Counterfactuals(model, Training(), *rows, {.count = 2, .seed = 4});
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_FALSE(r->sets[0].counterfactuals.empty());
  for (const Counterfactual& cf : r->sets[0].counterfactuals) {
    ASSERT_EQ(cf.changes.size(), 1u);
    EXPECT_EQ(cf.changes[0].feature, "income");
    EXPECT_EQ(cf.changes[0].from, "");
    EXPECT_GE(cf.values[0], 50);
    EXPECT_EQ(cf.distance, 1);
    EXPECT_TRUE(cf.valid);
  }
}

TEST(CounterfactualsTest, SameSeedSameResultAtAnyThreadCount) {
  // A smooth model, so that the search has many near-ties to resolve.
  FunctionModel model(LoanInfo(), 1, "logistic", [](const std::vector<double>& x) {
    return std::vector<double>{0.08 * x[0] - 0.1 * x[2] + 0.02 * x[1] - 5 + (x[3] == 1 ? 0.5 : 0)};
  });
  const InputFrame rows = Rows({{30, 40, 10, 0}, {10, 25, 20, 1}, {45, 60, 25, 0}, {5, 20, 29, 0}});
  CounterfactualOptions options{.count = 3, .seed = 99, .generations = 10, .population = 60};
  options.threads = 1;
  auto one = Counterfactuals(model, Training(), rows, options);
  options.threads = 2;
  auto two = Counterfactuals(model, Training(), rows, options);
  ASSERT_TRUE(one.has_value() && two.has_value()) << one.error().ToString();
  EXPECT_EQ(one->model_evaluations, two->model_evaluations);
  for (size_t r = 0; r < 4; ++r) {
    const auto& a = one->sets[r].counterfactuals;
    const auto& b = two->sets[r].counterfactuals;
    ASSERT_EQ(a.size(), b.size());
    EXPECT_FALSE(a.empty());
    for (size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(a[i].values.size(), b[i].values.size());
      EXPECT_EQ(0, std::memcmp(a[i].values.data(), b[i].values.data(),
                               a[i].values.size() * sizeof(double)));
      EXPECT_EQ(a[i].distance, b[i].distance);
      EXPECT_TRUE(a[i].valid);
    }
  }
}

TEST(CounterfactualsTest, RejectsBadOptions) {
  FunctionModel model = IncomeModel();
  const InputFrame training = Training();
  const InputFrame rows = Rows({{30, 40, 10, 0}});
  auto expect = [&](const CounterfactualOptions& options, const std::string& text) {
    auto r = Counterfactuals(model, training, rows, options);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.error().ToString(), HasSubstr(text));
  };
  expect({.count = 0}, "count is 0");
  expect({.immutable = {"salary"}}, "unknown immutable input \"salary\"");
  expect({.ranges = {{"salary", {0, 1}}}}, "unknown ranged input \"salary\"");
  expect({.ranges = {{"income", {5, 1}}}}, "the range of \"income\" has min");
  expect({.ranges = {{"region", {0, 1}}}}, "input \"region\" is text");
  expect({.output = 1}, "output index 1 is out of range");
  expect({.population = 1}, "population is 1");
  expect({.generations = 0}, "generations is 0");
  expect({.space = OutputSpace::kValue}, "is not a regression model");
  InputFrame empty = EmptyLike(training);
  auto r = Counterfactuals(model, empty, rows, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("the training data has no rows"));
}

// Not a test of speed: prints counterfactual rows/s with the default search.
TEST(CounterfactualsTest, ReportsSpeed) {
  FunctionModel model(LoanInfo(), 1, "logistic", [](const std::vector<double>& x) {
    return std::vector<double>{0.08 * x[0] - 0.1 * x[2] + 0.02 * x[1] - 5};
  });
  std::vector<std::vector<double>> rows;
  for (int i = 0; i < 10; ++i) rows.push_back({i * 3.0, 20.0 + i, 29.0 - i, 0});
  const auto start = std::chrono::steady_clock::now();
  auto r = Counterfactuals(model, Training(), Rows(rows), {.seed = 1, .threads = 1});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(r.has_value());
  std::printf(
      "Counterfactuals: 10 rows (count 4, population 200, 30 generations) in %.3f s on 1 "
      "thread: %.1f rows/s, %lld model evaluations\n",
      seconds, 10 / seconds, static_cast<long long>(r->model_evaluations));
}

}  // namespace
}  // namespace probity::explain
