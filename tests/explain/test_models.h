// Small in-memory models for the explainers' tests:
// - ViewModel scores a TreeEnsembleView (random_trees.h) or a LinearView through the view
//   itself (GoesLeft routing), with an identity (regression), logistic (binary) or softmax
//   (multiclass) link, so model-agnostic explainers can be checked against structure-aware
//   ones on the same model;
// - FunctionModel scores rows with any function of the input values (numbers; string
//   inputs arrive as their category code), for hand-computed cases.
#pragma once

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "audit/core/model.h"
#include "audit/ingest/models/feature_binding.h"
#include "audit/ingest/models/internal/margin_transform.h"
#include "explain/input_frame.h"

namespace probity::explain::testing {

// Margins → Predictions with the link: "identity" (regression), "logistic" (binary, one
// margin), "softmax" (one margin per class).
inline Predictions LinkPredictions(Buffer<double> margins, int64_t rows, int width,
                                   const std::string& link) {
  using models::internal::OutputLink;
  models::internal::OutputSpec spec;
  if (link == "logistic") {
    spec = {.link = OutputLink::kLogistic, .classes = 2};
  } else if (link == "softmax") {
    spec = {.link = OutputLink::kSoftmax, .classes = width};
  }
  return models::internal::MarginsToPredictions(std::move(margins), rows, width, spec);
}

// A frame of numeric inputs named as `info`'s, holding `rows` (each inputs-long).
inline InputFrame NumericRows(const ModelInfo& info, const std::vector<std::vector<double>>& rows) {
  InputFrame frame;
  for (const ModelInput& input : info.inputs) {
    frame.names.push_back(input.name);
    frame.is_string.push_back(false);
    frame.dictionaries.emplace_back();
  }
  frame.rows = static_cast<int64_t>(rows.size());
  for (const auto& row : rows) frame.values.insert(frame.values.end(), row.begin(), row.end());
  return frame;
}

class ViewModel final : public Model {
 public:
  // `info` names the inputs (and classes for classifiers); `link` as LinkPredictions.
  ViewModel(ModelInfo info, TreeEnsembleView view) : view_(std::move(view)) {
    info_ = std::move(info);
    info_.link = view_.link;
  }
  const TreeEnsembleView* tree_view() const override { return &view_; }
  Result<Buffer<double>> ViewInputs(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(auto columns, models::ReadInputColumns(info_, batch));
    return models::ToRowMajor(columns, batch.num_rows());
  }
  Result<Predictions> Predict(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(Buffer<double> x, ViewInputs(batch));
    const size_t width = info_.inputs.size();
    const auto outputs = static_cast<size_t>(view_.num_outputs);
    const auto rows = static_cast<size_t>(batch.num_rows());
    Buffer<double> margins(rows * outputs);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t k = 0; k < outputs; ++k) margins[r * outputs + k] = view_.base_margin[k];
      for (const TreeView& tree : view_.trees) {
        int32_t n = 0;
        while (tree.nodes[static_cast<size_t>(n)].kind != SplitKind::kLeaf) {
          const TreeNode& node = tree.nodes[static_cast<size_t>(n)];
          n = GoesLeft(node, x[r * width + static_cast<size_t>(node.feature)]) ? node.left
                                                                               : node.right;
        }
        const double scale = view_.average ? 1.0 / static_cast<double>(view_.trees.size()) : 1.0;
        margins[r * outputs + static_cast<size_t>(tree.output)] +=
            scale * tree.weight * tree.nodes[static_cast<size_t>(n)].leaf[0];
      }
    }
    return LinkPredictions(std::move(margins), batch.num_rows(), static_cast<int>(outputs),
                           view_.link);
  }

 private:
  TreeEnsembleView view_;
};

class FunctionModel final : public Model {
 public:
  using Function = std::function<std::vector<double>(const std::vector<double>&)>;
  // `f` maps one row's input values to `width` margins; `link` as LinkPredictions.
  FunctionModel(ModelInfo info, int width, std::string link, Function f)
      : width_(width), link_(std::move(link)), f_(std::move(f)) {
    info_ = std::move(info);
    info_.link = link_;
  }
  Result<Predictions> Predict(const Table& batch) const override {
    PROBITY_ASSIGN_OR_RETURN(auto columns, models::ReadInputColumns(info_, batch));
    const auto rows = static_cast<size_t>(batch.num_rows());
    Buffer<double> margins(rows * static_cast<size_t>(width_));
    std::vector<double> row(columns.size());
    for (size_t r = 0; r < rows; ++r) {
      for (size_t j = 0; j < columns.size(); ++j) row[j] = columns[j][r];
      std::vector<double> m = f_(row);
      for (size_t k = 0; k < static_cast<size_t>(width_); ++k) {
        margins[r * static_cast<size_t>(width_) + k] = m[k];
      }
    }
    return LinkPredictions(std::move(margins), batch.num_rows(), width_, link_);
  }

 private:
  int width_;
  std::string link_;
  Function f_;
};

}  // namespace probity::explain::testing
