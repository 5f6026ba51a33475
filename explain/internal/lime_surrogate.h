// Weighted ridge regression with an intercept on LIME's interpretable (0/1) columns, fitted
// from the weighted centred Gram matrix (scikit-learn Ridge(alpha, fit_intercept=True) with
// sample_weight), and LIME's feature selection ("forward_selection", "highest_weights").
// Eigen stays inside the .cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace probity::explain::internal {

// The weighted moments of n samples of P columns z and a target y: weighted means and the
// centred cross products G = Σ w (z − z̄)(z − z̄)ᵀ, c = Σ w (z − z̄)(y − ȳ), syy.
struct WeightedMoments {
  std::vector<double> z_mean;  // P
  double y_mean = 0;
  std::vector<double> gram;   // P × P
  std::vector<double> cross;  // P
  double syy = 0;
};

// `z` is n × p row-major, `w` and `y` n long. Sums run in sample order.
WeightedMoments Moments(const std::vector<double>& z, const std::vector<double>& y,
                        const std::vector<double>& w, int64_t n, size_t p);

struct RidgeFit {
  std::vector<double> coef;  // one per selected column
  double intercept = 0;
  double r2_from_moments = 0;  // 1 − SSE / syy, from the moments
};

// Ridge on the columns `selected`. alpha = 0 gives the minimum-norm least-squares solution
// (scikit-learn falls back to its SVD solver when the system is singular).
RidgeFit FitRidge(const WeightedMoments& m, const std::vector<int>& selected, double alpha);

// LIME's forward selection: k times, add the column whose Ridge(alpha = 0) fit has the
// highest weighted R² (the first on ties).
std::vector<int> ForwardSelection(const WeightedMoments& m, int k);

// LIME's highest weights: Ridge(alpha = 0.01) on all columns, the k largest |coef| (the
// row's interpretable values are all 1), ties in column order.
std::vector<int> HighestWeights(const WeightedMoments& m, int k);

// Weighted R² as scikit-learn's r2_score with sample_weight: 1 − Σw(y − ŷ)² / Σw(y − ȳ)²;
// a constant target gives 1 when the residuals are 0, else 0.
double WeightedR2(const std::vector<double>& y, const std::vector<double>& prediction,
                  const std::vector<double>& w);

}  // namespace probity::explain::internal
