#include "audit/ingest/models/internal/margin_transform.h"

#include <algorithm>
#include <cmath>

namespace probity::models::internal {
namespace {

double Logistic(double m, double scale) { return 1.0 / (1.0 + std::exp(-scale * m)); }

double ApplyLink(OutputLink link, double m, double scale) {
  switch (link) {
    case OutputLink::kExp: return std::exp(m);
    case OutputLink::kSignedSquare: return (m > 0 ? 1.0 : (m < 0 ? -1.0 : 0.0)) * m * m;
    case OutputLink::kLog1pExp: return std::log1p(std::exp(m));
    case OutputLink::kLogistic:
    case OutputLink::kOneVsRest: return Logistic(m, scale);
    case OutputLink::kSoftmax:
    case OutputLink::kIdentity: break;
  }
  return m;
}

}  // namespace

std::string_view OutputLinkName(OutputLink link) {
  switch (link) {
    case OutputLink::kIdentity: return "identity";
    case OutputLink::kExp: return "exp";
    case OutputLink::kSignedSquare: return "signed_square";
    case OutputLink::kLog1pExp: return "log1p_exp";
    case OutputLink::kLogistic: return "logistic";
    case OutputLink::kSoftmax: return "softmax";
    case OutputLink::kOneVsRest: return "one_vs_rest_logistic";
  }
  return "identity";
}

Predictions MarginsToPredictions(Buffer<double> margins, int64_t rows, int width,
                                 const OutputSpec& spec) {
  Predictions out;
  out.rows = rows;
  out.margin_width = width;
  const auto n = static_cast<size_t>(rows);
  const auto w = static_cast<size_t>(width);
  if (spec.classes == 0) {
    out.values.resize(n * w);
    for (size_t i = 0; i < n * w; ++i) out.values[i] = ApplyLink(spec.link, margins[i], spec.scale);
    out.margins = std::move(margins);
    return out;
  }
  const auto classes = static_cast<size_t>(spec.classes);
  out.probabilities.resize(n * classes);
  out.labels.resize(n);
  for (size_t r = 0; r < n; ++r) {
    const double* m = margins.data() + r * w;
    double* p = out.probabilities.data() + r * classes;
    if (spec.link == OutputLink::kLogistic && w == 1) {
      p[1] = Logistic(m[0], spec.scale);
      p[0] = 1.0 - p[1];
    } else if (spec.link == OutputLink::kSoftmax) {
      double top = m[0];
      for (size_t k = 1; k < classes; ++k) top = std::max(top, m[k]);
      double sum = 0;
      for (size_t k = 0; k < classes; ++k) sum += (p[k] = std::exp(m[k] - top));
      for (size_t k = 0; k < classes; ++k) p[k] /= sum;
    } else {
      for (size_t k = 0; k < classes; ++k) p[k] = ApplyLink(spec.link, m[k], spec.scale);
    }
    size_t best = 0;
    for (size_t k = 1; k < classes; ++k) {
      if (p[k] > p[best]) best = k;
    }
    out.labels[r] = std::isnan(p[best]) ? -1 : static_cast<int32_t>(best);
  }
  out.margins = std::move(margins);
  return out;
}

}  // namespace probity::models::internal
