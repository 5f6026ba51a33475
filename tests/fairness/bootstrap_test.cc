// The contingency-table bootstrap: determinism, reproduction of replicates from the documented
// recipe, agreement with Wilson on a large sample, the cell jackknife against a row-level
// jackknife, stratification, undefined replicates, and numpy's quantile.
#include "fairness/bootstrap.h"

#include <gtest/gtest.h>

#include <boost/random/binomial_distribution.hpp>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "fairness/intervals.h"
#include "tests/fairness/stats_cases.h"

namespace probity::fairness {
namespace {

using testing::Close;
using testing::StatsCases;

// The rate counts[0] / (counts[0] + counts[1]); undefined on an empty table.
std::vector<std::optional<double>> Rate(std::span<const double> counts) {
  const double n = counts[0] + counts[1];
  if (n == 0) return {std::nullopt};
  return {counts[0] / n};
}

// A 2-group × (selected, not) table [s_a, r_a, s_b, r_b]: the selection-rate difference and
// ratio, each undefined when a group is empty (the ratio also when b selects nobody).
std::vector<std::optional<double>> RateDifferenceAndRatio(std::span<const double> c) {
  const double na = c[0] + c[1];
  const double nb = c[2] + c[3];
  if (na == 0 || nb == 0) return {std::nullopt, std::nullopt};
  const double pa = c[0] / na;
  const double pb = c[2] / nb;
  return {pa - pb, pb == 0 ? std::nullopt : std::optional<double>(pa / pb)};
}

bool SameBits(double x, double y) { return std::memcmp(&x, &y, sizeof x) == 0; }

bool SameInterval(const std::optional<Interval>& x, const std::optional<Interval>& y) {
  if (x.has_value() != y.has_value()) return false;
  return !x || (SameBits(x->lower, y->lower) && SameBits(x->upper, y->upper) &&
                x->note == y->note && x->method == y->method);
}

// Every table the statistic was called with, in order.
struct Recorder {
  std::vector<std::vector<double>> tables;
  CellStatistic Wrap(CellStatistic inner) {
    return [this, inner](std::span<const double> counts) {
      tables.emplace_back(counts.begin(), counts.end());
      return inner(counts);
    };
  }
};

const std::vector<double> kTwoGroups = {30, 70, 12, 68};

TEST(BootstrapCellsTest, SameSeedIsBitIdentical) {
  const BootstrapOptions options{.replicates = 500, .seed = 42};
  Recorder first_tables, second_tables;
  const BootstrapResult first =
      BootstrapCells(kTwoGroups, {}, first_tables.Wrap(RateDifferenceAndRatio), options);
  const BootstrapResult second =
      BootstrapCells(kTwoGroups, {}, second_tables.Wrap(RateDifferenceAndRatio), options);
  ASSERT_EQ(first.intervals.size(), 2u);
  EXPECT_EQ(first_tables.tables, second_tables.tables);
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_TRUE(SameInterval(first.intervals[k].percentile, second.intervals[k].percentile));
    EXPECT_TRUE(SameInterval(first.intervals[k].bca, second.intervals[k].bca));
    EXPECT_TRUE(first.intervals[k].percentile.has_value());
    EXPECT_TRUE(first.intervals[k].bca.has_value());
  }
  EXPECT_EQ(first.replicates, 500);
  EXPECT_EQ(first.seed, 42u);
  EXPECT_FALSE(first.stratified);

  Recorder other_tables;
  const BootstrapResult other = BootstrapCells(
      kTwoGroups, {}, other_tables.Wrap(RateDifferenceAndRatio), {.replicates = 500, .seed = 43});
  EXPECT_NE(first_tables.tables, other_tables.tables);
  EXPECT_FALSE(SameInterval(first.intervals[0].percentile, other.intervals[0].percentile));
}

TEST(BootstrapCellsTest, RngStringNamesTheRecipe) {
  const BootstrapResult result = BootstrapCells(kTwoGroups, {}, Rate, {.replicates = 10});
  EXPECT_EQ(result.rng,
            "std::mt19937_64 seeded per replicate with splitmix64(seed + (replicate + 1) * "
            "0x9E3779B97F4A7C15); multinomial as conditional "
            "boost::random::binomial_distribution<int64_t, double> draws in category order "
            "(Boost 1.74; inversion when floor((t + 1) * min(p, 1 - p)) < 11, else BTRD)");
}

TEST(BootstrapCellsTest, AuditorReproducesEveryReplicate) {
  // The recipe of bootstrap.h, written out again: replicate b is the chain of conditional
  // binomials on std::mt19937_64(ReplicateSeed(seed, b)). Category 2 is empty (no draw).
  const std::vector<double> counts = {5, 17, 0, 3, 40};
  const uint64_t seed = 2026;
  const int replicates = 50;
  Recorder recorder;
  BootstrapCells(counts, {}, recorder.Wrap(Rate), {.replicates = replicates, .seed = seed});
  ASSERT_GE(recorder.tables.size(), 1u + replicates);
  for (int b = 0; b < replicates; ++b) {
    std::mt19937_64 engine(ReplicateSeed(seed, static_cast<uint64_t>(b)));
    int64_t rows_left = 65;
    int64_t mass_left = 65;
    std::vector<double> expected;
    for (double count : counts) {
      const auto c = static_cast<int64_t>(count);
      int64_t drawn = 0;
      if (c == mass_left) {
        drawn = rows_left;
      } else if (c > 0 && rows_left > 0) {
        drawn = boost::random::binomial_distribution<int64_t, double>(
            rows_left, static_cast<double>(c) / static_cast<double>(mass_left))(engine);
      }
      rows_left -= drawn;
      mass_left -= c;
      expected.push_back(static_cast<double>(drawn));
    }
    EXPECT_EQ(recorder.tables[1 + b], expected) << "replicate " << b;
  }
}

TEST(BootstrapCellsTest, ReplicatesHaveMultinomialMoments) {
  // Row resampling gives Multinomial(N, n/N) tables: E X_c = N p_c, Var X_c = N p_c (1 − p_c),
  // Cov(X_c, X_d) = −N p_c p_d. Checked on 20,000 replicates within 4.5 standard errors.
  const std::vector<double> counts = {5, 17, 0, 3, 40};
  const double n = 65;
  const int replicates = 20000;
  Recorder recorder;
  BootstrapCells(counts, {}, recorder.Wrap(Rate), {.replicates = replicates, .seed = 77});
  std::vector<double> mean(counts.size(), 0.0);
  std::vector<double> square(counts.size(), 0.0);
  double cross = 0;  // Σ X_1 X_4
  for (int b = 0; b < replicates; ++b) {
    const std::vector<double>& table = recorder.tables[1 + b];
    EXPECT_EQ(std::accumulate(table.begin(), table.end(), 0.0), n);
    for (size_t c = 0; c < counts.size(); ++c) {
      mean[c] += table[c] / replicates;
      square[c] += table[c] * table[c] / replicates;
    }
    cross += table[1] * table[4] / replicates;
  }
  for (size_t c = 0; c < counts.size(); ++c) {
    const double p = counts[c] / n;
    const double variance = n * p * (1 - p);
    EXPECT_NEAR(mean[c], n * p, 4.5 * std::sqrt(variance / replicates) + 1e-12) << c;
    const double sample_variance = square[c] - mean[c] * mean[c];
    EXPECT_NEAR(sample_variance, variance, 4.5 * variance * std::sqrt(2.0 / replicates) + 1e-12)
        << c;
  }
  const double p1 = counts[1] / n;
  const double p4 = counts[4] / n;
  const double covariance = cross - mean[1] * mean[4];
  const double scale = std::sqrt(n * p1 * (1 - p1) * n * p4 * (1 - p4));
  EXPECT_NEAR(covariance, -n * p1 * p4, 4.5 * scale * std::sqrt(2.0 / replicates));
}

TEST(ReplicateSeedTest, IsSplitMix64) {
  // SplitMix64 seeded with 0: the first outputs of Vigna's reference splitmix64.c.
  EXPECT_EQ(ReplicateSeed(0, 0), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(ReplicateSeed(0, 1), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(ReplicateSeed(0, 2), 0x06C45D188009454FULL);
}

TEST(BootstrapCellsTest, PercentileAgreesWithWilsonOnALargeSample) {
  const std::vector<double> counts = {3000, 7000};
  const BootstrapResult result =
      BootstrapCells(counts, {}, Rate, {.replicates = 4000, .seed = 11, .confidence = 0.95});
  ASSERT_EQ(result.intervals.size(), 1u);
  const std::optional<Interval> percentile = result.intervals[0].percentile;
  const std::optional<Interval> wilson = WilsonInterval(3000, 10000, 0.95);
  ASSERT_TRUE(percentile && wilson);
  EXPECT_NEAR(percentile->lower, wilson->lower, 0.01);
  EXPECT_NEAR(percentile->upper, wilson->upper, 0.01);
  EXPECT_EQ(percentile->method, "bootstrap-percentile");
  EXPECT_EQ(percentile->confidence, 0.95);
  EXPECT_TRUE(percentile->note.empty());
  ASSERT_TRUE(result.intervals[0].bca.has_value());
  EXPECT_EQ(result.intervals[0].bca->method, "bootstrap-bca");
  EXPECT_NEAR(result.intervals[0].bca->lower, wilson->lower, 0.01);
  EXPECT_NEAR(result.intervals[0].bca->upper, wilson->upper, 0.01);
}

// The row-level jackknife, by brute force: expand the table into rows, leave each row out,
// rebuild the table, and apply Efron's formula over the N leave-one-out values.
std::vector<double> RowJackknifeAcceleration(const std::vector<double>& counts,
                                             const CellStatistic& statistic) {
  std::vector<size_t> rows;
  for (size_t c = 0; c < counts.size(); ++c) {
    for (int i = 0; i < static_cast<int>(counts[c]); ++i) rows.push_back(c);
  }
  const size_t statistics = statistic(counts).size();
  std::vector<std::vector<double>> values(statistics);
  for (size_t left_out = 0; left_out < rows.size(); ++left_out) {
    std::vector<double> table(counts.size(), 0.0);
    for (size_t r = 0; r < rows.size(); ++r) {
      if (r != left_out) table[rows[r]] += 1;
    }
    const auto v = statistic(table);
    for (size_t k = 0; k < statistics; ++k) values[k].push_back(v[k].value());
  }
  std::vector<double> acceleration;
  for (const std::vector<double>& theta : values) {
    const double mean = std::accumulate(theta.begin(), theta.end(), 0.0) / theta.size();
    double squares = 0, cubes = 0;
    for (double t : theta) {
      squares += (mean - t) * (mean - t);
      cubes += (mean - t) * (mean - t) * (mean - t);
    }
    acceleration.push_back(cubes / (6 * std::pow(squares, 1.5)));
  }
  return acceleration;
}

TEST(CellJackknifeAccelerationTest, EqualsRowLevelJackknife) {
  const std::vector<double> counts = {7, 3, 2, 9};
  const std::vector<std::optional<double>> cell =
      CellJackknifeAcceleration(counts, RateDifferenceAndRatio);
  const std::vector<double> row = RowJackknifeAcceleration(counts, RateDifferenceAndRatio);
  ASSERT_EQ(cell.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    ASSERT_TRUE(cell[k].has_value());
    EXPECT_NE(*cell[k], 0.0);
    EXPECT_TRUE(Close(*cell[k], row[k], 1e-10, 1e-14)) << "statistic " << k;
  }
}

TEST(CellJackknifeAccelerationTest, UndefinedOrConstant) {
  // Leaving out group b's only selected row makes the ratio undefined.
  const std::vector<double> counts = {7, 3, 1, 9};
  const auto acceleration = CellJackknifeAcceleration(counts, RateDifferenceAndRatio);
  ASSERT_EQ(acceleration.size(), 2u);
  EXPECT_TRUE(acceleration[0].has_value());
  EXPECT_FALSE(acceleration[1].has_value());
  const auto constant = CellJackknifeAcceleration(
      counts, [](std::span<const double>) { return std::vector<std::optional<double>>{1.0}; });
  EXPECT_EQ(constant, std::vector<std::optional<double>>{0.0});
  EXPECT_TRUE(CellJackknifeAcceleration(std::vector<double>{-1, 2}, Rate).empty());
}

TEST(BootstrapCellsTest, StratifiedDrawsKeepStratumTotals) {
  // Two strata (groups) of 3 categories each; the statistic reports the stratum totals.
  const std::vector<double> counts = {4, 0, 11, 20, 2, 1};
  const std::vector<int> strata = {7, 7, 7, -3, -3, -3};
  auto totals = [](std::span<const double> c) {
    return std::vector<std::optional<double>>{c[0] + c[1] + c[2], c[3] + c[4] + c[5]};
  };
  const int replicates = 300;
  Recorder recorder;
  const BootstrapResult result =
      BootstrapCells(counts, strata, recorder.Wrap(totals),
                     {.replicates = replicates, .seed = 5, .stratified = true});
  EXPECT_TRUE(result.stratified);
  // Calls: the table itself, every replicate, one jackknife table per non-empty category.
  ASSERT_EQ(recorder.tables.size(), 1u + replicates + 5u);
  int exact_totals = 0;
  bool varied = false;
  for (const std::vector<double>& table : recorder.tables) {
    const auto t = totals(table);
    if (*t[0] == 15 && *t[1] == 23) ++exact_totals;
    varied = varied || table[0] != 4;
  }
  EXPECT_EQ(exact_totals, 1 + replicates);  // the jackknife tables have one row fewer
  EXPECT_TRUE(varied);
  ASSERT_EQ(result.intervals.size(), 2u);
  EXPECT_EQ(result.intervals[0].percentile->lower, 15);
  EXPECT_EQ(result.intervals[0].percentile->upper, 15);
  EXPECT_FALSE(result.intervals[0].bca.has_value());  // every replicate equal

  // Without stratification the group totals vary.
  Recorder free_recorder;
  BootstrapCells(counts, strata, free_recorder.Wrap(totals), {.replicates = replicates, .seed = 5});
  int free_exact = 0;
  for (const std::vector<double>& table : free_recorder.tables) {
    if (table[0] + table[1] + table[2] == 15) ++free_exact;
  }
  EXPECT_LT(free_exact, replicates / 2);
}

TEST(BootstrapCellsTest, CountsUndefinedReplicates) {
  // One selected row in 100: the rate's numerator is 0 in about 37% of replicates, where
  // the statistic below is undefined.
  const std::vector<double> counts = {1, 99};
  auto log_rate = [](std::span<const double> c) -> std::vector<std::optional<double>> {
    if (c[0] == 0) return {std::nullopt};
    return {std::log(c[0] / (c[0] + c[1]))};
  };
  const int replicates = 1000;
  Recorder recorder;
  const BootstrapResult result =
      BootstrapCells(counts, {}, recorder.Wrap(log_rate), {.replicates = replicates, .seed = 9});
  int expected_undefined = 0;
  for (int b = 0; b < replicates; ++b) expected_undefined += recorder.tables[1 + b][0] == 0;
  EXPECT_GT(expected_undefined, 250);
  EXPECT_LT(expected_undefined, 500);
  EXPECT_EQ(result.intervals[0].undefined_replicates, expected_undefined);
  ASSERT_TRUE(result.intervals[0].percentile.has_value());
  EXPECT_EQ(result.intervals[0].percentile->note,
            std::to_string(expected_undefined) + " of 1000 replicates undefined and left out");
  // Leaving out the one selected row makes the statistic undefined: no jackknife, no BCa.
  EXPECT_FALSE(result.intervals[0].bca.has_value());
}

TEST(BootstrapCellsTest, UndefinedEstimateHasNoBca) {
  const std::vector<double> counts = {0, 0, 12, 68};  // group a empty
  const BootstrapResult result =
      BootstrapCells(counts, {}, RateDifferenceAndRatio, {.replicates = 100, .seed = 1});
  ASSERT_EQ(result.intervals.size(), 2u);
  EXPECT_EQ(result.intervals[0].undefined_replicates, 100);
  EXPECT_FALSE(result.intervals[0].percentile.has_value());
  EXPECT_FALSE(result.intervals[0].bca.has_value());
}

TEST(BootstrapCellsTest, RoundsCountsAndRejectsInvalidInput) {
  Recorder recorder;
  BootstrapCells(std::vector<double>{2.4, 2.5, 3.5}, {}, recorder.Wrap(Rate), {.replicates = 0});
  ASSERT_FALSE(recorder.tables.empty());
  EXPECT_EQ(recorder.tables[0], (std::vector<double>{2, 2, 4}));  // halves to even

  int calls = 0;
  auto counting = [&](std::span<const double> c) {
    ++calls;
    return Rate(c);
  };
  for (const std::vector<double>& bad :
       {std::vector<double>{-1, 3}, std::vector<double>{NAN, 3}, std::vector<double>{1e300, 3}}) {
    const BootstrapResult result = BootstrapCells(bad, {}, counting, {.replicates = 10});
    EXPECT_EQ(result.replicates, 0);
    EXPECT_TRUE(result.intervals.empty());
  }
  const std::vector<double> ok = {3, 4};
  EXPECT_TRUE(BootstrapCells(ok, std::vector<int>{1}, counting, {.stratified = true})
                  .intervals.empty());  // strata of the wrong size
  EXPECT_TRUE(BootstrapCells(ok, {}, counting, {.confidence = 1.0}).intervals.empty());
  const std::vector<double> too_many((size_t{1} << 20) + 1, 1.0);
  EXPECT_TRUE(BootstrapCells(too_many, {}, counting, {}).intervals.empty());
  EXPECT_EQ(calls, 0);

  // Replicates are clamped to [0, 1,000,000].
  EXPECT_EQ(BootstrapCells(ok, {}, Rate, {.replicates = -5}).replicates, 0);
  const BootstrapResult one = BootstrapCells(ok, {}, Rate, {.replicates = 1});
  EXPECT_EQ(one.replicates, 1);
  EXPECT_FALSE(one.intervals[0].percentile.has_value());  // fewer than 2 replicates
}

TEST(BootstrapCellsTest, ThousandReplicatesOnFortyCategories) {
  // 20 groups × (selected, not selected); the statistic is the max − min selection rate.
  std::vector<double> counts;
  for (int g = 0; g < 20; ++g) {
    counts.push_back(10 + 3 * g);
    counts.push_back(200 - 5 * g);
  }
  auto spread = [](std::span<const double> c) -> std::vector<std::optional<double>> {
    double low = 1, high = 0;
    for (size_t g = 0; g + 1 < c.size(); g += 2) {
      if (c[g] + c[g + 1] == 0) return {std::nullopt};
      const double rate = c[g] / (c[g] + c[g + 1]);
      low = std::min(low, rate);
      high = std::max(high, rate);
    }
    return {high - low};
  };
  const BootstrapResult result =
      BootstrapCells(counts, {}, spread, {.replicates = 1000, .seed = 3});
  EXPECT_EQ(result.replicates, 1000);
  ASSERT_EQ(result.intervals.size(), 1u);
  ASSERT_TRUE(result.intervals[0].percentile.has_value());
  ASSERT_TRUE(result.intervals[0].bca.has_value());
  EXPECT_LT(result.intervals[0].percentile->lower, result.intervals[0].percentile->upper);
}

TEST(LinearQuantileTest, MatchesNumpy) {
  int checked = 0;
  for (const auto& c : StatsCases()["quantile"]) {
    const auto sorted = c["sorted"].get<std::vector<double>>();
    const auto q = c["q"].get<std::vector<double>>();
    const auto value = c["value"].get<std::vector<double>>();
    for (size_t i = 0; i < q.size(); ++i) {
      EXPECT_TRUE(Close(LinearQuantile(sorted, q[i]), value[i], 1e-15))
          << c.dump() << " q=" << q[i];
      ++checked;
    }
  }
  EXPECT_GE(checked, 80);
}

TEST(LinearQuantileTest, Edges) {
  const std::vector<double> values = {1, 2, 4};
  EXPECT_EQ(LinearQuantile(values, 0.25), 1.5);  // h = 0.5
  EXPECT_EQ(LinearQuantile(values, 0.75), 3.0);  // h = 1.5
  EXPECT_EQ(LinearQuantile(values, 1.0), 4.0);
  EXPECT_EQ(LinearQuantile(values, 2.0), 4.0);  // clamped
  EXPECT_TRUE(std::isnan(LinearQuantile(std::vector<double>{}, 0.5)));
  const std::vector<double> infinite = {1, INFINITY};
  EXPECT_EQ(LinearQuantile(infinite, 0.5), INFINITY);
  EXPECT_EQ(LinearQuantile(infinite, 0.0), 1.0);
}

}  // namespace
}  // namespace probity::fairness
