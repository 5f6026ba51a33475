#include "lineage/checkpoint.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "audit/core/base64.h"
#include "lineage/merkle.h"

namespace probity::lineage {
namespace {

// ---- Independent references.
//
// golang.org/x/mod/sumdb/note, note_test.go (TestNewVerifier, TestSign, TestOpen): the
// PeterNeumann and EnochRoot keys, Peter's private seed, and their signatures over this text.
constexpr std::string_view kPeterVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kPeterPrivateKeyBase64 =  // from "PRIVATE+KEY+PeterNeumann+c74f20a3+…"
    "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
constexpr std::string_view kEnochVerifierKey =
    "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kPeterSig =
    "— PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr std::string_view kEnochSig =
    "— EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

// A real checkpoint of Go's checksum database and the key every Go toolchain pins, and three
// more keys' signatures over the same body, as in transparency-dev/formats log/note_test.go
// (TestSumDBNoteParsing, BenchmarkParse).
constexpr std::string_view kSumDbVerifierKey =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";
constexpr std::string_view kSumDbCheckpoint =
    "go.sum database tree\n"
    "6476701\n"
    "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
    "\n"
    "— sum.golang.org "
    "Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw="
    "\n";

constexpr std::string_view kMonkeysVerifierKey =
    "monkeys+db4d9f7e+AULaJMvTtDLHPUcUrjdDad9vDlh/PTfC2VV60JUtCfWT";
constexpr std::string_view kBananasVerifierKey =
    "bananas+cf639f13+AaPjhFnPCQnid/Ql32KWhmh+uk72FVRfK+2DLmO3BI3M";
constexpr std::string_view kWitnessVerifierKey =
    "witness+f13a86db+AdYV1Ztajd9BvyjP2HgpwrqYL6TjOwIjGMOq8Bu42xbN";
constexpr std::string_view kCosignatures =
    "— monkeys "
    "202ffh9ve46Mqbhuyb4wnC2Pwdan5EsXQym/tF1ggXJqhjGosU4T5intH4iKMRgDLxrnXuIjRaU2NbvAnaepM6Y+8ww=\n"
    "— bananas "
    "z2OfE+2bbsBZ7NLgfuslc0v7NFW2QyexJ7fhePpoL2N/P7N/COd5S+JNHbQEAlYzz2C5sg0E+x/MggS1mDR6t3/9rQw=\n"
    "— witness "
    "8TqG25yWGFLdT7WPf/WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=\n"
    "— random1 "
    "8TqG25yWGFLdT7WPf/"
    "WoyeG3LwqtkXP+8S3yykOVm6EMh4hPgCke6eSVPU4BdtXNMPJBXKF+UpDbGgCdcpR8SVSoqAU=\n";

std::string Text(std::string_view a, std::string_view b = "", std::string_view c = "") {
  return std::string(a) + std::string(b) + std::string(c);
}

TrustedKey Trust(std::string_view verifier_key) {
  auto parsed = ParseNoteVerifierKey(verifier_key);
  PROBITY_CHECK(parsed.ok());
  return TrustedKey{parsed->first, parsed->second, std::nullopt, std::nullopt};
}

// Loads Go's PeterNeumann private key through the production path: the 32-byte seed wrapped
// in the fixed RFC 8410 PKCS#8 prefix, written as a 0600 PEM file, read by LoadSigner.
std::unique_ptr<Signer> PeterSigner() {
  const std::string seed = Base64Decode(kPeterPrivateKeyBase64)->substr(1);
  const std::string der = *HexDecode("302e020100300506032b657004220420") + seed;
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("probity_checkpoint_test_" + std::to_string(::getpid()));
  {
    std::ofstream out(path);
    out << "-----BEGIN PRIVATE KEY-----\n" << Base64Encode(der) << "\n-----END PRIVATE KEY-----\n";
  }
  ::chmod(path.c_str(), 0600);
  auto signer = LoadSigner(path.string());
  std::filesystem::remove(path);
  PROBITY_CHECK(signer.ok());
  return std::move(signer).value();
}

Digest TestRoot() {
  Digest root;
  for (size_t i = 0; i < 32; ++i) root.bytes[i] = static_cast<uint8_t>(i * 7 + 1);
  return root;
}

void ExpectParseError(std::string_view text, int64_t line, std::string_view fragment) {
  auto note = ParseSignedNote(text, "cp.txt");
  ASSERT_FALSE(note.ok()) << "accepted:\n" << text;
  EXPECT_EQ(note.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(note.error().location().file, "cp.txt");
  EXPECT_EQ(note.error().location().line, line) << note.error().ToString();
  EXPECT_NE(note.error().ToString().find(fragment), std::string::npos) << note.error().ToString();
}

// ---- Keys.

TEST(NoteKeyTest, KeyHashesMatchGoSumdbNote) {
  // Decode the verifier keys by hand (not with ParseNoteVerifierKey) and hash them.
  auto peter = PublicKey::FromRawEd25519(
      Base64Decode("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")->substr(1));
  ASSERT_TRUE(peter.ok());
  EXPECT_EQ(NoteKeyHash("PeterNeumann", *peter), 0xc74f20a3u);
  auto enoch = PublicKey::FromRawEd25519(
      Base64Decode("ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop")->substr(1));
  ASSERT_TRUE(enoch.ok());
  EXPECT_EQ(NoteKeyHash("EnochRoot", *enoch), 0xaf0cfe78u);
  EXPECT_EQ(NoteVerifierKey("PeterNeumann", *peter), kPeterVerifierKey);
  EXPECT_EQ(NoteVerifierKey("EnochRoot", *enoch), kEnochVerifierKey);
}

TEST(NoteKeyTest, ParsesVerifierKeys) {
  auto peter = ParseNoteVerifierKey(kPeterVerifierKey);
  ASSERT_TRUE(peter.ok()) << peter.status().ToString();
  EXPECT_EQ(peter->first, "PeterNeumann");
  EXPECT_EQ(NoteVerifierKey(peter->first, peter->second), kPeterVerifierKey);
  // The sumdb key's base64 holds '+' itself: only the first two '+' separate.
  auto sumdb = ParseNoteVerifierKey(kSumDbVerifierKey);
  ASSERT_TRUE(sumdb.ok()) << sumdb.status().ToString();
  EXPECT_EQ(sumdb->first, "sum.golang.org");
}

TEST(NoteKeyTest, RejectsEveryManglingGoRejects) {
  // note_test.go TestNewVerifier: every proper substring and every single-byte increment.
  const std::string key(kPeterVerifierKey);
  for (size_t i = 0; i <= key.size(); ++i) {
    for (size_t j = i + 1; j <= key.size(); ++j) {
      if (i == 0 && j == key.size()) continue;
      EXPECT_FALSE(ParseNoteVerifierKey(key.substr(i, j - i)).ok()) << key.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < key.size(); ++i) {
    std::string mangled = key;
    ++mangled[i];
    EXPECT_FALSE(ParseNoteVerifierKey(mangled).ok()) << mangled;
  }
  auto wrong_length = ParseNoteVerifierKey(
      "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==");
  ASSERT_FALSE(wrong_length.ok());
  EXPECT_EQ(wrong_length.error().code(), StatusCode::kInvalidArgument);
  auto unknown_algorithm =
      ParseNoteVerifierKey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_FALSE(unknown_algorithm.ok());
  EXPECT_EQ(unknown_algorithm.error().code(), StatusCode::kUnimplemented);
  auto wrong_hash =
      ParseNoteVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  ASSERT_FALSE(wrong_hash.ok());
  EXPECT_NE(wrong_hash.error().message().find("does not match"), std::string::npos);
}

// ---- Signing and verifying against Go's published notes.

TEST(SignNoteTest, ReproducesGoSignedNoteByteForByte) {
  // Ed25519 is deterministic (RFC 8032), so signing Go's text with Go's key must give the
  // note in TestSign exactly.
  const std::unique_ptr<Signer> signer = PeterSigner();
  auto signature = SignNoteBody(kGoText, "PeterNeumann", *signer);
  ASSERT_TRUE(signature.ok()) << signature.status().ToString();
  EXPECT_EQ(signature->key_hash, 0xc74f20a3u);
  SignedNote note{std::string(kGoText), {*signature}};
  EXPECT_EQ(FormatSignedNote(note), Text(kGoText, "\n", kPeterSig));
}

TEST(VerifyNoteSignaturesTest, GoNoteVerifiesWithPeterKey) {
  auto note = ParseSignedNote(Text(kGoText, "\n", kPeterSig), "go.note");
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(note->body, kGoText);
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].name, "PeterNeumann");
  EXPECT_EQ(note->signatures[0].key_hash, 0xc74f20a3u);
  EXPECT_EQ(note->signatures[0].signature.size(), 64u);
  const std::vector<TrustedKey> trusted = {Trust(kPeterVerifierKey)};
  const NoteVerification result = VerifyNoteSignatures(*note, trusted);
  EXPECT_EQ(result.statuses, std::vector{NoteSignatureStatus::kVerified});
  EXPECT_EQ(result.verified_key_ids, std::vector{trusted[0].key.id()});
}

TEST(VerifyNoteSignaturesTest, UnknownKeysAreIgnoredButReported) {
  // TestOpen: Peter and Enoch signed; only Peter is trusted.
  auto note = ParseSignedNote(Text(kGoText, "\n", Text(kPeterSig, kEnochSig)), "go.note");
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  const std::vector<TrustedKey> peter_only = {Trust(kPeterVerifierKey)};
  NoteVerification result = VerifyNoteSignatures(*note, peter_only);
  EXPECT_EQ(result.statuses,
            (std::vector{NoteSignatureStatus::kVerified, NoteSignatureStatus::kUnknownKey}));
  EXPECT_EQ(result.verified_key_ids.size(), 1u);

  const std::vector<TrustedKey> both = {Trust(kPeterVerifierKey), Trust(kEnochVerifierKey)};
  result = VerifyNoteSignatures(*note, both);
  EXPECT_EQ(result.Count(NoteSignatureStatus::kVerified), 2u);
  EXPECT_EQ(result.verified_key_ids.size(), 2u);

  result = VerifyNoteSignatures(*note, {});
  EXPECT_EQ(result.Count(NoteSignatureStatus::kUnknownKey), 2u);
  EXPECT_TRUE(result.verified_key_ids.empty());
}

TEST(VerifyNoteSignaturesTest, SameKeyCountsOnce) {
  // Peter signed twice, and Peter is listed twice among the trusted keys.
  auto note = ParseSignedNote(Text(kGoText, "\n", Text(kPeterSig, kPeterSig)), "go.note");
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  const std::vector<TrustedKey> trusted = {Trust(kPeterVerifierKey), Trust(kPeterVerifierKey)};
  const NoteVerification result = VerifyNoteSignatures(*note, trusted);
  EXPECT_EQ(result.statuses,
            (std::vector{NoteSignatureStatus::kVerified, NoteSignatureStatus::kDuplicateKey}));
  EXPECT_EQ(result.verified_key_ids.size(), 1u);
}

TEST(VerifyNoteSignaturesTest, TamperedBodyOrSignatureIsInvalid) {
  std::string text = Text(kGoText, "\n", kPeterSig);
  text.replace(text.find("cryptography"), 12, "cryptographY");
  auto tampered = ParseSignedNote(text, "go.note");
  ASSERT_TRUE(tampered.ok());
  const std::vector<TrustedKey> trusted = {Trust(kPeterVerifierKey)};
  EXPECT_EQ(VerifyNoteSignatures(*tampered, trusted).statuses,
            std::vector{NoteSignatureStatus::kInvalid});
  // TestOpen's "invalid signature": four base64 characters inserted into Peter's signature.
  const std::string bad_sig = Text(kPeterSig.substr(0, 60), "ABCD", kPeterSig.substr(60));
  auto padded = ParseSignedNote(Text(kGoText, "\n", bad_sig), "go.note");
  ASSERT_TRUE(padded.ok()) << padded.status().ToString();
  EXPECT_EQ(VerifyNoteSignatures(*padded, trusted).statuses,
            std::vector{NoteSignatureStatus::kInvalid});
}

TEST(VerifyNoteSignaturesTest, RealSumDbCheckpointVerifies) {
  auto note = ParseSignedNote(kSumDbCheckpoint, "sumdb.note");
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  const std::vector<TrustedKey> trusted = {Trust(kSumDbVerifierKey)};
  EXPECT_EQ(VerifyNoteSignatures(*note, trusted).statuses,
            std::vector{NoteSignatureStatus::kVerified});
  auto checkpoint = ParseCheckpointBody(note->body, "sumdb.note");
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->origin, "go.sum database tree");
  EXPECT_EQ(checkpoint->size, 6476701u);
  EXPECT_EQ(Base64Encode(std::string(checkpoint->root.bytes.begin(), checkpoint->root.bytes.end())),
            "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=");
  EXPECT_TRUE(checkpoint->extra_lines.empty());
  EXPECT_EQ(FormatSignedNote(*note), kSumDbCheckpoint);
}

TEST(VerifyNoteSignaturesTest, CountsDistinctCosigners) {
  // The sumdb checkpoint with three cosignatures and one copied under an unknown name.
  auto note = ParseSignedNote(Text(kSumDbCheckpoint, kCosignatures), "sumdb.note");
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  ASSERT_EQ(note->signatures.size(), 5u);
  const std::vector<TrustedKey> trusted = {Trust(kSumDbVerifierKey), Trust(kMonkeysVerifierKey),
                                           Trust(kBananasVerifierKey), Trust(kWitnessVerifierKey)};
  const NoteVerification result = VerifyNoteSignatures(*note, trusted);
  EXPECT_EQ(result.Count(NoteSignatureStatus::kVerified), 4u);
  EXPECT_EQ(result.statuses[4], NoteSignatureStatus::kUnknownKey);
  EXPECT_EQ(result.verified_key_ids.size(), 4u);
}

// ---- Probity checkpoints, signed and read back.

TEST(SignNoteTest, CheckpointRoundTrip) {
  auto signer = GenerateEd25519Signer();
  ASSERT_TRUE(signer.ok());
  const Digest root = TestRoot();
  const Checkpoint checkpoint{"probity.local/ws-1", 42, root, {"time 1700000000"}};
  EXPECT_EQ(checkpoint.Body(), "probity.local/ws-1\n42\n" +
                                   Base64Encode(std::string(root.bytes.begin(), root.bytes.end())) +
                                   "\ntime 1700000000\n");
  auto text = SignNote(checkpoint, "probity.local/ws-1", **signer);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  auto note = ParseSignedNote(*text, "cp.txt");
  ASSERT_TRUE(note.ok()) << note.status().ToString();
  EXPECT_EQ(FormatSignedNote(*note), *text);
  auto parsed = ParseCheckpointBody(note->body, "cp.txt");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, checkpoint);

  const PublicKey& key = (*signer)->public_key();
  const std::vector<TrustedKey> trusted = {
      TrustedKey{"probity.local/ws-1", key, std::nullopt, std::nullopt}};
  EXPECT_EQ(VerifyNoteSignatures(*note, trusted).verified_key_ids, std::vector{key.id()});
  // The same key under another name is another note key: not matched.
  const std::vector<TrustedKey> renamed = {TrustedKey{"other", key, std::nullopt, std::nullopt}};
  EXPECT_EQ(VerifyNoteSignatures(*note, renamed).statuses,
            std::vector{NoteSignatureStatus::kUnknownKey});
  // A trusted verifier key written by NoteVerifierKey reads back to the same key.
  auto again = ParseNoteVerifierKey(NoteVerifierKey("probity.local/ws-1", key));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->second.id(), key.id());
}

TEST(SignNoteTest, RefusesBadNamesAndCheckpointsThatWouldNotParseBack) {
  auto signer = GenerateEd25519Signer();
  ASSERT_TRUE(signer.ok());
  const Checkpoint good{"probity.local/ws", 1, TestRoot(), {}};
  for (std::string_view name : {"", "a b", "a+b", "tab\tname"}) {
    auto text = SignNote(good, name, **signer);
    ASSERT_FALSE(text.ok()) << name;
    EXPECT_EQ(text.error().code(), StatusCode::kInvalidArgument);
  }
  const std::vector<Checkpoint> bad = {
      {"", 1, TestRoot(), {}},
      {"two\nlines", 1, TestRoot(), {}},
      {"probity.local/ws", 1, TestRoot(), {""}},
      {"probity.local/ws", 1, TestRoot(), {"a\nb"}},
      {"probity.local/ws\r", 1, TestRoot(), {}},
  };
  for (const Checkpoint& checkpoint : bad) {
    auto text = SignNote(checkpoint, "k", **signer);
    ASSERT_FALSE(text.ok()) << checkpoint.Body();
    EXPECT_EQ(text.error().code(), StatusCode::kInvalidArgument);
  }
}

// ---- Strict parsing, with the error's line.

TEST(ParseSignedNoteTest, RejectsGoMalformedNotes) {
  // note_test.go TestOpen's badMsgs, each with where we report it.
  const std::string text(kGoText);
  ExpectParseError(text, 3, "no blank line");
  ExpectParseError(text + "\n", 4, "no signature lines");
  ExpectParseError(Text(text, "\n", kPeterSig.substr(0, kPeterSig.size() - 1)), 4,
                   "does not end with a newline");
  ExpectParseError(Text("\x01", text, Text("\n", kPeterSig)), 1, "control character 0x01");
  ExpectParseError(Text("\xff", text, Text("\n", kPeterSig)), 1, "not valid UTF-8");
  ExpectParseError(
      Text(text, "\n",
           "— Bad Name "
           "x08go/ZJkuBS9UG/"
           "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"),
      4, "third space-separated field");
  ExpectParseError(Text(text, "\n", Text(kPeterSig, "Unexpected line.\n")), 5,
                   "does not start with");
}

TEST(ParseSignedNoteTest, RejectsLayoutErrors) {
  const std::string text(kGoText);
  ExpectParseError(Text("\n", text, Text("\n", kPeterSig)), 1, "starts with a blank line");
  ExpectParseError(Text("a\n\nb\n", "\n", kPeterSig), 3, "does not start with");  // blank in body
  ExpectParseError(Text(text, "\n\n", kPeterSig), 4, "blank line among the signatures");
  ExpectParseError(Text(text, "\n", Text(kPeterSig, "\n")), 5, "blank line among");
  ExpectParseError(Text(text, "\r\n", kPeterSig), 3, "control character 0x0d (\\r)");
  ExpectParseError(Text(text, "\n", "- PeterNeumann AAAAAAAA\n"), 4, "does not start with");
  ExpectParseError(Text(text, "\n", "— PeterNeumann\n"), 4, "no base64 part");
  ExpectParseError(Text(text, "\n", "— a+b AAAAAAAA\n"), 4, "invalid key name");
  ExpectParseError(Text(text, "\n", "— \xC2\xA0 AAAAAAAA\n"), 4, "invalid key name");
  ExpectParseError(Text(text, "\n", "— k AAAA\n"), 4, "payload is 3 bytes");
  ExpectParseError(Text(text, "\n", "— k AAAAAAA\n"), 4, "not canonical base64");  // no padding
  ExpectParseError(Text(text, "\n", "— k AAAAAAB=\n"), 4, "not canonical base64");
  ExpectParseError(Text(text, "\n", "— k AAAAAAAA \n"), 4, "third space-separated field");
  ExpectParseError(Text(text, "\n", "— k -_AAAAAA\n"), 4, "not canonical base64");  // URL-safe
}

TEST(ParseSignedNoteTest, EnforcesSizeAndSignatureLimits) {
  std::string sigs;
  for (int i = 0; i < 100; ++i) sigs += kPeterSig;
  EXPECT_TRUE(ParseSignedNote(Text(kGoText, "\n", sigs), "cp.txt").ok());
  ExpectParseError(Text(kGoText, "\n", sigs + std::string(kPeterSig)), 104,
                   "more than 100 signatures");
  const std::string huge = std::string(kMaxNoteBytes + 1, 'a');
  auto note = ParseSignedNote(huge, "cp.txt");
  ASSERT_FALSE(note.ok());
  EXPECT_NE(note.error().message().find("1048577 bytes"), std::string::npos);
  EXPECT_TRUE(note.error().expected().find("at most") == 0);
}

TEST(ParseCheckpointBodyTest, ParsesSizesAndExtraLines) {
  const std::string root = "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=";
  auto zero = ParseCheckpointBody("o\n0\n" + root + "\n", "cp.txt");
  ASSERT_TRUE(zero.ok()) << zero.status().ToString();
  EXPECT_EQ(zero->size, 0u);
  auto max = ParseCheckpointBody("o\n18446744073709551615\n" + root + "\nx\ny z\n", "cp.txt");
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  EXPECT_EQ(max->size, UINT64_MAX);
  EXPECT_EQ(max->extra_lines, (std::vector<std::string>{"x", "y z"}));
}

TEST(ParseCheckpointBodyTest, RejectsMalformedBodies) {
  const std::string root = "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=";
  const std::string short_root = Base64Encode(std::string(31, 'x'));
  const std::vector<std::tuple<std::string, int64_t, std::string>> cases = {
      {"o\n007\n" + root + "\n", 2, "invalid tree size \"007\""},
      {"o\n-1\n" + root + "\n", 2, "invalid tree size"},
      {"o\n+1\n" + root + "\n", 2, "invalid tree size"},
      {"o\n1 \n" + root + "\n", 2, "invalid tree size"},
      {"o\n18446744073709551616\n" + root + "\n", 2, "invalid tree size"},
      {"o\n1\n" + short_root + "\n", 3, "root hash is 31 bytes"},
      {"o\n1\n" + root.substr(0, 43) + "\n", 3, "not canonical base64"},
      {"o\n1\n" + root + "\n\nextra\n", 4, "blank line"},
      {"o\n1\n" + root, 3, "does not end with a newline"},
      {"o\n1\n", 3, "before its root hash line"},
      {"o\n", 2, "before its tree size line"},
      {"", 1, "does not end with a newline"},
      {"\n1\n" + root + "\n", 1, "blank line"},
  };
  for (const auto& [body, line, fragment] : cases) {
    auto checkpoint = ParseCheckpointBody(body, "cp.txt");
    ASSERT_FALSE(checkpoint.ok()) << body;
    EXPECT_EQ(checkpoint.error().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(checkpoint.error().location().line, line) << checkpoint.error().ToString();
    EXPECT_NE(checkpoint.error().ToString().find(fragment), std::string::npos)
        << checkpoint.error().ToString();
  }
}

}  // namespace
}  // namespace probity::lineage
