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
};

// Searches thresholds among each group's distinct score values (exact while the sketches
// are exact). Uses GroupSummary::scores (by label). Groups with no scores are reported with
// undefined rates and keep the baseline threshold.
ThresholdPlan OptimizeThresholds(const std::vector<GroupSummary>& groups, Constraint constraint,
                                 double tolerance, double baseline_threshold = 0.5);

}  // namespace probity::fairness
