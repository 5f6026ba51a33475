// Turns raw margins (the sum a linear or tree model computes) into Predictions: the output
// link for regression values, or class probabilities and labels for classifiers. Shared by
// the LightGBM and Probity native loaders so every format applies a link the same way.
//
//   Buffer<double> margins = ...;  // rows × width
//   Predictions p = MarginsToPredictions(std::move(margins), rows, width,
//                                        {.link = OutputLink::kLogistic, .classes = 2});
#pragma once

#include <cstdint>
#include <string_view>

#include "audit/core/buffer.h"
#include "audit/core/model.h"

namespace probity::models::internal {

enum class OutputLink {
  kIdentity,      // value = m
  kExp,           // value = exp(m)                       (poisson, gamma, tweedie)
  kSignedSquare,  // value = sign(m)·m²                   (LightGBM regression "sqrt")
  kLog1pExp,      // value = log(1 + exp(m))              (LightGBM cross_entropy_lambda)
  kLogistic,      // p = 1 / (1 + exp(-scale·m))          (binary: one margin, 2 classes;
                  //                                       regression: a value in [0, 1])
  kSoftmax,       // p_k = exp(m_k - max) / Σ exp(m_j - max)
  kOneVsRest,     // p_k = 1 / (1 + exp(-scale·m_k)), not normalised (LightGBM multiclassova)
};

// The name ModelInfo::link and TreeEnsembleView::link use: "identity", "exp",
// "signed_square", "log1p_exp", "logistic", "softmax", "one_vs_rest_logistic".
std::string_view OutputLinkName(OutputLink link);

struct OutputSpec {
  OutputLink link = OutputLink::kIdentity;
  double scale = 1;  // logistic slope (LightGBM's `sigmoid:` parameter)
  // Classifiers: the number of classes (2 for a binary model with one margin); 0 for
  // regression, where each margin column becomes one value column.
  int classes = 0;
};

// `margins` holds rows × width values, row-major. Classification: probabilities rows ×
// classes and labels (the first most probable class); regression: values rows × width.
// The margins are kept in the result.
Predictions MarginsToPredictions(Buffer<double> margins, int64_t rows, int width,
                                 const OutputSpec& spec);

}  // namespace probity::models::internal
