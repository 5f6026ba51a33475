// Confidence intervals for the quantities fairness metrics are made of: a rate x/n, the
// difference of two rates, and the ratio of two rates. Formulas and their sources are in
// docs/fairness.md §Intervals; every function is checked against scipy.stats on generated
// cases (tests/fairness/intervals_test.cc, fixtures made by tests/fairness/make_stats_fixtures.py).
//
//   std::optional<Interval> ci = WilsonInterval(12, 40, 0.95);  // [0.181, 0.454]
//   std::optional<Interval> di = KatzRatioInterval(12, 40, 30, 50, 0.95);  // [0.296, 0.845]
#pragma once

#include <optional>

#include "fairness/metric.h"

namespace probity::fairness {

// z = Φ⁻¹(1 − (1 − confidence)/2), from Boost.Math (as the upper (1 − confidence)/2
// quantile). NaN unless 0 < confidence < 1.
double NormalQuantileForConfidence(double confidence);

// Rate intervals for x successes in n trials. nullopt when n == 0, and for input no rate
// can have: x < 0, x > n, n < 0, a value not finite, or confidence outside (0, 1).
// - Wilson (1927): (2x + z² ± z·√(4x(n − x)/n + z²)) / (2(n + z²)), written as
//   scipy.stats.binomtest(...).proportion_ci(method="wilson") writes it; x and n may be
//   non-integer weights. Lower bound exactly 0 at x = 0, upper exactly 1 at x = n.
// - Clopper–Pearson (1934): [B⁻¹(α/2; x, n − x + 1), B⁻¹(1 − α/2; x + 1, n − x)] with
//   α = 1 − confidence; 0 at x = 0 and 1 at x = n (scipy's method="exact").
// - Jeffreys (Brown, Cai & DasGupta 2001): the α/2 and 1 − α/2 quantiles of
//   Beta(x + ½, n − x + ½), with their convention lower = 0 at x = 0 and upper = 1 at
//   x = n (scipy has no Jeffreys interval).
// Clopper–Pearson and Jeffreys evaluate the beta quantiles at non-integer x, n as given;
// they are nullopt for n above 2^53 (where Boost's beta quantiles lose accuracy) and when
// Boost cannot evaluate a quantile. Wilson has no such limit.
std::optional<Interval> WilsonInterval(double x, double n, double confidence);
std::optional<Interval> ClopperPearsonInterval(double x, double n, double confidence);
std::optional<Interval> JeffreysInterval(double x, double n, double confidence);

// Newcombe's hybrid score interval (method 10 of Newcombe 1998) for p1 − p2, from the two
// Wilson intervals [l1, u1] and [l2, u2]:
//   [p1 − p2 − √((p1 − l1)² + (u2 − p2)²), p1 − p2 + √((u1 − p1)² + (p2 − l2)²)].
// nullopt when n1 or n2 is 0 or either rate is invalid (as for WilsonInterval).
std::optional<Interval> NewcombeDifferenceInterval(double x1, double n1, double x2, double n2,
                                                   double confidence);

// Katz's log interval (Katz et al. 1978) for (x1/n1)/(x2/n2):
//   exp(ln((x1/n1)/(x2/n2)) ± z·√(1/x1 − 1/n1 + 1/x2 − 1/n2)).
// Zero-cell rule (stated in Interval::note): when x1 or x2 is 0, 0.5 is added to x1, x2,
// n1 and n2 (the Haldane–Anscombe-style correction) before the formula is applied.
// nullopt when n1 or n2 is 0, both x1 and x2 are 0, or a rate is invalid.
std::optional<Interval> KatzRatioInterval(double x1, double n1, double x2, double n2,
                                          double confidence);

}  // namespace probity::fairness
