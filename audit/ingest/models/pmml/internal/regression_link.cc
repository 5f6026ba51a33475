#include "audit/ingest/models/pmml/internal/regression_link.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "audit/ingest/models/pmml/internal/evaluation.h"

namespace probity::models::pmml_internal {

Result<Normalization> ReadNormalization(const XmlSource& src, const pugi::xml_node& model,
                                        ModelTask task) {
  static const std::map<std::string_view, Normalization> kMethods = {
      {"none", Normalization::kNone},
      {"softmax", Normalization::kSoftmax},
      {"simplemax", Normalization::kSimplemax},
      {"logit", Normalization::kLogit},
      {"probit", Normalization::kProbit},
      {"cloglog", Normalization::kCloglog},
      {"loglog", Normalization::kLoglog},
      {"cauchit", Normalization::kCauchit},
      {"exp", Normalization::kExp},
  };
  std::string_view name = model.attribute("normalizationMethod").as_string("none");
  auto it = kMethods.find(name);
  if (it == kMethods.end() ||
      (task == ModelTask::kClassification && it->second == Normalization::kExp)) {
    return src.Unsupported(model, "normalizationMethod=\"" + std::string(name) + "\"");
  }
  return it->second;
}

std::string_view NormalizationName(Normalization n) {
  switch (n) {
    case Normalization::kNone: return "identity";
    case Normalization::kSoftmax: return "softmax";
    case Normalization::kSimplemax: return "simplemax";
    case Normalization::kLogit: return "logit";
    case Normalization::kProbit: return "probit";
    case Normalization::kCloglog: return "cloglog";
    case Normalization::kLoglog: return "loglog";
    case Normalization::kCauchit: return "cauchit";
    case Normalization::kExp: return "exp";
  }
  return "identity";
}

double ApplyRegressionLink(Normalization n, double y) {
  switch (n) {
    case Normalization::kNone: return y;
    case Normalization::kSoftmax:
    case Normalization::kLogit: return Logistic(y);
    case Normalization::kProbit: return NormalCdf(y);
    case Normalization::kCloglog: return 1 - std::exp(-std::exp(y));
    case Normalization::kLoglog: return std::exp(-std::exp(-y));
    case Normalization::kCauchit: return 0.5 + std::atan(y) / std::numbers::pi;
    case Normalization::kExp: return std::exp(y);
    case Normalization::kSimplemax: return y;
  }
  return y;
}

bool NormalizeClassScores(Normalization n, std::span<const double> y, std::vector<double>& p) {
  const size_t k = y.size();
  p.assign(k, 0);
  if (k == 0) return false;
  if (n == Normalization::kSoftmax) {
    const double top = *std::max_element(y.begin(), y.end());
    double sum = 0;
    for (size_t i = 0; i < k; ++i) sum += (p[i] = std::exp(y[i] - top));
    for (double& v : p) v /= sum;
    return std::isfinite(sum) && sum > 0;
  }
  if (n == Normalization::kSimplemax) {
    double sum = 0;
    for (size_t i = 0; i < k; ++i) sum += (p[i] = y[i]);
    if (sum == 0) return false;
    for (double& v : p) v /= sum;
    return true;
  }
  double rest = 1;
  for (size_t i = 0; i + 1 < k; ++i) {
    p[i] = ApplyRegressionLink(n, y[i]);
    rest -= p[i];
  }
  p[k - 1] = k == 1 ? ApplyRegressionLink(n, y[0]) : rest;
  return true;
}

Result<LinkFunction> ReadLinkFunction(const XmlSource& src, const pugi::xml_node& model) {
  static const std::map<std::string_view, LinkFunction> kLinks = {
      {"identity", LinkFunction::kIdentity}, {"log", LinkFunction::kLog},
      {"logit", LinkFunction::kLogit},       {"probit", LinkFunction::kProbit},
      {"cloglog", LinkFunction::kCloglog},   {"loglog", LinkFunction::kLoglog},
      {"cauchit", LinkFunction::kCauchit},   {"inverse", LinkFunction::kInverse},
      {"power", LinkFunction::kPower},       {"logc", LinkFunction::kLogc},
  };
  std::string_view name = model.attribute("linkFunction").as_string("identity");
  auto it = kLinks.find(name);
  if (it == kLinks.end())
    return src.Unsupported(model, "linkFunction=\"" + std::string(name) + "\"");
  return it->second;
}

double InverseLink(LinkFunction link, double eta, double power) {
  switch (link) {
    case LinkFunction::kIdentity: return eta;
    case LinkFunction::kLog: return std::exp(eta);
    case LinkFunction::kLogit: return Logistic(eta);
    case LinkFunction::kProbit: return NormalCdf(eta);
    case LinkFunction::kCloglog: return 1 - std::exp(-std::exp(eta));
    case LinkFunction::kLoglog: return std::exp(-std::exp(-eta));
    case LinkFunction::kCauchit: return 0.5 + std::atan(eta) / std::numbers::pi;
    case LinkFunction::kInverse: return 1 / eta;
    case LinkFunction::kPower: return power == 0 ? std::exp(eta) : std::pow(eta, 1 / power);
    case LinkFunction::kLogc: return 1 - std::exp(eta);
  }
  return eta;
}

}  // namespace probity::models::pmml_internal
