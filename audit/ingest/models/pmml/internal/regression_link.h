// Output normalizations shared by RegressionModel, NeuralNetwork and SupportVector models
// (the PMML normalizationMethod attribute), and GeneralRegressionModel's inverse link
// functions.
#pragma once

#include <pugixml.hpp>
#include <span>
#include <string_view>
#include <vector>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/models/pmml/internal/xml.h"

namespace probity::models::pmml_internal {

enum class Normalization {
  kNone,
  kSoftmax,
  kSimplemax,
  kLogit,
  kProbit,
  kCloglog,
  kLoglog,
  kCauchit,
  kExp,
};

// The normalizationMethod of `model`; kUnimplemented for methods Probity does not support.
Result<Normalization> ReadNormalization(const XmlSource& src, const pugi::xml_node& model,
                                        ModelTask task);
std::string_view NormalizationName(Normalization n);  // as ModelInfo::link

// The inverse link of a single value (logit → logistic, …); kNone is the identity; kSoftmax
// on one value is the logistic function.
double ApplyRegressionLink(Normalization n, double y);

// Class probabilities from per-class scores `y` into `p`: softmax and simplemax over all
// scores; the binary links (and none) map each score through the inverse link and give the
// last class 1 − Σ others. False when the scores cannot be normalized (e.g. Σ = 0).
bool NormalizeClassScores(Normalization n, std::span<const double> y, std::vector<double>& p);

enum class LinkFunction {
  kIdentity,
  kLog,
  kLogit,
  kProbit,
  kCloglog,
  kLoglog,
  kCauchit,
  kInverse,
  kPower,
  kLogc
};
Result<LinkFunction> ReadLinkFunction(const XmlSource& src, const pugi::xml_node& model);
// μ = g⁻¹(η); `power` is linkParameter for kPower.
double InverseLink(LinkFunction link, double eta, double power);

}  // namespace probity::models::pmml_internal
