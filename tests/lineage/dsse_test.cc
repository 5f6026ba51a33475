#include "lineage/dsse.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "audit/core/base64.h"
#include "lineage/canonical_json.h"
#include "tests/testing/run_command.h"
#include "tests/testing/test_data.h"

namespace probity::lineage {
namespace {

using ::probity::testing::RunCommand;
using ::probity::testing::Slurp;
using ::probity::testing::TestDataPath;

TrustedKey Trust(const PublicKey& key) { return TrustedKey{key.id(), key, {}, {}}; }

std::unique_ptr<Signer> NewSigner() {
  auto signer = GenerateEd25519Signer();
  EXPECT_TRUE(signer.ok());
  return std::move(signer).value();
}

// IEEE P1363 r||s (what the DSSE vector publishes) to DER SEQUENCE{r, s} (what OpenSSL and
// PublicKey::Verify use), through OpenSSL's ECDSA_SIG.
std::string P1363ToDer(const std::string& raw) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  const int half = static_cast<int>(raw.size() / 2);
  ECDSA_SIG_set0(sig, BN_bin2bn(bytes, half, nullptr), BN_bin2bn(bytes + half, half, nullptr));
  unsigned char* der = nullptr;
  const int n = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

// DSSE protocol.md test vector (reference/lineage.md §2.2).
TEST(PaeTest, MatchesTheDsseSpecVector) {
  EXPECT_EQ(Pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(Pae("", ""), "DSSEv1 0  0 ");
  // Lengths are bytes, not characters.
  EXPECT_EQ(Pae("t", "\xE2\x82\xAC"), "DSSEv1 1 t 3 \xE2\x82\xAC");
}

TEST(VerifyEnvelopeTest, VerifiesTheDsseSpecEcdsaSignature) {
  auto key = PublicKey::FromPem(Slurp(TestDataPath("lineage/dsse_spec_p256.pem")), "p256.pem");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  ASSERT_EQ(key->algorithm(), KeyAlgorithm::kEcdsaP256);
  const std::string json =
      R"({"payload": "aGVsbG8gd29ybGQ=", "payloadType": "http://example.com/HelloWorld",
          "signatures": [{"keyid": "", "sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]})";
  auto envelope = ParseEnvelope(json, "spec.json");
  ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
  ASSERT_EQ(envelope->signatures.size(), 1u);
  ASSERT_EQ(envelope->signatures[0].sig.size(), 64u);  // raw r||s
  envelope->signatures[0].sig = P1363ToDer(envelope->signatures[0].sig);
  auto verified = VerifyEnvelope(*envelope, {Trust(*key)});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->payload, "hello world");
  EXPECT_EQ(verified->payload_type, "http://example.com/HelloWorld");
  EXPECT_EQ(verified->key_ids, std::vector<std::string>{key->id()});
}

TEST(VerifyEnvelopeTest, VerifiesAnEnvelopeSignedByTheOpensslCommandLine) {
  // tests/data/lineage/make_dsse_fixtures.sh: Ed25519 signature made by `openssl pkeyutl`.
  auto key = PublicKey::FromRawEd25519(
      *HexDecode("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  ASSERT_TRUE(key.ok());
  auto envelope = ParseEnvelope(Slurp(TestDataPath("lineage/openssl_signed_envelope.json")),
                                "openssl_signed_envelope.json");
  ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
  auto verified = VerifyEnvelope(*envelope, {Trust(*key)});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->payload_type, "application/vnd.in-toto+json");
  EXPECT_EQ(verified->payload.rfind("{\"_type\":\"https://in-toto.io/Statement/v1\"", 0), 0u);
}

TEST(SignEnvelopeTest, RoundTripsThroughCanonicalJson) {
  auto signer = NewSigner();
  auto envelope = SignEnvelope("application/vnd.in-toto+json", "{\"a\":1}", *signer);
  ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
  ASSERT_EQ(envelope->signatures.size(), 1u);
  EXPECT_EQ(envelope->signatures[0].keyid, signer->key_id());
  EXPECT_TRUE(signer->public_key().Verify(Pae("application/vnd.in-toto+json", "{\"a\":1}"),
                                          envelope->signatures[0].sig));
  const std::string json = EnvelopeJson(*envelope);
  EXPECT_EQ(json,
            "{\"payload\":\"eyJhIjoxfQ==\",\"payloadType\":\"application/vnd.in-toto+json\","
            "\"signatures\":[{\"keyid\":\"" +
                signer->key_id() + "\",\"sig\":\"" + Base64Encode(envelope->signatures[0].sig) +
                "\"}]}");
  auto canonical = Canonicalize(json, "envelope.json");
  ASSERT_TRUE(canonical.ok());
  EXPECT_EQ(*canonical, json);  // EnvelopeJson writes canonical JSON
  auto parsed = ParseEnvelope(json, "envelope.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto verified = VerifyEnvelope(*parsed, {Trust(signer->public_key())});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->payload, "{\"a\":1}");
  EXPECT_EQ(verified->key_ids, std::vector<std::string>{signer->key_id()});
}

TEST(VerifyEnvelopeTest, RefusesATamperedPayloadOrType) {
  auto signer = NewSigner();
  auto envelope = SignEnvelope("text/plain", "pay 10", *signer);
  ASSERT_TRUE(envelope.ok());
  Envelope tampered = *envelope;
  tampered.payload = "pay 99";
  auto r = VerifyEnvelope(tampered, {Trust(signer->public_key())});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kIntegrityViolation);
  EXPECT_NE(r.error().message().find("signed by 0 distinct trusted key(s)"), std::string::npos)
      << r.error().ToString();
  Envelope retyped = *envelope;
  retyped.payload_type = "text/html";
  EXPECT_EQ(VerifyEnvelope(retyped, {Trust(signer->public_key())}).status().code(),
            StatusCode::kIntegrityViolation);
}

TEST(VerifyEnvelopeTest, RefusesAnUntrustedKeyWhateverTheKeyidSays) {
  auto signer = NewSigner();
  auto other = NewSigner();
  auto envelope = SignEnvelope("text/plain", "x", *signer);
  ASSERT_TRUE(envelope.ok());
  EXPECT_EQ(VerifyEnvelope(*envelope, {Trust(other->public_key())}).status().code(),
            StatusCode::kIntegrityViolation);
  // A keyid naming the trusted key does not make the signature count.
  envelope->signatures[0].keyid = other->key_id();
  EXPECT_EQ(VerifyEnvelope(*envelope, {Trust(other->public_key())}).status().code(),
            StatusCode::kIntegrityViolation);
  // A keyid naming no trusted key is only a hint: the signature is still checked.
  envelope->signatures[0].keyid = "unknown";
  EXPECT_TRUE(VerifyEnvelope(*envelope, {Trust(signer->public_key())}).ok());
  EXPECT_EQ(VerifyEnvelope(*envelope, {}).status().code(), StatusCode::kIntegrityViolation);
}

TEST(VerifyEnvelopeTest, CountsDistinctKeysNotSignatures) {
  auto a = NewSigner();
  auto b = NewSigner();
  auto envelope = SignEnvelope("text/plain", "release", *a);
  ASSERT_TRUE(envelope.ok());
  Envelope duplicated = *envelope;
  duplicated.signatures.push_back(duplicated.signatures[0]);
  duplicated.signatures.push_back({"", duplicated.signatures[0].sig});
  const std::vector<TrustedKey> trusted = {Trust(a->public_key()), Trust(a->public_key()),
                                           Trust(b->public_key())};
  auto r = VerifyEnvelope(duplicated, trusted, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kIntegrityViolation);
  EXPECT_NE(r.error().message().find("signed by 1 distinct trusted key(s)"), std::string::npos)
      << r.error().ToString();
  EXPECT_EQ(r.error().expected(), "signatures by at least 2 distinct trusted key(s)");
  // A second, different key meets the threshold.
  auto by_b = b->Sign(Pae("text/plain", "release"));
  ASSERT_TRUE(by_b.ok());
  duplicated.signatures.push_back({b->key_id(), *by_b});
  auto ok = VerifyEnvelope(duplicated, trusted, 2);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  std::vector<std::string> ids = {a->key_id(), b->key_id()};
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ok->key_ids, ids);
  EXPECT_EQ(VerifyEnvelope(duplicated, trusted, 3).status().code(),
            StatusCode::kIntegrityViolation);
  EXPECT_EQ(VerifyEnvelope(duplicated, trusted, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(VerifyEnvelopeTest, HonoursKeyValidityWindows) {
  auto signer = NewSigner();
  auto envelope = SignEnvelope("text/plain", "x", *signer);
  ASSERT_TRUE(envelope.ok());
  TrustedKey key = Trust(signer->public_key());
  key.not_before = TimePoint(std::chrono::seconds(1000));
  key.not_after = TimePoint(std::chrono::seconds(2000));
  EXPECT_TRUE(VerifyEnvelope(*envelope, {key}, 1, TimePoint(std::chrono::seconds(1500))).ok());
  auto late = VerifyEnvelope(*envelope, {key}, 1, TimePoint(std::chrono::seconds(2001)));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code(), StatusCode::kIntegrityViolation);
  EXPECT_NE(late.error().expected().find("valid at 1970-01-01T00:33:21Z"), std::string::npos)
      << late.error().ToString();
}

TEST(ParseEnvelopeTest, AcceptsUrlSafeAndUnpaddedBase64) {
  auto signer = NewSigner();
  // Bytes whose base64 has '+' and '/' in the standard alphabet.
  const std::string payload("\xfb\xff\xbf\xfe", 4);
  auto envelope = SignEnvelope("application/octet-stream", payload, *signer);
  ASSERT_TRUE(envelope.ok());
  std::string payload64 = Base64Encode(payload);
  std::string sig64 = Base64Encode(envelope->signatures[0].sig);
  ASSERT_NE(payload64.find_first_of("+/"), std::string::npos);
  for (std::string* text : {&payload64, &sig64}) {
    for (char& c : *text) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!text->empty() && text->back() == '=') text->pop_back();
  }
  const std::string json = R"({"payloadType": "application/octet-stream", "payload": ")" +
                           payload64 + R"(", "signatures": [{"sig": ")" + sig64 +
                           R"(", "extension": {"ignored": true}}], "other": 1})";
  auto parsed = ParseEnvelope(json, "url.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->payload, payload);
  EXPECT_EQ(parsed->signatures[0].keyid, "");
  auto verified = VerifyEnvelope(*parsed, {Trust(signer->public_key())});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->payload, payload);
}

TEST(ParseEnvelopeTest, NamesTheMissingOrMalformedField) {
  const struct {
    const char* json;
    const char* message;
  } cases[] = {
      {R"({"payloadType": "t", "signatures": []})", "field \"payload\": missing"},
      {R"({"payload": "", "signatures": []})", "field \"payloadType\": missing"},
      {R"({"payload": "", "payloadType": "t"})", "field \"signatures\": missing"},
      {R"({"payload": "", "payloadType": "t", "signatures": {}})",
       "field \"signatures\": is object"},
      {R"({"payload": "", "payloadType": "t", "signatures": [{"keyid": "k"}]})",
       "field \"signatures[0].sig\": missing"},
      {R"({"payload": "", "payloadType": "t", "signatures": [{"sig": "", "keyid": 7}]})",
       "field \"signatures[0].keyid\": is number"},
      {R"({"payload": "a b", "payloadType": "t", "signatures": []})",
       "field \"payload\": is not base64"},
      {R"({"payload": "", "payloadType": 1, "signatures": []})",
       "field \"payloadType\": is number"},
      {R"([])", "a DSSE envelope is a JSON object, found array"},
  };
  for (const auto& c : cases) {
    auto r = ParseEnvelope(c.json, "e.json");
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find(c.message), std::string::npos) << r.error().ToString();
    EXPECT_EQ(r.error().location().file, "e.json");
  }
  auto duplicate = ParseEnvelope(R"({"payload": "", "payload": "", "payloadType": "t"})", "d.json");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().message(), "duplicate member name \"payload\"");
}

// A Probity envelope verifies with stock tools: openssl checks the signature over the PAE
// bytes with the public key PEM (issue 4, "Attestations").
TEST(SignEnvelopeTest, VerifiesWithTheOpensslCommandLine) {
  if (RunCommand({"/bin/sh", "-c", "command -v openssl"}).exit_code != 0) {
    GTEST_SKIP() << "openssl is not on PATH (scripts/setup installs it)";
  }
  auto signer = NewSigner();
  const std::string payload = R"({"_type":"https://in-toto.io/Statement/v1"})";
  auto envelope = SignEnvelope("application/vnd.in-toto+json", payload, *signer);
  ASSERT_TRUE(envelope.ok());
  // Reconstruct everything from the envelope's JSON, as an outside verifier would.
  auto parsed = ParseEnvelope(EnvelopeJson(*envelope), "envelope.json");
  ASSERT_TRUE(parsed.ok());
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("probity_dsse_openssl_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto write = [&](const char* name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
  };
  write("pae.bin", Pae(parsed->payload_type, parsed->payload));
  write("sig.bin", parsed->signatures[0].sig);
  write("key.pem", signer->public_key().ToPem());
  const auto run = [&]() {
    return RunCommand({"/bin/sh", "-c",
                       "cd '" + dir.string() +
                           "' && openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in pae.bin "
                           "-sigfile sig.bin"});
  };
  auto good = run();
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  EXPECT_NE(good.out.find("Signature Verified Successfully"), std::string::npos) << good.out;
  // And openssl is not vacuous: a changed PAE byte fails.
  std::string pae = Pae(parsed->payload_type, parsed->payload);
  pae.back() ^= 1;
  write("pae.bin", pae);
  auto bad = run();
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(bad.out.find("Signature Verified Successfully"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace probity::lineage
