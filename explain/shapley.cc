#include "explain/shapley.h"

#include <Eigen/Dense>
#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "audit/core/status.h"
#include "explain/internal/coalitions.h"
#include "explain/internal/sampling.h"

namespace probity::explain {
namespace {

using internal::AlignedBackground;
using internal::CoalitionValuer;
using internal::GameEnds;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Bounds that keep a row's coalition values in memory: 2^20 coalitions × outputs doubles.
constexpr int kMaxExactPlayers = 20;
constexpr int64_t kMaxKernelSamples = int64_t{1} << 20;

// What every coalition explainer sets up once per call: the aligned background, the
// game's end points (f(x) per row, v(∅) = Σ_b w_b f(b)) and each player's inputs.
struct Game {
  AlignedBackground background;
  GameEnds ends;
  std::vector<std::vector<int32_t>> inputs_of_player;
  int64_t evaluations = 0;
};

Result<Game> PrepareGame(const Model& model, const Players& players, const InputFrame& rows,
                         const Background& background, OutputSpace space) {
  const size_t width = model.info().inputs.size();
  if (rows.width() != width || players.player_of_input.size() != width) {
    return InvalidArgumentError("the data has " + std::to_string(rows.width()) +
                                " inputs and the players cover " +
                                std::to_string(players.player_of_input.size()))
        .Expecting(std::to_string(width) + " (the model's inputs)");
  }
  if (rows.rows < 0 || rows.values.size() != static_cast<size_t>(rows.rows) * width) {
    return InvalidArgumentError("the data frame has " + std::to_string(rows.values.size()) +
                                " values for " + std::to_string(rows.rows) + " rows")
        .Expecting("rows × inputs values");
  }
  Game game;
  PROBITY_ASSIGN_OR_RETURN(game.background, internal::AlignBackground(rows, background));
  PROBITY_ASSIGN_OR_RETURN(
      game.ends, internal::ScoreGameEnds(model, rows, game.background, space, &game.evaluations));
  for (size_t p = 0; p < players.size(); ++p) game.inputs_of_player.push_back(players.InputsOf(p));
  return game;
}

// The inputs of the players whose bit is set in `in` (one byte per varying player).
template <typename Member>
std::vector<int32_t> CoalitionInputs(const Game& game, const std::vector<int32_t>& varying,
                                     Member in) {
  std::vector<int32_t> inputs;
  for (size_t i = 0; i < varying.size(); ++i) {
    if (!in(i)) continue;
    const auto& of = game.inputs_of_player[static_cast<size_t>(varying[i])];
    inputs.insert(inputs.end(), of.begin(), of.end());
  }
  return inputs;
}

// Explains rows in blocks whose synthetic rows fit one valuer batch (at least one row per
// block), so the per-row state stays small whatever the number of rows. `cost(r)` is the
// number of coalitions row r evaluates; `queue(r)` adds them; `finish(r)` uses their values.
template <typename Cost, typename Queue, typename Finish>
Status InBlocks(int64_t rows, int64_t max_coalitions, CoalitionValuer& valuer, Cost cost,
                Queue queue, Finish finish) {
  for (int64_t begin = 0; begin < rows;) {
    int64_t end = begin;
    int64_t total = 0;
    while (end < rows && (end == begin || total + cost(end) <= max_coalitions)) {
      total += cost(end++);
    }
    PROBITY_RETURN_IF_ERROR(queue(begin, end));
    PROBITY_RETURN_IF_ERROR(valuer.Flush());
    PROBITY_RETURN_IF_ERROR(finish(begin, end));
    begin = end;
  }
  return OkStatus();
}

// Runs body(r) for r in [begin, end) on `threads` OpenMP threads; the first error in row
// order wins, so the result does not depend on scheduling.
template <typename Body>
Status ParallelRows(int64_t begin, int64_t end, int threads, Body body) {
  std::vector<Status> status(static_cast<size_t>(end - begin));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int64_t r = begin; r < end; ++r) status[static_cast<size_t>(r - begin)] = body(r);
  for (Status& s : status) PROBITY_RETURN_IF_ERROR(std::move(s));
  return OkStatus();
}

std::string RowName(int64_t row) { return "row " + std::to_string(row); }

std::string Number(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

// ---- Exact enumeration ---------------------------------------------------------------

// Shapley weights |S|!(P−|S|−1)!/P! = 1 / (P · C(P−1, |S|)), by size.
std::vector<double> ShapleyWeights(int players) {
  std::vector<double> w(static_cast<size_t>(players), 0);
  double binomial = 1;  // C(P−1, s)
  for (int s = 0; s < players; ++s) {
    w[static_cast<size_t>(s)] = 1.0 / (players * binomial);
    binomial = binomial * (players - 1 - s) / (s + 1);
  }
  return w;
}

// ---- KernelSHAP coalition sampling (reference explain.md §1.5, shap's _kernel.py) -------

double Binomial(int n, int k) {
  double c = 1;
  for (int i = 1; i <= k; ++i) c = c * (n - k + i) / i;
  return c;
}

struct KernelRow {
  std::vector<int32_t> varying;
  std::vector<std::vector<uint8_t>> masks;  // one byte per varying player
  std::vector<double> weights;
  std::vector<double> values;  // masks × outputs: v(mask)
};

class MaskSet {
 public:
  explicit MaskSet(KernelRow& row) : row_(row) {}
  // Adds `mask` with `weight`, or adds the weight to an earlier copy. Returns whether new.
  bool Add(const std::vector<uint8_t>& mask, double weight) {
    auto [it, added] =
        index_.emplace(std::string(mask.begin(), mask.end()), row_.masks.size());
    if (added) {
      row_.masks.push_back(mask);
      row_.weights.push_back(weight);
    } else {
      row_.weights[it->second] += weight;
    }
    return added;
  }

 private:
  KernelRow& row_;
  // Keyed by the mask's bytes as a string (a vector<uint8_t> key trips GCC 12's
  // -Wstringop-overread false positive at -O3).
  std::map<std::string, size_t> index_;
};

std::vector<uint8_t> Complement(std::vector<uint8_t> mask) {
  for (uint8_t& b : mask) b ^= 1;
  return mask;
}

// The coalition budget for P varying players: `samples` or 2P + 2048, at most 2^P − 2.
int64_t KernelBudget(int players, int64_t samples) {
  int64_t budget = samples > 0 ? samples : 2 * int64_t{players} + 2048;
  if (players <= 30) budget = std::min(budget, (int64_t{1} << players) - 2);
  return budget;
}

// The coalitions and kernel weights for P ≥ 2 varying players: sizes enumerated fully from
// the ends inwards while the budget allows, paired sampling for the rest.
void SampleCoalitions(int players, int64_t budget, internal::Rng& rng, KernelRow& row) {
  const int m = players;
  const int sizes = (m - 1 + 1) / 2;     // ceil((M−1)/2)
  const int paired_sizes = (m - 1) / 2;  // floor((M−1)/2)
  std::vector<double> weight(static_cast<size_t>(sizes));
  double total = 0;
  for (int s = 1; s <= sizes; ++s) {
    double w = (m - 1.0) / (s * (m - s));
    if (s <= paired_sizes) w *= 2;
    weight[static_cast<size_t>(s - 1)] = w;
    total += w;
  }
  for (double& w : weight) w /= total;

  MaskSet set(row);
  const bool everything = m <= 30 && budget >= (int64_t{1} << m) - 2;
  std::vector<double> remaining = weight;
  double left = static_cast<double>(budget);
  int full_sizes = 0;
  for (int s = 1; s <= sizes; ++s) {
    const bool paired = s <= paired_sizes;
    const double subsets = Binomial(m, s) * (paired ? 2 : 1);
    if (!everything && left * remaining[static_cast<size_t>(s - 1)] / subsets < 1.0 - 1e-8) break;
    ++full_sizes;
    left -= subsets;
    if (remaining[static_cast<size_t>(s - 1)] < 1.0) {
      const double scale = 1 - remaining[static_cast<size_t>(s - 1)];
      for (double& w : remaining) w /= scale;
    }
    const double w = weight[static_cast<size_t>(s - 1)] / Binomial(m, s) / (paired ? 2 : 1);
    // Every subset of size s in lexicographic order of its member indices.
    std::vector<int> pick(static_cast<size_t>(s));
    for (int i = 0; i < s; ++i) pick[static_cast<size_t>(i)] = i;
    for (;;) {
      std::vector<uint8_t> mask(static_cast<size_t>(m), 0);
      for (int i : pick) mask[static_cast<size_t>(i)] = 1;
      set.Add(mask, w);
      if (paired) set.Add(Complement(mask), w);
      int i = s - 1;
      while (i >= 0 && pick[static_cast<size_t>(i)] == m - s + i) --i;
      if (i < 0) break;
      ++pick[static_cast<size_t>(i)];
      for (int k = i + 1; k < s; ++k) {
        pick[static_cast<size_t>(k)] = pick[static_cast<size_t>(k - 1)] + 1;
      }
    }
  }
  if (full_sizes == sizes) return;

  const size_t fixed = row.masks.size();
  int64_t samples_left = budget - static_cast<int64_t>(fixed);
  std::vector<double> draw_weight;
  double draw_total = 0;
  for (int s = full_sizes + 1; s <= sizes; ++s) {
    double w = weight[static_cast<size_t>(s - 1)];
    if (s <= paired_sizes) w /= 2;  // two masks per draw
    draw_weight.push_back(w);
    draw_total += w;
  }
  const int64_t max_draws = 4 * std::max<int64_t>(samples_left, 0);
  std::vector<int> order(static_cast<size_t>(m));
  for (int64_t draw = 0; samples_left > 0 && draw < max_draws; ++draw) {
    double u = rng.Uniform() * draw_total;
    size_t pick = 0;
    while (pick + 1 < draw_weight.size() && u >= draw_weight[pick]) u -= draw_weight[pick++];
    const int s = full_sizes + 1 + static_cast<int>(pick);
    // A uniform subset of size s: the first s of a partial Fisher–Yates shuffle.
    for (int i = 0; i < m; ++i) order[static_cast<size_t>(i)] = i;
    std::vector<uint8_t> mask(static_cast<size_t>(m), 0);
    for (int i = 0; i < s; ++i) {
      const auto j = static_cast<size_t>(i) + rng.Below(static_cast<uint64_t>(m - i));
      std::swap(order[static_cast<size_t>(i)], order[j]);
      mask[static_cast<size_t>(order[static_cast<size_t>(i)])] = 1;
    }
    const bool added = set.Add(mask, 1.0);
    if (added) --samples_left;
    if (s <= paired_sizes && (samples_left > 0 || !added)) {
      if (set.Add(Complement(mask), 1.0)) --samples_left;
    }
  }
  // The sampled masks carry exactly the weight of the sizes not enumerated.
  double weight_left = 0;
  for (int s = full_sizes + 1; s <= sizes; ++s) weight_left += weight[static_cast<size_t>(s - 1)];
  double sampled = 0;
  for (size_t i = fixed; i < row.weights.size(); ++i) sampled += row.weights[i];
  if (sampled > 0) {
    for (size_t i = fixed; i < row.weights.size(); ++i) row.weights[i] *= weight_left / sampled;
  }
}

// The constrained weighted least squares over the players `chosen` (indices into the
// row's varying players): Σ_i phi_i = delta imposed by eliminating the last one. Returns
// phi for `chosen` and the weighted residual sum of squares, or kInvalidArgument when the
// coalitions do not determine the values (too few samples).
struct Fit {
  std::vector<double> phi;
  double rss = 0;
};
Result<Fit> ConstrainedFit(const KernelRow& row, const std::vector<int>& chosen,
                           const Eigen::VectorXd& y, double delta) {
  const auto k = static_cast<Eigen::Index>(row.masks.size());
  const auto n = static_cast<Eigen::Index>(chosen.size());
  const auto last = static_cast<size_t>(chosen.back());
  Eigen::MatrixXd x(k, n - 1);
  Eigen::VectorXd target(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    const auto& mask = row.masks[static_cast<size_t>(i)];
    const double root = std::sqrt(row.weights[static_cast<size_t>(i)]);
    const double z_last = mask[last];
    target(i) = root * (y(i) - z_last * delta);
    for (Eigen::Index c = 0; c + 1 < n; ++c) {
      x(i, c) = root * (mask[static_cast<size_t>(chosen[static_cast<size_t>(c)])] - z_last);
    }
  }
  Fit fit;
  fit.phi.assign(chosen.size(), 0);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(n - 1);
  if (n > 1) {
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
    if (qr.rank() < n - 1) {
      return InvalidArgumentError(
                 std::to_string(k) + " coalitions do not determine the values of " +
                 std::to_string(n) + " players (rank " + std::to_string(qr.rank()) + ")")
          .Expecting("more samples (at least 2P + 2048 is the default)");
    }
    beta = qr.solve(target);
  }
  double sum = 0;
  for (Eigen::Index c = 0; c + 1 < n; ++c) {
    fit.phi[static_cast<size_t>(c)] = beta(c);
    sum += beta(c);
  }
  fit.phi.back() = delta - sum;
  fit.rss = (x * beta - target).squaredNorm();
  return fit;
}

// Greedy forward selection of at most `keep` players by the constrained fit's weighted
// residual sum of squares (ties: the lower player index), then the fit on them.
Result<Fit> SelectAndFit(const KernelRow& row, int keep, const Eigen::VectorXd& y, double delta,
                         std::vector<int>* chosen) {
  const int players = static_cast<int>(row.varying.size());
  if (keep <= 0 || keep >= players) {
    chosen->clear();
    for (int i = 0; i < players; ++i) chosen->push_back(i);
    return ConstrainedFit(row, *chosen, y, delta);
  }
  chosen->clear();
  std::vector<bool> in(static_cast<size_t>(players), false);
  Fit best_fit;
  for (int step = 0; step < keep; ++step) {
    int best = -1;
    for (int c = 0; c < players; ++c) {
      if (in[static_cast<size_t>(c)]) continue;
      std::vector<int> trial = *chosen;
      trial.push_back(c);
      auto fit = ConstrainedFit(row, trial, y, delta);
      if (!fit.has_value()) continue;  // this candidate adds no information
      if (best < 0 || fit->rss < best_fit.rss) {
        best = c;
        best_fit = std::move(*fit);
      }
    }
    if (best < 0) break;
    chosen->push_back(best);
    in[static_cast<size_t>(best)] = true;
  }
  if (chosen->empty()) return InvalidArgumentError("no player could be selected");
  return best_fit;
}

// ---- LinearSHAP ------------------------------------------------------------------------

// Where each input's coefficients sit in a LinearView row: the native loader's design
// layout (a continuous input one column, a categorical one column per category) or one
// coefficient per input (PMML's RegressionModel view; a shorter row means the last inputs
// have coefficient 0).
struct CoefficientLayout {
  bool design = false;
  std::vector<size_t> first;  // per input
};

}  // namespace

Result<Attributions> ExactShapley(const Model& model, const Players& players,
                                  const InputFrame& rows, const Background& background,
                                  const ExactShapleyOptions& options) {
  if (options.max_players < 1 || options.max_players > kMaxExactPlayers) {
    return InvalidArgumentError("max_players is " + std::to_string(options.max_players))
        .Expecting("1 to " + std::to_string(kMaxExactPlayers) +
                   " (exact enumeration evaluates and stores 2^P coalitions per row)");
  }
  const internal::ScopedOmpThreads scoped_threads(options.threads);
  PROBITY_ASSIGN_OR_RETURN(Game game, PrepareGame(model, players, rows, background, options.space));
  std::vector<std::vector<int32_t>> varying(static_cast<size_t>(rows.rows));
  for (int64_t r = 0; r < rows.rows; ++r) {
    auto& v = varying[static_cast<size_t>(r)];
    v = internal::VaryingPlayers(players, game.inputs_of_player, rows.row(r), game.background);
    if (static_cast<int>(v.size()) > options.max_players) {
      return InvalidArgumentError(RowName(r) + " has " + std::to_string(v.size()) +
                                  " players that vary against the background; exact enumeration "
                                  "evaluates 2^P coalitions")
          .Expecting("at most " + std::to_string(options.max_players) +
                     " players: group inputs into feature groups, or use --method kernel");
    }
  }
  Attributions a = internal::NewAttributions(model, players, rows, game.background, options.space,
                                             game.ends, "exact");
  const size_t outputs = game.ends.outputs;
  CoalitionValuer valuer(model, rows, game.background, options.space, outputs, options.threads);
  const int64_t max_coalitions =
      std::max<int64_t>(1, internal::MaxSyntheticRows(rows.width()) / game.background.rows);
  std::vector<std::vector<double>> v(static_cast<size_t>(rows.rows));
  auto cost = [&](int64_t r) {
    return std::max<int64_t>(0, (int64_t{1} << varying[static_cast<size_t>(r)].size()) - 2);
  };
  auto queue = [&](int64_t begin, int64_t end) -> Status {
    for (int64_t r = begin; r < end; ++r) {
      const auto& var = varying[static_cast<size_t>(r)];
      const uint64_t full = (uint64_t{1} << var.size()) - 1;
      auto& values = v[static_cast<size_t>(r)];
      values.assign((full + 1) * outputs, 0);
      for (size_t k = 0; k < outputs; ++k) {
        values[k] = game.ends.base[k];
        values[full * outputs + k] = game.ends.prediction[static_cast<size_t>(r) * outputs + k];
      }
      for (uint64_t mask = 1; mask < full; ++mask) {
        const auto inputs = CoalitionInputs(game, var, [&](size_t i) { return (mask >> i) & 1; });
        PROBITY_RETURN_IF_ERROR(valuer.Add(r, inputs, values.data() + mask * outputs));
      }
    }
    return OkStatus();
  };
  auto finish = [&](int64_t begin, int64_t end) -> Status {
    return ParallelRows(begin, end, internal::ThreadCount(options.threads), [&](int64_t r) {
      const auto& var = varying[static_cast<size_t>(r)];
      const int p = static_cast<int>(var.size());
      const std::vector<double> w = ShapleyWeights(p);
      const auto& values = v[static_cast<size_t>(r)];
      const uint64_t count = uint64_t{1} << p;
      for (size_t k = 0; k < outputs; ++k) {
        for (int i = 0; i < p; ++i) {
          const uint64_t bit = uint64_t{1} << i;
          double phi = 0;
          for (uint64_t s = 0; s < count; ++s) {
            if (s & bit) continue;
            phi += w[static_cast<size_t>(std::popcount(s))] *
                   (values[(s | bit) * outputs + k] - values[s * outputs + k]);
          }
          a.values[(static_cast<size_t>(r) * outputs + k) * players.size() +
                   static_cast<size_t>(var[static_cast<size_t>(i)])] = phi;
        }
      }
      v[static_cast<size_t>(r)] = {};
      return OkStatus();
    });
  };
  PROBITY_RETURN_IF_ERROR(InBlocks(rows.rows, max_coalitions, valuer, cost, queue, finish));
  for (const auto& var : varying) {
    a.coalitions = std::max<int64_t>(a.coalitions, int64_t{1} << var.size());
  }
  a.model_evaluations = game.evaluations + valuer.evaluations();
  SetAdditivityError(a);
  return a;
}

Result<Attributions> KernelShap(const Model& model, const Players& players, const InputFrame& rows,
                                const Background& background, const KernelShapOptions& options) {
  if (options.samples < 0 || options.samples > kMaxKernelSamples || options.l1_features < 0) {
    return InvalidArgumentError("KernelSHAP: samples " + std::to_string(options.samples) +
                                ", l1_features " + std::to_string(options.l1_features))
        .Expecting("samples from 0 (automatic) to " + std::to_string(kMaxKernelSamples) +
                   " coalitions per row, l1_features ≥ 0 (0 = no selection)");
  }
  const internal::ScopedOmpThreads scoped_threads(options.threads);
  PROBITY_ASSIGN_OR_RETURN(Game game, PrepareGame(model, players, rows, background, options.space));
  Attributions a = internal::NewAttributions(model, players, rows, game.background, options.space,
                                             game.ends, "kernel");
  a.seed = options.seed;
  const size_t outputs = game.ends.outputs;
  const int threads = internal::ThreadCount(options.threads);
  CoalitionValuer valuer(model, rows, game.background, options.space, outputs, options.threads);
  const int64_t max_coalitions =
      std::max<int64_t>(1, internal::MaxSyntheticRows(rows.width()) / game.background.rows);
  std::vector<KernelRow> state(static_cast<size_t>(rows.rows));
  for (int64_t r = 0; r < rows.rows; ++r) {
    state[static_cast<size_t>(r)].varying =
        internal::VaryingPlayers(players, game.inputs_of_player, rows.row(r), game.background);
  }
  auto cost = [&](int64_t r) {
    const int p = static_cast<int>(state[static_cast<size_t>(r)].varying.size());
    return p < 2 ? 0 : KernelBudget(p, options.samples);
  };
  auto queue = [&](int64_t begin, int64_t end) -> Status {
    PROBITY_RETURN_IF_ERROR(ParallelRows(begin, end, threads, [&](int64_t r) {
      KernelRow& row = state[static_cast<size_t>(r)];
      const int p = static_cast<int>(row.varying.size());
      if (p < 2) return OkStatus();
      internal::Rng rng(MixSeed(options.seed, RowStream(options.row_streams, r)));
      SampleCoalitions(p, KernelBudget(p, options.samples), rng, row);
      row.values.assign(row.masks.size() * outputs, 0);
      return OkStatus();
    }));
    for (int64_t r = begin; r < end; ++r) {
      KernelRow& row = state[static_cast<size_t>(r)];
      for (size_t m = 0; m < row.masks.size(); ++m) {
        const auto& mask = row.masks[m];
        const auto inputs = CoalitionInputs(game, row.varying, [&](size_t i) { return mask[i]; });
        PROBITY_RETURN_IF_ERROR(valuer.Add(r, inputs, row.values.data() + m * outputs));
      }
      a.coalitions = std::max<int64_t>(a.coalitions, static_cast<int64_t>(row.masks.size()));
    }
    return OkStatus();
  };
  auto finish = [&](int64_t begin, int64_t end) -> Status {
    return ParallelRows(begin, end, threads, [&](int64_t r) -> Status {
      KernelRow& row = state[static_cast<size_t>(r)];
      const size_t p = row.varying.size();
      for (size_t k = 0; k < outputs; ++k) {
        const size_t cell = static_cast<size_t>(r) * outputs + k;
        const double delta = a.prediction[cell] - a.base[cell];
        double* phi = a.values.data() + cell * players.size();
        if (p == 0) continue;
        if (p == 1) {
          phi[row.varying[0]] = delta;
          continue;
        }
        Eigen::VectorXd y(static_cast<Eigen::Index>(row.masks.size()));
        for (size_t m = 0; m < row.masks.size(); ++m) {
          y(static_cast<Eigen::Index>(m)) = row.values[m * outputs + k] - a.base[cell];
        }
        std::vector<int> chosen;
        auto fit = SelectAndFit(row, options.l1_features, y, delta, &chosen);
        if (!fit.has_value()) {
          return InvalidArgumentError(RowName(r) + ": " + fit.error().message())
              .Expecting("more samples (--samples), at least the number of players");
        }
        for (size_t c = 0; c < chosen.size(); ++c) {
          phi[row.varying[static_cast<size_t>(chosen[c])]] = fit->phi[c];
        }
      }
      row = KernelRow{};
      return OkStatus();
    });
  };
  PROBITY_RETURN_IF_ERROR(InBlocks(rows.rows, max_coalitions, valuer, cost, queue, finish));
  a.model_evaluations = game.evaluations + valuer.evaluations();
  SetAdditivityError(a);
  return a;
}

namespace {

Result<CoefficientLayout> Layout(const ModelInfo& info, const LinearView& view) {
  CoefficientLayout layout;
  size_t design = 0;
  for (const ModelInput& input : info.inputs) {
    layout.first.push_back(design);
    design += input.kind == InputKind::kContinuous ? 1 : input.categories.size();
  }
  if (view.coefficients.empty() || view.intercepts.size() != view.coefficients.size()) {
    return InvalidArgumentError("the linear view has " + std::to_string(view.coefficients.size()) +
                                " rows of coefficients and " +
                                std::to_string(view.intercepts.size()) + " intercepts")
        .Expecting("one row of coefficients and one intercept per output");
  }
  const size_t size = view.coefficients[0].size();
  for (const auto& beta : view.coefficients) {
    if (beta.size() != size) {
      return InvalidArgumentError("the linear view's rows of coefficients differ in length")
          .Expecting("one coefficient per design column in every row");
    }
  }
  if (size == design) {
    layout.design = true;
    return layout;
  }
  if (size <= info.inputs.size()) {
    for (size_t j = 0; j < info.inputs.size(); ++j) layout.first[j] = j;
    return layout;
  }
  return InvalidArgumentError("the linear view has " + std::to_string(size) + " coefficients for " +
                              std::to_string(info.inputs.size()) + " inputs")
      .Expecting(std::to_string(design) + " (one per design column) or one per input");
}

}  // namespace

Result<Attributions> LinearShap(const ModelInfo& info, const LinearView& view,
                                const Players& players, std::span<const double> inputs,
                                int64_t rows, std::span<const double> background,
                                int64_t background_rows, std::span<const double> weights) {
  PROBITY_ASSIGN_OR_RETURN(CoefficientLayout layout, Layout(info, view));
  const size_t width = info.inputs.size();
  if (players.player_of_input.size() != width || rows < 0 ||
      inputs.size() != static_cast<size_t>(rows) * width ||
      background.size() != static_cast<size_t>(std::max<int64_t>(background_rows, 0)) * width) {
    return InvalidArgumentError("LinearShap: the inputs do not match the model's " +
                                std::to_string(width) + " inputs")
        .Expecting("rows × inputs values and one player per input");
  }
  if (background_rows <= 0) {
    return InvalidArgumentError("the background has no rows")
        .Expecting("one or more background rows (--background)");
  }
  std::vector<double> w(static_cast<size_t>(background_rows),
                        1.0 / static_cast<double>(background_rows));
  if (!weights.empty()) {
    if (weights.size() != w.size()) {
      return InvalidArgumentError("the background has " + std::to_string(weights.size()) +
                                  " weights for " + std::to_string(background_rows) + " rows")
          .Expecting("one weight per background row");
    }
    double total = 0;
    for (double x : weights) {
      if (!std::isfinite(x) || x < 0) {
        return InvalidArgumentError("a background weight is " + std::to_string(x))
            .Expecting("non-negative finite weights");
      }
      total += x;
    }
    if (!(total > 0)) {
      return InvalidArgumentError("the background weights sum to 0").Expecting("a positive sum");
    }
    for (size_t b = 0; b < w.size(); ++b) w[b] = weights[b] / total;
  }
  // Binary classifiers with a margin per class explain the last class, as ScoreRows does.
  size_t first_output = 0;
  size_t outputs = view.coefficients.size();
  if (info.task == ModelTask::kClassification && info.classes.size() == 2 && outputs == 2) {
    first_output = 1;
    outputs = 1;
  }
  // term(k, j, value): input j's contribution to output k's margin; NaN for a missing value.
  auto term = [&](size_t k, size_t j, double value, bool* bad_code) -> double {
    const std::vector<double>& beta = view.coefficients[first_output + k];
    if (std::isnan(value)) return kNaN;
    if (!layout.design || info.inputs[j].kind == InputKind::kContinuous) {
      const size_t c = layout.first[j];
      return c < beta.size() ? beta[c] * value : 0.0;
    }
    const auto categories = info.inputs[j].categories.size();
    if (value < 0 || value >= static_cast<double>(categories) || value != std::floor(value)) {
      *bad_code = true;
      return kNaN;
    }
    return beta[layout.first[j] + static_cast<size_t>(value)];
  };
  auto code_error = [&](const std::string& where, size_t j, double value) {
    return InvalidArgumentError(where + ": input \"" + info.inputs[j].name +
                                "\" has category code " + Number(value))
        .Expecting("a code below " + std::to_string(info.inputs[j].categories.size()));
  };
  // E_b[term] per output and input.
  std::vector<double> expected(outputs * width, 0);
  for (int64_t b = 0; b < background_rows; ++b) {
    for (size_t j = 0; j < width; ++j) {
      const double value = background[static_cast<size_t>(b) * width + j];
      if (std::isnan(value)) {
        return InvalidArgumentError("background row " + std::to_string(b) +
                                    " has no value for input \"" + info.inputs[j].name + "\"")
            .Expecting("complete background rows (E_b[x] is undefined with missing values)");
      }
      for (size_t k = 0; k < outputs; ++k) {
        bool bad = false;
        const double t = term(k, j, value, &bad);
        if (bad) return code_error("background row " + std::to_string(b), j, value);
        expected[k * width + j] += w[static_cast<size_t>(b)] * t;
      }
    }
  }
  Attributions a;
  a.method = "linear";
  a.space = OutputSpace::kMargin;
  a.value_function = "interventional (independent features): β·(x − E_b[x]) in margin space";
  a.players = players.names;
  a.outputs = ExplainedOutputNames(info, static_cast<int>(outputs));
  a.rows = rows;
  a.background_rows = background_rows;
  const size_t cells = static_cast<size_t>(rows) * outputs;
  a.values.assign(cells * players.size(), 0.0);
  a.base.resize(cells);
  a.prediction.resize(cells);
  for (int64_t r = 0; r < rows; ++r) {
    for (size_t k = 0; k < outputs; ++k) {
      const size_t cell = static_cast<size_t>(r) * outputs + k;
      double base = view.intercepts[first_output + k];
      double prediction = base;
      double* phi = a.values.data() + cell * players.size();
      for (size_t j = 0; j < width; ++j) {
        const double value = inputs[static_cast<size_t>(r) * width + j];
        bool bad = false;
        const double t = term(k, j, value, &bad);
        if (bad) return code_error(RowName(r), j, value);
        base += expected[k * width + j];
        prediction += t;
        phi[players.player_of_input[j]] += t - expected[k * width + j];
      }
      a.base[cell] = base;
      a.prediction[cell] = prediction;
      // A missing input: the model cannot score the row, so neither can its explanation.
      if (std::isnan(prediction)) std::fill(phi, phi + players.size(), kNaN);
    }
  }
  SetAdditivityError(a);
  return a;
}

}  // namespace probity::explain
