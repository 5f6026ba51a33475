// A port of scipy 1.10's scipy/stats/_ksstats.py (_kolmogn and its helpers) and of the
// one-sided Smirnov tail of scipy/special/cephes/kolmogorov.c (both BSD-3-Clause, by Paul
// van Mulbregt), following their branch structure and constants so that p-values agree.
#include "fairness/internal/kolmogorov.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <numbers>
#include <tuple>
#include <utility>
#include <vector>

namespace probity::fairness::internal {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr int kScaleExponent = 128;  // intermediate results are rescaled by 2^±128
const double kScaleUp = std::ldexp(1.0, kScaleExponent);
const double kScaleDown = std::ldexp(1.0, -kScaleExponent);

double Clip(double p) { return std::clamp(p, 0.0, 1.0); }

// log(n! / n^n) by Stirling's series (scipy's _log_nfactorial_div_n_pow_n).
double LogFactorialOverPower(double n) {
  static constexpr std::array<double, 8> kStirling = {
      -2.955065359477124183e-2,  6.4102564102564102564e-3, -1.9175269175269175269e-3,
      8.4175084175084175084e-4,  -5.952380952380952381e-4, 7.9365079365079365079e-4,
      -2.7777777777777777778e-3, 8.3333333333333333333e-2};
  const double rn = 1.0 / n;
  const double x = rn / n;
  double poly = 0;
  for (double c : kStirling) poly = poly * x + c;
  return std::log(n) / 2 - n + std::log(2 * kPi) / 2 + rn * poly;
}

using Matrix = std::vector<double>;  // m×m, row-major

Matrix Multiply(const Matrix& a, const Matrix& b, size_t m) {
  Matrix c(m * m, 0.0);
  for (size_t i = 0; i < m; ++i) {
    for (size_t k = 0; k < m; ++k) {
      const double aik = a[i * m + k];
      if (aik == 0) continue;
      for (size_t j = 0; j < m; ++j) c[i * m + j] += aik * b[k * m + j];
    }
  }
  return c;
}

// Pr(D_n <= d) by Durbin's matrix, Marsaglia–Tsang–Wang's computation (_kolmogn_DMTW).
double DurbinCdf(int64_t n, double d) {
  if (d >= 1.0) return 1.0;
  const double nd = static_cast<double>(n) * d;
  if (nd <= 0.5) return 0.0;
  const auto k = static_cast<size_t>(std::ceil(nd));
  const double h = static_cast<double>(k) - nd;
  const size_t m = 2 * k - 1;
  std::vector<double> v(m), w(m);
  double fac = 1.0;
  for (size_t j = 1; j <= m; ++j) {
    w[j - 1] = fac;
    fac /= static_cast<double>(j);
    v[j - 1] = (1.0 - std::pow(h, static_cast<double>(j))) * fac;
  }
  const double tt = std::pow(std::max(2 * h - 1.0, 0.0), static_cast<double>(m)) -
                    2 * std::pow(h, static_cast<double>(m));
  v[m - 1] = (1.0 + tt) * fac;
  Matrix hm(m * m, 0.0);
  for (size_t i = 1; i < m; ++i) {
    for (size_t r = i - 1; r < m; ++r) hm[r * m + i] = w[r - (i - 1)];
  }
  for (size_t r = 0; r < m; ++r) hm[r * m] = v[r];
  for (size_t c = 0; c < m; ++c) hm[(m - 1) * m + c] = v[m - 1 - c];

  Matrix power(m * m, 0.0);
  for (size_t i = 0; i < m; ++i) power[i * m + i] = 1.0;
  int64_t nn = n;
  int64_t exponent = 0, h_exponent = 0;
  while (nn > 0) {
    if (nn % 2) {
      power = Multiply(power, hm, m);
      exponent += h_exponent;
    }
    hm = Multiply(hm, hm, m);
    h_exponent *= 2;
    if (std::abs(hm[(k - 1) * m + (k - 1)]) > kScaleUp) {
      for (double& x : hm) x /= kScaleUp;
      h_exponent += kScaleExponent;
    }
    nn /= 2;
  }
  double p = power[(k - 1) * m + (k - 1)];
  for (int64_t i = 1; i <= n; ++i) {
    p = static_cast<double>(i) * p / static_cast<double>(n);
    if (std::abs(p) < kScaleDown) {
      p *= kScaleUp;
      exponent -= kScaleExponent;
    }
  }
  if (exponent != 0) p = std::ldexp(p, static_cast<int>(exponent));
  return Clip(p);
}

// The endpoints of row i of Pomeranz's recursion (_pomeranz_compute_j1j2).
std::pair<int64_t, int64_t> PomeranzRange(int64_t i, int64_t n, int64_t ll, int64_t ceilf,
                                          int64_t roundf) {
  int64_t j1 = 0, j2 = 0;
  if (i == 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const int64_t half = (i + 1) / 2, odd = (i + 1) % 2;
    if (odd == 0) {
      if (half == n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  return {std::max<int64_t>(j1 + 2, 0), std::min(j2, n)};
}

// Pr(D_n <= x) by Pomeranz's recursion (_kolmogn_Pomeranz).
double PomeranzCdf(int64_t n, double x) {
  const double t = static_cast<double>(n) * x;
  const auto ll = static_cast<int64_t>(std::floor(t));
  const double f = t - static_cast<double>(ll);
  const double g = std::min(f, 1.0 - f);
  const int64_t ceilf = f > 0 ? 1 : 0;
  const int64_t roundf = f > 0.5 ? 1 : 0;
  const auto npwrs = static_cast<size_t>(2 * (ll + 1));
  std::vector<double> gpower(npwrs), twogpower(npwrs), onem2gpower(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
  const double nd = static_cast<double>(n);
  const double g_over_n = g / nd, two_g_over_n = 2 * g / nd, one_minus = (1 - 2 * g) / nd;
  for (size_t m = 1; m < npwrs; ++m) {
    const auto md = static_cast<double>(m);
    gpower[m] = gpower[m - 1] * g_over_n / md;
    twogpower[m] = twogpower[m - 1] * two_g_over_n / md;
    onem2gpower[m] = onem2gpower[m - 1] * one_minus / md;
  }
  std::vector<double> v0(npwrs, 0.0), v1(npwrs, 0.0);
  v1[0] = 1;
  int64_t v0s = 0, v1s = 0;
  int64_t exponent = 0;
  auto [j1, j2] = PomeranzRange(0, n, ll, ceilf, roundf);
  for (int64_t i = 1; i < 2 * n + 2; ++i) {
    const int64_t k1 = j1;
    std::swap(v0, v1);
    std::swap(v0s, v1s);
    std::fill(v1.begin(), v1.end(), 0.0);
    std::tie(j1, j2) = PomeranzRange(i, n, ll, ceilf, roundf);
    const std::vector<double>& pwrs =
        (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 ? twogpower : onem2gpower);
    const int64_t ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = convolve(V0[k1 - V0s : k1 - V0s + ln2], pwrs[:ln2]); use conv[j1 - k1 ...].
      const int64_t offset = k1 - v0s;
      const int64_t conv_start = j1 - k1, conv_len = j2 - j1 + 1;
      for (int64_t c = 0; c < conv_len; ++c) {
        const int64_t out = conv_start + c;
        double sum = 0;
        for (int64_t a = std::max<int64_t>(0, out - (ln2 - 1)); a <= std::min(out, ln2 - 1); ++a) {
          const int64_t idx = offset + a;
          const double va =
              (idx >= 0 && idx < static_cast<int64_t>(npwrs)) ? v0[static_cast<size_t>(idx)] : 0;
          sum += va * pwrs[static_cast<size_t>(out - a)];
        }
        v1[static_cast<size_t>(c)] = sum;
      }
      const double top = *std::max_element(v1.begin(), v1.end());
      if (0 < top && top < kScaleDown) {
        for (double& e : v1) e *= kScaleUp;
        exponent -= kScaleExponent;
      }
      v1s = v0s + j1 - k1;
    }
  }
  double ans = v1[static_cast<size_t>(n - v1s)];
  for (int64_t m = 1; m <= n; ++m) {
    if (std::abs(ans) > kScaleUp) {
      ans *= kScaleDown;
      exponent += kScaleExponent;
    }
    ans *= static_cast<double>(m);
  }
  if (exponent != 0) ans = std::ldexp(ans, static_cast<int>(exponent));
  return Clip(ans);
}

// The Pelz–Good approximation to Pr(D_n <= x) (_kolmogn_PelzGood).
double PelzGoodCdf(int64_t n, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double nd = static_cast<double>(n);
  const double z = std::sqrt(nd) * x;
  const double z2 = z * z, z3 = z2 * z, z4 = z2 * z2, z6 = z4 * z2;
  const double pi2 = kPi * kPi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
  const double qlog = -pi2 / 8 / z2;
  if (qlog < -708) return 0.0;
  double q = std::exp(qlog);
  const double k1a = -z2, k1b = pi2 / 4;
  const double k2a = 6 * z6 + 2 * z4, k2b = (2 * z4 - 5 * z2) * pi2 / 4,
               k2c = pi4 * (1 - 2 * z2) / 16;
  const double k3d = pi6 * (5 - 30 * z2) / 64, k3c = pi4 * (-60 * z2 + 212 * z4) / 16,
               k3b = pi2 * (135 * z4 - 96 * z6) / 4, k3a = -30 * z6 - 90 * std::pow(z, 8);
  std::array<double, 4> k{0, 0, 0, 0};
  const auto maxk = static_cast<int64_t>(std::ceil(16 * z / kPi));
  for (int64_t kk = maxk; kk > 0; --kk) {
    const auto m = static_cast<double>(2 * kk - 1);
    const double m2 = m * m, m4 = m2 * m2, m6 = m4 * m2;
    const double qpower = std::pow(q, static_cast<double>(8 * kk));
    const std::array<double, 4> coeffs = {1.0, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4,
                                          k3a + k3b * m2 + k3c * m4 + k3d * m6};
    for (size_t i = 0; i < 4; ++i) k[i] = k[i] * qpower + coeffs[i];
  }
  const double sqrt2pi = std::sqrt(2 * kPi);
  const std::array<double, 4> divisors = {z, 6 * z4, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
  for (size_t i = 0; i < 4; ++i) k[i] = k[i] * q * sqrt2pi / divisors[i];
  q = std::exp(-pi2 / 2 / z2);
  const double sqrt3z = std::sqrt(3.0) * z;
  double k2extra = 0, k3extra = 0;
  for (int64_t kk = maxk; kk > 0; --kk) {
    const auto kd = static_cast<double>(kk);
    const double qp = std::pow(q, kd * kd);
    k2extra += kd * kd * qp;
    k3extra += (sqrt3z + kPi * kd) * (sqrt3z - kPi * kd) * kd * kd * qp;
  }
  k[2] += k2extra * pi2 * sqrt2pi / (-36 * z3);
  k[3] += k3extra * pi2 * sqrt2pi / (216 * z6);
  double sum = 0;
  for (size_t i = 0; i < 4; ++i) sum += k[i] / std::pow(nd, static_cast<double>(i) / 2.0);
  return sum;
}

// ---- The one-sided Smirnov tail ------------------------------------------------------------

// A long double with a separate binary exponent: binomial coefficients and powers that
// would overflow or underflow even a long double.
struct Scaled {
  long double mantissa = 1;  // in [0.5, 1) in magnitude, or 0
  int64_t exponent = 0;

  static Scaled Of(long double v) {
    int e = 0;
    const long double m = std::frexp(v, &e);
    return {m, e};
  }
  Scaled operator*(const Scaled& o) const {
    Scaled s = Of(mantissa * o.mantissa);
    s.exponent += exponent + o.exponent;
    return s;
  }
  long double value() const {
    if (mantissa == 0) return 0;
    return std::ldexp(mantissa, static_cast<int>(std::clamp<int64_t>(exponent, -40000, 40000)));
  }
};

Scaled Power(long double base, int64_t m) {
  Scaled result;
  if (m == 0) return result;
  if (base == 0) return Scaled{0, 0};
  Scaled b = Scaled::Of(base);
  while (m > 0) {
    if (m & 1) result = result * b;
    b = b * b;
    m >>= 1;
  }
  return result;
}

double SmirnovTail(int64_t n, double x) {
  if (!(n > 0 && x >= 0.0 && x <= 1.0)) return std::nan("");
  if (n == 1) return 1 - x;
  if (x == 0.0) return 1.0;
  if (x == 1.0) return 0.0;
  const auto nd = static_cast<double>(n);
  // floor(n·x) and the remainder, exactly (scipy's modNX in double-double).
  const double hi = nd * x;
  const double lo = std::fma(nd, x, -hi);
  double floor_hi = std::floor(hi);
  double alpha = (hi - floor_hi) + lo;
  if (alpha < 0) {
    floor_hi -= 1;
    alpha += 1;
  }
  auto nxfl = static_cast<int64_t>(floor_hi);
  if (alpha >= 1) {
    nxfl += 1;
    alpha = 0;
  }
  int64_t n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1);
  int64_t n1mxceil = n - nxfl;
  if (alpha == 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }
  if (nxfl == 0 || (nxfl == 1 && alpha == 0)) {
    const long double t = Power(1.0L + x, n - 1).value();
    return Clip(static_cast<double>(1.0L - x * t));
  }
  constexpr double kMinLog = -7.08396418532264106224E2;
  if (-2 * nd * x * x < kMinLog) return 0.0;
  if (nxfl >= n - 1) return Clip(static_cast<double>(Power(1.0L - x, n).value()));
  if (n > 1000000) {
    const double logp = -std::pow(6.0 * nd * x + 1, 2) / 18.0 / nd;
    return Clip(logp < -std::numbers::ln2 ? std::exp(logp) : 1 + std::expm1(logp));
  }
  const int64_t upper_terms = n - n1mxceil + 1;
  const bool use_upper =
      (upper_terms <= 1 && x < 0.5) || (n >= 10 && upper_terms <= 3 && x <= 0.5 / std::sqrt(nd));
  int64_t start = 0, step = 1, terms = n1mxfl + 1;
  long double aj = 0;
  if (use_upper) {
    start = n;
    step = -1;
    terms = n - n1mxceil + 1;
    aj = Power(1.0L + x, n - 1).value();
  } else {
    aj = Power(1.0L - x, n).value() / x;
  }
  long double sum = aj;
  Scaled binomial = Scaled::Of(static_cast<long double>(n));  // C(n, 1)
  const int64_t vmid = n / 2;
  for (int64_t j = 1; j < terms; ++j) {
    const int64_t v = start + j * step;
    const long double ld_n = nd;
    const long double below = static_cast<long double>(n - v) / ld_n - x;  // 1 − x − v/n
    const long double above = static_cast<long double>(v) / ld_n + x;      // x + v/n
    aj = (binomial * Power(below, n - v) * Power(above, v - 1)).value();
    if (std::isfinite(aj) && aj != 0) sum += aj;
    if (aj != 0) {
      if (4 * static_cast<double>(terms - j) * std::abs(static_cast<double>(aj)) <
              DBL_EPSILON * static_cast<double>(sum) &&
          j != terms - 1) {
        break;
      }
    } else if (j > vmid) {
      break;
    }
    binomial =
        binomial * Scaled::Of(static_cast<long double>(n - j) / static_cast<long double>(j + 1));
  }
  const auto prob = static_cast<double>(x * sum);
  return Clip(step < 0 ? 1 - prob : prob);
}

}  // namespace

double SmirnovSurvival(int64_t n, double d) { return SmirnovTail(n, d); }

double KolmogorovSurvival(int64_t n, double x) {
  if (n <= 0 || std::isnan(x)) return std::nan("");
  if (x >= 1.0) return 0.0;
  if (x <= 0.0) return 1.0;
  const auto nd = static_cast<double>(n);
  const double t = nd * x;
  if (t <= 1.0) {  // Ruben–Gambino: 1/2n <= x <= 1/n
    if (t <= 0.5) return 1.0;
    double prob = 1.0;
    if (n <= 140) {
      for (int64_t i = 1; i <= n; ++i) prob *= static_cast<double>(i) * (1.0 / nd) * (2 * t - 1);
    } else {
      prob = std::exp(LogFactorialOverPower(nd) + nd * std::log(2 * t - 1));
    }
    return Clip(1.0 - prob);
  }
  if (t >= nd - 1) return Clip(2 * std::pow(1.0 - x, nd));  // Ruben–Gambino
  if (x >= 0.5) return Clip(2 * SmirnovTail(n, x));
  const double nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) return Clip(1.0 - DurbinCdf(n, x));
    if (nxsquared <= 4) return Clip(1.0 - PomeranzCdf(n, x));
    return Clip(2 * SmirnovTail(n, x));
  }
  if (nxsquared >= 370.0) return 0.0;
  if (nxsquared >= 2.2) return Clip(2 * SmirnovTail(n, x));
  double cdf = 1.0;
  if (nxsquared >= 18.0) {
    cdf = 1.0;
  } else if (n <= 100000 && nd * std::pow(x, 1.5) <= 1.4) {
    cdf = DurbinCdf(n, x);
  } else {
    cdf = PelzGoodCdf(n, x);
  }
  return Clip(1.0 - Clip(cdf));
}

}  // namespace probity::fairness::internal
