#include "fairness/intervals.h"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "fairness/internal/math_policy.h"

namespace probity::fairness {
namespace {

using internal::MathPolicy;

bool ValidConfidence(double confidence) { return confidence > 0 && confidence < 1; }

// Beyond 2^53 counts are no longer exact in a double and Boost's beta quantiles drift (0.2%
// of the interval's half-width at n = 1e18, wrong at 1e50).
constexpr double kMaxBetaCount = 0x1p53;

// 0 ≤ x ≤ n < ∞ and n > 0.
bool ValidRate(double x, double n) {
  return std::isfinite(x) && std::isfinite(n) && n > 0 && x >= 0 && x <= n;
}

// nullopt when Boost could not evaluate a bound (NaN; only for counts far beyond any data
// set, such as n = 1e300).
std::optional<Interval> MakeInterval(double lower, double upper, double confidence,
                                     const char* method) {
  if (std::isnan(lower) || std::isnan(upper)) return std::nullopt;
  Interval interval;
  interval.lower = lower;
  interval.upper = upper;
  interval.confidence = confidence;
  interval.method = method;
  return interval;
}

// Quantile `p` and upper quantile `1 − q` of Beta(a, b) (the complement keeps the upper
// bound accurate when q is small).
double BetaQuantile(double a, double b, double p) {
  return boost::math::quantile(boost::math::beta_distribution<double, MathPolicy>(a, b), p);
}
double BetaUpperQuantile(double a, double b, double q) {
  return boost::math::quantile(
      boost::math::complement(boost::math::beta_distribution<double, MathPolicy>(a, b), q));
}

}  // namespace

double NormalQuantileForConfidence(double confidence) {
  if (!ValidConfidence(confidence)) return std::numeric_limits<double>::quiet_NaN();
  // Φ⁻¹(1 − α/2) computed as the upper α/2 quantile, accurate for confidence near 1.
  const boost::math::normal_distribution<double, MathPolicy> standard;
  return boost::math::quantile(boost::math::complement(standard, (1 - confidence) / 2));
}

std::optional<Interval> WilsonInterval(double x, double n, double confidence) {
  if (!ValidRate(x, n) || !ValidConfidence(confidence)) return std::nullopt;
  // Written as scipy.stats.binomtest(...).proportion_ci(method="wilson") writes it (after
  // Newcombe 1998, method 3), with the bounds at x = 0 and x = n set exactly.
  const double z = NormalQuantileForConfidence(confidence);
  const double p = x / n;
  const double denominator = 2 * (n + z * z);
  const double center = (2 * n * p + z * z) / denominator;
  const double delta = z / denominator * std::sqrt(4 * n * p * (1 - p) + z * z);
  const double lower = x == 0 ? 0.0 : std::max(0.0, center - delta);
  const double upper = x == n ? 1.0 : std::min(1.0, center + delta);
  return MakeInterval(lower, upper, confidence, "wilson");
}

std::optional<Interval> ClopperPearsonInterval(double x, double n, double confidence) {
  if (!ValidRate(x, n) || !ValidConfidence(confidence) || n > kMaxBetaCount) return std::nullopt;
  const double half_alpha = (1 - confidence) / 2;
  const double lower = x == 0 ? 0.0 : BetaQuantile(x, n - x + 1, half_alpha);
  const double upper = x == n ? 1.0 : BetaUpperQuantile(x + 1, n - x, half_alpha);
  return MakeInterval(lower, upper, confidence, "clopper-pearson");
}

std::optional<Interval> JeffreysInterval(double x, double n, double confidence) {
  if (!ValidRate(x, n) || !ValidConfidence(confidence) || n > kMaxBetaCount) return std::nullopt;
  const double half_alpha = (1 - confidence) / 2;
  const double a = x + 0.5;
  const double b = n - x + 0.5;
  const double lower = x == 0 ? 0.0 : BetaQuantile(a, b, half_alpha);
  const double upper = x == n ? 1.0 : BetaUpperQuantile(a, b, half_alpha);
  return MakeInterval(lower, upper, confidence, "jeffreys");
}

std::optional<Interval> NewcombeDifferenceInterval(double x1, double n1, double x2, double n2,
                                                   double confidence) {
  const std::optional<Interval> first = WilsonInterval(x1, n1, confidence);
  const std::optional<Interval> second = WilsonInterval(x2, n2, confidence);
  if (!first || !second) return std::nullopt;
  const double p1 = x1 / n1;
  const double p2 = x2 / n2;
  const double difference = p1 - p2;
  const double lower = difference - std::hypot(p1 - first->lower, second->upper - p2);
  const double upper = difference + std::hypot(first->upper - p1, p2 - second->lower);
  return MakeInterval(lower, upper, confidence, "newcombe");
}

std::optional<Interval> KatzRatioInterval(double x1, double n1, double x2, double n2,
                                          double confidence) {
  if (!ValidRate(x1, n1) || !ValidRate(x2, n2) || !ValidConfidence(confidence)) {
    return std::nullopt;
  }
  if (x1 == 0 && x2 == 0) return std::nullopt;
  std::string note;
  if (x1 == 0 || x2 == 0) {
    x1 += 0.5;
    x2 += 0.5;
    n1 += 0.5;
    n2 += 0.5;
    note = "zero cell: 0.5 added to x1, x2, n1 and n2";
  }
  const double z = NormalQuantileForConfidence(confidence);
  const double log_ratio = std::log((x1 / n1) / (x2 / n2));
  const double variance = 1 / x1 - 1 / n1 + 1 / x2 - 1 / n2;
  const double half_width = z * std::sqrt(std::max(0.0, variance));
  std::optional<Interval> interval = MakeInterval(
      std::exp(log_ratio - half_width), std::exp(log_ratio + half_width), confidence, "katz-log");
  if (interval) interval->note = std::move(note);
  return interval;
}

}  // namespace probity::fairness
