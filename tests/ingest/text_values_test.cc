#include "audit/ingest/internal/text_values.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <random>

#include "audit/ingest/type_inference.h"

namespace probity::ingest::internal {
namespace {

double Strtod(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

TEST(ParseFloat64Test, AgreesWithStrtodOnRandomDecimals) {
  std::mt19937_64 rng(1);
  char buffer[64];
  for (int i = 0; i < 200000; ++i) {
    int digits = static_cast<int>(rng() % 18);
    double magnitude = std::pow(10.0, static_cast<double>(rng() % 12) - 4);
    double v = (static_cast<double>(rng() % 2000001) - 1000000.0) / 1000000.0 * magnitude;
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
    double parsed;
    ASSERT_EQ(ParseFloat64(buffer, &parsed), NumberParse::kOk) << buffer;
    ASSERT_EQ(parsed, Strtod(buffer)) << buffer;
    std::snprintf(buffer, sizeof buffer, "%.*e", digits, v);
    ASSERT_EQ(ParseFloat64(buffer, &parsed), NumberParse::kOk) << buffer;
    ASSERT_EQ(parsed, Strtod(buffer)) << buffer;
  }
}

TEST(ParseFloat64Test, EdgeCases) {
  double v;
  EXPECT_EQ(ParseFloat64("+1.5", &v), NumberParse::kOk);
  EXPECT_EQ(v, 1.5);
  EXPECT_EQ(ParseFloat64("-.5", &v), NumberParse::kOk);
  EXPECT_EQ(v, -0.5);
  EXPECT_EQ(ParseFloat64("12345678901234567890", &v), NumberParse::kOk);
  EXPECT_EQ(v, 12345678901234567890.0);
  EXPECT_EQ(ParseFloat64("-inf", &v), NumberParse::kOk);
  EXPECT_TRUE(std::isinf(v) && v < 0);
  EXPECT_EQ(ParseFloat64("NaN", &v), NumberParse::kOk);
  EXPECT_TRUE(std::isnan(v));
  EXPECT_EQ(ParseFloat64("1e999", &v), NumberParse::kOutOfRange);
  for (const char* bad : {"", "+", "-", ".", "+-1", "1,5", "1.5x", " 1", "0x10", "e5", "--1"}) {
    EXPECT_EQ(ParseFloat64(bad, &v), NumberParse::kNotANumber) << bad;
  }
}

TEST(ParseInt64Test, RangeAndSyntax) {
  int64_t v;
  EXPECT_EQ(ParseInt64("-9223372036854775808", &v), NumberParse::kOk);
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_EQ(ParseInt64("9223372036854775807", &v), NumberParse::kOk);
  EXPECT_EQ(ParseInt64("9223372036854775808", &v), NumberParse::kOutOfRange);
  EXPECT_EQ(ParseInt64("+42", &v), NumberParse::kOk);
  EXPECT_EQ(v, 42);
  EXPECT_EQ(ParseInt64("007", &v), NumberParse::kOk);
  EXPECT_EQ(v, 7);
  for (const char* bad :
       {"", "-", "+", "1.0", "1e3", "+-2", "12a", " 1", "+-1234567890123456789"}) {
    EXPECT_EQ(ParseInt64(bad, &v), NumberParse::kNotANumber) << bad;
  }
}

TEST(ParseBoolTest, StrictAndLenientForms) {
  EXPECT_EQ(ParseBool("TRUE", true), true);
  EXPECT_EQ(ParseBool("False", true), false);
  EXPECT_EQ(ParseBool("yes", true), std::nullopt);
  EXPECT_EQ(ParseBool("yes", false), true);
  EXPECT_EQ(ParseBool("n", false), false);
  EXPECT_EQ(ParseBool("0", false), false);
  EXPECT_EQ(ParseBool("2", false), std::nullopt);
}

TEST(FindInvalidUtf8Test, AcceptsValidAndLocatesInvalid) {
  EXPECT_EQ(FindInvalidUtf8("plain ascii text, long enough for the fast path"), -1);
  EXPECT_EQ(FindInvalidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), -1);
  EXPECT_EQ(FindInvalidUtf8("ab\xFF"), 2);
  EXPECT_EQ(FindInvalidUtf8("\xC0\xAF"), 0);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("x\xED\xA0\x80"), 1);     // surrogate U+D800
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0);  // above U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("12345678\xE2\x82"), 8);  // truncated
  EXPECT_EQ(FindInvalidUtf8("\x80"), 0);              // lone continuation byte
}

TEST(TypeInferenceTest, FollowsTheDocumentedRules) {
  TypeInference t({"", "NA"});
  t.Observe(0, "1");
  t.Observe(0, "-2");
  t.Observe(1, "1");
  t.Observe(1, "2.5");
  t.Observe(2, "true");
  t.Observe(2, "FALSE");
  t.Observe(3, "1");
  t.Observe(3, "x");
  t.Observe(4, "NA");
  t.Observe(5, "1");
  t.Observe(5, "", true);
  EXPECT_EQ(t.Inferred(0), DataType::kInt64);
  EXPECT_EQ(t.Inferred(1), DataType::kFloat64);
  EXPECT_EQ(t.Inferred(2), DataType::kBool);
  EXPECT_EQ(t.Inferred(3), DataType::kString);
  EXPECT_EQ(t.Inferred(4), DataType::kString);
  EXPECT_EQ(t.values_seen(4), 0);
  EXPECT_EQ(t.Inferred(5), DataType::kInt64);
  EXPECT_EQ(t.Inferred(99), DataType::kString);
}

}  // namespace
}  // namespace probity::ingest::internal
