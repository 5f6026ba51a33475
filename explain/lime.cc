#include "explain/lime.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "audit/core/status.h"
#include "explain/internal/lime_surrogate.h"
#include "explain/internal/sampling.h"

namespace probity::explain {
namespace {

using internal::Rng;

constexpr int64_t kMaxSamples = 10'000'000;
constexpr int32_t kUnseen = -2;  // a row's string level the training data never has

// np.percentile(values, q) with the default "linear" method, on sorted finite values
// (numpy ≥ 1.22's lerp, which interpolates from the upper neighbour when gamma ≥ 0.5).
double Percentile(const std::vector<double>& sorted, double q) {
  const double virtual_index = static_cast<double>(sorted.size() - 1) * (q / 100.0);
  const double below = std::floor(virtual_index);
  const auto prev = std::min(static_cast<size_t>(below), sorted.size() - 1);
  const size_t next = std::min(prev + 1, sorted.size() - 1);
  const double gamma = virtual_index - below;
  const double a = sorted[prev];
  const double b = sorted[next];
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

// One input's training statistics. Levels: numeric inputs have bins 0..edges.size()
// (np.searchsorted(edges, x), side "left": bin i holds edges[i−1] < x ≤ edges[i]); string
// inputs their training dictionary codes; a missing value is level `missing`.
struct InputStats {
  bool is_string = false;
  std::vector<double> edges;                    // np.unique(percentiles)
  std::vector<double> mean, std, lower, upper;  // per bin; lower/upper = the bin's edges
  int32_t missing = 0;

  int32_t LevelOf(double v) const {
    if (std::isnan(v)) return missing;
    if (is_string) return v < missing ? static_cast<int32_t>(v) : kUnseen;
    return static_cast<int32_t>(std::lower_bound(edges.begin(), edges.end(), v) - edges.begin());
  }
};

InputStats TrainingStats(const InputFrame& training, size_t j, const std::vector<double>& qs) {
  InputStats s;
  s.is_string = training.is_string[j];
  if (s.is_string) {
    s.missing = static_cast<int32_t>(training.dictionaries[j].size());
    return s;
  }
  std::vector<double> values;
  for (int64_t r = 0; r < training.rows; ++r) {
    if (!std::isnan(training.at(r, j))) values.push_back(training.at(r, j));
  }
  std::sort(values.begin(), values.end());
  if (!values.empty()) {
    for (double q : qs) s.edges.push_back(Percentile(values, q));
    s.edges.erase(std::unique(s.edges.begin(), s.edges.end()), s.edges.end());
  }
  const size_t bins = s.edges.size() + 1;
  s.missing = static_cast<int32_t>(bins);
  std::vector<std::vector<double>> members(bins);
  for (double v : values) members[static_cast<size_t>(s.LevelOf(v))].push_back(v);
  for (size_t b = 0; b < bins; ++b) {
    double mean = 0;
    double var = 0;
    for (double v : members[b]) mean += v;
    if (!members[b].empty()) mean /= static_cast<double>(members[b].size());
    for (double v : members[b]) var += (v - mean) * (v - mean);
    if (!members[b].empty()) var /= static_cast<double>(members[b].size());
    s.mean.push_back(mean);
    s.std.push_back(std::sqrt(var) + 1e-11);  // as LIME
    s.lower.push_back(b == 0 ? (values.empty() ? 0 : values.front()) : s.edges[b - 1]);
    s.upper.push_back(b + 1 == bins ? (values.empty() ? 0 : values.back()) : s.edges[b]);
  }
  return s;
}

// "age <= 35", "25 < age <= 35", "age > 35", "housing = own", "age is missing".
std::string Condition(const InputFrame& frame, size_t j, const InputStats& s, double value) {
  const std::string& name = frame.names[j];
  if (std::isnan(value)) return name + " is missing";
  if (s.is_string) return name + " = " + frame.Text(j, value);
  if (s.edges.empty()) return name + " is not missing";
  const auto b = static_cast<size_t>(s.LevelOf(value));
  if (b == 0) return name + " <= " + frame.Text(j, s.edges[0]);
  if (b == s.edges.size()) return name + " > " + frame.Text(j, s.edges.back());
  return frame.Text(j, s.edges[b - 1]) + " < " + name + " <= " + frame.Text(j, s.edges[b]);
}

struct Setup {
  const Model* model;
  const Players* players;
  const InputFrame* training;
  InputFrame rows;  // aligned to the training dictionaries
  std::vector<InputStats> stats;
  std::vector<int32_t> training_levels;         // training rows × width
  std::vector<std::vector<int32_t>> inputs_of;  // per player
  LimeOptions options;
  double kernel_width = 0;
  int64_t holdout = 0;
};

// Draws `count` samples around `x` into values (count × width, appended) and their
// interpretable 0/1 representation (count × players, appended). Per player: a training
// row r drawn uniformly (so levels follow the training frequencies); a single numeric input
// takes a truncated normal inside r's bin (LIME's undiscretize), a single string input r's
// value, a group all of r's values; the interpretable value is 1 when every input of the
// player is at the row's level (bin or category).
void Draw(const Setup& s, const double* x, const std::vector<int32_t>& x_levels, int64_t count,
          Rng& rng, std::vector<double>& values, std::vector<double>& z) {
  const size_t width = s.rows.width();
  const size_t players = s.inputs_of.size();
  const auto training_rows = static_cast<uint64_t>(s.training->rows);
  for (int64_t i = 0; i < count; ++i) {
    const size_t base = values.size();
    values.insert(values.end(), x, x + width);
    for (size_t p = 0; p < players; ++p) {
      const auto r = static_cast<int64_t>(rng.Below(training_rows));
      bool same = true;
      for (int32_t input : s.inputs_of[p]) {
        const auto j = static_cast<size_t>(input);
        const InputStats& st = s.stats[j];
        const int32_t level = s.training_levels[static_cast<size_t>(r) * width + j];
        same = same && level == x_levels[j];
        double v = s.training->at(r, j);
        if (s.inputs_of[p].size() == 1 && !st.is_string && level != st.missing) {
          const auto b = static_cast<size_t>(level);
          v = rng.TruncatedNormal(st.mean[b], st.std[b], st.lower[b], st.upper[b]);
        }
        values[base + j] = v;
      }
      z.push_back(same ? 1 : 0);
    }
  }
}

// The kernel weight of each sample: sqrt(exp(−d² / w²)), d² = the number of players not at
// the row's level (Euclidean distance on the 0/1 representation).
std::vector<double> KernelWeights(const std::vector<double>& z, size_t players, double width) {
  const size_t n = z.size() / players;
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) {
    double d2 = 0;
    for (size_t p = 0; p < players; ++p) d2 += 1 - z[i * players + p];
    w[i] = std::sqrt(std::exp(-d2 / (width * width)));
  }
  return w;
}

struct RowResult {
  Status status;
  std::vector<LimeExplanation> explanations;
  int64_t evaluations = 0;
};

RowResult ExplainRow(const Setup& s, int64_t row, const std::vector<std::string>* output_names) {
  RowResult out;
  const size_t width = s.rows.width();
  const size_t players = s.inputs_of.size();
  const double* x = s.rows.row(row);
  std::vector<int32_t> x_levels(width);
  for (size_t j = 0; j < width; ++j) x_levels[j] = s.stats[j].LevelOf(x[j]);

  Rng rng(MixSeed(s.options.seed, RowStream(s.options.row_streams, row)));
  const int64_t n = s.options.samples;
  std::vector<double> values(x, x + width);  // sample 0 is the row
  std::vector<double> z(players, 1.0);
  values.reserve(static_cast<size_t>(n + s.holdout) * width);
  z.reserve(static_cast<size_t>(n + s.holdout) * players);
  Draw(s, x, x_levels, n - 1 + s.holdout, rng, values, z);

  auto scored =
      ScoreRows(*s.model, s.rows, values, n + s.holdout, s.options.space, &out.evaluations);
  if (!scored.has_value()) {
    out.status = scored.error();
    return out;
  }
  const size_t outputs = scored->size() / static_cast<size_t>(n + s.holdout);
  for (size_t i = 0; i < scored->size(); ++i) {
    if (!std::isfinite((*scored)[i])) {
      out.status =
          InvalidArgumentError("LIME: the model gave no finite prediction for sample " +
                               std::to_string(i / outputs) + " of row " + std::to_string(row + 1))
              .Expecting("a model that scores every sampled row");
      return out;
    }
  }
  const std::vector<double> weights_all = KernelWeights(z, players, s.kernel_width);
  const std::vector<double> w(weights_all.begin(), weights_all.begin() + n);
  const std::vector<double> w_holdout(weights_all.begin() + n, weights_all.end());
  const std::vector<double> z_fit(z.begin(), z.begin() + n * static_cast<int64_t>(players));

  for (size_t k = 0; k < outputs; ++k) {
    std::vector<double> y(static_cast<size_t>(n));
    std::vector<double> y_holdout(static_cast<size_t>(s.holdout));
    for (int64_t i = 0; i < n + s.holdout; ++i) {
      const double v = (*scored)[static_cast<size_t>(i) * outputs + k];
      if (i < n) {
        y[static_cast<size_t>(i)] = v;
      } else {
        y_holdout[static_cast<size_t>(i - n)] = v;
      }
    }
    const internal::WeightedMoments m = internal::Moments(z_fit, y, w, n, players);
    const std::string& selection = s.options.selection;
    const int k_features = s.options.num_features;
    std::vector<int> selected;
    if (selection == "forward" || (selection == "auto" && k_features <= 6)) {
      selected = internal::ForwardSelection(m, k_features);
    } else if (selection == "none") {
      for (size_t p = 0; p < players; ++p) selected.push_back(static_cast<int>(p));
    } else {
      selected = internal::HighestWeights(m, k_features);
    }
    const internal::RidgeFit fit = internal::FitRidge(m, selected, s.options.ridge_alpha);

    auto predict = [&](const double* zs, int64_t count) {
      std::vector<double> yhat(static_cast<size_t>(count), fit.intercept);
      for (size_t i = 0; i < yhat.size(); ++i) {
        for (size_t f = 0; f < selected.size(); ++f) {
          yhat[i] += fit.coef[f] * zs[i * players + static_cast<size_t>(selected[f])];
        }
      }
      return yhat;
    };
    LimeExplanation e;
    e.row = row;
    e.output = (*output_names)[k];
    e.intercept = fit.intercept;
    e.r2 = internal::WeightedR2(y, predict(z.data(), n), w);
    e.holdout_r2 = internal::WeightedR2(
        y_holdout, predict(z.data() + static_cast<size_t>(n) * players, s.holdout), w_holdout);
    e.local_prediction = fit.intercept;
    for (double c : fit.coef) e.local_prediction += c;  // the row is all ones
    e.model_prediction = (*scored)[k];
    for (size_t f = 0; f < selected.size(); ++f) {
      const auto p = static_cast<size_t>(selected[f]);
      LimeFeature feature;
      feature.player = s.players->names[p];
      for (int32_t input : s.inputs_of[p]) {
        const auto j = static_cast<size_t>(input);
        if (!feature.condition.empty()) feature.condition += " and ";
        feature.condition += Condition(s.rows, j, s.stats[j], x[j]);
      }
      feature.weight = fit.coef[f];
      e.features.push_back(std::move(feature));
    }
    std::stable_sort(e.features.begin(), e.features.end(),
                     [](const LimeFeature& a, const LimeFeature& b) {
                       return std::abs(a.weight) > std::abs(b.weight);
                     });
    out.explanations.push_back(std::move(e));
  }
  return out;
}

Status CheckOptions(const Players& players, const InputFrame& training,
                    const LimeOptions& options) {
  if (options.num_features < 1 || static_cast<size_t>(options.num_features) > players.size()) {
    return InvalidArgumentError("LIME: num_features is " + std::to_string(options.num_features) +
                                " but the model has " + std::to_string(players.size()) +
                                " features (players)")
        .Expecting("1 ≤ num_features ≤ " + std::to_string(players.size()));
  }
  if (training.rows == 0) {
    return InvalidArgumentError("LIME: the training data has no rows")
        .Expecting("training rows to take the feature statistics from");
  }
  if (options.samples < 2 || options.samples > kMaxSamples) {
    return InvalidArgumentError("LIME: samples is " + std::to_string(options.samples))
        .Expecting("2 ≤ samples ≤ " + std::to_string(kMaxSamples));
  }
  const std::string& sel = options.selection;
  if (sel != "auto" && sel != "forward" && sel != "highest_weights" && sel != "none") {
    return InvalidArgumentError("LIME: unknown feature selection \"" + sel + "\"")
        .Expecting("auto, forward, highest_weights or none");
  }
  if (options.discretizer != "quartile" && options.discretizer != "decile") {
    return InvalidArgumentError("LIME: unknown discretizer \"" + options.discretizer + "\"")
        .Expecting("quartile or decile");
  }
  if (!(options.kernel_width >= 0) || !std::isfinite(options.kernel_width)) {
    return InvalidArgumentError("LIME: kernel width must be a finite number ≥ 0")
        .Expecting("0 (the default 0.75·√players) or a positive width");
  }
  if (!(options.ridge_alpha >= 0) || !std::isfinite(options.ridge_alpha)) {
    return InvalidArgumentError("LIME: ridge alpha must be a finite number ≥ 0")
        .Expecting("a ridge penalty such as 1");
  }
  if (players.player_of_input.size() != training.width()) {
    return InvalidArgumentError("LIME: the players cover " +
                                std::to_string(players.player_of_input.size()) +
                                " inputs but the data has " + std::to_string(training.width()))
        .Expecting("players built from the model's inputs");
  }
  return OkStatus();
}

}  // namespace

Result<LimeResult> Lime(const Model& model, const Players& players, const InputFrame& training,
                        const InputFrame& rows, const LimeOptions& options) {
  PROBITY_RETURN_IF_ERROR(CheckOptions(players, training, options));
  Setup s;
  s.model = &model;
  s.players = &players;
  s.training = &training;
  s.options = options;
  PROBITY_ASSIGN_OR_RETURN(s.rows, internal::AlignFrame(training, rows, "the rows explained"));
  const std::vector<double> qs = options.discretizer == "decile"
                                     ? std::vector<double>{10, 20, 30, 40, 50, 60, 70, 80, 90}
                                     : std::vector<double>{25, 50, 75};
  const size_t width = training.width();
  for (size_t j = 0; j < width; ++j) s.stats.push_back(TrainingStats(training, j, qs));
  s.training_levels.resize(static_cast<size_t>(training.rows) * width);
  for (int64_t r = 0; r < training.rows; ++r) {
    for (size_t j = 0; j < width; ++j) {
      s.training_levels[static_cast<size_t>(r) * width + j] = s.stats[j].LevelOf(training.at(r, j));
    }
  }
  for (size_t p = 0; p < players.size(); ++p) s.inputs_of.push_back(players.InputsOf(p));
  s.kernel_width = options.kernel_width > 0 ? options.kernel_width
                                            : 0.75 * std::sqrt(static_cast<double>(players.size()));
  s.holdout = std::max<int64_t>(2, (options.samples + 3) / 4);

  LimeResult result;
  result.kernel_width = s.kernel_width;
  result.seed = options.seed;
  if (s.rows.rows == 0) return result;

  // The output names, from the width of one scored row.
  PROBITY_ASSIGN_OR_RETURN(
      Buffer<double> first,
      ScoreRows(model, s.rows, std::span<const double>(s.rows.row(0), width), 1, options.space));
  const std::vector<std::string> output_names =
      ExplainedOutputNames(model.info(), static_cast<int>(first.size()));

  std::vector<RowResult> per_row(static_cast<size_t>(s.rows.rows));
#pragma omp parallel for schedule(dynamic, 1) num_threads(internal::ThreadCount(options.threads))
  for (int64_t r = 0; r < s.rows.rows; ++r) {
    per_row[static_cast<size_t>(r)] = ExplainRow(s, r, &output_names);
  }
  for (RowResult& rr : per_row) {
    PROBITY_RETURN_IF_ERROR(rr.status);
    result.model_evaluations += rr.evaluations;
    for (LimeExplanation& e : rr.explanations) result.explanations.push_back(std::move(e));
  }
  return result;
}

}  // namespace probity::explain
