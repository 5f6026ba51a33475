// The profile against a slow, obviously correct oracle: every statistic recomputed from
// the full data held in memory.
#include "audit/ingest/profile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "tests/testing/test_data.h"

namespace probity::ingest {
namespace {

double OracleQuantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  double position = q * static_cast<double>(v.size() - 1);
  auto lo = static_cast<size_t>(std::floor(position));
  auto hi = static_cast<size_t>(std::ceil(position));
  return v[lo] + (position - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

struct Generated {
  std::string csv;
  std::vector<double> small_ints;  // low cardinality: exact path
  std::vector<double> wide;        // high cardinality: sketch path
  std::vector<std::string> groups;
  int64_t small_nulls = 0;
  int64_t infinities = 0;
};

Generated Generate(int rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(50, 20);
  Generated g;
  g.csv = "small,wide,group\n";
  char buffer[64];
  for (int i = 0; i < rows; ++i) {
    std::string small;
    if (rng() % 50 == 0) {
      ++g.small_nulls;
    } else {
      int v = static_cast<int>(rng() % 90) + 10;
      g.small_ints.push_back(v);
      small = std::to_string(v);
    }
    std::string wide;
    if (rng() % 10000 == 0) {
      wide = "inf";
      ++g.infinities;
    } else {
      double v = normal(rng);
      std::snprintf(buffer, sizeof buffer, "%.6f", v);
      wide = buffer;
      g.wide.push_back(std::strtod(buffer, nullptr));
    }
    std::string group = std::string("g").append(std::to_string((rng() % 7) * (rng() % 3)));
    g.groups.push_back(group);
    g.csv += small + "," + wide + "," + group + "\n";
  }
  return g;
}

Result<DatasetProfile> Profile(const std::string& csv, ScanOptions options = {}) {
  MemoryFileSystem fs;
  fs.AddFile("gen.csv", csv);
  PROBITY_ASSIGN_OR_RETURN(auto reader, DatasetReader::Open(fs, "gen.csv", {}, options));
  return ProfileDataset(*reader);
}

TEST(ProfileTest, MatchesTheOracle) {
  Generated g = Generate(60000, 11);
  ScanOptions options;
  options.chunk_bytes = 64 << 10;
  Result<DatasetProfile> p = Profile(g.csv, options);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->scan.rows, 60000);
  ASSERT_EQ(p->columns.size(), 3u);

  const ColumnProfile& small = p->columns[0];
  EXPECT_EQ(small.field.type, DataType::kInt64);
  EXPECT_EQ(small.nulls, g.small_nulls);
  EXPECT_EQ(small.count, static_cast<int64_t>(g.small_ints.size()));
  EXPECT_EQ(small.distinct, static_cast<int64_t>(
                                std::set<double>(g.small_ints.begin(), g.small_ints.end()).size()));
  EXPECT_TRUE(small.distinct_exact);
  ASSERT_TRUE(small.numeric);
  EXPECT_TRUE(small.numeric->quantiles_exact);
  for (size_t k = 0; k < kProfileQuantiles.size(); ++k) {
    EXPECT_DOUBLE_EQ(small.numeric->quantiles[k],
                     OracleQuantile(g.small_ints, kProfileQuantiles[k]));
  }
  double sum = 0;
  for (double v : g.small_ints) sum += v;
  double mean = sum / static_cast<double>(g.small_ints.size());
  double m2 = 0;
  for (double v : g.small_ints) m2 += (v - mean) * (v - mean);
  EXPECT_NEAR(*small.numeric->mean, mean, 1e-12 * std::abs(mean));
  EXPECT_NEAR(*small.numeric->std, std::sqrt(m2 / static_cast<double>(g.small_ints.size() - 1)),
              1e-10);
  EXPECT_EQ(small.numeric->min, *std::min_element(g.small_ints.begin(), g.small_ints.end()));

  const ColumnProfile& wide = p->columns[1];
  EXPECT_EQ(wide.field.type, DataType::kFloat64);
  ASSERT_TRUE(wide.numeric);
  EXPECT_EQ(wide.numeric->infinities, g.infinities);
  EXPECT_EQ(wide.numeric->max, std::numeric_limits<double>::infinity());
  EXPECT_FALSE(wide.numeric->quantiles_exact);
  EXPECT_EQ(wide.numeric->quantile_relative_error, 0.001);
  for (size_t k = 0; k < kProfileQuantiles.size(); ++k) {
    double truth = OracleQuantile(g.wide, kProfileQuantiles[k]);
    EXPECT_LE(std::abs(wide.numeric->quantiles[k] - truth), 0.001 * std::abs(truth) + 1e-9) << k;
  }
  std::set<double> distinct(g.wide.begin(), g.wide.end());
  EXPECT_FALSE(wide.distinct_exact);
  double true_distinct = static_cast<double>(distinct.size()) + 1;  // + inf
  EXPECT_LT(std::abs(static_cast<double>(wide.distinct) - true_distinct) / true_distinct, 0.04);

  const ColumnProfile& group = p->columns[2];
  std::map<std::string, int64_t> counts;
  for (const std::string& s : g.groups) ++counts[s];
  EXPECT_EQ(group.distinct, static_cast<int64_t>(counts.size()));
  ASSERT_FALSE(group.top_values.empty());
  auto best = std::max_element(counts.begin(), counts.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  EXPECT_EQ(group.top_values[0].value, best->first);
  EXPECT_EQ(group.top_values[0].count, best->second);
  EXPECT_TRUE(group.top_values_exact);
}

TEST(ProfileTest, IdenticalOutputForAnyThreadCount) {
  Generated g = Generate(30000, 12);
  std::string reference;
  for (int threads : {1, 2, 5}) {
    ScanOptions options;
    options.threads = threads;
    options.chunk_bytes = 32 << 10;
    Result<DatasetProfile> p = Profile(g.csv, options);
    ASSERT_TRUE(p.has_value());
    std::string json = p->ToJson();
    if (reference.empty()) reference = json;
    EXPECT_EQ(json, reference) << threads << " threads";
  }
}

TEST(ProfileTest, JsonFollowsTheMachineOutputConventions) {
  Result<DatasetProfile> p = Profile("a,b,c\n1,x,\n,y,\n");
  ASSERT_TRUE(p.has_value());
  nlohmann::json j = nlohmann::json::parse(p->ToJson());
  EXPECT_EQ(j["schema"], "probity.data.profile/1");
  EXPECT_TRUE(j.contains("probity_version"));
  EXPECT_EQ(j["rows"], 2);
  EXPECT_EQ(j["columns"][0]["nulls"], 1);
  EXPECT_TRUE(j["columns"][0]["numeric"]["std"].is_null());
  EXPECT_EQ(j["columns"][0]["numeric"]["std_reason"], "fewer than two finite values");
  EXPECT_TRUE(j["columns"][1]["numeric"].is_null());
  EXPECT_EQ(j["columns"][1]["numeric_reason"], "not a numeric column");
  EXPECT_EQ(j["columns"][2]["count"], 0);
  EXPECT_EQ(j["source"]["digest"], Sha256Of("a,b,c\n1,x,\n,y,\n").ToString());
}

TEST(ProfileTest, WidenedColumnsAreReported) {
  ScanOptions options;
  options.sample_bytes = 4096;
  options.chunk_bytes = 2048;
  std::string csv = "v\n";
  for (int i = 0; i < 3000; ++i) csv += std::to_string(i % 10) + "\n";
  csv += "0.5\n";
  Result<DatasetProfile> p = Profile(csv, options);
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->columns[0].widened);
  EXPECT_EQ(p->columns[0].field.type, DataType::kFloat64);
  EXPECT_EQ(p->columns[0].distinct, 11);
  EXPECT_EQ(p->columns[0].numeric->min, 0.0);
}

TEST(ProfileTest, LargeIntegersStayDistinctAndPrintExactly) {
  std::string csv = "id\n";
  for (int i = 0; i < 100; ++i) csv += std::to_string(1234567890123456700LL + i) + "\n";
  csv += "1234567890123456700\n";
  Result<DatasetProfile> p = Profile(csv);
  ASSERT_TRUE(p.has_value());
  const ColumnProfile& id = p->columns[0];
  EXPECT_EQ(id.field.type, DataType::kInt64);
  EXPECT_EQ(id.distinct, 100);
  EXPECT_TRUE(id.distinct_exact);
  ASSERT_FALSE(id.top_values.empty());
  EXPECT_EQ(id.top_values[0].value, "1234567890123456700");
  EXPECT_EQ(id.top_values[0].count, 2);
}

TEST(ProfileTest, BothZerosAreOneValueAndPrintAsZero) {
  Result<DatasetProfile> p = Profile("v\n-0.0\n0.0\n");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->columns[0].distinct, 1);
  EXPECT_FALSE(std::signbit(p->columns[0].numeric->max));
  EXPECT_FALSE(std::signbit(p->columns[0].numeric->min));
}

TEST(FacetDetectionTest, NamesAndValues) {
  auto attr = [](const std::string& name, std::vector<std::string> values = {},
                 bool declared = false) {
    std::optional<FacetCandidate> c = DetectFacetCandidate(name, values, declared);
    return c ? c->attribute : std::string("-");
  };
  EXPECT_EQ(attr("sex"), "sex");
  EXPECT_EQ(attr("Gender"), "sex");
  EXPECT_EQ(attr("applicantRace"), "race/ethnicity");
  EXPECT_EQ(attr("age_cat"), "age");
  EXPECT_EQ(attr("percentage"), "-");  // "age" only as a whole token
  EXPECT_EQ(attr("mortgage"), "-");
  EXPECT_EQ(attr("native_country"), "national origin");
  EXPECT_EQ(attr("col7", {"Male", "Female"}), "sex");
  EXPECT_EQ(attr("col8", {"White", "Black", "Other"}), "race/ethnicity");
  EXPECT_EQ(attr("c_charge_degree", {"F", "M"}), "-");  // felony/misdemeanour, not sex
  EXPECT_EQ(attr("status", {"Married-civ-spouse", "Divorced", "Never-married"}), "marital status");
  EXPECT_EQ(attr("x", {}, true), "declared");
  std::optional<FacetCandidate> c = DetectFacetCandidate("sex", {"male", "female"}, true);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->evidence, (std::vector<std::string>{"schema role", "name", "values"}));
}

}  // namespace
}  // namespace probity::ingest
