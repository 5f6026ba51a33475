// FairnessStatistics: cells keyed by level codes, merged across shards by level name.
#include "fairness/statistics.h"

#include <gtest/gtest.h>

#include "audit/core/status.h"

namespace probity::fairness {
namespace {

StatisticsLayout Layout() {
  return StatisticsLayout{.label = "y",
                          .favourable = "in {1}",
                          .has_predictions = true,
                          .facets = {"sex", "race"},
                          .group_variable = "region"};
}

void Add(FairnessStatistics& s, const char* sex, const char* race, const char* region,
         Confusion c) {
  CellStats& cell =
      s.Cell({s.InternLevel(0, sex), s.InternLevel(1, race), s.InternStratum(region)});
  cell.weighted += c;
  cell.rows += c;
}

TEST(FairnessStatisticsTest, MergeUnitesLevelsByNameWhateverTheirOrder) {
  FairnessStatistics first(Layout()), second(Layout());
  Add(first, "f", "A", "north", {1, 2, 3, 4});
  Add(first, "m", "B", "south", {1, 0, 0, 0});
  // The second shard sees the levels in another order, and one new level and stratum.
  Add(second, "m", "C", "east", {0, 1, 0, 0});
  Add(second, "f", "A", "north", {10, 20, 30, 40});
  ASSERT_TRUE(first.Merge(second).ok());
  EXPECT_EQ(first.levels()[1], (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(first.strata(), (std::vector<std::string>{"north", "south", "east"}));
  const int32_t f = first.FindLevel(0, "f"), a = first.FindLevel(1, "A");
  GroupSummary fa = first.Summarize([&](const CellKey& k) { return k[0] == f && k[1] == a; }, "");
  EXPECT_EQ(fa.rows, (Confusion{11, 22, 33, 44}));
  ASSERT_EQ(fa.strata.size(), 3u);
  EXPECT_EQ(fa.strata[0], (Confusion{11, 22, 33, 44}));
  GroupSummary all = first.Summarize([](const CellKey&) { return true; }, "all");
  EXPECT_EQ(all.rows.total(), 100 + 10 + 1 + 1);
}

TEST(FairnessStatisticsTest, MergeRefusesADifferentAnalysisNamingTheField) {
  FairnessStatistics first(Layout());
  StatisticsLayout other = Layout();
  other.facets = {"sex"};
  Status merged = first.Merge(FairnessStatistics(other));
  EXPECT_EQ(merged.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(merged.message().find("facets is \"sex\", not \"sex,race\""), std::string::npos)
      << merged.message();
  other = Layout();
  other.prediction_source = "column:p";
  merged = first.Merge(FairnessStatistics(other));
  EXPECT_NE(merged.message().find("prediction_source"), std::string::npos) << merged.message();
}

TEST(FairnessStatisticsTest, FindLevelDoesNotAddAndRowCountsAdd) {
  FairnessStatistics s(Layout());
  EXPECT_EQ(s.FindLevel(0, "f"), -1);
  EXPECT_EQ(s.InternLevel(0, "f"), 0);
  EXPECT_EQ(s.InternLevel(0, "f"), 0);
  EXPECT_EQ(s.FindLevel(0, "f"), 0);
  s.mutable_row_counts().read = 5;
  FairnessStatistics t(Layout());
  t.mutable_row_counts().read = 7;
  t.mutable_row_counts().label_missing = 2;
  ASSERT_TRUE(s.Merge(t).ok());
  EXPECT_EQ(s.row_counts().read, 12);
  EXPECT_EQ(s.row_counts().label_missing, 2);
}

}  // namespace
}  // namespace probity::fairness
