#include "fairness/significance.h"

#include <algorithm>
#include <boost/math/distributions/hypergeometric.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>

#include "fairness/internal/math_policy.h"

namespace probity::fairness {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Boost's hypergeometric distribution takes unsigned parameters.
constexpr int64_t kMaxFisherTotal = std::numeric_limits<uint32_t>::max() - 1;

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

// The hypergeometric law of the top-left cell of a 2×2 table with first-row total `row`,
// first-column total `column` and grand total `total`, as scipy.stats.hypergeom(total, row,
// column) — both evaluate Boost's implementation. Outside the support the pmf is 0 and the
// cdf/sf are 0 or 1, as scipy's wrappers return.
class Hypergeometric {
 public:
  Hypergeometric(int64_t row, int64_t column, int64_t total)
      : distribution_(static_cast<unsigned>(row), static_cast<unsigned>(column),
                      static_cast<unsigned>(total)),
        low_(std::max<int64_t>(0, row + column - total)),
        high_(std::min(row, column)) {}

  double Pmf(int64_t k) const {
    if (k < low_ || k > high_) return 0;
    return boost::math::pdf(distribution_, static_cast<unsigned>(k));
  }
  double Cdf(int64_t k) const {  // P(X ≤ k)
    if (k < low_) return 0;
    if (k >= high_) return 1;
    return boost::math::cdf(distribution_, static_cast<unsigned>(k));
  }
  double Sf(int64_t k) const {  // P(X > k)
    if (k < low_) return 1;
    if (k >= high_) return 0;
    return boost::math::cdf(boost::math::complement(distribution_, static_cast<unsigned>(k)));
  }

 private:
  boost::math::hypergeometric_distribution<double, internal::MathPolicy> distribution_;
  int64_t low_;
  int64_t high_;
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
  const auto product = static_cast<uint64_t>(column1 + 1) * static_cast<uint64_t>(row1 + 1);
  const auto mode =
      static_cast<int64_t>(static_cast<double>(product) / static_cast<double>(total + 2));
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

// A weighted count rounded to an integer; nullopt when negative, not finite or too large.
std::optional<int64_t> RoundCount(double count) {
  if (!std::isfinite(count) || count < 0 || count > 0x1p62) return std::nullopt;
  return std::llround(count);
}

}  // namespace

TestResult TwoProportionZTest(double x1, double n1, double x2, double n2) {
  TestResult result = MakeTest("two-proportion-z", 0, 1);
  if (!ValidRate(x1, n1) || !ValidRate(x2, n2)) return result;
  const double pooled = (x1 + x2) / (n1 + n2);
  if (pooled <= 0 || pooled >= 1) return result;
  const double standard_error = std::sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  result.statistic = (x1 / n1 - x2 / n2) / standard_error;
  result.p_value = std::erfc(std::abs(result.statistic) / std::sqrt(2.0));
  return result;
}

TestResult FisherExactTest(int64_t x1, int64_t n1, int64_t x2, int64_t n2) {
  const int64_t a = x1;
  const int64_t b = n1 - x1;
  const int64_t c = x2;
  const int64_t d = n2 - x2;
  if (x1 < 0 || x2 < 0 || b < 0 || d < 0) return MakeTest("fisher-exact", kNaN, 1);
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
  bool small_expected_count = true;  // also for invalid input, which Fisher reports as such
  if (ValidRate(x1, n1) && ValidRate(x2, n2)) {
    const double total = n1 + n2;
    const double successes = x1 + x2;
    const double failures = total - successes;
    const double smallest_row = std::min(n1, n2);
    const double smallest_column = std::min(successes, failures);
    small_expected_count = smallest_row * smallest_column / total < 5;
  }
  if (!small_expected_count) return TwoProportionZTest(x1, n1, x2, n2);
  const std::optional<int64_t> r1 = RoundCount(n1);
  const std::optional<int64_t> r2 = RoundCount(n2);
  const std::optional<int64_t> s1 = RoundCount(x1);
  const std::optional<int64_t> s2 = RoundCount(x2);
  if (!r1 || !r2 || !s1 || !s2) return MakeTest("fisher-exact", kNaN, 1);
  return FisherExactTest(*s1, *r1, *s2, *r2);
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
  double statistic = 0;
  for (size_t r = 0; r < kept_rows.size(); ++r) {
    for (size_t c = 0; c < kept_columns.size(); ++c) {
      // Expected count in scipy's order of operations: (row total · column total) / total.
      const double expected = row_totals[r] * column_totals[c] / total;
      const double deviation = cell(kept_rows[r], kept_columns[c]) - expected;
      statistic += deviation * deviation / expected;
    }
  }
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
