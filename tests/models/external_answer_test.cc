#include "audit/ingest/models/internal/external_answer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace probity::models::internal {
namespace {

Result<AnswerLayout> Layout(std::vector<std::string> fields) { return ParseAnswerLayout(fields); }

TEST(AnswerLayoutTest, HeaderGivesTaskAndClasses) {
  Result<AnswerLayout> layout = Layout({"probability(b)", "prediction", "probability(a, c)"});
  ASSERT_TRUE(layout.has_value()) << layout.error().ToString();
  EXPECT_EQ(layout->task(), ModelTask::kClassification);
  EXPECT_EQ(layout->classes, (std::vector<std::string>{"b", "a, c"}));
  EXPECT_EQ(layout->prediction, 1U);
  EXPECT_EQ(layout->probability_columns, (std::vector<size_t>{0, 2}));
  layout = Layout({"prediction"});
  ASSERT_TRUE(layout.has_value());
  EXPECT_EQ(layout->task(), ModelTask::kRegression);
}

TEST(AnswerLayoutTest, BadHeadersAreRefused) {
  const std::string expected = "the columns prediction and probability(<class>) for each class";
  Result<AnswerLayout> layout = Layout({"prediction", "prediction"});
  ASSERT_FALSE(layout.has_value());
  EXPECT_EQ(layout.error().message(), "the answer header names \"prediction\" twice");
  EXPECT_EQ(layout.error().expected(), expected);
  layout = Layout({"prediction", "probability(a)", "probability(a)"});
  ASSERT_FALSE(layout.has_value());
  EXPECT_EQ(layout.error().message(), "the answer header names class \"a\" twice");
  layout = Layout({"probability()", "prediction"});
  ASSERT_FALSE(layout.has_value());
  EXPECT_EQ(layout.error().message(), "the answer header has a column \"probability()\"");
  layout = Layout({"probability(a)"});
  ASSERT_FALSE(layout.has_value());
  EXPECT_EQ(layout.error().message(),
            "the answer header \"probability(a)\" has no \"prediction\" column");
}

TEST(HandshakeReaderTest, VersionLineAndHeaderInAnyPieces) {
  const std::string output = "probity-model-protocol 1\r\n\"prediction\",probability(x)\r\n";
  for (size_t piece : {size_t{1}, size_t{3}, output.size()}) {
    HandshakeReader handshake;
    std::string pending;
    for (size_t i = 0; i < output.size(); i += piece) {
      pending += output.substr(i, piece);
      ASSERT_TRUE(handshake.Consume(&pending).ok()) << piece;
    }
    ASSERT_TRUE(handshake.done());
    EXPECT_EQ(handshake.line(), 3);
    EXPECT_EQ(std::move(handshake).Finish().classes, (std::vector<std::string>{"x"}));
  }
}

TEST(HandshakeReaderTest, WrongVersionAndTrailingOutputAreRefused) {
  HandshakeReader handshake;
  std::string pending = "Traceback (most recent call last): a very long first line\n";
  Status s = handshake.Consume(&pending);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "line 1 of its output: the version line is \"Traceback (most recent call last): a "
            "very long first line\"");
  // Long enough without a line end to know it is not the version line.
  HandshakeReader unterminated;
  pending = "probity-model-protocol 10";
  EXPECT_EQ(unterminated.Consume(&pending).message(),
            "line 1 of its output: the version line is \"probity-model-protocol 10\"");

  HandshakeReader chatty;
  pending = "probity-model-protocol 1\nprediction\n\nready\n";
  s = chatty.Consume(&pending);
  EXPECT_EQ(s.message(), "line 3 of its output: the handshake goes on after the header");
  EXPECT_EQ(s.expected(), "nothing more until the first batch");
}

TEST(AnswerReaderTest, ByteByByteEqualsAllAtOnce) {
  AnswerLayout layout = *Layout({"prediction", "probability(no)", "probability(yes\nreally)"});
  const std::string answer =
      "prediction,probability(no),\"probability(yes\nreally)\"\n"
      "no,0.75,0.25\n"
      "\n"
      "\"yes\nreally\", 0 , 1 \r\n"
      ",,\n";
  for (size_t piece : {size_t{1}, answer.size()}) {
    AnswerReader reader(layout, 3, 3);
    std::string pending;
    for (size_t i = 0; i < answer.size(); i += piece) {
      pending += answer.substr(i, piece);
      Status s = reader.Consume(&pending);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
    ASSERT_TRUE(reader.done());
    EXPECT_EQ(reader.line(), 10);
    Predictions p = std::move(reader).Finish();
    EXPECT_EQ(p.rows, 3);
    EXPECT_EQ(p.labels, (std::vector<int32_t>{0, 1, -1}));
    ASSERT_EQ(p.probabilities.size(), 6U);
    EXPECT_EQ(p.probabilities[0], 0.75);
    EXPECT_EQ(p.probabilities[3], 1.0);
    EXPECT_TRUE(std::isnan(p.probabilities[4]));
  }
}

TEST(AnswerReaderTest, RegressionValuesAndMissing) {
  AnswerLayout layout = *Layout({"prediction"});
  AnswerReader reader(layout, 3, 1);
  std::string pending = "prediction\n-1.5e3\n\"\"\ninf\n";
  ASSERT_TRUE(reader.Consume(&pending).ok());
  ASSERT_TRUE(reader.done());
  Predictions p = std::move(reader).Finish();
  ASSERT_EQ(p.values.size(), 3U);
  EXPECT_EQ(p.values[0], -1500);
  EXPECT_TRUE(std::isnan(p.values[1]));
  EXPECT_TRUE(std::isinf(p.values[2]));

  AnswerReader bad(layout, 1, 1);
  pending = "prediction\nhigh\n";
  Status s = bad.Consume(&pending);
  EXPECT_EQ(s.message(),
            "line 2 of its output: row 1 of the answer, column \"prediction\" holds \"high\"");
  EXPECT_EQ(s.expected(), "a number, or an empty field for a missing prediction");
}

TEST(AnswerReaderTest, OverlongRecordIsRefusedWithoutWaitingForever) {
  AnswerLayout layout = *Layout({"prediction"});
  AnswerReader reader(layout, 1, 3);
  std::string pending = "prediction\n" + std::string(kMaxAnswerRecordBytes + 1, '7');
  Status s = reader.Consume(&pending);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "line 4 of its output: a record runs past 4 MiB without a line end");
}

}  // namespace
}  // namespace probity::models::internal
