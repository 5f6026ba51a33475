// Rate, difference and ratio intervals: against scipy.stats on the generated cases of
// tests/data/fairness/stats_cases.json, against the published examples of Newcombe (1998),
// and at every edge (n = 0, x = 0, x = n, zero cells, invalid input).
#include "fairness/intervals.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "tests/fairness/stats_cases.h"

namespace probity::fairness {
namespace {

using testing::Close;
using testing::Number;
using testing::StatsCases;

// Clopper–Pearson references come from scipy's brentq root search (xtol = 2e-12), so they
// carry an absolute error besides the 1e-9 relative tolerance: up to 9.2e-12 was seen (a
// relative 5.7e-2 on the lower bound 8e-12 of 3/10¹²), hence 2e-11.
constexpr double kBrentqAbsolute = 2e-11;

using RateInterval = std::optional<Interval> (*)(double, double, double);

void ExpectRateCases(RateInterval interval, const char* key, const char* method, double absolute) {
  int checked = 0;
  for (const auto& c : StatsCases()["rates"]) {
    const double x = c["x"].get<double>();
    const double n = c["n"].get<double>();
    const double confidence = c["confidence"].get<double>();
    SCOPED_TRACE(std::string(key) + " x=" + std::to_string(c["x"].get<int64_t>()) +
                 " n=" + std::to_string(c["n"].get<int64_t>()) +
                 " confidence=" + std::to_string(confidence));
    const std::optional<Interval> result = interval(x, n, confidence);
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(Close(result->lower, Number(c[key][0]), 1e-9, absolute));
    EXPECT_TRUE(Close(result->upper, Number(c[key][1]), 1e-9, absolute));
    EXPECT_EQ(result->method, method);
    EXPECT_EQ(result->confidence, confidence);
    ++checked;
  }
  EXPECT_GE(checked, 50);
}

TEST(NormalQuantileForConfidenceTest, KnownQuantiles) {
  EXPECT_TRUE(Close(NormalQuantileForConfidence(0.95), 1.959963984540054, 1e-15));
  EXPECT_TRUE(Close(NormalQuantileForConfidence(0.9), 1.6448536269514722, 1e-15));
  EXPECT_TRUE(Close(NormalQuantileForConfidence(0.99), 2.5758293035489004, 1e-15));
  EXPECT_TRUE(std::isnan(NormalQuantileForConfidence(0)));
  EXPECT_TRUE(std::isnan(NormalQuantileForConfidence(1)));
  EXPECT_TRUE(std::isnan(NormalQuantileForConfidence(NAN)));
}

TEST(WilsonIntervalTest, MatchesScipy) { ExpectRateCases(&WilsonInterval, "wilson", "wilson", 0); }

TEST(WilsonIntervalTest, PublishedExamples) {
  // Newcombe (1998a), Table I, method 3 (Wilson score), 95%.
  struct Case {
    double x, n, lower, upper;
  };
  for (const Case& c : {Case{81, 263, 0.2553, 0.3662}, Case{15, 148, 0.0624, 0.1605},
                        Case{0, 20, 0.0, 0.1611}, Case{1, 29, 0.0061, 0.1718}}) {
    const std::optional<Interval> result = WilsonInterval(c.x, c.n, 0.95);
    ASSERT_TRUE(result.has_value());
    EXPECT_NEAR(result->lower, c.lower, 5e-5) << c.x << "/" << c.n;
    EXPECT_NEAR(result->upper, c.upper, 5e-5) << c.x << "/" << c.n;
  }
}

TEST(WilsonIntervalTest, EdgesAreExact) {
  EXPECT_EQ(WilsonInterval(0, 7, 0.95)->lower, 0.0);
  EXPECT_EQ(WilsonInterval(7, 7, 0.95)->upper, 1.0);
  EXPECT_GT(WilsonInterval(0, 7, 0.95)->upper, 0.0);
  EXPECT_LT(WilsonInterval(7, 7, 0.95)->lower, 1.0);
}

TEST(WilsonIntervalTest, AcceptsWeights) {
  const std::optional<Interval> weighted = WilsonInterval(2.5, 10.25, 0.95);
  ASSERT_TRUE(weighted.has_value());
  EXPECT_LT(weighted->lower, 2.5 / 10.25);
  EXPECT_GT(weighted->upper, 2.5 / 10.25);
}

TEST(WilsonIntervalTest, EmptyOrInvalidIsUndefined) {
  EXPECT_FALSE(WilsonInterval(0, 0, 0.95).has_value());
  EXPECT_FALSE(WilsonInterval(-1, 5, 0.95).has_value());
  EXPECT_FALSE(WilsonInterval(6, 5, 0.95).has_value());
  EXPECT_FALSE(WilsonInterval(1, -5, 0.95).has_value());
  EXPECT_FALSE(WilsonInterval(NAN, 5, 0.95).has_value());
  EXPECT_FALSE(WilsonInterval(1, INFINITY, 0.95).has_value());
  EXPECT_FALSE(WilsonInterval(1, 5, 0).has_value());
  EXPECT_FALSE(WilsonInterval(1, 5, 1).has_value());
  EXPECT_FALSE(WilsonInterval(1, 5, 95).has_value());
}

TEST(WilsonIntervalTest, ExtremeCountsStayInsideZeroOne) {
  // Every rate interval, on counts far beyond any data set and on tiny weights: a bound
  // that cannot be evaluated gives no interval, never NaN.
  int defined = 0;
  for (RateInterval interval : {&WilsonInterval, &ClopperPearsonInterval, &JeffreysInterval}) {
    for (auto [x, n] : {std::pair{3e14, 1e15}, std::pair{1.0, 1e300}, std::pair{1e-300, 1e-300},
                        std::pair{0.5, 1.0}, std::pair{1e200, 3e200}}) {
      const std::optional<Interval> result = interval(x, n, 0.99);
      if (!result) continue;
      ++defined;
      const double rate = x / n;
      SCOPED_TRACE(result->method + " " + std::to_string(x) + "/" + std::to_string(n));
      EXPECT_GE(result->lower, 0);
      EXPECT_LE(result->lower, rate * (1 + 1e-12));
      EXPECT_GE(result->upper, rate * (1 - 1e-12));
      EXPECT_LE(result->upper, 1);
    }
  }
  EXPECT_EQ(defined, 11);  // Clopper–Pearson and Jeffreys stop at n = 2^53
  EXPECT_TRUE(WilsonInterval(1, 1e300, 0.99).has_value());
  EXPECT_TRUE(ClopperPearsonInterval(1, 0x1p53, 0.99).has_value());
  EXPECT_FALSE(ClopperPearsonInterval(1, 0x1p53 + 2, 0.99).has_value());
  EXPECT_FALSE(JeffreysInterval(1, 1e300, 0.99).has_value());
}

TEST(ClopperPearsonIntervalTest, MatchesScipy) {
  ExpectRateCases(&ClopperPearsonInterval, "clopper_pearson", "clopper-pearson", kBrentqAbsolute);
}

TEST(ClopperPearsonIntervalTest, ClosedFormsAtTheEdges) {
  // x = 0: upper = 1 − (α/2)^(1/n); x = n: lower = (α/2)^(1/n).
  for (double n : {1.0, 2.0, 10.0, 1000.0}) {
    const std::optional<Interval> none = ClopperPearsonInterval(0, n, 0.95);
    const std::optional<Interval> all = ClopperPearsonInterval(n, n, 0.95);
    ASSERT_TRUE(none && all);
    EXPECT_EQ(none->lower, 0.0);
    EXPECT_TRUE(Close(none->upper, 1 - std::pow(0.025, 1 / n), 1e-12));
    EXPECT_TRUE(Close(all->lower, std::pow(0.025, 1 / n), 1e-12));
    EXPECT_EQ(all->upper, 1.0);
  }
  EXPECT_FALSE(ClopperPearsonInterval(0, 0, 0.95).has_value());
  EXPECT_FALSE(ClopperPearsonInterval(3, 2, 0.95).has_value());
}

TEST(JeffreysIntervalTest, MatchesScipy) {
  ExpectRateCases(&JeffreysInterval, "jeffreys", "jeffreys", 0);
}

TEST(JeffreysIntervalTest, EdgeConvention) {
  const std::optional<Interval> none = JeffreysInterval(0, 10, 0.95);
  const std::optional<Interval> all = JeffreysInterval(10, 10, 0.95);
  ASSERT_TRUE(none && all);
  EXPECT_EQ(none->lower, 0.0);
  EXPECT_GT(none->upper, 0.0);
  EXPECT_EQ(all->upper, 1.0);
  EXPECT_LT(all->lower, 1.0);
  // For n = 1, x = 0 the upper bound is the 0.975 quantile of Beta(½, 3/2), whose cdf is
  // (2/π)(asin √p + √(p(1 − p))) (substitute p = sin²θ): checked through that cdf.
  const double upper = JeffreysInterval(0, 1, 0.95)->upper;
  const double cdf =
      (2 / std::numbers::pi) * (std::asin(std::sqrt(upper)) + std::sqrt(upper * (1 - upper)));
  EXPECT_NEAR(cdf, 0.975, 1e-12);
  EXPECT_FALSE(JeffreysInterval(0, 0, 0.95).has_value());
}

TEST(NewcombeDifferenceIntervalTest, MatchesScipy) {
  int checked = 0;
  for (const auto& c : StatsCases()["pairs"]) {
    SCOPED_TRACE(c.dump());
    const std::optional<Interval> result = NewcombeDifferenceInterval(
        c["x1"].get<double>(), c["n1"].get<double>(), c["x2"].get<double>(), c["n2"].get<double>(),
        c["confidence"].get<double>());
    ASSERT_TRUE(result.has_value());
    // The bounds are differences of numbers in [0, 1]; near 0 only an absolute error makes
    // sense (the relative one of the Wilson bounds times their size).
    EXPECT_TRUE(Close(result->lower, Number(c["newcombe"][0]), 1e-9, 1e-15));
    EXPECT_TRUE(Close(result->upper, Number(c["newcombe"][1]), 1e-9, 1e-15));
    EXPECT_EQ(result->method, "newcombe");
    ++checked;
  }
  EXPECT_GE(checked, 40);
}

TEST(NewcombeDifferenceIntervalTest, PublishedExamples) {
  // Newcombe (1998b), Table II, method 10, 95%: examples (a)–(h).
  struct Case {
    double x1, n1, x2, n2, lower, upper;
  };
  for (const Case& c : {Case{56, 70, 48, 80, 0.0524, 0.3339}, Case{9, 10, 3, 10, 0.1705, 0.8090},
                        Case{6, 7, 2, 7, 0.0582, 0.8062}, Case{5, 56, 0, 29, -0.0381, 0.1926},
                        Case{0, 10, 0, 20, -0.1611, 0.2775}, Case{0, 10, 0, 10, -0.2775, 0.2775},
                        Case{10, 10, 0, 20, 0.6791, 1.0}, Case{10, 10, 0, 10, 0.6075, 1.0}}) {
    const std::optional<Interval> result = NewcombeDifferenceInterval(c.x1, c.n1, c.x2, c.n2, 0.95);
    ASSERT_TRUE(result.has_value());
    EXPECT_NEAR(result->lower, c.lower, 5e-5)
        << c.x1 << "/" << c.n1 << " − " << c.x2 << "/" << c.n2;
    EXPECT_NEAR(result->upper, c.upper, 5e-5)
        << c.x1 << "/" << c.n1 << " − " << c.x2 << "/" << c.n2;
  }
}

TEST(NewcombeDifferenceIntervalTest, EmptyGroupIsUndefined) {
  EXPECT_FALSE(NewcombeDifferenceInterval(0, 0, 3, 10, 0.95).has_value());
  EXPECT_FALSE(NewcombeDifferenceInterval(3, 10, 0, 0, 0.95).has_value());
  EXPECT_FALSE(NewcombeDifferenceInterval(11, 10, 3, 10, 0.95).has_value());
}

TEST(KatzRatioIntervalTest, MatchesScipy) {
  int checked = 0;
  for (const auto& c : StatsCases()["pairs"]) {
    SCOPED_TRACE(c.dump());
    const double x1 = c["x1"].get<double>();
    const double x2 = c["x2"].get<double>();
    const std::optional<Interval> result = KatzRatioInterval(
        x1, c["n1"].get<double>(), x2, c["n2"].get<double>(), c["confidence"].get<double>());
    if (c["katz"].is_null()) {
      EXPECT_FALSE(result.has_value());
      continue;
    }
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(Close(result->lower, Number(c["katz"][0])));
    EXPECT_TRUE(Close(result->upper, Number(c["katz"][1])));
    EXPECT_EQ(result->method, "katz-log");
    EXPECT_EQ(result->note.empty(), x1 != 0 && x2 != 0);
    ++checked;
  }
  EXPECT_GE(checked, 35);
}

TEST(KatzRatioIntervalTest, HandComputed) {
  // 12/40 over 30/50: ratio 0.5, variance 1/12 − 1/40 + 1/30 − 1/50 = 0.0716667.
  const std::optional<Interval> result = KatzRatioInterval(12, 40, 30, 50, 0.95);
  ASSERT_TRUE(result.has_value());
  EXPECT_NEAR(result->lower, 0.295868, 1e-6);
  EXPECT_NEAR(result->upper, 0.844971, 1e-6);
  EXPECT_TRUE(result->note.empty());
}

TEST(KatzRatioIntervalTest, ZeroCellRule) {
  // 0/10 over 5/20 becomes 0.5/10.5 over 5.5/20.5.
  const std::optional<Interval> result = KatzRatioInterval(0, 10, 5, 20, 0.95);
  ASSERT_TRUE(result.has_value());
  const double log_ratio = std::log((0.5 / 10.5) / (5.5 / 20.5));
  const double se = std::sqrt(1 / 0.5 - 1 / 10.5 + 1 / 5.5 - 1 / 20.5);
  EXPECT_TRUE(Close(result->lower, std::exp(log_ratio - 1.959963984540054 * se), 1e-12));
  EXPECT_TRUE(Close(result->upper, std::exp(log_ratio + 1.959963984540054 * se), 1e-12));
  EXPECT_EQ(result->note, "zero cell: 0.5 added to x1, x2, n1 and n2");
  // A zero in the reference group gives a finite interval too.
  const std::optional<Interval> other = KatzRatioInterval(5, 20, 0, 10, 0.95);
  ASSERT_TRUE(other.has_value());
  EXPECT_TRUE(std::isfinite(other->upper));
  EXPECT_FALSE(other->note.empty());
}

TEST(KatzRatioIntervalTest, BothZeroOrEmptyIsUndefined) {
  EXPECT_FALSE(KatzRatioInterval(0, 10, 0, 20, 0.95).has_value());
  EXPECT_FALSE(KatzRatioInterval(1, 0, 2, 20, 0.95).has_value());
  EXPECT_FALSE(KatzRatioInterval(1, 10, 2, 0, 0.95).has_value());
  EXPECT_FALSE(KatzRatioInterval(0, 0, 0, 0, 0.95).has_value());
}

TEST(KatzRatioIntervalTest, AllSuccessesGiveAPoint) {
  // x = n in both groups: variance 0, the interval is the ratio itself.
  const std::optional<Interval> result = KatzRatioInterval(10, 10, 20, 20, 0.95);
  ASSERT_TRUE(result.has_value());
  EXPECT_DOUBLE_EQ(result->lower, 1.0);
  EXPECT_DOUBLE_EQ(result->upper, 1.0);
}

TEST(KatzRatioIntervalTest, AwkwardInputsGiveBoundsOrNothing) {
  // Every interval function on 20,000 random awkward inputs: nothing or finite-or-infinite
  // ordered bounds, never NaN.
  std::mt19937_64 engine(2026);
  int defined = 0;
  for (int i = 0; i < 20000; ++i) {
    const double x1 = testing::AwkwardCount(engine), n1 = testing::AwkwardCount(engine);
    const double x2 = testing::AwkwardCount(engine), n2 = testing::AwkwardCount(engine);
    const double confidence = i % 7 == 0 ? testing::AwkwardCount(engine) : 0.95;
    for (const std::optional<Interval>& result :
         {WilsonInterval(x1, n1, confidence), ClopperPearsonInterval(x1, n1, confidence),
          JeffreysInterval(x1, n1, confidence),
          NewcombeDifferenceInterval(x1, n1, x2, n2, confidence),
          KatzRatioInterval(x1, n1, x2, n2, confidence)}) {
      if (!result) continue;
      ++defined;
      ASSERT_FALSE(std::isnan(result->lower) || std::isnan(result->upper))
          << result->method << " " << x1 << "/" << n1 << " " << x2 << "/" << n2;
      ASSERT_LE(result->lower, result->upper) << result->method << " " << x1 << "/" << n1;
    }
  }
  EXPECT_GT(defined, 1000);
}

}  // namespace
}  // namespace probity::fairness
