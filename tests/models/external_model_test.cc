#include "audit/ingest/models/external_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audit/core/file_system.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/schema_file.h"
#include "tests/testing/test_data.h"

namespace probity::models {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Fake(const std::string& name) {
  return probity::testing::TestDataPath("models/external/" + name);
}
std::string Python(const std::string& script, const std::string& args = "") {
  return "/usr/bin/python3 " + Fake(script) + (args.empty() ? "" : " " + args);
}

// A table with a float64 column x (nullopt = missing) and, when given, a string column s.
Table MakeTable(const std::vector<std::optional<double>>& x,
                const std::vector<std::string>& s = {}) {
  std::vector<Field> fields = {Field{.name = "x", .type = DataType::kFloat64}};
  std::vector<Column> columns(1, Column(DataType::kFloat64));
  for (const auto& v : x) v ? columns[0].AppendFloat64(*v) : columns[0].AppendNull();
  if (!s.empty()) {
    fields.push_back(Field{.name = "s", .type = DataType::kString});
    columns.emplace_back(DataType::kString);
    for (const std::string& text : s) columns[1].AppendString(text);
  }
  return Table(Schema(std::move(fields)), std::move(columns));
}

std::unique_ptr<Model> Start(ExternalModelOptions options) {
  Result<std::unique_ptr<Model>> model = StartExternalModel(options);
  EXPECT_TRUE(model.has_value()) << model.error().ToString();
  return model.has_value() ? std::move(model).value() : nullptr;
}

TEST(ExternalModelTest, ClassifierAnswersWithLabelsAndProbabilities) {
  auto model = Start({.command = Python("echo_model.py", "classification")});
  ASSERT_NE(model, nullptr);
  const ModelInfo& info = model->info();
  EXPECT_EQ(info.format, "external");
  EXPECT_EQ(info.format_version, "1");
  EXPECT_EQ(info.algorithm, Python("echo_model.py", "classification"));
  EXPECT_EQ(info.task, ModelTask::kClassification);
  EXPECT_EQ(info.classes, (std::vector<std::string>{"no", "yes, sure"}));
  EXPECT_TRUE(info.inputs.empty());

  Result<Predictions> p = model->Predict(MakeTable({0.25, std::nullopt, 1.0, 0.5}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->rows, 4);
  EXPECT_EQ(p->labels, (std::vector<int32_t>{0, -1, 1, 1}));
  ASSERT_EQ(p->probabilities.size(), 8U);
  EXPECT_EQ(p->Probability(0, 0), 0.75);
  EXPECT_EQ(p->Probability(0, 1), 0.25);
  EXPECT_TRUE(std::isnan(p->Probability(1, 0)));
  EXPECT_TRUE(std::isnan(p->Probability(1, 1)));
  EXPECT_EQ(p->Probability(2, 0), 0.0);
  EXPECT_EQ(p->Probability(2, 1), 1.0);
  EXPECT_EQ(p->Probability(3, 1), 0.5);
  EXPECT_TRUE(p->values.empty());
}

TEST(ExternalModelTest, BatchesSplitRowsAndKeepTheirOrder) {
  auto model = Start({.command = Python("echo_model.py", "regression"), .batch_rows = 3});
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->info().task, ModelTask::kRegression);
  EXPECT_TRUE(model->info().classes.empty());
  std::vector<std::optional<double>> x;
  for (int i = 0; i < 10; ++i) x.push_back(i + 0.5);
  Result<Predictions> p = model->Predict(MakeTable(x));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  ASSERT_EQ(p->rows, 10);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(p->Value(i), i + 0.5);
  // The same child serves a second call.
  p = model->Predict(MakeTable({7.0}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->Value(0), 7.0);
  // An empty table is not sent at all.
  p = model->Predict(MakeTable({}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->rows, 0);
}

TEST(ExternalModelTest, TextNeedingQuotesReachesTheChildIntact) {
  // prediction = x + 1000 * (characters in s), counted by Python's csv module.
  auto model = Start({.command = Python("echo_model.py", "regression")});
  ASSERT_NE(model, nullptr);
  Result<Predictions> p = model->Predict(
      MakeTable({1.0, 2.0, 3.0, 4.0}, {"a,b", "say \"hi\"", "two\nlines", " padded "}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->Value(0), 3001);
  EXPECT_EQ(p->Value(1), 8002);
  EXPECT_EQ(p->Value(2), 9003);
  EXPECT_EQ(p->Value(3), 8004);
}

TEST(ExternalModelTest, EnvironmentAdditionsReachTheChild) {
  auto model =
      Start({.command = Python("echo_model.py", "regression"), .environment = {"ECHO_SCALE=4"}});
  ASSERT_NE(model, nullptr);
  Result<Predictions> p = model->Predict(MakeTable({0.5, -2.0}));
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->Value(0), 2.0);
  EXPECT_EQ(p->Value(1), -8.0);
}

TEST(ExternalModelTest, DeclaredInputsAreTheOnlyColumnsSent) {
  std::vector<Field> fields = {Field{.name = "junk", .type = DataType::kInt64},
                               Field{.name = "x", .type = DataType::kFloat64}};
  std::vector<Column> columns = {Column(DataType::kInt64), Column(DataType::kFloat64)};
  columns[0].AppendInt64(1);
  columns[1].AppendFloat64(2.5);
  Table table(Schema(std::move(fields)), std::move(columns));

  auto model = Start(
      {.command = Python("echo_model.py", "regression"), .inputs = {ModelInput{.name = "x"}}});
  ASSERT_NE(model, nullptr);
  ASSERT_EQ(model->info().inputs.size(), 1U);
  Result<Predictions> p = model->Predict(table);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  EXPECT_EQ(p->Value(0), 2.5);

  auto strict = Start(
      {.command = Python("echo_model.py", "regression"), .inputs = {ModelInput{.name = "age"}}});
  ASSERT_NE(strict, nullptr);
  p = strict->Predict(table);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p.error().message(), "model input \"age\" has no column in the data");
}

TEST(ExternalModelTest, ChattyChildWithLargeBatchesDoesNotDeadlock) {
  // 200 KiB of stderr before each batch is read, and answers written row by row while a
  // 40,000-row batch (about 600 KiB) is still being sent.
  auto model = Start({.command = Python("echo_model.py", "classification"),
                      .batch_rows = 40'000,
                      .environment = {"ECHO_STDERR_BYTES=204800"}});
  ASSERT_NE(model, nullptr);
  std::vector<std::optional<double>> x(40'000, 0.125);
  Result<Predictions> p = model->Predict(MakeTable(x));
  ASSERT_TRUE(p.has_value()) << p.error().ToString().substr(0, 500);
  EXPECT_EQ(p->rows, 40'000);
  EXPECT_EQ(p->Probability(39'999, 0), 0.875);
}

TEST(ExternalModelTest, ConcurrentPredictCallsAreSerialized) {
  auto model = Start({.command = Python("echo_model.py", "regression"), .batch_rows = 7});
  ASSERT_NE(model, nullptr);
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        std::vector<std::optional<double>> x;
        for (int i = 0; i < 20; ++i) x.push_back(t * 1000 + round * 100 + i);
        Result<Predictions> p = model->Predict(MakeTable(x));
        if (!p.has_value() || p->rows != 20) {
          ++wrong[t];
          continue;
        }
        for (int i = 0; i < 20; ++i) wrong[t] += p->Value(i) != *x[i];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong, (std::vector<int>{0, 0, 0, 0}));
}

// ---- Failures ------------------------------------------------------------------------

Status StartError(const ExternalModelOptions& options) {
  Result<std::unique_ptr<Model>> model = StartExternalModel(options);
  return model.has_value() ? OkStatus() : model.error();
}

Status PredictError(const ExternalModelOptions& options, const Table& table) {
  Result<std::unique_ptr<Model>> model = StartExternalModel(options);
  if (!model.has_value()) return model.error();
  Result<Predictions> p = (*model)->Predict(table);
  return p.has_value() ? OkStatus() : p.error();
}

TEST(ExternalModelTest, BadOptionsAreRefused) {
  Status s = StartError({.command = ""});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(),
            "the external model command is empty; expected a command to run with "
            "/bin/sh -c");
  s = StartError({.command = "true", .batch_rows = 0});
  EXPECT_EQ(s.ToString(), "external model batch size 0; expected at least 1 row per batch");
  s = StartError({.command = "true", .timeout_ms = 0});
  EXPECT_EQ(s.ToString(), "external model timeout 0 ms; expected a timeout of at least 1 ms");
  s = StartError({.command = "true", .environment = {"=x"}});
  EXPECT_EQ(s.ToString(), "external model environment entry \"=x\"; expected NAME=VALUE");
}

TEST(ExternalModelTest, WrongProtocolVersionIsRefused) {
  const std::string command = "/bin/sh " + Fake("wrong_version.sh");
  Status s = StartError({.command = command});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "external model \"" + command +
                              "\", its handshake: line 1 of its output: the version line is "
                              "\"probity-model-protocol 2\"; expected \"probity-model-protocol "
                              "1\"");
}

TEST(ExternalModelTest, CommandThatIsNotFoundExitsDuringHandshake) {
  Status s = StartError({.command = "/nonexistent/model-server"});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(),
              StartsWith("external model \"/nonexistent/model-server\" exited with status 127 "
                         "during its handshake; its stderr ends with:\n"));
  EXPECT_THAT(s.message(), HasSubstr("/nonexistent/model-server: not found"));
}

TEST(ExternalModelTest, HandshakeTimeoutKillsTheChild) {
  const std::string command = "/bin/sh " + Fake("hang.sh") + " handshake";
  Status s = StartError({.command = command, .timeout_ms = 300});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.ToString(), "external model \"" + command +
                              "\" did not finish its handshake within 300 ms and was killed");
}

TEST(ExternalModelTest, BatchTimeoutKillsTheChildAndLaterCallsFail) {
  // 1 s: the handshake must fit in it too, even on a loaded machine.
  const std::string command = "/bin/sh " + Fake("hang.sh");
  auto model = Start({.command = command, .timeout_ms = 1000});
  ASSERT_NE(model, nullptr);
  Result<Predictions> p = model->Predict(MakeTable({1.0, 2.0}));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), StatusCode::kFailedPrecondition);
  const std::string first = "external model \"" + command +
                            "\" did not finish batch 1 (rows 1-2) within 1000 ms and was killed";
  EXPECT_EQ(p.error().ToString(), first);
  p = model->Predict(MakeTable({1.0}));
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(p.error().ToString(),
            "external model \"" + command + "\" was stopped after an earlier error: " + first);
}

TEST(ExternalModelTest, CrashBySignalIsReported) {
  // Run directly (exec), the script's own death by SIGSEGV is what Probity sees.
  std::string command = "exec " + Fake("crash.sh");
  Status s = PredictError({.command = command}, MakeTable({1.0}));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.ToString(), "external model \"" + command +
                              "\" was killed by signal 11 (Segmentation fault) during batch 1 "
                              "(rows 1-1)");
  // Under the /bin/sh -c that runs every command, the shell reports it as status 139.
  command = "/bin/sh " + Fake("crash.sh");
  s = PredictError({.command = command}, MakeTable({1.0}));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.ToString(), "external model \"" + command +
                              "\" exited with status 139, the shell's report of signal 11 "
                              "(Segmentation fault) during batch 1 (rows 1-1); its stderr ends "
                              "with:\nSegmentation fault");
}

TEST(ExternalModelTest, StderrOfAFailingChildIsInTheMessage) {
  const std::string command = "/bin/sh " + Fake("stderr_fail.sh");
  Status s = PredictError({.command = command}, MakeTable({1.0, 2.0, 3.0}));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.ToString(), "external model \"" + command +
                              "\" exited with status 1 during batch 1 (rows 1-3); its stderr "
                              "ends with:\nTraceback (most recent call last):\nValueError: "
                              "model file is corrupt");
}

TEST(ExternalModelTest, ChildThatStopsReadingDoesNotKillProbity) {
  // The batch (about 1.4 MB) is larger than a pipe holds, so writing it fails with EPIPE
  // once the child has exited; SIGPIPE must not end the test process.
  const std::string command = "/bin/sh " + Fake("early_exit.sh");
  std::vector<std::optional<double>> x(100'000, 0.123456789);
  Status s = PredictError({.command = command, .batch_rows = 100'000}, MakeTable(x));
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.ToString(), "external model \"" + command +
                              "\" exited with status 0 during batch 1 (rows 1-100000)");
}

TEST(ExternalModelTest, StderrTailIsBounded) {
  auto model = Start({.command = Python("echo_model.py", "regression") + "; exit 5",
                      .environment = {"ECHO_STDERR_BYTES=300000"}});
  ASSERT_NE(model, nullptr);
  // The column "junk" makes the child exit with status 2 after 300,000 bytes of stderr.
  std::vector<Field> fields = {Field{.name = "junk", .type = DataType::kInt64}};
  std::vector<Column> columns = {Column(DataType::kInt64)};
  columns[0].AppendInt64(1);
  Result<Predictions> p = model->Predict(Table(Schema(std::move(fields)), std::move(columns)));
  ASSERT_FALSE(p.has_value());
  EXPECT_THAT(p.error().message(), HasSubstr("exited with status 5 during batch 1 (rows 1-1); "
                                             "its stderr ends with:\n…xxx"));
  EXPECT_THAT(p.error().message(), HasSubstr("xxx\nunexpected column junk"));
  EXPECT_LT(p.error().message().size(), 70'000U);
}

struct MalformedCase {
  std::string mode;
  std::string message;  // after `external model "<command>", `
  std::string expected;
  friend void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.mode; }
};

class ExternalModelMalformedTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(ExternalModelMalformedTest, IsInvalidArgumentNamingTheLine) {
  const MalformedCase& c = GetParam();
  const std::string command = Python("bad_answer.py", c.mode);
  Status s = PredictError({.command = command}, MakeTable({1.0, 2.0}));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "external model \"" + command + "\", " + c.message);
  EXPECT_EQ(s.expected(), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Answers, ExternalModelMalformedTest,
    ::testing::Values(
        MalformedCase{"noprediction", "its handshake: the answer header has a column \"score\"",
                      "the columns prediction and probability(<class>) for each class"},
        MalformedCase{"unknown", "its handshake: the answer header has a column \"margin\"",
                      "the columns prediction and probability(<class>) for each class"},
        MalformedCase{"extra",
                      "batch 1 (rows 1-2): line 6 of its output: the answer goes on after its "
                      "2 rows",
                      "exactly 2 rows, as announced by \"batch 2\""},
        MalformedCase{"text",
                      "batch 1 (rows 1-2): line 4 of its output: row 1 of the answer, column "
                      "\"probability(a)\" holds \"abc\"",
                      "a probability between 0 and 1, or an empty field for a missing one"},
        MalformedCase{"range",
                      "batch 1 (rows 1-2): line 4 of its output: row 1 of the answer, column "
                      "\"probability(a)\" holds \"1.5\"",
                      "a probability between 0 and 1, or an empty field for a missing one"},
        MalformedCase{"fields",
                      "batch 1 (rows 1-2): line 4 of its output: row 1 of the answer has 2 "
                      "fields",
                      "3 fields, as in the header \"prediction,probability(a),probability(b)\""},
        MalformedCase{"header",
                      "batch 1 (rows 1-2): line 3 of its output: the answer header is "
                      "\"prediction,probability(b),probability(a)\"",
                      "the header of the handshake, "
                      "\"prediction,probability(a),probability(b)\""},
        MalformedCase{"class",
                      "batch 1 (rows 1-2): line 4 of its output: row 1 of the answer, column "
                      "\"prediction\" holds \"c\", which is not one of the classes",
                      "one of the classes in the header's probability(<class>) columns"},
        MalformedCase{"quote",
                      "batch 1 (rows 1-2): line 4 of its output: found 'x' after the "
                      "closing quote of a field",
                      "the delimiter ',' or the end of the line"}),
    [](const ::testing::TestParamInfo<MalformedCase>& param) { return param.param.mode; });

// ---- The example scikit-learn adapter (examples/models/) ------------------------------

TEST(ExternalModelTest, ExampleSklearnAdapterReproducesPredictProba) {
  if (std::system("/usr/bin/python3 -c 'import sklearn, pandas' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 cannot import sklearn and pandas (Debian's "
                    "python3-sklearn); the example adapter cannot run";
  }
  const std::string root = PROBITY_SOURCE_DIR;
  FileSystem& fs = LocalFileSystem();
  Result<ingest::DatasetSpec> spec =
      ingest::LoadSchemaFile(fs, root + "/examples/data/german_credit.schema.yaml");
  ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
  Result<Table> data = ingest::ReadTable(fs, root + "/examples/data/german_credit.csv", *spec, {});
  ASSERT_TRUE(data.has_value()) << data.error().ToString();
  Result<Table> expected =
      ingest::ReadTable(fs, root + "/examples/models/german_credit_logistic.expected.csv", {}, {});
  ASSERT_TRUE(expected.has_value()) << expected.error().ToString();

  auto model =
      Start({.command = "/usr/bin/python3 " + root + "/examples/models/sklearn_adapter.py " + root +
                        "/examples/models/german_credit_logistic.pkl"});
  ASSERT_NE(model, nullptr);
  ASSERT_EQ(model->info().classes, (std::vector<std::string>{"bad", "good"}));
  Result<Predictions> p = model->Predict(*data);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  ASSERT_EQ(p->rows, 1000);
  ASSERT_EQ(expected->num_rows(), 1000);
  const Column& prediction = *expected->ColumnByName("prediction").value();
  const Column& bad = *expected->ColumnByName("probability(bad)").value();
  const Column& good = *expected->ColumnByName("probability(good)").value();
  int mismatches = 0;
  for (int64_t r = 0; r < 1000; ++r) {
    mismatches += std::abs(p->Probability(r, 0) - bad.NumberAt(r)) > 1e-12;
    mismatches += std::abs(p->Probability(r, 1) - good.NumberAt(r)) > 1e-12;
    mismatches += model->info().classes[static_cast<size_t>(p->labels[static_cast<size_t>(r)])] !=
                  prediction.StringAt(r);
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace probity::models
