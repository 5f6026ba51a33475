#include "explain/reasons.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "audit/core/file_system.h"
#include "audit/ingest/models/model_loader.h"

namespace probity::explain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---------------------------------------------------------------------------------------
// ParseReasonCodeTable

constexpr char kValidTable[] = R"(version: 1
description: test table
reason_codes:
  - code: R01
    text: Duration of credit requested
    features: [duration]
  - code: R02
    text: Amount of credit requested
    features: [amount, amount_log]
  - code: R03
    text: Housing situation
    features: [housing]
protected: [age, sex]
groups:
  - name: housing
    inputs: [housing_own, housing_rent]
)";

TEST(ReasonCodeTableTest, ParsesAValidTable) {
  auto table = ParseReasonCodeTable(kValidTable, "codes.yaml");
  ASSERT_TRUE(table.has_value()) << table.error().ToString();
  ASSERT_EQ(table->codes.size(), 3u);
  EXPECT_EQ(table->codes[0].code, "R01");
  EXPECT_EQ(table->codes[0].text, "Duration of credit requested");
  EXPECT_THAT(table->codes[0].features, ElementsAre("duration"));
  EXPECT_THAT(table->codes[1].features, ElementsAre("amount", "amount_log"));
  EXPECT_THAT(table->protected_features, ElementsAre("age", "sex"));
  ASSERT_EQ(table->groups.size(), 1u);
  EXPECT_EQ(table->groups[0].name, "housing");
  EXPECT_THAT(table->groups[0].inputs, ElementsAre("housing_own", "housing_rent"));
}

TEST(ReasonCodeTableTest, EmptyProtectedListAndNoGroupsAreAllowed) {
  auto table = ParseReasonCodeTable(
      "reason_codes:\n  - {code: A, text: t, features: [x]}\nprotected: []\n", "t.yaml");
  ASSERT_TRUE(table.has_value()) << table.error().ToString();
  EXPECT_THAT(table->protected_features, IsEmpty());
  EXPECT_THAT(table->groups, IsEmpty());
}

struct MalformedTable {
  const char* name;
  const char* yaml;
  int64_t line;
  int64_t column;
  const char* message;   // a part of the message
  const char* expected;  // a part of what was expected
};

// Line and column are 1-based, of the offending node (yaml-cpp's Mark).
const MalformedTable kMalformed[] = {
    {"NotYaml", "reason_codes: [a\n", 2, 1, "not valid YAML", "reason-code table"},
    {"Empty", "", 0, 0, "is empty", "reason-code table"},
    {"RootIsAList", "- a\n- b\n", 1, 1, "is not a mapping", "reason_codes, protected"},
    {"UnknownRootKey", "reason_code: []\nprotected: []\n", 1, 1, "unknown key \"reason_code\"",
     "one of version, description, reason_codes, protected, groups"},
    {"DuplicateRootKey",
     "reason_codes:\n  - {code: A, text: t, features: [x]}\nprotected: []\nprotected: []\n", 4, 1,
     "duplicate key \"protected\"", "each key once"},
    {"MissingReasonCodes", "protected: [age]\n", 1, 1, "no \"reason_codes\"",
     "list of {code, text, features}"},
    {"MissingProtected", "reason_codes:\n  - {code: A, text: t, features: [x]}\n", 1, 1,
     "no \"protected\"", "protected: []"},
    {"ReasonCodesNotAList", "reason_codes: R01\nprotected: []\n", 1, 15,
     "\"reason_codes\" is not a non-empty list", "{code, text, features}"},
    {"ReasonCodesEmpty", "reason_codes: []\nprotected: []\n", 1, 15,
     "\"reason_codes\" is not a non-empty list", "{code, text, features}"},
    {"CodeNotAMapping", "reason_codes:\n  - R01\nprotected: []\n", 2, 5,
     "\"reason_codes[0]\" is not a mapping", "{code, text, features}"},
    {"UnknownCodeKey", "reason_codes:\n  - code: A\n    text: t\n    feature: [x]\nprotected: []\n",
     4, 5, "unknown key \"feature\" in reason_codes[0]", "one of code, text, features"},
    {"MissingText", "reason_codes:\n  - code: A\n    features: [x]\nprotected: []\n", 2, 5,
     "\"reason_codes[0]\" has no \"text\"", "code, text and features"},
    {"EmptyText", "reason_codes:\n  - code: A\n    text: \"\"\n    features: [x]\nprotected: []\n",
     3, 11, "\"reason_codes[0].text\" is empty", "non-empty text"},
    {"BlankText",
     "reason_codes:\n  - code: A\n    text: \"  \"\n    features: [x]\nprotected: []\n", 3, 11,
     "\"reason_codes[0].text\" is empty", "non-empty text"},
    // An empty value is reported at its key (yaml-cpp marks it at the next token).
    {"NullCode", "reason_codes:\n  - code:\n    text: t\n    features: [x]\nprotected: []\n", 2, 5,
     "\"reason_codes[0].code\" is empty", "non-empty text"},
    {"CodeIsAList", "reason_codes:\n  - code: [A]\n    text: t\n    features: [x]\nprotected: []\n",
     2, 11, "\"reason_codes[0].code\" is not a single value", "a text"},
    {"FeaturesNotAList",
     "reason_codes:\n  - code: A\n    text: t\n    features: duration\nprotected: []\n", 4, 15,
     "\"reason_codes[0].features\" is not a list", "non-empty list of feature names"},
    {"FeaturesEmpty", "reason_codes:\n  - code: A\n    text: t\n    features: []\nprotected: []\n",
     4, 15, "\"reason_codes[0].features\" is an empty list", "one or more feature names"},
    {"FeaturesNull", "reason_codes:\n  - code: A\n    text: t\n    features:\nprotected: []\n", 4,
     5, "\"reason_codes[0].features\" is empty", "one or more feature names"},
    {"FeatureIsAMapping",
     "reason_codes:\n  - code: A\n    text: t\n    features: [{a: b}]\nprotected: []\n", 4, 16,
     "\"reason_codes[0].features[0]\" is not a single value", "a text"},
    {"FeatureListedTwice",
     "reason_codes:\n  - code: A\n    text: t\n    features: [x, x]\nprotected: []\n", 4, 19,
     "\"x\" is listed twice", "each name once"},
    {"DuplicateCode",
     "reason_codes:\n  - {code: A, text: t, features: [x]}\n  - {code: A, text: u, features: "
     "[y]}\nprotected: []\n",
     3, 12, "reason code \"A\" is declared twice", "each code once"},
    {"FeatureWithTwoCodes",
     "reason_codes:\n  - {code: A, text: t, features: [x]}\n  - {code: B, text: u, features: "
     "[y, x]}\nprotected: []\n",
     3, 38, "feature \"x\" has two reason codes: \"A\" and \"B\"", "under one code"},
    {"GroupInputWithTwoCodes",
     "reason_codes:\n  - {code: A, text: t, features: [h_own]}\n  - {code: B, text: u, "
     "features: [h]}\nprotected: []\ngroups:\n  - {name: h, inputs: [h_own, h_rent]}\n",
     3, 35, "feature \"h_own\" (an input of group \"h\") has two reason codes", "under one code"},
    {"ProtectedWithCode",
     "reason_codes:\n  - {code: A, text: t, features: [age]}\nprotected: [sex, age]\n", 3, 18,
     "protected feature \"age\" has reason code \"A\"", "never reasons"},
    {"ProtectedGroupInputWithCode",
     "reason_codes:\n  - {code: A, text: t, features: [status_single]}\nprotected: "
     "[status]\ngroups:\n  - {name: status, inputs: [status_single, status_married]}\n",
     3, 13, "protected feature \"status_single\" has reason code \"A\"", "never reasons"},
    {"ProtectedNotAList", "reason_codes:\n  - {code: A, text: t, features: [x]}\nprotected: age\n",
     3, 12, "\"protected\" is not a list", "list of feature names"},
    {"GroupsNotAList",
     "reason_codes:\n  - {code: A, text: t, features: [x]}\nprotected: []\ngroups: {a: b}\n", 4, 9,
     "\"groups\" is not a list", "{name, inputs}"},
    {"GroupWithoutInputs",
     "reason_codes:\n  - {code: A, text: t, features: [x]}\nprotected: []\ngroups:\n  - name: "
     "h\n",
     5, 5, "\"groups[0]\" has no \"inputs\"", "name and inputs"},
    {"InputInTwoGroups",
     "reason_codes:\n  - {code: A, text: t, features: [g, h]}\nprotected: []\ngroups:\n  - "
     "{name: g, inputs: [a, b]}\n  - {name: h, inputs: [c, a]}\n",
     6, 27, "input \"a\" of feature group \"h\" is already in group \"g\"", "at most one group"},
    {"DuplicateGroup",
     "reason_codes:\n  - {code: A, text: t, features: [g]}\nprotected: []\ngroups:\n  - {name: "
     "g, inputs: [a]}\n  - {name: g, inputs: [b]}\n",
     6, 12, "feature group \"g\" is declared twice", "each group name once"},
    {"GroupNamedLikeAnInput",
     "reason_codes:\n  - {code: A, text: t, features: [g, a]}\nprotected: []\ngroups:\n  - "
     "{name: g, inputs: [a]}\n  - {name: a, inputs: [b]}\n",
     6, 12, "feature group \"a\" has the name of an input of group \"g\"",
     "distinct from input names"},
    {"WrongVersion",
     "version: 2\nreason_codes:\n  - {code: A, text: t, features: [x]}\nprotected: []\n", 1, 10,
     "version \"2\"", "1"},
    // yaml-cpp itself refuses an escaped surrogate ("\uD800"); raw bytes pass through it.
    {"EscapedSurrogate",
     "reason_codes:\n  - {code: A, text: \"\\uD800\", features: [x]}\nprotected: []\n", 2, 28,
     "not valid YAML: invalid unicode", "reason-code table"},
    {"InvalidUtf8",
     "reason_codes:\n  - {code: A, text: \"caf\xC3(\", features: [x]}\nprotected: []\n", 2, 21,
     "\"reason_codes[0].text\" is not valid UTF-8", "UTF-8 text"},
    {"KeyIsAList", "[a]: b\n", 1, 1, "a key of the table is not a name", "reason_codes"},
};

class MalformedTableTest : public ::testing::TestWithParam<MalformedTable> {};

TEST_P(MalformedTableTest, NamesFileLineColumnAndExpectation) {
  const MalformedTable& c = GetParam();
  auto table = ParseReasonCodeTable(c.yaml, "bad.yaml");
  ASSERT_FALSE(table.has_value());
  const Status& e = table.error();
  EXPECT_EQ(e.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(e.message(), HasSubstr(c.message));
  EXPECT_THAT(e.expected(), HasSubstr(c.expected));
  EXPECT_EQ(e.location().file, "bad.yaml");
  EXPECT_EQ(e.location().line, c.line) << e.ToString();
  EXPECT_EQ(e.location().column, c.column) << e.ToString();
}

INSTANTIATE_TEST_SUITE_P(ReasonCodeTableTest, MalformedTableTest, ::testing::ValuesIn(kMalformed),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(ReasonCodeTableTest, AliasesCannotMultiplyTheTable) {
  // One 3,000-byte name, used again by 400 codes through an alias: 1.2 MB of names from a
  // 21 kB file.
  std::string table = "reason_codes:\n  - code: A\n    text: t\n    features: &f [" +
                      std::string(3000, 'y') + "]\n";
  for (int i = 0; i < 400; ++i) {
    table += "  - {code: C" + std::to_string(i) + ", text: t, features: *f}\n";
  }
  table += "protected: []\n";
  auto parsed = ParseReasonCodeTable(table, "bomb.yaml");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_THAT(parsed.error().message(), HasSubstr("more than 1 MiB"));
  EXPECT_EQ(parsed.error().location().file, "bomb.yaml");
  EXPECT_GT(parsed.error().location().line, 1);
}

// Regression (reason_codes fuzzer, ASan): the reader kept a reference to `it->second` of a
// yaml-cpp map iterator, a temporary, past its statement (stack-use-after-scope on the seed
// tests/fuzz/corpus/reason_codes/basic.yaml, which this is). Only ASan sees the bug; here
// the parse must simply give the table.
TEST(ReasonCodeTableTest, FuzzCrashDanglingMapValue) {
  auto table = ParseReasonCodeTable(
      "reason_codes:\n  - code: R01\n    text: Duration too long\n    features: "
      "[duration]\nprotected: [age]\n",
      "basic.yaml");
  ASSERT_TRUE(table.has_value()) << table.error().ToString();
  ASSERT_EQ(table->codes.size(), 1u);
  EXPECT_THAT(table->codes[0].features, ElementsAre("duration"));
  EXPECT_THAT(table->protected_features, ElementsAre("age"));
}

TEST(ReasonCodeTableTest, RejectsFilesOverOneMebibyte) {
  auto parsed = ParseReasonCodeTable(std::string((1 << 20) + 1, '#'), "big.yaml");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_THAT(parsed.error().message(), HasSubstr("larger than 1 MiB"));
  EXPECT_EQ(parsed.error().location().file, "big.yaml");
}

TEST(ReasonCodeTableTest, DeepNestingIsAnErrorNotACrash) {
  auto parsed = ParseReasonCodeTable(std::string(100000, '['), "deep.yaml");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.error().location().file, "deep.yaml");
}

// ---------------------------------------------------------------------------------------
// SelectReasons on hand-made attributions.

// One output; values given row by row.
Attributions MakeAttributions(std::vector<std::string> players, int64_t rows,
                              std::vector<double> values) {
  Attributions a;
  a.method = "tree_path_dependent";
  a.space = OutputSpace::kMargin;
  a.players = std::move(players);
  a.outputs = {"1"};
  a.rows = rows;
  a.values.assign(values.begin(), values.end());
  return a;
}

ReasonCodeTable CreditTable() {
  ReasonCodeTable t;
  t.codes = {{"R01", "Duration of credit requested", {"duration"}},
             {"R02", "Amount of credit requested", {"amount"}},
             {"R03", "Housing situation", {"housing"}}};
  t.protected_features = {"age"};
  t.groups = {{"housing", {"housing_own", "housing_rent"}}};
  return t;
}

const std::vector<std::string> kPlayers = {"duration", "amount", "age", "housing_own",
                                           "housing_rent"};

// Scores are P(good); below 0.5 is unfavourable, so a contribution towards it is −phi.
//   row 0 (0.3): duration 0.4, amount −0.1, age 0.9 (protected), housing 0.05 + 0.1 = 0.15
//   row 1 (0.7): favourable, skipped
//   row 2 (0.2): duration 0.25, amount 0.25 (a tie), age 0, housing −0.125 + 0.125 = 0
Attributions CreditAttributions() {
  return MakeAttributions(kPlayers, 3,
                          {-0.4, 0.1, -0.9, -0.05, -0.1,  //
                           0.3, 0.2, 0.1, 0.0, 0.0,       //
                           -0.25, -0.25, 0.0, 0.125, -0.125});
}

const std::vector<double> kScores = {0.3, 0.7, 0.2};

std::vector<std::string> Codes(const RowReasons& row) {
  std::vector<std::string> codes;
  for (const Reason& r : row.reasons) codes.push_back(r.code);
  return codes;
}

TEST(SelectReasonsTest, RanksCodesTowardsTheUnfavourableOutcome) {
  auto report = SelectReasons(CreditAttributions(), 0, kScores, {}, CreditTable(), {.top_k = 3});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->rows_scored, 3);
  ASSERT_EQ(report->rows.size(), 2u);  // row 1 is favourable
  const RowReasons& r0 = report->rows[0];
  EXPECT_EQ(r0.row, 0);
  EXPECT_EQ(r0.score, 0.3);
  // Age (0.9) is the largest but protected; amount pushes towards approval.
  ASSERT_THAT(Codes(r0), ElementsAre("R01", "R03"));
  EXPECT_EQ(r0.reasons[0].rank, 1);
  EXPECT_DOUBLE_EQ(r0.reasons[0].contribution, 0.4);
  EXPECT_THAT(r0.reasons[0].players, ElementsAre("duration"));
  EXPECT_EQ(r0.reasons[0].text, "Duration of credit requested");
  // The one-hot columns are merged into one reason, their contributions summed.
  EXPECT_EQ(r0.reasons[1].rank, 2);
  EXPECT_DOUBLE_EQ(r0.reasons[1].contribution, 0.15);
  EXPECT_THAT(r0.reasons[1].players, ElementsAre("housing_own", "housing_rent"));
  EXPECT_THAT(report->excluded, ElementsAre("age"));
  // Row 2: a tie between R01 and R02 is broken by code; housing sums to 0, not a reason.
  const RowReasons& r2 = report->rows[1];
  EXPECT_EQ(r2.row, 2);
  ASSERT_THAT(Codes(r2), ElementsAre("R01", "R02"));
  EXPECT_EQ(r2.reasons[0].contribution, 0.25);
  EXPECT_EQ(r2.reasons[1].contribution, 0.25);
  EXPECT_EQ(report->stability_runs, 0);
  EXPECT_EQ(report->unstable_rows, 0);
  EXPECT_TRUE(r0.stable);
  EXPECT_EQ(r0.reasons[0].agreement, 1);
}

TEST(SelectReasonsTest, UnfavourableAboveUsesPhiAndIncludesTheThreshold) {
  // Scores are P(bad): at or above 0.3 is unfavourable (row 0 exactly at the threshold).
  auto report = SelectReasons(CreditAttributions(), 0, kScores, {}, CreditTable(),
                              {.top_k = 1, .threshold = 0.3, .unfavourable_above = true});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  ASSERT_EQ(report->rows.size(), 2u);
  EXPECT_EQ(report->rows[0].row, 0);
  // Row 0 towards "bad" = phi: amount 0.1 is the only positive code (age is protected).
  EXPECT_THAT(Codes(report->rows[0]), ElementsAre("R02"));
  EXPECT_DOUBLE_EQ(report->rows[0].reasons[0].contribution, 0.1);
  // Row 1: duration 0.3 > amount 0.2 > housing 0.
  EXPECT_EQ(report->rows[1].row, 1);
  EXPECT_THAT(Codes(report->rows[1]), ElementsAre("R01"));
}

TEST(SelectReasonsTest, ScoreAtTheThresholdIsFavourableWhenLowIsUnfavourable) {
  auto report = SelectReasons(CreditAttributions(), 0, kScores, {}, CreditTable(),
                              {.top_k = 1, .threshold = 0.3});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  ASSERT_EQ(report->rows.size(), 1u);
  EXPECT_EQ(report->rows[0].row, 2);
}

TEST(SelectReasonsTest, OnlyPositiveContributionsAreReasons) {
  // Every player pushes towards approval: the row is declined by the reference alone.
  Attributions a = MakeAttributions(kPlayers, 1, {0.1, 0.2, -5, 0.3, 0.0});
  auto report = SelectReasons(a, 0, std::vector<double>{0.1}, {}, CreditTable(), {.top_k = 2});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  ASSERT_EQ(report->rows.size(), 1u);
  EXPECT_THAT(report->rows[0].reasons, IsEmpty());
  EXPECT_TRUE(report->rows[0].stable);
}

TEST(SelectReasonsTest, CodesWithSeveralFeaturesMergeTheirPlayers) {
  ReasonCodeTable t = CreditTable();
  t.codes = {{"R01", "Terms of the credit requested", {"duration", "amount"}},
             {"R03", "Housing situation", {"housing"}}};
  auto report = SelectReasons(CreditAttributions(), 0, kScores, {}, t, {.top_k = 1});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  // Row 0: 0.4 − 0.1 = 0.3 beats housing 0.15.
  ASSERT_THAT(Codes(report->rows[0]), ElementsAre("R01"));
  EXPECT_DOUBLE_EQ(report->rows[0].reasons[0].contribution, 0.3);
  EXPECT_THAT(report->rows[0].reasons[0].players, ElementsAre("duration", "amount"));
}

TEST(SelectReasonsTest, GroupPlayersMapThroughTheirInputsOrTheirName) {
  // The explanation grouped the one-hot columns: one player named like the group.
  Attributions a =
      MakeAttributions({"duration", "amount", "age", "housing"}, 1, {-0.1, -0.2, -0.9, -0.3});
  auto report = SelectReasons(a, 0, std::vector<double>{0.1}, {}, CreditTable(), {.top_k = 3});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_THAT(Codes(report->rows[0]), ElementsAre("R03", "R02", "R01"));
  // A code may also name a group input: the group player maps through it.
  ReasonCodeTable t = CreditTable();
  t.codes[2].features = {"housing_rent"};
  report = SelectReasons(a, 0, std::vector<double>{0.1}, {}, t, {.top_k = 3});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_THAT(Codes(report->rows[0]), ElementsAre("R03", "R02", "R01"));
}

TEST(SelectReasonsTest, ProtectedPlayersAreNeverReasons) {
  // The options add "amount"; the table's protected "age" is the largest contribution.
  auto report = SelectReasons(CreditAttributions(), 0, kScores, {}, CreditTable(),
                              {.top_k = 2, .protected_features = {"amount"}});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_THAT(report->excluded, ElementsAre("amount", "age"));
  for (const RowReasons& row : report->rows) {
    for (const Reason& r : row.reasons) {
      EXPECT_NE(r.code, "R02");
      EXPECT_THAT(r.players, ::testing::Not(::testing::Contains("age")));
    }
  }
  EXPECT_THAT(Codes(report->rows[1]), ElementsAre("R01"));
  // A group player is protected when one of its inputs is.
  Attributions a =
      MakeAttributions({"duration", "amount", "age", "housing"}, 1, {-0.1, -0.2, -0.9, -0.3});
  report = SelectReasons(a, 0, std::vector<double>{0.1}, {}, CreditTable(),
                         {.top_k = 1, .protected_features = {"housing_own"}});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_THAT(report->excluded, ElementsAre("age", "housing"));
  EXPECT_THAT(Codes(report->rows[0]), ElementsAre("R02"));
}

TEST(SelectReasonsTest, EveryPlayerNeedsACode) {
  Attributions a =
      MakeAttributions({"duration", "telephone", "age", "amount", "job"}, 1, {0, 0, 0, 0, 0});
  ReasonCodeTable t = CreditTable();
  t.groups.clear();
  t.codes.pop_back();
  auto report = SelectReasons(a, 0, std::vector<double>{0.1}, {}, t, {.top_k = 1});
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(report.error().message(), HasSubstr("no reason code for \"telephone\", \"job\""));
}

TEST(SelectReasonsTest, TableFeatureThatIsNoPlayerIsATypo) {
  ReasonCodeTable t = CreditTable();
  t.codes.push_back({"R04", "Length of employment", {"employment_sinse"}});
  auto report = SelectReasons(CreditAttributions(), 0, kScores, {}, t, {.top_k = 1});
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message(),
              HasSubstr("reason code \"R04\" names \"employment_sinse\", which is not a player"));
}

TEST(SelectReasonsTest, APlayerCoveringTwoCodesIsAnError) {
  Attributions a = MakeAttributions({"duration", "amount", "age", "housing"}, 1, {0, 0, 0, 0});
  ReasonCodeTable t = CreditTable();
  t.codes[2].features = {"housing_own"};
  t.codes.push_back({"R04", "Renting", {"housing_rent"}});
  auto report = SelectReasons(a, 0, std::vector<double>{0.1}, {}, t, {.top_k = 1});
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message(),
              HasSubstr("player \"housing\" covers features of two reason codes"));
}

TEST(SelectReasonsTest, TopKMustBeBetweenOneAndTheCodesThatCanAppear) {
  for (int k : {0, 4}) {
    auto report = SelectReasons(CreditAttributions(), 0, kScores, {}, CreditTable(), {.top_k = k});
    ASSERT_FALSE(report.has_value()) << k;
    EXPECT_EQ(report.error().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(report.error().message(),
                HasSubstr("top K is " + std::to_string(k) + " but 3 reason codes can appear"));
  }
  // A protected player's code cannot appear: with "amount" protected only 2 can.
  auto report = SelectReasons(CreditAttributions(), 0, kScores, {}, CreditTable(),
                              {.top_k = 3, .protected_features = {"amount"}});
  ASSERT_FALSE(report.has_value());
  EXPECT_THAT(report.error().message(), HasSubstr("top K is 3 but 2 reason codes"));
}

TEST(SelectReasonsTest, RejectsMismatchedSizesAndBadOptions) {
  const Attributions a = CreditAttributions();
  EXPECT_THAT(
      SelectReasons(a, 0, std::vector<double>{0.1}, {}, CreditTable(), {}).error().message(),
      HasSubstr("1 scores for 3 explained rows"));
  EXPECT_THAT(SelectReasons(a, 1, kScores, {}, CreditTable(), {}).error().message(),
              HasSubstr("output 1 of an explanation with 1 outputs"));
  EXPECT_THAT(SelectReasons(a, 0, kScores, {}, CreditTable(), {.top_k = 1, .reference = "mean"})
                  .error()
                  .expected(),
              HasSubstr("\"population\" or \"threshold\""));
  Attributions other = MakeAttributions({"a", "b", "c", "d", "e"}, 3, std::vector<double>(15));
  EXPECT_THAT(
      SelectReasons(a, 0, kScores, std::vector<Attributions>{other}, CreditTable(), {.top_k = 1})
          .error()
          .message(),
      HasSubstr("re-run 1 explains other rows, players or outputs"));
  const std::vector<double> nan_score = {0.3, std::nan(""), 0.2};
  EXPECT_THAT(SelectReasons(a, 0, nan_score, {}, CreditTable(), {.top_k = 1}).error().message(),
              HasSubstr("the score of row 1 is not a number"));
}

// ---------------------------------------------------------------------------------------
// Stability

TEST(SelectReasonsTest, AgreementIsTheShareOfRerunsWithTheCodeInTheTopK) {
  // One row, top 2. The main run ranks R01 (0.4) > R03 (0.15) > R02 (−0.1).
  // Re-run 1: R01 0.4, R03 0.2  → top 2 {R01, R03}
  // Re-run 2: R01 0.4, R02 0.3, R03 0.1 → {R01, R02}
  // Re-run 3: R02 0.5, R03 0.3, R01 0.2 → {R02, R03}
  // Re-run 4: R01 0.2, R03 −0.1 only positive: {R01}
  // R01: 3 of 4 → 0.75; R03: 2 of 4 → 0.5.
  const std::vector<double> scores = {0.3};
  Attributions main = MakeAttributions(kPlayers, 1, {-0.4, 0.1, -0.9, -0.05, -0.1});
  std::vector<Attributions> reruns = {
      MakeAttributions(kPlayers, 1, {-0.4, 0.1, -0.9, -0.1, -0.1}),
      MakeAttributions(kPlayers, 1, {-0.4, -0.3, -0.9, -0.05, -0.05}),
      MakeAttributions(kPlayers, 1, {-0.2, -0.5, -0.9, -0.15, -0.15}),
      MakeAttributions(kPlayers, 1, {-0.2, 0.1, -0.9, 0.05, 0.05}),
  };
  auto report = SelectReasons(main, 0, scores, reruns, CreditTable(), {.top_k = 2});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_EQ(report->stability_runs, 4);
  const RowReasons& row = report->rows[0];
  ASSERT_THAT(Codes(row), ElementsAre("R01", "R03"));
  EXPECT_EQ(row.reasons[0].agreement, 0.75);
  EXPECT_EQ(row.reasons[1].agreement, 0.5);
  EXPECT_FALSE(row.reasons[0].stable);
  EXPECT_FALSE(row.reasons[0].fragile);
  EXPECT_FALSE(row.stable);
  EXPECT_EQ(report->unstable_rows, 1);
  // Identical re-runs agree fully.
  std::vector<Attributions> same = {main, main};
  report = SelectReasons(main, 0, scores, same, CreditTable(), {.top_k = 2});
  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->rows[0].reasons[0].agreement, 1);
  EXPECT_TRUE(report->rows[0].stable);
  EXPECT_EQ(report->unstable_rows, 0);
}

TEST(SelectReasonsTest, ReasonTiedWithTheFirstLeftOutIsFragile) {
  // Row 2 of CreditAttributions: R01 0.25 and R02 0.25 tie; with K = 1 R01 wins on its code
  // and R02 is the first left out.
  auto report = SelectReasons(CreditAttributions(), 0, kScores, {}, CreditTable(), {.top_k = 1});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  const RowReasons& r2 = report->rows[1];
  ASSERT_THAT(Codes(r2), ElementsAre("R01"));
  EXPECT_TRUE(r2.reasons[0].fragile);
  EXPECT_FALSE(r2.reasons[0].stable);
  EXPECT_FALSE(r2.stable);
  // Row 0: R01 0.4 against R03 0.15: not within the margin.
  EXPECT_FALSE(report->rows[0].reasons[0].fragile);
  EXPECT_TRUE(report->rows[0].stable);
  EXPECT_EQ(report->unstable_rows, 1);
  // A relative margin of 0.7 makes 0.4 − 0.15 = 0.25 <= 0.28 fragile too; 0.6 does not.
  report = SelectReasons(CreditAttributions(), 0, kScores, {}, CreditTable(),
                         {.top_k = 1, .tie_margin = 0.7});
  EXPECT_TRUE(report->rows[0].reasons[0].fragile);
  report = SelectReasons(CreditAttributions(), 0, kScores, {}, CreditTable(),
                         {.top_k = 1, .tie_margin = 0.6});
  EXPECT_FALSE(report->rows[0].reasons[0].fragile);
  // With K = 2 nothing positive is left out in row 2 (housing sums to 0): not fragile.
  report = SelectReasons(CreditAttributions(), 0, kScores, {}, CreditTable(), {.top_k = 2});
  EXPECT_FALSE(report->rows[1].reasons[1].fragile);
}

// ---------------------------------------------------------------------------------------
// Output

ReasonReport SmallReport() {
  ReasonReport report;
  report.method = "kernel";
  report.space = "probability";
  report.reference = "threshold";
  report.top_k = 2;
  report.threshold = 0.5;
  report.tie_margin = 1e-9;
  report.rows_scored = 4;
  report.stability_runs = 2;
  report.unstable_rows = 1;
  report.excluded = {"age"};
  RowReasons a;
  a.row = 1;
  a.score = 0.25;
  a.stable = false;
  a.reasons = {{.rank = 1,
                .code = "R01",
                .text = "Amount, \"requested\"",
                .players = {"amount", "amount_log"},
                .contribution = 0.125,
                .agreement = 0.5,
                .stable = false},
               {.rank = 2,
                .code = "R02",
                .text = "Duration",
                .players = {"duration"},
                .contribution = 0.0625}};
  RowReasons b;
  b.row = 3;
  b.score = 0.375;
  report.rows = {a, b};
  return report;
}

TEST(ReasonsToJsonTest, WritesEveryField) {
  const nlohmann::ordered_json doc = ReasonsToJson(SmallReport());
  EXPECT_EQ(doc["schema"], "probity.explain.reasons/1");
  EXPECT_TRUE(doc.contains("probity_version"));
  EXPECT_EQ(doc["method"], "kernel");
  EXPECT_EQ(doc["space"], "probability");
  EXPECT_EQ(doc["reference"], "threshold");
  EXPECT_EQ(doc["top_k"], 2);
  EXPECT_EQ(doc["threshold"], 0.5);
  EXPECT_EQ(doc["unfavourable_above"], false);
  EXPECT_EQ(doc["tie_margin"], 1e-9);
  EXPECT_EQ(doc["rows_scored"], 4);
  EXPECT_EQ(doc["rows_unfavourable"], 2);
  EXPECT_EQ(doc["stability_runs"], 2);
  EXPECT_EQ(doc["unstable_rows"], 1);
  EXPECT_EQ(doc["excluded"], nlohmann::ordered_json::array({"age"}));
  const auto& rows = doc["rows"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["row"], 1);
  EXPECT_EQ(rows[0]["score"], 0.25);
  EXPECT_EQ(rows[0]["stable"], false);
  const auto& r = rows[0]["reasons"][0];
  EXPECT_EQ(
      r.dump(),
      R"({"rank":1,"code":"R01","text":"Amount, \"requested\"","players":["amount",)"
      R"("amount_log"],"contribution":0.125,"agreement":0.5,"stable":false,"fragile":false})");
  EXPECT_EQ(rows[1]["reasons"], nlohmann::ordered_json::array());
  std::vector<std::string> keys;
  for (const auto& [key, value] : doc.items()) keys.push_back(key);
  EXPECT_THAT(keys, ElementsAre("schema", "probity_version", "method", "space", "reference",
                                "top_k", "threshold", "unfavourable_above", "tie_margin",
                                "rows_scored", "rows_unfavourable", "stability_runs",
                                "unstable_rows", "excluded", "rows"));
}

TEST(WriteReasonsCsvTest, WritesOneLinePerReasonAndOneForARowWithout) {
  MemoryFileSystem fs;
  auto out = fs.CreateAtomically("reasons.csv");
  ASSERT_TRUE(out.has_value());
  ASSERT_TRUE(WriteReasonsCsv(SmallReport(), **out).ok());
  ASSERT_TRUE((*out)->Commit().ok());
  EXPECT_EQ(*fs.Contents("reasons.csv"),
            "row,score,rank,code,text,features,contribution,agreement,stable\n"
            "1,0.25,1,R01,\"Amount, \"\"requested\"\"\",amount;amount_log,0.125,0.5,false\n"
            "1,0.25,2,R02,Duration,duration,0.0625,1,true\n"
            "3,0.375,,,,,,,true\n");
}

// ---------------------------------------------------------------------------------------
// The demo's table (examples/explain/german-credit-reasons.yaml) against the demo model.

TEST(ReasonCodeTableTest, DemoTableCoversEveryNonProtectedInputOfTheDemoModel) {
  const std::string root = PROBITY_SOURCE_DIR;
  const std::string path = root + "/examples/explain/german-credit-reasons.yaml";
  auto text = LocalFileSystem().ReadSmallFile(path);
  ASSERT_TRUE(text.has_value()) << text.error().ToString();
  auto table = ParseReasonCodeTable(*text, path);
  ASSERT_TRUE(table.has_value()) << table.error().ToString();
  auto model =
      models::LoadModel(LocalFileSystem(), root + "/examples/models/german_credit_xgboost.json");
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  const ModelInfo& info = (*model)->info();
  const std::set<std::string> protected_features(table->protected_features.begin(),
                                                 table->protected_features.end());
  for (const char* name : {"age", "sex", "personal_status", "foreign_worker"}) {
    EXPECT_TRUE(protected_features.contains(name)) << name;
  }
  size_t coded = 0;
  for (const ModelInput& input : info.inputs) {
    int codes = 0;
    for (const ReasonCode& code : table->codes) {
      codes += static_cast<int>(std::count(code.features.begin(), code.features.end(), input.name));
    }
    if (protected_features.contains(input.name)) {
      EXPECT_EQ(codes, 0) << input.name;
    } else {
      EXPECT_EQ(codes, 1) << input.name;
      ++coded;
    }
  }
  EXPECT_EQ(coded, table->codes.size());     // no code for a feature the model does not read
  EXPECT_EQ(coded, info.inputs.size() - 1);  // only age among the inputs is protected
  // And SelectReasons accepts it for the model's players, with the four reasons asked of
  // the demo: each input pushes towards denial by its index + 1; age is never a reason.
  Players players = InputPlayers(info);
  std::vector<double> values;
  for (size_t p = 0; p < players.size(); ++p) values.push_back(-static_cast<double>(p + 1));
  Attributions a = MakeAttributions(players.names, 1, values);
  auto report = SelectReasons(a, 0, std::vector<double>{0.2}, {}, *table, {.top_k = 4});
  ASSERT_TRUE(report.has_value()) << report.error().ToString();
  EXPECT_THAT(report->excluded, ElementsAre("age"));
  ASSERT_EQ(report->rows[0].reasons.size(), 4u);
  for (const Reason& r : report->rows[0].reasons) {
    EXPECT_THAT(r.players, ::testing::Not(::testing::Contains("age")));
  }
}

}  // namespace
}  // namespace probity::explain
