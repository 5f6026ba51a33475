// The result types every fairness computation returns: a value that may be undefined (with
// the reason, never a silent 0 or NaN), an optional interval and significance test, and the
// metadata an auditor needs to read it (which group minus or over which, the ideal value,
// the tool the definition comes from).
//
//   MetricResult di{.name = "DI", .source = "clarify", .value = MetricValue::Of(0.71),
//                   .orientation = "d / a", .ideal = 1};
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace probity::fairness {

// A number, or "undefined" with the reason (0/0, an empty group, no positives...).
// A defined value may be ±infinity where the metric's definition says so (x/0 with x > 0,
// KL over a support mismatch); it is then reported as such, never truncated.
struct MetricValue {
  std::optional<double> value;
  std::string undefined_reason;  // non-empty exactly when !value

  static MetricValue Of(double v) { return MetricValue{v, {}}; }
  static MetricValue Undefined(std::string reason) {
    return MetricValue{std::nullopt, std::move(reason)};
  }
  bool defined() const { return value.has_value(); }
};

// A two-sided confidence interval. `method` names it: "wilson", "clopper-pearson",
// "jeffreys", "newcombe", "katz-log", "bootstrap-percentile", "bootstrap-bca".
struct Interval {
  double lower = 0;
  double upper = 0;
  double confidence = 0.95;
  std::string method;
  std::string note;  // e.g. the zero-cell correction applied, or replicates left undefined
};

// A significance test. `test` names it: "two-proportion-z", "fisher-exact",
// "chi-square-independence". p_adjusted is set after a multiplicity correction
// (`correction` = "holm").
struct TestResult {
  std::string test;
  double statistic = 0;  // z, the odds ratio (Fisher), or X²
  double p_value = 1;
  std::optional<double> degrees_of_freedom;
  std::optional<double> p_adjusted;
  std::string correction;
};

// One metric, as reported.
struct MetricResult {
  std::string name;         // the short code of the tool it comes from: "DI", "DPPL",
                            // "demographic_parity_difference", "theil_index"...
  std::string source;       // "clarify", "fairlearn", "aif360", "probity"
  std::string stage;        // "pre-training" (labels only), "post-training" (predictions),
                            // "score", "regression", "dataset", "multi-group",
                            // "individual" (kNN consistency)
  std::string description;  // one line, e.g. "Disparate impact: q̂_d / q̂_a"
  MetricValue value;
  std::string orientation;  // how the groups enter: "a − d", "d / a", "max − min", "u − p"
  std::string reference_group;  // the group the other is compared with ("" when n/a)
  double ideal = 0;             // the value of a perfectly fair outcome
  std::optional<Interval> interval;
  std::optional<TestResult> test;
  // True when the value is a function of the confusion counts alone, so the
  // contingency-table bootstrap applies (score and kNN metrics are not).
  bool count_based = false;
};

}  // namespace probity::fairness
