// Confidence intervals for the quantities fairness metrics are made of: a rate x/n, the
// difference of two rates, and the ratio of two rates. Formulas and their sources are in
// docs/fairness.md §Intervals; every function is checked against scipy.stats on generated
// cases (tests/fairness/intervals_test.cc, fixtures made by tests/fairness/make_stats_fixtures.py).
//
//   Interval ci = WilsonInterval(12, 40, 0.95);          // [0.18, 0.46]
//   Interval di = KatzRatioInterval(12, 40, 30, 50, 0.95);
#pragma once

#include <optional>

#include "fairness/metric.h"

namespace probity::fairness {

// z = Φ⁻¹(1 − (1 − confidence)/2), from Boost.Math.
double NormalQuantileForConfidence(double confidence);

// Rate intervals for x successes in n trials (0 ≤ x ≤ n, n > 0; x and n may be non-integer
// weights for Wilson). nullopt when n == 0.
std::optional<Interval> WilsonInterval(double x, double n, double confidence);
std::optional<Interval> ClopperPearsonInterval(double x, double n, double confidence);
std::optional<Interval> JeffreysInterval(double x, double n, double confidence);

// Newcombe's hybrid score interval (method 10 of Newcombe 1998) for p1 − p2, from the two
// Wilson intervals. nullopt when n1 or n2 is 0.
std::optional<Interval> NewcombeDifferenceInterval(double x1, double n1, double x2, double n2,
                                                   double confidence);

// Katz's log interval for (x1/n1)/(x2/n2). Zero-cell rule (stated in Interval::note):
// when x1 or x2 is 0, 0.5 is added to x1, x2, n1 and n2 (the Haldane–Anscombe correction).
// nullopt when n1 or n2 is 0, or both x1 and x2 are 0.
std::optional<Interval> KatzRatioInterval(double x1, double n1, double x2, double n2,
                                          double confidence);

}  // namespace probity::fairness
