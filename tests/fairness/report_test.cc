// Analyze and the report documents: which comparisons each facet gets, group order,
// intersections, the errors for data with nothing to compare, and the JSON conventions.
#include "fairness/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "audit/core/status.h"

namespace probity::fairness {
namespace {

// Statistics with one facet whose levels have the given (tp, fp, tn, fn) counts.
FairnessStatistics OneFacet(const std::vector<std::pair<std::string, Confusion>>& levels,
                            bool predictions = true) {
  StatisticsLayout layout{
      .label = "y", .favourable = "in {1}", .has_predictions = predictions, .facets = {"g"}};
  FairnessStatistics s(layout);
  for (const auto& [name, c] : levels) {
    CellStats& cell = s.Cell({s.InternLevel(0, name), 0});
    cell.weighted = c;
    cell.rows = c;
    s.mutable_row_counts().read += static_cast<int64_t>(c.total());
    s.mutable_row_counts().used += static_cast<int64_t>(c.total());
  }
  return s;
}

AnalysisOptions Options(std::vector<FacetSpec> facets = {{.column = "g"}}) {
  AnalysisOptions o;
  o.facets = std::move(facets);
  return o;
}

const MetricResult* Find(const ComparisonReport& c, std::string_view name) {
  for (const MetricResult& m : c.metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

TEST(AnalyzeTest, OneVsRestComparesEveryLevelWithTheRest) {
  FairnessStatistics s =
      OneFacet({{"a", {10, 5, 20, 5}}, {"b", {4, 1, 10, 5}}, {"c", {1, 1, 1, 1}}});
  Result<FairnessReport> r = Analyze(s, Options());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->facets.size(), 1u);
  const FacetReport& f = r->facets[0];
  ASSERT_EQ(f.comparisons.size(), 3u);
  EXPECT_EQ(f.comparisons[1].d, "b");
  EXPECT_EQ(f.comparisons[1].a, "rest");
  // DI for b vs rest: q̂_b = 5/20, q̂_rest = (15 + 2)/(40 + 4).
  const MetricResult* di = Find(f.comparisons[1], "DI");
  ASSERT_NE(di, nullptr);
  ASSERT_TRUE(di->value.value);
  EXPECT_NEAR(*di->value.value, (5.0 / 20) / (17.0 / 44), 1e-12);
  EXPECT_TRUE(f.groups[2].small);  // 4 rows < 30
}

TEST(AnalyzeTest, SensitiveValuesMakeOneComparison) {
  FairnessStatistics s =
      OneFacet({{"a", {10, 5, 20, 5}}, {"b", {4, 1, 10, 5}}, {"c", {1, 1, 1, 1}}});
  Result<FairnessReport> r = Analyze(s, Options({{.column = "g", .sensitive = {"b", "c"}}}));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->facets[0].comparisons.size(), 1u);
  EXPECT_EQ(r->facets[0].comparisons[0].d, "b, c");
  Result<FairnessReport> bad = Analyze(s, Options({{.column = "g", .sensitive = {"z"}}}));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("facet \"g\" has no value \"z\""), std::string::npos);
  EXPECT_NE(bad.error().expected().find("a, b, c"), std::string::npos);
}

TEST(AnalyzeTest, AThresholdComparesTheUpperBinAndBinsAreOrdered) {
  FairnessStatistics s = OneFacet(
      {{"(10, inf)", {1, 1, 1, 1}}, {"(-inf, 10]", {2, 2, 2, 2}}, {"(missing)", {1, 0, 0, 1}}});
  Result<FairnessReport> r = Analyze(s, Options({{.column = "g", .edges = {10}}}));
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const FacetReport& f = r->facets[0];
  ASSERT_EQ(f.groups.size(), 3u);
  EXPECT_EQ(f.groups[0].group, "(-inf, 10]");
  EXPECT_EQ(f.groups[1].group, "(10, inf)");
  EXPECT_EQ(f.groups[2].group, "(missing)");
  ASSERT_EQ(f.comparisons.size(), 1u);
  EXPECT_EQ(f.comparisons[0].d, "(10, inf)");
}

TEST(AnalyzeTest, ReferenceAndMostFavouredModes) {
  FairnessStatistics s =
      OneFacet({{"a", {10, 5, 20, 5}}, {"b", {4, 10, 1, 5}}, {"c", {1, 1, 1, 1}}});
  AnalysisOptions o = Options();
  o.compare = CompareMode::kMostFavoured;  // b selects 14/20, the highest rate
  Result<FairnessReport> r = Analyze(s, o);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->facets[0].comparisons.size(), 2u);
  EXPECT_EQ(r->facets[0].comparisons[0].d, "a");
  EXPECT_EQ(r->facets[0].comparisons[0].a, "b");
  o.compare = CompareMode::kReference;
  Result<FairnessReport> missing = Analyze(s, o);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().expected().find("--reference g=VALUE"), std::string::npos);
  o.reference["g"] = "c";
  r = Analyze(s, o);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->facets[0].comparisons[1].d, "b");
  EXPECT_EQ(r->facets[0].comparisons[1].a, "c");
}

TEST(AnalyzeTest, IntersectionsListEmptyCombinations) {
  StatisticsLayout layout{
      .label = "y", .favourable = "in {1}", .has_predictions = true, .facets = {"sex", "race"}};
  FairnessStatistics s(layout);
  auto add = [&](const char* sex, const char* race, Confusion c) {
    CellStats& cell = s.Cell({s.InternLevel(0, sex), s.InternLevel(1, race), 0});
    cell.weighted = cell.rows = c;
    s.mutable_row_counts().used += static_cast<int64_t>(c.total());
  };
  add("f", "A", {3, 1, 4, 1});
  add("m", "A", {5, 9, 2, 6});
  add("m", "B", {5, 3, 5, 8});
  AnalysisOptions o = Options({{.column = "sex"}, {.column = "race"}});
  o.intersect = true;
  Result<FairnessReport> r = Analyze(s, o);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  ASSERT_EQ(r->facets.size(), 3u);
  const FacetReport& both = r->facets[2];
  EXPECT_EQ(both.facet, "sex × race");
  ASSERT_EQ(both.groups.size(), 3u);
  EXPECT_EQ(both.groups[0].group, "f & A");
  EXPECT_EQ(both.empty_groups, std::vector<std::string>{"f & B"});
}

TEST(AnalyzeTest, DataWithNothingToCompareIsRefused) {
  Result<FairnessReport> one = Analyze(OneFacet({{"a", {1, 1, 1, 1}}}), Options());
  ASSERT_FALSE(one.has_value());
  EXPECT_EQ(one.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(one.error().message().find("facet \"g\" has only one value (a)"), std::string::npos);

  Result<FairnessReport> no_positive =
      Analyze(OneFacet({{"a", {0, 1, 1, 0}}, {"b", {0, 2, 3, 0}}}), Options());
  ASSERT_FALSE(no_positive.has_value());
  EXPECT_NE(no_positive.error().message().find("no row with a favourable value"),
            std::string::npos);

  Result<FairnessReport> no_negative =
      Analyze(OneFacet({{"a", {1, 0, 0, 1}}, {"b", {2, 0, 0, 3}}}), Options());
  ASSERT_FALSE(no_negative.has_value());
  EXPECT_NE(no_negative.error().message().find("no row with an unfavourable value"),
            std::string::npos);
}

TEST(ReportJsonTest, UndefinedValuesAreNullWithAReasonAndInfinitiesAreStrings) {
  // b has no predicted positives, so DI for a vs rest is +inf, and b's precision is 0/0.
  FairnessStatistics s = OneFacet({{"a", {3, 2, 1, 1}}, {"b", {0, 0, 4, 2}}});
  Result<FairnessReport> r = Analyze(s, Options());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  nlohmann::ordered_json doc = ReportToJson(*r);
  EXPECT_EQ(doc["schema"], "probity.fairness/1");
  const auto& b = doc["facets"][0]["groups"][1];
  EXPECT_EQ(b["group"], "b");
  EXPECT_TRUE(b["ppv"].is_null());
  EXPECT_FALSE(b["ppv_reason"].get<std::string>().empty());
  bool found = false;
  for (const auto& m : doc["facets"][0]["comparisons"][0]["metrics"]) {
    if (m["name"] == "DI") {
      EXPECT_EQ(m["value"], "inf");
      found = true;
    }
  }
  EXPECT_TRUE(found);
  nlohmann::ordered_json clarify = ClarifyAnalysisJson(*r);
  found = false;
  for (const auto& m : clarify["post_training_bias_metrics"]["facets"]["g"][0]["metrics"]) {
    if (m["name"] == "DI") {
      EXPECT_EQ(m["value"], "Infinity");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(AnalyzeTest, TheBootstrapIsReproducibleForASeed) {
  FairnessStatistics s = OneFacet({{"a", {40, 15, 30, 15}}, {"b", {20, 5, 40, 35}}});
  AnalysisOptions o = Options();
  o.bootstrap = BootstrapOptions{.replicates = 200, .seed = 42};
  Result<FairnessReport> first = Analyze(s, o);
  Result<FairnessReport> second = Analyze(s, o);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  ASSERT_TRUE(second.has_value());
  ASSERT_TRUE(first->bootstrap.has_value());
  EXPECT_EQ(first->bootstrap->seed, 42u);
  const MetricResult* d1 = Find(first->facets[0].comparisons[0], "DPPL");
  const MetricResult* d2 = Find(second->facets[0].comparisons[0], "DPPL");
  ASSERT_TRUE(d1 && d2 && d1->interval && d2->interval);
  EXPECT_EQ(d1->interval->lower, d2->interval->lower);
  EXPECT_EQ(d1->interval->upper, d2->interval->upper);
  EXPECT_LT(d1->interval->lower, *d1->value.value);
  EXPECT_GT(d1->interval->upper, *d1->value.value);
}

}  // namespace
}  // namespace probity::fairness

namespace probity::fairness {
namespace {

// Fairlearn's control features: with a group variable, the multi-group metrics are also
// computed within each of its levels, on that level's rows only.
TEST(AnalyzeTest, ControlLevelsGetTheirOwnAggregates) {
  StatisticsLayout layout{.label = "y",
                          .favourable = "in {1}",
                          .has_predictions = true,
                          .facets = {"g"},
                          .group_variable = "region"};
  FairnessStatistics s(layout);
  auto add = [&](const char* g, const char* region, Confusion c) {
    CellStats& cell = s.Cell({s.InternLevel(0, g), s.InternStratum(region)});
    cell.weighted = cell.rows = c;
    s.mutable_row_counts().used += static_cast<int64_t>(c.total());
  };
  add("a", "north", {4, 4, 1, 1});  // selection 8/10
  add("b", "north", {1, 1, 4, 4});  // 2/10
  add("a", "south", {3, 2, 3, 2});  // 5/10
  add("b", "south", {2, 3, 2, 3});  // 5/10
  Result<FairnessReport> r = Analyze(s, Options());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const FacetReport& f = r->facets[0];
  ASSERT_EQ(f.control.size(), 2u);
  auto dp = [](const std::vector<MetricResult>& metrics) {
    for (const MetricResult& m : metrics) {
      if (m.name == "demographic_parity_difference") return m.value.value.value_or(-1);
    }
    return -1.0;
  };
  EXPECT_EQ(f.control[0].level, "north");
  EXPECT_NEAR(dp(f.control[0].metrics), 0.6, 1e-12);
  EXPECT_NEAR(dp(f.control[1].metrics), 0.0, 1e-12);
  EXPECT_NEAR(dp(f.metrics), 13.0 / 20 - 7.0 / 20, 1e-12);
}

}  // namespace
}  // namespace probity::fairness

namespace probity::fairness {
namespace {

// Multiclass rows live in the class matrix: the report must see them, per class.
TEST(AnalyzeTest, MulticlassComparesEachClassAgainstTheRest) {
  StatisticsLayout layout{.task = Task::kMulticlass,
                          .label = "y",
                          .classes = {"x", "y"},
                          .has_predictions = true,
                          .facets = {"g"}};
  FairnessStatistics s(layout);
  // [label][predicted] weights, then the same as rows.
  auto add = [&](const char* g, std::vector<double> m) {
    CellStats& cell = s.Cell({s.InternLevel(0, g), 0});
    cell.class_matrix = m;
    cell.class_matrix.insert(cell.class_matrix.end(), m.begin(), m.end());
    s.mutable_row_counts().used += static_cast<int64_t>(m[0] + m[1] + m[2] + m[3]);
  };
  add("a", {3, 1, 2, 4});  // x→x 3, x→y 1, y→x 2, y→y 4
  add("b", {1, 1, 1, 1});
  Result<FairnessReport> r = Analyze(s, Options());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const FacetReport& f = r->facets[0];
  ASSERT_EQ(f.groups.size(), 2u);
  EXPECT_EQ(f.groups[0].summary.row_count(), 10);
  ASSERT_EQ(f.comparisons.size(), 4u);  // 2 groups × 2 classes
  EXPECT_EQ(f.comparisons[0].cls, "x");
  // Class x as favourable: a selects x on 3 + 2 of 10 rows, b on 2 of 4.
  const MetricResult* di = Find(f.comparisons[0], "DI");
  ASSERT_NE(di, nullptr);
  EXPECT_NEAR(*di->value.value, (5.0 / 10) / (2.0 / 4), 1e-12);
}

}  // namespace
}  // namespace probity::fairness

namespace probity::fairness {
namespace {

// With several comparisons per facet, each metric's tests are Holm-adjusted across them.
TEST(AnalyzeTest, TestsAreHolmAdjustedAcrossAFacetsComparisons) {
  FairnessStatistics s =
      OneFacet({{"a", {40, 15, 30, 15}}, {"b", {20, 5, 40, 35}}, {"c", {30, 10, 30, 30}}});
  AnalysisOptions o = Options();
  o.metrics.intervals = IntervalMethod::kWilson;
  Result<FairnessReport> r = Analyze(s, o);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  std::vector<double> p, adjusted;
  for (const ComparisonReport& c : r->facets[0].comparisons) {
    const MetricResult* m = Find(c, "DPPL");
    ASSERT_TRUE(m && m->test && m->test->p_adjusted) << c.d;
    EXPECT_EQ(m->test->correction, "holm");
    p.push_back(m->test->p_value);
    adjusted.push_back(*m->test->p_adjusted);
  }
  // Holm by hand for three tests.
  std::vector<size_t> order = {0, 1, 2};
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return p[x] < p[y]; });
  double running = 0;
  for (size_t i = 0; i < 3; ++i) {
    running = std::max(running, std::min(1.0, (3.0 - static_cast<double>(i)) * p[order[i]]));
    EXPECT_NEAR(adjusted[order[i]], running, 1e-15);
  }
}

}  // namespace
}  // namespace probity::fairness
