#include "lineage/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "audit/core/base64.h"

namespace probity::lineage {
namespace {

std::filesystem::path TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("probity_keys_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(PublicKeyTest, RawEd25519KeyHasFixedSpkiPrefix) {
  // RFC 8032 §7.1 TEST 1 public key; the SPKI prefix is RFC 8410's.
  const std::string raw =
      *HexDecode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto key = PublicKey::FromRawEd25519(raw);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->der().size(), 44u);
  EXPECT_EQ(HexEncode(key->der().substr(0, 12)), "302a300506032b6570032100");
  EXPECT_EQ(key->RawEd25519(), raw);
  EXPECT_EQ(key->algorithm(), KeyAlgorithm::kEd25519);
}

TEST(PublicKeyTest, VerifiesRfc8032TestVector) {
  // RFC 8032 §7.1 TEST 1: empty message.
  auto key = PublicKey::FromRawEd25519(
      *HexDecode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  ASSERT_TRUE(key.ok());
  const std::string sig = *HexDecode(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
      "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(key->Verify("", sig));
  EXPECT_FALSE(key->Verify("x", sig));
  std::string flipped = sig;
  flipped[5] ^= 1;
  EXPECT_FALSE(key->Verify("", flipped));
  EXPECT_FALSE(key->Verify("", sig.substr(0, 63)));
}

TEST(SignerTest, SignsAndRoundTripsThroughPem) {
  auto signer = GenerateEd25519Signer();
  ASSERT_TRUE(signer.ok());
  auto sig = (*signer)->Sign("hello");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 64u);
  EXPECT_TRUE((*signer)->public_key().Verify("hello", *sig));
  auto again = PublicKey::FromPem((*signer)->public_key().ToPem(), "pem");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id(), (*signer)->key_id());
  EXPECT_EQ((*signer)->key_id().size(), 64u);
}

TEST(SignerTest, WritesKeyPairWithPrivateMode) {
  const auto dir = TempDir("write");
  auto signer = GenerateEd25519Signer();
  ASSERT_TRUE(signer.ok());
  const std::string path = (dir / "k.key").string();
  ASSERT_TRUE(WriteKeyPair(**signer, path).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = LoadSigner(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->key_id(), (*signer)->key_id());
  // Never overwrites an existing key.
  EXPECT_EQ(WriteKeyPair(**signer, path).code(), StatusCode::kFailedPrecondition);
  std::filesystem::remove_all(dir);
}

TEST(SignerTest, RefusesKeyReadableByOthers) {
  const auto dir = TempDir("mode");
  auto signer = GenerateEd25519Signer();
  ASSERT_TRUE(signer.ok());
  const std::string path = (dir / "k.key").string();
  ASSERT_TRUE(WriteKeyPair(**signer, path).ok());
  ::chmod(path.c_str(), 0644);
  auto loaded = LoadSigner(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(loaded.status().message().find("0644"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(SignerTest, RejectsMalformedKeyFiles) {
  const auto dir = TempDir("bad");
  const std::string path = (dir / "bad.key").string();
  { std::ofstream(path) << "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"; }
  ::chmod(path.c_str(), 0600);
  auto loaded = LoadSigner(path);
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PublicKey::FromPem("garbage", "x.pem").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PublicKey::FromRawEd25519("short").status().code(), StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace probity::lineage
