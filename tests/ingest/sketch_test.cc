// Sketches against exact oracles: quantiles from a sorted copy, distinct counts from a set,
// frequencies from a map.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "audit/core/hash.h"
#include "audit/ingest/hyper_log_log.h"
#include "audit/ingest/quantile_sketch.h"
#include "audit/ingest/top_k.h"

namespace probity::ingest {
namespace {

std::vector<double> Sample(int kind, size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0, 1);
  std::lognormal_distribution<double> lognormal(2, 3);
  std::uniform_real_distribution<double> uniform(-1e6, 1e6);
  std::vector<double> v(n);
  for (double& x : v) {
    switch (kind) {
      case 0: x = normal(rng); break;
      case 1: x = lognormal(rng); break;
      case 2: x = uniform(rng); break;
      default: x = (rng() % 5 == 0) ? 0.0 : -lognormal(rng); break;  // zeros and negatives
    }
  }
  return v;
}

TEST(QuantileSketchTest, ValuesAtRanksAreWithinTheRelativeErrorBound) {
  std::mt19937_64 rng(3);
  for (int kind = 0; kind < 4; ++kind) {
    for (double accuracy : {0.01, 0.001}) {
      std::vector<double> v = Sample(kind, 20001, rng);
      QuantileSketch sketch(accuracy);
      sketch.AddAll(v);
      std::sort(v.begin(), v.end());
      for (double q : {0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0}) {
        // n − 1 = 20000, so q·(n − 1) is an integer rank: no interpolation.
        double truth = v[static_cast<size_t>(q * 20000)];
        double estimate = sketch.Quantile(q);
        EXPECT_LE(std::abs(estimate - truth), accuracy * std::abs(truth) + 1e-300)
            << "kind " << kind << " q " << q << " accuracy " << accuracy;
      }
    }
  }
}

TEST(QuantileSketchTest, BoundHoldsAtExtremeMagnitudes) {
  for (double scale : {1e-290, 1e-200, 1e200, 1e290}) {
    std::vector<double> v;
    for (int i = 0; i < 1001; ++i) v.push_back(scale * std::pow(10.0, i / 100.0));  // 10 decades
    QuantileSketch sketch(0.001);
    sketch.AddAll(v);
    EXPECT_FALSE(sketch.collapsed());
    for (double q : {0.0, 0.1, 0.5, 0.9, 1.0}) {
      double truth = v[static_cast<size_t>(q * 1000)];
      EXPECT_LE(std::abs(sketch.Quantile(q) - truth), 0.001 * truth) << scale << " " << q;
    }
  }
}

TEST(QuantileSketchTest, MergeAndAddAllEqualAddingOneByOne) {
  std::mt19937_64 rng(5);
  std::vector<double> a = Sample(3, 5000, rng);
  std::vector<double> b = Sample(1, 7000, rng);
  QuantileSketch one(0.001);
  for (double x : a) one.Add(x);
  for (double x : b) one.Add(x);
  QuantileSketch left(0.001);
  left.AddAll(a);
  QuantileSketch right(0.001);
  right.AddAll(b);
  left.Merge(right);
  EXPECT_EQ(left.count(), one.count());
  for (double q = 0; q <= 1.0; q += 0.05) EXPECT_EQ(left.Quantile(q), one.Quantile(q)) << q;
}

TEST(QuantileSketchTest, InterpolatesLikePandas) {
  QuantileSketch sketch(0.0001);
  for (double x : {1.0, 2.0, 3.0, 4.0}) sketch.Add(x);
  // pandas: Series([1,2,3,4]).quantile(0.25) == 1.75
  EXPECT_NEAR(sketch.Quantile(0.25), 1.75, 1.75 * 1e-4);
}

TEST(QuantileSketchTest, CollapsesOnlyBeyondItsBucketBudget) {
  QuantileSketch sketch(0.01, 64);
  sketch.Add(1.0);
  sketch.Add(2.0);
  EXPECT_FALSE(sketch.collapsed());
  sketch.Add(1e30);
  EXPECT_TRUE(sketch.collapsed());
  EXPECT_NEAR(sketch.Quantile(1.0), 1e30, 1e28);
}

TEST(HyperLogLogTest, EstimatesWithinFourStandardErrors) {
  for (int64_t n : {70000, 500000, 2000000}) {
    HyperLogLog hll;
    for (int64_t i = 0; i < n; ++i) {
      hll.AddHash(Mix64(static_cast<uint64_t>(i)));
      hll.AddHash(Mix64(static_cast<uint64_t>(i)));  // duplicates do not count
    }
    double error = std::abs(hll.Estimate() - static_cast<double>(n)) / static_cast<double>(n);
    EXPECT_LT(error, 4 * HyperLogLog::RelativeStandardError()) << n;
  }
}

TEST(HyperLogLogTest, MergeIsAUnion) {
  HyperLogLog a, b, both;
  for (uint64_t i = 0; i < 100000; ++i) {
    (i % 2 == 0 ? a : b).AddHash(Mix64(i));
    both.AddHash(Mix64(i));
  }
  a.Merge(b);
  EXPECT_EQ(a.Estimate(), both.Estimate());
}

TEST(TopKTest, ExactBelowCapacityAndBoundedAbove) {
  std::mt19937_64 rng(9);
  std::map<std::string, int64_t> truth;
  TopK top(50);
  std::geometric_distribution<int> zipfish(0.1);
  for (int i = 0; i < 200000; ++i) {
    std::string item = std::string("v").append(std::to_string(zipfish(rng)));
    top.Add(item, 1);
    ++truth[item];
  }
  std::vector<std::pair<int64_t, std::string>> sorted;
  for (const auto& [item, count] : truth) sorted.emplace_back(count, item);
  std::sort(sorted.rbegin(), sorted.rend());
  std::vector<TopK::Entry> reported = top.Top(10);
  ASSERT_EQ(reported.size(), 10u);
  for (const TopK::Entry& e : reported) {
    int64_t t = truth[e.item];
    EXPECT_LE(e.count - e.error, t) << e.item;
    EXPECT_GE(e.count, t) << e.item;
  }
  // Space-Saving keeps every item more frequent than total/capacity.
  std::vector<TopK::Entry> kept = top.Top(50);
  for (const auto& [count, item] : sorted) {
    if (count <= 200000 / 50) break;
    bool found =
        std::any_of(kept.begin(), kept.end(), [&](const TopK::Entry& e) { return e.item == item; });
    EXPECT_TRUE(found) << item;
  }
  TopK small(10);
  small.Add("a", 3);
  small.Add("b", 5);
  small.Add("a", 4);
  std::vector<TopK::Entry> exact = small.Top(5);
  ASSERT_EQ(exact.size(), 2u);
  EXPECT_EQ(exact[0].item, "a");
  EXPECT_EQ(exact[0].count, 7);
  EXPECT_EQ(exact[0].error, 0);
}

}  // namespace
}  // namespace probity::ingest
