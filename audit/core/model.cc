#include "audit/core/model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace probity {

std::string_view ModelTaskName(ModelTask task) {
  switch (task) {
    case ModelTask::kRegression: return "regression";
    case ModelTask::kClassification: return "classification";
    case ModelTask::kClustering: return "clustering";
  }
  return "regression";
}

std::string_view InputKindName(InputKind kind) {
  switch (kind) {
    case InputKind::kContinuous: return "continuous";
    case InputKind::kCategorical: return "categorical";
    case InputKind::kOrdinal: return "ordinal";
  }
  return "continuous";
}

int TreeDepth(const TreeView& tree) {
  int deepest = 0;
  std::vector<std::pair<int32_t, int>> stack;
  if (!tree.nodes.empty()) stack.push_back({0, 0});
  while (!stack.empty()) {
    auto [index, depth] = stack.back();
    stack.pop_back();
    const TreeNode& node = tree.nodes[static_cast<size_t>(index)];
    if (node.kind == SplitKind::kLeaf) {
      deepest = std::max(deepest, depth);
    } else {
      stack.push_back({node.left, depth + 1});
      stack.push_back({node.right, depth + 1});
    }
  }
  return deepest;
}

bool GoesLeft(const TreeNode& node, double value) {
  if (std::isnan(value) || (node.zero_is_missing && std::fabs(value) <= 1e-35)) {
    return node.default_left;
  }
  switch (node.kind) {
    case SplitKind::kLess: return value < node.threshold;
    case SplitKind::kLessEqual: return value <= node.threshold;
    case SplitKind::kCategorical: {
      bool in_set = false;
      if (value > -1.0 && value < 2147483648.0) {
        const auto code = static_cast<int32_t>(static_cast<int64_t>(value));
        in_set = std::find(node.categories.begin(), node.categories.end(), code) !=
                 node.categories.end();
      }
      return in_set == node.categories_go_left;
    }
    case SplitKind::kLeaf: break;
  }
  return node.default_left;
}

Result<Buffer<double>> Model::ViewInputs(const Table&) const {
  return UnimplementedError("the " + info_.format + " model has no structure view to explain")
      .Expecting("a tree ensemble or a linear model");
}

double Predictions::Value(int64_t row, int target) const {
  if (values.empty() || rows == 0) return std::numeric_limits<double>::quiet_NaN();
  const size_t width = values.size() / static_cast<size_t>(rows);
  return values[static_cast<size_t>(row) * width + static_cast<size_t>(target)];
}

double Predictions::Probability(int64_t row, size_t class_index) const {
  if (probabilities.empty() || rows == 0) return std::numeric_limits<double>::quiet_NaN();
  const size_t width = probabilities.size() / static_cast<size_t>(rows);
  return probabilities[static_cast<size_t>(row) * width + class_index];
}

}  // namespace probity
