#include "audit/core/base64.h"

#include <gtest/gtest.h>

namespace probity {
namespace {

// RFC 4648 §10 test vectors.
TEST(Base64Test, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(Base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYg"), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(Base64Decode(""), "");
}

TEST(Base64Test, UrlAlphabetOnlyWhenAsked) {
  // 0xfb 0xff encodes as "+/8=" in the standard alphabet and "-_8=" in the URL-safe one.
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(Base64Decode("-_8="), std::nullopt);
  EXPECT_EQ(Base64Decode("-_8=", Base64Alphabet::kStandardOrUrl), "\xfb\xff");
}

TEST(Base64Test, RejectsMalformedText) {
  EXPECT_EQ(Base64Decode("Zm9v YmFy"), std::nullopt);  // whitespace
  EXPECT_EQ(Base64Decode("Zm9vY"), std::nullopt);      // impossible length
  EXPECT_EQ(Base64Decode("Zh=="), std::nullopt);       // non-zero trailing bits
  EXPECT_EQ(Base64Decode("Zm9v="), std::nullopt);      // padding at the wrong length
  EXPECT_EQ(Base64Decode("Z==="), std::nullopt);
}

TEST(HexTest, RoundTripsAndRejectsUpperCase) {
  EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(HexDecode("00ff10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(HexDecode("0F"), std::nullopt);
  EXPECT_EQ(HexDecode("abc"), std::nullopt);
}

}  // namespace
}  // namespace probity
