#include "lineage/trusted_keys.h"

#include <gtest/gtest.h>

#include "audit/core/base64.h"
#include "lineage/checkpoint.h"

namespace probity::lineage {
namespace {

// RFC 8032 §7.1 TEST 1 public key, as PEM (SPKI prefix 302a300506032b6570032100 + raw key).
PublicKey Rfc8032Key() {
  return *PublicKey::FromRawEd25519(
      *HexDecode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
}

TEST(TrustedKeysTest, ReadsPemAndNoteKeysWithAttributes) {
  const PublicKey key = Rfc8032Key();
  const std::string text = "# agency keys\n\nname: pipeline\nnot-before: 2026-01-01T00:00:00Z\n"
                           "not-after: 2027-01-01T00:00:00Z\n" +
                           key.ToPem() + "\n" + NoteVerifierKey("witness", key) + "\n";
  auto keys = ParseTrustedKeys(text, "keys.pem");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].name, "pipeline");
  EXPECT_EQ((*keys)[0].key.id(), key.id());
  // 1767225600 = 2026-01-01T00:00:00Z, 1798761600 = 2027-01-01T00:00:00Z.
  EXPECT_EQ((*keys)[0].not_before->time_since_epoch().count(), 1767225600);
  EXPECT_EQ((*keys)[0].not_after->time_since_epoch().count(), 1798761600);
  EXPECT_FALSE((*keys)[0].ValidAt(TimePoint(std::chrono::seconds(1798761601))));
  // Attributes apply to one key only.
  EXPECT_EQ((*keys)[1].name, "witness");
  EXPECT_FALSE((*keys)[1].not_before.has_value());
  EXPECT_EQ(FormatTrustedKey("a", key), "name: a\n" + key.ToPem());
}

TEST(TrustedKeysTest, MalformedFilesNameTheLine) {
  const std::string pem = Rfc8032Key().ToPem();
  struct Case {
    std::string text;
    int64_t line;
    std::string message;
  } cases[] = {
      {"", 0, "has no key"},
      {"# only a comment\n", 0, "has no key"},
      {"colour: blue\n" + pem, 1, "unknown attribute \"colour\""},
      {"not-before: yesterday\n" + pem, 1, "is not a time"},
      {"not-after: 2026-01-01T00:00:00+01:00\n" + pem, 1, "is not a time"},
      {"name: x\n", 1, "apply to no key"},
      {pem + "name: x\nnot-after: 2027-01-01T00:00:00Z\n", 4, "apply to no key"},
      {"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 1, "PRIVATE KEY"},
      {"-----BEGIN PUBLIC KEY-----\nAAAA\n", 1, "not closed"},
      {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", 1, "not a PEM public key"},
      {"just some words\n", 1, "cannot read this line as a key"},
      {"w+00000000+AQ==\n", 1, "cannot read this line as a key"},
  };
  for (const Case& c : cases) {
    auto keys = ParseTrustedKeys(c.text, "keys.pem");
    ASSERT_FALSE(keys.ok()) << c.text;
    EXPECT_EQ(keys.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_EQ(keys.status().location().file, "keys.pem");
    EXPECT_EQ(keys.status().location().line, c.line) << c.text << keys.status().ToString();
    EXPECT_NE(keys.status().ToString().find(c.message), std::string::npos)
        << keys.status().ToString();
  }
}

TEST(TrustedKeysTest, MissingFileIsAnEnvironmentError) {
  auto keys = LoadTrustedKeys("/nonexistent/keys.pem");
  EXPECT_EQ(keys.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace probity::lineage
