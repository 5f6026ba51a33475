// The bias metrics of SageMaker Clarify, Fairlearn and AIF360, plus Probity's score and
// regression metrics, computed from group summaries (fairness/statistics.h). Each metric's
// formula, source, orientation and edge cases are in docs/fairness.md; names are the short
// codes of the tool each comes from. Undefined cases (0/0, an empty group, no positives)
// come back as MetricValue::Undefined with the reason — except in Clarify-compatible mode,
// which reproduces Clarify's own arithmetic (0/0 → 0, KL over the common support only).
//
//   Comparison c{.d = women, .a = rest};  // GroupSummary::name labels each side
//   std::vector<MetricResult> m = PairMetrics(c, layout, {});  // reference_group = rest.name
#pragma once

#include <span>
#include <string>
#include <vector>

#include "fairness/metric.h"
#include "fairness/statistics.h"

namespace probity::fairness {

enum class IntervalMethod { kNone, kWilson, kClopperPearson, kJeffreys };

struct MetricOptions {
  bool clarify_compat = false;    // Clarify's arithmetic for its metrics (docs/fairness.md)
  double ge_alpha = 2;            // generalized entropy α (Clarify's GE, AIF360's GE index)
  double sedf_concentration = 1;  // AIF360 smoothed EDF
  double bounded_group_loss = 0;  // regression: flag groups whose MSE exceeds this (0 = off)
  IntervalMethod intervals = IntervalMethod::kNone;  // rate CI; differences use Newcombe,
                                                     // ratios Katz, whatever is chosen here
  double confidence = 0.95;
  bool tests = true;  // attach a two-proportion z / Fisher test to rate differences
  // An aggregate over groups (Fairlearn's max − min, CDDL's strata) where some group's rate
  // is undefined: false = the aggregate is undefined, naming the groups and why; true = it
  // is computed over the groups where it is defined, and the description lists the others.
  bool skip_undefined_groups = false;
};

// One comparison: the sensitive group d (Clarify's facet d, AIF360's unprivileged u) against
// a (the rest, a reference group or the most favoured one; AIF360's privileged p).
struct Comparison {
  GroupSummary d;
  GroupSummary a;
};

// Per-group counts and rates, always reported (binary and multiclass-collapsed tasks).
// Rates are weighted; undefined ones carry the reason.
struct GroupRates {
  Confusion weighted, rows;
  double n = 0;  // weighted
  MetricValue selection_rate, tpr, fpr, tnr, fnr, ppv, npv, accuracy, base_rate;
  std::optional<Interval> selection_rate_interval, base_rate_interval;  // when asked
};
GroupRates RatesOf(const GroupSummary& group, const MetricOptions& options);

// Pairwise metrics in a fixed order: Clarify pre-training (CI, DPL, KL, JS, LP, TVD, KS,
// CDDL when there is a group variable), and with predictions Clarify post-training (DPPL,
// DI, DCAcc, DCR, SD, RD, DAR, DRR, AD, TE, CDDPL), AIF360's pair metrics
// (statistical_parity_difference, disparate_impact, average_odds_difference,
// average_abs_odds_difference, equal_opportunity_difference, error_rate_difference,
// false_positive_rate_difference...), and with scores the per-group AUC difference and the
// two-sample KS on score distributions. Regression tasks get the regression pair metrics
// (mean_prediction_difference/ratio, mae/rmse differences, KS on predictions).
std::vector<MetricResult> PairMetrics(const Comparison& comparison, const StatisticsLayout& layout,
                                      const MetricOptions& options);

// Metrics over all groups of a facet (or intersection) at once: Fairlearn's
// demographic_parity_difference/ratio, equalized_odds_difference/ratio (worst_case and
// mean), equal_opportunity_difference/ratio, and between_groups / to_overall aggregations
// of selection_rate, accuracy, tpr, fpr...; AIF360's between_group_generalized_entropy_index
// and between_group_theil_index, smoothed_empirical_differential_fairness; a chi-square
// test of independence of the outcome across groups; regression: bounded group loss.
// `overall` is all rows. Empty groups are reported in the reason, never silently skipped.
std::vector<MetricResult> MultiGroupMetrics(std::span<const GroupSummary> groups,
                                            const GroupSummary& overall,
                                            const StatisticsLayout& layout,
                                            const MetricOptions& options);

// Facet-independent metrics on all rows: Clarify's GE, AIF360's generalized_entropy_index,
// theil_index and coefficient_of_variation (b_i = ŷ_i − y_i + 1 takes three values, so
// these are functions of the confusion counts).
std::vector<MetricResult> DatasetMetrics(const GroupSummary& overall,
                                         const StatisticsLayout& layout,
                                         const MetricOptions& options);

}  // namespace probity::fairness
