// PMML loader and evaluator on the hand-written documents of tests/data/models/pmml/ (see
// SOURCES.md there: every expected number was computed by hand or by the python3 formula
// recorded beside the test).
#include "audit/ingest/models/pmml/pmml_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <variant>

#include "audit/core/status.h"
#include "tests/testing/test_data.h"

namespace probity::models {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(testing::TestDataPath("models/pmml/" + name), std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::unique_ptr<Model> Load(const std::string& xml, const std::string& name = "test.pmml") {
  Result<std::unique_ptr<Model>> model = LoadPmmlModel(xml, name);
  EXPECT_TRUE(model.has_value()) << model.error().ToString();
  return model.has_value() ? std::move(model).value() : nullptr;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A column of numbers (nullopt = missing) or of strings ("" = missing).
using Cells = std::variant<std::vector<std::optional<double>>, std::vector<std::string>>;

Table MakeTable(const std::vector<std::pair<std::string, Cells>>& columns) {
  std::vector<Field> fields;
  std::vector<Column> data;
  for (const auto& [name, cells] : columns) {
    if (const auto* numbers = std::get_if<0>(&cells)) {
      Column c(DataType::kFloat64);
      for (const auto& v : *numbers) v ? c.AppendFloat64(*v) : c.AppendNull();
      data.push_back(std::move(c));
      fields.push_back(Field{.name = name, .type = DataType::kFloat64});
    } else {
      Column c(DataType::kString);
      for (const auto& v : std::get<1>(cells)) v.empty() ? c.AppendNull() : c.AppendString(v);
      data.push_back(std::move(c));
      fields.push_back(Field{.name = name, .type = DataType::kString});
    }
  }
  return Table(Schema(std::move(fields)), std::move(data));
}

Predictions Score(const Model& model, const Table& table) {
  Result<Predictions> p = model.Predict(table);
  EXPECT_TRUE(p.has_value()) << p.error().ToString();
  return p.has_value() ? std::move(p).value() : Predictions{};
}

const Column& Extra(const Predictions& p, const std::string& name) {
  for (const auto& [n, column] : p.extra) {
    if (n == name) return column;
  }
  ADD_FAILURE() << "no output column " << name;
  static const Column empty;
  return empty;
}

std::string Label(const Model& model, const Predictions& p, size_t row) {
  const int32_t label = p.labels[row];
  return label < 0 ? "<missing>" : model.info().classes[static_cast<size_t>(label)];
}

Status LoadError(const std::string& xml, const std::string& name) {
  Result<std::unique_ptr<Model>> model = LoadPmmlModel(xml, name);
  EXPECT_FALSE(model.has_value());
  return model.has_value() ? OkStatus() : model.error();
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using Numbers = std::vector<std::optional<double>>;
using Strings = std::vector<std::string>;

// ---- RegressionModel ----------------------------------------------------------------------

TEST(PmmlModelTest, LinearRegressionWithTermsAndTargetRescaling) {
  auto model = Load(Fixture("regression.pmml"));
  ASSERT_NE(model, nullptr);
  const ModelInfo& info = model->info();
  EXPECT_EQ(info.format, "pmml");
  EXPECT_EQ(info.format_version, "4.4");
  EXPECT_EQ(info.algorithm, "RegressionModel");
  EXPECT_EQ(info.task, ModelTask::kRegression);
  EXPECT_EQ(info.target, "y");
  ASSERT_EQ(info.inputs.size(), 3U);
  EXPECT_EQ(info.inputs[2].name, "c");
  EXPECT_EQ(info.inputs[2].kind, InputKind::kCategorical);
  EXPECT_EQ(info.inputs[2].categories, (Strings{"a", "b"}));
  // y = 2·(1 + 2·x1 + 0.5·x2² + 3·[c=b] + 0.25·x1·x2) + 1
  Predictions p = Score(*model, MakeTable({{"x1", Numbers{1, 0, std::nullopt}},
                                           {"x2", Numbers{2, 0, 1}},
                                           {"c", Strings{"a", "b", "a"}}}));
  EXPECT_EQ(p.values[0], 2 * (1 + 2 + 2 + 0.5) + 1);
  EXPECT_EQ(p.values[1], 2 * (1 + 3) + 1);
  EXPECT_TRUE(std::isnan(p.values[2]));
  EXPECT_EQ(Extra(p, "pred").float64s()[0], 12);
  EXPECT_FALSE(Extra(p, "pred").IsValid(2));
}

TEST(PmmlModelTest, LinearViewOfPlainRegression) {
  auto model = Load(Fixture("logistic.pmml"));
  ASSERT_NE(model, nullptr);
  const LinearView* view = model->linear_view();
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->link, "logit");
  EXPECT_EQ(view->coefficients, (std::vector<std::vector<double>>{{2}, {0}}));
  EXPECT_EQ(view->intercepts, (std::vector<double>{-1, 0}));
  // Categorical and product terms have no linear view.
  EXPECT_EQ(Load(Fixture("regression.pmml"))->linear_view(), nullptr);
}

TEST(PmmlModelTest, BinaryLogitGivesTheSecondClassTheComplement) {
  auto model = Load(Fixture("logistic.pmml"));
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().classes, (Strings{"yes", "no"}));
  Predictions p = Score(*model, MakeTable({{"x", Numbers{0.5, 1, 0}}}));
  EXPECT_EQ(p.Probability(0, 0), 0.5);
  EXPECT_DOUBLE_EQ(p.Probability(1, 0), 0.7310585786300049);  // 1/(1+exp(-1))
  EXPECT_DOUBLE_EQ(p.Probability(1, 1), 1 - 0.7310585786300049);
  EXPECT_EQ(Label(*model, p, 1), "yes");
  EXPECT_EQ(Label(*model, p, 2), "no");
  EXPECT_EQ(Extra(p, "predicted").StringAt(2), "no");
  EXPECT_DOUBLE_EQ(Extra(p, "p_yes").float64s()[1], 0.7310585786300049);
}

TEST(PmmlModelTest, BinaryLinkFunctions) {
  // y = -1 + 2·1 = 1 for the first class; python3: 0.5*math.erfc(-1/math.sqrt(2)),
  // 1-math.exp(-math.exp(1)), math.exp(-math.exp(-1)), 0.5+math.atan(1)/math.pi.
  const std::vector<std::pair<std::string, double>> cases = {
      {"probit", 0.8413447460685429},
      {"cloglog", 0.9340119641546875},
      {"loglog", 0.6922006275553464},
      {"cauchit", 0.75},
  };
  for (const auto& [link, expected] : cases) {
    auto model = Load(Replace(Fixture("logistic.pmml"), "\"logit\"", "\"" + link + "\""));
    ASSERT_NE(model, nullptr);
    Predictions p = Score(*model, MakeTable({{"x", Numbers{1}}}));
    EXPECT_DOUBLE_EQ(p.Probability(0, 0), expected) << link;
    EXPECT_DOUBLE_EQ(p.Probability(0, 1), 1 - expected) << link;
  }
}

TEST(PmmlModelTest, SoftmaxOverThreeClassesInAPmml32Document) {
  auto model = Load(Fixture("softmax.pmml"));
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().format_version, "3.2");
  Predictions p = Score(*model, MakeTable({{"x", Numbers{1}}}));
  // scores (1, 0, 0): e/(e+2), 1/(e+2), 1/(e+2)
  EXPECT_DOUBLE_EQ(p.Probability(0, 0), 0.5761168847658291);
  EXPECT_DOUBLE_EQ(p.Probability(0, 1), 0.21194155761708547);
  EXPECT_DOUBLE_EQ(p.Probability(0, 2), 0.21194155761708547);
  EXPECT_EQ(Label(*model, p, 0), "a");
}

// ---- TreeModel ----------------------------------------------------------------------------

struct TreeCase {
  std::string strategy;
  std::string no_true_child;
  std::string label;  // for x missing, c = "u"
  double p_a;         // NaN = missing
};

TEST(PmmlModelTest, TreeMissingValueStrategies) {
  // Row x missing, c = "u". Root A (6/10); node 2 A (5/6, rc 6); node 3 B → node 4 A (1/1, rc 1).
  const std::vector<TreeCase> cases = {
      {"none", "returnNullPrediction", "<missing>", kNaN},  // both children unknown → false
      {"none", "returnLastPrediction", "A", 0.6},
      {"lastPrediction", "returnNullPrediction", "A", 0.6},
      {"nullPrediction", "returnNullPrediction", "<missing>", kNaN},
      {"defaultChild", "returnNullPrediction", "A", 1.0},  // root → 3 (default) → 4 (c=u)
      {"weightedConfidence", "returnNullPrediction", "A", 6.0 / 7},  // (6·5/6 + 1·1)/7
      {"aggregateNodes", "returnNullPrediction", "A", 6.0 / 7},      // (5+1)/(6+1)
  };
  for (const TreeCase& c : cases) {
    std::string xml = Replace(Fixture("tree_missing.pmml"), "missingValueStrategy=\"none\"",
                              "missingValueStrategy=\"" + c.strategy + "\"");
    xml = Replace(xml, "noTrueChildStrategy=\"returnNullPrediction\"",
                  "noTrueChildStrategy=\"" + c.no_true_child + "\"");
    auto model = Load(xml);
    ASSERT_NE(model, nullptr);
    Predictions p = Score(
        *model, MakeTable({{"x", Numbers{std::nullopt, 7, 2}}, {"c", Strings{"u", "w", "v"}}}));
    EXPECT_EQ(Label(*model, p, 0), c.label) << c.strategy << "/" << c.no_true_child;
    if (std::isnan(c.p_a)) {
      EXPECT_TRUE(std::isnan(p.Probability(0, 0))) << c.strategy;
    } else {
      EXPECT_DOUBLE_EQ(p.Probability(0, 0), c.p_a) << c.strategy;
    }
    // Rows without missing values: x=7, c=w → node 5 (B); x=2 → node 2 (A, 5/6).
    EXPECT_EQ(Label(*model, p, 1), "B");
    EXPECT_EQ(Extra(p, "node").StringAt(1), "5");
    EXPECT_EQ(Label(*model, p, 2), "A");
    EXPECT_DOUBLE_EQ(Extra(p, "p_A").float64s()[2], 5.0 / 6);
  }
}

TEST(PmmlModelTest, TreeCompoundPredicates) {
  auto model = Load(Fixture("tree_compound.pmml"));
  ASSERT_NE(model, nullptr);
  // (x, y) → first node whose predicate is true: surrogate(x<0, y<0) → 1,
  // xor(x≥10, y≥10) → 2, or(x≥5, y≥5) → 3, and(x present, False) → never, True → 5.
  Predictions p =
      Score(*model, MakeTable({
                        {"x", Numbers{-1, std::nullopt, std::nullopt, 12, 12, 1, std::nullopt}},
                        {"y", Numbers{3, -1, std::nullopt, 1, 12, 1, 6}},
                    }));
  EXPECT_EQ(p.values[0], 1);  // x<0
  EXPECT_EQ(p.values[1], 1);  // surrogate falls back to y<0
  EXPECT_EQ(p.values[2], 5);  // all unknown → false under strategy "none"
  EXPECT_EQ(p.values[3], 2);  // xor(true, false)
  EXPECT_EQ(p.values[4], 3);  // xor(true, true) is false; or is true
  EXPECT_EQ(p.values[5], 5);
  EXPECT_EQ(p.values[6], 3);  // or(unknown, true) is true
}

TEST(PmmlModelTest, BinaryTreeHasATreeView) {
  auto model = Load(Fixture("tree_binary.pmml"));
  ASSERT_NE(model, nullptr);
  const TreeEnsembleView* view = model->tree_view();
  ASSERT_NE(view, nullptr);
  ASSERT_EQ(view->trees.size(), 1U);
  const std::vector<TreeNode>& n = view->trees[0].nodes;
  ASSERT_EQ(n.size(), 5U);
  EXPECT_EQ(n[0].kind, SplitKind::kLessEqual);
  EXPECT_EQ(n[0].feature, 1);  // b
  EXPECT_EQ(n[0].threshold, 2.5);
  EXPECT_FALSE(n[0].default_left);  // defaultChild "hi"
  EXPECT_EQ(n[0].cover, 100);
  EXPECT_EQ(n[n[0].left].leaf, (std::vector<double>{1.5}));
  const TreeNode& hi = n[n[0].right];
  EXPECT_EQ(hi.kind, SplitKind::kLess);  // a >= 0 goes right, so a < 0 left
  EXPECT_EQ(hi.feature, 0);
  EXPECT_TRUE(hi.default_left);  // defaultChild "hi2" is the low side
  EXPECT_EQ(n[hi.left].leaf, (std::vector<double>{7}));
  EXPECT_EQ(n[hi.right].leaf, (std::vector<double>{-2}));
  Predictions p = Score(*model, MakeTable({{"a", Numbers{1, -1, std::nullopt, 5}},
                                           {"b", Numbers{3, 3, 3, std::nullopt}}}));
  EXPECT_EQ(p.values, (Buffer<double>{-2, 7, 7, -2}));  // b missing → "hi" → a ≥ 0
  EXPECT_EQ(Load(Fixture("tree_compound.pmml"))->tree_view(), nullptr);
}

// ---- MiningModel --------------------------------------------------------------------------

TEST(PmmlModelTest, SegmentationCombinesRegressions) {
  // Segments score 1, 2, 6 with weights 1, 1, 2.
  const std::vector<std::pair<std::string, double>> cases = {
      {"sum", 9},    {"average", 3}, {"weightedAverage", 15.0 / 4},
      {"median", 2}, {"max", 6},     {"selectFirst", 1}};
  for (const auto& [method, expected] : cases) {
    auto model = Load(Replace(Fixture("mining_regression.pmml"), "\"sum\"", "\"" + method + "\""));
    ASSERT_NE(model, nullptr);
    Predictions p = Score(*model, MakeTable({{"x", Numbers{0}}}));
    EXPECT_EQ(p.values[0], expected) << method;
  }
  auto sum = Load(Fixture("mining_regression.pmml"));
  const TreeEnsembleView* view = sum->tree_view();
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->trees.size(), 3U);
  EXPECT_FALSE(view->average);
}

TEST(PmmlModelTest, SegmentationVotes) {
  // Segment 1 (weight 3, only when x > 0) says A; segments 2 and 3 (weight 1) say B.
  const Table rows = MakeTable({{"x", Numbers{1, -1}}});
  auto majority = Load(Fixture("mining_vote.pmml"));
  ASSERT_NE(majority, nullptr);
  Predictions p = Score(*majority, rows);
  EXPECT_EQ(Label(*majority, p, 0), "B");
  EXPECT_DOUBLE_EQ(p.Probability(0, 1), 2.0 / 3);
  EXPECT_EQ(Extra(p, "p_B").float64s()[1], 1);
  auto weighted =
      Load(Replace(Fixture("mining_vote.pmml"), "\"majorityVote\"", "\"weightedMajorityVote\""));
  p = Score(*weighted, rows);
  EXPECT_EQ(Label(*weighted, p, 0), "A");
  EXPECT_DOUBLE_EQ(p.Probability(0, 0), 3.0 / 5);
  auto first = Load(Replace(Fixture("mining_vote.pmml"), "\"majorityVote\"", "\"selectFirst\""));
  p = Score(*first, rows);
  EXPECT_EQ(Label(*first, p, 0), "A");
  EXPECT_EQ(Label(*first, p, 1), "B");
  auto all = Load(Replace(Fixture("mining_vote.pmml"), "\"majorityVote\"", "\"selectAll\""));
  p = Score(*all, rows);
  EXPECT_EQ(Label(*all, p, 0), "<missing>");  // three segments selected: no single output
}

TEST(PmmlModelTest, ModelChainPassesOutputsForward) {
  auto model = Load(Fixture("mining_chain.pmml"));
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().inputs.size(), 1U);
  Predictions p = Score(*model, MakeTable({{"x", Numbers{1, 2}}}));
  EXPECT_EQ(p.values[0], 20);  // 2·1 = 2 ≤ 3
  EXPECT_EQ(p.values[1], 10);  // 2·2 = 4 > 3
}

// ---- Transformations and value treatment --------------------------------------------------

TEST(PmmlModelTest, TransformationsAndMiningFieldTreatment) {
  auto model = Load(Fixture("transformations.pmml"));
  ASSERT_NE(model, nullptr);
  // x: missing → 50 (missingValueReplacement); 200 is outside [0, 100] → invalid → missing →
  // 50; -999 is a declared missing value → 50. c: "z" is invalid, kept as is.
  Predictions p = Score(*model, MakeTable({{"x", Numbers{5, 55, std::nullopt, 200, -999}},
                                           {"c", Strings{"a", "b", "", "z", "c"}}}));
  const double nc50 = 1 + 40.0 / 90;  // NormContinuous between (10, 1) and (100, 2)
  const Column& nc = Extra(p, "out_nc");
  EXPECT_EQ(nc.float64s()[0], 0.5);
  EXPECT_EQ(nc.float64s()[1], 1.5);
  EXPECT_DOUBLE_EQ(nc.float64s()[2], nc50);
  EXPECT_DOUBLE_EQ(nc.float64s()[3], nc50);
  EXPECT_DOUBLE_EQ(nc.float64s()[4], nc50);
  EXPECT_DOUBLE_EQ(p.values[3], nc50);
  const Column& nd = Extra(p, "out_nd");
  EXPECT_EQ(nd.float64s()[0], 0);
  EXPECT_EQ(nd.float64s()[1], 1);
  EXPECT_FALSE(nd.IsValid(2));
  EXPECT_EQ(nd.float64s()[3], 0);
  const Column& disc = Extra(p, "out_disc");
  EXPECT_EQ(disc.StringAt(0), "low");
  EXPECT_EQ(disc.StringAt(1), "high");
  const Column& mv = Extra(p, "out_mv");
  EXPECT_EQ(mv.StringAt(0), "1st");
  EXPECT_EQ(mv.StringAt(1), "2nd");
  EXPECT_EQ(mv.StringAt(2), "missing");  // mapMissingTo
  EXPECT_EQ(mv.StringAt(3), "other");    // defaultValue
  const Column& ap = Extra(p, "out_ap");
  EXPECT_EQ(ap.float64s()[0], 10);  // if(isMissing(c), -1, x·2 + ln 1)
  EXPECT_EQ(ap.float64s()[1], 110);
  EXPECT_EQ(ap.float64s()[2], -1);
  EXPECT_EQ(ap.float64s()[3], 100);
  const Column& logic = Extra(p, "out_logic");  // x > 20 and c in {b, c}
  EXPECT_EQ(logic.float64s()[0], 0);
  EXPECT_EQ(logic.float64s()[1], 1);
  EXPECT_FALSE(logic.IsValid(2));  // true and unknown
  EXPECT_EQ(logic.float64s()[3], 0);
  EXPECT_EQ(logic.float64s()[4], 1);
  // round(exp(x/10)) through a LocalTransformations field; python3:
  // math.floor(math.exp(0.5)+0.5), …(5.5)…, …(5)…
  const Column& e = Extra(p, "out_exp");
  EXPECT_EQ(e.float64s()[0], 2);
  EXPECT_EQ(e.float64s()[1], 245);
  EXPECT_EQ(e.float64s()[2], 148);
}

TEST(PmmlModelTest, ReturnInvalidIsAnErrorNamingTheColumnAndRow) {
  auto model = Load(Replace(Fixture("transformations.pmml"), "invalidValueTreatment=\"asIs\"",
                            "invalidValueTreatment=\"returnInvalid\""));
  ASSERT_NE(model, nullptr);
  Result<Predictions> p =
      model->Predict(MakeTable({{"x", Numbers{5, 6}}, {"c", Strings{"a", "q"}}}));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.error().ToString(),
            "row 2: column \"c\" holds \"q\", which the model treats as invalid "
            "(invalidValueTreatment=\"returnInvalid\"); expected a valid value of DataField "
            "\"c\" (one of a, b, c)");
  auto numeric =
      Load(Replace(Fixture("transformations.pmml"), "invalidValueTreatment=\"asMissing\"", ""));
  ASSERT_NE(numeric, nullptr);
  p = numeric->Predict(MakeTable({{"x", Numbers{200}}, {"c", Strings{"a"}}}));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().ToString(),
            "row 1: column \"x\" holds \"200\", which the model treats as invalid "
            "(invalidValueTreatment=\"returnInvalid\"); expected a valid value of DataField "
            "\"x\" (a number in its declared intervals)");
}

TEST(PmmlModelTest, MissingInputColumnIsAnError) {
  auto model = Load(Fixture("logistic.pmml"));
  ASSERT_NE(model, nullptr);
  Result<Predictions> p = model->Predict(MakeTable({{"y", Numbers{1}}}));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.error().ToString().find("model input \"x\" has no column"), std::string::npos);
}

// ---- Other model families -----------------------------------------------------------------

TEST(PmmlModelTest, NeuralNetworkClassifier) {
  auto model = Load(Fixture("neural_network.pmml"));
  ASSERT_NE(model, nullptr);
  Predictions p = Score(*model, MakeTable({{"x1", Numbers{1, -2}}, {"x2", Numbers{5, 10}}}));
  // python3 formula in SOURCES.md (logistic hidden layer, softmax output)
  EXPECT_DOUBLE_EQ(p.Probability(0, 0), 0.5757280655585044);
  EXPECT_DOUBLE_EQ(p.Probability(0, 1), 0.4242719344414956);
  EXPECT_DOUBLE_EQ(p.Probability(1, 0), 0.24297893833686718);
  EXPECT_EQ(Label(*model, p, 1), "q");
}

TEST(PmmlModelTest, NeuralNetworkRegressionDenormalizesItsOutput) {
  auto model = Load(Fixture("neural_network_regression.pmml"));
  ASSERT_NE(model, nullptr);
  Predictions p = Score(*model, MakeTable({{"x", Numbers{0, 2}}}));
  EXPECT_DOUBLE_EQ(p.values[0], 5.49343830056226);  // 10·(0.5 + 0.25·tanh(0.2 + 0.7x))
  EXPECT_DOUBLE_EQ(p.values[1], 7.304171386016178);
}

TEST(PmmlModelTest, GeneralRegressionMultinomial) {
  auto model = Load(Fixture("general_regression.pmml"));
  ASSERT_NE(model, nullptr);
  Predictions p = Score(*model, MakeTable({{"x", Numbers{2, -1}}, {"g", Strings{"n", "m"}}}));
  EXPECT_DOUBLE_EQ(p.Probability(0, 0), 0.24593386650585775);
  EXPECT_DOUBLE_EQ(p.Probability(0, 1), 0.6048997031966656);
  EXPECT_DOUBLE_EQ(p.Probability(0, 2), 0.14916643029747662);
  EXPECT_DOUBLE_EQ(p.Probability(1, 0), 0.7769657493351424);
  EXPECT_DOUBLE_EQ(p.Probability(1, 1), 0.049669758585862527);
  EXPECT_EQ(Label(*model, p, 0), "s");
}

TEST(PmmlModelTest, GeneralRegressionOrdinalCumulativeLogit) {
  auto model = Load(Fixture("general_regression_ordinal.pmml"));
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().inputs[0].kind, InputKind::kContinuous);
  Predictions p = Score(*model, MakeTable({{"x", Numbers{0, 2}}}));
  EXPECT_DOUBLE_EQ(p.Probability(0, 0), 0.2689414213699951);
  EXPECT_DOUBLE_EQ(p.Probability(0, 1), 0.4621171572600098);
  EXPECT_DOUBLE_EQ(p.Probability(0, 2), 0.2689414213699951);
  EXPECT_DOUBLE_EQ(p.Probability(1, 0), 0.5);
  EXPECT_DOUBLE_EQ(p.Probability(1, 2), 0.11920292202211769);
}

TEST(PmmlModelTest, GeneralRegressionLogLinkWithOffset) {
  auto model = Load(Fixture("general_regression_log.pmml"));
  ASSERT_NE(model, nullptr);
  Predictions p = Score(*model, MakeTable({{"x", Numbers{0, 3}}}));
  EXPECT_DOUBLE_EQ(p.values[0], 2.117000016612675);  // exp(0.25 − 0.3x + 0.5)
  EXPECT_DOUBLE_EQ(p.values[1], 0.8607079764250579);
}

TEST(PmmlModelTest, NaiveBayesDiscreteAndGaussian) {
  auto model = Load(Fixture("naive_bayes.pmml"));
  ASSERT_NE(model, nullptr);
  Predictions p =
      Score(*model, MakeTable({{"c", Strings{"red", "blue", ""}}, {"x", Numbers{2, 3, 3}}}));
  EXPECT_DOUBLE_EQ(p.Probability(0, 0), 0.6857803467263038);
  EXPECT_DOUBLE_EQ(p.Probability(1, 0), 0.9934483224775595);  // count 0 → threshold 0.001
  EXPECT_DOUBLE_EQ(p.Probability(2, 1), 0.6873334100292973);  // missing c is skipped
  EXPECT_EQ(Label(*model, p, 2), "n");
}

TEST(PmmlModelTest, SupportVectorMachines) {
  auto model = Load(Fixture("svm.pmml"));
  ASSERT_NE(model, nullptr);
  // f(1,0) = 1.1675… ≥ 0 → alternate "b"; f(0,1) = −1.0449… < 0 → "a".
  Predictions p = Score(*model, MakeTable({{"x1", Numbers{1, 0}}, {"x2", Numbers{0, 1}}}));
  EXPECT_EQ(Label(*model, p, 0), "b");
  EXPECT_EQ(Label(*model, p, 1), "a");
  EXPECT_EQ(p.Probability(1, 0), 1);
  auto regression = Load(Fixture("svm_regression.pmml"));
  ASSERT_NE(regression, nullptr);
  p = Score(*regression, MakeTable({{"x1", Numbers{3}}, {"x2", Numbers{0.5}}}));
  EXPECT_EQ(p.values[0], 1 + 6 - 0.5);
}

TEST(PmmlModelTest, ClusteringReportsClusterAndAffinities) {
  auto model = Load(Fixture("clustering.pmml"));
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().task, ModelTask::kClustering);
  EXPECT_EQ(model->info().classes, (Strings{"near", "far"}));
  Predictions p = Score(*model, MakeTable({{"x", Numbers{1, 9}}, {"y", Numbers{1, 2}}}));
  EXPECT_EQ(p.labels, (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(Extra(p, "cluster").StringAt(1), "far");
  EXPECT_DOUBLE_EQ(Extra(p, "d_near").float64s()[0], 2.23606797749979);  // √(1 + 4·1)
  EXPECT_EQ(Extra(p, "d_far").float64s()[0], 9);
  EXPECT_DOUBLE_EQ(Extra(p, "d_near").float64s()[1], 9.848857801796104);  // √(81 + 4·4)
}

TEST(PmmlModelTest, RuleSetCriteria) {
  const Table rows = MakeTable({{"x", Numbers{15, 5, -1, 25}}});
  auto first = Load(Fixture("rule_set.pmml"));
  ASSERT_NE(first, nullptr);
  Predictions p = Score(*first, rows);
  EXPECT_EQ(Label(*first, p, 0), "hi");
  EXPECT_EQ(Label(*first, p, 1), "lo");
  EXPECT_EQ(Extra(p, "rule").StringAt(1), "r2");
  EXPECT_EQ(Label(*first, p, 2), "lo");  // defaultScore
  EXPECT_FALSE(Extra(p, "rule").IsValid(2));
  auto max = Load(Replace(Fixture("rule_set.pmml"), "\"firstHit\"", "\"weightedMax\""));
  p = Score(*max, rows);
  EXPECT_EQ(Label(*max, p, 0), "lo");  // r2 (3) beats r3 (2.5) and r1 (1)
  EXPECT_EQ(Label(*max, p, 3), "hi");  // r3
  auto sum = Load(Replace(Fixture("rule_set.pmml"), "\"firstHit\"", "\"weightedSum\""));
  p = Score(*sum, rows);
  EXPECT_EQ(Label(*sum, p, 0), "hi");  // hi 1 + 2.5 > lo 3
}

TEST(PmmlModelTest, ScorecardWithReasonCodes) {
  auto model = Load(Fixture("scorecard.pmml"));
  ASSERT_NE(model, nullptr);
  Predictions p = Score(
      *model, MakeTable({{"age", Numbers{20, 40, 24}}, {"job", Strings{"none", "some", "some"}}}));
  EXPECT_EQ(p.values, (Buffer<double>{105, 150, 117}));
  const Column& r1 = Extra(p, "reason1");
  const Column& r2 = Extra(p, "reason2");
  EXPECT_EQ(r1.StringAt(0), "AGE");  // AGE 20−5 = 15 ties NOJOB 15−0: document order
  EXPECT_EQ(r2.StringAt(0), "NOJOB");
  EXPECT_FALSE(r1.IsValid(1));       // no code below its baseline
  EXPECT_EQ(r1.StringAt(2), "AGE");  // 15 > JOB 15 − 12 = 3
  EXPECT_EQ(r2.StringAt(2), "JOB");
}

TEST(PmmlModelTest, ConcurrentPredictionsAgree) {
  auto model = Load(Fixture("tree_missing.pmml"));
  ASSERT_NE(model, nullptr);
  Numbers x;
  Strings c;
  for (int i = 0; i < 5000; ++i) {
    x.push_back(i % 7 == 0 ? std::nullopt : std::optional<double>(i % 11));
    c.push_back(i % 3 == 0 ? "u" : "w");
  }
  const Table rows = MakeTable({{"x", x}, {"c", c}});
  const Predictions reference = Score(*model, rows);
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Result<Predictions> p = model->Predict(rows);
      same[static_cast<size_t>(t)] = p.has_value() && p->labels == reference.labels;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(same, (std::vector<int>{1, 1, 1, 1}));
}

// ---- Malformed and unsupported documents --------------------------------------------------

TEST(PmmlModelTest, TruncatedXml) {
  Status s = LoadError(Fixture("malformed_truncated.pmml"), "cut.pmml");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "cut.pmml:16: malformed XML: Error parsing start element tag");
}

TEST(PmmlModelTest, WrongAttributeType) {
  Status s = LoadError(Fixture("malformed_wrong_type.pmml"), "bad.pmml");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(),
            "bad.pmml:21: attribute \"intercept\" of <RegressionTable> is \"minus one\"; expected "
            "a number");
}

TEST(PmmlModelTest, UnknownFieldReference) {
  Status s = LoadError(Fixture("malformed_unknown_field.pmml"), "ref.pmml");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(),
            "ref.pmml:22: <NumericPredictor> refers to the field \"z\", which is not defined");
}

TEST(PmmlModelTest, AbsurdDeclaredCount) {
  Status s = LoadError(Fixture("malformed_huge_count.pmml"), "huge.pmml");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(),
            "huge.pmml:4: attribute \"numberOfFields\" of <DataDictionary> is \"1e12\"; expected "
            "an integer from 0 to 10000000");
}

TEST(PmmlModelTest, DerivedFieldCycle) {
  Status s = LoadError(Fixture("malformed_cycle.pmml"), "cycle.pmml");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "cycle.pmml:9: DerivedField \"a\" refers to itself (a cycle)");
}

TEST(PmmlModelTest, UnsupportedModelElement) {
  Status s = LoadError(Fixture("unsupported_element.pmml"), "assoc.pmml");
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(s.ToString(), "assoc.pmml:7: <AssociationModel> is not supported");
}

TEST(PmmlModelTest, UnsupportedExpressionAndFunction) {
  Status s = LoadError(
      Replace(Fixture("transformations.pmml"), "function=\"ln\"", "function=\"formatNumber\""),
      "fn.pmml");
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(s.ToString(), "fn.pmml:57: the function \"formatNumber\" is not supported");
}

TEST(PmmlModelTest, OutOfRangeReferences) {
  Status sparse = LoadError(
      Replace(Fixture("svm.pmml"), "<Indices>2</Indices>", "<Indices>3</Indices>"), "svm.pmml");
  EXPECT_EQ(sparse.ToString(), "svm.pmml:28: sparse index 3.000000 is outside 1..2");
  Status child =
      LoadError(Replace(Fixture("tree_missing.pmml"), "defaultChild=\"5\"", "defaultChild=\"9\""),
                "tree.pmml");
  EXPECT_EQ(child.ToString(), "tree.pmml:35: defaultChild \"9\" is not a child of node \"3\"");
  Status neuron =
      LoadError(Replace(Fixture("neural_network.pmml"), "<Con from=\"h2\" weight=\"1\"/>",
                        "<Con from=\"o1\" weight=\"1\"/>"),
                "nn.pmml");
  EXPECT_EQ(neuron.ToString(),
            "nn.pmml:48: Con from=\"o1\" names no neuron of an earlier layer or input");
}

TEST(PmmlModelTest, DeepNestingIsRefusedNotRecursedInto) {
  std::string predicate = "<True/>";
  for (int i = 0; i < 2000; ++i) {
    predicate =
        "<CompoundPredicate booleanOperator=\"and\">" + predicate + "<True/></CompoundPredicate>";
  }
  Status s = LoadError(Replace(Fixture("tree_compound.pmml"), "<Node score=\"5\">\n        <True/>",
                               "<Node score=\"5\">\n        " + predicate),
                       "deep.pmml");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.ToString().find("elements nest more than 250 levels deep"), std::string::npos);
}

// Found by the pmml_loader fuzzer: a model without any input made the linear view read
// past an empty index.
TEST(PmmlModelTest, FuzzRegressionWithoutInputs) {
  auto model = Load(Replace(Replace(Fixture("logistic.pmml"), "<MiningField name=\"x\"/>", ""),
                            "<NumericPredictor name=\"x\" coefficient=\"2\"/>", ""));
  ASSERT_NE(model, nullptr);
  EXPECT_TRUE(model->info().inputs.empty());
  ASSERT_NE(model->linear_view(), nullptr);
  EXPECT_EQ(model->linear_view()->intercepts, (std::vector<double>{-1, 0}));
}

TEST(PmmlModelTest, UnreferencedGlobalFieldsAreStillChecked) {
  Status s = LoadError(Replace(Fixture("malformed_cycle.pmml"),
                               "<NumericPredictor name=\"a\" coefficient=\"1\"/>", ""),
                       "cycle.pmml");
  EXPECT_EQ(s.ToString(), "cycle.pmml:9: DerivedField \"a\" refers to itself (a cycle)");
}

TEST(PmmlModelTest, NotPmml) {
  Status s = LoadError("<?xml version=\"1.0\"?>\n<html/>", "page.html");
  EXPECT_EQ(s.ToString(), "page.html:2: the document element is not <PMML>");
}

}  // namespace
}  // namespace probity::models
