// Hand-computed cases for fairness/metrics.h: every metric's value on a small table worked
// out on paper, each edge (empty facet, no positives, zero false positives, all one class, a
// single group), orientation and ideal values, and the reconciliation with SageMaker
// Clarify's published outputs (tests/data/fairness/clarify/, see SOURCES.md there).
#include "fairness/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fairness/intervals.h"
#include "fairness/significance.h"
#include "tests/testing/test_data.h"

namespace probity::fairness {
namespace {

using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();

Confusion Conf(double tp, double fp, double tn, double fn) { return {tp, fp, tn, fn}; }

GroupSummary Group(std::string name, Confusion c) {
  GroupSummary g;
  g.name = std::move(name);
  g.weighted = c;
  g.rows = c;
  return g;
}

StatisticsLayout Binary(bool predictions) {
  StatisticsLayout layout;
  layout.task = Task::kBinary;
  layout.has_predictions = predictions;
  return layout;
}

const MetricResult& Find(const std::vector<MetricResult>& metrics, std::string_view name,
                         std::string_view stage = "") {
  for (const MetricResult& m : metrics) {
    if (m.name == name && (stage.empty() || m.stage == stage)) return m;
  }
  ADD_FAILURE() << "no metric " << name << " (" << stage << ")";
  static const MetricResult none;
  return none;
}

bool Has(const std::vector<MetricResult>& metrics, std::string_view name) {
  for (const MetricResult& m : metrics) {
    if (m.name == name) return true;
  }
  return false;
}

double ValueOf(const std::vector<MetricResult>& metrics, std::string_view name,
               std::string_view stage = "") {
  const MetricResult& m = Find(metrics, name, stage);
  EXPECT_TRUE(m.value.defined()) << name << ": " << m.value.undefined_reason;
  return m.value.value.value_or(std::nan(""));
}

std::string ReasonOf(const std::vector<MetricResult>& metrics, std::string_view name,
                     std::string_view stage = "") {
  const MetricResult& m = Find(metrics, name, stage);
  EXPECT_FALSE(m.value.defined()) << name << " = " << m.value.value.value_or(0);
  return m.value.undefined_reason;
}

// d: tp 3, fp 1, tn 4, fn 2 (n 10); a: tp 10, fp 5, tn 20, fn 5 (n 40).
Comparison Worked() {
  return {Group("sex=female", Conf(3, 1, 4, 2)), Group("rest", Conf(10, 5, 20, 5))};
}

TEST(PairMetricsTest, WorkedExampleByHand) {
  const auto m = PairMetrics(Worked(), Binary(true), {});
  // d: q = 5/10, q̂ = 4/10, TPR 3/5, FPR 1/5, TNR 4/5, PPV 3/4, NPV 4/6, ACC 7/10.
  // a: q = 15/40, q̂ = 15/40, TPR 10/15, FPR 5/25, TNR 20/25, PPV 10/15, NPV 20/25, ACC 30/40.
  EXPECT_DOUBLE_EQ(ValueOf(m, "CI"), 0.6);  // (40 − 10)/50
  EXPECT_DOUBLE_EQ(ValueOf(m, "DPL"), 0.375 - 0.5);
  EXPECT_DOUBLE_EQ(ValueOf(m, "KL"), 0.625 * std::log(0.625 / 0.5) + 0.375 * std::log(0.375 / 0.5));
  const double m0 = (0.625 + 0.5) / 2, m1 = (0.375 + 0.5) / 2;
  EXPECT_NEAR(ValueOf(m, "JS"),
              0.5 * (0.625 * std::log(0.625 / m0) + 0.375 * std::log(0.375 / m1) +
                     0.5 * std::log(0.5 / m0) + 0.5 * std::log(0.5 / m1)),
              1e-15);
  EXPECT_DOUBLE_EQ(ValueOf(m, "LP"), std::sqrt(2 * 0.125 * 0.125));
  EXPECT_DOUBLE_EQ(ValueOf(m, "TVD"), 0.125);
  EXPECT_DOUBLE_EQ(ValueOf(m, "KS"), 0.125);
  EXPECT_DOUBLE_EQ(ValueOf(m, "DPPL"), 0.375 - 0.4);
  EXPECT_DOUBLE_EQ(ValueOf(m, "DI"), 0.4 / 0.375);
  EXPECT_DOUBLE_EQ(ValueOf(m, "DCAcc"), 15.0 / 15 - 5.0 / 4);
  EXPECT_DOUBLE_EQ(ValueOf(m, "DCR"), 5.0 / 6 - 25.0 / 25);
  EXPECT_DOUBLE_EQ(ValueOf(m, "SD"), 0.8 - 0.8);
  EXPECT_DOUBLE_EQ(ValueOf(m, "RD"), 10.0 / 15 - 0.6);
  EXPECT_DOUBLE_EQ(ValueOf(m, "DAR"), 10.0 / 15 - 0.75);
  EXPECT_DOUBLE_EQ(ValueOf(m, "DRR"), 4.0 / 6 - 0.8);
  EXPECT_DOUBLE_EQ(ValueOf(m, "AD"), 0.75 - 0.7);
  EXPECT_DOUBLE_EQ(ValueOf(m, "TE"), 2.0 / 1 - 5.0 / 5);
  EXPECT_FALSE(Has(m, "CDDL"));  // no group variable
  // AIF360, u = d, p = a.
  // With predictions, the label versions are suffixed so names stay unique.
  EXPECT_DOUBLE_EQ(ValueOf(m, "statistical_parity_difference_labels", "pre-training"), 0.5 - 0.375);
  EXPECT_DOUBLE_EQ(ValueOf(m, "disparate_impact_labels", "pre-training"), 0.5 / 0.375);
  EXPECT_DOUBLE_EQ(ValueOf(m, "statistical_parity_difference", "post-training"), 0.4 - 0.375);
  EXPECT_DOUBLE_EQ(ValueOf(m, "disparate_impact", "post-training"), 0.4 / 0.375);
  EXPECT_DOUBLE_EQ(ValueOf(m, "average_odds_difference"), 0.5 * ((0.2 - 0.2) + (0.6 - 10.0 / 15)));
  EXPECT_DOUBLE_EQ(ValueOf(m, "average_abs_odds_difference"), 0.5 * (10.0 / 15 - 0.6));
  EXPECT_DOUBLE_EQ(ValueOf(m, "equalized_odds_difference"), 10.0 / 15 - 0.6);
  EXPECT_DOUBLE_EQ(ValueOf(m, "equal_opportunity_difference"), 0.6 - 10.0 / 15);
  EXPECT_DOUBLE_EQ(ValueOf(m, "error_rate_difference"), 0.3 - 0.25);
  EXPECT_DOUBLE_EQ(ValueOf(m, "false_positive_rate_difference"), 0.0);
  EXPECT_DOUBLE_EQ(ValueOf(m, "false_negative_rate_difference"), 0.4 - 5.0 / 15);
  EXPECT_DOUBLE_EQ(ValueOf(m, "false_discovery_rate_difference"), 0.25 - 5.0 / 15);
  EXPECT_DOUBLE_EQ(ValueOf(m, "false_omission_rate_difference"), 2.0 / 6 - 0.2);

  // Every denominator is non-zero, so Clarify's own arithmetic gives the same numbers.
  MetricOptions compat;
  compat.clarify_compat = true;
  const auto c = PairMetrics(Worked(), Binary(true), compat);
  for (const char* name : {"CI", "DPL", "KL", "JS", "LP", "TVD", "KS", "DPPL", "DI", "DCAcc", "DCR",
                           "SD", "RD", "DAR", "DRR", "AD", "TE"}) {
    EXPECT_NEAR(ValueOf(c, name), ValueOf(m, name), 1e-15) << name;
  }
}

TEST(PairMetricsTest, OrientationIdealSourceAndStage) {
  const auto m = PairMetrics(Worked(), Binary(true), {});
  struct Expected {
    const char* name;
    const char* stage;
    const char* source;
    const char* orientation;
    double ideal;
  };
  const Expected expected[] = {
      {"CI", "pre-training", "clarify", "(a − d) / (a + d)", 0},
      {"DPL", "pre-training", "clarify", "a − d", 0},
      {"KL", "pre-training", "clarify", "KL(P_a ‖ P_d)", 0},
      {"JS", "pre-training", "clarify", "symmetric", 0},
      {"LP", "pre-training", "clarify", "symmetric", 0},
      {"TVD", "pre-training", "clarify", "symmetric", 0},
      {"KS", "pre-training", "clarify", "symmetric", 0},
      {"statistical_parity_difference_labels", "pre-training", "aif360", "u − p", 0},
      {"disparate_impact_labels", "pre-training", "aif360", "u / p", 1},
      {"DPPL", "post-training", "clarify", "a − d", 0},
      {"DI", "post-training", "clarify", "d / a", 1},
      {"DCAcc", "post-training", "clarify", "a − d", 0},
      {"DCR", "post-training", "clarify", "d − a", 0},
      {"SD", "post-training", "clarify", "d − a", 0},
      {"RD", "post-training", "clarify", "a − d", 0},
      {"DAR", "post-training", "clarify", "a − d", 0},
      {"DRR", "post-training", "clarify", "d − a", 0},
      {"AD", "post-training", "clarify", "a − d", 0},
      {"TE", "post-training", "clarify", "d − a", 0},
      {"statistical_parity_difference", "post-training", "aif360", "u − p", 0},
      {"disparate_impact", "post-training", "aif360", "u / p", 1},
      {"average_odds_difference", "post-training", "aif360", "u − p", 0},
      {"average_abs_odds_difference", "post-training", "aif360", "|u − p|", 0},
      {"equalized_odds_difference", "post-training", "aif360", "|u − p|", 0},
      {"equal_opportunity_difference", "post-training", "aif360", "u − p", 0},
      {"error_rate_difference", "post-training", "aif360", "u − p", 0},
      {"false_positive_rate_difference", "post-training", "aif360", "u − p", 0},
      {"false_negative_rate_difference", "post-training", "aif360", "u − p", 0},
      {"false_discovery_rate_difference", "post-training", "aif360", "u − p", 0},
      {"false_omission_rate_difference", "post-training", "aif360", "u − p", 0},
  };
  ASSERT_EQ(m.size(), std::size(expected));
  for (size_t i = 0; i < m.size(); ++i) {
    SCOPED_TRACE(expected[i].name);
    EXPECT_EQ(m[i].name, expected[i].name);
    EXPECT_EQ(m[i].stage, expected[i].stage);
    EXPECT_EQ(m[i].source, expected[i].source);
    EXPECT_EQ(m[i].orientation, expected[i].orientation);
    EXPECT_EQ(m[i].ideal, expected[i].ideal);
    EXPECT_EQ(m[i].reference_group, "rest");
    EXPECT_TRUE(m[i].count_based);
    if (m[i].source == "aif360") {
      EXPECT_THAT(m[i].description, HasSubstr("unprivileged u = d"));
    }
  }
  EXPECT_THAT(Find(m, "DCAcc").description, HasSubstr("DCA"));
}

TEST(PairMetricsTest, WithoutPredictionsOnlyPreTraining) {
  const auto m = PairMetrics(Worked(), Binary(false), {});
  for (const MetricResult& r : m) EXPECT_EQ(r.stage, "pre-training") << r.name;
  EXPECT_EQ(m.size(), 9u);
}

// The reference's example: P_a = (½, ½), d has no positives, P_d = (1, 0).
TEST(PairMetricsTest, FacetWithoutPositivesClarifyTruncatesCorrectModeDoesNot) {
  const Comparison c{Group("d", Conf(0, 1, 3, 0)), Group("a", Conf(3, 2, 3, 2))};
  const auto m = PairMetrics(c, Binary(true), {});
  EXPECT_EQ(ValueOf(m, "KL"), kInf);
  const double js =
      0.5 * (0.5 * std::log(0.5 / 0.75) + 0.5 * std::log(0.5 / 0.25) + 1.0 * std::log(1.0 / 0.75));
  EXPECT_NEAR(ValueOf(m, "JS"), js, 1e-15);
  EXPECT_NEAR(js, 0.216, 5e-4);
  EXPECT_DOUBLE_EQ(ValueOf(m, "TVD"), 0.5);  // P_a(1)
  EXPECT_DOUBLE_EQ(ValueOf(m, "LP"), std::sqrt(0.5));
  EXPECT_DOUBLE_EQ(ValueOf(m, "KS"), 0.5);
  EXPECT_THAT(ReasonOf(m, "RD"), HasSubstr("0/0: d has no label-favourable rows (tp + fn = 0)"));
  EXPECT_THAT(ReasonOf(m, "equal_opportunity_difference"), HasSubstr("no label-favourable"));

  MetricOptions compat;
  compat.clarify_compat = true;
  const auto k = PairMetrics(c, Binary(true), compat);
  EXPECT_DOUBLE_EQ(ValueOf(k, "KL"), 0.5 * std::log(0.5));  // −0.347: negative "divergence"
  EXPECT_NEAR(ValueOf(k, "KL"), -0.347, 5e-4);
  EXPECT_DOUBLE_EQ(ValueOf(k, "JS"), 0.5 * (0.5 * std::log(0.5 / 0.75) + std::log(1 / 0.75)));
  EXPECT_NEAR(ValueOf(k, "JS"), 0.042, 5e-4);
  EXPECT_DOUBLE_EQ(ValueOf(k, "TVD"), 0.25);  // ½·P_a(1)
  EXPECT_DOUBLE_EQ(ValueOf(k, "LP"), 0.5);
  EXPECT_DOUBLE_EQ(ValueOf(k, "KS"), 0.5);
  EXPECT_DOUBLE_EQ(ValueOf(k, "RD"), 3.0 / 5 - 0);  // Clarify: TPR_d = 0/0 → 0
}

TEST(PairMetricsTest, EmptyFacetIsUndefinedInBothModes) {
  const Comparison empty_d{Group("d", Conf(0, 0, 0, 0)), Group("a", Conf(3, 2, 3, 2))};
  const auto m = PairMetrics(empty_d, Binary(true), {});
  for (const char* name : {"CI", "DPL", "KL", "JS", "LP", "TVD", "KS", "DPPL", "DI", "DCAcc", "DCR",
                           "SD", "RD", "DAR", "DRR", "AD", "TE"}) {
    EXPECT_THAT(ReasonOf(m, name), HasSubstr("d is empty (n_d = 0)")) << name;
  }
  MetricOptions compat;
  compat.clarify_compat = true;
  const auto k = PairMetrics(empty_d, Binary(true), compat);
  EXPECT_EQ(ReasonOf(k, "CI"),
            "Clarify raises ValueError: CI: facet set is empty. Check that x[facet] has non-zero "
            "length.");
  EXPECT_EQ(ReasonOf(k, "DPL"), "Clarify raises ValueError: Facet set is empty.");
  EXPECT_THAT(ReasonOf(k, "KL"), HasSubstr("No instance of common facet found"));
  EXPECT_EQ(ReasonOf(k, "DI"), "Clarify raises ValueError: Facet set is empty");
  EXPECT_EQ(ReasonOf(k, "DCAcc"), "Clarify raises ValueError: DCO: Facet set is empty");
  EXPECT_EQ(ReasonOf(k, "RD"), "Clarify raises ValueError: DLA: Facet set is empty");
  EXPECT_EQ(ReasonOf(k, "DAR"), "Clarify raises ValueError: DLR: Facet set is empty");
  EXPECT_EQ(ReasonOf(k, "AD"), "Clarify raises ValueError: Facet set is empty");
  EXPECT_EQ(ReasonOf(k, "TE"), "Clarify raises ValueError: Facet set is empty");

  const Comparison empty_a{Group("d", Conf(3, 2, 3, 2)), Group("a", Conf(0, 0, 0, 0))};
  const auto ka = PairMetrics(empty_a, Binary(true), compat);
  EXPECT_EQ(ReasonOf(ka, "CI"),
            "Clarify raises ValueError: CI: negated facet set is empty. Check that x[~facet] has "
            "non-zero length.");
  EXPECT_EQ(ReasonOf(ka, "DPL"), "Clarify raises ValueError: Negative facet set is empty.");
  EXPECT_EQ(ReasonOf(ka, "RD"), "Clarify raises ValueError: DLA: Negated Facet set is empty");
  EXPECT_THAT(ReasonOf(PairMetrics(empty_a, Binary(true), {}), "CI"),
              HasSubstr("a is empty (n_a = 0)"));
}

TEST(PairMetricsTest, ZeroFalsePositivesTreatmentEquality) {
  // d: fp = 0, fn = 2; a: fn/fp = 5/5.
  const Comparison c{Group("d", Conf(3, 0, 4, 2)), Group("a", Conf(10, 5, 20, 5))};
  EXPECT_THAT(ReasonOf(PairMetrics(c, Binary(true), {}), "TE"),
              HasSubstr("2/0: d has no false positives (fp = 0)"));
  MetricOptions compat;
  compat.clarify_compat = true;
  EXPECT_EQ(ValueOf(PairMetrics(c, Binary(true), compat), "TE"), kInf);  // ∞ − 1
  // Both groups without false positives: Clarify forces ∞ − ∞ to 0.
  const Comparison both{Group("d", Conf(3, 0, 4, 2)), Group("a", Conf(10, 0, 20, 5))};
  EXPECT_EQ(ValueOf(PairMetrics(both, Binary(true), compat), "TE"), 0.0);
  EXPECT_FALSE(Find(PairMetrics(both, Binary(true), {}), "TE").value.defined());
}

TEST(PairMetricsTest, DisparateImpactDivergesOnlyWhenTheReferenceRateIsZero) {
  // a predicts nobody favourable, d does: DI = +∞ in both modes (and AIF360's too).
  const Comparison c{Group("d", Conf(1, 1, 2, 0)), Group("a", Conf(0, 0, 3, 2))};
  const auto m = PairMetrics(c, Binary(true), {});
  EXPECT_EQ(ValueOf(m, "DI"), kInf);
  EXPECT_EQ(ValueOf(m, "disparate_impact", "post-training"), kInf);
  // Conditional acceptance of a is 2/0: undefined, Clarify says c_a = ∞ so DCAcc = ∞.
  EXPECT_THAT(ReasonOf(m, "DCAcc"), HasSubstr("2/0: a has no predicted-favourable rows"));
  MetricOptions compat;
  compat.clarify_compat = true;
  const auto k = PairMetrics(c, Binary(true), compat);
  EXPECT_EQ(ValueOf(k, "DI"), kInf);
  EXPECT_EQ(ValueOf(k, "DCAcc"), kInf);
  // Nobody predicted favourable at all: 0/0 — undefined here, 0 in Clarify.
  const Comparison none{Group("d", Conf(0, 0, 2, 1)), Group("a", Conf(0, 0, 3, 2))};
  EXPECT_THAT(ReasonOf(PairMetrics(none, Binary(true), {}), "DI"),
              HasSubstr("0/0: both selection rates are 0"));
  EXPECT_EQ(ValueOf(PairMetrics(none, Binary(true), compat), "DI"), 0.0);
}

TEST(PairMetricsTest, AllOneClass) {
  // Every label favourable in both groups: the label distributions agree, and every rate
  // conditioned on a negative label is 0/0.
  const Comparison c{Group("d", Conf(3, 0, 0, 1)), Group("a", Conf(5, 0, 0, 5))};
  const auto m = PairMetrics(c, Binary(true), {});
  EXPECT_EQ(ValueOf(m, "KL"), 0.0);
  EXPECT_EQ(ValueOf(m, "JS"), 0.0);
  EXPECT_EQ(ValueOf(m, "TVD"), 0.0);
  EXPECT_EQ(ValueOf(m, "DPL"), 0.0);
  EXPECT_THAT(ReasonOf(m, "SD"), HasSubstr("no label-unfavourable rows (fp + tn = 0)"));
  EXPECT_THAT(ReasonOf(m, "false_positive_rate_difference"), HasSubstr("fp + tn = 0"));
  EXPECT_THAT(ReasonOf(m, "average_odds_difference"), HasSubstr("fp + tn = 0"));
  MetricOptions compat;
  compat.clarify_compat = true;
  EXPECT_EQ(ValueOf(PairMetrics(c, Binary(true), compat), "SD"), 0.0);
}

// Strata as weighted confusion tables (no predictions: positives in fn, negatives in tn).
GroupSummary Stratified(std::string name, const std::vector<std::pair<double, double>>& strata) {
  GroupSummary g;
  g.name = std::move(name);
  for (const auto& [positives, negatives] : strata) {
    Confusion c = Conf(0, 0, negatives, positives);
    g.strata.push_back(c);
    g.weighted += c;
  }
  g.rows = g.weighted;
  return g;
}

TEST(PairMetricsTest, ConditionalDemographicDisparityWithinStrata) {
  StatisticsLayout layout = Binary(false);
  layout.group_variable = "department";
  // Stratum 0: d 1+/3−, a 4+/2−: DD = 3/5 − 1/5 = 0.4, n = 10.
  // Stratum 1: d 2+/1−, a 2+/4−: DD = 1/5 − 2/4 = −0.3, n = 9.
  const Comparison two{Stratified("d", {{1, 3}, {2, 1}}), Stratified("a", {{4, 2}, {2, 4}})};
  EXPECT_DOUBLE_EQ(ValueOf(PairMetrics(two, layout, {}), "CDDL"), (10 * 0.4 - 9 * 0.3) / 19);
  // Stratum 2 with no positives: d 0+/2−, a 0+/1−. Clarify counts its accepted share as 0:
  // DD = 2/3, n = 3. Probity: undefined, or left out when asked.
  const Comparison three{Stratified("d", {{1, 3}, {2, 1}, {0, 2}}),
                         Stratified("a", {{4, 2}, {2, 4}, {0, 1}})};
  EXPECT_THAT(ReasonOf(PairMetrics(three, layout, {}), "CDDL"),
              HasSubstr("stratum #2 has no label-favourable rows"));
  MetricOptions skip;
  skip.skip_undefined_groups = true;
  const auto skipped = PairMetrics(three, layout, skip);
  EXPECT_DOUBLE_EQ(ValueOf(skipped, "CDDL"), (10 * 0.4 - 9 * 0.3) / 19);
  EXPECT_THAT(Find(skipped, "CDDL").description, HasSubstr("left out"));
  MetricOptions compat;
  compat.clarify_compat = true;
  EXPECT_DOUBLE_EQ(ValueOf(PairMetrics(three, layout, compat), "CDDL"),
                   (10 * 0.4 - 9 * 0.3 + 3 * (2.0 / 3)) / 22);
  // No positive label anywhere: Clarify raises.
  const Comparison none{Stratified("d", {{0, 3}}), Stratified("a", {{0, 2}})};
  EXPECT_EQ(ReasonOf(PairMetrics(none, layout, compat), "CDDL"),
            "Clarify raises ValueError: No positive labels in set");
}

TEST(PairMetricsTest, MulticlassDistributionsUseEveryClass) {
  StatisticsLayout layout = Binary(false);
  layout.task = Task::kMulticlass;
  layout.classes = {"x", "y", "z"};
  // Class "x" is favourable; d's labels: x 2, y 2, z 0; a's: x 1, y 1, z 2 (K×1 matrices).
  GroupSummary d = Group("d", Conf(0, 0, 2, 2));
  d.class_matrix = {2, 2, 0};
  GroupSummary a = Group("a", Conf(0, 0, 3, 1));
  a.class_matrix = {1, 1, 2};
  const auto m = PairMetrics({d, a}, layout, {});
  EXPECT_EQ(ValueOf(m, "KL"), kInf);  // P_a(z) = ½, P_d(z) = 0
  EXPECT_DOUBLE_EQ(ValueOf(m, "TVD"), 0.5 * (0.25 + 0.25 + 0.5));
  EXPECT_DOUBLE_EQ(ValueOf(m, "KS"), 0.5);
  EXPECT_FALSE(Find(m, "KL").count_based);
  // Clarify binarises the label first: favourable 2/4 vs 1/4.
  MetricOptions compat;
  compat.clarify_compat = true;
  EXPECT_DOUBLE_EQ(ValueOf(PairMetrics({d, a}, layout, compat), "TVD"), 0.25);
}

TEST(PairMetricsTest, IntervalsAndTestsOnRowCountsInTheMetricsOrientation) {
  Comparison c = Worked();
  c.d.weighted = Conf(6, 2, 8, 4);  // weights differ from the rows
  StatisticsLayout layout = Binary(true);
  layout.weight = "w";
  MetricOptions options;
  options.intervals = IntervalMethod::kWilson;
  options.confidence = 0.9;
  const auto m = PairMetrics(c, layout, options);
  auto same = [](const std::optional<Interval>& got, const std::optional<Interval>& want) {
    ASSERT_TRUE(got.has_value());
    ASSERT_TRUE(want.has_value());
    EXPECT_EQ(got->lower, want->lower);
    EXPECT_EQ(got->upper, want->upper);
    EXPECT_EQ(got->method, want->method);
    EXPECT_THAT(got->note, HasSubstr("unweighted"));
  };
  // DPL = q_a − q_d: a first. Rows: a 15/40 positives, d 5/10.
  same(Find(m, "DPL").interval, NewcombeDifferenceInterval(15, 40, 5, 10, 0.9));
  EXPECT_EQ(Find(m, "DPL").test->statistic, CompareRates(15, 40, 5, 10).statistic);
  // DI = q̂_d / q̂_a: Katz with d first.
  same(Find(m, "DI").interval, KatzRatioInterval(4, 10, 15, 40, 0.9));
  // SD = TNR_d − TNR_a: d first; RD = TPR_a − TPR_d: a first.
  same(Find(m, "SD").interval, NewcombeDifferenceInterval(4, 5, 20, 25, 0.9));
  same(Find(m, "RD").interval, NewcombeDifferenceInterval(10, 15, 3, 5, 0.9));
  EXPECT_EQ(Find(m, "RD").test->p_value, CompareRates(10, 15, 3, 5).p_value);
  // AIF360: u − p, d first.
  same(Find(m, "equal_opportunity_difference").interval,
       NewcombeDifferenceInterval(3, 5, 10, 15, 0.9));
  same(Find(m, "disparate_impact", "post-training").interval,
       KatzRatioInterval(4, 10, 15, 40, 0.9));
  // Not single rates: no interval, no test.
  for (const char* name : {"KL", "TE", "DCAcc", "average_odds_difference", "CI"}) {
    EXPECT_FALSE(Find(m, name).interval.has_value()) << name;
    EXPECT_FALSE(Find(m, name).test.has_value()) << name;
  }
  // Without intervals, tests are still attached; without tests, none.
  EXPECT_FALSE(Find(PairMetrics(c, layout, {}), "DPL").interval.has_value());
  EXPECT_TRUE(Find(PairMetrics(c, layout, {}), "DPL").test.has_value());
  MetricOptions no_tests;
  no_tests.tests = false;
  EXPECT_FALSE(Find(PairMetrics(c, layout, no_tests), "DPL").test.has_value());
}

TEST(PairMetricsTest, ScoreMetrics) {
  GroupSummary d = Group("d", Conf(2, 2, 0, 0));
  GroupSummary a = Group("a", Conf(1, 2, 0, 0));
  for (double s : {0.9, 0.6}) d.scores[1].Add(s, 1);
  for (double s : {0.4, 0.7}) d.scores[0].Add(s, 1);
  a.scores[1].Add(0.8, 1);
  for (double s : {0.2, 0.3}) a.scores[0].Add(s, 1);
  StatisticsLayout layout = Binary(true);
  layout.has_scores = true;
  const auto m = PairMetrics({d, a}, layout, {});
  EXPECT_DOUBLE_EQ(ValueOf(m, "auc_difference"), 1.0 - 0.75);  // AUC_d: 3 of 4 pairs ordered
  EXPECT_DOUBLE_EQ(ValueOf(m, "brier_score_difference"),
                   (0.01 + 0.16 + 0.16 + 0.49) / 4 - (0.04 + 0.04 + 0.09) / 3);
  // One row per reliability bin: ECE = mean |y − s|.
  EXPECT_DOUBLE_EQ(ValueOf(m, "expected_calibration_error_difference"),
                   (0.1 + 0.4 + 0.4 + 0.7) / 4 - (0.2 + 0.2 + 0.3) / 3);
  // ECDFs of {.4,.6,.7,.9} and {.2,.3,.8}: the largest gap is 2/3 at t = 0.3.
  const MetricResult& ks = Find(m, "score_ks");
  EXPECT_DOUBLE_EQ(ks.value.value.value(), 2.0 / 3);
  ASSERT_TRUE(ks.test.has_value());
  EXPECT_EQ(ks.test->test, "kolmogorov-smirnov-asymptotic");
  EXPECT_EQ(ks.stage, "score");
  EXPECT_FALSE(ks.count_based);
}

TEST(PairMetricsTest, Regression) {
  StatisticsLayout layout;
  layout.task = Task::kRegression;
  layout.has_predictions = true;
  GroupSummary d, a;
  d.name = "d";
  a.name = "a";
  d.regression = {.weight = 2,
                  .rows = 2,
                  .prediction = 3,
                  .label = 2,
                  .absolute_error = 1,
                  .squared_error = 0.5};
  a.regression = {
      .weight = 4, .rows = 4, .prediction = 4, .label = 4, .absolute_error = 4, .squared_error = 8};
  for (double p : {1.0, 2.0}) d.scores[0].Add(p, 1);
  for (double p : {0.5, 1.0, 1.0, 1.5}) a.scores[0].Add(p, 1);
  const auto m = PairMetrics({d, a}, layout, {});
  ASSERT_EQ(m.size(), 5u);
  EXPECT_DOUBLE_EQ(ValueOf(m, "mean_prediction_difference"), 1.5 - 1.0);
  EXPECT_DOUBLE_EQ(ValueOf(m, "mean_prediction_ratio"), 1.5);
  EXPECT_DOUBLE_EQ(ValueOf(m, "mae_difference"), 0.5 - 1.0);
  EXPECT_DOUBLE_EQ(ValueOf(m, "rmse_difference"), 0.5 - std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(ValueOf(m, "prediction_ks"), 0.5);  // at t = 1.5: F_d = ½, F_a = 1
  for (const MetricResult& r : m) EXPECT_EQ(r.stage, "regression");
  a.regression = {};
  EXPECT_THAT(ReasonOf(PairMetrics({d, a}, layout, {}), "mae_difference"),
              HasSubstr("a has no rows with both a label and a prediction"));
}

TEST(RatesOfTest, RatesAndReasons) {
  const GroupRates r = RatesOf(Group("g", Conf(3, 1, 4, 2)), {});
  EXPECT_EQ(r.n, 10);
  EXPECT_DOUBLE_EQ(*r.selection_rate.value, 0.4);
  EXPECT_DOUBLE_EQ(*r.tpr.value, 0.6);
  EXPECT_DOUBLE_EQ(*r.fpr.value, 0.2);
  EXPECT_DOUBLE_EQ(*r.tnr.value, 0.8);
  EXPECT_DOUBLE_EQ(*r.fnr.value, 0.4);
  EXPECT_DOUBLE_EQ(*r.ppv.value, 0.75);
  EXPECT_DOUBLE_EQ(*r.npv.value, 4.0 / 6);
  EXPECT_DOUBLE_EQ(*r.accuracy.value, 0.7);
  EXPECT_DOUBLE_EQ(*r.base_rate.value, 0.5);
  EXPECT_FALSE(r.selection_rate_interval.has_value());

  const GroupRates none = RatesOf(Group("g", Conf(0, 2, 3, 0)), {});
  EXPECT_THAT(none.tpr.undefined_reason,
              HasSubstr("0/0: the group has no label-favourable rows (tp + fn = 0)"));
  EXPECT_THAT(none.fnr.undefined_reason, HasSubstr("tp + fn = 0"));
  EXPECT_DOUBLE_EQ(*none.fpr.value, 0.4);
  const GroupRates empty = RatesOf(Group("g", Conf(0, 0, 0, 0)), {});
  EXPECT_THAT(empty.selection_rate.undefined_reason, HasSubstr("has no rows (n = 0)"));
  EXPECT_THAT(empty.ppv.undefined_reason, HasSubstr("tp + fp = 0"));
  EXPECT_THAT(empty.npv.undefined_reason, HasSubstr("tn + fn = 0"));
}

TEST(RatesOfTest, IntervalsOnRowCounts) {
  GroupSummary g = Group("g", Conf(3, 1, 4, 2));
  g.weighted = Conf(30, 10, 40, 20);
  MetricOptions options;
  options.intervals = IntervalMethod::kClopperPearson;
  const GroupRates r = RatesOf(g, options);
  ASSERT_TRUE(r.selection_rate_interval && r.base_rate_interval);
  EXPECT_EQ(r.selection_rate_interval->lower, ClopperPearsonInterval(4, 10, 0.95)->lower);
  EXPECT_EQ(r.base_rate_interval->upper, ClopperPearsonInterval(5, 10, 0.95)->upper);
  options.intervals = IntervalMethod::kJeffreys;
  EXPECT_EQ(RatesOf(g, options).base_rate_interval->method, JeffreysInterval(5, 10, 0.95)->method);
}

std::vector<GroupSummary> ThreeGroups() {
  return {Group("g1", Conf(3, 1, 4, 2)), Group("g2", Conf(10, 5, 20, 5)),
          Group("g3", Conf(1, 1, 1, 1))};
}

GroupSummary Overall(const std::vector<GroupSummary>& groups) {
  GroupSummary all;
  all.name = "all";
  for (const GroupSummary& g : groups) {
    all.weighted += g.weighted;
    all.rows += g.rows;
  }
  return all;
}

TEST(MultiGroupMetricsTest, FairlearnAggregatesByHand) {
  const auto groups = ThreeGroups();
  const auto m = MultiGroupMetrics(groups, Overall(groups), Binary(true), {});
  // Selection .4, .375, .5; TPR .6, 2/3, .5; FPR .2, .2, .5; overall selection 21/54.
  EXPECT_DOUBLE_EQ(ValueOf(m, "demographic_parity_difference"), 0.125);
  EXPECT_DOUBLE_EQ(ValueOf(m, "demographic_parity_ratio"), 0.75);
  EXPECT_DOUBLE_EQ(ValueOf(m, "equal_opportunity_difference"), 2.0 / 3 - 0.5);
  EXPECT_DOUBLE_EQ(ValueOf(m, "equal_opportunity_ratio"), 0.75);
  EXPECT_DOUBLE_EQ(ValueOf(m, "equalized_odds_difference"), 0.3);
  EXPECT_DOUBLE_EQ(ValueOf(m, "equalized_odds_difference_mean"), 0.5 * (1.0 / 6 + 0.3));
  EXPECT_DOUBLE_EQ(ValueOf(m, "equalized_odds_ratio"), 0.4);
  EXPECT_DOUBLE_EQ(ValueOf(m, "equalized_odds_ratio_mean"), 0.5 * (0.75 + 0.4));
  EXPECT_DOUBLE_EQ(ValueOf(m, "selection_rate_difference"), 0.125);
  EXPECT_DOUBLE_EQ(ValueOf(m, "selection_rate_difference_to_overall"), 0.5 - 21.0 / 54);
  EXPECT_DOUBLE_EQ(ValueOf(m, "selection_rate_ratio_to_overall"), (21.0 / 54) / 0.5);
  EXPECT_DOUBLE_EQ(ValueOf(m, "accuracy_score_difference"), 0.75 - 0.5);
  EXPECT_DOUBLE_EQ(ValueOf(m, "false_positive_rate_ratio"), 0.4);
  EXPECT_DOUBLE_EQ(ValueOf(m, "true_positive_rate_difference_to_overall"), 14.0 / 22 - 0.5);
  const MetricResult& dp = Find(m, "demographic_parity_ratio");
  EXPECT_EQ(dp.stage, "multi-group");
  EXPECT_EQ(dp.orientation, "min / max");
  EXPECT_EQ(dp.ideal, 1);
  EXPECT_EQ(Find(m, "demographic_parity_difference").ideal, 0);
}

TEST(MultiGroupMetricsTest, UndefinedGroupMakesTheAggregateUndefinedUnlessSkipped) {
  auto groups = ThreeGroups();
  groups[2] = Group("g3", Conf(0, 1, 1, 0));  // no label-favourable rows: TPR 0/0
  const auto m = MultiGroupMetrics(groups, Overall(groups), Binary(true), {});
  EXPECT_THAT(ReasonOf(m, "equal_opportunity_difference"),
              HasSubstr("group (g3) has no label-favourable rows"));
  EXPECT_FALSE(Find(m, "equalized_odds_difference").value.defined());
  EXPECT_TRUE(Find(m, "demographic_parity_difference").value.defined());
  MetricOptions skip;
  skip.skip_undefined_groups = true;
  const auto s = MultiGroupMetrics(groups, Overall(groups), Binary(true), skip);
  EXPECT_DOUBLE_EQ(ValueOf(s, "equal_opportunity_difference"), 2.0 / 3 - 0.6);
  EXPECT_THAT(Find(s, "equal_opportunity_difference").description, HasSubstr("left out"));
  EXPECT_THAT(Find(s, "equal_opportunity_difference").description, HasSubstr("g3"));
}

TEST(MultiGroupMetricsTest, SingleGroupHasNothingToCompare) {
  const std::vector<GroupSummary> one = {Group("g1", Conf(3, 1, 4, 2))};
  const auto m = MultiGroupMetrics(one, Overall(one), Binary(true), {});
  EXPECT_THAT(ReasonOf(m, "demographic_parity_difference"), HasSubstr("fewer than two groups"));
  EXPECT_THAT(ReasonOf(m, "smoothed_empirical_differential_fairness_labels"),
              HasSubstr("fewer than two groups"));
  EXPECT_THAT(ReasonOf(m, "chi_square_independence_labels"), HasSubstr("nothing to test"));
}

TEST(MultiGroupMetricsTest, ChiSquareSedfAndBetweenGroupEntropy) {
  const auto groups = ThreeGroups();
  const auto m = MultiGroupMetrics(groups, Overall(groups), Binary(true), {});
  // Labels: favourable 5/10, 15/40, 2/4 of 54 rows (22 favourable).
  const double observed[3][2] = {{5, 5}, {15, 25}, {2, 2}};
  const double n[3] = {10, 40, 4};
  double x2 = 0;
  for (int g = 0; g < 3; ++g) {
    const double e1 = n[g] * 22 / 54, e0 = n[g] * 32 / 54;
    x2 += (observed[g][0] - e1) * (observed[g][0] - e1) / e1 +
          (observed[g][1] - e0) * (observed[g][1] - e0) / e0;
  }
  const MetricResult& chi = Find(m, "chi_square_independence_labels");
  EXPECT_NEAR(chi.value.value.value(), x2, 1e-12);
  EXPECT_EQ(chi.test->degrees_of_freedom, 2);
  // SEDF on labels, concentration 1: θ = 5.5/11, 15.5/41, 2.5/5.
  const double t1 = 0.5, t2 = 15.5 / 41;
  EXPECT_NEAR(ValueOf(m, "smoothed_empirical_differential_fairness_labels", "multi-group"),
              std::max(std::fabs(std::log(t1) - std::log(t2)),
                       std::fabs(std::log(1 - t1) - std::log(1 - t2))),
              1e-15);
  // Group mean benefits b̄ = (tp + tn + 2fp)/n: 9/10, 40/40, 4/4; μ = 53/54.
  const double mu = 53.0 / 54;
  const double ge2 =
      (10 * (std::pow(0.9 / mu, 2) - 1) + 44 * (std::pow(1 / mu, 2) - 1)) / (54 * 2 * 1);
  EXPECT_NEAR(ValueOf(m, "between_group_generalized_entropy_index"), ge2, 1e-15);
  const double theil =
      (10 * (0.9 / mu) * std::log(0.9 / mu) + 44 * (1 / mu) * std::log(1 / mu)) / 54;
  EXPECT_NEAR(ValueOf(m, "between_group_theil_index"), theil, 1e-15);
}

TEST(MultiGroupMetricsTest, RegressionBoundedGroupLoss) {
  StatisticsLayout layout;
  layout.task = Task::kRegression;
  layout.has_predictions = true;
  std::vector<GroupSummary> groups(3);
  groups[0].name = "g1";
  groups[0].regression = {.weight = 2, .rows = 2, .prediction = 3, .squared_error = 0.5};
  groups[1].name = "g2";
  groups[1].regression = {.weight = 4, .rows = 4, .prediction = 4, .squared_error = 8};
  groups[2].name = "g3";
  groups[2].regression = {.weight = 1, .rows = 1, .prediction = 0.5, .squared_error = 1};
  MetricOptions options;
  options.bounded_group_loss = 1.5;
  const GroupSummary overall;
  const auto m = MultiGroupMetrics(groups, overall, layout, options);
  EXPECT_DOUBLE_EQ(ValueOf(m, "bounded_group_loss"), 2.0);
  EXPECT_THAT(Find(m, "bounded_group_loss").description, HasSubstr("above the bound 1.5: g2"));
  EXPECT_DOUBLE_EQ(ValueOf(m, "mean_prediction_difference"), 1.5 - 0.5);
}

TEST(DatasetMetricsTest, GeneralizedEntropyOfTheReferenceExample) {
  // 9 false negatives and 1 false positive: b = nine 0s and one 2, μ = 0.2, GE(2) = 4.5
  // (Clarify's documented range [0, 0.5] is wrong).
  GroupSummary all = Group("all", Conf(0, 1, 0, 9));
  all.weighted = Conf(0, 7, 0, 1);  // instance weights are ignored
  const auto m = DatasetMetrics(all, Binary(true), {});
  EXPECT_DOUBLE_EQ(ValueOf(m, "GE"), 4.5);
  EXPECT_DOUBLE_EQ(ValueOf(m, "generalized_entropy_index"), 4.5);
  EXPECT_DOUBLE_EQ(ValueOf(m, "theil_index"), std::log(10.0));  // (1/10)·10·ln 10
  EXPECT_DOUBLE_EQ(ValueOf(m, "coefficient_of_variation"), 2 * std::sqrt(4.5));
  EXPECT_EQ(Find(m, "GE").stage, "dataset");
  EXPECT_TRUE(DatasetMetrics(all, Binary(false), {}).empty());
}

TEST(DatasetMetricsTest, AllFalseNegativesAndClarifysAlphaLimits) {
  const GroupSummary all_fn = Group("all", Conf(0, 0, 0, 4));
  EXPECT_THAT(ReasonOf(DatasetMetrics(all_fn, Binary(true), {}), "GE"), HasSubstr("μ = 0"));
  MetricOptions compat;
  compat.clarify_compat = true;
  EXPECT_THAT(ReasonOf(DatasetMetrics(all_fn, Binary(true), compat), "GE"),
              HasSubstr("All predicted labels are false negatives"));
  compat.ge_alpha = 1;
  const GroupSummary all = Group("all", Conf(0, 1, 0, 9));
  EXPECT_THAT(ReasonOf(DatasetMetrics(all, Binary(true), compat), "GE"),
              HasSubstr("Not implemented for alpha 0 or 1"));
  MetricOptions theil;
  theil.ge_alpha = 1;
  EXPECT_DOUBLE_EQ(ValueOf(DatasetMetrics(all, Binary(true), theil), "GE"), std::log(10.0));
  theil.ge_alpha = 0;  // mean log deviation: +∞ with a zero benefit
  EXPECT_EQ(ValueOf(DatasetMetrics(all, Binary(true), theil), "GE"), kInf);
}

// ---- Reconciliation with Clarify's published outputs ----------------------------------

nlohmann::json ReadJson(const std::string& name) {
  std::ifstream in(testing::TestDataPath(name));
  EXPECT_TRUE(in.good()) << name;
  return nlohmann::json::parse(in);
}

double ClarifyMetric(const nlohmann::json& metrics, const std::string& name) {
  for (const auto& m : metrics) {
    if (m["name"] == name) return m["value"].get<double>();
  }
  ADD_FAILURE() << name;
  return 0;
}

// data_bias_good_case_analysis.json reports CI, DPL, KL, JS, LP, TVD, KS and CDDL for one
// facet with binary labels, but not its data. The algebra: CI = (n_a − n_d)/n = −0.08 gives
// n_d/n = 0.54. DPL = q_a − q_d and KL = q_a ln(q_a/q_d) + (1 − q_a) ln((1 − q_a)/(1 − q_d))
// with q_d = q_a − DPL leave one unknown; KL(q_a) − KL_reported has two roots in (DPL, 1),
// q_a ≈ 0.47826 and ≈ 0.54214. Only the first gives whole counts for n = 100 (n_a = 46,
// n_d = 54): q_a = 22/46, q_d = 25/54 (DPL = 38/2484 exactly). From those counts, Clarify's
// arithmetic must give its JS, LP, TVD and KS (and Probity's correct mode the same, since
// both facets have both labels). CDDL (0.04) needs the group variable, which is not given.
TEST(ClarifyReconciliationTest, DataBiasGoodCase) {
  const nlohmann::json report = ReadJson("fairness/clarify/data_bias_good_case_analysis.json");
  const nlohmann::json& metrics = report["pre_training_bias_metrics"]["facets"]["F1"][0]["metrics"];
  const double ci = ClarifyMetric(metrics, "CI"), dpl = ClarifyMetric(metrics, "DPL");
  const double kl = ClarifyMetric(metrics, "KL");
  EXPECT_DOUBLE_EQ((1 - ci) / 2, 0.54);  // n_d/n
  auto kl_of = [dpl](double qa) {
    const double qd = qa - dpl;
    return qa * std::log(qa / qd) + (1 - qa) * std::log((1 - qa) / (1 - qd));
  };
  // KL decreases on (DPL, 0.5): bisect there for the first root.
  double lo = dpl + 1e-9, hi = 0.5;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (kl_of(mid) > kl ? lo : hi) = mid;
  }
  const double qa = 0.5 * (lo + hi);
  EXPECT_NEAR(qa * 46, 22, 1e-9);
  EXPECT_NEAR((qa - dpl) * 54, 25, 1e-9);

  const Comparison c{Group("F1 in (0.5, 0.99]", Conf(0, 0, 29, 25)),
                     Group("rest", Conf(0, 0, 24, 22))};
  MetricOptions compat;
  compat.clarify_compat = true;
  for (const MetricOptions& options : {compat, MetricOptions{}}) {
    const auto m = PairMetrics(c, Binary(false), options);
    for (const char* name : {"CI", "DPL", "KL", "JS", "LP", "TVD", "KS"}) {
      EXPECT_NEAR(ValueOf(m, name), ClarifyMetric(metrics, name), 1e-12)
          << name << (options.clarify_compat ? " (compat)" : "");
    }
  }
}

// clarify_bias.json (a model-card fixture of the SageMaker Python SDK) reports AD for the
// one-vs-rest facets Gender = 0 and Gender = 1 and CDDL for Gender = 0, without data. What
// can be checked: AD is ACC_a − ACC_d, so on a two-valued facet the two one-vs-rest AD values
// are exact negatives. The fixture reports the same value (−0.11416) for both, which no
// two-valued Gender can produce (it needs a third level, e.g. missing values, or is not real
// output); Probity's symmetry is asserted, and the file's magnitude is reproduced by a table
// with ACC_0 − ACC_1 = 0.11416. CDDL cannot be reproduced without the strata.
TEST(ClarifyReconciliationTest, ModelCardAccuracyDifferenceSymmetry) {
  const nlohmann::json report = ReadJson("fairness/clarify/clarify_bias.json");
  const auto& gender = report["post_training_bias_metrics"]["facets"]["Gender"];
  ASSERT_EQ(gender.size(), 2u);
  const double ad0 = ClarifyMetric(gender[0]["metrics"], "AD");
  const double ad1 = ClarifyMetric(gender[1]["metrics"], "AD");
  EXPECT_NEAR(ad0, ad1, 1e-13);  // the file's values: equal, not opposite

  // Gender = 0: 1000 rows, accuracy 0.5; Gender = 1: accuracy 0.5 + |AD| is not a whole
  // count, so compare the symmetry on counts and the value through a weighted table.
  const double gap = -ad0;  // ACC_1 − ACC_0 when d = 0
  const Confusion zero = Conf(250, 250, 250, 250);
  Confusion one = Conf(250, 250, 250, 250);
  one.tp += 1000 * gap / 2;
  one.tn += 1000 * gap / 2;
  one.fp -= 1000 * gap / 2;
  one.fn -= 1000 * gap / 2;
  const auto d0 = PairMetrics({Group("Gender=0", zero), Group("Gender=1", one)}, Binary(true), {});
  const auto d1 = PairMetrics({Group("Gender=1", one), Group("Gender=0", zero)}, Binary(true), {});
  EXPECT_NEAR(ValueOf(d0, "AD"), gap, 1e-12);
  EXPECT_NEAR(ValueOf(d0, "AD"), -ValueOf(d1, "AD"), 1e-15);
  EXPECT_NEAR(ValueOf(d1, "AD"), ad1, 1e-12);  // the Gender = 1 entry's value and sign
}

}  // namespace
}  // namespace probity::fairness
