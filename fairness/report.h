// Turning FairnessStatistics into the fairness report: per facet (and per intersection) the
// groups' counts and rates, one comparison per group pair the options ask for with every
// pairwise metric, the metrics over all groups, the dataset metrics, intervals (analytic
// or a contingency-table bootstrap) and the JSON document `probity fairness --json` prints
// (docs/formats/fairness.md, schema probity.fairness/1). This is the library entry point a
// pipeline step wraps: statistics in, report out.
//
//   PROBITY_ASSIGN_OR_RETURN(FairnessReport r, Analyze(stats, {.facets = specs}));
//   std::cout << DumpJson(ReportToJson(r));
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/core/result.h"
#include "fairness/bootstrap.h"
#include "fairness/collect.h"
#include "fairness/metrics.h"
#include "fairness/statistics.h"

namespace probity::fairness {

// Which comparisons each facet gets when no sensitive value set is given.
enum class CompareMode {
  kRest,          // each group vs all other rows (Clarify's one-vs-rest)
  kReference,     // each group vs a named reference group
  kMostFavoured,  // each group vs the group with the highest selection (or base) rate
};
std::string_view CompareModeName(CompareMode mode);  // "rest", "reference", "most-favoured"

enum class BootstrapMethod { kPercentile, kBca };

struct AnalysisOptions {
  MetricOptions metrics;
  // The facets as collected (their sensitive value sets and bins); one per layout facet.
  std::vector<FacetSpec> facets;
  CompareMode compare = CompareMode::kRest;
  std::map<std::string, std::string> reference;  // facet column -> reference level
  bool intersect = false;                        // also analyse the intersection of all facets
  int64_t min_group_size = 30;                   // smaller groups are flagged "small"
  std::vector<std::string> metric_names;         // report only these (empty = all)
  std::optional<BootstrapOptions> bootstrap;     // replace analytic intervals by a bootstrap
  BootstrapMethod bootstrap_method = BootstrapMethod::kBca;
  int calibration_bins = 10;
};

struct GroupReport {
  std::string group;  // the level ("female"), or levels joined by " & " for intersections
  GroupSummary summary;
  GroupRates rates;
  bool small = false;
  // Score-based, when the layout has scores.
  MetricValue auc, brier;
  std::optional<Calibration> calibration;
  // Regression: mean prediction, MAE, RMSE.
  MetricValue mean_prediction, mae, rmse;
  // Multiclass: rates per class, in layout.classes order.
  std::vector<GroupRates> class_rates;
};

struct ComparisonReport {
  std::string d;
  std::string a;
  std::string cls;  // multiclass: the class taken as favourable ("" otherwise)
  std::vector<MetricResult> metrics;
};

struct FacetReport {
  std::string facet;                 // "sex", or "sex × race" for an intersection
  std::vector<std::string> columns;  // the facet columns it is made of
  std::vector<GroupReport> groups;
  std::vector<std::string> empty_groups;  // intersections with no rows (listed, not dropped)
  std::vector<ComparisonReport> comparisons;
  std::vector<MetricResult> metrics;  // over all groups
  // With a group variable: the same metrics within each of its levels (Fairlearn's
  // control features), in the order the levels were first seen.
  struct ControlLevel {
    std::string level;
    std::vector<MetricResult> metrics;
  };
  std::vector<ControlLevel> control;
};

struct FairnessReport {
  StatisticsLayout layout;
  RowCounts rows;
  AnalysisOptions options;
  std::vector<FacetReport> facets;
  std::vector<MetricResult> dataset_metrics;
  std::optional<BootstrapResult> bootstrap;  // how the bootstrap intervals were drawn
  std::vector<std::string> warnings;
};

// Errors (kInvalidArgument): a facet with a single value (nothing to compare), a sensitive
// value or reference level the data does not have, a label with no favourable (or no
// unfavourable) row in a binary analysis, no row left after the exclusions.
Result<FairnessReport> Analyze(const FairnessStatistics& statistics,
                               const AnalysisOptions& options);

// The probity.fairness/1 document (without the "data" and "model" blocks, which the caller
// adds).
nlohmann::ordered_json ReportToJson(const FairnessReport& report);

// The report as SageMaker Clarify's analysis.json (pre_training_bias_metrics and
// post_training_bias_metrics, one entry per one-vs-rest value, Clarify's metric names only;
// infinities as the string "Infinity", undefined values as null with an "error").
nlohmann::ordered_json ClarifyAnalysisJson(const FairnessReport& report);

// A short human summary for a terminal: per facet the groups' sizes and rates and the
// headline metrics of each comparison.
std::string RenderText(const FairnessReport& report);

// Serializes one metric record as in the report (shared with the legal tables' JSON).
nlohmann::ordered_json MetricToJson(const MetricResult& metric);
nlohmann::ordered_json IntervalToJson(const Interval& interval);
nlohmann::ordered_json TestToJson(const TestResult& test);
// object[key] = the value, or null with a sibling "<key>_reason" when undefined.
void PutMetricValue(nlohmann::ordered_json& object, const std::string& key,
                    const MetricValue& value);

}  // namespace probity::fairness
