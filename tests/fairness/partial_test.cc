// Tests of fairness/partial.h: exact round trips, merging partials read back, and one test
// per rule of the strict reader (each asserting the JSON path named in the message).
#include "fairness/partial.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "audit/core/file_system.h"
#include "audit/core/json_output.h"

namespace probity::fairness {
namespace {

using Json = nlohmann::ordered_json;

// ---- Building statistics by hand ------------------------------------------------------

// One row of a hand-made data set.
struct Row {
  std::vector<std::string> facets;
  std::string stratum;
  bool label = false;
  bool predicted = false;
  double score = 0;
  double weight = 1;
};

// A slow, obvious collector: what the streaming pass does, row by row.
void AddRow(FairnessStatistics& stats, const Row& row) {
  CellKey key;
  for (size_t f = 0; f < row.facets.size(); ++f) key.push_back(stats.InternLevel(f, row.facets[f]));
  key.push_back(stats.layout().group_variable.empty() ? 0 : stats.InternStratum(row.stratum));
  CellStats& cell = stats.Cell(key);
  double Confusion::*field = row.label ? (row.predicted ? &Confusion::tp : &Confusion::fn)
                                       : (row.predicted ? &Confusion::fp : &Confusion::tn);
  cell.weighted.*field += row.weight;
  cell.rows.*field += 1;
  cell.scores[row.label ? 1 : 0].Add(row.score, row.weight);
  stats.mutable_row_counts().read += 1;
  stats.mutable_row_counts().used += 1;
}

StatisticsLayout BinaryLayout() {
  StatisticsLayout layout;
  layout.task = Task::kBinary;
  layout.label = "credit";
  layout.favourable = "in {good}";
  layout.prediction_source = "score:p>0.5";
  layout.has_predictions = true;
  layout.has_scores = true;
  layout.facets = {"sex", "age"};
  layout.group_variable = "region";
  layout.weight = "w";
  return layout;
}

std::vector<Row> RandomRows(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<std::string> sexes = {"female", "male", "(missing)"};
  const std::vector<std::string> ages = {"young", "old", "middle"};
  const std::vector<std::string> regions = {"north", "south", "east"};
  std::vector<Row> rows;
  for (int i = 0; i < n; ++i) {
    Row r;
    r.facets = {sexes[rng() % 3], ages[rng() % 3]};
    r.stratum = regions[rng() % 3];
    r.label = rng() % 2;
    r.predicted = rng() % 3 == 0;
    r.score = static_cast<double>(rng() % 1000) / 999.0;  // not dyadic: exercises digits
    r.weight = static_cast<double>(1 + rng() % 8) / 4.0;  // dyadic: sums are exact
    rows.push_back(r);
  }
  return rows;
}

FairnessStatistics Collect(const std::vector<Row>& rows, size_t begin, size_t end) {
  FairnessStatistics stats(BinaryLayout());
  for (size_t i = begin; i < end; ++i) AddRow(stats, rows[i]);
  return stats;
}

// A multiclass object that uses every field: class matrices, both sketches (one coarsened),
// regression sums with awkward doubles, levels, strata and all row counts.
FairnessStatistics EveryField() {
  StatisticsLayout layout;
  layout.task = Task::kMulticlass;
  layout.label = "grade";
  layout.favourable = "in {A}";
  layout.classes = {"A", "B", "C"};
  layout.prediction_source = "model:sha256:0123";
  layout.has_predictions = true;
  layout.has_scores = true;
  layout.facets = {"sex", "race", "age band"};
  layout.group_variable = "school/district";
  layout.weight = "w~1";
  FairnessStatistics stats(layout);
  stats.InternLevel(0, "female");
  stats.InternLevel(0, "male");
  stats.InternLevel(1, "Black");
  stats.InternLevel(1, "White");
  stats.InternLevel(1, "(missing)");
  stats.InternLevel(2, "18–25 \"young\"");
  stats.InternStratum("north");
  stats.InternStratum("south");
  stats.mutable_row_counts() = RowCounts{1000, 990, 3, 4, 3};
  CellStats& a = stats.Cell({0, 2, 0, 1});
  a.weighted = Confusion{0.1, 1.0 / 3, 2.5e-300, 1e300};
  a.rows = Confusion{1, 2, 3, 4};
  a.class_matrix = {0.1, 0.2, 0.30000000000000004, 1, 2, 3, 4.9406564584124654e-324, 5, 6};
  a.scores[0].Add(0.1, 0.7);
  a.scores[0].Add(1.0 / 3, 1e-17);
  ScoreSketch coarse(16);
  for (int i = 0; i < 500; ++i) coarse.Add(std::sqrt(static_cast<double>(i)), 1.0 / 7);
  EXPECT_LT(coarse.precision_bits(), 53);
  a.scores[1] = coarse;
  a.regression = RegressionSums{3.5, 7, -0.1, 1e-310, 2.0 / 3, 123456789.123456789};
  CellStats& b = stats.Cell({1, 0, 0, 0});
  b.weighted = Confusion{5, 0, 0, 0};
  b.rows = Confusion{5, 0, 0, 0};
  b.class_matrix = std::vector<double>(9, 0.0);
  return stats;
}

void ExpectSketchesEqual(const ScoreSketch& a, const ScoreSketch& b, const std::string& where) {
  ASSERT_EQ(a.precision_bits(), b.precision_bits()) << where;
  ASSERT_EQ(a.entries().size(), b.entries().size()) << where;
  for (size_t i = 0; i < a.entries().size(); ++i) {
    EXPECT_EQ(a.entries()[i].value, b.entries()[i].value) << where << " entry " << i;
    EXPECT_EQ(a.entries()[i].weight, b.entries()[i].weight) << where << " entry " << i;
    EXPECT_EQ(a.entries()[i].rows, b.entries()[i].rows) << where << " entry " << i;
  }
}

void ExpectStatisticsEqual(const FairnessStatistics& a, const FairnessStatistics& b) {
  EXPECT_TRUE(a.layout() == b.layout());
  EXPECT_EQ(a.levels(), b.levels());
  EXPECT_EQ(a.strata(), b.strata());
  EXPECT_TRUE(a.row_counts() == b.row_counts());
  ASSERT_EQ(a.cells().size(), b.cells().size());
  auto it = b.cells().begin();
  for (const auto& [key, cell] : a.cells()) {
    const std::string where = "cell " + ::testing::PrintToString(key);
    ASSERT_EQ(key, it->first);
    const CellStats& other = it->second;
    EXPECT_TRUE(cell.weighted == other.weighted) << where;
    EXPECT_TRUE(cell.rows == other.rows) << where;
    EXPECT_EQ(cell.class_matrix, other.class_matrix) << where;
    EXPECT_TRUE(cell.regression == other.regression) << where;
    ExpectSketchesEqual(cell.scores[0], other.scores[0], where + " scores[0]");
    ExpectSketchesEqual(cell.scores[1], other.scores[1], where + " scores[1]");
    ++it;
  }
}

FairnessStatistics ReadBack(const FairnessStatistics& stats) {
  Result<FairnessStatistics> back = PartialFromJson(DumpJson(PartialToJson(stats)), "back.json");
  EXPECT_TRUE(back.has_value()) << back.status().ToString();
  return back.has_value() ? std::move(back).value() : FairnessStatistics();
}

// ---- Round trips and merges -----------------------------------------------------------

TEST(PartialTest, RoundTripKeepsEveryField) {
  const FairnessStatistics stats = EveryField();
  ExpectStatisticsEqual(stats, ReadBack(stats));
}

TEST(PartialTest, DocumentStartsWithSchemaAndVersion) {
  const Json doc = PartialToJson(EveryField());
  EXPECT_EQ(doc.begin().key(), "schema");
  EXPECT_EQ(doc["schema"], "probity.fairness.partial/1");
  EXPECT_TRUE(doc.contains("probity_version"));
  EXPECT_EQ(doc["cells"][0]["scores"][0]["entries"][0], Json::array({0.1, 0.7, 1}));
}

TEST(PartialTest, DoublesRoundTripExactly) {
  std::mt19937_64 rng(99);
  FairnessStatistics stats(BinaryLayout());
  stats.InternLevel(0, "a");
  stats.InternLevel(1, "b");
  stats.InternStratum("s");
  CellStats& cell = stats.Cell({0, 0, 0});
  std::vector<ScoreSketch::Entry> entries;
  for (int i = 0; i < 2000; ++i) {
    // Random bit patterns: every exponent and all 52 fraction bits.
    double v = std::bit_cast<double>(rng());
    if (!std::isfinite(v)) continue;
    entries.push_back({v, std::abs(std::bit_cast<double>(rng() >> 2)), 1});
  }
  cell.scores[0] = ScoreSketch::FromEntries(entries, 53);
  cell.regression.prediction = -std::numeric_limits<double>::denorm_min();
  cell.regression.label = 1e300;
  ExpectStatisticsEqual(stats, ReadBack(stats));
}

TEST(PartialTest, MergingPartialsReadBackEqualsMergingOriginalsAndTheUnion) {
  const std::vector<Row> rows = RandomRows(600, 17);
  FairnessStatistics first = Collect(rows, 0, 250);
  FairnessStatistics second = Collect(rows, 250, rows.size());
  const FairnessStatistics all = Collect(rows, 0, rows.size());

  FairnessStatistics merged = first;
  ASSERT_TRUE(merged.Merge(second).ok());
  FairnessStatistics merged_read = ReadBack(first);
  ASSERT_TRUE(merged_read.Merge(ReadBack(second)).ok());
  ExpectStatisticsEqual(merged, merged_read);
  ExpectStatisticsEqual(all, merged_read);
}

TEST(PartialTest, MergeUnitesLevelsByName) {
  // The second shard sees the levels in another order and one the first never saw.
  FairnessStatistics first(BinaryLayout()), second(BinaryLayout());
  AddRow(first, Row{{"female", "young"}, "north", true, true, 0.9, 1});
  AddRow(first, Row{{"male", "old"}, "south", false, false, 0.2, 1});
  AddRow(second, Row{{"male", "young"}, "south", true, false, 0.4, 2});
  AddRow(second, Row{{"other", "old"}, "north", false, true, 0.6, 1});
  AddRow(second, Row{{"female", "young"}, "north", true, true, 0.9, 1});
  FairnessStatistics merged = ReadBack(first);
  ASSERT_TRUE(merged.Merge(ReadBack(second)).ok());
  EXPECT_EQ(merged.levels()[0], (std::vector<std::string>{"female", "male", "other"}));
  EXPECT_EQ(merged.levels()[1], (std::vector<std::string>{"young", "old"}));
  const CellStats& female_young_north = merged.cells().at({0, 0, 0});
  EXPECT_EQ(female_young_north.rows.tp, 2);
  ASSERT_EQ(female_young_north.scores[1].entries().size(), 1u);
  EXPECT_EQ(female_young_north.scores[1].entries()[0].rows, 2);
  EXPECT_EQ(merged.cells().at({1, 0, 1}).weighted.fn, 2);  // male, young, south
  EXPECT_EQ(merged.row_counts().read, 5);
}

TEST(PartialTest, MergeRefusesADifferentLayoutNamingTheField) {
  FairnessStatistics first(BinaryLayout());
  StatisticsLayout other = BinaryLayout();
  other.weight = "w2";
  Status s = first.Merge(FairnessStatistics(other));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("weight is \"w2\", not \"w\""), std::string::npos) << s.ToString();

  other = BinaryLayout();
  other.facets = {"age", "sex"};
  s = first.Merge(FairnessStatistics(other));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("facets is \"age,sex\", not \"sex,age\""), std::string::npos)
      << s.ToString();

  other = BinaryLayout();
  other.label = "repaid";
  s = first.Merge(ReadBack(FairnessStatistics(other)));
  EXPECT_NE(s.message().find("label"), std::string::npos) << s.ToString();
}

TEST(PartialTest, WriteAndReadThroughAFileSystem) {
  MemoryFileSystem fs;
  const FairnessStatistics stats = EveryField();
  ASSERT_TRUE(WritePartial(fs, "out/shard1.json", stats).ok());
  Result<FairnessStatistics> back = ReadPartial(fs, "out/shard1.json");
  ASSERT_TRUE(back.has_value()) << back.status().ToString();
  ExpectStatisticsEqual(stats, *back);
  EXPECT_EQ(ReadPartial(fs, "missing.json").status().code(), StatusCode::kNotFound);
  fs.FailCommits(true);
  EXPECT_EQ(WritePartial(fs, "out/shard2.json", stats).code(), StatusCode::kIoError);
}

// ---- The strict reader: one test per rule -----------------------------------------------

// A valid document to break: the EveryField statistics.
Json Valid() { return PartialToJson(EveryField()); }

// Reads `doc` as "shard1.json" and expects kInvalidArgument whose text names `path`.
void ExpectRefused(const Json& doc, const std::string& path, const std::string& detail = "") {
  Result<FairnessStatistics> r = PartialFromJson(doc.dump(), "shard1.json");
  ASSERT_FALSE(r.has_value()) << "accepted; expected an error at " << path;
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  const std::string text = r.error().ToString();
  EXPECT_EQ(text.rfind("shard1.json: " + path + ": ", 0), 0u) << text;
  EXPECT_NE(text.find("; expected "), std::string::npos) << text;
  if (!detail.empty()) {
    EXPECT_NE(text.find(detail), std::string::npos) << text;
  }
}

Json With(Json doc, const std::string& pointer, Json value) {
  doc[Json::json_pointer(pointer)] = std::move(value);
  return doc;
}

TEST(PartialReaderTest, TheValidDocumentIsAccepted) {
  EXPECT_TRUE(PartialFromJson(Valid().dump(), "shard1.json").has_value());
}

TEST(PartialReaderTest, RefusesUnknownKeys) {
  ExpectRefused(With(Valid(), "/extra", 1), "/extra", "unknown key");
  ExpectRefused(With(Valid(), "/cells/1/scores/0/note", "x"), "/cells/1/scores/0/note");
  ExpectRefused(With(Valid(), "/layout/a~0b", 1), "/layout/a~0b");
}

TEST(PartialReaderTest, RefusesMissingKeys) {
  Json doc = Valid();
  doc["cells"][0].erase("regression");
  ExpectRefused(doc, "/cells/0/regression", "is missing");
}

TEST(PartialReaderTest, RefusesWrongTypes) {
  ExpectRefused(With(Valid(), "/layout/has_scores", "yes"), "/layout/has_scores", "true or false");
  ExpectRefused(With(Valid(), "/levels/1/0", 3), "/levels/1/0", "a string");
  ExpectRefused(With(Valid(), "/cells/0/weighted/tp", "0.1"), "/cells/0/weighted/tp");
  ExpectRefused(With(Valid(), "/cells", Json::object()), "/cells", "a list");
  ExpectRefused(Json::array(), "/", "an object");
}

TEST(PartialReaderTest, RefusesAnotherSchema) {
  ExpectRefused(With(Valid(), "/schema", "probity.fairness.partial/2"), "/schema",
                "\"probity.fairness.partial/1\"");
}

TEST(PartialReaderTest, RefusesNegativeRowCounts) {
  ExpectRefused(With(Valid(), "/cells/0/rows/tp", -1), "/cells/0/rows/tp",
                "a non-negative integer");
  ExpectRefused(With(Valid(), "/row_counts/used", -5), "/row_counts/used");
  ExpectRefused(With(Valid(), "/cells/0/regression/rows", -1), "/cells/0/regression/rows");
}

TEST(PartialReaderTest, RefusesNonIntegerRowCounts) {
  ExpectRefused(With(Valid(), "/row_counts/read", 2.5), "/row_counts/read", "integer");
  ExpectRefused(With(Valid(), "/cells/1/rows/tp", 5.0), "/cells/1/rows/tp", "integer");
  ExpectRefused(With(Valid(), "/cells/0/scores/0/entries/1/2", 1.5),
                "/cells/0/scores/0/entries/1/2", "a positive integer");
  // Counts beyond 2^53 would not be exact, and merges would overflow.
  ExpectRefused(With(Valid(), "/row_counts/read", uint64_t{1} << 63), "/row_counts/read");
}

TEST(PartialReaderTest, RefusesNegativeOrHugeWeights) {
  ExpectRefused(With(Valid(), "/cells/0/weighted/fn", -0.5), "/cells/0/weighted/fn");
  ExpectRefused(With(Valid(), "/cells/0/class_matrix/2", 1e301), "/cells/0/class_matrix/2",
                "at most 1e300");
}

TEST(PartialReaderTest, RefusesInfinityAndNaN) {
  // JSON has no literal for them; an overflowing number is the only way in.
  std::string text = Valid().dump();
  const std::string weight = "\"weight\":3.5";
  ASSERT_NE(text.find(weight), std::string::npos);
  text.replace(text.find(weight), weight.size(), "\"weight\":1e999");
  Result<FairnessStatistics> r = PartialFromJson(text, "shard1.json");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().ToString().rfind("shard1.json:", 0), 0u) << r.error().ToString();
  EXPECT_NE(r.error().expected().find("finite numbers"), std::string::npos);
  EXPECT_FALSE(PartialFromJson(R"({"schema": NaN})", "shard1.json").has_value());
}

TEST(PartialReaderTest, RefusesKeysOfTheWrongLength) {
  ExpectRefused(With(Valid(), "/cells/0/key", Json::array({0, 0, 0})), "/cells/0/key",
                "4: a level index per facet, then the stratum");
}

TEST(PartialReaderTest, RefusesLevelIndicesOutOfRange) {
  ExpectRefused(With(Valid(), "/cells/0/key/1", 3), "/cells/0/key/1", "[0, 3)");
  ExpectRefused(With(Valid(), "/cells/0/key/0", -1), "/cells/0/key/0");
}

TEST(PartialReaderTest, RefusesStratumIndicesOutOfRange) {
  ExpectRefused(With(Valid(), "/cells/0/key/3", 2), "/cells/0/key/3", "the strata");
  // Without a group variable the stratum is 0 and there are no strata.
  Json doc = With(Valid(), "/layout/group_variable", "");
  ExpectRefused(doc, "/strata", "an empty list");
  doc["strata"] = Json::array();
  ExpectRefused(doc, "/cells/0/key/3", "0: there is no group variable");
}

TEST(PartialReaderTest, RefusesDuplicateCellKeys) {
  Json doc = Valid();
  doc["cells"][1]["key"] = doc["cells"][0]["key"];
  ExpectRefused(doc, "/cells/1/key", "repeats");
}

TEST(PartialReaderTest, RefusesDuplicateLevelsAndStrata) {
  ExpectRefused(With(Valid(), "/levels/1/2", "Black"), "/levels/1/2", "distinct level names");
  ExpectRefused(With(Valid(), "/strata/1", "north"), "/strata/1", "distinct strata");
  ExpectRefused(With(Valid(), "/levels", Json::array({Json::array()})), "/levels",
                "one list of level names per facet (3)");
}

TEST(PartialReaderTest, RefusesMoreThanMaxCells) {
  // The count is checked before any cell is read, so the cells need not be valid.
  Json doc = Valid();
  doc["cells"] = Json::array();
  for (size_t i = 0; i <= FairnessStatistics::kMaxCells; ++i) doc["cells"].push_back(0);
  ExpectRefused(doc, "/cells", "at most 1048576");
}

TEST(PartialReaderTest, RefusesUnsortedSketchEntries) {
  Json doc = Valid();
  Json& entries = doc["cells"][0]["scores"][0]["entries"];
  std::swap(entries[0], entries[1]);
  ExpectRefused(doc, "/cells/0/scores/0/entries/1", "is below the previous value");
}

TEST(PartialReaderTest, RefusesDuplicateSketchEntries) {
  Json doc = Valid();
  Json& entries = doc["cells"][0]["scores"][1]["entries"];
  entries[7][0] = entries[6][0];
  ExpectRefused(doc, "/cells/0/scores/1/entries/7", "repeats the previous value");
}

TEST(PartialReaderTest, RefusesPrecisionBitsOutsideOneTo53) {
  ExpectRefused(With(Valid(), "/cells/0/scores/0/precision_bits", 0),
                "/cells/0/scores/0/precision_bits", "an integer in [1, 53]");
  ExpectRefused(With(Valid(), "/cells/0/scores/0/precision_bits", 54),
                "/cells/0/scores/0/precision_bits");
  ExpectRefused(With(Valid(), "/cells/0/scores/0/precision_bits", 20.5),
                "/cells/0/scores/0/precision_bits");
}

TEST(PartialReaderTest, RefusesValuesFinerThanTheSketchPrecision) {
  // 0.1 has all 53 bits; at 8 bits it is not a representable entry.
  ExpectRefused(With(Valid(), "/cells/0/scores/0/precision_bits", 8),
                "/cells/0/scores/0/entries/0/0", "rounded to 8 significant bits");
}

TEST(PartialReaderTest, RefusesMalformedEntries) {
  ExpectRefused(With(Valid(), "/cells/0/scores/0/entries/0", Json::array({0.1, 1})),
                "/cells/0/scores/0/entries/0", "[value, weight, rows]");
  ExpectRefused(With(Valid(), "/cells/0/scores/0/entries/0/2", 0), "/cells/0/scores/0/entries/0/2",
                "a positive integer");
}

TEST(PartialReaderTest, RefusesClassMatricesOfTheWrongSize) {
  ExpectRefused(With(Valid(), "/cells/0/class_matrix", Json::array({1, 2})),
                "/cells/0/class_matrix", "0 or 9 counts");
}

TEST(PartialReaderTest, InvalidJsonNamesLineAndColumn) {
  Result<FairnessStatistics> r = PartialFromJson("{\n  \"schema\": tru\n}", "shard1.json");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().ToString().rfind("shard1.json:2:", 0), 0u) << r.error().ToString();
}

TEST(PartialReaderTest, SeedCorpusReadsAsNamed) {
  const std::filesystem::path corpus =
      std::filesystem::path(PROBITY_SOURCE_DIR) / "tests/fuzz/corpus/fairness_partial";
  int valid = 0, malformed = 0;
  for (const auto& file : std::filesystem::directory_iterator(corpus)) {
    std::ifstream in(file.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string name = file.path().filename().string();
    Result<FairnessStatistics> r = PartialFromJson(text, name);
    if (name.starts_with("bad_")) {
      ++malformed;
      ASSERT_FALSE(r.has_value()) << name;
      EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << name;
    } else {
      ++valid;
      EXPECT_TRUE(r.has_value()) << name << ": " << r.status().ToString();
    }
  }
  EXPECT_GE(valid, 5);
  EXPECT_GE(malformed, 7);
}

}  // namespace
}  // namespace probity::fairness
