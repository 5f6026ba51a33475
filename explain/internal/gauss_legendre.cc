#include "explain/internal/gauss_legendre.h"

#include <cmath>
#include <numbers>

namespace probity::explain::internal {

GaussLegendre::GaussLegendre(int n) {
  if (n < 1) n = 1;
  nodes.resize(static_cast<size_t>(n));
  weights.resize(static_cast<size_t>(n));
  const long double pi = std::numbers::pi_v<long double>;
  for (int i = 0; i < n; ++i) {
    // Root i of P_n on [-1, 1], descending from near 1; Newton converges quadratically.
    long double x =
        std::cos(pi * (static_cast<long double>(i) + 0.75L) / (static_cast<long double>(n) + 0.5L));
    long double derivative = 1;
    for (int iteration = 0; iteration < 100; ++iteration) {
      long double p0 = 1;
      long double p1 = x;
      for (int k = 1; k < n; ++k) {
        const long double p2 = ((2.0L * k + 1) * x * p1 - k * p0) / (k + 1);
        p0 = p1;
        p1 = p2;
      }
      // p1 = P_n(x), p0 = P_{n-1}(x).
      derivative = n * (x * p1 - p0) / (x * x - 1);
      const long double step = p1 / derivative;
      x -= step;
      if (std::fabs(step) < 1e-19L) break;
    }
    if (n == 1) {
      x = 0;
      derivative = 1;
    }
    const long double weight = 2 / ((1 - x * x) * derivative * derivative);
    // Map [-1, 1] → [0, 1]; root i descends, so store it at n − 1 − i to ascend.
    nodes[static_cast<size_t>(n - 1 - i)] = static_cast<double>((1 + x) / 2);
    weights[static_cast<size_t>(n - 1 - i)] = static_cast<double>(weight / 2);
  }
}

}  // namespace probity::explain::internal
