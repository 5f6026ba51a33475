// Partial dependence (Friedman 2001) and individual conditional expectation curves
// (Goldstein et al. 2015): PD_j(t) = (1/n) Σ_i f(t, x_{i,-j}) on a grid of t, and the n
// curves themselves. Numeric features use a grid on percentiles of the data; string
// (categorical) features use their levels. Every curve carries the data distribution
// (the share of rows per grid interval and outside the grid) so a plot can show where the
// curve extrapolates.
//
// Methods: "brute" (any model, through ScoreRows: n × grid rows scored) and "recursion"
// (tree ensembles, margin space, average only: the weighted tree traversal of
// scikit-learn's method="recursion", which weights the unknown branches by node cover —
// the path-dependent expectation, not the data average; the output says which was used).
// "auto" is recursion for a tree model in margin space when ICE is not asked for, else
// brute. Numeric grids follow scikit-learn's partial_dependence: the unique values when
// there are fewer than grid_points, else grid_points evenly spaced points between the
// percentiles (scipy's mquantiles, alphap = betap = 0.4) of the non-missing values.
//
//   PROBITY_ASSIGN_OR_RETURN(InputFrame data, ReadInputFrame(model.info(), table, "d.csv"));
//   PROBITY_ASSIGN_OR_RETURN(std::vector<PdpCurve> curves,
//                            PartialDependence(model, data, {.features = {"age"}}));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/core/buffer.h"
#include "audit/core/model.h"
#include "audit/core/result.h"
#include "explain/attribution.h"
#include "explain/input_frame.h"

namespace probity::explain {

struct PdpOptions {
  std::vector<std::string> features;  // model input names; empty = every input
  int grid_points = 20;               // numeric features: at most this many distinct points
  double lower_percentile = 0.05;     // grid from this percentile of the data…
  double upper_percentile = 0.95;     // …to this one (scikit-learn's defaults)
  bool ice = true;                    // keep the individual curves (brute only)
  std::string method = "brute";       // "brute" | "recursion" | "auto" (recursion for trees)
  OutputSpace space = OutputSpace::kProbability;  // kValue for regression
  int threads = 0;  // recursion: grid points in parallel (brute: Model::Predict's own)
};

struct PdpCurve {
  std::string feature;
  bool categorical = false;
  std::string method;               // "brute" or "recursion"
  std::vector<double> grid;         // numeric grid points, or codes for string features
  std::vector<std::string> labels;  // the grid points as text
  std::vector<std::string> outputs;
  Buffer<double> average;  // grid × outputs
  Buffer<double> ice;      // rows × grid × outputs (empty unless options.ice and brute)
  // Distribution: rows below the first grid point, in each interval
  // [grid[g], grid[g+1]) and at or above the last point (grid.size() + 1 counts); for
  // string features the count per level then the missing count.
  std::vector<int64_t> data_counts;
  int64_t rows = 0;
  int64_t missing = 0;  // rows with a missing value of the feature
};

// One curve per requested feature over the rows of `data` (ReadInputFrame of the model's
// inputs). Brute scores rows × grid synthetic rows in blocks of at most 65,536; recursion
// costs O(grid · trees · leaves), weights a split's branches by their share of the
// children's covers and encodes grid values with Model::ViewInputs. Deterministic.
// kInvalidArgument for an unknown feature, an empty frame, a grid of fewer than 2 points,
// percentiles outside [0, 1] or not increasing, an unknown method, a feature with no
// non-missing value or equal values at both percentiles, "recursion" for a model without a
// tree view, in a space other than margin, or with a split lacking usable covers; and the
// errors of ScoreRows (a space the model cannot give).
Result<std::vector<PdpCurve>> PartialDependence(const Model& model, const InputFrame& data,
                                                const PdpOptions& options);

}  // namespace probity::explain
