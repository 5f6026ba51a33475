#include "explain/counterfactual.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <set>

#include "audit/core/status.h"
#include "explain/internal/sampling.h"

namespace probity::explain {
namespace {

using internal::Rng;
using Values = std::vector<double>;

constexpr int kMaxCount = 1000;
constexpr int kMaxPopulation = 100000;
constexpr int kMaxGenerations = 10000;
constexpr size_t kMaxArchive = 100000;  // distinct valid candidates kept per row
constexpr int kMaxInitialChanges = 4;
// Per counterfactual asked for: archived candidates sparsified at most, and distinct sparse
// candidates the diverse subset is chosen from.
constexpr size_t kSparsifyPerCount = 10;
constexpr size_t kDistinctPerCount = 4;

struct Setup {
  const Model* model = nullptr;
  const InputFrame* training = nullptr;
  InputFrame rows;  // aligned to the training dictionaries
  CounterfactualOptions options;
  std::vector<size_t> mutable_inputs;       // inputs that may change and have candidates
  std::vector<std::vector<double>> values;  // per input: training values within the range
  std::vector<double> scale;                // per numeric input: the MAD (1 when 0)
};

bool Desired(const Setup& s, double prediction) {
  return s.options.above ? prediction >= s.options.threshold : prediction < s.options.threshold;
}

bool SameValue(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

// Σ |a_j − b_j| / MAD_j over numeric inputs + Σ [a_j ≠ b_j] over string inputs; a missing
// value against a present one counts 1.
double Distance(const Setup& s, const double* a, const double* b) {
  double d = 0;
  for (size_t j = 0; j < s.rows.width(); ++j) {
    if (SameValue(a[j], b[j])) continue;
    if (s.rows.is_string[j] || std::isnan(a[j]) || std::isnan(b[j])) {
      d += 1;
    } else {
      d += std::abs(a[j] - b[j]) / s.scale[j];
    }
  }
  return d;
}

// Exact bit patterns, so that candidates (NaN included) can be deduplicated.
std::vector<uint64_t> Key(const Values& v) {
  std::vector<uint64_t> key(v.size());
  std::memcpy(key.data(), v.data(), v.size() * sizeof(double));
  return key;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct RowSearch {
  Status status;
  CounterfactualSet set;
  int64_t evaluations = 0;
};

class RowSearcher {
 public:
  RowSearcher(const Setup& s, int64_t row, RowSearch* out)
      : s_(s),
        x_(s.rows.row(row), s.rows.row(row) + s.rows.width()),
        rng_(MixSeed(s.options.seed, RowStream(s.options.row_streams, row))),
        out_(out) {}

  Status Run() {
    PROBITY_RETURN_IF_ERROR(Evolve());
    const auto count = static_cast<size_t>(s_.options.count);
    std::vector<Values> unique;
    std::set<std::vector<uint64_t>> seen;
    for (Values& c : Spread(std::move(archive_), kSparsifyPerCount * count)) {
      PROBITY_RETURN_IF_ERROR(Sparsify(c));
      if (seen.insert(Key(c)).second) unique.push_back(std::move(c));
      if (unique.size() == kDistinctPerCount * count) break;
    }
    std::stable_sort(unique.begin(), unique.end(), [&](const Values& a, const Values& b) {
      return Distance(s_, a.data(), x_.data()) < Distance(s_, b.data(), x_.data());
    });
    return Report(Diverse(unique));
  }

 private:
  // The explained output for each candidate.
  Result<std::vector<double>> Predict(const std::vector<Values>& candidates) {
    const size_t width = x_.size();
    std::vector<double> flat;
    flat.reserve(candidates.size() * width);
    for (const Values& c : candidates) flat.insert(flat.end(), c.begin(), c.end());
    const auto n = static_cast<int64_t>(candidates.size());
    PROBITY_ASSIGN_OR_RETURN(
        Buffer<double> scored,
        ScoreRows(*s_.model, s_.rows, flat, n, s_.options.space, &out_->evaluations));
    const size_t outputs = candidates.empty() ? 0 : scored.size() / candidates.size();
    std::vector<double> out(candidates.size());
    for (size_t i = 0; i < out.size(); ++i) out[i] = scored[i * outputs + s_.options.output];
    return out;
  }

  double RandomValue(size_t j) {
    const std::vector<double>& v = s_.values[j];
    return v[rng_.Below(v.size())];
  }

  size_t RandomMutable() { return s_.mutable_inputs[rng_.Below(s_.mutable_inputs.size())]; }

  Values Initial() {
    Values c = x_;
    std::vector<size_t> order = s_.mutable_inputs;
    const size_t changes = 1 + rng_.Below(std::min<size_t>(order.size(), kMaxInitialChanges));
    for (size_t i = 0; i < changes; ++i) {
      std::swap(order[i], order[i + rng_.Below(order.size() - i)]);
      c[order[i]] = RandomValue(order[i]);
    }
    return c;
  }

  // GeCo-like: rank (valid first by distance, then invalid by the gap to the threshold),
  // keep the best quarter, refill by uniform crossover of two kept parents plus mutation
  // (one input to a training value, or one input back to the row's value).
  Status Evolve() {
    const auto size = static_cast<size_t>(s_.options.population);
    std::vector<Values> population;
    for (size_t i = 0; i < size; ++i) population.push_back(Initial());
    for (int generation = 0; generation < s_.options.generations; ++generation) {
      PROBITY_ASSIGN_OR_RETURN(std::vector<double> predictions, Predict(population));
      std::vector<double> distance(size), gap(size);
      std::vector<bool> valid(size);
      for (size_t i = 0; i < size; ++i) {
        valid[i] = Desired(s_, predictions[i]);
        distance[i] = Distance(s_, population[i].data(), x_.data());
        gap[i] = std::isnan(predictions[i]) ? std::numeric_limits<double>::infinity()
                                            : std::abs(predictions[i] - s_.options.threshold);
        if (valid[i] && archive_.size() < kMaxArchive &&
            archived_.insert(Key(population[i])).second) {
          archive_.push_back({distance[i], population[i]});
        }
      }
      if (generation + 1 == s_.options.generations) break;
      std::vector<size_t> order(size);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (valid[a] != valid[b]) return static_cast<bool>(valid[a]);
        if (!valid[a] && gap[a] != gap[b]) return gap[a] < gap[b];
        return distance[a] < distance[b];
      });
      std::vector<Values> next;
      std::set<std::vector<uint64_t>> kept;
      const size_t elite = std::max<size_t>(2, size / 4);
      for (size_t i : order) {
        if (next.size() == elite) break;
        if (kept.insert(Key(population[i])).second) next.push_back(population[i]);
      }
      const size_t parents = next.size();
      while (next.size() < size) {
        const Values& a = next[rng_.Below(parents)];
        const Values& b = next[rng_.Below(parents)];
        Values child = x_;
        for (size_t j : s_.mutable_inputs) child[j] = rng_.Uniform() < 0.5 ? a[j] : b[j];
        if (rng_.Uniform() < 0.5) {
          const size_t j = RandomMutable();
          child[j] = RandomValue(j);
        }
        if (rng_.Uniform() < 0.3) {
          const size_t j = RandomMutable();
          child[j] = x_[j];
        }
        next.push_back(std::move(child));
      }
      population = std::move(next);
    }
    return OkStatus();
  }

  struct Archived {
    double distance;
    Values values;
  };

  // Up to `limit` archived candidates to sparsify: grouped by which inputs they change
  // (groups ordered by their closest member), taken round-robin over the groups, closest
  // first within each, so that every way of reaching the desired side gets a chance even
  // when one way has many closer candidates.
  std::vector<Values> Spread(std::vector<Archived> archive, size_t limit) const {
    std::stable_sort(archive.begin(), archive.end(),
                     [](const Archived& a, const Archived& b) { return a.distance < b.distance; });
    std::vector<std::vector<bool>> patterns;
    std::vector<std::vector<size_t>> groups;
    for (size_t i = 0; i < archive.size(); ++i) {
      std::vector<bool> pattern(x_.size());
      for (size_t j = 0; j < x_.size(); ++j) pattern[j] = !SameValue(archive[i].values[j], x_[j]);
      const auto it = std::find(patterns.begin(), patterns.end(), pattern);
      if (it == patterns.end()) {
        patterns.push_back(std::move(pattern));
        groups.push_back({i});
      } else {
        groups[static_cast<size_t>(it - patterns.begin())].push_back(i);
      }
    }
    std::vector<Values> out;
    for (size_t depth = 0; out.size() < limit; ++depth) {
      bool any = false;
      for (const std::vector<size_t>& group : groups) {
        if (depth >= group.size() || out.size() == limit) continue;
        out.push_back(std::move(archive[group[depth]].values));
        any = true;
      }
      if (!any) break;
    }
    return out;
  }

  // Reverts changes the outcome does not need, re-scoring each step: repeatedly the first
  // single revert (largest distance saved first) that stays on the desired side; then moves
  // each remaining numeric change to the training value closest to the row that still
  // stays on the desired side (a binary search over the values in between, each probe
  // scored, so the result is always a scored valid candidate).
  Status Sparsify(Values& c) {
    while (true) {
      std::vector<std::pair<double, size_t>> changed;
      for (size_t j : s_.mutable_inputs) {
        if (SameValue(c[j], x_[j])) continue;
        Values reverted = c;
        reverted[j] = x_[j];
        const double saved =
            Distance(s_, c.data(), x_.data()) - Distance(s_, reverted.data(), x_.data());
        changed.push_back({-saved, j});
      }
      std::stable_sort(changed.begin(), changed.end());
      std::vector<Values> trials;
      for (auto [neg_saved, j] : changed) {
        trials.push_back(c);
        trials.back()[j] = x_[j];
      }
      if (trials.empty()) break;
      PROBITY_ASSIGN_OR_RETURN(std::vector<double> predictions, Predict(trials));
      size_t accepted = trials.size();
      for (size_t t = 0; t < trials.size() && accepted == trials.size(); ++t) {
        if (Desired(s_, predictions[t])) accepted = t;
      }
      if (accepted == trials.size()) break;
      c = std::move(trials[accepted]);
    }
    for (size_t j : s_.mutable_inputs) {
      if (s_.rows.is_string[j] || SameValue(c[j], x_[j]) || std::isnan(x_[j]) || std::isnan(c[j])) {
        continue;
      }
      const double lo = std::min(x_[j], c[j]);
      const double hi = std::max(x_[j], c[j]);
      std::vector<double> between;
      for (double v : s_.values[j]) {
        if (v > lo && v < hi) between.push_back(v);
      }
      std::sort(between.begin(), between.end(),
                [&](double a, double b) { return std::abs(a - x_[j]) < std::abs(b - x_[j]); });
      between.erase(std::unique(between.begin(), between.end()), between.end());
      size_t low = 0;
      size_t high = between.size();  // `high` = keep the current value
      while (low < high) {
        const size_t mid = low + (high - low) / 2;
        Values trial = c;
        trial[j] = between[mid];
        PROBITY_ASSIGN_OR_RETURN(std::vector<double> p, Predict({trial}));
        if (Desired(s_, p[0])) {
          c = std::move(trial);
          high = mid;
        } else {
          low = mid + 1;
        }
      }
    }
    return OkStatus();
  }

  // Greedy diverse subset of candidates sorted by distance: the closest, then repeatedly the
  // one farthest (by the same distance) from those chosen, the closer to the row on ties.
  std::vector<Values> Diverse(const std::vector<Values>& pool) {
    std::vector<Values> chosen;
    std::vector<bool> taken(pool.size(), false);
    const auto count = static_cast<size_t>(s_.options.count);
    while (chosen.size() < count && chosen.size() < pool.size()) {
      size_t best = pool.size();
      double best_spread = -1;
      for (size_t i = 0; i < pool.size(); ++i) {
        if (taken[i]) continue;
        double spread = std::numeric_limits<double>::infinity();
        for (const Values& c : chosen) {
          spread = std::min(spread, Distance(s_, pool[i].data(), c.data()));
        }
        if (spread > best_spread) {
          best_spread = spread;
          best = i;
        }
      }
      if (best == pool.size() || best_spread <= 0) break;
      taken[best] = true;
      chosen.push_back(pool[best]);
    }
    return chosen;
  }

  Status Report(std::vector<Values> chosen) {
    CounterfactualSet& set = out_->set;
    PROBITY_ASSIGN_OR_RETURN(std::vector<double> predictions, Predict(chosen));
    for (size_t i = 0; i < chosen.size(); ++i) {
      Counterfactual cf;
      cf.values.assign(chosen[i].begin(), chosen[i].end());
      for (size_t j = 0; j < x_.size(); ++j) {
        if (SameValue(chosen[i][j], x_[j])) continue;
        cf.changes.push_back(
            {s_.rows.names[j], s_.rows.Text(j, x_[j]), s_.rows.Text(j, chosen[i][j])});
      }
      cf.distance = Distance(s_, chosen[i].data(), x_.data());
      cf.prediction = predictions[i];
      cf.valid = Desired(s_, predictions[i]);
      set.counterfactuals.push_back(std::move(cf));
    }
    std::stable_sort(
        set.counterfactuals.begin(), set.counterfactuals.end(),
        [](const Counterfactual& a, const Counterfactual& b) { return a.distance < b.distance; });
    double total = 0;
    double pairs = 0;
    for (size_t a = 0; a < chosen.size(); ++a) {
      for (size_t b = a + 1; b < chosen.size(); ++b) {
        total += Distance(s_, set.counterfactuals[a].values.data(),
                          set.counterfactuals[b].values.data());
        pairs += 1;
      }
    }
    set.diversity = pairs > 0 ? total / pairs : 0;
    return OkStatus();
  }

  const Setup& s_;
  Values x_;
  Rng rng_;
  RowSearch* out_;
  std::vector<Archived> archive_;
  std::set<std::vector<uint64_t>> archived_;
};

Status CheckOptions(const InputFrame& training, const CounterfactualOptions& o) {
  auto bad = [](const std::string& what, const std::string& expected) {
    return InvalidArgumentError("counterfactuals: " + what).Expecting(expected);
  };
  if (o.count < 1 || o.count > kMaxCount) {
    return bad("count is " + std::to_string(o.count), "1 ≤ count ≤ " + std::to_string(kMaxCount));
  }
  if (o.population < 2 || o.population > kMaxPopulation) {
    return bad("population is " + std::to_string(o.population),
               "2 ≤ population ≤ " + std::to_string(kMaxPopulation));
  }
  if (o.generations < 1 || o.generations > kMaxGenerations) {
    return bad("generations is " + std::to_string(o.generations),
               "1 ≤ generations ≤ " + std::to_string(kMaxGenerations));
  }
  if (!std::isfinite(o.threshold))
    return bad("the threshold is not a number", "a finite threshold");
  if (training.rows == 0) {
    return bad("the training data has no rows", "training rows to draw candidate values from");
  }
  auto index_of = [&](const std::string& name) {
    return std::find(training.names.begin(), training.names.end(), name) - training.names.begin();
  };
  const auto width = static_cast<ptrdiff_t>(training.width());
  for (const std::string& name : o.immutable) {
    if (index_of(name) == width) {
      return bad("unknown immutable input \"" + name + "\"", "one of the model's inputs");
    }
  }
  for (const auto& [name, range] : o.ranges) {
    const ptrdiff_t j = index_of(name);
    if (j == width)
      return bad("unknown ranged input \"" + name + "\"", "one of the model's inputs");
    if (training.is_string[static_cast<size_t>(j)]) {
      return bad("input \"" + name + "\" is text; ranges apply to numeric inputs",
                 "ranges for numeric inputs only");
    }
    if (!(range.first <= range.second)) {
      return bad("the range of \"" + name + "\" has min " + std::to_string(range.first) +
                     " > max " + std::to_string(range.second),
                 "min ≤ max");
    }
  }
  return OkStatus();
}

}  // namespace

Result<CounterfactualResult> Counterfactuals(const Model& model, const InputFrame& training,
                                             const InputFrame& rows,
                                             const CounterfactualOptions& options) {
  PROBITY_RETURN_IF_ERROR(CheckOptions(training, options));
  Setup s;
  s.model = &model;
  s.training = &training;
  s.options = options;
  PROBITY_ASSIGN_OR_RETURN(s.rows, internal::AlignFrame(training, rows, "the rows explained"));
  const size_t width = training.width();
  s.values.resize(width);
  s.scale.assign(width, 1);
  for (size_t j = 0; j < width; ++j) {
    std::vector<double> present;
    for (int64_t r = 0; r < training.rows; ++r) {
      if (!std::isnan(training.at(r, j))) present.push_back(training.at(r, j));
    }
    if (present.empty()) continue;
    if (!training.is_string[j]) {
      // Median absolute deviation; 1 when it is 0, as DiCE.
      const double median = Median(present);
      std::vector<double> deviations;
      for (double v : present) deviations.push_back(std::abs(v - median));
      const double mad = Median(deviations);
      s.scale[j] = mad > 0 ? mad : 1;
      auto range = options.ranges.find(training.names[j]);
      if (range != options.ranges.end()) {
        std::erase_if(
            present, [&](double v) { return v < range->second.first || v > range->second.second; });
      }
    }
    const bool frozen = std::find(options.immutable.begin(), options.immutable.end(),
                                  training.names[j]) != options.immutable.end();
    s.values[j] = std::move(present);
    if (!frozen && !s.values[j].empty()) s.mutable_inputs.push_back(j);
  }

  CounterfactualResult result;
  result.seed = options.seed;
  PROBITY_ASSIGN_OR_RETURN(Buffer<double> predictions,
                           ScoreRows(model, s.rows, s.rows.values, s.rows.rows, options.space,
                                     &result.model_evaluations));
  if (s.rows.rows == 0) return result;
  const size_t outputs = predictions.size() / static_cast<size_t>(s.rows.rows);
  if (options.output >= outputs) {
    const std::vector<std::string> names =
        ExplainedOutputNames(model.info(), static_cast<int>(outputs));
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    return InvalidArgumentError("counterfactuals: output index " + std::to_string(options.output) +
                                " is out of range")
        .Expecting("an index below " + std::to_string(outputs) + " (" + list + ")");
  }

  std::vector<RowSearch> searches(static_cast<size_t>(s.rows.rows));
#pragma omp parallel for schedule(dynamic, 1) num_threads(internal::ThreadCount(options.threads))
  for (int64_t r = 0; r < s.rows.rows; ++r) {
    RowSearch& out = searches[static_cast<size_t>(r)];
    out.set.row = r;
    out.set.prediction = predictions[static_cast<size_t>(r) * outputs + options.output];
    out.set.already_desired = Desired(s, out.set.prediction);
    if (out.set.already_desired || s.mutable_inputs.empty()) continue;
    RowSearcher searcher(s, r, &out);
    out.status = searcher.Run();
  }
  for (RowSearch& search : searches) {
    PROBITY_RETURN_IF_ERROR(search.status);
    result.model_evaluations += search.evaluations;
    result.sets.push_back(std::move(search.set));
  }
  return result;
}

}  // namespace probity::explain
