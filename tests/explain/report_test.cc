// Explanation outputs: CSV bytes and JSON values written out by hand, the global summary's
// statistics computed by hand, the beeswarm sample checked against a brute-force selection
// (sort every row's MixSeed(0, row)) and for independence from batch sizes, and every
// probity.explain/1 document shape validated against docs/formats/explain.schema.json
// (python3-jsonschema, as the other schema tests).
#include "explain/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "audit/core/json_output.h"
#include "tests/testing/run_command.h"

namespace probity::explain {
namespace {

using Json = nlohmann::ordered_json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Attributions MakeAttributions(std::vector<std::string> players, std::vector<std::string> outputs,
                              int64_t rows, const std::vector<double>& values,
                              const std::vector<double>& base) {
  Attributions a;
  a.method = "tree_path_dependent";
  a.space = OutputSpace::kMargin;
  a.value_function = "path-dependent: E[f(X) | X_S = x_S] along tree paths, weighted by node cover";
  a.cover_kind = "hessian";
  a.players = std::move(players);
  a.outputs = std::move(outputs);
  a.rows = rows;
  a.values.assign(values.begin(), values.end());
  a.base.assign(base.begin(), base.end());
  // prediction = base + Σ phi (NaN-free rows), so the documents are self-consistent.
  const size_t p = a.players.size();
  const size_t k = a.outputs.size();
  a.prediction.resize(static_cast<size_t>(rows) * k);
  for (size_t i = 0; i < a.prediction.size(); ++i) {
    double sum = a.base[i];
    for (size_t j = 0; j < p; ++j) sum += a.values[i * p + j];
    a.prediction[i] = sum;
  }
  return a;
}

// Rows [begin, end) of `a`.
Attributions SliceRows(const Attributions& a, int64_t begin, int64_t end) {
  Attributions s = a;
  const size_t k = a.outputs.size();
  const size_t cells = k * a.players.size();
  s.rows = end - begin;
  const auto b = static_cast<size_t>(begin);
  const auto e = static_cast<size_t>(end);
  s.values.assign(a.values.begin() + static_cast<std::ptrdiff_t>(b * cells),
                  a.values.begin() + static_cast<std::ptrdiff_t>(e * cells));
  s.base.assign(a.base.begin() + static_cast<std::ptrdiff_t>(b * k),
                a.base.begin() + static_cast<std::ptrdiff_t>(e * k));
  s.prediction.assign(a.prediction.begin() + static_cast<std::ptrdiff_t>(b * k),
                      a.prediction.begin() + static_cast<std::ptrdiff_t>(e * k));
  return s;
}

InputFrame SliceFrame(const InputFrame& f, int64_t begin, int64_t end) {
  InputFrame s = f;
  s.rows = end - begin;
  s.values.assign(
      f.values.begin() +
          static_cast<std::ptrdiff_t>(begin) * static_cast<std::ptrdiff_t>(f.width()),
      f.values.begin() + static_cast<std::ptrdiff_t>(end) * static_cast<std::ptrdiff_t>(f.width()));
  return s;
}

// ---------------------------------------------------------------------------------------
// CSV

TEST(AppendAttributionCsvTest, BinaryTwoRowsInPredContribsLayout) {
  // A name holding a comma is quoted; NaN is an empty field; numbers round-trip shortest.
  Attributions a = MakeAttributions({"age", "credit amount", "a,b"}, {"good"}, 2,
                                    {0.5, -0.25, 1e-20, kNaN, 3, 0.1}, {-1.5, -1.5});
  std::string text;
  AppendAttributionCsv(a, /*header=*/true, &text);
  EXPECT_EQ(text,
            "age,credit amount,\"a,b\",base_value\n"
            "0.5,-0.25,1e-20,-1.5\n"
            ",3,0.1,-1.5\n");
  std::string more;
  AppendAttributionCsv(a, /*header=*/false, &more);
  EXPECT_EQ(more, "0.5,-0.25,1e-20,-1.5\n,3,0.1,-1.5\n");
}

TEST(AppendAttributionCsvTest, MulticlassHasAClassColumnAndOneLinePerRowAndClass) {
  Attributions a = MakeAttributions({"x", "y"}, {"a", "b", "c d"}, 2,
                                    {1, 2, 3, 4, 5, 6, -1, -2, 0.5, 0.25, 0, 1e300},
                                    {0.1, 0.2, 0.3, 0.1, 0.2, 0.3});
  std::string text;
  AppendAttributionCsv(a, true, &text);
  EXPECT_EQ(text,
            "class,x,y,base_value\n"
            "a,1,2,0.1\n"
            "b,3,4,0.2\n"
            "c d,5,6,0.3\n"
            "a,-1,-2,0.1\n"
            "b,0.5,0.25,0.2\n"
            "c d,0,1e+300,0.3\n");
}

Interactions MakeInteractions(std::vector<std::string> players, std::vector<std::string> outputs,
                              int64_t rows, const std::vector<double>& values) {
  Interactions in;
  in.players = std::move(players);
  in.outputs = std::move(outputs);
  in.rows = rows;
  in.values.assign(values.begin(), values.end());
  return in;
}

TEST(AppendInteractionCsvTest, LongFormForTwoPlayers) {
  // Per row the 3×3 matrix, base_value last, rows numbered from first_row.
  Interactions in = MakeInteractions({"u", "v"}, {"1"}, 2,
                                     {0.5, 0.25, 0, 0.25, -1, 0, 0, 0, 2,  //
                                      1, -0.5, 0, -0.5, 0, 0, 0, 0, 2});
  std::string text;
  AppendInteractionCsv(in, /*first_row=*/10, /*header=*/true, &text);
  EXPECT_EQ(text,
            "row,i,j,value\n"
            "10,u,u,0.5\n10,u,v,0.25\n10,u,base_value,0\n"
            "10,v,u,0.25\n10,v,v,-1\n10,v,base_value,0\n"
            "10,base_value,u,0\n10,base_value,v,0\n10,base_value,base_value,2\n"
            "11,u,u,1\n11,u,v,-0.5\n11,u,base_value,0\n"
            "11,v,u,-0.5\n11,v,v,0\n11,v,base_value,0\n"
            "11,base_value,u,0\n11,base_value,v,0\n11,base_value,base_value,2\n");
}

TEST(AppendInteractionCsvTest, MulticlassAddsTheClassColumn) {
  std::vector<double> values(2 * 4, 0);  // one row, two outputs, P = 1: 2×2 each
  values[0] = 7;                         // output "a": (p, p)
  values[7] = 9;                         // output "b": (base, base)
  Interactions in = MakeInteractions({"p"}, {"a", "b"}, 1, values);
  std::string text;
  AppendInteractionCsv(in, 0, true, &text);
  EXPECT_EQ(text,
            "row,class,i,j,value\n"
            "0,a,p,p,7\n0,a,p,base_value,0\n0,a,base_value,p,0\n0,a,base_value,base_value,0\n"
            "0,b,p,p,0\n0,b,p,base_value,0\n0,b,base_value,p,0\n0,b,base_value,base_value,9\n");
}

// ---------------------------------------------------------------------------------------
// Global summary

TEST(AttributionSummaryTest, MeansMinMaxAndHistogramByHand) {
  // a: 1, -3, 2 → mean |phi| 2, mean 0, min −3, max 2.
  // b: 0.5, 0.5, −0.5 → mean |phi| 0.5, mean 1/6, min −0.5, max 0.5.
  Attributions all = MakeAttributions({"a", "b"}, {"1"}, 3, {1, 0.5, -3, 0.5, 2, -0.5}, {0, 0, 0});
  AttributionSummary summary(all.players, all.outputs);
  summary.Add(SliceRows(all, 0, 2), 0, nullptr);
  summary.Add(SliceRows(all, 2, 3), 2, nullptr);
  EXPECT_EQ(summary.rows(), 3);
  EXPECT_DOUBLE_EQ(summary.MeanAbs(0, 0), 2);
  EXPECT_DOUBLE_EQ(summary.MeanAbs(0, 1), 0.5);
  EXPECT_EQ(summary.Ranking(0), (std::vector<size_t>{0, 1}));

  const Json doc = summary.ToJson();
  EXPECT_EQ(doc["rows"], 3);
  const Json& a = doc["by_output"][0]["players"][0];
  const Json& b = doc["by_output"][0]["players"][1];
  EXPECT_EQ(doc["by_output"][0]["output"], "1");
  EXPECT_EQ(doc["by_output"][0]["ranking"], Json({"a", "b"}));
  EXPECT_DOUBLE_EQ(a["mean_abs"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(a["mean"].get<double>(), 0);
  EXPECT_EQ(a["min"], -3.0);
  EXPECT_EQ(a["max"], 2.0);
  EXPECT_DOUBLE_EQ(b["mean"].get<double>(), 1.0 / 6);
  EXPECT_EQ(b["min"], -0.5);
  EXPECT_EQ(b["max"], 0.5);
  // 21 bins of width 5/21 over [−3, 2]: −3 → bin 0, 1 → floor(4/5·21) = 16, 2 → the last.
  ASSERT_EQ(a["histogram"]["edges"].size(), 22u);
  EXPECT_EQ(a["histogram"]["edges"][0], -3.0);
  EXPECT_EQ(a["histogram"]["edges"][21], 2.0);
  EXPECT_DOUBLE_EQ(a["histogram"]["edges"][1].get<double>(), -3 + 5.0 / 21);
  std::vector<int64_t> expected(21, 0);
  expected[0] = 1;
  expected[16] = 1;
  expected[20] = 1;
  EXPECT_EQ(a["histogram"]["counts"].get<std::vector<int64_t>>(), expected);
  expected.assign(21, 0);
  expected[0] = 1;
  expected[20] = 2;
  EXPECT_EQ(b["histogram"]["counts"].get<std::vector<int64_t>>(), expected);
  // Three rows: all sampled, in row order, with their phi.
  EXPECT_EQ(doc["sample"]["row_index"], Json({0, 1, 2}));
  EXPECT_EQ(a["sample_phi"], Json({1.0, -3.0, 2.0}));
  // No frame: no feature values, with the reason.
  EXPECT_TRUE(doc["sample"]["feature_values"][0]["values"].is_null());
  EXPECT_EQ(doc["sample"]["feature_values"][0]["values_reason"], "no input values were given");
  EXPECT_FALSE(doc.contains("interaction_strength"));
}

TEST(AttributionSummaryTest, NaNValuesAreSkippedAndAnAllNaNPlayerIsUndefined) {
  Attributions all = MakeAttributions({"a", "b"}, {"1"}, 2, {kNaN, 1, kNaN, -3}, {0, 0});
  AttributionSummary summary(all.players, all.outputs);
  summary.Add(all, 0, nullptr);
  const Json doc = summary.ToJson();
  const Json& a = doc["by_output"][0]["players"][0];
  EXPECT_TRUE(a["mean_abs"].is_null());
  EXPECT_EQ(a["mean_abs_reason"], "every value was NaN");
  EXPECT_TRUE(a["histogram"].is_null());
  EXPECT_TRUE(std::isnan(summary.MeanAbs(0, 0)));
  EXPECT_DOUBLE_EQ(summary.MeanAbs(0, 1), 2);
  EXPECT_EQ(summary.Ranking(0), (std::vector<size_t>{1, 0}));  // undefined last
}

TEST(AttributionSummaryTest, EmptySummaryIsUndefinedWithReasons) {
  AttributionSummary summary({"a"}, {"1"});
  const Json doc = summary.ToJson();
  EXPECT_EQ(doc["rows"], 0);
  EXPECT_TRUE(doc["by_output"][0]["players"][0]["mean"].is_null());
  EXPECT_EQ(doc["by_output"][0]["players"][0]["mean_reason"], "no rows were explained");
  EXPECT_EQ(doc["sample"]["rows"], 0);
}

// 2,500 rows, three players (a number, a string input, a group) and two outputs.
struct BeeswarmCase {
  Attributions all;
  InputFrame frame;
};

BeeswarmCase MakeBeeswarmCase() {
  constexpr int64_t kRows = 2500;
  std::vector<double> values, base;
  for (int64_t r = 0; r < kRows; ++r) {
    for (int k = 0; k < 2; ++k) {
      for (int p = 0; p < 3; ++p) values.push_back(std::sin(0.37 * r + k + 1.3 * p));
      base.push_back(k);
    }
  }
  BeeswarmCase c{MakeAttributions({"x", "s", "g"}, {"o1", "o2"}, kRows, values, base), {}};
  c.frame.names = {"x", "s", "g1", "g2"};
  c.frame.is_string = {false, true, false, false};
  c.frame.dictionaries = {{}, {"low", "mid", "high"}, {}, {}};
  c.frame.rows = kRows;
  for (int64_t r = 0; r < kRows; ++r) {
    for (double v : {0.5 * static_cast<double>(r), static_cast<double>(r % 3), 1.0, 2.0}) {
      c.frame.values.push_back(v);
    }
  }
  return c;
}

Json SummaryInBatches(const BeeswarmCase& c, int64_t batch) {
  AttributionSummary summary(c.all.players, c.all.outputs);
  for (int64_t begin = 0; begin < c.all.rows; begin += batch) {
    const int64_t end = std::min(c.all.rows, begin + batch);
    const InputFrame frame = SliceFrame(c.frame, begin, end);
    summary.Add(SliceRows(c.all, begin, end), begin, &frame);
  }
  return summary.ToJson();
}

TEST(AttributionSummaryTest, BeeswarmSampleIsTheSameWhateverTheBatchSizes) {
  const BeeswarmCase c = MakeBeeswarmCase();
  const Json whole = SummaryInBatches(c, c.all.rows);
  EXPECT_EQ(DumpJson(SummaryInBatches(c, 1)), DumpJson(whole));
  EXPECT_EQ(DumpJson(SummaryInBatches(c, 7)), DumpJson(whole));

  // Brute force: the 1,000 rows with the smallest MixSeed(0, row), in row order.
  std::vector<std::pair<uint64_t, int64_t>> keys;
  for (int64_t r = 0; r < c.all.rows; ++r)
    keys.emplace_back(MixSeed(0, static_cast<uint64_t>(r)), r);
  std::sort(keys.begin(), keys.end());
  std::vector<int64_t> expected_rows;
  for (size_t i = 0; i < 1000; ++i) expected_rows.push_back(keys[i].second);
  std::sort(expected_rows.begin(), expected_rows.end());
  const Json& sample = whole["sample"];
  EXPECT_EQ(sample["rows"], 1000);
  EXPECT_EQ(sample["row_index"].get<std::vector<int64_t>>(), expected_rows);

  // Feature values: x's number, s's code with the levels, the group has none.
  const Json& features = sample["feature_values"];
  EXPECT_EQ(features[0]["kind"], "number");
  EXPECT_EQ(features[1]["kind"], "code");
  EXPECT_EQ(features[1]["levels"], Json({"low", "mid", "high"}));
  EXPECT_EQ(features[2]["kind"], "none");
  EXPECT_TRUE(features[2]["values"].is_null());
  EXPECT_EQ(features[2]["values_reason"], "the player is not a single model input (a group)");
  for (size_t i = 0; i < expected_rows.size(); i += 97) {
    const int64_t r = expected_rows[i];
    EXPECT_EQ(features[0]["values"][i], 0.5 * static_cast<double>(r));
    EXPECT_EQ(features[1]["values"][i], static_cast<double>(r % 3));
    // phi of output o2 (k = 1), player s (p = 1).
    EXPECT_EQ(whole["by_output"][1]["players"][1]["sample_phi"][i], std::sin(0.37 * r + 1 + 1.3));
  }
  // The histogram counts the sampled rows.
  int64_t total = 0;
  for (const Json& n : whole["by_output"][1]["players"][2]["histogram"]["counts"]) {
    total += n.get<int64_t>();
  }
  EXPECT_EQ(total, 1000);
}

TEST(AttributionSummaryTest, InteractionStrengthIsTheMeanAbsoluteOffDiagonalValue) {
  // P = 3: pairs (a,b), (a,c), (b,c): row 0: 0.2, −0.4, 0; row 1: −0.6, 0.4, 1.
  const auto matrix = [](double ab, double ac, double bc) {
    return std::vector<double>{0, ab, ac, 0, ab, 0, bc, 0, ac, bc, 0, 0, 0, 0, 0, 1};
  };
  AttributionSummary summary({"a", "b", "c"}, {"1"});
  summary.AddInteractions(MakeInteractions({"a", "b", "c"}, {"1"}, 1, matrix(0.2, -0.4, 0)));
  summary.AddInteractions(MakeInteractions({"a", "b", "c"}, {"1"}, 1, matrix(-0.6, 0.4, 1)));
  const Json doc = summary.ToJson();
  const Json& strength = doc["interaction_strength"];
  EXPECT_EQ(strength["rows"], 2);
  ASSERT_EQ(strength["pairs"].size(), 3u);
  EXPECT_EQ(strength["pairs"][0]["i"], "a");
  EXPECT_EQ(strength["pairs"][0]["j"], "b");
  EXPECT_DOUBLE_EQ(strength["pairs"][0]["mean_abs"][0].get<double>(), 0.4);
  EXPECT_DOUBLE_EQ(strength["pairs"][1]["mean_abs"][0].get<double>(), 0.4);
  EXPECT_EQ(strength["pairs"][2]["i"], "b");
  EXPECT_EQ(strength["pairs"][2]["j"], "c");
  EXPECT_DOUBLE_EQ(strength["pairs"][2]["mean_abs"][0].get<double>(), 0.5);
}

TEST(AttributionSummaryTest, RendersTheTopPlayersWithBars) {
  Attributions a =
      MakeAttributions({"age", "duration", "amount"}, {"good"}, 1, {0.1, 0.4, -0.2}, {0});
  AttributionSummary summary(a.players, a.outputs);
  summary.Add(a, 0, nullptr);
  EXPECT_EQ(RenderAttributionSummary(summary, 2),
            "Mean |phi| over 1 rows, output \"good\":\n"
            "  duration         0.4  " +
                std::string(40, '#') + "\n" + "  amount           0.2  " + std::string(20, '#') +
                "\n" + "  (1 more not shown)\n");
}

// ---------------------------------------------------------------------------------------
// JSON parts

TEST(AttributionsHeaderJsonTest, FieldsInOrderAndABaseValueIdenticalForAllRows) {
  Attributions a = MakeAttributions({"x", "y"}, {"good"}, 2, {1, 2, 3, 4}, {0.3, 0.3});
  a.method = "kernel";
  a.space = OutputSpace::kProbability;
  a.value_function = "interventional: E_b[f(x_S, b_-S)] over the background";
  a.cover_kind.clear();
  a.seed = 7;
  a.coalitions = 30;
  a.background_rows = 10;
  a.model_evaluations = 600;
  a.max_additivity_error = 1e-12;
  const Json header = AttributionsHeaderJson(a);
  std::vector<std::string> keys;
  for (const auto& item : header.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"method", "space", "value_function", "players",
                                            "outputs", "base_value", "max_additivity_error", "seed",
                                            "model_evaluations", "coalitions", "background_rows"}));
  EXPECT_EQ(header["method"], "kernel");
  EXPECT_EQ(header["space"], "probability");
  EXPECT_EQ(header["base_value"], Json({0.3}));
  EXPECT_EQ(header["seed"], 7);
  EXPECT_EQ(header["max_additivity_error"], 1e-12);
}

TEST(AttributionsHeaderJsonTest, ABaseValueVaryingByRowIsNullWithAReason) {
  Attributions a = MakeAttributions({"x"}, {"a", "b"}, 2, {1, 2, 3, 4}, {0.5, 1, 0.25, 1});
  a.max_additivity_error = std::numeric_limits<double>::infinity();
  const Json header = AttributionsHeaderJson(a);
  EXPECT_EQ(header["cover_kind"], "hessian");
  EXPECT_FALSE(header.contains("seed"));
  EXPECT_FALSE(header.contains("coalitions"));
  EXPECT_FALSE(header.contains("background_rows"));
  EXPECT_EQ(header["base_value"], Json::parse("[null, 1.0]"));
  EXPECT_EQ(header["base_value_reason"],
            "the base value of output \"a\" varies by row (from 0.25 to 0.5): see each row's "
            "base_value");
  EXPECT_EQ(header["max_additivity_error"], "inf");
}

TEST(AttributionRowsJsonTest, RowsNumberedFromFirstRow) {
  Attributions a = MakeAttributions({"x", "y"}, {"a", "b"}, 1, {1, 2, 3, kNaN}, {0.5, -1});
  EXPECT_EQ(AttributionRowsJson(a, 5), Json::parse(R"([{"row": 5, "base_value": [0.5, -1.0],
      "prediction": [3.5, null], "values": [[1.0, 2.0], [3.0, null]]}])"));
}

// ---------------------------------------------------------------------------------------
// Documents of every method, validated against docs/formats/explain.schema.json

InputFrame SmallFrame() {
  InputFrame f;
  f.names = {"duration", "housing"};
  f.is_string = {false, true};
  f.dictionaries = {{}, {"own", "rent"}};
  f.rows = 2;
  f.values = {24, 1, 6, 0};
  return f;
}

Json Envelope() {
  Json doc = MachineDocument("probity.explain/1");
  doc["model"] = {{"path", "german_credit.json"},
                  {"digest", "sha256:" + std::string(64, 'a')},
                  {"format", "xgboost"}};
  doc["data"] = {{"path", "applicants.csv"},
                 {"digest", "sha256:" + std::string(64, 'b')},
                 {"rows_explained", 2}};
  return doc;
}

Json ShapDocument() {
  const BeeswarmCase c = MakeBeeswarmCase();
  const Attributions a = SliceRows(c.all, 0, 3);
  AttributionSummary summary(a.players, a.outputs);
  summary.Add(a, 0, &c.frame);
  std::vector<double> matrices(3 * 2 * 16, 0.125);
  summary.AddInteractions(MakeInteractions(a.players, a.outputs, 3, matrices));
  Json doc = Envelope();
  doc.update(AttributionsHeaderJson(a));
  doc["groups"] = Json::parse(R"([{"name": "g", "inputs": ["g1", "g2"]}])");
  doc["global"] = summary.ToJson();
  doc["rows"] = AttributionRowsJson(a, 0);
  return doc;
}

Json LimeDocument() {
  LimeResult result;
  result.kernel_width = 0.75 * std::sqrt(2.0);
  result.model_evaluations = 10000;
  result.seed = 42;
  LimeExplanation e;
  e.row = 0;
  e.output = "good";
  e.intercept = 0.4;
  e.features = {{"duration", "duration > 12", -0.21}, {"housing", "housing = own", 0.05}};
  e.r2 = 0.61;
  e.holdout_r2 = 0.58;
  e.local_prediction = 0.24;
  e.model_prediction = 0.22;
  result.explanations = {e, e};
  result.explanations[1].row = 1;
  Json doc = Envelope();
  doc.update(LimeToJson(result, {"duration", "housing"}, OutputSpace::kProbability));
  return doc;
}

Json PermutationDocument() {
  PermutationImportance result;
  result.metric = "roc_auc";
  result.baseline = 0.81;
  result.rows = 300;
  result.repeats = 2;
  result.seed = 0;
  result.model_evaluations = 1500;
  result.importances = {{"duration", 0.02, 0.01, {0.01, 0.03}}, {"housing", 0.05, 0, {0.05, 0.05}}};
  Json doc = Envelope();
  doc["data"]["label"] = "credit_risk";
  doc.update(PermutationToJson(result));
  return doc;
}

std::vector<PdpCurve> PdpCurves() {
  PdpCurve numeric;  // brute, with ICE: 2 rows × 3 grid points × 2 outputs
  numeric.feature = "duration";
  numeric.method = "brute";
  numeric.grid = {6, 12, 24};
  numeric.labels = {"6", "12", "24"};
  numeric.outputs = {"bad", "good"};
  numeric.average = {0.2, 0.8, 0.3, 0.7, 0.4, 0.6};  // grid × outputs
  for (int i = 0; i < 12; ++i) numeric.ice.push_back(i / 12.0);
  numeric.data_counts = {1, 5, 7, 2};  // below 6, [6,12), [12,24), ≥ 24
  numeric.rows = 15;
  PdpCurve categorical;  // recursion: the average only
  categorical.feature = "housing";
  categorical.categorical = true;
  categorical.method = "recursion";
  categorical.grid = {0, 1};
  categorical.labels = {"own", "rent"};
  categorical.outputs = {"good"};
  categorical.average = {-0.1, 0.3};
  categorical.data_counts = {9, 4, 2};  // own, rent, missing
  categorical.rows = 15;
  categorical.missing = 2;
  return {numeric, categorical};
}

Json PdpDocument() {
  Json doc = Envelope();
  doc.update(PdpToJson(PdpCurves(), OutputSpace::kProbability));
  return doc;
}

CounterfactualResult MakeCounterfactuals() {
  CounterfactualResult result;
  result.seed = 3;
  result.model_evaluations = 12000;
  CounterfactualSet declined;
  declined.row = 0;
  declined.prediction = 0.31;
  Counterfactual shorter;
  shorter.values = {12, 1};
  shorter.changes = {{"duration", "24", "12"}};
  shorter.distance = 0.5;
  shorter.prediction = 0.55;
  shorter.valid = true;
  Counterfactual own = shorter;
  own.values = {24, 0};
  own.changes = {{"housing", "rent", "own"}};
  own.distance = 1;
  own.prediction = 0.52;
  declined.counterfactuals = {shorter, own};
  declined.diversity = 1.5;
  CounterfactualSet approved;
  approved.row = 1;
  approved.prediction = 0.9;
  approved.already_desired = true;
  result.sets = {declined, approved};
  return result;
}

Json CounterfactualDocument() {
  Json doc = Envelope();
  doc.update(CounterfactualsToJson(MakeCounterfactuals(), SmallFrame(), OutputSpace::kProbability));
  doc["desired"] = {{"output", "good"}, {"threshold", 0.5}, {"above", true}};
  doc["immutable"] = Json::array({"housing"});
  return doc;
}

TEST(ExplainJsonTest, PdpLayoutPerOutputAndDistribution) {
  const Json pdp = PdpToJson(PdpCurves(), OutputSpace::kProbability);
  EXPECT_EQ(pdp["method"], "pdp");
  EXPECT_EQ(pdp["space"], "probability");
  const Json& numeric = pdp["curves"][0];
  EXPECT_EQ(numeric["expectation"], "data");
  EXPECT_EQ(numeric["average"], Json::parse("[[0.2, 0.3, 0.4], [0.8, 0.7, 0.6]]"));
  // ice[k][row][g] = buffer[row·(grid·outputs) + g·outputs + k]: output "good", row 1, g 2.
  EXPECT_EQ(numeric["ice"][1][1][2], (6 + 2 * 2 + 1) / 12.0);
  EXPECT_EQ(numeric["data_counts"],
            Json::parse(R"({"below": 1, "intervals": [5, 7], "at_or_above_last": 2})"));
  const Json& categorical = pdp["curves"][1];
  EXPECT_EQ(categorical["expectation"], "path_dependent");
  EXPECT_TRUE(categorical["ice"].is_null());
  EXPECT_EQ(categorical["ice_reason"], "the recursion method computes the average only");
  EXPECT_EQ(categorical["data_counts"], Json::parse(R"({"levels": [9, 4], "missing": 2})"));
}

TEST(ExplainJsonTest, CounterfactualsCarryTheRowAndEveryCandidateAsValues) {
  const Json doc = CounterfactualsToJson(MakeCounterfactuals(), SmallFrame());
  EXPECT_FALSE(doc.contains("space"));
  EXPECT_EQ(doc["inputs"], Json({"duration", "housing"}));
  const Json& declined = doc["sets"][0];
  EXPECT_EQ(declined["input"], Json::parse(R"([24.0, "rent"])"));
  EXPECT_EQ(declined["counterfactuals"][1]["values"], Json::parse(R"([24.0, "own"])"));
  EXPECT_EQ(declined["found"], 2);
  EXPECT_EQ(declined["valid"], 2);
  EXPECT_EQ(declined["diversity"], 1.5);
  const Json& approved = doc["sets"][1];
  EXPECT_EQ(approved["input"], Json::parse(R"([6.0, "own"])"));
  EXPECT_TRUE(approved["diversity"].is_null());
  EXPECT_EQ(approved["diversity_reason"], "fewer than two counterfactuals");
}

TEST(ExplainJsonTest, PermutationRankingAndLimeIsMarkedNotAdditive) {
  const Json permutation = PermutationDocument();
  EXPECT_EQ(permutation["ranking"], Json({"housing", "duration"}));
  EXPECT_EQ(permutation["importances"][0]["raw"], Json({0.01, 0.03}));
  const Json lime = LimeDocument();
  EXPECT_EQ(lime["additive"], false);
  EXPECT_EQ(lime["explanations"][1]["row"], 1);
  EXPECT_EQ(lime["explanations"][0]["features"][0]["condition"], "duration > 12");
}

class ExplainSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (probity::testing::RunCommand({"/usr/bin/python3", "-c", "import jsonschema"}).exit_code !=
        0) {
      GTEST_SKIP() << "python3-jsonschema is not installed (scripts/setup installs it)";
    }
  }
  // Exit code of the validator on `doc`, with its messages in *messages.
  int Validate(const Json& doc, const std::string& name, std::string* messages) {
    const std::string path = ::testing::TempDir() + "/explain_schema_" + name + ".json";
    std::ofstream(path, std::ios::binary) << DumpJson(doc);
    const std::string source = PROBITY_SOURCE_DIR;
    auto result =
        probity::testing::RunCommand({"/usr/bin/python3", source + "/tests/tools/validate_json.py",
                                      source + "/docs/formats/explain.schema.json", path});
    *messages = result.out + result.err;
    return result.exit_code;
  }
};

TEST_F(ExplainSchemaTest, EveryMethodsDocumentValidates) {
  const std::vector<std::pair<std::string, Json>> documents = {
      {"shap", ShapDocument()},
      {"lime", LimeDocument()},
      {"permutation", PermutationDocument()},
      {"pdp", PdpDocument()},
      {"counterfactual", CounterfactualDocument()}};
  for (const auto& [name, doc] : documents) {
    std::string messages;
    EXPECT_EQ(Validate(doc, name, &messages), 0) << name << ": " << messages;
  }
}

// ReasonsToJson is another unit's; this checks the schema's reasons branch against the
// example in docs/formats/explain.md (rewritten with real digests).
TEST_F(ExplainSchemaTest, TheDocumentedReasonsExampleValidates) {
  Json doc = MachineDocument("probity.explain.reasons/1");
  doc["model"] = Envelope()["model"];
  doc["data"] = Envelope()["data"];
  doc.update(Json::parse(R"({
    "method": "tree_path_dependent", "space": "margin", "reference": "population", "top_k": 4,
    "threshold": 0.5, "unfavourable_above": false, "rows_scored": 1000, "stability_runs": 0,
    "unstable_rows": 0, "excluded": ["personal_status_sex", "age", "foreign_worker"],
    "rows": [{"row": 17, "score": 0.21, "stable": true, "reasons": [
      {"rank": 1, "code": "R01", "text": "Duration of credit requested is too long",
       "players": ["duration"], "contribution": 0.53, "agreement": 1, "stable": true,
       "fragile": false}]}]})"));
  std::string messages;
  EXPECT_EQ(Validate(doc, "reasons", &messages), 0) << messages;
  doc["rows"][0]["reasons"][0].erase("code");
  EXPECT_NE(Validate(doc, "reasons_no_code", &messages), 0);
}

TEST_F(ExplainSchemaTest, TheSchemaIsNotVacuous) {
  std::string messages;
  Json shap = ShapDocument();
  shap.erase("global");
  EXPECT_NE(Validate(shap, "no_global", &messages), 0);
  Json counterfactual = CounterfactualDocument();
  counterfactual["sets"][1].erase("diversity_reason");  // null without its reason
  EXPECT_NE(Validate(counterfactual, "no_reason", &messages), 0);
  Json lime = LimeDocument();
  lime["method"] = "anchors";
  EXPECT_NE(Validate(lime, "unknown_method", &messages), 0);
}

}  // namespace
}  // namespace probity::explain
