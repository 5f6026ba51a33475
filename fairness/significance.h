// Significance tests for differences in rates between groups, and multiplicity correction.
// Checked against scipy.stats on generated cases (tests/fairness/significance_test.cc).
//
//   TestResult t = CompareRates(30, 100, 12, 80);  // z-test, or Fisher when a count is small
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "fairness/metric.h"

namespace probity::fairness {

// Pooled two-proportion z-test of x1/n1 vs x2/n2, two-sided:
//   z = (x1/n1 − x2/n2) / √(p̄(1 − p̄)(1/n1 + 1/n2)), p̄ = (x1 + x2)/(n1 + n2),
//   p = erfc(|z|/√2).
// statistic = z (positive when the first rate is higher). Requires n1, n2 > 0 and
// 0 ≤ x ≤ n; otherwise, and when p̄ is 0 or 1, the result is z = 0, p = 1.
TestResult TwoProportionZTest(double x1, double n1, double x2, double n2);

// Fisher's exact test on the 2×2 table [[x1, n1 − x1], [x2, n2 − x2]], two-sided, computed
// step for step as scipy.stats.fisher_exact (scipy 1.10) computes it: the tables no more
// likely than the observed one, with scipy's relative tolerance — a table counts when its
// probability is ≤ the observed one × (1 + 1e-14) — found by binary search beyond the mode
// and summed as tails of the hypergeometric law. That law is Boost's (as in scipy) for
// n1 + n2 ≤ 104,729, and Loader's (2000) saddle-point pmf (as R's dhyper) with tail sums
// above, where Boost's pdf takes time proportional to n1 + n2. statistic = the sample odds
// ratio x1(n2 − x2) / (x2(n1 − x1)), inf when x2 or n1 − x1 is 0 (as scipy). A row or
// column that is all zero gives statistic NaN and p = 1 (scipy's answer), as does a count
// out of range (x < 0 or x > n). Tables with n1 + n2 above 2^53 get TwoProportionZTest
// instead, named "two-proportion-z". Cost: O(log n) pmf evaluations plus tail sums of
// O(standard deviation) terms.
TestResult FisherExactTest(int64_t x1, int64_t n1, int64_t x2, int64_t n2);

// The z-test, or Fisher's exact test (test = "fisher-exact") when any expected count
// row total × column total / (n1 + n2) of the 2×2 table is below 5; Fisher's test gets the
// counts rounded to the nearest integer (the z-test is used above 2^53 rows). An empty group
// or an impossible rate (x < 0, x > n, not finite) gives Fisher's answer for a table with an
// empty row: statistic NaN, p = 1.
TestResult CompareRates(double x1, double n1, double x2, double n2);

// Pearson's chi-square test of independence on a k×c table of counts (rows = groups),
// without continuity correction: X² = Σ (O − E)²/E with E = row total × column total /
// total, df = (k − 1)(c − 1), p = Q(df/2, X²/2) (Boost's gamma_q) — as
// scipy.stats.chi2_contingency(table, correction=False) on the kept rows and columns.
// Rows and columns that are all zero are dropped first (the degrees of freedom say what was
// kept); a row shorter than the longest counts as zeros there. Requires at least 2 rows and
// 2 columns left, else statistic 0, p = 1 with df = 0 — also the answer for a table with a
// negative or non-finite entry, or with counts so large (near 1e308) that the arithmetic
// overflows.
TestResult ChiSquareIndependence(std::span<const std::vector<double>> table);

// Holm's (1979) step-down correction: sets p_adjusted and correction = "holm" on every
// test. With the m p-values in ascending order p_(1) ≤ … ≤ p_(m) (ties keep their input
// order; a NaN p-value counts as 1), p_adjusted_(i) = max over j ≤ i of
// min(1, (m − j + 1)·p_(j)) — monotone and capped at 1. Null pointers are skipped and not
// counted in m.
void HolmCorrection(std::span<TestResult*> tests);

}  // namespace probity::fairness
