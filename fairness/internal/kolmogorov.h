// The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n for a
// finite n, as scipy.stats.kstwo computes it (scipy 1.10: Simard & L'Ecuyer's choice among
// the Ruben–Gambino ends, Durbin's matrix as coded by Marsaglia–Tsang–Wang, Pomeranz's
// recursion, the Pelz–Good expansion and twice the one-sided Smirnov tail). It gives the
// asymptotic p-value of scipy's ks_2samp(method="asymp"): kstwo.sf(d, round(n1·n2/(n1+n2))).
//
//   double p = internal::KolmogorovSurvival(en, d);
#pragma once

#include <cstdint>

namespace probity::fairness::internal {

// Pr(D_n > d) for n >= 1 (scipy.stats.kstwo.sf(d, n)); 1 for d <= 1/(2n), 0 for d >= 1.
// Agrees with scipy to 1e-12 relative, or 2e-15 absolute where both compute 1 − CDF
// (different summation orders; the one-sided tail is summed in long double where scipy
// uses double-double). Microseconds to milliseconds, except the exact Smirnov sum for
// 1e5 < n <= 1e6 and p below about 0.025: up to about a second (scipy's takes as long).
double KolmogorovSurvival(int64_t n, double d);

// Pr(D_n^+ >= d), the one-sided Smirnov tail (scipy.special.smirnov(n, d)).
double SmirnovSurvival(int64_t n, double d);

}  // namespace probity::fairness::internal
