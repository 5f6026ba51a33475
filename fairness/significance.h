// Significance tests for differences in rates between groups, and multiplicity correction.
// Checked against scipy.stats on generated cases (tests/fairness/significance_test.cc).
//
//   TestResult t = CompareRates(30, 100, 12, 80);  // z-test, or Fisher when a count is small
#pragma once

#include <span>
#include <vector>

#include "fairness/metric.h"

namespace probity::fairness {

// Pooled two-proportion z-test of x1/n1 vs x2/n2, two-sided. statistic = z (positive when
// the first rate is higher). Requires n1, n2 > 0; a pooled rate of 0 or 1 gives z = 0, p = 1.
TestResult TwoProportionZTest(double x1, double n1, double x2, double n2);

// Fisher's exact test on the 2×2 table [[x1, n1 − x1], [x2, n2 − x2]], two-sided by summing
// the probabilities of tables no more likely than the observed one (with scipy's relative
// tolerance 1 + 1e-7). statistic = the sample odds ratio (may be inf). Counts are rounded to
// integers.
TestResult FisherExactTest(int64_t x1, int64_t n1, int64_t x2, int64_t n2);

// The z-test, or Fisher's exact test when any expected count of the 2×2 table is below 5.
TestResult CompareRates(double x1, double n1, double x2, double n2);

// Pearson's chi-square test of independence on a k×c table of counts (rows = groups),
// without continuity correction; rows and columns that are all zero are dropped first
// (the degrees of freedom say what was kept). Requires at least 2 rows and 2 columns left,
// else p = 1 with df = 0.
TestResult ChiSquareIndependence(std::span<const std::vector<double>> table);

// Holm's step-down correction: sets p_adjusted and correction = "holm" on every test.
void HolmCorrection(std::span<TestResult*> tests);

}  // namespace probity::fairness
