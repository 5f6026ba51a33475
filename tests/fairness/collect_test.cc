// CollectStatistics: the streaming pass, checked against counts worked out by hand and against
// a row-by-row counting oracle on generated files, split into many batches.
#include "fairness/collect.h"

#include <gtest/gtest.h>

#include <random>

#include "audit/core/file_system.h"
#include "audit/core/status.h"

namespace probity::fairness {
namespace {

Result<Collected> Collect(const std::string& text, const CollectSpec& spec,
                          int64_t chunk_bytes = 1 << 20) {
  MemoryFileSystem fs;
  fs.AddFile("data.csv", text);
  ingest::ScanOptions options;
  options.threads = 2;
  options.chunk_bytes = chunk_bytes;
  PROBITY_ASSIGN_OR_RETURN(
      auto reader, ingest::DatasetReader::Open(fs, "data.csv", ingest::DatasetSpec{}, options));
  return CollectStatistics(*reader, spec);
}

GroupSummary Level(const FairnessStatistics& s, size_t facet, std::string_view level) {
  const int32_t code = s.FindLevel(facet, level);
  return s.Summarize([&](const CellKey& k) { return k[facet] == code; }, std::string(level));
}

const char kSmall[] =
    "sex,age,y,pred,score,w\n"
    "f,22,1,1,0.9,1\n"
    "f,30,1,0,0.4,2\n"
    "f,41,0,1,0.7,1\n"
    "f,25,0,0,0.2,1\n"
    "m,50,1,1,0.8,1\n"
    "m,33,1,1,0.6,3\n"
    "m,19,0,0,0.1,1\n"
    ",40,0,1,0.55,1\n";

TEST(CollectStatisticsTest, CountsEachGroupsConfusionByHand) {
  CollectSpec spec{.label = "y",
                   .favourable = {"1"},
                   .prediction = PredictionKind::kColumn,
                   .prediction_column = "pred",
                   .facets = {{.column = "sex"}}};
  Result<Collected> c = Collect(kSmall, spec);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const FairnessStatistics& s = c->statistics;
  EXPECT_EQ(s.row_counts().read, 8);
  EXPECT_EQ(s.row_counts().used, 8);
  const GroupSummary f = Level(s, 0, "f");
  EXPECT_EQ(f.rows, (Confusion{.tp = 1, .fp = 1, .tn = 1, .fn = 1}));
  const GroupSummary m = Level(s, 0, "m");
  EXPECT_EQ(m.rows, (Confusion{.tp = 2, .fp = 0, .tn = 1, .fn = 0}));
  // The empty sex is its own level, never dropped.
  const GroupSummary missing = Level(s, 0, kMissingLevel);
  EXPECT_EQ(missing.rows, (Confusion{.tp = 0, .fp = 1, .tn = 0, .fn = 0}));
}

TEST(CollectStatisticsTest, WeightsScaleTheWeightedCountsOnly) {
  CollectSpec spec{.label = "y",
                   .favourable = {"1"},
                   .prediction = PredictionKind::kColumn,
                   .prediction_column = "pred",
                   .facets = {{.column = "sex"}},
                   .weight = "w"};
  Result<Collected> c = Collect(kSmall, spec);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const GroupSummary f = Level(c->statistics, 0, "f");
  EXPECT_EQ(f.weighted, (Confusion{.tp = 1, .fp = 1, .tn = 1, .fn = 2}));
  EXPECT_EQ(f.rows, (Confusion{.tp = 1, .fp = 1, .tn = 1, .fn = 1}));
  const GroupSummary m = Level(c->statistics, 0, "m");
  EXPECT_EQ(m.weighted, (Confusion{.tp = 4, .fp = 0, .tn = 1, .fn = 0}));
}

TEST(CollectStatisticsTest, BinsPutEdgeValuesInTheLowerBin) {
  CollectSpec spec{
      .label = "y", .favourable = {"1"}, .facets = {{.column = "age", .edges = {25, 40}}}};
  Result<Collected> c = Collect(kSmall, spec);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const FairnessStatistics& s = c->statistics;
  // 22, 25, 19 | 30, 33, 40 | 41, 50
  EXPECT_EQ(Level(s, 0, "(-inf, 25]").rows.total(), 3);
  EXPECT_EQ(Level(s, 0, "(25, 40]").rows.total(), 3);
  EXPECT_EQ(Level(s, 0, "(40, inf)").rows.total(), 2);
  EXPECT_EQ(BinLevel({25, 40}, 1), "(25, 40]");
  EXPECT_EQ(BinLevel({0.5}, 1), "(0.5, inf)");
}

TEST(CollectStatisticsTest, ScoreAndThresholdMakeTheDecisionStrictlyAbove) {
  CollectSpec spec{.label = "y",
                   .favourable = {"1"},
                   .prediction = PredictionKind::kScore,
                   .score_column = "score",
                   .threshold = 0.6,
                   .facets = {{.column = "sex"}}};
  Result<Collected> c = Collect(kSmall, spec);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  // m: scores 0.8 (y1), 0.6 (y1, not > 0.6), 0.1 (y0).
  const GroupSummary m = Level(c->statistics, 0, "m");
  EXPECT_EQ(m.rows, (Confusion{.tp = 1, .fp = 0, .tn = 1, .fn = 1}));
  EXPECT_TRUE(c->statistics.layout().has_scores);
  EXPECT_EQ(m.scores[1].rows(), 2);
  EXPECT_EQ(m.scores[0].rows(), 1);
}

TEST(CollectStatisticsTest, MissingLabelsAndScoresAreCountedNotUsed) {
  CollectSpec spec{.label = "y",
                   .favourable = {"1"},
                   .prediction = PredictionKind::kScore,
                   .score_column = "s",
                   .threshold = 0.5,
                   .facets = {{.column = "g"}}};
  Result<Collected> c = Collect("g,y,s\na,1,0.7\na,,0.2\nb,0,\nb,1,0.9\n", spec);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  EXPECT_EQ(c->statistics.row_counts().read, 4);
  EXPECT_EQ(c->statistics.row_counts().used, 2);
  EXPECT_EQ(c->statistics.row_counts().label_missing, 1);
  EXPECT_EQ(c->statistics.row_counts().score_invalid, 1);
}

TEST(CollectStatisticsTest, LabelThresholdAndStrata) {
  CollectSpec spec{
      .label = "age", .label_threshold = 30, .facets = {{.column = "sex"}}, .group_variable = "y"};
  Result<Collected> c = Collect(kSmall, spec);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const FairnessStatistics& s = c->statistics;
  EXPECT_EQ(s.layout().favourable, "> 30");
  ASSERT_EQ(s.strata().size(), 2u);
  const GroupSummary f = Level(s, 0, "f");
  EXPECT_EQ(f.rows.positives(), 1);  // 41
  ASSERT_EQ(f.strata.size(), 2u);
  EXPECT_EQ(f.strata[0].total() + f.strata[1].total(), 4);
}

TEST(CollectStatisticsTest, MulticlassFillsTheClassMatrix) {
  CollectSpec spec{.task = Task::kMulticlass,
                   .label = "y",
                   .classes = {"a", "b", "c"},
                   .prediction = PredictionKind::kColumn,
                   .prediction_column = "p",
                   .facets = {{.column = "g"}}};
  Result<Collected> c = Collect("g,y,p\nx,a,a\nx,b,c\nx,c,c\ny,a,b\n", spec);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const GroupSummary x = Level(c->statistics, 0, "x");
  ASSERT_EQ(x.class_matrix.size(), 18u);    // weighted 3×3, then rows 3×3
  EXPECT_EQ(x.class_matrix[0 * 3 + 0], 1);  // a→a
  EXPECT_EQ(x.class_matrix[1 * 3 + 2], 1);  // b→c
  EXPECT_EQ(x.class_matrix[2 * 3 + 2], 1);  // c→c
  Result<Collected> bad = Collect("g,y,p\nx,a,z\n", spec);
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("\"z\" is not one of the classes"), std::string::npos);
}

TEST(CollectStatisticsTest, RegressionSums) {
  CollectSpec spec{.task = Task::kRegression,
                   .label = "y",
                   .prediction = PredictionKind::kColumn,
                   .prediction_column = "p",
                   .facets = {{.column = "g"}}};
  Result<Collected> c = Collect("g,y,p\nx,1,2\nx,3,2\ny,0,1\n", spec);
  ASSERT_TRUE(c.has_value()) << c.error().ToString();
  const GroupSummary x = Level(c->statistics, 0, "x");
  EXPECT_EQ(x.regression.rows, 2);
  EXPECT_DOUBLE_EQ(x.regression.prediction, 4);
  EXPECT_DOUBLE_EQ(x.regression.absolute_error, 2);
  EXPECT_DOUBLE_EQ(x.regression.squared_error, 2);
}

TEST(CollectStatisticsTest, BadInputNamesTheColumn) {
  CollectSpec spec{.label = "y", .favourable = {"1"}, .facets = {{.column = "race"}}};
  Result<Collected> c = Collect(kSmall, spec);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.error().message().find("the facet column \"race\" does not exist"),
            std::string::npos);
  EXPECT_NE(c.error().expected().find("sex, age, y, pred, score, w"), std::string::npos);

  spec = {.label = "y",
          .favourable = {"1"},
          .prediction = PredictionKind::kScore,
          .score_column = "sex",
          .threshold = 0.5,
          .facets = {{.column = "age"}}};
  c = Collect(kSmall, spec);
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message().find("the score column \"sex\" is string"), std::string::npos);

  spec = {.label = "y", .favourable = {"1"}, .facets = {{.column = "sex"}}, .weight = "w"};
  c = Collect("sex,y,w\nf,1,1\nm,0,-2\n", spec);
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message().find("weight \"w\" is -2"), std::string::npos);

  spec = {.label = "y", .favourable = {"1"}, .facets = {{.column = "age", .edges = {40, 25}}}};
  c = Collect(kSmall, spec);
  ASSERT_FALSE(c.has_value());
  EXPECT_NE(c.error().message().find("not increasing"), std::string::npos);
}

// The oracle: generated rows counted one by one, against the pass over many small batches.
TEST(CollectStatisticsTest, MatchesARowByRowCountOnGeneratedFiles) {
  std::mt19937_64 rng(20261129);
  for (int trial = 0; trial < 20; ++trial) {
    std::string text = "race,sex,y,p,w\n";
    const char* races[] = {"A", "B", "C", ""};
    const char* sexes[] = {"f", "m"};
    std::map<std::pair<std::string, std::string>, Confusion> expected_w, expected_n;
    const int rows = 50 + static_cast<int>(rng() % 400);
    for (int i = 0; i < rows; ++i) {
      const std::string race = races[rng() % 4];
      const std::string sex = sexes[rng() % 2];
      const bool y = rng() % 3 == 0, p = rng() % 2 == 0;
      const int w = 1 + static_cast<int>(rng() % 4);
      text += race + "," + sex + "," + (y ? "yes" : "no") + "," + (p ? "yes" : "no") + "," +
              std::to_string(w) + "\n";
      const std::pair<std::string, std::string> key{race.empty() ? "(missing)" : race, sex};
      Confusion& cw = expected_w[key];
      Confusion& cn = expected_n[key];
      (y ? (p ? cw.tp : cw.fn) : (p ? cw.fp : cw.tn)) += w;
      (y ? (p ? cn.tp : cn.fn) : (p ? cn.fp : cn.tn)) += 1;
    }
    CollectSpec spec{.label = "y",
                     .favourable = {"yes"},
                     .prediction = PredictionKind::kColumn,
                     .prediction_column = "p",
                     .facets = {{.column = "race"}, {.column = "sex"}},
                     .weight = "w"};
    Result<Collected> c = Collect(text, spec, /*chunk_bytes=*/256);
    ASSERT_TRUE(c.has_value()) << c.error().ToString();
    const FairnessStatistics& s = c->statistics;
    EXPECT_EQ(s.row_counts().used, rows);
    for (const auto& [key, cw] : expected_w) {
      const int32_t r = s.FindLevel(0, key.first), x = s.FindLevel(1, key.second);
      ASSERT_GE(r, 0);
      ASSERT_GE(x, 0);
      GroupSummary g = s.Summarize([&](const CellKey& k) { return k[0] == r && k[1] == x; }, "");
      EXPECT_EQ(g.weighted, cw) << key.first << " " << key.second;
      EXPECT_EQ(g.rows, expected_n[key]) << key.first << " " << key.second;
    }
  }
}

}  // namespace
}  // namespace probity::fairness
