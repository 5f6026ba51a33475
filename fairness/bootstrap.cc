#include "fairness/bootstrap.h"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/binomial_distribution.hpp>
#include <boost/version.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>

#include "fairness/internal/math_policy.h"
#include "fairness/intervals.h"

namespace probity::fairness {
namespace {

constexpr int kMaxReplicates = 1'000'000;
constexpr size_t kMaxCategories = size_t{1} << 20;
constexpr double kMaxTotal = 0x1p53;  // integers above this are not exact in a double

std::string RngDescription() {
  return "std::mt19937_64 seeded per replicate with splitmix64(seed + (replicate + 1) * "
         "0x9E3779B97F4A7C15); multinomial as conditional boost::random::binomial_distribution"
         "<int64_t, double> draws in category order (Boost " +
         std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) +
         "; inversion when floor((t + 1) * min(p, 1 - p)) < 11, else BTRD)";
}

// The rounded table, one stratum index per category (all 0 when not stratified), and the
// number of strata; nullopt when the input is invalid (see bootstrap.h).
struct Table {
  std::vector<int64_t> counts;
  std::vector<size_t> stratum;
  size_t strata = 1;
};

std::optional<Table> PrepareTable(std::span<const double> counts, std::span<const int> strata,
                                  const BootstrapOptions& options) {
  if (counts.size() > kMaxCategories || !(options.confidence > 0 && options.confidence < 1)) {
    return std::nullopt;
  }
  if (options.stratified && strata.size() != counts.size()) return std::nullopt;
  Table table;
  double total = 0;
  for (double count : counts) {
    if (!std::isfinite(count) || count < 0 || count > kMaxTotal) return std::nullopt;
    const double rounded = std::nearbyint(count);
    total += rounded;
    table.counts.push_back(static_cast<int64_t>(rounded));
  }
  if (total > kMaxTotal) return std::nullopt;
  table.stratum.assign(counts.size(), 0);
  if (options.stratified) {
    // Dense stratum indices in increasing order of the stratum labels.
    std::vector<int> labels(strata.begin(), strata.end());
    std::sort(labels.begin(), labels.end());
    labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
    for (size_t c = 0; c < strata.size(); ++c) {
      table.stratum[c] = static_cast<size_t>(
          std::lower_bound(labels.begin(), labels.end(), strata[c]) - labels.begin());
    }
    table.strata = std::max<size_t>(labels.size(), 1);
  }
  return table;
}

std::vector<double> AsDoubles(const std::vector<int64_t>& counts) {
  return std::vector<double>(counts.begin(), counts.end());
}

// Draws one replicate table into `out`: per stratum, the chain of conditional binomials
// that is a Multinomial(stratum total, stratum counts / stratum total) draw.
class ReplicateDrawer {
 public:
  explicit ReplicateDrawer(const Table& table)
      : table_(table),
        initial_(table.strata, 0),
        remaining_rows_(table.strata),
        remaining_mass_(table.strata) {
    for (size_t c = 0; c < table.counts.size(); ++c) initial_[table.stratum[c]] += table.counts[c];
  }

  void Draw(uint64_t seed, int replicate, std::vector<double>& out) {
    std::mt19937_64 engine(ReplicateSeed(seed, static_cast<uint64_t>(replicate)));
    remaining_rows_ = initial_;
    remaining_mass_ = initial_;
    out.assign(table_.counts.size(), 0.0);
    for (size_t c = 0; c < table_.counts.size(); ++c) {
      const int64_t count = table_.counts[c];
      const size_t s = table_.stratum[c];
      if (count == 0) continue;
      int64_t drawn = 0;
      if (count == remaining_mass_[s]) {
        drawn = remaining_rows_[s];  // the last non-empty category takes what is left
      } else if (remaining_rows_[s] > 0) {
        const double q = static_cast<double>(count) / static_cast<double>(remaining_mass_[s]);
        drawn =
            boost::random::binomial_distribution<int64_t, double>(remaining_rows_[s], q)(engine);
      }
      remaining_rows_[s] -= drawn;
      remaining_mass_[s] -= count;
      out[c] = static_cast<double>(drawn);
    }
  }

 private:
  const Table& table_;
  std::vector<int64_t> initial_;
  std::vector<int64_t> remaining_rows_;
  std::vector<int64_t> remaining_mass_;
};

// Leave-one-row-out values per category with a row: values[k][c] for statistic k.
struct CellJackknife {
  std::vector<std::vector<std::optional<double>>> values;  // [statistic][category]
  std::vector<double> weights;                             // counts of those categories
};

std::vector<std::optional<double>> AccelerationFromJackknife(const CellJackknife& jackknife,
                                                             size_t statistics) {
  std::vector<std::optional<double>> acceleration(statistics);
  double rows = 0;
  for (double w : jackknife.weights) rows += w;
  if (rows == 0) return acceleration;
  for (size_t k = 0; k < statistics; ++k) {
    const std::vector<std::optional<double>>& values = jackknife.values[k];
    double mean = 0;
    bool defined = true;
    for (size_t j = 0; j < values.size() && defined; ++j) {
      defined = values[j].has_value() && std::isfinite(*values[j]);
      if (defined) mean += jackknife.weights[j] * *values[j];
    }
    if (!defined) continue;
    mean /= rows;
    double squares = 0;
    double cubes = 0;
    for (size_t j = 0; j < values.size(); ++j) {
      const double deviation = mean - *values[j];
      squares += jackknife.weights[j] * deviation * deviation;
      cubes += jackknife.weights[j] * deviation * deviation * deviation;
    }
    acceleration[k] = squares == 0 ? 0.0 : cubes / (6 * std::pow(squares, 1.5));
  }
  return acceleration;
}

std::vector<std::optional<double>> Acceleration(const Table& table, size_t statistics,
                                                const CellStatistic& statistic) {
  CellJackknife jackknife;
  jackknife.values.resize(statistics);
  std::vector<double> cells = AsDoubles(table.counts);
  for (size_t c = 0; c < cells.size(); ++c) {
    if (table.counts[c] == 0) continue;
    cells[c] -= 1;
    std::vector<std::optional<double>> values = statistic(cells);
    cells[c] += 1;
    values.resize(statistics);
    for (size_t k = 0; k < statistics; ++k) jackknife.values[k].push_back(values[k]);
    jackknife.weights.push_back(static_cast<double>(table.counts[c]));
  }
  return AccelerationFromJackknife(jackknife, statistics);
}

double NormalCdf(double z) {
  return boost::math::cdf(boost::math::normal_distribution<double, internal::MathPolicy>(), z);
}
double NormalQuantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double, internal::MathPolicy>(), p);
}

std::string UndefinedNote(int undefined, int replicates) {
  if (undefined == 0) return {};
  return std::to_string(undefined) + " of " + std::to_string(replicates) +
         " replicates undefined and left out";
}

Interval MakeInterval(double lower, double upper, double confidence, const char* method,
                      std::string note) {
  Interval interval;
  interval.lower = lower;
  interval.upper = upper;
  interval.confidence = confidence;
  interval.method = method;
  interval.note = std::move(note);
  return interval;
}

// BCa (Efron 1987) over the sorted defined replicates; nullopt when undefined (bootstrap.h).
std::optional<Interval> BcaInterval(const std::vector<double>& sorted,
                                    std::optional<double> estimate,
                                    std::optional<double> acceleration, double confidence,
                                    std::string note) {
  if (sorted.size() < 2 || !estimate || !std::isfinite(*estimate) || !acceleration) {
    return std::nullopt;
  }
  if (sorted.front() == sorted.back()) return std::nullopt;
  const auto below = std::lower_bound(sorted.begin(), sorted.end(), *estimate) - sorted.begin();
  const auto equal =
      std::upper_bound(sorted.begin(), sorted.end(), *estimate) - sorted.begin() - below;
  const double share = (static_cast<double>(below) + 0.5 * static_cast<double>(equal)) /
                       static_cast<double>(sorted.size());
  if (share <= 0 || share >= 1) return std::nullopt;
  const double z0 = NormalQuantile(share);
  const double z = NormalQuantileForConfidence(confidence);
  double bounds[2];
  const double tails[2] = {-z, z};
  for (int i = 0; i < 2; ++i) {
    const double shifted = z0 + tails[i];
    const double denominator = 1 - *acceleration * shifted;
    if (!(denominator > 0)) return std::nullopt;
    bounds[i] = LinearQuantile(sorted, NormalCdf(z0 + shifted / denominator));
  }
  if (std::isnan(bounds[0]) || std::isnan(bounds[1])) return std::nullopt;
  return MakeInterval(bounds[0], bounds[1], confidence, "bootstrap-bca", std::move(note));
}

}  // namespace

uint64_t ReplicateSeed(uint64_t seed, uint64_t replicate) {
  uint64_t z = seed + (replicate + 1) * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double LinearQuantile(std::span<const double> sorted, double q) {
  if (sorted.empty() || std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  q = std::clamp(q, 0.0, 1.0);
  const double index = static_cast<double>(sorted.size() - 1) * q;
  const double previous = std::floor(index);
  if (previous >= static_cast<double>(sorted.size() - 1)) return sorted.back();
  const auto i = static_cast<size_t>(previous);
  const double a = sorted[i];
  const double b = sorted[i + 1];
  const double gamma = index - previous;
  if (a == b || gamma == 0) return a;
  if (std::isinf(a)) return a;  // the limit of the interpolation towards an infinite end
  if (std::isinf(b)) return b;
  // numpy's _lerp: from the nearer end, so the result is monotone and exact at the ends.
  const double difference = b - a;
  return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma;
}

std::vector<std::optional<double>> CellJackknifeAcceleration(std::span<const double> counts,
                                                             const CellStatistic& statistic) {
  const std::optional<Table> table = PrepareTable(counts, {}, BootstrapOptions{});
  if (!table) return {};
  const size_t statistics = statistic(AsDoubles(table->counts)).size();
  return Acceleration(*table, statistics, statistic);
}

BootstrapResult BootstrapCells(std::span<const double> counts, std::span<const int> strata,
                               const CellStatistic& statistic, const BootstrapOptions& options) {
  BootstrapResult result;
  result.seed = options.seed;
  result.stratified = options.stratified;
  result.rng = RngDescription();
  const std::optional<Table> table = PrepareTable(counts, strata, options);
  if (!table) return result;
  result.replicates = std::clamp(options.replicates, 0, kMaxReplicates);

  const std::vector<std::optional<double>> estimate = statistic(AsDoubles(table->counts));
  const size_t statistics = estimate.size();
  std::vector<std::vector<double>> values(statistics);
  result.intervals.resize(statistics);

  ReplicateDrawer drawer(*table);
  std::vector<double> replicate;
  for (int b = 0; b < result.replicates; ++b) {
    drawer.Draw(options.seed, b, replicate);
    const std::vector<std::optional<double>> drawn = statistic(replicate);
    for (size_t k = 0; k < statistics; ++k) {
      if (k < drawn.size() && drawn[k] && !std::isnan(*drawn[k])) {
        values[k].push_back(*drawn[k]);
      } else {
        ++result.intervals[k].undefined_replicates;
      }
    }
  }

  const std::vector<std::optional<double>> acceleration =
      result.replicates >= 2 ? Acceleration(*table, statistics, statistic)
                             : std::vector<std::optional<double>>(statistics);
  const double tail = (1 - options.confidence) / 2;
  for (size_t k = 0; k < statistics; ++k) {
    std::vector<double>& sorted = values[k];
    if (sorted.size() < 2) continue;
    std::sort(sorted.begin(), sorted.end());
    BootstrapInterval& interval = result.intervals[k];
    const std::string note = UndefinedNote(interval.undefined_replicates, result.replicates);
    interval.percentile =
        MakeInterval(LinearQuantile(sorted, tail), LinearQuantile(sorted, 1 - tail),
                     options.confidence, "bootstrap-percentile", note);
    const std::optional<double> theta =
        estimate[k] && !std::isnan(*estimate[k]) ? estimate[k] : std::nullopt;
    interval.bca = BcaInterval(sorted, theta, acceleration[k], options.confidence, note);
  }
  return result;
}

}  // namespace probity::fairness
