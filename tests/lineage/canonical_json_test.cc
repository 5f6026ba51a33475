#include "lineage/canonical_json.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>

#include "tests/testing/test_data.h"

namespace probity::lineage {
namespace {

using Json = nlohmann::json;

double FromBits(uint64_t bits) { return std::bit_cast<double>(bits); }

std::string Canon(const Json& value) {
  auto r = CanonicalJson(value);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

// RFC 8785 Appendix B: every row of the number serialization table.
TEST(CanonicalJsonTest, Rfc8785AppendixBNumbers) {
  const std::pair<uint64_t, const char*> rows[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},  // round to even
  };
  for (const auto& [bits, expected] : rows) {
    EXPECT_EQ(Canon(Json(FromBits(bits))), expected) << std::hex << bits;
  }
  // The table's three non-finite rows are errors.
  for (uint64_t bits : {0x7fffffffffffffffu, 0x7ff0000000000000u, 0xfff0000000000000u}) {
    auto r = CanonicalJson(Json(FromBits(bits)));
    ASSERT_FALSE(r.ok()) << std::hex << bits;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.error().ToString().find("has no JSON form"), std::string::npos);
  }
}

// 4,000 doubles whose expected strings were made by an independent Python implementation of
// ECMAScript Number::toString (tests/data/lineage/make_jcs_numbers.py).
TEST(CanonicalJsonTest, MatchesIndependentEcmaScriptNumbers) {
  std::ifstream in(testing::TestDataPath("lineage/jcs_numbers.tsv"));
  ASSERT_TRUE(in) << "missing tests/data/lineage/jcs_numbers.tsv";
  std::string line;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const uint64_t bits = std::stoull(line.substr(0, tab), nullptr, 16);
    EXPECT_EQ(Canon(Json(FromBits(bits))), line.substr(tab + 1)) << line;
    ++checked;
  }
  EXPECT_EQ(checked, 4000);
}

// RFC 8785 §3.2.2: the example input and its canonical form.
TEST(CanonicalJsonTest, Rfc8785Section322Example) {
  const std::string input = R"({
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
})";
  auto r = Canonicalize(input, "rfc8785.json");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r,
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,"
            "1e-27],\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

// RFC 8785 §3.2.3: members sorted by UTF-16 code units.
TEST(CanonicalJsonTest, Rfc8785Section323SortsByUtf16CodeUnits) {
  const std::string input = R"({
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
})";
  auto r = Canonicalize(input, "rfc8785.json");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r,
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\","
            "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
            "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
            "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

TEST(CanonicalJsonTest, SupplementaryCharactersSortBelowPrivateUseArea) {
  // UTF-8 byte order would put U+E000 (EE 80 80) before U+1F600 (F0 9F 98 80); UTF-16 puts the
  // surrogate pair D83D DE00 first.
  Json j = {{"\xEE\x80\x80", 1}, {"\xF0\x9F\x98\x80", 2}, {"\xF0\x90\x80\x80", 3}, {"a", 4}};
  EXPECT_EQ(Canon(j), "{\"a\":4,\"\xF0\x90\x80\x80\":3,\"\xF0\x9F\x98\x80\":2,\"\xEE\x80\x80\":1}");
}

TEST(CanonicalJsonTest, EscapesOnlyWhatRfc8785Requires) {
  const std::string s = std::string("\x01\x1f\x7f/<>&\b\f\n\r\t\"\\", 14) + std::string(1, '\0');
  EXPECT_EQ(Canon(Json(s)), "\"\\u0001\\u001f\x7f/<>&\\b\\f\\n\\r\\t\\\"\\\\\\u0000\"");
  EXPECT_EQ(Canon(Json("\xE2\x82\xAC")), "\"\xE2\x82\xAC\"");  // raw UTF-8, not \u20ac
}

TEST(CanonicalJsonTest, WritesNestedValuesWithoutWhitespace) {
  Json j = Json::parse(R"({"b": [1, {"d": [], "c": {}}], "a": null, "e": -7, "f": 0.5})");
  EXPECT_EQ(Canon(j), R"({"a":null,"b":[1,{"c":{},"d":[]}],"e":-7,"f":0.5})");
  EXPECT_EQ(Canon(Json(-0.0)), "0");
  EXPECT_EQ(Canon(Json(100.0)), "100");
  EXPECT_EQ(Canon(Json(1e21)), "1e+21");
  EXPECT_EQ(Canon(Json(1e-7)), "1e-7");
}

TEST(CanonicalJsonTest, IntegersUpTo2Pow53PrintExactly) {
  EXPECT_EQ(Canon(Json(int64_t{9007199254740992})), "9007199254740992");
  EXPECT_EQ(Canon(Json(int64_t{-9007199254740992})), "-9007199254740992");
  EXPECT_EQ(Canon(Json(uint64_t{9007199254740992})), "9007199254740992");
  EXPECT_EQ(Canon(Json(std::numeric_limits<int64_t>::min() / (int64_t{1} << 11))),
            "-4503599627370496");
}

TEST(CanonicalJsonTest, RefusesIntegersBeyond2Pow53) {
  for (const Json& j :
       {Json(int64_t{9007199254740993}), Json(int64_t{-9007199254740993}),
        Json(std::numeric_limits<uint64_t>::max()), Json(std::numeric_limits<int64_t>::min())}) {
    auto r = CanonicalJson(Json{{"size", {j}}});
    ASSERT_FALSE(r.ok()) << j;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find("at /size/0: the integer " + j.dump()), std::string::npos)
        << r.error().ToString();
    EXPECT_NE(r.error().message().find("cannot represent exactly"), std::string::npos);
  }
}

TEST(CanonicalJsonTest, RefusesInvalidUtf8AndNamesThePointer) {
  for (const char* bad : {"\xff", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82"}) {
    auto r = CanonicalJson(Json{{"a/b~", {{"k", std::string("x") + bad}}}});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(
        r.error().message().rfind("canonical JSON at /a~1b~0/k: a string is not valid UTF-8", 0),
        0u)
        << r.error().ToString();
  }
  auto key = CanonicalJson(Json{{"\xF0\x9F\x98", 1}});
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.error().message().find("not valid UTF-8"), std::string::npos);
}

TEST(CanonicalJsonTest, RefusesBinaryAndDeepNesting) {
  EXPECT_EQ(CanonicalJson(Json::binary({1, 2})).status().code(), StatusCode::kInvalidArgument);
  Json deep = Json::array();
  for (int i = 0; i < kMaxJsonDepth; ++i) deep = Json::array({deep});
  auto r = CanonicalJson(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("deeper than 512"), std::string::npos);
}

TEST(AppendCanonicalStringTest, WritesReplacementCharacterForInvalidBytes) {
  std::string out;
  AppendCanonicalString(out, "a\xff\n");
  EXPECT_EQ(out, "\"a\xEF\xBF\xBD\\n\"");
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80\xE2\x82\xAC"));
  EXPECT_FALSE(IsValidUtf8("\xED\xBF\xBF"));  // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xE0\x9F\xBF"));  // overlong
}

Status ParseError(std::string_view text) {
  auto r = ParseStrictJson(text, "in.json");
  return r.ok() ? OkStatus() : r.error();
}

TEST(ParseStrictJsonTest, RefusesDuplicateKeysWithLocation) {
  Status s = ParseError("{\n  \"a\": 1,\n  \"b\": {\"x\": 1, \"x\": 2}\n}");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "duplicate member name \"x\"");
  EXPECT_EQ(s.location().file, "in.json");
  EXPECT_EQ(s.location().line, 3);
  EXPECT_EQ(s.location().column, 19);  // the closing quote of the second "x"
  EXPECT_EQ(s.expected(), "each name at most once per object");
  // The same name in different objects is fine.
  EXPECT_TRUE(ParseError(R"({"a": {"x": 1}, "b": {"x": 1}})").ok());
}

TEST(ParseStrictJsonTest, RefusesTrailingGarbageAndSyntaxErrors) {
  Status s = ParseError("{\"a\": 1}\n x");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.location().line, 2);
  EXPECT_EQ(s.location().column, 2);
  EXPECT_EQ(s.expected(), "end of input") << s.ToString();
  Status missing = ParseError("{\"a\" 1}");
  EXPECT_EQ(missing.location().column, 6) << missing.ToString();
  EXPECT_EQ(missing.expected(), "':'") << missing.ToString();
  EXPECT_EQ(ParseError("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError("{\"a\":1,}").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError("[1] // comment").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ParseError(" [1]\n\t ").ok());
}

TEST(ParseStrictJsonTest, RefusesInvalidUtf8BomAndLoneSurrogates) {
  Status utf8 = ParseError("[\"ok\", \"\xC0\xAF\"]");
  EXPECT_EQ(utf8.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(utf8.message().find("UTF-8"), std::string::npos) << utf8.ToString();
  EXPECT_NE(utf8.message().find("\\xc0"), std::string::npos) << utf8.ToString();  // printable
  Status bom = ParseError("\xEF\xBB\xBF{}");
  EXPECT_EQ(bom.message(), "the text starts with a byte-order mark");
  EXPECT_EQ(ParseError(R"(["\ud800"])").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError(R"(["\udc00\ud800"])").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError("[\"a\x01\"]").code(), StatusCode::kInvalidArgument);
}

TEST(ParseStrictJsonTest, LimitsNestingDepth) {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(ParseError(nested(kMaxJsonDepth)).ok());
  Status s = ParseError(nested(kMaxJsonDepth + 1));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "nesting is deeper than 512 levels");
  EXPECT_EQ(s.location().column, kMaxJsonDepth + 1);
}

TEST(ParseStrictJsonTest, RefusesTextsAboveTheSizeLimitBeforeParsing) {
  const std::string big(kMaxStrictJsonBytes + 1, ' ');
  Status s = ParseError(big);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.expected(), "at most 67108864 bytes");
}

TEST(ParseStrictJsonTest, NumbersKeepTheirDoubleValue) {
  // Integers beyond 2^53 that no double equals are refused; the canonical spelling of a large
  // double parses back to that double, so canonical output is a fixed point.
  Status lossy = ParseError("[9007199254740993]");
  EXPECT_EQ(lossy.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(lossy.message().find("would become 9007199254740992"), std::string::npos)
      << lossy.ToString();
  EXPECT_EQ(ParseError("[-9007199254740993]").code(), StatusCode::kInvalidArgument);
  for (const char* fixed : {"[1152921504606847000]", "[18446744073709552000]", "[9007199254740994]",
                            "[-9223372036854776000]", "[295147905179352830000]"}) {
    auto canonical = Canonicalize(fixed, "n.json");
    ASSERT_TRUE(canonical.ok()) << fixed << ": " << canonical.status().ToString();
    EXPECT_EQ(*canonical, fixed);
  }
  EXPECT_EQ(*Canonicalize("[1152921504606846976]", "n.json"), "[1152921504606847000]");  // 2^60
  EXPECT_EQ(*Canonicalize("[-9223372036854775808]", "n.json"), "[-9223372036854776000]");
  EXPECT_EQ(*Canonicalize("[1.00, 1e0, -0, -0.0, 1E+2]", "n.json"), "[1,1,0,0,100]");
  Status overflow = ParseError("[1e999]");
  EXPECT_EQ(overflow.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(overflow.message().find("overflow"), std::string::npos) << overflow.ToString();
}

TEST(CanonicalizeTest, CanonicalFormIsAFixedPoint) {
  const std::string input = R"({"z": [1.5e300, -2.5e-8, "\u00e9\ud83d\ude00"], "a": {"y": true,
    "\ue000": false, "\ud800\udc00": null}, "n": 12345678901234})";
  auto once = Canonicalize(input, "in.json");
  ASSERT_TRUE(once.ok()) << once.status().ToString();
  auto twice = Canonicalize(*once, "canon.json");
  ASSERT_TRUE(twice.ok()) << twice.status().ToString();
  EXPECT_EQ(*once, *twice);
}

}  // namespace
}  // namespace probity::lineage
