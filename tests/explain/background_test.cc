#include "explain/background.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace probity::explain {
namespace {

using ::testing::HasSubstr;

// Columns "x" (numbers) and, when `cities` is given, "city" (codes into {"a", "b", "c"}).
InputFrame Data(const std::vector<double>& x, const std::vector<double>& cities = {}) {
  InputFrame frame;
  frame.names = {"x"};
  frame.is_string = {false};
  frame.dictionaries.emplace_back();
  if (!cities.empty()) {
    frame.names.push_back("city");
    frame.is_string.push_back(true);
    frame.dictionaries.push_back({"a", "b", "c"});
  }
  frame.rows = static_cast<int64_t>(x.size());
  for (size_t r = 0; r < x.size(); ++r) {
    frame.values.push_back(x[r]);
    if (!cities.empty()) frame.values.push_back(cities[r]);
  }
  return frame;
}

// (centre row, weight) pairs sorted by the first column.
std::vector<std::pair<std::vector<double>, double>> Centres(const Background& b) {
  std::vector<std::pair<std::vector<double>, double>> out;
  for (int64_t r = 0; r < b.frame.rows; ++r) {
    out.push_back({std::vector<double>(b.frame.row(r), b.frame.row(r) + b.frame.width()),
                   b.weights[static_cast<size_t>(r)]});
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SummarizeBackgroundTest, KeepsAllRowsEquallyWeightedByDefault) {
  auto b = SummarizeBackground(Data({1, 2, 3, 4}), {});
  ASSERT_TRUE(b.has_value()) << b.error().ToString();
  EXPECT_EQ(b->frame.rows, 4);
  EXPECT_EQ(b->weights, std::vector<double>(4, 0.25));
  EXPECT_EQ(b->summary, "all 4 rows");
}

TEST(SummarizeBackgroundTest, KMeansFindsTheTwoClustersAndSnapsCentresToData) {
  // Means 0.1 and 10.175: snapped to the nearest values present, 0.1 and 10.2.
  const InputFrame data = Data({0, 10, 0.1, 10.1, 0.2, 10.2, 10.4});
  for (uint64_t seed : {0, 1, 2, 3}) {
    auto b = SummarizeBackground(data, {.clusters = 2, .seed = seed});
    ASSERT_TRUE(b.has_value()) << b.error().ToString();
    const auto centres = Centres(*b);
    ASSERT_EQ(centres.size(), 2u) << seed;
    EXPECT_EQ(centres[0].first[0], 0.1);
    EXPECT_NEAR(centres[0].second, 3.0 / 7, 1e-15);
    EXPECT_EQ(centres[1].first[0], 10.2);
    EXPECT_NEAR(centres[1].second, 4.0 / 7, 1e-15);
    EXPECT_THAT(b->summary,
                HasSubstr("weighted k-means: 2 centres of 7 rows (seed " + std::to_string(seed)));
  }
}

TEST(SummarizeBackgroundTest, StringColumnsTakeTheClusterMode) {
  // Two groups on x; within each, city is mostly "b" (code 1) or "c" (code 2). City
  // mismatches (distance 1) cannot outweigh x's gap of many standard deviations.
  const InputFrame data = Data({0, 0, 0.1, 0.2, 50, 50, 50.1}, {1, 1, 0, 1, 2, 2, 0});
  auto b = SummarizeBackground(data, {.clusters = 2, .seed = 5});
  ASSERT_TRUE(b.has_value()) << b.error().ToString();
  const auto centres = Centres(*b);
  ASSERT_EQ(centres.size(), 2u);
  EXPECT_EQ(centres[0].first[1], 1);    // "b"
  EXPECT_EQ(centres[1].first[1], 2);    // "c"
  EXPECT_EQ(centres[0].first[0], 0.1);  // mean 0.075, nearest present value
  EXPECT_EQ(centres[1].first[0], 50);   // mean 50.033…
  EXPECT_EQ(b->frame.dictionaries, data.dictionaries);
}

TEST(SummarizeBackgroundTest, DeterministicForASeed) {
  std::vector<double> x;
  for (int i = 0; i < 500; ++i) x.push_back(std::fmod(i * 0.618033988749895, 1.0) * 100);
  const InputFrame data = Data(x);
  auto first = SummarizeBackground(data, {.clusters = 12, .seed = 9});
  auto second = SummarizeBackground(data, {.clusters = 12, .seed = 9});
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(first->frame.values, second->frame.values);
  EXPECT_EQ(first->weights, second->weights);
  double total = 0;
  for (double w : first->weights) total += w;
  EXPECT_NEAR(total, 1, 1e-12);
  const std::set<double> present(x.begin(), x.end());
  for (double v : first->frame.values) EXPECT_TRUE(present.count(v)) << v;
}

TEST(SummarizeBackgroundTest, FewerDistinctRowsThanCentres) {
  auto b = SummarizeBackground(Data({1, 2, 1, 2, 1, 1}), {.clusters = 4});
  ASSERT_TRUE(b.has_value()) << b.error().ToString();
  const auto centres = Centres(*b);
  ASSERT_EQ(centres.size(), 2u);
  EXPECT_NEAR(centres[0].second, 4.0 / 6, 1e-15);
  EXPECT_NEAR(centres[1].second, 2.0 / 6, 1e-15);
}

TEST(SummarizeBackgroundTest, UniformSampleIsSeededAndInDataOrder) {
  std::vector<double> x;
  for (int i = 0; i < 10; ++i) x.push_back(i);
  auto b = SummarizeBackground(Data(x), {.sample_rows = 3, .seed = 4});
  auto again = SummarizeBackground(Data(x), {.sample_rows = 3, .seed = 4});
  ASSERT_TRUE(b.has_value() && again.has_value());
  ASSERT_EQ(b->frame.rows, 3);
  EXPECT_EQ(b->frame.values, again->frame.values);
  EXPECT_TRUE(std::is_sorted(b->frame.values.begin(), b->frame.values.end()));
  EXPECT_LT(b->frame.values[0], b->frame.values[1]);  // distinct rows
  EXPECT_LT(b->frame.values[1], b->frame.values[2]);
  EXPECT_EQ(b->weights, std::vector<double>(3, 1.0 / 3));
  EXPECT_EQ(b->summary, "uniform sample: 3 of 10 rows (seed 4)");
}

TEST(SummarizeBackgroundTest, MoreCentresThanRowsKeepsAllRows) {
  auto b = SummarizeBackground(Data({1, 2}), {.clusters = 5});
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->frame.rows, 2);
  EXPECT_EQ(b->summary, "all 2 rows (5 centres requested)");
}

TEST(SummarizeBackgroundTest, RejectsAnEmptyFrameAndNegativeCounts) {
  auto empty = SummarizeBackground(Data({}), {.clusters = 3});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.error().message(), HasSubstr("no rows"));
  auto negative = SummarizeBackground(Data({1}), {.clusters = -1});
  ASSERT_FALSE(negative.has_value());
  EXPECT_EQ(negative.error().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace probity::explain
