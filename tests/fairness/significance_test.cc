// Significance tests and Holm's correction: against scipy.stats (and a plain-Python Holm) on
// the generated cases of tests/data/fairness/stats_cases.json, and hand-computed edges.
#include "fairness/significance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "tests/fairness/stats_cases.h"

namespace probity::fairness {
namespace {

using testing::Close;
using testing::Number;
using testing::StatsCases;

// Above 104,729 rows scipy's Boost evaluates the hypergeometric pmf by a double-precision
// Lanczos approximation and is off by up to ~2e-8 relative (2.06e-8 on 5/10⁹ vs 2/10⁹);
// there the fixture also holds the exact rational p-value, which we match to 1e-12.
constexpr double kScipyLargeFisher = 5e-8;

TEST(TwoProportionZTest, MatchesScipy) {
  int checked = 0;
  for (const auto& c : StatsCases()["pairs"]) {
    SCOPED_TRACE(c.dump());
    const TestResult result = TwoProportionZTest(c["x1"].get<double>(), c["n1"].get<double>(),
                                                 c["x2"].get<double>(), c["n2"].get<double>());
    EXPECT_EQ(result.test, "two-proportion-z");
    EXPECT_TRUE(Close(result.statistic, Number(c["z"]), 1e-9, 1e-15));
    EXPECT_TRUE(Close(result.p_value, Number(c["z_p"])));
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

TEST(TwoProportionZTest, HandComputed) {
  // 30/100 vs 12/80: pooled 42/180, se = √(p̄(1 − p̄)(1/100 + 1/80)).
  const double pooled = 42.0 / 180;
  const double z = (0.3 - 0.15) / std::sqrt(pooled * (1 - pooled) * (0.01 + 0.0125));
  const TestResult result = TwoProportionZTest(30, 100, 12, 80);
  EXPECT_NEAR(result.statistic, 2.364331, 1e-6);
  EXPECT_DOUBLE_EQ(result.statistic, z);
  EXPECT_NEAR(result.p_value, 0.0180627, 1e-7);
  EXPECT_LT(TwoProportionZTest(12, 80, 30, 100).statistic, 0);  // sign follows the first rate
}

TEST(TwoProportionZTest, DegenerateInputGivesNoEvidence) {
  for (const TestResult& result :
       {TwoProportionZTest(0, 10, 0, 20), TwoProportionZTest(10, 10, 20, 20),
        TwoProportionZTest(0, 0, 3, 20), TwoProportionZTest(3, 20, 0, 0),
        TwoProportionZTest(-1, 10, 3, 20), TwoProportionZTest(11, 10, 3, 20)}) {
    EXPECT_EQ(result.statistic, 0);
    EXPECT_EQ(result.p_value, 1);
  }
}

TEST(TwoProportionZTest, HugeCountsGiveNumbers) {
  for (const TestResult& result :
       {TwoProportionZTest(5e307, 1e308, 5e307, 1e308), TwoProportionZTest(1e308, 1e308, 0, 1e308),
        TwoProportionZTest(1e-300, 1e-300, 0, 1e-300)}) {
    EXPECT_FALSE(std::isnan(result.statistic));
    EXPECT_FALSE(std::isnan(result.p_value));
  }
}

TEST(FisherExactTest, MatchesScipy) {
  int checked = 0;
  int rational = 0;
  for (const auto& c : StatsCases()["fisher"]) {
    SCOPED_TRACE(c.dump());
    const TestResult result = FisherExactTest(c["x1"].get<int64_t>(), c["n1"].get<int64_t>(),
                                              c["x2"].get<int64_t>(), c["n2"].get<int64_t>());
    EXPECT_EQ(result.test, "fisher-exact");
    EXPECT_TRUE(Close(result.statistic, Number(c["odds_ratio"])));
    const bool large = c["n1"].get<int64_t>() + c["n2"].get<int64_t>() > 104'729;
    EXPECT_TRUE(Close(result.p_value, Number(c["p"]), large ? kScipyLargeFisher : 1e-9));
    if (c.contains("p_rational") && !c["p_rational"].is_null()) {
      EXPECT_TRUE(Close(result.p_value, Number(c["p_rational"]), 1e-12));
      ++rational;
    }
    ++checked;
  }
  EXPECT_GE(checked, 50);
  EXPECT_GE(rational, 10);
}

TEST(FisherExactTest, LadyTastingTea) {
  // [[3, 1], [1, 3]]: the tables at least as extreme are 0..4 successes with probabilities
  // 1, 16, 36, 16, 1 over 70; two-sided p = (1 + 16 + 16 + 1)/70.
  const TestResult result = FisherExactTest(3, 4, 1, 4);
  EXPECT_DOUBLE_EQ(result.statistic, 9);
  EXPECT_TRUE(Close(result.p_value, 34.0 / 70, 1e-12));
}

TEST(FisherExactTest, SymmetricTableHasPOne) {
  EXPECT_EQ(FisherExactTest(3, 10, 3, 10).p_value, 1);
  EXPECT_EQ(FisherExactTest(3, 10, 3, 10).statistic, 1);
}

TEST(FisherExactTest, ZeroRowOrColumn) {
  // A zero row (an empty group) and a zero column (nobody selected): scipy's NaN, p = 1.
  for (const TestResult& result : {FisherExactTest(0, 0, 3, 7), FisherExactTest(2, 5, 0, 0),
                                   FisherExactTest(0, 5, 0, 7), FisherExactTest(5, 5, 7, 7)}) {
    EXPECT_EQ(result.test, "fisher-exact");
    EXPECT_TRUE(std::isnan(result.statistic));
    EXPECT_EQ(result.p_value, 1);
  }
}

TEST(FisherExactTest, InfiniteOddsRatio) {
  const TestResult result = FisherExactTest(5, 5, 0, 7);  // b = 0, c = 0
  EXPECT_TRUE(std::isinf(result.statistic));
  EXPECT_TRUE(Close(result.p_value, 1.0 / 792, 1e-12));  // 1/C(12, 5)
}

TEST(FisherExactTest, InvalidCellsGiveNoEvidence) {
  EXPECT_TRUE(std::isnan(FisherExactTest(6, 5, 1, 7).statistic));
  EXPECT_EQ(FisherExactTest(-1, 5, 1, 7).p_value, 1);
}

TEST(FisherExactTest, BeyondExactDoublesFallsBackToZ) {
  const TestResult result = FisherExactTest(3, int64_t{1} << 53, 9, int64_t{1} << 53);
  EXPECT_EQ(result.test, "two-proportion-z");
  EXPECT_LT(result.p_value, 1);
}

TEST(CompareRatesTest, MatchesScipy) {
  int checked = 0;
  for (const auto& c : StatsCases()["pairs"]) {
    SCOPED_TRACE(c.dump());
    const TestResult result = CompareRates(c["x1"].get<double>(), c["n1"].get<double>(),
                                           c["x2"].get<double>(), c["n2"].get<double>());
    EXPECT_EQ(result.test, c["compare_test"].get<std::string>());
    const bool large = c["n1"].get<double>() + c["n2"].get<double>() > 104'729;
    EXPECT_TRUE(Close(result.p_value, Number(c["compare_p"]), large ? kScipyLargeFisher : 1e-9));
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

TEST(CompareRatesTest, ChoosesFisherWhenAnExpectedCountIsBelowFive) {
  EXPECT_EQ(CompareRates(30, 100, 12, 80).test, "two-proportion-z");  // smallest E = 18.7
  EXPECT_EQ(CompareRates(3, 10, 1, 10).test, "fisher-exact");         // E = 2
  EXPECT_EQ(CompareRates(2, 1000, 1, 1000).test, "fisher-exact");     // E = 1.5
  // Smallest expected count exactly 5 keeps the z-test: [[5, 5], [5, 5]].
  EXPECT_EQ(CompareRates(5, 10, 5, 10).test, "two-proportion-z");
  EXPECT_EQ(CompareRates(4.6, 10, 5, 10).test, "fisher-exact");  // E = 4.8
  EXPECT_EQ(CompareRates(0, 0, 5, 10).test, "fisher-exact");     // empty group
  EXPECT_EQ(CompareRates(0, 0, 5, 10).p_value, 1);
  EXPECT_EQ(CompareRates(1, 1e20, 3, 1e20).test, "two-proportion-z");  // beyond 2^53 rows
}

TEST(CompareRatesTest, FisherGetsRoundedCounts) {
  const TestResult weighted = CompareRates(2.6, 4.4, 0.8, 4.2);
  const TestResult rounded = FisherExactTest(3, 4, 1, 4);
  EXPECT_EQ(weighted.test, "fisher-exact");
  EXPECT_EQ(weighted.p_value, rounded.p_value);
  EXPECT_EQ(weighted.statistic, rounded.statistic);
}

TEST(ChiSquareIndependenceTest, MatchesScipy) {
  int checked = 0;
  for (const auto& c : StatsCases()["chi_square"]) {
    SCOPED_TRACE(c.dump());
    const auto table = c["table"].get<std::vector<std::vector<double>>>();
    const TestResult result = ChiSquareIndependence(table);
    EXPECT_EQ(result.test, "chi-square-independence");
    EXPECT_TRUE(Close(result.statistic, Number(c["statistic"])));
    EXPECT_TRUE(Close(result.p_value, Number(c["p"])));
    EXPECT_EQ(result.degrees_of_freedom, c["df"].get<double>());
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(ChiSquareIndependenceTest, HandComputed) {
  // Expected [[12, 18], [28, 42]]: X² = 4/12 + 4/18 + 4/28 + 4/42, df 1, p = erfc(√(X²/2)).
  const std::vector<std::vector<double>> table = {{10, 20}, {30, 40}};
  const double x2 = 4.0 / 12 + 4.0 / 18 + 4.0 / 28 + 4.0 / 42;
  const TestResult result = ChiSquareIndependence(table);
  EXPECT_TRUE(Close(result.statistic, x2, 1e-14));
  EXPECT_TRUE(Close(result.p_value, std::erfc(std::sqrt(x2 / 2)), 1e-12));
  EXPECT_EQ(result.degrees_of_freedom, 1);
}

TEST(ChiSquareIndependenceTest, AllZeroColumnAndRowAreDropped) {
  const std::vector<std::vector<double>> plain = {{10, 20}, {30, 40}};
  const std::vector<std::vector<double>> padded = {{10, 0, 20}, {0, 0, 0}, {30, 0, 40}};
  const TestResult expected = ChiSquareIndependence(plain);
  const TestResult result = ChiSquareIndependence(padded);
  EXPECT_EQ(result.statistic, expected.statistic);
  EXPECT_EQ(result.p_value, expected.p_value);
  EXPECT_EQ(result.degrees_of_freedom, 1);
}

TEST(ChiSquareIndependenceTest, TooLittleLeftGivesNoTest) {
  const std::vector<std::vector<double>> one_column = {{10, 0}, {20, 0}};
  const std::vector<std::vector<double>> one_row = {{10, 5}, {0, 0}};
  const std::vector<std::vector<double>> negative = {{10, -5}, {3, 4}};
  const std::vector<std::vector<double>> empty;
  for (const auto& table : {one_column, one_row, negative, empty}) {
    const TestResult result = ChiSquareIndependence(table);
    EXPECT_EQ(result.statistic, 0);
    EXPECT_EQ(result.p_value, 1);
    EXPECT_EQ(result.degrees_of_freedom, 0);
  }
}

TEST(ChiSquareIndependenceTest, CountsBeyondDoubleRangeGiveNoTest) {
  const std::vector<std::vector<double>> huge = {{1e308, 1e308}, {1e308, 1e307}};
  const TestResult result = ChiSquareIndependence(huge);
  EXPECT_EQ(result.statistic, 0);
  EXPECT_EQ(result.p_value, 1);
}

TEST(ChiSquareIndependenceTest, ShortRowsCountAsZeros) {
  const std::vector<std::vector<double>> ragged = {{10, 20, 5}, {30, 40}};
  const std::vector<std::vector<double>> full = {{10, 20, 5}, {30, 40, 0}};
  EXPECT_EQ(ChiSquareIndependence(ragged).statistic, ChiSquareIndependence(full).statistic);
}

std::vector<double> Adjusted(const std::vector<double>& p_values) {
  std::vector<TestResult> tests(p_values.size());
  std::vector<TestResult*> pointers;
  for (size_t i = 0; i < p_values.size(); ++i) {
    tests[i].p_value = p_values[i];
    pointers.push_back(&tests[i]);
  }
  HolmCorrection(pointers);
  std::vector<double> adjusted;
  for (const TestResult& test : tests) {
    EXPECT_EQ(test.correction, "holm");
    adjusted.push_back(test.p_adjusted.value_or(-1));
  }
  return adjusted;
}

TEST(HolmCorrectionTest, MatchesTextbookProcedure) {
  int checked = 0;
  for (const auto& c : StatsCases()["holm"]) {
    SCOPED_TRACE(c.dump());
    const std::vector<double> adjusted = Adjusted(c["p"].get<std::vector<double>>());
    const auto expected = c["adjusted"].get<std::vector<double>>();
    ASSERT_EQ(adjusted.size(), expected.size());
    for (size_t i = 0; i < adjusted.size(); ++i) EXPECT_TRUE(Close(adjusted[i], expected[i]));
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

TEST(HolmCorrectionTest, HandComputed) {
  // Sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1 = 0.02, 0.03, 0.06, 0.04 → monotone.
  const std::vector<double> adjusted = Adjusted({0.01, 0.04, 0.03, 0.005});
  EXPECT_DOUBLE_EQ(adjusted[0], 0.03);
  EXPECT_DOUBLE_EQ(adjusted[1], 0.06);
  EXPECT_DOUBLE_EQ(adjusted[2], 0.06);
  EXPECT_DOUBLE_EQ(adjusted[3], 0.02);
}

TEST(HolmCorrectionTest, CappedAtOneAndSkipsNull) {
  TestResult a;
  a.p_value = 0.6;
  TestResult b;
  b.p_value = 0.01;
  std::vector<TestResult*> tests = {&a, nullptr, &b};
  HolmCorrection(tests);
  EXPECT_EQ(a.p_adjusted, 0.6);  // m = 2: max(0.02, min(1, 0.6))
  EXPECT_EQ(b.p_adjusted, 0.02);
  std::vector<double> big = Adjusted({0.5, 0.7, 0.9});
  for (double p : big) EXPECT_EQ(p, 1.0);
  EXPECT_TRUE(Adjusted({}).empty());
}

TEST(CompareRatesTest, AwkwardInputsGiveProbabilities) {
  // The tests on 20,000 random awkward inputs: p in [0, 1], never NaN; Holm over them all.
  std::mt19937_64 engine(2027);
  std::vector<TestResult> results;
  for (int i = 0; i < 20000; ++i) {
    const double x1 = testing::AwkwardCount(engine), n1 = testing::AwkwardCount(engine);
    const double x2 = testing::AwkwardCount(engine), n2 = testing::AwkwardCount(engine);
    results.push_back(TwoProportionZTest(x1, n1, x2, n2));
    results.push_back(CompareRates(x1, n1, x2, n2));
    if (i % 10 == 0) {
      const std::vector<std::vector<double>> table = {{x1, n1}, {x2, n2}, {n1, x2}};
      results.push_back(ChiSquareIndependence(table));
    }
  }
  std::vector<TestResult*> pointers;
  for (TestResult& result : results) {
    ASSERT_FALSE(std::isnan(result.p_value)) << result.test;
    ASSERT_GE(result.p_value, 0) << result.test;
    ASSERT_LE(result.p_value, 1) << result.test;
    pointers.push_back(&result);
  }
  HolmCorrection(pointers);
  for (const TestResult& result : results) ASSERT_GE(*result.p_adjusted, result.p_value);
}

}  // namespace
}  // namespace probity::fairness
