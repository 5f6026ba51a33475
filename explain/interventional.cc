#include "explain/interventional.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "audit/core/status.h"
#include "explain/internal/interventional_ensemble.h"

namespace probity::explain {
namespace {

using internal::EnsembleLayout;

// Enumerating 2^d coalitions keeps 2^d × outputs values per thread: 20 players is 8 MB
// per output.
constexpr int kMaxExactPlayersLimit = 20;
// Routing tables of background rows kept at once (one byte per node per row).
constexpr size_t kRouteBytes = size_t{32} << 20;

// W(a, c) = (a−1)! c! / (a+c)!: the Shapley weight a player of A gets from a leaf reached
// exactly when the a players of A come from x and the c players of C from the background
// row (players of C get −W(c, a)). W(a, c) = 1 / (a · binom(a+c, c)).
class LeafWeights {
 public:
  LeafWeights() {
    for (size_t a = 1; a < kTable; ++a) {
      for (size_t c = 0; c < kTable; ++c) table_[a][c] = Compute(a, c);
    }
  }
  double operator()(size_t a, size_t c) const {
    return a < kTable && c < kTable ? table_[a][c] : Compute(a, c);
  }

 private:
  static constexpr size_t kTable = 64;
  static double Compute(size_t a, size_t c) {
    double binom = 1;  // binom(a+c, c), built as a product of ratios
    for (size_t i = 1; i <= c; ++i)
      binom = binom * static_cast<double>(a + i) / static_cast<double>(i);
    return 1.0 / (static_cast<double>(a) * binom);
  }
  double table_[kTable][kTable] = {};
};

// The walk of one (x, b) pair through one tree (Lundberg et al. 2020, "Independent Tree
// SHAP"; shap's tree_shap_indep), with an explicit stack so deep trees cannot overflow
// the call stack. Per-thread scratch.
class PairWalker {
 public:
  PairWalker(const TreeEnsembleView& view, const EnsembleLayout& layout, const Players& players,
             const LeafWeights& weights)
      : view_(view),
        layout_(layout),
        player_of_input_(players.player_of_input),
        num_players_(players.size()),
        weights_(weights),
        side_(players.size(), kFree),
        differs_(players.size(), 0) {
    offset_.push_back(0);
    for (const TreeView& tree : view.trees) offset_.push_back(offset_.back() + tree.nodes.size());
  }

  size_t total_nodes() const { return offset_.back(); }
  // Per node of every tree: 1 when `row` goes left there (GoesLeft), so a pair's walks read
  // each row's routing from a table instead of re-testing it per pair.
  void Route(const double* row, uint8_t* out) const {
    for (size_t t = 0; t < view_.trees.size(); ++t) {
      const std::vector<TreeNode>& nodes = view_.trees[t].nodes;
      uint8_t* o = out + offset_[t];
      for (size_t i = 0; i < nodes.size(); ++i) {
        const TreeNode& node = nodes[i];
        o[i] =
            node.kind != SplitKind::kLeaf && GoesLeft(node, row[static_cast<size_t>(node.feature)]);
      }
    }
  }

  // Adds factor × the pair's Shapley values of tree t to phi (outputs × players); x and b
  // are the pair's Route tables.
  void Attribute(size_t t, const uint8_t* x, const uint8_t* b, double factor, double* phi) {
    Walk(t, x, b, [&](const TreeNode& leaf) {
      if (fixed_.empty()) return;
      size_t a = 0;
      for (const Fixed& f : fixed_) a += f.side == kFromX;
      const size_t c = fixed_.size() - a;
      const double from_x = a > 0 ? weights_(a, c) : 0;
      const double from_b = c > 0 ? weights_(c, a) : 0;
      layout_.ForEachLeafValue(t, leaf, factor, [&](size_t k, double v) {
        double* out = phi + k * num_players_;
        for (const Fixed& f : fixed_) {
          out[f.player] += f.side == kFromX ? v * from_x : -v * from_b;
        }
      });
    });
  }

  // The players on which x and b route differently at a node some hybrid of them reaches,
  // in any tree, ascending; every other player is a null player of the pair's game. Also
  // per tree (tree_players()): a tree's value on a hybrid depends only on its own players.
  std::vector<int32_t> DifferingPlayers(const uint8_t* x, const uint8_t* b) {
    std::fill(differs_.begin(), differs_.end(), 0);
    tree_players_.resize(view_.trees.size());
    for (size_t t = 0; t < view_.trees.size(); ++t) {
      tree_players_[t].clear();
      current_tree_ = &tree_players_[t];
      Walk(t, x, b, [](const TreeNode&) {});
    }
    current_tree_ = nullptr;
    std::vector<int32_t> out;
    for (size_t p = 0; p < num_players_; ++p) {
      if (differs_[p]) out.push_back(static_cast<int32_t>(p));
    }
    return out;
  }
  const std::vector<std::vector<int32_t>>& tree_players() const { return tree_players_; }

 private:
  enum Side : uint8_t { kFree, kFromX, kFromB };
  struct Fixed {
    size_t player;
    Side side;
  };
  struct Frame {
    int32_t node;
    uint32_t fixed_size;  // fixed_ entries on the path above the node
    int32_t player;       // player fixed on the edge into the node, or -1
    Side side;
  };

  template <typename Leaf>
  void Walk(size_t t, const uint8_t* x_route, const uint8_t* b_route, Leaf&& at_leaf) {
    const std::vector<TreeNode>& nodes = view_.trees[t].nodes;
    const uint8_t* x_left = x_route + offset_[t];
    const uint8_t* b_left = b_route + offset_[t];
    stack_.clear();
    stack_.push_back({0, 0, -1, kFree});
    while (!stack_.empty()) {
      const Frame frame = stack_.back();
      stack_.pop_back();
      while (fixed_.size() > frame.fixed_size) {
        side_[fixed_.back().player] = kFree;
        fixed_.pop_back();
      }
      if (frame.player >= 0) {
        fixed_.push_back({static_cast<size_t>(frame.player), frame.side});
        side_[static_cast<size_t>(frame.player)] = frame.side;
      }
      const TreeNode& node = nodes[static_cast<size_t>(frame.node)];
      if (node.kind == SplitKind::kLeaf) {
        at_leaf(node);
        continue;
      }
      const auto player = static_cast<size_t>(player_of_input_[static_cast<size_t>(node.feature)]);
      const auto index = static_cast<size_t>(frame.node);
      const int32_t x_child = x_left[index] ? node.left : node.right;
      const int32_t b_child = b_left[index] ? node.left : node.right;
      const auto depth = static_cast<uint32_t>(fixed_.size());
      if (side_[player] == kFromX || x_child == b_child) {
        stack_.push_back({x_child, depth, -1, kFree});
      } else if (side_[player] == kFromB) {
        stack_.push_back({b_child, depth, -1, kFree});
      } else {
        differs_[player] = 1;
        if (current_tree_ != nullptr &&
            std::find(current_tree_->begin(), current_tree_->end(), static_cast<int32_t>(player)) ==
                current_tree_->end()) {
          current_tree_->push_back(static_cast<int32_t>(player));
        }
        stack_.push_back({b_child, depth, static_cast<int32_t>(player), kFromB});
        stack_.push_back({x_child, depth, static_cast<int32_t>(player), kFromX});
      }
    }
    while (!fixed_.empty()) {
      side_[fixed_.back().player] = kFree;
      fixed_.pop_back();
    }
  }

  const TreeEnsembleView& view_;
  const EnsembleLayout& layout_;
  const std::vector<int32_t>& player_of_input_;
  size_t num_players_;
  const LeafWeights& weights_;
  std::vector<Side> side_;
  std::vector<uint8_t> differs_;
  std::vector<size_t> offset_;  // trees' first entries in a Route table
  std::vector<std::vector<int32_t>> tree_players_;
  std::vector<int32_t>* current_tree_ = nullptr;
  std::vector<Fixed> fixed_;
  std::vector<Frame> stack_;
};

// The link from margins to the explained space, applied in place to one row's outputs.
enum class Link { kIdentity, kLogistic, kSoftmax, kExp, kSignedSquare, kLog1pExp };

void ApplyLink(Link link, double* m, size_t n) {
  switch (link) {
    case Link::kIdentity: return;
    case Link::kLogistic:
      for (size_t k = 0; k < n; ++k) m[k] = 1.0 / (1.0 + std::exp(-m[k]));
      return;
    case Link::kExp:
      for (size_t k = 0; k < n; ++k) m[k] = std::exp(m[k]);
      return;
    case Link::kSignedSquare:
      for (size_t k = 0; k < n; ++k) m[k] = std::copysign(m[k] * m[k], m[k]);
      return;
    case Link::kLog1pExp:
      for (size_t k = 0; k < n; ++k) {
        m[k] = m[k] > 0 ? m[k] + std::log1p(std::exp(-m[k])) : std::log1p(std::exp(m[k]));
      }
      return;
    case Link::kSoftmax: {
      const double top = *std::max_element(m, m + n);
      double sum = 0;
      for (size_t k = 0; k < n; ++k) sum += (m[k] = std::exp(m[k] - top));
      for (size_t k = 0; k < n; ++k) m[k] /= sum;
      return;
    }
  }
}

// The link for `space`; kInvalidArgument when the model cannot give that space.
Result<Link> LinkFor(const ModelInfo& info, const TreeEnsembleView& view, OutputSpace space) {
  const std::string& name = view.link.empty() ? info.link : view.link;
  const bool classifier = info.task == ModelTask::kClassification;
  if (space == OutputSpace::kMargin) return Link::kIdentity;
  if (space == OutputSpace::kProbability && classifier) {
    if (name == "logistic" || name == "logit" || name == "one_vs_rest_logistic") {
      return Link::kLogistic;
    }
    if (name == "softmax") return Link::kSoftmax;
    return InvalidArgumentError("the " + info.format + " model's link \"" + name +
                                "\" does not give class probabilities from its margins")
        .Expecting("--output margin");
  }
  if (space == OutputSpace::kValue && info.task == ModelTask::kRegression) {
    if (name.empty() || name == "identity") return Link::kIdentity;
    if (name == "logistic" || name == "logit") return Link::kLogistic;
    if (name == "exp") return Link::kExp;
    if (name == "signed_square") return Link::kSignedSquare;
    if (name == "log1p_exp") return Link::kLog1pExp;
    return InvalidArgumentError("the " + info.format + " model's link \"" + name +
                                "\" is not one interventional TreeSHAP can apply")
        .Expecting("--output margin");
  }
  return InvalidArgumentError("interventional TreeSHAP cannot explain a " +
                              std::string(ModelTaskName(info.task)) + " model in " +
                              std::string(OutputSpaceName(space)) + " space")
      .Expecting(classifier ? "--output margin or probability" : "--output margin or value");
}

Status CheckArguments(const ModelInfo& info, const Players& players, std::span<const double> inputs,
                      int64_t rows, std::span<const double> background, int64_t background_rows,
                      std::span<const double> weights, const InterventionalOptions& options) {
  const size_t width = info.inputs.size();
  if (players.player_of_input.size() != width) {
    return InvalidArgumentError("the players cover " +
                                std::to_string(players.player_of_input.size()) + " inputs")
        .Expecting("one player per model input (" + std::to_string(width) + ")");
  }
  for (int32_t p : players.player_of_input) {
    if (p < 0 || static_cast<size_t>(p) >= players.size()) {
      return InvalidArgumentError("an input belongs to player " + std::to_string(p))
          .Expecting("a player index below " + std::to_string(players.size()));
    }
  }
  if (rows < 0 || inputs.size() != static_cast<size_t>(rows) * width) {
    return InvalidArgumentError("the rows to explain hold " + std::to_string(inputs.size()) +
                                " values")
        .Expecting(std::to_string(rows) + " rows × " + std::to_string(width) + " inputs");
  }
  if (background_rows <= 0) {
    return InvalidArgumentError("the background set is empty")
        .Expecting("one or more background rows (--background)");
  }
  if (background.size() != static_cast<size_t>(background_rows) * width) {
    return InvalidArgumentError("the background holds " + std::to_string(background.size()) +
                                " values")
        .Expecting(std::to_string(background_rows) + " rows × " + std::to_string(width) +
                   " inputs");
  }
  if (!weights.empty()) {
    if (weights.size() != static_cast<size_t>(background_rows)) {
      return InvalidArgumentError("the background has " + std::to_string(weights.size()) +
                                  " weights for " + std::to_string(background_rows) + " rows")
          .Expecting("one weight per background row");
    }
    double total = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (!(weights[i] >= 0) || !std::isfinite(weights[i])) {
        return InvalidArgumentError("background row " + std::to_string(i) + " has weight " +
                                    std::to_string(weights[i]))
            .Expecting("a finite weight >= 0");
      }
      total += weights[i];
    }
    if (!(total > 0) || !std::isfinite(total)) {
      return InvalidArgumentError("the background weights add up to " + std::to_string(total))
          .Expecting("a finite positive total");
    }
  }
  if (options.max_exact_players < 0 || options.max_exact_players > kMaxExactPlayersLimit) {
    return InvalidArgumentError("max_exact_players is " + std::to_string(options.max_exact_players))
        .Expecting("a number in [0, " + std::to_string(kMaxExactPlayersLimit) + "]");
  }
  if (options.threads < 0) {
    return InvalidArgumentError("threads is " + std::to_string(options.threads))
        .Expecting("0 (all cores) or a positive count");
  }
  return OkStatus();
}

// Exact Shapley values of the pair game u(S) = g(margin(x_S, b_S̄)) over `differing`,
// times `factor`, added to phi (outputs × players). The margins of all 2^d hybrids are
// tabulated tree by tree: tree t reads only its own differing players D_t, so it is routed
// 2^|D_t| times and its values spread over the 2^d coalitions by addition. `hybrid`,
// `position` (per player, -1 outside `differing`) and `u` are scratch.
void AddPairGame(const TreeEnsembleView& view, const EnsembleLayout& layout, Link link,
                 const std::vector<std::vector<int32_t>>& inputs_of,
                 const std::vector<std::vector<int32_t>>& tree_players,
                 const std::vector<int32_t>& differing, const double* x, const double* b,
                 size_t width, double factor, size_t num_players, std::vector<double>& hybrid,
                 std::vector<int32_t>& position, std::vector<double>& u, double* phi) {
  const size_t d = differing.size();
  const size_t outputs = layout.num_outputs;
  const size_t coalitions = size_t{1} << d;
  const size_t all = coalitions - 1;
  position.assign(num_players, -1);
  for (size_t i = 0; i < d; ++i)
    position[static_cast<size_t>(differing[i])] = static_cast<int32_t>(i);
  std::vector<double> constant(layout.base);  // trees that x and b route alike
  u.assign(coalitions * outputs, 0.0);
  hybrid.assign(b, b + width);
  std::vector<double> value(outputs);
  for (size_t t = 0; t < view.trees.size(); ++t) {
    const std::vector<int32_t>& own = tree_players[t];
    if (own.empty()) {
      layout.ForEachLeafValue(t, internal::LeafOf(view.trees[t], b), 1.0,
                              [&](size_t k, double v) { constant[k] += v; });
      continue;
    }
    const size_t m = own.size();
    std::vector<size_t> bit(m);
    size_t own_mask = 0;
    for (size_t i = 0; i < m; ++i) {
      bit[i] = size_t{1} << position[static_cast<size_t>(own[i])];
      own_mask |= bit[i];
    }
    const size_t rest = all & ~own_mask;
    for (size_t sub = 0; sub < (size_t{1} << m); ++sub) {
      size_t spread = 0;
      for (size_t i = 0; i < m; ++i) {
        const bool from_x = (sub >> i) & 1;
        if (from_x) spread |= bit[i];
        for (int32_t j : inputs_of[static_cast<size_t>(own[i])]) {
          hybrid[static_cast<size_t>(j)] = (from_x ? x : b)[static_cast<size_t>(j)];
        }
      }
      std::fill(value.begin(), value.end(), 0.0);
      layout.ForEachLeafValue(t, internal::LeafOf(view.trees[t], hybrid.data()), 1.0,
                              [&](size_t k, double v) { value[k] += v; });
      // Every coalition agreeing with `spread` on the tree's players: spread | r, r ⊆ rest.
      for (size_t r = rest;; r = (r - 1) & rest) {
        double* target = u.data() + (spread | r) * outputs;
        for (size_t k = 0; k < outputs; ++k) target[k] += value[k];
        if (r == 0) break;
      }
    }
    for (int32_t p : own) {
      for (int32_t j : inputs_of[static_cast<size_t>(p)]) {
        hybrid[static_cast<size_t>(j)] = b[static_cast<size_t>(j)];
      }
    }
  }
  for (size_t mask = 0; mask < coalitions; ++mask) {
    double* target = u.data() + mask * outputs;
    for (size_t k = 0; k < outputs; ++k) target[k] += constant[k];
    ApplyLink(link, target, outputs);
  }
  // Shapley weight of a coalition of size s not holding i: s! (d−s−1)! / d!.
  std::vector<double> weight(d == 0 ? 1 : d);
  for (size_t s = 0; s + 1 <= d; ++s) {
    double w = 1.0 / static_cast<double>(d);  // 1 / (d · binom(d−1, s))
    for (size_t i = 1; i <= s; ++i) w = w * static_cast<double>(i) / static_cast<double>(d - i);
    weight[s] = w;
  }
  for (size_t i = 0; i < d; ++i) {
    const size_t bit = size_t{1} << i;
    const auto player = static_cast<size_t>(differing[i]);
    for (size_t k = 0; k < outputs; ++k) {
      double sum = 0;
      for (size_t mask = 0; mask < coalitions; ++mask) {
        if (mask & bit) continue;
        const auto s = static_cast<size_t>(std::popcount(mask));
        sum += weight[s] * (u[(mask | bit) * outputs + k] - u[mask * outputs + k]);
      }
      phi[k * num_players + player] += factor * sum;
    }
  }
}

}  // namespace

Result<Attributions> InterventionalTreeShap(const ModelInfo& info, const TreeEnsembleView& view,
                                            const Players& players, std::span<const double> inputs,
                                            int64_t rows, std::span<const double> background,
                                            int64_t background_rows,
                                            std::span<const double> weights,
                                            const InterventionalOptions& options) {
  PROBITY_RETURN_IF_ERROR(
      CheckArguments(info, players, inputs, rows, background, background_rows, weights, options));
  const size_t width = info.inputs.size();
  PROBITY_ASSIGN_OR_RETURN(EnsembleLayout layout, internal::CheckEnsemble(view, width));
  PROBITY_ASSIGN_OR_RETURN(Link link, LinkFor(info, view, options.space));
  const bool enumerate = link != Link::kIdentity;
  const size_t outputs = layout.num_outputs;
  const size_t num_players = players.size();
  const auto num_background = static_cast<size_t>(background_rows);

  std::vector<double> w(num_background, 1.0 / static_cast<double>(num_background));
  if (!weights.empty()) {
    double total = 0;
    for (double v : weights) total += v;
    for (size_t i = 0; i < num_background; ++i) w[i] = weights[i] / total;
  }

  Attributions a;
  a.method = "tree_interventional";
  a.space = options.space;
  a.value_function =
      enumerate ? "interventional: Σ_b w_b g(f(x_S, b_S̄)) over the background, g the link, "
                  "exact per background row"
                : "interventional: Σ_b w_b f(x_S, b_S̄) over the background, f the margin";
  a.players = players.names;
  a.outputs = ExplainedOutputNames(info, static_cast<int>(outputs));
  a.rows = rows;
  a.background_rows = background_rows;
  a.values.assign(static_cast<size_t>(rows) * outputs * num_players, 0.0);
  a.base.resize(static_cast<size_t>(rows) * outputs);
  a.prediction.resize(static_cast<size_t>(rows) * outputs);

  // Base value: Σ_b w_b g(f(b)), the same for every row.
  std::vector<double> base(outputs, 0.0), margin(outputs);
  for (size_t i = 0; i < num_background; ++i) {
    layout.Margins(view, background.data() + i * width, margin.data());
    ApplyLink(link, margin.data(), outputs);
    for (size_t k = 0; k < outputs; ++k) base[k] += w[i] * margin[k];
  }

  std::vector<std::vector<int32_t>> inputs_of(num_players);
  for (size_t j = 0; j < width; ++j) {
    inputs_of[static_cast<size_t>(players.player_of_input[j])].push_back(static_cast<int32_t>(j));
  }
  static const LeafWeights kLeafWeights;
  const size_t max_players = static_cast<size_t>(options.max_exact_players);
  // Probability space: the lowest row with too many differing players, and for it the
  // first background row and the count. Rows above the lowest failure found so far are
  // skipped; rows below it still run, so the row reported does not depend on threads.
  std::atomic<int64_t> failed_row{std::numeric_limits<int64_t>::max()};
  std::vector<std::pair<int64_t, size_t>> failure(static_cast<size_t>(rows), {-1, 0});
  const int threads = options.threads > 0 ? options.threads : omp_get_max_threads();

  // Background rows are routed once per block (bounded memory), then every row meets the
  // block's rows in order, so each row's sums run in background order at any thread count.
  const PairWalker router(view, layout, players, kLeafWeights);
  const size_t nodes = std::max<size_t>(router.total_nodes(), 1);
  const size_t block = std::clamp<size_t>(kRouteBytes / nodes, 1, num_background);
  Buffer<uint8_t> b_route(block * nodes);
  for (size_t begin = 0; begin < num_background; begin += block) {
    const auto n = static_cast<int64_t>(std::min(block, num_background - begin));
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t i = 0; i < n; ++i) {
      router.Route(background.data() + (begin + static_cast<size_t>(i)) * width,
                   b_route.data() + static_cast<size_t>(i) * nodes);
    }
#pragma omp parallel num_threads(threads)
    {
      PairWalker walker(view, layout, players, kLeafWeights);
      Buffer<uint8_t> x_route(nodes);
      std::vector<double> hybrid, u;
      std::vector<int32_t> position;
#pragma omp for schedule(dynamic, 1)
      for (int64_t r = 0; r < rows; ++r) {
        if (r >= failed_row.load(std::memory_order_relaxed)) continue;
        const double* x = inputs.data() + static_cast<size_t>(r) * width;
        walker.Route(x, x_route.data());
        double* phi = a.values.data() + static_cast<size_t>(r) * outputs * num_players;
        for (size_t i = begin; i < begin + static_cast<size_t>(n); ++i) {
          if (w[i] == 0) continue;
          const uint8_t* bl = b_route.data() + (i - begin) * nodes;
          if (!enumerate) {
            for (size_t t = 0; t < view.trees.size(); ++t) {
              walker.Attribute(t, x_route.data(), bl, w[i], phi);
            }
            continue;
          }
          const std::vector<int32_t> differing = walker.DifferingPlayers(x_route.data(), bl);
          if (differing.size() > max_players) {
            failure[static_cast<size_t>(r)] = {static_cast<int64_t>(i), differing.size()};
            int64_t seen = failed_row.load();
            while (r < seen && !failed_row.compare_exchange_weak(seen, r)) {
            }
            break;
          }
          AddPairGame(view, layout, link, inputs_of, walker.tree_players(), differing, x,
                      background.data() + i * width, width, w[i], num_players, hybrid, position, u,
                      phi);
        }
      }
    }
  }
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t r = 0; r < rows; ++r) {
    double* prediction = a.prediction.data() + static_cast<size_t>(r) * outputs;
    layout.Margins(view, inputs.data() + static_cast<size_t>(r) * width, prediction);
    ApplyLink(link, prediction, outputs);
    std::copy(base.begin(), base.end(), a.base.data() + static_cast<size_t>(r) * outputs);
  }
  const int64_t bad = failed_row.load();
  if (bad != std::numeric_limits<int64_t>::max()) {
    const auto [b, d] = failure[static_cast<size_t>(bad)];
    return InvalidArgumentError("row " + std::to_string(bad) + " and background row " +
                                std::to_string(b) + " route differently on " + std::to_string(d) +
                                " players; exact " + std::string(OutputSpaceName(options.space)) +
                                "-space values enumerate 2^" + std::to_string(d) +
                                " coalitions per pair, and the limit is " +
                                std::to_string(max_players) + " players")
        .Expecting("--output margin, or --method exact or kernel");
  }
  SetAdditivityError(a);
  return a;
}

}  // namespace probity::explain
