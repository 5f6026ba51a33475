#include "fairness/significance.h"

#include <algorithm>
#include <boost/math/distributions/hypergeometric.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <numeric>
#include <optional>

#include "fairness/internal/math_policy.h"

namespace probity::fairness {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Above 2^53 counts are no longer exact in a double.
constexpr int64_t kMaxFisherTotal = int64_t{1} << 53;

bool ValidRate(double x, double n) {
  return std::isfinite(x) && std::isfinite(n) && n > 0 && x >= 0 && x <= n;
}

TestResult MakeTest(const char* name, double statistic, double p_value) {
  TestResult result;
  result.test = name;
  result.statistic = statistic;
  result.p_value = p_value;
  return result;
}

// Catherine Loader's saddle-point binomial probabilities ("Fast and accurate computation of
// binomial probabilities", 2000), as R's dbinom_raw/dhyper compute them: accurate to a few
// ulps and O(1) at any size, where Boost's hypergeometric pdf takes time proportional to the
// table total once that is above its prime table (104,729; ~1.4 s per call at 2·10⁹).

// log(n!) − log(√(2πn)·(n/e)^n) for an integer n ≥ 1.
double StirlingError(double n) {
  constexpr double kS0 = 1.0 / 12, kS1 = 1.0 / 360, kS2 = 1.0 / 1260, kS3 = 1.0 / 1680,
                   kS4 = 1.0 / 1188;
  if (n <= 15) {
    // Small n: directly, in long double (lgamma(16) ≈ 27.9, so the cancellation costs ~5 bits
    // of the 64).
    const long double m = n;
    return static_cast<double>(std::lgamma(m + 1) - (m + 0.5L) * std::log(m) + m -
                               0.5L * std::log(2 * std::numbers::pi_v<long double>));
  }
  const double nn = n * n;
  if (n > 500) return (kS0 - kS1 / nn) / n;
  if (n > 80) return (kS0 - (kS1 - kS2 / nn) / nn) / n;
  if (n > 35) return (kS0 - (kS1 - (kS2 - kS3 / nn) / nn) / nn) / n;
  return (kS0 - (kS1 - (kS2 - (kS3 - kS4 / nn) / nn) / nn) / nn) / n;
}

// x·log(x/np) + np − x without cancellation (Loader's bd0).
double Deviance(double x, double np) {
  if (std::abs(x - np) < 0.1 * (x + np)) {
    double v = (x - np) / (x + np);
    double sum = (x - np) * v;
    double term = 2 * x * v;
    v *= v;
    for (int j = 1; j < 1000; ++j) {
      term *= v;
      const double next = sum + term / (2 * j + 1);
      if (next == sum) return next;
      sum = next;
    }
  }
  return x * std::log(x / np) + np - x;
}

// P(Binomial(n, p) = x), q = 1 − p given separately (R's dbinom_raw).
double BinomialPmf(double x, double n, double p, double q) {
  if (p == 0) return x == 0 ? 1 : 0;
  if (q == 0) return x == n ? 1 : 0;
  if (x == 0) {
    if (n == 0) return 1;
    return std::exp(p < 0.1 ? -Deviance(n, n * q) - n * p : n * std::log(q));
  }
  if (x == n) return std::exp(q < 0.1 ? -Deviance(n, n * p) - n * q : n * std::log(p));
  if (x < 0 || x > n) return 0;
  const double log_core = StirlingError(n) - StirlingError(x) - StirlingError(n - x) -
                          Deviance(x, n * p) - Deviance(n - x, n * q);
  const double log_scale = std::log(2 * std::numbers::pi) + std::log(x) + std::log1p(-x / n);
  return std::exp(log_core - 0.5 * log_scale);
}

// The hypergeometric law of the top-left cell of a 2×2 table with first-row total `row`,
// first-column total `column` and grand total `total`, as scipy.stats.hypergeom(total, row,
// column). Up to 104,729 in total it is Boost's implementation, which scipy evaluates too;
// above, Loader's pmf (as R's dhyper) and tail sums by the pmf's recurrence. Outside the
// support the pmf is 0 and the cdf/sf are 0 or 1, as scipy's wrappers return.
class Hypergeometric {
 public:
  static constexpr int64_t kBoostLimit = 104'729;

  Hypergeometric(int64_t row, int64_t column, int64_t total)
      : row_(row),
        column_(column),
        total_(total),
        low_(std::max<int64_t>(0, row + column - total)),
        high_(std::min(row, column)),
        // scipy's int((n + 1) * (n1 + 1) / (n1 + n2 + 2)): a float division, truncated.
        mode_(static_cast<int64_t>(static_cast<double>(column + 1) * static_cast<double>(row + 1) /
                                   static_cast<double>(total + 2))) {
    if (total <= kBoostLimit) {
      boost_.emplace(static_cast<unsigned>(row), static_cast<unsigned>(column),
                     static_cast<unsigned>(total));
    }
  }

  int64_t mode() const { return mode_; }

  double Pmf(int64_t k) const {
    if (k < low_ || k > high_) return 0;
    if (boost_) return boost::math::pdf(*boost_, static_cast<unsigned>(k));
    const double n = static_cast<double>(total_);
    const double p = static_cast<double>(column_) / n;
    const double q = static_cast<double>(total_ - column_) / n;
    const double white = static_cast<double>(row_);
    const double x = static_cast<double>(k);
    const double draws = static_cast<double>(column_);
    return BinomialPmf(x, white, p, q) * BinomialPmf(draws - x, n - white, p, q) /
           BinomialPmf(draws, n, p, q);
  }

  double Cdf(int64_t k) const {  // P(X ≤ k)
    if (k < low_) return 0;
    if (k >= high_) return 1;
    if (boost_) return boost::math::cdf(*boost_, static_cast<unsigned>(k));
    return k <= mode_ ? TailSum(k, -1) : 1 - TailSum(k + 1, +1);
  }

  double Sf(int64_t k) const {  // P(X > k)
    if (k < low_) return 1;
    if (k >= high_) return 0;
    if (boost_) {
      return boost::math::cdf(boost::math::complement(*boost_, static_cast<unsigned>(k)));
    }
    return k + 1 >= mode_ ? TailSum(k + 1, +1) : 1 - TailSum(k, -1);
  }

 private:
  using Boost = boost::math::hypergeometric_distribution<double, internal::MathPolicy>;

  // Σ pmf(j) from j = `from` away from the mode (step −1 or +1) to the end of the support,
  // by the ratio pmf(j ± 1)/pmf(j); the terms only shrink, so it stops when they no longer
  // change the sum.
  double TailSum(int64_t from, int step) const {
    const double r = static_cast<double>(row_);
    const double n = static_cast<double>(column_);
    const double rest = static_cast<double>(total_ - row_ - column_);
    double term = Pmf(from);
    double sum = term;
    for (int64_t j = from; term > 0 && (step < 0 ? j > low_ : j < high_); j += step) {
      const double x = static_cast<double>(j);
      term *= step < 0 ? x * (rest + x) / ((r - x + 1) * (n - x + 1))
                       : (r - x) * (n - x) / ((x + 1) * (rest + x + 1));
      if (sum + term == sum) break;
      sum += term;
    }
    return sum;
  }

  std::optional<Boost> boost_;
  int64_t row_;
  int64_t column_;
  int64_t total_;
  int64_t low_;
  int64_t high_;
  int64_t mode_;
};

// scipy's _binary_search_for_binom_tst: the i in [lo, hi] with a(i) ≤ d < a(i + 1), for a
// function `a` ascending on that range.
template <typename Function>
int64_t BinarySearch(const Function& a, double d, int64_t lo, int64_t hi) {
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    const double value = a(mid);
    if (value < d) {
      lo = mid + 1;
    } else if (value > d) {
      hi = mid - 1;
    } else {
      return mid;
    }
  }
  return a(lo) <= d ? lo : lo - 1;
}

// The two-sided p-value of scipy.stats.fisher_exact (scipy 1.10), step for step: the tail
// of the observed cell plus the opposite tail from where the pmf first exceeds
// pmf(observed)·(1 + 1e-14), found by binary search on the other side of the mode.
double FisherTwoSidedPValue(int64_t a, int64_t b, int64_t c, int64_t d) {
  const int64_t row1 = a + b;
  const int64_t row2 = c + d;
  const int64_t column1 = a + c;
  const int64_t total = row1 + row2;
  const Hypergeometric law(row1, column1, total);
  const int64_t mode = law.mode();
  const double p_exact = law.Pmf(a);
  const double p_mode = law.Pmf(mode);
  constexpr double kEpsilon = 1e-14;
  const double gamma = 1 + kEpsilon;
  if (std::abs(p_exact - p_mode) / std::max(p_exact, p_mode) <= kEpsilon) return 1;
  double p_value = 0;
  if (a < mode) {
    const double lower = law.Cdf(a);
    if (law.Pmf(column1) > p_exact * gamma) return std::min(lower, 1.0);
    const int64_t guess =
        BinarySearch([&](int64_t x) { return -law.Pmf(x); }, -p_exact * gamma, mode, column1);
    p_value = lower + law.Sf(guess);
  } else {
    const double upper = law.Sf(a - 1);
    if (law.Pmf(0) > p_exact * gamma) return std::min(upper, 1.0);
    const int64_t guess =
        BinarySearch([&](int64_t x) { return law.Pmf(x); }, p_exact * gamma, 0, mode);
    p_value = upper + law.Cdf(guess);
  }
  return std::min(p_value, 1.0);
}

}  // namespace

TestResult TwoProportionZTest(double x1, double n1, double x2, double n2) {
  TestResult result = MakeTest("two-proportion-z", 0, 1);
  if (!ValidRate(x1, n1) || !ValidRate(x2, n2)) return result;
  const double pooled = (x1 + x2) / (n1 + n2);
  if (!(pooled > 0 && pooled < 1)) return result;  // also NaN from overflowing sums
  const double standard_error = std::sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const double z = (x1 / n1 - x2 / n2) / standard_error;
  if (std::isnan(z)) return result;  // equal rates over an underflowing standard error
  result.statistic = z;
  result.p_value = std::erfc(std::abs(z) / std::sqrt(2.0));
  return result;
}

TestResult FisherExactTest(int64_t x1, int64_t n1, int64_t x2, int64_t n2) {
  if (x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2) return MakeTest("fisher-exact", kNaN, 1);
  const int64_t a = x1;
  const int64_t b = n1 - x1;
  const int64_t c = x2;
  const int64_t d = n2 - x2;
  if (n1 > kMaxFisherTotal - n2) {
    return TwoProportionZTest(static_cast<double>(x1), static_cast<double>(n1),
                              static_cast<double>(x2), static_cast<double>(n2));
  }
  // A row or column without counts: scipy returns an odds ratio of NaN and p = 1.
  if (n1 == 0 || n2 == 0 || a + c == 0 || b + d == 0) return MakeTest("fisher-exact", kNaN, 1);
  const double odds_ratio = (c > 0 && b > 0) ? static_cast<double>(a) * static_cast<double>(d) /
                                                   (static_cast<double>(c) * static_cast<double>(b))
                                             : std::numeric_limits<double>::infinity();
  return MakeTest("fisher-exact", odds_ratio, FisherTwoSidedPValue(a, b, c, d));
}

TestResult CompareRates(double x1, double n1, double x2, double n2) {
  // An empty group or an impossible rate: Fisher's answer for a table with an empty row.
  if (!ValidRate(x1, n1) || !ValidRate(x2, n2)) return MakeTest("fisher-exact", kNaN, 1);
  const double total = n1 + n2;
  const double successes = x1 + x2;
  const double smallest_row = std::min(n1, n2);
  const double smallest_column = std::min(successes, total - successes);
  const bool small_expected_count = smallest_row * smallest_column / total < 5;
  if (!small_expected_count || total > static_cast<double>(kMaxFisherTotal)) {
    return TwoProportionZTest(x1, n1, x2, n2);
  }
  return FisherExactTest(std::llround(x1), std::llround(n1), std::llround(x2), std::llround(n2));
}

TestResult ChiSquareIndependence(std::span<const std::vector<double>> table) {
  TestResult result = MakeTest("chi-square-independence", 0, 1);
  result.degrees_of_freedom = 0;
  size_t columns = 0;
  for (const std::vector<double>& row : table) {
    columns = std::max(columns, row.size());
    for (double count : row) {
      if (!std::isfinite(count) || count < 0) return result;
    }
  }
  auto cell = [&](size_t i, size_t j) { return j < table[i].size() ? table[i][j] : 0.0; };
  std::vector<double> row_totals;
  std::vector<size_t> kept_rows;
  for (size_t i = 0; i < table.size(); ++i) {
    const double sum = std::accumulate(table[i].begin(), table[i].end(), 0.0);
    if (sum > 0) {
      kept_rows.push_back(i);
      row_totals.push_back(sum);
    }
  }
  std::vector<double> column_totals;
  std::vector<size_t> kept_columns;
  for (size_t j = 0; j < columns; ++j) {
    double sum = 0;
    for (size_t i : kept_rows) sum += cell(i, j);
    if (sum > 0) {
      kept_columns.push_back(j);
      column_totals.push_back(sum);
    }
  }
  if (kept_rows.size() < 2 || kept_columns.size() < 2) return result;
  const double total = std::accumulate(row_totals.begin(), row_totals.end(), 0.0);
  if (!std::isfinite(total)) return result;  // counts beyond the range of a double
  double statistic = 0;
  for (size_t r = 0; r < kept_rows.size(); ++r) {
    for (size_t c = 0; c < kept_columns.size(); ++c) {
      // Expected count in scipy's order of operations: (row total · column total) / total.
      const double expected = row_totals[r] * column_totals[c] / total;
      const double deviation = cell(kept_rows[r], kept_columns[c]) - expected;
      statistic += deviation * deviation / expected;
    }
  }
  if (std::isnan(statistic)) return result;  // inf/inf: counts near the top of the double range
  const double df = static_cast<double>((kept_rows.size() - 1) * (kept_columns.size() - 1));
  result.statistic = statistic;
  result.degrees_of_freedom = df;
  result.p_value = boost::math::gamma_q(df / 2, statistic / 2, internal::MathPolicy());
  return result;
}

void HolmCorrection(std::span<TestResult*> tests) {
  std::vector<TestResult*> present;
  for (TestResult* test : tests) {
    if (test != nullptr) present.push_back(test);
  }
  // Ascending p-values; equal p-values keep their input order; NaN counts as 1.
  auto key = [](const TestResult* test) { return std::isnan(test->p_value) ? 1.0 : test->p_value; };
  std::stable_sort(present.begin(), present.end(),
                   [&](const TestResult* x, const TestResult* y) { return key(x) < key(y); });
  const double m = static_cast<double>(present.size());
  double running_max = 0;
  for (size_t i = 0; i < present.size(); ++i) {
    const double scaled = (m - static_cast<double>(i)) * key(present[i]);
    running_max = std::max(running_max, std::min(1.0, scaled));
    present[i]->p_adjusted = running_max;
    present[i]->correction = "holm";
  }
}

}  // namespace probity::fairness
