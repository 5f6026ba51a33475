// What would fix a disparity: Kamiran & Calders reweighing (instance weights a trainer can
// take as a dataset column) and group-specific thresholds on a score that satisfy a parity
// constraint within a tolerance while maximising accuracy (the idea of Fairlearn's
// ThresholdOptimizer, without randomisation). docs/fairness.md §Mitigation.
//
//   std::vector<ReweighingCell> w = Reweighing(groups);
//   ThresholdPlan plan = OptimizeThresholds(groups, Constraint::kDemographicParity, 0.01);
#pragma once

#include <string>
#include <vector>

#include "fairness/metric.h"
#include "fairness/statistics.h"

namespace probity::fairness {

// W(group, label) = n_group · n_label / (n · n_{group,label}) over weighted counts.
struct ReweighingCell {
  std::string group;
  bool favourable = false;  // the label
  double weight = 0;        // the summed instance weight in the cell before reweighing
  MetricValue factor;       // W; undefined when the cell is empty
};
// `groups` are disjoint and together cover all rows (binary task; labels from the
// Confusion's positives/negatives).
std::vector<ReweighingCell> Reweighing(const std::vector<GroupSummary>& groups);

enum class Constraint { kDemographicParity, kEqualOpportunity, kEqualizedOdds };
std::string_view ConstraintName(Constraint constraint);  // "demographic_parity", ...

struct GroupThreshold {
  std::string group;
  double threshold = 0.5;  // predict favourable when score > threshold
  MetricValue selection_rate, tpr, fpr, accuracy;
};

struct ThresholdPlan {
  Constraint constraint = Constraint::kDemographicParity;
  double tolerance = 0;
  bool feasible = false;  // a threshold set within tolerance was found
  std::vector<GroupThreshold> groups;
  MetricValue accuracy;           // overall, with the group thresholds
  MetricValue baseline_accuracy;  // overall, with one threshold (`baseline_threshold`) for all
  double baseline_threshold = 0.5;
  MetricValue disparity;  // the constrained quantity's max − min across groups
  MetricValue baseline_disparity;
  // True when the search is proven optimal (always for demographic parity and equal
  // opportunity; for equalized odds while the exhaustive sweep fits its budget), else
  // `search_note` says how the search was restricted.
  bool exact = true;
  std::string search_note;
};

// Searches thresholds among each group's distinct score values (exact while the sketches
// are exact). Uses GroupSummary::scores (by label). Groups with no scores are reported with
// undefined rates and keep the baseline threshold.
//
// The search sweeps a lower bound L over every value the constrained rate takes in any group
// and, for each L, gives every group its most accurate threshold whose rate lies in
// [L, L + tolerance]; the best L wins. Any feasible threshold set has its smallest rate among
// the swept values, so the result is optimal (overall weighted accuracy) among deterministic
// group thresholds: O(G·(U + C)) for one rate (U distinct rates, C candidate thresholds).
// Equalized odds sweeps pairs (TPR bound, FPR bound): exact while U_tpr·(G·U_fpr + C) stays
// under 10^8 steps, otherwise the TPR bounds are thinned to an even subset (`exact` false).
// A group whose constrained rate is undefined (no favourable labels for the TPR, none
// unfavourable for the FPR) is unconstrained in that rate.
ThresholdPlan OptimizeThresholds(const std::vector<GroupSummary>& groups, Constraint constraint,
                                 double tolerance, double baseline_threshold = 0.5);

}  // namespace probity::fairness
