#include "explain/internal/lime_surrogate.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace probity::explain::internal {

WeightedMoments Moments(const std::vector<double>& z, const std::vector<double>& y,
                        const std::vector<double>& w, int64_t n, size_t p) {
  WeightedMoments m;
  m.z_mean.assign(p, 0);
  m.gram.assign(p * p, 0);
  m.cross.assign(p, 0);
  double total = 0;
  for (int64_t i = 0; i < n; ++i) {
    const auto r = static_cast<size_t>(i);
    total += w[r];
    m.y_mean += w[r] * y[r];
    for (size_t a = 0; a < p; ++a) m.z_mean[a] += w[r] * z[r * p + a];
  }
  if (total > 0) {
    m.y_mean /= total;
    for (double& v : m.z_mean) v /= total;
  }
  std::vector<double> dz(p);
  for (int64_t i = 0; i < n; ++i) {
    const auto r = static_cast<size_t>(i);
    const double dy = y[r] - m.y_mean;
    for (size_t a = 0; a < p; ++a) dz[a] = z[r * p + a] - m.z_mean[a];
    m.syy += w[r] * dy * dy;
    for (size_t a = 0; a < p; ++a) {
      const double wa = w[r] * dz[a];
      m.cross[a] += wa * dy;
      for (size_t b = a; b < p; ++b) m.gram[a * p + b] += wa * dz[b];
    }
  }
  for (size_t a = 0; a < p; ++a) {
    for (size_t b = 0; b < a; ++b) m.gram[a * p + b] = m.gram[b * p + a];
  }
  return m;
}

RidgeFit FitRidge(const WeightedMoments& m, const std::vector<int>& selected, double alpha) {
  const size_t p = m.z_mean.size();
  const auto k = static_cast<Eigen::Index>(selected.size());
  Eigen::MatrixXd a(k, k);
  Eigen::VectorXd c(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    const auto si = static_cast<size_t>(selected[static_cast<size_t>(i)]);
    c(i) = m.cross[si];
    for (Eigen::Index j = 0; j < k; ++j) {
      a(i, j) = m.gram[si * p + static_cast<size_t>(selected[static_cast<size_t>(j)])];
    }
    a(i, i) += alpha;
  }
  Eigen::VectorXd beta;
  if (alpha > 0) {
    beta = a.ldlt().solve(c);
  } else {
    beta = a.completeOrthogonalDecomposition().solve(c);
  }
  RidgeFit fit;
  fit.intercept = m.y_mean;
  for (Eigen::Index i = 0; i < k; ++i) {
    fit.coef.push_back(beta(i));
    fit.intercept -= beta(i) * m.z_mean[static_cast<size_t>(selected[static_cast<size_t>(i)])];
  }
  // SSE = syy − 2βᵀc + βᵀGβ (G without the ridge term).
  for (Eigen::Index i = 0; i < k; ++i) a(i, i) -= alpha;
  const double sse = m.syy - 2 * beta.dot(c) + beta.dot(a * beta);
  if (m.syy > 0) {
    fit.r2_from_moments = 1 - sse / m.syy;
  } else {
    fit.r2_from_moments = std::abs(sse) <= 0 ? 1 : 0;
  }
  return fit;
}

std::vector<int> ForwardSelection(const WeightedMoments& m, int k) {
  const auto p = static_cast<int>(m.z_mean.size());
  std::vector<int> used;
  std::vector<bool> taken(static_cast<size_t>(p), false);
  for (int step = 0; step < std::min(k, p); ++step) {
    double best_score = -1e8;  // LIME's starting maximum
    int best = 0;
    for (int f = 0; f < p; ++f) {
      if (taken[static_cast<size_t>(f)]) continue;
      std::vector<int> trial = used;
      trial.push_back(f);
      const double score = FitRidge(m, trial, 0).r2_from_moments;
      if (score > best_score) {
        best_score = score;
        best = f;
      }
    }
    used.push_back(best);
    taken[static_cast<size_t>(best)] = true;
  }
  return used;
}

std::vector<int> HighestWeights(const WeightedMoments& m, int k) {
  const auto p = static_cast<int>(m.z_mean.size());
  std::vector<int> all(static_cast<size_t>(p));
  std::iota(all.begin(), all.end(), 0);
  const RidgeFit fit = FitRidge(m, all, 0.01);
  std::stable_sort(all.begin(), all.end(), [&](int a, int b) {
    return std::abs(fit.coef[static_cast<size_t>(a)]) > std::abs(fit.coef[static_cast<size_t>(b)]);
  });
  all.resize(static_cast<size_t>(std::min(k, p)));
  return all;
}

double WeightedR2(const std::vector<double>& y, const std::vector<double>& prediction,
                  const std::vector<double>& w) {
  double total = 0;
  double mean = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    total += w[i];
    mean += w[i] * y[i];
  }
  if (total > 0) mean /= total;
  double sse = 0;
  double sst = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    sse += w[i] * (y[i] - prediction[i]) * (y[i] - prediction[i]);
    sst += w[i] * (y[i] - mean) * (y[i] - mean);
  }
  if (sst > 0) return 1 - sse / sst;
  return sse > 0 ? 0 : 1;
}

}  // namespace probity::explain::internal
