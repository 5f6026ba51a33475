#include "fairness/mitigation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

namespace probity::fairness {
namespace {

GroupSummary LabelCounts(std::string name, double favourable, double unfavourable) {
  GroupSummary g;
  g.name = std::move(name);
  g.weighted.fn = favourable;  // labels only: every row recorded as predicted negative
  g.weighted.tn = unfavourable;
  return g;
}

// ---- Reweighing ----------------------------------------------------------------------

TEST(ReweighingTest, FactorsMatchKamiranCaldersByHand) {
  // n = 200, n_fav = 90, n_unf = 110; W = n_group · n_label / (n · n_cell).
  std::vector<ReweighingCell> cells =
      Reweighing({LabelCounts("A", 30, 70), LabelCounts("B", 60, 40)});
  ASSERT_EQ(cells.size(), 4u);
  EXPECT_EQ(cells[0].group, "A");
  EXPECT_TRUE(cells[0].favourable);
  EXPECT_DOUBLE_EQ(cells[0].weight, 30);
  EXPECT_DOUBLE_EQ(*cells[0].factor.value, 100.0 * 90 / (200 * 30));   // 1.5
  EXPECT_DOUBLE_EQ(*cells[1].factor.value, 100.0 * 110 / (200 * 70));  // 0.7857…
  EXPECT_DOUBLE_EQ(*cells[2].factor.value, 100.0 * 90 / (200 * 60));   // 0.75
  EXPECT_DOUBLE_EQ(*cells[3].factor.value, 100.0 * 110 / (200 * 40));  // 1.375
}

TEST(ReweighingTest, WeightedStatisticalParityDifferenceIsZeroAfterReweighing) {
  // Weighted (non-integer) counts, three groups.
  std::vector<GroupSummary> groups = {LabelCounts("A", 12.5, 40.25), LabelCounts("B", 33, 7.75),
                                      LabelCounts("C", 5, 20)};
  std::vector<ReweighingCell> cells = Reweighing(groups);
  ASSERT_EQ(cells.size(), 6u);
  // P(favourable | group) with every instance weight multiplied by its cell's factor.
  std::vector<double> rates;
  for (size_t g = 0; g < groups.size(); ++g) {
    const ReweighingCell& fav = cells[2 * g];
    const ReweighingCell& unf = cells[2 * g + 1];
    ASSERT_TRUE(fav.favourable);
    ASSERT_FALSE(unf.favourable);
    double f = *fav.factor.value * fav.weight;
    double u = *unf.factor.value * unf.weight;
    rates.push_back(f / (f + u));
  }
  const double overall = (12.5 + 33 + 5) / (12.5 + 40.25 + 33 + 7.75 + 5 + 20);
  for (double r : rates) EXPECT_NEAR(r, overall, 1e-12);
  EXPECT_NEAR(rates[0] - rates[1], 0, 1e-12);  // SPD (u − p) = 0
}

TEST(ReweighingTest, EmptyCellIsUndefined) {
  std::vector<ReweighingCell> cells = Reweighing({LabelCounts("A", 0, 10), LabelCounts("B", 5, 5)});
  EXPECT_FALSE(cells[0].factor.defined());
  EXPECT_EQ(cells[0].factor.undefined_reason, "empty cell: no favourable labels in the group");
  EXPECT_TRUE(cells[1].factor.defined());
  EXPECT_DOUBLE_EQ(*cells[1].factor.value, 10.0 * 15 / (20 * 10));
}

// ---- OptimizeThresholds --------------------------------------------------------------

struct Row {
  double score;
  bool label;
  double weight;
};

GroupSummary Scored(std::string name, const std::vector<Row>& rows) {
  GroupSummary g;
  g.name = std::move(name);
  for (const Row& r : rows) g.scores[r.label ? 1 : 0].Add(r.score, r.weight);
  return g;
}

TEST(OptimizeThresholdsTest, ConstraintNames) {
  EXPECT_EQ(ConstraintName(Constraint::kDemographicParity), "demographic_parity");
  EXPECT_EQ(ConstraintName(Constraint::kEqualOpportunity), "equal_opportunity");
  EXPECT_EQ(ConstraintName(Constraint::kEqualizedOdds), "equalized_odds");
}

TEST(OptimizeThresholdsTest, DemographicParityByHand) {
  // A: scores .2(0) .4(0) .6(1) .8(1); B: .1(0) .3(1) .35(0) .7(1).
  // Baseline 0.5: A selects 2/4 (all right), B selects 1/4 (.7; .3 missed): accuracy 7/8,
  // selection rates .5 and .25. With tolerance 0 the best equal-rate plan: A > .4 (rate .5,
  // 4 right), B > .1 (rate .75: .3, .35, .7 → 3 right) or B > .3 (rate .5: .35, .7 → 2 right).
  // Best: rate .5 in both (4 + 2) vs rate .75 (A > .2: 3 right; B > .1: 3 right) = 6 either
  // way; rate .25 (A > .6: 3; B > .35: 3) = 6 as well. Accuracy 6/8.
  std::vector<GroupSummary> groups = {
      Scored("A", {{.2, false, 1}, {.4, false, 1}, {.6, true, 1}, {.8, true, 1}}),
      Scored("B", {{.1, false, 1}, {.3, true, 1}, {.35, false, 1}, {.7, true, 1}})};
  ThresholdPlan plan = OptimizeThresholds(groups, Constraint::kDemographicParity, 0);
  EXPECT_TRUE(plan.feasible);
  EXPECT_TRUE(plan.exact);
  EXPECT_DOUBLE_EQ(*plan.baseline_accuracy.value, 7.0 / 8);
  EXPECT_DOUBLE_EQ(*plan.baseline_disparity.value, 0.25);
  EXPECT_DOUBLE_EQ(*plan.accuracy.value, 6.0 / 8);
  EXPECT_DOUBLE_EQ(*plan.disparity.value, 0);
  EXPECT_DOUBLE_EQ(*plan.groups[0].selection_rate.value, *plan.groups[1].selection_rate.value);

  // With tolerance .25 the baseline itself is allowed.
  ThresholdPlan loose = OptimizeThresholds(groups, Constraint::kDemographicParity, 0.25);
  EXPECT_DOUBLE_EQ(*loose.accuracy.value, 7.0 / 8);
}

TEST(OptimizeThresholdsTest, GroupWithoutScoresKeepsTheBaselineThreshold) {
  std::vector<GroupSummary> groups = {Scored("A", {{.2, false, 1}, {.8, true, 1}}),
                                      Scored("empty", {})};
  ThresholdPlan plan = OptimizeThresholds(groups, Constraint::kEqualOpportunity, 0, 0.4);
  ASSERT_EQ(plan.groups.size(), 2u);
  EXPECT_EQ(plan.groups[1].group, "empty");
  EXPECT_DOUBLE_EQ(plan.groups[1].threshold, 0.4);
  EXPECT_FALSE(plan.groups[1].tpr.defined());
  EXPECT_EQ(plan.groups[1].tpr.undefined_reason, "no scores in the group");
  EXPECT_DOUBLE_EQ(*plan.accuracy.value, 1.0);
}

TEST(OptimizeThresholdsTest, InvalidToleranceIsInfeasible) {
  std::vector<GroupSummary> groups = {Scored("A", {{.2, false, 1}, {.8, true, 1}})};
  for (double tolerance : {-0.1, std::nan("")}) {
    ThresholdPlan plan = OptimizeThresholds(groups, Constraint::kDemographicParity, tolerance);
    EXPECT_FALSE(plan.feasible);
    EXPECT_EQ(plan.accuracy.undefined_reason, "the tolerance is not a non-negative number");
    EXPECT_DOUBLE_EQ(*plan.baseline_accuracy.value, 1.0);
  }
}

TEST(OptimizeThresholdsTest, NegativeInfinityThresholdSelectsEveryone) {
  // Only favourable labels: the most accurate threshold selects every row.
  ThresholdPlan plan = OptimizeThresholds({Scored("A", {{.2, true, 1}, {.3, true, 2}})},
                                          Constraint::kDemographicParity, 0);
  EXPECT_EQ(plan.groups[0].threshold, -std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(*plan.accuracy.value, 1.0);
}

// Brute-force oracle: every combination of per-group thresholds (−∞ and each distinct score
// of the group's raw rows), predicted favourable when score > threshold; the best weighted
// accuracy among combinations whose constrained spread is within tolerance (+1e-12, the
// rounding the search allows).
struct OracleResult {
  bool feasible = false;
  double accuracy = -1;
};

OracleResult BruteForce(const std::vector<std::vector<Row>>& data, Constraint constraint,
                        double tolerance) {
  std::vector<std::vector<double>> thresholds;
  double total_weight = 0;
  for (const auto& rows : data) {
    std::set<double> values = {-std::numeric_limits<double>::infinity()};
    for (const Row& r : rows) {
      values.insert(r.score);
      total_weight += r.weight;
    }
    thresholds.emplace_back(values.begin(), values.end());
  }
  OracleResult best;
  std::vector<size_t> pick(data.size(), 0);
  while (true) {
    double correct = 0;
    std::vector<double> sel, tpr, fpr;
    for (size_t g = 0; g < data.size(); ++g) {
      double t = thresholds[g][pick[g]], tp = 0, fp = 0, pos = 0, neg = 0, w = 0;
      for (const Row& r : data[g]) {
        bool predicted = r.score > t;
        w += r.weight;
        (r.label ? pos : neg) += r.weight;
        if (predicted && r.label) tp += r.weight;
        if (predicted && !r.label) fp += r.weight;
        if (predicted == r.label) correct += r.weight;
      }
      if (w > 0) sel.push_back((tp + fp) / w);
      if (pos > 0) tpr.push_back(tp / pos);
      if (neg > 0) fpr.push_back(fp / neg);
    }
    auto spread = [](const std::vector<double>& v) {
      return v.empty()
                 ? 0.0
                 : *std::max_element(v.begin(), v.end()) - *std::min_element(v.begin(), v.end());
    };
    double disparity = constraint == Constraint::kDemographicParity ? spread(sel)
                       : constraint == Constraint::kEqualOpportunity
                           ? spread(tpr)
                           : std::max(spread(tpr), spread(fpr));
    if (disparity <= tolerance + 1e-12) {
      best.feasible = true;
      best.accuracy = std::max(best.accuracy, correct / total_weight);
    }
    size_t g = 0;
    while (g < pick.size() && ++pick[g] == thresholds[g].size()) pick[g++] = 0;
    if (g == pick.size()) break;
  }
  return best;
}

TEST(OptimizeThresholdsTest, MatchesBruteForceOracleOnRandomCases) {
  std::mt19937_64 rng(20261129);
  const Constraint constraints[] = {Constraint::kDemographicParity, Constraint::kEqualOpportunity,
                                    Constraint::kEqualizedOdds};
  const double tolerances[] = {0, 0.05, 0.2};
  int cases = 0;
  for (int trial = 0; trial < 300; ++trial) {
    int num_groups = 2 + static_cast<int>(rng() % 2);
    std::vector<std::vector<Row>> data(num_groups);
    std::vector<GroupSummary> groups;
    for (int g = 0; g < num_groups; ++g) {
      int rows = 1 + static_cast<int>(rng() % 6);
      for (int r = 0; r < rows; ++r) {
        // Few distinct scores so that ties occur; integer or fractional weights.
        data[g].push_back(Row{static_cast<double>(rng() % 6) / 5, rng() % 2 == 0,
                              trial % 2 == 0 ? 1.0 : 0.5 + static_cast<double>(rng() % 4)});
      }
      groups.push_back(Scored("g" + std::to_string(g), data[g]));
    }
    for (Constraint constraint : constraints) {
      for (double tolerance : tolerances) {
        OracleResult oracle = BruteForce(data, constraint, tolerance);
        ThresholdPlan plan = OptimizeThresholds(groups, constraint, tolerance);
        SCOPED_TRACE(testing::Message() << "trial " << trial << " " << ConstraintName(constraint)
                                        << " tol " << tolerance);
        ASSERT_EQ(plan.feasible, oracle.feasible);
        EXPECT_TRUE(plan.exact);
        if (!oracle.feasible) continue;
        EXPECT_NEAR(*plan.accuracy.value, oracle.accuracy, 1e-12);
        if (plan.disparity.defined()) {
          EXPECT_LE(*plan.disparity.value, tolerance + 1e-9);
        }
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 300 * 9);  // every case has a feasible plan (all or nobody selected)
}

TEST(OptimizeThresholdsTest, LargeEqualizedOddsSearchIsThinnedAndSaysSo) {
  // Two groups of 8000 distinct scores with alternating labels: 4001 distinct TPR and FPR
  // values per group, far over the 10^8-step budget of the exhaustive pair sweep.
  std::vector<GroupSummary> groups;
  for (int g = 0; g < 2; ++g) {
    std::vector<Row> rows;
    for (int i = 0; i < 8000; ++i) {
      rows.push_back(Row{(i + 0.5 * g) / 8000.0, (i * 7 + g) % 3 != 0, 1});
    }
    groups.push_back(Scored("g" + std::to_string(g), rows));
  }
  ThresholdPlan plan = OptimizeThresholds(groups, Constraint::kEqualizedOdds, 0.01);
  EXPECT_TRUE(plan.feasible);
  EXPECT_FALSE(plan.exact);
  EXPECT_NE(plan.search_note.find("TPR lower bound"), std::string::npos) << plan.search_note;
  EXPECT_LE(*plan.disparity.value, 0.01 + 1e-9);
}

}  // namespace
}  // namespace probity::fairness
