#include "fairness/individual.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/testing/test_data.h"

namespace probity::fairness {
namespace {

// tests/data/fairness/knn_cases.json, written by tests/fairness/make_knn_fixtures.py from
// scikit-learn 1.2.1 (AIF360's consistency formula, Clarify's FT code); see SOURCES.md there.
const nlohmann::json& KnnCases() {
  static const nlohmann::json cases = [] {
    std::ifstream in(testing::TestDataPath("fairness/knn_cases.json"));
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str());
  }();
  return cases;
}

FeatureMatrix Matrix(const nlohmann::json& c) {
  FeatureMatrix m;
  m.values = c.at("features").get<std::vector<double>>();
  m.rows = c.at("rows").get<int64_t>();
  m.cols = c.at("cols").get<int64_t>();
  return m;
}

std::vector<uint8_t> Flags(const nlohmann::json& values) {
  std::vector<uint8_t> out;
  for (int v : values.get<std::vector<int>>()) out.push_back(static_cast<uint8_t>(v));
  return out;
}

KnnOptions Options(const nlohmann::json& c, int threads) {
  KnnOptions options{.k = c.at("k").get<int>(), .threads = threads};
  if (c.contains("distance") && c["distance"] == "manhattan") {
    options.distance = Distance::kManhattan;
  }
  if (c.contains("scaling")) {
    if (c["scaling"] == "standardize") options.scaling = Scaling::kStandardize;
    if (c["scaling"] == "minmax") options.scaling = Scaling::kMinMax;
  }
  return options;
}

TEST(ConsistencyTest, MatchesAif360FormulaWithSklearnNeighbours) {
  ASSERT_EQ(KnnCases().at("consistency").size(), 7u);
  for (const nlohmann::json& c : KnnCases().at("consistency")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    for (int threads : {1, 2, 3}) {
      Result<MetricResult> r = Consistency(Matrix(c), Flags(c.at("outcomes")), Options(c, threads));
      ASSERT_TRUE(r.has_value()) << r.error().ToString();
      EXPECT_NEAR(*r->value.value, c.at("expected").get<double>(), 1e-12) << threads;
      EXPECT_EQ(r->name, "consistency");
      EXPECT_EQ(r->source, "aif360");
      EXPECT_EQ(r->ideal, 1);
    }
  }
}

TEST(ConsistencyTest, HandComputedWithTiesBrokenByLowerRowIndex) {
  // Points on a line: 0, 1, 2, 10, 11 with outcomes 1 1 0 0 1, k = 3 (self + 2).
  // Row 0: {0, 1, 2} mean 2/3 → |1 − 2/3| = 1/3. Row 1: {1, 0, 2} (distance 1 both: index
  // order) → 1/3. Row 2: {2, 1, 0} → |0 − 2/3| = 2/3. Row 3: {3, 4, 2} mean 1/3 → 1/3.
  // Row 4: {4, 3, 2} mean 1/3 → 2/3. Consistency = 1 − (7/3)/5 = 8/15.
  FeatureMatrix m{.values = {0, 1, 2, 10, 11}, .rows = 5, .cols = 1};
  Result<MetricResult> r = Consistency(m, {1, 1, 0, 0, 1}, {.k = 3});
  ASSERT_TRUE(r.has_value());
  EXPECT_NEAR(*r->value.value, 8.0 / 15, 1e-15);
}

TEST(ConsistencyTest, RejectsMalformedInput) {
  FeatureMatrix m{.values = {0, 1, 2}, .rows = 3, .cols = 1, .names = {"age"}};
  Result<MetricResult> few = Consistency(m, {1, 0, 1}, {.k = 5});
  ASSERT_FALSE(few.has_value());
  EXPECT_EQ(few.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(few.error().message(), "consistency with k = 5 on 3 rows");
  EXPECT_EQ(few.error().expected(), "at least k rows");

  Result<MetricResult> sizes = Consistency(m, {1, 0}, {.k = 1});
  ASSERT_FALSE(sizes.has_value());
  EXPECT_EQ(sizes.error().message(), "2 outcome for 3 rows");

  Result<MetricResult> binary = Consistency(m, {1, 0, 2}, {.k = 1});
  ASSERT_FALSE(binary.has_value());
  EXPECT_EQ(binary.error().message(), "row 2: outcome value 2");

  m.values[1] = std::nan("");
  Result<MetricResult> nan = Consistency(m, {1, 0, 1}, {.k = 1});
  ASSERT_FALSE(nan.has_value());
  EXPECT_EQ(nan.error().message(), "row 1, feature \"age\" is not a finite number");

  FeatureMatrix short_matrix{.values = {0, 1}, .rows = 3, .cols = 1};
  Result<MetricResult> shape = Consistency(short_matrix, {1, 0, 1}, {.k = 1});
  ASSERT_FALSE(shape.has_value());
  EXPECT_EQ(shape.error().code(), StatusCode::kInvalidArgument);
}

TEST(FlipTestTest, MatchesClarifyCodeWithSklearnClassifier) {
  ASSERT_EQ(KnnCases().at("flip_test").size(), 4u);
  for (const nlohmann::json& c : KnnCases().at("flip_test")) {
    SCOPED_TRACE(c.at("name").get<std::string>());
    for (int threads : {1, 2}) {
      KnnOptions options{.threads = threads};
      Result<MetricResult> r =
          FlipTest(Matrix(c), Flags(c.at("predictions")), Flags(c.at("in_d")), options);
      ASSERT_TRUE(r.has_value()) << r.error().ToString();
      EXPECT_NEAR(*r->value.value, c.at("expected").get<double>(), 1e-15);
      EXPECT_NE(r->description.find("F⁺ = " + std::to_string(c.at("f_plus").get<int>()) + " "),
                std::string::npos)
          << r->description;
      EXPECT_NE(r->description.find("F⁻ = " + std::to_string(c.at("f_minus").get<int>()) + " "),
                std::string::npos)
          << r->description;
    }
  }
}

// Clarify's code (posttraining.py, FT: FlipSet_pos keeps d rows whose model label is greater
// than the kNN label) counts "model 1, kNN 0" as F⁺, so a model that favours facet d over its
// facet-a neighbours gives a positive FT. Clarify's documentation defines F⁺ the other way
// round (d rows with an unfavourable outcome whose a-neighbours got a favourable one), which
// would make this case −1. Probity follows the code.
TEST(FlipTestTest, SignFollowsClarifyCodeNotItsDocumentation) {
  // Facet a: 3 rows near 0, predicted 0. Facet d: 2 rows near 0, predicted 1 (n_a ≤ 9: k = 1).
  FeatureMatrix m{.values = {0.0, 0.1, 0.2, 0.05, 0.15}, .rows = 5, .cols = 1};
  Result<MetricResult> favoured = FlipTest(m, {0, 0, 0, 1, 1}, {0, 0, 0, 1, 1}, {});
  ASSERT_TRUE(favoured.has_value());
  EXPECT_DOUBLE_EQ(*favoured->value.value, 1.0);
  // Reversed: d predicted 0 while their a-neighbours got 1 → F⁻ = 2, FT = −1.
  Result<MetricResult> disfavoured = FlipTest(m, {1, 1, 1, 0, 0}, {0, 0, 0, 1, 1}, {});
  EXPECT_DOUBLE_EQ(*disfavoured->value.value, -1.0);
  EXPECT_EQ(favoured->orientation, "(F⁺ − F⁻) / n_d");
  EXPECT_EQ(favoured->name, "FT");
  EXPECT_EQ(favoured->source, "clarify");
}

TEST(FlipTestTest, UsesFiveNeighboursOnceFacetAHasTenRows) {
  // Ten facet-a rows at 0..9 predicted 1 1 1 1 1 0 1 0 0 0; one facet-d row at 5.1 predicted
  // 0. Its nearest a row (5) says 0, but its five nearest (5, 6, 4, 7, 3) vote 3 of 5 for 1:
  // with k = 5 (n_a = 10 > 9) the row is in F⁻ and FT = −1; with k = 1 FT would be 0.
  std::vector<double> values;
  for (int i = 0; i < 10; ++i) values.push_back(i);
  values.push_back(5.1);
  FeatureMatrix m{.values = values, .rows = 11, .cols = 1};
  std::vector<uint8_t> in_d(11, 0);
  in_d[10] = 1;
  std::vector<uint8_t> predictions = {1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0};
  Result<MetricResult> r = FlipTest(m, predictions, in_d, {});
  ASSERT_TRUE(r.has_value());
  EXPECT_DOUBLE_EQ(*r->value.value, -1.0);  // model 0, kNN (k = 5) 1 → F⁻
}

TEST(FlipTestTest, EmptyFacetIsUndefined) {
  FeatureMatrix m{.values = {0, 1}, .rows = 2, .cols = 1};
  Result<MetricResult> r = FlipTest(m, {0, 1}, {0, 0}, {});
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->value.defined());
  EXPECT_EQ(r->value.undefined_reason, "facet d has no rows");
  Result<MetricResult> no_a = FlipTest(m, {0, 1}, {1, 1}, {});
  EXPECT_EQ(no_a->value.undefined_reason, "facet a has no rows to fit the kNN on");
}

}  // namespace
}  // namespace probity::fairness
