#include "explain/tree_shap.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "audit/core/status.h"
#include "explain/internal/gauss_legendre.h"
#include "explain/internal/threads.h"

namespace probity::explain {
namespace {

constexpr const char* kValueFunction =
    "path-dependent: E[f(X) | X_S = x_S] along tree paths, splits on players outside S "
    "followed both ways weighted by node cover";

// One split on a leaf's path: the row follows the path there when GoesLeft(node) == left.
struct PathSplit {
  int32_t node = 0;
  int32_t slot = 0;  // the leaf's unique-player slot this split decides
  bool left = false;
};

// A leaf with its path, prepared once per tree: the unique players on the path, each
// with its zero fraction z (the product of the cover ratios of the splits on it), and the
// splits that decide each player's one fraction o for a row.
struct LeafPath {
  size_t first_split = 0;
  size_t num_splits = 0;
  size_t first_unique = 0;
  size_t num_unique = 0;
  size_t first_value = 0;   // into PreparedTree::values: 1 value, or num_outputs
  int output = 0;           // -1: values holds one value per output
  size_t table = SIZE_MAX;  // into PreparedTree::table, or SIZE_MAX: integrate per row
};

// Leaves with more unique players than this integrate per row (2^12 · 12 doubles = 384 KiB).
constexpr size_t kMaxTableUnique = 12;

// The largest rule integrated with all points at once (paths of up to 16 unique players).
constexpr size_t kMaxBatchedPoints = 8;

// A tree ready for explaining: its leaves' paths, the leaf values scaled by the tree's
// weight (and 1/count for averaging ensembles), and the internal nodes to route.
struct PreparedTree {
  const TreeView* tree = nullptr;
  std::vector<int32_t> internal;  // internal node indices
  std::vector<LeafPath> leaves;
  std::vector<PathSplit> splits;
  std::vector<int32_t> players;  // per unique slot
  std::vector<double> zeros;     // per unique slot
  std::vector<double> values;    // scaled leaf values
  std::vector<double> scale;     // per output: weight / divisor
  // Per tabled leaf and per pattern p of one fractions (bit j = o_j): the d weights
  // (o_j − z_j) · ∫ Π_{k≠j} f_k, to multiply by the leaf value.
  std::vector<double> table;
};

struct PreparedEnsemble {
  std::vector<PreparedTree> trees;
  std::vector<double> base;  // per output: the bias of every row
  size_t num_inputs = 0;
  size_t num_players = 0;
  size_t num_outputs = 0;
  size_t max_unique = 0;  // the most unique players on one path
  size_t max_nodes = 0;
  int max_depth = 0;
  std::vector<internal::GaussLegendre> rules;  // rules[n] has n points
};

Status NoCover(size_t t, size_t n, const std::string& why) {
  return InvalidArgumentError("tree " + std::to_string(t) + " node " + std::to_string(n) + " " +
                              why +
                              ": the model has no usable node covers for path-dependent "
                              "TreeSHAP; use --method interventional with a --background")
      .Expecting("a positive cover at every split and a cover at every node");
}

bool IsVectorTree(const TreeView& tree) {
  for (const TreeNode& node : tree.nodes) {
    if (node.kind == SplitKind::kLeaf) return node.leaf.size() > 1;
  }
  return false;
}

void BuildTables(PreparedEnsemble& e, size_t budget);

// Checks the view against the inputs and prepares every tree. `need_paths` is false for
// plain margins (no covers needed).
Result<PreparedEnsemble> Prepare(const TreeEnsembleView& view, size_t num_inputs,
                                 const Players* players, bool need_paths, size_t table_budget = 0) {
  PreparedEnsemble out;
  out.num_inputs = num_inputs;
  out.num_players = players != nullptr ? players->size() : 0;
  out.num_outputs = static_cast<size_t>(std::max(view.num_outputs, 1));
  const size_t outputs = out.num_outputs;
  if (players != nullptr) {
    if (players->player_of_input.size() != num_inputs) {
      return InvalidArgumentError("the players cover " +
                                  std::to_string(players->player_of_input.size()) +
                                  " inputs but the model reads " + std::to_string(num_inputs))
          .Expecting("one player per model input");
    }
    for (int32_t p : players->player_of_input) {
      if (p < 0 || static_cast<size_t>(p) >= players->size()) {
        return InvalidArgumentError("an input belongs to player " + std::to_string(p) +
                                    ", which does not exist")
            .Expecting("player indices below " + std::to_string(players->size()));
      }
    }
  }
  // Averaging ensembles divide each output by the number of trees adding to it.
  std::vector<double> divisor(outputs, 0.0);
  for (const TreeView& tree : view.trees) {
    if (IsVectorTree(tree)) {
      for (double& d : divisor) d += 1;
    } else if (tree.output >= 0 && static_cast<size_t>(tree.output) < outputs) {
      divisor[static_cast<size_t>(tree.output)] += 1;
    }
  }
  out.base.assign(outputs, 0.0);
  for (size_t k = 0; k < outputs && k < view.base_margin.size(); ++k) {
    out.base[k] = view.base_margin[k];
  }
  std::vector<double> tree_base(outputs);
  for (size_t t = 0; t < view.trees.size(); ++t) {
    const TreeView& tree = view.trees[t];
    const std::string where = "tree " + std::to_string(t);
    if (tree.nodes.empty()) return InvalidArgumentError(where + " has no nodes");
    const bool vector_tree = IsVectorTree(tree);
    if (!vector_tree && (tree.output < 0 || static_cast<size_t>(tree.output) >= outputs)) {
      return InvalidArgumentError(where + " adds to output " + std::to_string(tree.output))
          .Expecting("an output below " + std::to_string(outputs));
    }
    PreparedTree prepared;
    prepared.tree = &tree;
    prepared.scale.assign(outputs, 0.0);
    for (size_t k = 0; k < outputs; ++k) {
      prepared.scale[k] =
          view.average ? (divisor[k] > 0 ? tree.weight / divisor[k] : 0.0) : tree.weight;
    }
    std::fill(tree_base.begin(), tree_base.end(), 0.0);
    // Depth-first walk with an explicit stack of (node, depth); a path longer than the
    // node count means a cycle.
    struct Frame {
      int32_t node;
      int depth;
      double zero;  // product of the cover ratios from the root
    };
    std::vector<Frame> stack = {{0, 0, 1.0}};
    // The current path's internal nodes: children are pushed together and popped
    // last-in-first-out, so a node's subtree is walked right after it and the entries
    // below its depth are still its ancestors.
    std::vector<int32_t> path_nodes;
    while (!stack.empty()) {
      const Frame frame = stack.back();
      stack.pop_back();
      const auto n = static_cast<size_t>(frame.node);
      const TreeNode& node = tree.nodes[n];
      if (static_cast<size_t>(frame.depth) > tree.nodes.size()) {
        return InvalidArgumentError(where + " has a cycle").Expecting("a tree");
      }
      path_nodes.resize(static_cast<size_t>(frame.depth));
      out.max_depth = std::max(out.max_depth, frame.depth);
      if (need_paths && std::isnan(node.cover)) return NoCover(t, n, "has no cover (NaN)");
      if (node.kind != SplitKind::kLeaf) {
        if (node.feature < 0 || static_cast<size_t>(node.feature) >= num_inputs) {
          return InvalidArgumentError(where + " node " + std::to_string(n) + " splits on input " +
                                      std::to_string(node.feature))
              .Expecting("an input index below " + std::to_string(num_inputs));
        }
        for (int32_t child : {node.left, node.right}) {
          if (child < 0 || static_cast<size_t>(child) >= tree.nodes.size() ||
              node.left == node.right) {
            return InvalidArgumentError(where + " node " + std::to_string(n) + " has child " +
                                        std::to_string(child))
                .Expecting("a node index below " + std::to_string(tree.nodes.size()));
          }
        }
        if (need_paths && !(node.cover > 0)) return NoCover(t, n, "is a split with a zero cover");
        prepared.internal.push_back(frame.node);
        path_nodes.push_back(frame.node);
        for (int32_t child : {node.right, node.left}) {
          const double cover = tree.nodes[static_cast<size_t>(child)].cover;
          if (need_paths && (std::isnan(cover) || cover < 0)) {
            return NoCover(t, static_cast<size_t>(child), "has no cover (NaN or negative)");
          }
          stack.push_back({child, frame.depth + 1, frame.zero * (cover / node.cover)});
        }
        continue;
      }
      if (node.leaf.empty() || (node.leaf.size() > 1 && node.leaf.size() != outputs) ||
          (node.leaf.size() > 1) != vector_tree) {
        return InvalidArgumentError(where + " leaf " + std::to_string(n) + " has " +
                                    std::to_string(node.leaf.size()) + " values")
            .Expecting(vector_tree ? std::to_string(outputs) + " values (one per output)"
                                   : std::string("one value"));
      }
      LeafPath leaf;
      leaf.output = vector_tree ? -1 : tree.output;
      leaf.first_value = prepared.values.size();
      for (size_t k = 0; k < node.leaf.size(); ++k) {
        const size_t output = vector_tree ? k : static_cast<size_t>(tree.output);
        const double value = node.leaf[k] * prepared.scale[output];
        prepared.values.push_back(value);
        tree_base[output] += frame.zero * value;
      }
      if (need_paths) {
        leaf.first_split = prepared.splits.size();
        leaf.first_unique = prepared.players.size();
        for (size_t s = 0; s < path_nodes.size(); ++s) {
          const TreeNode& split = tree.nodes[static_cast<size_t>(path_nodes[s])];
          const int32_t next = s + 1 < path_nodes.size() ? path_nodes[s + 1] : frame.node;
          const bool left = split.left == next;
          const double ratio = tree.nodes[static_cast<size_t>(next)].cover / split.cover;
          const int32_t player = players->player_of_input[static_cast<size_t>(split.feature)];
          size_t slot = leaf.first_unique;
          while (slot < prepared.players.size() && prepared.players[slot] != player) ++slot;
          if (slot == prepared.players.size()) {
            prepared.players.push_back(player);
            prepared.zeros.push_back(1.0);
          }
          prepared.zeros[slot] *= ratio;
          prepared.splits.push_back(
              {path_nodes[s], static_cast<int32_t>(slot - leaf.first_unique), left});
        }
        leaf.num_splits = prepared.splits.size() - leaf.first_split;
        leaf.num_unique = prepared.players.size() - leaf.first_unique;
        out.max_unique = std::max(out.max_unique, leaf.num_unique);
      }
      prepared.leaves.push_back(leaf);
    }
    for (size_t k = 0; k < outputs; ++k) out.base[k] += tree_base[k];
    out.max_nodes = std::max(out.max_nodes, tree.nodes.size());
    out.trees.push_back(std::move(prepared));
  }
  if (need_paths) {
    const auto points = static_cast<int>((out.max_unique + 1) / 2);
    for (int n = 0; n <= std::max(points, 1); ++n) out.rules.emplace_back(n);
    if (table_budget > 0) BuildTables(out, table_budget);
  }
  return out;
}

Status CheckInputs(const ModelInfo& info, std::span<const double> inputs, int64_t rows) {
  if (rows < 0 || inputs.size() != static_cast<size_t>(rows) * info.inputs.size()) {
    return InvalidArgumentError("the input matrix has " + std::to_string(inputs.size()) +
                                " values for " + std::to_string(rows) + " rows")
        .Expecting(std::to_string(rows) + " × " + std::to_string(info.inputs.size()) +
                   " values (rows × model inputs)");
  }
  return OkStatus();
}


// ---- The fast algorithm: per leaf, quadrature of the multilinear extension ------------

// Per-thread scratch for one row.
struct Scratch {
  explicit Scratch(const PreparedEnsemble& e)
      : goes_left(e.max_nodes),
        one(e.max_unique),
        factor((e.max_unique + 1) * kMaxBatchedPoints),
        prefix((e.max_unique + 1) * kMaxBatchedPoints),
        integral(e.max_unique),
        pair(e.max_unique * e.max_unique) {}
  std::vector<uint8_t> goes_left;
  std::vector<uint8_t> one;
  std::vector<double> factor;
  std::vector<double> prefix;
  std::vector<double> integral;  // per slot i: ∫ Π_{j≠i} f_j
  std::vector<double> pair;      // per slots i < j: ∫ Π_{k≠i,j} f_k (interactions)
};

// integral[i] = ∫₀¹ Π_{j≠i} (z_j + q(o_j − z_j)) dq for the d unique players of a leaf (and,
// when `pair` is set, pair[i·d + j] = ∫ Π_{k≠i,j} for i < j), by the ⌈d/2⌉-point
// Gauss–Legendre rule, exact for the degree-(d−1) integrand. Prefix and suffix products
// avoid dividing by a factor. `f` and `prefix` are scratch (d and d + 1 doubles).
// Integrate without pairs for an N-point rule, all N points at once (the inner loops
// have a fixed trip count, so they unroll and vectorize). f and prefix hold d·N doubles.
template <size_t N>
void IntegratePoints(const internal::GaussLegendre& rule, const double* zero, const uint8_t* one,
                     size_t d, double* f, double* prefix, double* integral) {
  double x[N];
  double p[N];
  for (size_t q = 0; q < N; ++q) {
    x[q] = rule.nodes[q];
    p[q] = rule.weights[q];
  }
  for (size_t j = 0; j < d; ++j) {
    const double z = zero[j];
    const double slope = one[j] - z;
    double* fj = f + j * N;
    double* pj = prefix + j * N;
    for (size_t q = 0; q < N; ++q) {
      pj[q] = p[q];  // w · Π_{k<j} f_k
      fj[q] = z + x[q] * slope;
      p[q] *= fj[q];
    }
  }
  double suffix[N];
  for (size_t q = 0; q < N; ++q) suffix[q] = 1;
  for (size_t j = d; j-- > 0;) {
    const double* fj = f + j * N;
    const double* pj = prefix + j * N;
    double sum = 0;
    for (size_t q = 0; q < N; ++q) {
      sum += pj[q] * suffix[q];
      suffix[q] *= fj[q];
    }
    integral[j] = sum;
  }
}

void Integrate(const internal::GaussLegendre& rule, const double* zero, const uint8_t* one,
               size_t d, double* f, double* prefix, double* integral, double* pair) {
  if (pair == nullptr) {
    switch (rule.nodes.size()) {
      case 1: return IntegratePoints<1>(rule, zero, one, d, f, prefix, integral);
      case 2: return IntegratePoints<2>(rule, zero, one, d, f, prefix, integral);
      case 3: return IntegratePoints<3>(rule, zero, one, d, f, prefix, integral);
      case 4: return IntegratePoints<4>(rule, zero, one, d, f, prefix, integral);
      case 5: return IntegratePoints<5>(rule, zero, one, d, f, prefix, integral);
      case 6: return IntegratePoints<6>(rule, zero, one, d, f, prefix, integral);
      case 7: return IntegratePoints<7>(rule, zero, one, d, f, prefix, integral);
      case 8: return IntegratePoints<8>(rule, zero, one, d, f, prefix, integral);
      default: break;
    }
  }
  std::fill(integral, integral + d, 0.0);
  if (pair != nullptr) std::fill(pair, pair + d * d, 0.0);
  for (size_t q = 0; q < rule.nodes.size(); ++q) {
    const double x = rule.nodes[q];
    prefix[0] = rule.weights[q];
    for (size_t j = 0; j < d; ++j) {
      f[j] = zero[j] + x * (one[j] - zero[j]);
      prefix[j + 1] = prefix[j] * f[j];
    }
    double suffix = 1;
    for (size_t j = d; j-- > 0;) {
      integral[j] += prefix[j] * suffix;
      suffix *= f[j];
    }
    if (pair == nullptr) continue;
    // pair[i·d + j] (i < j) += w · Π_{k<i} f · Π_{i<k<j} f · Π_{k>j} f.
    double after = 1;  // Π_{k>j} f_k
    for (size_t j = d; j-- > 0;) {
      double middle = 1;
      for (size_t i = j; i-- > 0;) {
        pair[i * d + j] += prefix[i] * middle * after;
        middle *= f[i];
      }
      after *= f[j];
    }
  }
}

// For the row whose routing bits are in s.goes_left, fills s.one with the leaf's one
// fractions and s.integral (and s.pair) by Integrate.
void IntegrateLeaf(const PreparedEnsemble& e, const PreparedTree& t, const LeafPath& leaf,
                   Scratch& s, bool pairs) {
  const size_t d = leaf.num_unique;
  uint8_t* one = s.one.data();
  std::fill(one, one + d, uint8_t{1});
  for (size_t k = 0; k < leaf.num_splits; ++k) {
    const PathSplit& split = t.splits[leaf.first_split + k];
    if (s.goes_left[static_cast<size_t>(split.node)] != static_cast<uint8_t>(split.left)) {
      one[split.slot] = 0;
    }
  }
  Integrate(e.rules[(d + 1) / 2], t.zeros.data() + leaf.first_unique, one, d, s.factor.data(),
            s.prefix.data(), s.integral.data(), pairs ? s.pair.data() : nullptr);
}

// Fills the per-pattern tables of the trees that fit in `budget` bytes, in tree order.
void BuildTables(PreparedEnsemble& e, size_t budget) {
  std::vector<uint8_t> one(kMaxTableUnique);
  std::vector<double> f((kMaxTableUnique + 1) * kMaxBatchedPoints);
  std::vector<double> prefix((kMaxTableUnique + 1) * kMaxBatchedPoints);
  std::vector<double> integral(kMaxTableUnique);
  size_t used = 0;
  for (PreparedTree& t : e.trees) {
    size_t size = 0;
    bool fits = true;
    for (const LeafPath& leaf : t.leaves) {
      if (leaf.num_unique > kMaxTableUnique) {
        fits = false;
        break;
      }
      size += (size_t{1} << leaf.num_unique) * leaf.num_unique;
    }
    if (!fits || used + size * sizeof(double) > budget) continue;
    used += size * sizeof(double);
    t.table.reserve(size);
    for (LeafPath& leaf : t.leaves) {
      const size_t d = leaf.num_unique;
      const double* zero = t.zeros.data() + leaf.first_unique;
      leaf.table = t.table.size();
      for (size_t pattern = 0; pattern < (size_t{1} << d); ++pattern) {
        for (size_t j = 0; j < d; ++j) one[j] = static_cast<uint8_t>((pattern >> j) & 1U);
        Integrate(e.rules[(d + 1) / 2], zero, one.data(), d, f.data(), prefix.data(),
                  integral.data(), nullptr);
        for (size_t j = 0; j < d; ++j) t.table.push_back((one[j] - zero[j]) * integral[j]);
      }
    }
  }
}

void RouteRow(const PreparedTree& t, const double* x, Scratch& s) {
  for (int32_t n : t.internal) {
    const TreeNode& node = t.tree->nodes[static_cast<size_t>(n)];
    s.goes_left[static_cast<size_t>(n)] =
        GoesLeft(node, x[static_cast<size_t>(node.feature)]) ? 1 : 0;
  }
}

// Adds one row's SHAP values (outputs × players) to `phi`, and, when `matrix` is set, its
// off-diagonal interaction values (outputs × (P+1)²).
void FastTreeRow(const PreparedEnsemble& e, const PreparedTree& t, const double* x, Scratch& s,
                 double* phi, double* matrix) {
  const size_t players = e.num_players;
  const size_t width = players + 1;
  {
    RouteRow(t, x, s);
    for (const LeafPath& leaf : t.leaves) {
      const size_t d = leaf.num_unique;
      if (d == 0) continue;
      if (matrix == nullptr && leaf.table != SIZE_MAX) {
        // The pattern of one fractions picks the leaf's precomputed weights.
        size_t pattern = (size_t{1} << d) - 1;
        for (size_t k = 0; k < leaf.num_splits; ++k) {
          const PathSplit& split = t.splits[leaf.first_split + k];
          if (s.goes_left[static_cast<size_t>(split.node)] != static_cast<uint8_t>(split.left)) {
            pattern &= ~(size_t{1} << split.slot);
          }
        }
        const double* weight = t.table.data() + leaf.table + pattern * d;
        const int32_t* player = t.players.data() + leaf.first_unique;
        if (leaf.output >= 0) {
          const double value = t.values[leaf.first_value];
          double* out = phi + static_cast<size_t>(leaf.output) * players;
          for (size_t i = 0; i < d; ++i) out[player[i]] += weight[i] * value;
        } else {
          for (size_t k = 0; k < e.num_outputs; ++k) {
            const double value = t.values[leaf.first_value + k];
            double* out = phi + k * players;
            for (size_t i = 0; i < d; ++i) out[player[i]] += weight[i] * value;
          }
        }
        continue;
      }
      IntegrateLeaf(e, t, leaf, s, matrix != nullptr);
      const double* zero = t.zeros.data() + leaf.first_unique;
      const int32_t* player = t.players.data() + leaf.first_unique;
      const size_t first_output = leaf.output < 0 ? 0 : static_cast<size_t>(leaf.output);
      const size_t num_values = leaf.output < 0 ? e.num_outputs : 1;
      for (size_t v = 0; v < num_values; ++v) {
        const double value = t.values[leaf.first_value + v];
        const size_t output = first_output + v;
        double* out = phi + output * players;
        for (size_t i = 0; i < d; ++i) {
          out[player[i]] += (s.one[i] - zero[i]) * s.integral[i] * value;
        }
        if (matrix == nullptr) continue;
        double* m = matrix + output * width * width;
        for (size_t i = 0; i < d; ++i) {
          const double gi = 0.5 * value * (s.one[i] - zero[i]);
          for (size_t j = i + 1; j < d; ++j) {
            const double phi_ij = gi * (s.one[j] - zero[j]) * s.pair[i * d + j];
            m[static_cast<size_t>(player[i]) * width + static_cast<size_t>(player[j])] += phi_ij;
            m[static_cast<size_t>(player[j]) * width + static_cast<size_t>(player[i])] += phi_ij;
          }
        }
      }
    }
  }
}

// Rows explained together, tree by tree, so that a tree's nodes and weight tables stay in
// cache across the block (the tables of a whole model do not fit); each row still adds
// its trees in model order, so the sums do not depend on the blocking.
constexpr int64_t kBlockRows = 32;

// Adds the SHAP values of rows [begin, end) to phi (rows × outputs × players, indexed from
// row 0), and with `matrix` their off-diagonal interaction values.
void FastBlock(const PreparedEnsemble& e, std::span<const double> inputs, int64_t begin,
               int64_t end, Scratch& s, double* phi, double* matrix) {
  const size_t per_row = e.num_outputs * e.num_players;
  const size_t width = e.num_players + 1;
  const size_t per_matrix = e.num_outputs * width * width;
  for (const PreparedTree& t : e.trees) {
    for (int64_t r = begin; r < end; ++r) {
      const auto row = static_cast<size_t>(r);
      FastTreeRow(e, t, inputs.data() + row * e.num_inputs, s, phi + row * per_row,
                  matrix != nullptr ? matrix + row * per_matrix : nullptr);
    }
  }
}

// ---- The classic algorithm (Lundberg et al. 2018, Algorithm 2; shap's tree_shap.h) ------

struct PathElement {
  int32_t player;
  double zero;
  double one;
  double weight;
};

void ExtendPath(PathElement* path, int depth, double zero, double one, int32_t player) {
  path[depth] = {player, zero, one, depth == 0 ? 1.0 : 0.0};
  for (int i = depth - 1; i >= 0; --i) {
    path[i + 1].weight += one * path[i].weight * (i + 1) / (depth + 1);
    path[i].weight = zero * path[i].weight * (depth - i) / (depth + 1);
  }
}

void UnwindPath(PathElement* path, int depth, int index) {
  const double one = path[index].one;
  const double zero = path[index].zero;
  double next_one_portion = path[depth].weight;
  for (int i = depth - 1; i >= 0; --i) {
    if (one != 0) {
      const double tmp = path[i].weight;
      path[i].weight = next_one_portion * (depth + 1) / ((i + 1) * one);
      next_one_portion = tmp - path[i].weight * zero * (depth - i) / (depth + 1);
    } else {
      path[i].weight = path[i].weight * (depth + 1) / (zero * (depth - i));
    }
  }
  for (int i = index; i < depth; ++i) {
    path[i].player = path[i + 1].player;
    path[i].zero = path[i + 1].zero;
    path[i].one = path[i + 1].one;
  }
}

double UnwoundPathSum(const PathElement* path, int depth, int index) {
  const double one = path[index].one;
  const double zero = path[index].zero;
  double next_one_portion = path[depth].weight;
  double total = 0;
  for (int i = depth - 1; i >= 0; --i) {
    if (one != 0) {
      const double tmp = next_one_portion * (depth + 1) / ((i + 1) * one);
      total += tmp;
      next_one_portion = path[i].weight - tmp * zero * (depth - i) / (depth + 1);
    } else {
      total += path[i].weight / zero * (depth + 1) / (depth - i);
    }
  }
  return total;
}

struct ClassicContext {
  const PreparedTree* t;
  const double* x;
  const Players* players;
  size_t num_players;
  double* phi;  // outputs × players
};

// Lundberg et al.'s RECURSE. `parent` holds the parent's unique path; this node's copy is
// extended at parent + unique_depth + 1. Branches whose new element has zero and one
// fractions both 0 contribute nothing (every product along them is 0) and are skipped,
// which also keeps UNWIND from dividing by a zero fraction.
void ClassicRecurse(const ClassicContext& c, int32_t node_index, PathElement* parent,
                    int unique_depth, double zero, double one, int32_t player) {
  PathElement* path = parent + unique_depth + 1;
  std::copy(parent, parent + unique_depth + 1, path);
  ExtendPath(path, unique_depth, zero, one, player);
  const TreeView& tree = *c.t->tree;
  const TreeNode& node = tree.nodes[static_cast<size_t>(node_index)];
  if (node.kind == SplitKind::kLeaf) {
    for (int i = 1; i <= unique_depth; ++i) {
      const double w = UnwoundPathSum(path, unique_depth, i) * (path[i].one - path[i].zero);
      const auto p = static_cast<size_t>(path[i].player);
      if (node.leaf.size() == 1) {
        const auto k = static_cast<size_t>(tree.output);
        c.phi[k * c.num_players + p] += w * node.leaf[0] * c.t->scale[k];
      } else {
        for (size_t k = 0; k < node.leaf.size(); ++k) {
          c.phi[k * c.num_players + p] += w * node.leaf[k] * c.t->scale[k];
        }
      }
    }
    return;
  }
  const bool left = GoesLeft(node, c.x[static_cast<size_t>(node.feature)]);
  const int32_t hot = left ? node.left : node.right;
  const int32_t cold = left ? node.right : node.left;
  const int32_t split_player = c.players->player_of_input[static_cast<size_t>(node.feature)];
  double incoming_zero = 1;
  double incoming_one = 1;
  for (int k = 1; k <= unique_depth; ++k) {
    if (path[k].player == split_player) {
      incoming_zero = path[k].zero;
      incoming_one = path[k].one;
      UnwindPath(path, unique_depth, k);
      --unique_depth;
      break;
    }
  }
  const double hot_zero = tree.nodes[static_cast<size_t>(hot)].cover / node.cover * incoming_zero;
  const double cold_zero = tree.nodes[static_cast<size_t>(cold)].cover / node.cover * incoming_zero;
  if (hot_zero != 0 || incoming_one != 0) {
    ClassicRecurse(c, hot, path, unique_depth + 1, hot_zero, incoming_one, split_player);
  }
  if (cold_zero != 0) ClassicRecurse(c, cold, path, unique_depth + 1, cold_zero, 0, split_player);
}

void ClassicRow(const PreparedEnsemble& e, const Players& players, const double* x,
                std::vector<PathElement>& buffer, double* phi) {
  for (const PreparedTree& t : e.trees) {
    const ClassicContext c{&t, x, &players, e.num_players, phi};
    ClassicRecurse(c, 0, buffer.data(), 0, 1, 1, -1);
  }
}

Attributions EmptyAttributions(const ModelInfo& info, const TreeEnsembleView& view,
                               const Players& players, int64_t rows) {
  Attributions a;
  a.method = "tree_path_dependent";
  a.space = OutputSpace::kMargin;
  a.value_function = kValueFunction;
  a.cover_kind = view.cover_kind;
  a.players = players.names;
  a.outputs = ExplainedOutputNames(info, view.num_outputs);
  a.rows = rows;
  return a;
}

// Runs `row(r, scratch)` for every row on `threads` OpenMP threads; each row's sums are
// made by one thread in a fixed order, so results do not depend on the thread count.
template <typename Scratch, typename MakeScratch, typename RowFn>
void ForEachRow(int64_t rows, int threads, MakeScratch make_scratch, RowFn row) {
#pragma omp parallel num_threads(internal::ThreadCount(threads))
  {
    Scratch scratch = make_scratch();
#pragma omp for schedule(dynamic, 16)
    for (int64_t r = 0; r < rows; ++r) row(r, scratch);
  }
}

// Interaction matrices take rows × outputs × (P+1)² doubles; refuse above 2^31 of them
// (16 GiB) rather than fail to allocate.
constexpr double kMaxInteractionValues = 2147483648.0;

}  // namespace

Buffer<double> ViewMargins(const TreeEnsembleView& view, size_t num_inputs,
                           std::span<const double> inputs, int64_t rows) {
  Buffer<double> margins;
  Result<PreparedEnsemble> prepared = Prepare(view, num_inputs, nullptr, false);
  if (!prepared.has_value() || rows < 0 ||
      inputs.size() != static_cast<size_t>(rows) * num_inputs) {
    return margins;
  }
  const PreparedEnsemble& e = prepared.value();
  const size_t outputs = e.num_outputs;
  margins.resize(static_cast<size_t>(rows) * outputs);
  for (int64_t r = 0; r < rows; ++r) {
    const double* x = inputs.data() + static_cast<size_t>(r) * num_inputs;
    double* out = margins.data() + static_cast<size_t>(r) * outputs;
    for (size_t k = 0; k < outputs; ++k)
      out[k] = k < view.base_margin.size() ? view.base_margin[k] : 0;
    for (const PreparedTree& t : e.trees) {
      const TreeView& tree = *t.tree;
      size_t n = 0;
      while (tree.nodes[n].kind != SplitKind::kLeaf) {
        const TreeNode& node = tree.nodes[n];
        n = static_cast<size_t>(GoesLeft(node, x[static_cast<size_t>(node.feature)]) ? node.left
                                                                                     : node.right);
      }
      const std::vector<double>& leaf = tree.nodes[n].leaf;
      if (leaf.size() == 1) {
        const auto k = static_cast<size_t>(tree.output);
        out[k] += leaf[0] * t.scale[k];
      } else {
        for (size_t k = 0; k < outputs; ++k) out[k] += leaf[k] * t.scale[k];
      }
    }
  }
  return margins;
}

Result<Attributions> TreeShap(const ModelInfo& info, const TreeEnsembleView& view,
                              const Players& players, std::span<const double> inputs, int64_t rows,
                              const TreeShapOptions& options) {
  PROBITY_RETURN_IF_ERROR(CheckInputs(info, inputs, rows));
  const size_t num_inputs = info.inputs.size();
  const bool fast = options.algorithm == TreeShapOptions::Algorithm::kFast;
  PROBITY_ASSIGN_OR_RETURN(PreparedEnsemble e, Prepare(view, num_inputs, &players, true,
                                                       fast ? options.table_budget_bytes : 0));
  Attributions a = EmptyAttributions(info, view, players, rows);
  const size_t outputs = e.num_outputs;
  const size_t per_row = outputs * e.num_players;
  a.values.assign(static_cast<size_t>(rows) * per_row, 0.0);
  a.base.resize(static_cast<size_t>(rows) * outputs);
  for (size_t i = 0; i < a.base.size(); ++i) a.base[i] = e.base[i % outputs];
  a.prediction = ViewMargins(view, num_inputs, inputs, rows);
  const auto x = [&](int64_t r) { return inputs.data() + static_cast<size_t>(r) * num_inputs; };
  double* values = a.values.data();
  if (options.algorithm == TreeShapOptions::Algorithm::kClassic) {
    const auto depth = static_cast<size_t>(e.max_depth);
    ForEachRow<std::vector<PathElement>>(
        rows, options.threads,
        [&] { return std::vector<PathElement>((depth + 2) * (depth + 3) / 2 + 1); },
        [&](int64_t r, std::vector<PathElement>& buffer) {
          ClassicRow(e, players, x(r), buffer, values + static_cast<size_t>(r) * per_row);
        });
  } else {
    ForEachRow<Scratch>((rows + kBlockRows - 1) / kBlockRows, options.threads,
                        [&] { return Scratch(e); },
                        [&](int64_t block, Scratch& s) {
                          FastBlock(e, inputs, block * kBlockRows,
                                    std::min(rows, (block + 1) * kBlockRows), s, values, nullptr);
                        });
  }
  SetAdditivityError(a);
  return a;
}

Result<Interactions> TreeShapInteractions(const ModelInfo& info, const TreeEnsembleView& view,
                                          const Players& players, std::span<const double> inputs,
                                          int64_t rows, const TreeShapOptions& options) {
  PROBITY_RETURN_IF_ERROR(CheckInputs(info, inputs, rows));
  const size_t num_inputs = info.inputs.size();
  PROBITY_ASSIGN_OR_RETURN(PreparedEnsemble e, Prepare(view, num_inputs, &players, true));
  const size_t outputs = e.num_outputs;
  const size_t num_players = e.num_players;
  const size_t width = num_players + 1;
  const size_t per_row = outputs * width * width;
  if (static_cast<double>(rows) * static_cast<double>(per_row) > kMaxInteractionValues) {
    return InvalidArgumentError(std::to_string(rows) + " rows of " + std::to_string(outputs) +
                                " interaction matrices of " + std::to_string(width) + "×" +
                                std::to_string(width) + " values are too many to hold")
        .Expecting("fewer rows (rows × outputs × (players + 1)² at most 2^31)");
  }
  Interactions m;
  m.players = players.names;
  m.outputs = ExplainedOutputNames(info, view.num_outputs);
  m.rows = rows;
  m.values.assign(static_cast<size_t>(rows) * per_row, 0.0);
  double* values = m.values.data();
  struct RowScratch {
    Scratch s;
    std::vector<double> phi;
  };
  // The quadrature gives the pairs for either algorithm choice (the classic recursion
  // would need two conditioned passes per player, as XGBoost 1.7 does).
  ForEachRow<RowScratch>(
      rows, options.threads,
      [&] {
        return RowScratch{Scratch(e), {}};
      },
      [&](int64_t r, RowScratch& scratch) {
        double* matrix = values + static_cast<size_t>(r) * per_row;
        scratch.phi.assign(outputs * num_players, 0.0);
        for (const PreparedTree& t : e.trees) {
          FastTreeRow(e, t, inputs.data() + static_cast<size_t>(r) * num_inputs, scratch.s,
                      scratch.phi.data(), matrix);
        }
        for (size_t k = 0; k < outputs; ++k) {
          double* block = matrix + k * width * width;
          for (size_t i = 0; i < num_players; ++i) {
            double off_diagonal = 0;
            for (size_t j = 0; j < num_players; ++j) {
              if (j != i) off_diagonal += block[i * width + j];
            }
            block[i * width + i] = scratch.phi[k * num_players + i] - off_diagonal;
          }
          block[num_players * width + num_players] = e.base[k];
        }
      });
  return m;
}

}  // namespace probity::explain
