// Tests of fairness/score_sketch.h: exactness while small, order-independent coarsening and
// merging, the median and threshold counts, and the score metrics against independent
// references (scikit-learn, scipy and numpy values in tests/data/fairness/score_cases.json,
// made by tests/fairness/make_score_fixtures.py; see tests/data/fairness/SOURCES.md).
#include "fairness/score_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <utility>
#include <vector>

#include "fairness/internal/kolmogorov.h"
#include "tests/testing/test_data.h"

namespace probity::fairness {
namespace {

using Entry = ScoreSketch::Entry;

const nlohmann::json& Cases() {
  static const nlohmann::json cases = [] {
    std::ifstream in(testing::TestDataPath("fairness/score_cases.json"));
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str());
  }();
  return cases;
}

// The sketch's entries as (value → (weight, rows)).
std::map<double, std::pair<double, int64_t>> AsMap(const ScoreSketch& s) {
  std::map<double, std::pair<double, int64_t>> out;
  for (const Entry& e : s.entries()) out[e.value] = {e.weight, e.rows};
  return out;
}

void ExpectSameEntries(const ScoreSketch& a, const ScoreSketch& b) {
  ASSERT_EQ(a.precision_bits(), b.precision_bits());
  ASSERT_EQ(a.entries().size(), b.entries().size());
  for (size_t i = 0; i < a.entries().size(); ++i) {
    EXPECT_EQ(a.entries()[i].value, b.entries()[i].value) << "entry " << i;
    EXPECT_EQ(a.entries()[i].weight, b.entries()[i].weight) << "entry " << i;
    EXPECT_EQ(a.entries()[i].rows, b.entries()[i].rows) << "entry " << i;
  }
}

// Relative closeness for reference values (absolute near zero).
void ExpectClose(double actual, double expected, double tolerance, const std::string& what) {
  EXPECT_LE(std::abs(actual - expected), tolerance * std::max(1.0, std::abs(expected)))
      << what << ": " << actual << " vs " << expected;
}

// ---- The sketch itself ------------------------------------------------------------------

TEST(ScoreSketchTest, ExactWhileUnderMaxEntries) {
  ScoreSketch sketch(/*max_entries=*/100);
  std::map<double, std::pair<double, int64_t>> oracle;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> pick(0, 99);
  for (int i = 0; i < 5000; ++i) {
    const double value = pick(rng) / 97.0;  // 100 distinct values, not dyadic
    const double weight = 0.25 * (1 + i % 5);
    sketch.Add(value, weight);
    oracle[value].first += weight;
    oracle[value].second += 1;
  }
  EXPECT_TRUE(sketch.exact());
  EXPECT_EQ(sketch.precision_bits(), ScoreSketch::kFullPrecisionBits);
  EXPECT_EQ(AsMap(sketch), oracle);
  EXPECT_EQ(sketch.rows(), 5000);
}

TEST(ScoreSketchTest, CoarsensPastMaxEntriesByTruncatingBits) {
  ScoreSketch sketch(/*max_entries=*/32);
  std::vector<double> values;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (int i = 0; i < 3000; ++i) {
    values.push_back(uniform(rng));
    sketch.Add(values.back(), 0.5);
  }
  const int bits = sketch.precision_bits();
  EXPECT_FALSE(sketch.exact());
  EXPECT_LT(bits, ScoreSketch::kFullPrecisionBits);
  EXPECT_LE(sketch.entries().size(), 32u);
  // The oracle: every value truncated to `bits` significant bits, then grouped. One more
  // bit would not fit.
  std::map<double, std::pair<double, int64_t>> oracle, finer;
  for (double v : values) {
    int exponent = 0;
    const double mantissa = std::frexp(v, &exponent);
    const double truncated = std::ldexp(std::trunc(std::ldexp(mantissa, bits)), exponent - bits);
    oracle[truncated].first += 0.5;
    oracle[truncated].second += 1;
    finer[std::ldexp(std::trunc(std::ldexp(mantissa, bits + 1)), exponent - bits - 1)];
  }
  EXPECT_EQ(AsMap(sketch), oracle);
  EXPECT_GT(finer.size(), 32u);
  EXPECT_EQ(sketch.total_weight(), 1500);
}

TEST(ScoreSketchTest, RoundToBitsComposesAndKeepsSign) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> uniform(-1e6, 1e6);
  for (int i = 0; i < 2000; ++i) {
    const double v = uniform(rng);
    for (int b = 52; b >= 2; b -= 5) {
      const double once = ScoreSketch::RoundToBits(v, b - 1);
      EXPECT_EQ(ScoreSketch::RoundToBits(ScoreSketch::RoundToBits(v, b), b - 1), once);
      EXPECT_LE(std::abs(once), std::abs(v));
      EXPECT_EQ(std::signbit(once), std::signbit(v));
    }
  }
  EXPECT_EQ(ScoreSketch::RoundToBits(1.75, 2), 1.5);  // 1.11b → 1.1b (toward zero)
  EXPECT_EQ(ScoreSketch::RoundToBits(-1.75, 2), -1.5);
  EXPECT_EQ(ScoreSketch::RoundToBits(0.3, 53), 0.3);
  EXPECT_FALSE(std::signbit(ScoreSketch::RoundToBits(-0.0, 53)));
  const double max = std::numeric_limits<double>::max();
  EXPECT_TRUE(std::isfinite(ScoreSketch::RoundToBits(max, 10)));
}

TEST(ScoreSketchTest, NegativeAndPositiveZeroAreOneEntry) {
  ScoreSketch sketch;
  sketch.Add(-0.0, 1);
  sketch.Add(0.0, 2);
  ASSERT_EQ(sketch.entries().size(), 1u);
  EXPECT_FALSE(std::signbit(sketch.entries()[0].value));
  EXPECT_EQ(sketch.entries()[0].weight, 3);
}

// Ten shards of different sizes (some coarsen, some stay exact), merged in three orders:
// the entries must be identical (dyadic weights, so the weight sums are exact).
TEST(ScoreSketchTest, MergeOrderDoesNotChangeEntries) {
  constexpr size_t kMax = 64;
  std::vector<ScoreSketch> shards;
  std::mt19937_64 rng(2026);
  std::lognormal_distribution<double> scores(0.0, 2.0);
  std::uniform_int_distribution<int> quarter(1, 8);
  for (int s = 0; s < 10; ++s) {
    ScoreSketch shard(kMax);
    const int n = s % 3 == 0 ? 40 : 200 * (s + 1);
    for (int i = 0; i < n; ++i) shard.Add(scores(rng), quarter(rng) / 4.0);
    shards.push_back(std::move(shard));
  }
  int exact_shards = 0;
  for (const ScoreSketch& s : shards) exact_shards += s.exact();
  ASSERT_GT(exact_shards, 0);
  ASSERT_LT(exact_shards, 10);

  ScoreSketch forward(kMax);
  for (const ScoreSketch& s : shards) forward.Merge(s);
  ScoreSketch backward(kMax);
  for (auto it = shards.rbegin(); it != shards.rend(); ++it) backward.Merge(*it);
  // A tree: pairs first, then the pairs' merges in a shuffled order.
  std::vector<ScoreSketch> pairs;
  for (size_t i = 0; i < shards.size(); i += 2) {
    ScoreSketch pair = shards[i + 1];
    pair.Merge(shards[i]);
    pairs.push_back(std::move(pair));
  }
  std::shuffle(pairs.begin(), pairs.end(), rng);
  ScoreSketch tree = pairs[0];
  for (size_t i = 1; i < pairs.size(); ++i) tree.Merge(pairs[i]);

  EXPECT_FALSE(forward.exact());
  ExpectSameEntries(forward, backward);
  ExpectSameEntries(forward, tree);
  int64_t rows = 0;
  for (const ScoreSketch& s : shards) rows += s.rows();
  EXPECT_EQ(forward.rows(), rows);
}

// Adding every value to one sketch gives the same entries as merging shards.
TEST(ScoreSketchTest, AddingAllEqualsMergingShards) {
  constexpr size_t kMax = 48;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> scores(0.5, 0.2);
  ScoreSketch all(kMax), merged(kMax);
  for (int s = 0; s < 4; ++s) {
    ScoreSketch shard(kMax);
    for (int i = 0; i < 500 * (s + 1); ++i) {
      const double v = scores(rng);
      shard.Add(v, 1);
      all.Add(v, 1);
    }
    merged.Merge(shard);
  }
  ExpectSameEntries(all, merged);
}

TEST(ScoreSketchTest, FromEntriesSortsAndCombines) {
  ScoreSketch s = ScoreSketch::FromEntries({{0.5, 1, 1}, {0.25, 2, 3}, {0.5, 1, 2}}, 53);
  ASSERT_EQ(s.entries().size(), 2u);
  EXPECT_EQ(s.entries()[0].value, 0.25);
  EXPECT_EQ(s.entries()[1].weight, 2);
  EXPECT_EQ(s.entries()[1].rows, 3);
}

TEST(ScoreSketchTest, MedianMatchesNumpy) {
  for (const auto& c : Cases()["median"]) {
    ScoreSketch s;
    for (double v : c["values"]) s.Add(v, 1.0);
    const MetricValue m = s.Median();
    ASSERT_TRUE(m.defined());
    EXPECT_EQ(*m.value, c["median"].get<double>()) << c["values"].dump();
  }
}

TEST(ScoreSketchTest, MedianIsOverRowsNotWeights) {
  ScoreSketch s;
  s.Add(1, 100);  // a heavy row does not move the median
  s.Add(2, 1);
  s.Add(3, 1);
  EXPECT_EQ(*s.Median().value, 2);
  EXPECT_FALSE(ScoreSketch().Median().defined());
}

TEST(ScoreSketchTest, AboveCountsTiesAtTheThresholdAsNotAbove) {
  ScoreSketch s;
  for (double v : {0.2, 0.5, 0.5, 0.5, 0.7, 0.9}) s.Add(v, v == 0.5 ? 2.0 : 1.0);
  EXPECT_EQ(s.RowsAbove(0.5), 2);  // 0.7, 0.9: the three 0.5 rows are not above
  EXPECT_EQ(s.WeightAbove(0.5), 2.0);
  EXPECT_EQ(s.RowsAbove(0.4999999), 5);
  EXPECT_EQ(s.WeightAbove(0.4999999), 8.0);
  EXPECT_EQ(s.RowsAbove(0.9), 0);
  EXPECT_EQ(s.RowsAbove(-1), 6);
  // LL144: the share strictly above the sample's median (here 0.5, a tied value).
  EXPECT_EQ(*s.Median().value, 0.5);
  EXPECT_EQ(s.RowsAbove(*s.Median().value), 2);
}

// ---- Metrics against scikit-learn, scipy and numpy ---------------------------------------

// Positives and negatives sketches of a labelled case.
std::pair<ScoreSketch, ScoreSketch> Split(const nlohmann::json& c) {
  ScoreSketch positives, negatives;
  for (size_t i = 0; i < c["scores"].size(); ++i) {
    const double w = c.contains("weights") ? c["weights"][i].get<double>() : 1.0;
    (c["labels"][i].get<int>() == 1 ? positives : negatives).Add(c["scores"][i], w);
  }
  return {std::move(positives), std::move(negatives)};
}

TEST(AucTest, MatchesScikitLearnWithWeightsAndTies) {
  ASSERT_GE(Cases()["auc_brier"].size(), 10u);
  for (const auto& c : Cases()["auc_brier"]) {
    auto [positives, negatives] = Split(c);
    const MetricValue auc = AreaUnderCurve(positives, negatives);
    ASSERT_TRUE(auc.defined()) << c["name"];
    ExpectClose(*auc.value, c["auc"], 1e-13, c["name"]);
  }
}

TEST(AucTest, UndefinedWithoutBothLabels) {
  ScoreSketch positives, empty;
  positives.Add(0.3, 1);
  EXPECT_FALSE(AreaUnderCurve(positives, empty).defined());
  EXPECT_FALSE(AreaUnderCurve(empty, positives).defined());
}

TEST(BrierScoreTest, MatchesScikitLearnWeighted) {
  for (const auto& c : Cases()["auc_brier"]) {
    auto [positives, negatives] = Split(c);
    const MetricValue brier = BrierScore(positives, negatives);
    ASSERT_TRUE(brier.defined()) << c["name"];
    ExpectClose(*brier.value, c["brier"], 1e-13, c["name"]);
  }
  EXPECT_FALSE(BrierScore(ScoreSketch(), ScoreSketch()).defined());
}

TEST(CalibrationTableTest, MatchesNumpyExpectedCalibrationError) {
  ASSERT_GE(Cases()["ece"].size(), 5u);
  for (const auto& c : Cases()["ece"]) {
    auto [positives, negatives] = Split(c);
    const int bins = c["bins"];
    const Calibration table = CalibrationTable(positives, negatives, bins);
    ASSERT_EQ(table.bins.size(), static_cast<size_t>(bins));
    for (int b = 0; b < bins; ++b) {
      const auto& expected = c["bin_rows"][b];
      const ReliabilityBin& bin = table.bins[static_cast<size_t>(b)];
      EXPECT_EQ(bin.rows, expected["rows"].get<int64_t>()) << c["name"] << " bin " << b;
      EXPECT_EQ(bin.lower, static_cast<double>(b) / bins);
      if (expected["rows"] == 0) {
        EXPECT_FALSE(bin.mean_score.defined());
        continue;
      }
      ExpectClose(*bin.mean_score.value, expected["mean_score"], 1e-13, c["name"]);
      ExpectClose(*bin.positive_rate.value, expected["positive_rate"], 1e-13, c["name"]);
    }
    ASSERT_TRUE(table.expected_calibration_error.defined());
    ExpectClose(*table.expected_calibration_error.value, c["ece"], 1e-13, c["name"]);
  }
}

TEST(CalibrationTableTest, ScoresOnBinEdgesGoToTheLowerBin) {
  ScoreSketch positives, negatives;
  for (double s : {0.0, 0.1, 0.3, 1.0}) positives.Add(s, 1);
  const Calibration table = CalibrationTable(positives, negatives, 10);
  EXPECT_EQ(table.bins[0].rows, 2);  // 0 (the closed first bin) and 0.1
  EXPECT_EQ(table.bins[2].rows, 1);  // 0.3 is in (0.2, 0.3]
  EXPECT_EQ(table.bins[9].rows, 1);
  // Bin 0: both positive, mean score 0.05.
  ExpectClose(*table.maximum_calibration_error.value, 0.95, 1e-15, "maximum calibration error");
}

TEST(KolmogorovSmirnovTest, MatchesScipyKs2sampAsymp) {
  ASSERT_GE(Cases()["ks"].size(), 10u);
  for (const auto& c : Cases()["ks"]) {
    ScoreSketch first, second;
    for (double v : c["first"]) first.Add(v, 1);
    for (double v : c["second"]) second.Add(v, 1);
    const KsResult ks = KolmogorovSmirnov(first, second);
    ASSERT_TRUE(ks.statistic.defined());
    EXPECT_EQ(*ks.statistic.value, c["statistic"].get<double>()) << c["name"];
    ASSERT_TRUE(ks.p_value.defined()) << c["name"];
    ExpectClose(*ks.p_value.value, c["p_value"], 1e-12, c["name"]);
  }
}

TEST(KolmogorovSmirnovTest, SurvivalMatchesScipyKstwoInEveryRegion) {
  ASSERT_GE(Cases()["kstwo_sf"].size(), 200u);
  for (const auto& c : Cases()["kstwo_sf"]) {
    const int64_t n = c["n"];
    const double d = c["d"];
    const double expected = c["sf"];
    const double actual = internal::KolmogorovSurvival(n, d);
    // Relative agreement down to the smallest p-values; where the survival is 1 − CDF, both
    // lose the same few ulps of 1 to cancellation (different summation orders).
    EXPECT_LE(std::abs(actual - expected), 1e-12 * expected + 2e-15)
        << "n=" << n << " d=" << d << ": " << actual << " vs " << expected;
  }
}

TEST(KolmogorovSmirnovTest, OneRowEachSideHasNoPValue) {
  ScoreSketch a, b;
  a.Add(1, 1);
  b.Add(2, 1);
  const KsResult ks = KolmogorovSmirnov(a, b);
  EXPECT_EQ(*ks.statistic.value, 1.0);
  EXPECT_FALSE(ks.p_value.defined());
  EXPECT_FALSE(KolmogorovSmirnov(a, ScoreSketch()).statistic.defined());
}

}  // namespace
}  // namespace probity::fairness
