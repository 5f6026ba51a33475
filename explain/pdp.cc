#include "explain/pdp.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "audit/core/status.h"
#include "explain/internal/interventional_ensemble.h"

namespace probity::explain {
namespace {

// Synthetic rows scored per ScoreRows call (its own chunk size), so memory stays bounded
// whatever rows × grid points is.
constexpr int64_t kBlockRows = 65536;

Status CheckOptions(const InputFrame& data, const PdpOptions& options) {
  if (data.rows <= 0) {
    return InvalidArgumentError("partial dependence: the data has no rows")
        .Expecting("one or more rows to average over");
  }
  if (options.grid_points < 2) {
    return InvalidArgumentError("partial dependence: grid_points is " +
                                std::to_string(options.grid_points))
        .Expecting("2 or more grid points");
  }
  const double lo = options.lower_percentile, hi = options.upper_percentile;
  if (!(lo >= 0 && lo <= 1 && hi >= 0 && hi <= 1) || !(lo < hi)) {
    return InvalidArgumentError("partial dependence: percentiles (" + std::to_string(lo) + ", " +
                                std::to_string(hi) + ")")
        .Expecting("0 <= lower < upper <= 1");
  }
  if (options.method != "brute" && options.method != "recursion" && options.method != "auto") {
    return InvalidArgumentError("partial dependence: unknown method \"" + options.method + "\"")
        .Expecting("brute, recursion or auto");
  }
  if (options.threads < 0) {
    return InvalidArgumentError("partial dependence: threads is " + std::to_string(options.threads))
        .Expecting("0 (all cores) or a positive count");
  }
  return OkStatus();
}

Result<std::vector<size_t>> ResolveFeatures(const InputFrame& data,
                                            const std::vector<std::string>& names) {
  std::vector<size_t> out;
  if (names.empty()) {
    for (size_t j = 0; j < data.width(); ++j) out.push_back(j);
    return out;
  }
  for (const std::string& name : names) {
    auto it = std::find(data.names.begin(), data.names.end(), name);
    if (it == data.names.end()) {
      std::string inputs;
      for (size_t j = 0; j < data.width() && j < 12; ++j) inputs += (j ? ", " : "") + data.names[j];
      if (data.width() > 12) inputs += ", …";
      return InvalidArgumentError("partial dependence: unknown feature \"" + name + "\"")
          .Expecting("a model input (" + inputs + ")");
    }
    out.push_back(static_cast<size_t>(it - data.names.begin()));
  }
  return out;
}

// scipy.stats.mstats.mquantiles with its defaults alphap = betap = 0.4, which
// scikit-learn's partial_dependence uses for the grid ends; `sorted` has n >= 2 values.
double MQuantile(const std::vector<double>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  const double m = 0.4 + p * (1.0 - 0.4 - 0.4);
  const double aleph = n * p + m;
  const double k = std::floor(std::clamp(aleph, 1.0, n - 1));
  const double gamma = std::clamp(aleph - k, 0.0, 1.0);
  const auto i = static_cast<size_t>(k);
  return (1.0 - gamma) * sorted[i - 1] + gamma * sorted[i];
}

// The grid, labels and distribution counts of input j.
Status BuildGrid(const Model& model, const InputFrame& data, size_t j, const PdpOptions& options,
                 PdpCurve* curve) {
  std::vector<double> values;
  for (int64_t r = 0; r < data.rows; ++r) {
    const double v = data.at(r, j);
    if (std::isnan(v)) {
      ++curve->missing;
    } else {
      values.push_back(v);
    }
  }
  curve->rows = data.rows;
  if (values.empty()) {
    return InvalidArgumentError("partial dependence: feature \"" + data.names[j] +
                                "\" has no non-missing value in the data")
        .Expecting("some rows with a value to build the grid from");
  }
  std::sort(values.begin(), values.end());
  std::vector<double> uniques = values;
  uniques.erase(std::unique(uniques.begin(), uniques.end()), uniques.end());
  const std::vector<ModelInput>& inputs = model.info().inputs;
  curve->categorical =
      data.is_string[j] || (j < inputs.size() && inputs[j].kind == InputKind::kCategorical);
  if (curve->categorical) {
    curve->grid = uniques;
    if (data.is_string[j]) {  // levels in text order, as numpy's unique sorts them
      std::sort(curve->grid.begin(), curve->grid.end(),
                [&](double a, double b) { return data.Text(j, a) < data.Text(j, b); });
    }
    curve->data_counts.assign(curve->grid.size() + 1, 0);
    for (double v : values) {
      const auto at = std::find(curve->grid.begin(), curve->grid.end(), v) - curve->grid.begin();
      ++curve->data_counts[static_cast<size_t>(at)];
    }
    curve->data_counts.back() = curve->missing;
  } else {
    const auto points = static_cast<size_t>(options.grid_points);
    if (uniques.size() < points) {
      curve->grid = uniques;
    } else {
      const double lo = MQuantile(values, options.lower_percentile);
      const double hi = MQuantile(values, options.upper_percentile);
      if (std::fabs(hi - lo) <= 1e-8 + 1e-5 * std::fabs(hi)) {
        return InvalidArgumentError("partial dependence: feature \"" + data.names[j] +
                                    "\" has the same value at both percentiles")
            .Expecting("percentiles further apart");
      }
      const double step = (hi - lo) / static_cast<double>(points - 1);
      for (size_t g = 0; g < points; ++g) curve->grid.push_back(static_cast<double>(g) * step + lo);
      curve->grid.back() = hi;
    }
    // Counts: below grid[0], each [grid[g], grid[g+1]), at or above the last point.
    curve->data_counts.assign(curve->grid.size() + 1, 0);
    for (double v : values) {
      const auto at =
          std::upper_bound(curve->grid.begin(), curve->grid.end(), v) - curve->grid.begin();
      ++curve->data_counts[static_cast<size_t>(at)];
    }
  }
  for (double g : curve->grid) curve->labels.push_back(data.Text(j, g));
  return OkStatus();
}

Status Brute(const Model& model, const InputFrame& data, size_t j, const PdpOptions& options,
             PdpCurve* curve) {
  const size_t width = data.width();
  const size_t grid = curve->grid.size();
  const auto rows = static_cast<size_t>(data.rows);
  const size_t block = std::max<size_t>(1, static_cast<size_t>(kBlockRows) / grid);
  Buffer<double> synthetic;
  std::vector<double> sums;
  size_t outputs = 0;
  for (size_t begin = 0; begin < rows; begin += block) {
    const size_t n = std::min(block, rows - begin);
    synthetic.resize(n * grid * width);
    for (size_t i = 0; i < n; ++i) {
      const double* source = data.row(static_cast<int64_t>(begin + i));
      for (size_t g = 0; g < grid; ++g) {
        double* target = synthetic.data() + (i * grid + g) * width;
        std::copy(source, source + width, target);
        target[j] = curve->grid[g];
      }
    }
    PROBITY_ASSIGN_OR_RETURN(
        Buffer<double> scores,
        ScoreRows(model, data, synthetic, static_cast<int64_t>(n * grid), options.space));
    if (begin == 0) {
      outputs = scores.size() / (n * grid);
      sums.assign(grid * outputs, 0.0);
      if (options.ice) curve->ice.resize(rows * grid * outputs);
    }
    for (size_t i = 0; i < n; ++i) {
      for (size_t m = 0; m < grid * outputs; ++m) sums[m] += scores[i * grid * outputs + m];
    }
    if (options.ice) {
      std::copy(scores.begin(), scores.end(),
                curve->ice.begin() + static_cast<ptrdiff_t>(begin * grid * outputs));
    }
  }
  curve->outputs = ExplainedOutputNames(model.info(), static_cast<int>(outputs));
  curve->average.resize(grid * outputs);
  for (size_t m = 0; m < grid * outputs; ++m) {
    curve->average[m] = sums[m] / static_cast<double>(rows);
  }
  return OkStatus();
}

// scikit-learn's method="recursion" (BaseDecisionTree._compute_partial_dependence_recursion):
// at a split on input j follow the grid value's branch, elsewhere both branches, weighted
// by their share of the children's cover.
Status Recursion(const Model& model, const InputFrame& data, size_t j, int threads,
                 PdpCurve* curve) {
  const TreeEnsembleView& view = *model.tree_view();
  const size_t width = data.width();
  PROBITY_ASSIGN_OR_RETURN(internal::EnsembleLayout layout,
                           internal::CheckEnsemble(view, model.info().inputs.size()));
  for (size_t t = 0; t < view.trees.size(); ++t) {
    const std::vector<TreeNode>& nodes = view.trees[t].nodes;
    for (size_t i = 0; i < nodes.size(); ++i) {
      const TreeNode& node = nodes[i];
      if (node.kind == SplitKind::kLeaf || static_cast<size_t>(node.feature) == j) continue;
      const double l = nodes[static_cast<size_t>(node.left)].cover;
      const double r = nodes[static_cast<size_t>(node.right)].cover;
      if (!(l >= 0) || !(r >= 0) || !(l + r > 0) || !std::isfinite(l + r)) {
        return InvalidArgumentError("partial dependence by recursion: tree " + std::to_string(t) +
                                    ", node " + std::to_string(i) +
                                    " has children without a usable cover (" + std::to_string(l) +
                                    ", " + std::to_string(r) + ")")
            .Expecting("node covers in the model (cover: " + view.cover_kind +
                       "), or --pdp-method brute");
      }
    }
  }
  // The grid values as the view reads them (XGBoost rounds to float; categories become
  // the model's codes): score-side encoding of a table of the grid rows.
  const size_t grid = curve->grid.size();
  Buffer<double> rows(grid * width);
  for (size_t g = 0; g < grid; ++g) {
    std::copy(data.row(0), data.row(0) + width, rows.data() + g * width);
    rows[g * width + j] = curve->grid[g];
  }
  PROBITY_ASSIGN_OR_RETURN(Buffer<double> view_inputs,
                           model.ViewInputs(FrameTable(data, rows, static_cast<int64_t>(grid))));
  const size_t model_width = model.info().inputs.size();
  if (view_inputs.size() != grid * model_width) {
    return InvalidArgumentError("partial dependence: the model's view inputs have " +
                                std::to_string(view_inputs.size()) + " values")
        .Expecting(std::to_string(grid) + " rows × " + std::to_string(model_width));
  }
  const size_t outputs = layout.num_outputs;
  curve->outputs = ExplainedOutputNames(model.info(), static_cast<int>(outputs));
  curve->average.resize(grid * outputs);
#pragma omp parallel num_threads(threads)
  {
    std::vector<std::pair<int32_t, double>> stack;
#pragma omp for schedule(dynamic, 1)
    for (size_t g = 0; g < grid; ++g) {
      const double value = view_inputs[g * model_width + j];
      double* out = curve->average.data() + g * outputs;
      for (size_t k = 0; k < outputs; ++k) out[k] = layout.base[k];
      for (size_t t = 0; t < view.trees.size(); ++t) {
        const std::vector<TreeNode>& nodes = view.trees[t].nodes;
        stack.assign(1, {0, 1.0});
        while (!stack.empty()) {
          const auto [index, weight] = stack.back();
          stack.pop_back();
          const TreeNode& node = nodes[static_cast<size_t>(index)];
          if (node.kind == SplitKind::kLeaf) {
            layout.ForEachLeafValue(t, node, weight, [&](size_t k, double v) { out[k] += v; });
          } else if (static_cast<size_t>(node.feature) == j) {
            stack.emplace_back(GoesLeft(node, value) ? node.left : node.right, weight);
          } else {
            const double l = nodes[static_cast<size_t>(node.left)].cover;
            const double r = nodes[static_cast<size_t>(node.right)].cover;
            stack.emplace_back(node.right, weight * r / (l + r));
            stack.emplace_back(node.left, weight * l / (l + r));
          }
        }
      }
    }
  }
  return OkStatus();
}

}  // namespace

Result<std::vector<PdpCurve>> PartialDependence(const Model& model, const InputFrame& data,
                                                const PdpOptions& options) {
  PROBITY_RETURN_IF_ERROR(CheckOptions(data, options));
  PROBITY_ASSIGN_OR_RETURN(std::vector<size_t> features, ResolveFeatures(data, options.features));
  const bool trees = model.tree_view() != nullptr;
  const bool margin = options.space == OutputSpace::kMargin;
  bool recursion = options.method == "recursion";
  if (options.method == "auto") recursion = trees && margin && !options.ice;
  if (recursion && (!trees || !margin)) {
    return InvalidArgumentError(
               std::string("partial dependence by recursion needs a tree model in margin space; ") +
               (trees ? "the output space is " + std::string(OutputSpaceName(options.space))
                      : "the " + model.info().format + " model has no tree structure"))
        .Expecting(trees ? "--output margin, or --pdp-method brute" : "--pdp-method brute");
  }
  if (recursion && data.width() != model.info().inputs.size()) {
    return InvalidArgumentError("partial dependence: the data frame has " +
                                std::to_string(data.width()) + " inputs")
        .Expecting("the model's " + std::to_string(model.info().inputs.size()) + " inputs");
  }
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();
  std::vector<PdpCurve> curves;
  for (size_t j : features) {
    PdpCurve curve;
    curve.feature = data.names[j];
    curve.method = recursion ? "recursion" : "brute";
    PROBITY_RETURN_IF_ERROR(BuildGrid(model, data, j, options, &curve));
    if (recursion) {
      PROBITY_RETURN_IF_ERROR(Recursion(model, data, j, threads, &curve));
    } else {
      PROBITY_RETURN_IF_ERROR(Brute(model, data, j, options, &curve));
    }
    curves.push_back(std::move(curve));
  }
  return curves;
}

}  // namespace probity::explain
