// Gauss–Legendre quadrature on [0, 1], for the exact path-dependent TreeSHAP of
// explain/tree_shap.cc: an n-point rule integrates every polynomial of degree ≤ 2n − 1
// exactly (up to rounding), and a leaf whose path has d unique players needs degree d − 1.
//
//   GaussLegendre rule(4);                 // 4 nodes in (0, 1), weights summing to 1
//   double integral = 0;
//   for (size_t k = 0; k < rule.nodes.size(); ++k) integral += rule.weights[k] * f(rule.nodes[k]);
#pragma once

#include <vector>

namespace probity::explain::internal {

// The n-point rule (n ≥ 1), nodes ascending in (0, 1). Computed by Newton iteration on the
// Legendre polynomial in long double from Chebyshev-like starting points, so nodes and
// weights are correctly rounded doubles for any n used in practice (checked to n = 64
// against the moments ∫ q^m dq = 1/(m + 1) in tests/explain/tree_shap_test.cc).
struct GaussLegendre {
  explicit GaussLegendre(int n);
  std::vector<double> nodes;
  std::vector<double> weights;
};

}  // namespace probity::explain::internal
