#include "lineage/intoto.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lineage/canonical_json.h"
#include "tests/testing/run_command.h"

namespace probity::lineage {
namespace {

using Json = nlohmann::json;
using ::probity::testing::RunCommand;

const std::string kModelDigest = "7127432f1ffff5b25875ce4e287c9dfa458655ad1b6183a2d274c061bf9e4b1b";
const std::string kDataDigest = "0a1b" + std::string(60, 'c');

ProvenanceInput ExampleProvenance() {
  ProvenanceInput in;
  in.subjects = {{.name = "model.json", .digest = {{"sha256", kModelDigest}}}};
  in.external_parameters = {{"pipeline", "examples/pipelines/credit.yaml"},
                            {"parameters", {{"max_depth", 4}}}};
  in.internal_parameters = {{"seed", 1234}};
  in.resolved_dependencies = {
      {.name = "german.data", .digest = {{"sha256", kDataDigest}}, .media_type = "text/csv"},
      {.name = "train.py",
       .uri = "git+https://git.example.com/credit@refs/heads/main",
       .digest = {{"gitCommit", "abcdef123456"}}}};
  in.builder_id = "https://probity.dev/cli";
  in.builder_version = {{"probity", "0.1.0"}};
  in.invocation_id = "run-42";
  in.started_on = TimePoint(std::chrono::seconds(1735787045));   // 2025-01-02T03:04:05Z
  in.finished_on = TimePoint(std::chrono::seconds(1735790400));  // 2025-01-02T04:00:00Z
  in.byproducts = {{.name = "train.log", .digest = {{"sha256", std::string(64, '9')}}}};
  return in;
}

TEST(SlsaProvenanceTest, HasTheSlsaV1Shape) {
  const Json s = SlsaProvenance(ExampleProvenance());
  EXPECT_EQ(s["_type"], "https://in-toto.io/Statement/v1");
  EXPECT_EQ(s["predicateType"], "https://slsa.dev/provenance/v1");
  EXPECT_EQ(s["subject"], Json::parse(R"([{"name": "model.json", "digest": {"sha256": ")" +
                                      kModelDigest + R"("}}])"));
  const Json& build = s["predicate"]["buildDefinition"];
  EXPECT_EQ(build["buildType"], "https://probity.dev/pipeline/v1");
  EXPECT_EQ(build["externalParameters"]["parameters"]["max_depth"], 4);
  EXPECT_EQ(build["internalParameters"]["seed"], 1234);
  EXPECT_EQ(build["resolvedDependencies"][0]["mediaType"], "text/csv");
  EXPECT_EQ(build["resolvedDependencies"][1]["digest"]["gitCommit"], "abcdef123456");
  const Json& run = s["predicate"]["runDetails"];
  EXPECT_EQ(run["builder"], Json::parse(R"({"id": "https://probity.dev/cli",
                                            "version": {"probity": "0.1.0"}})"));
  EXPECT_EQ(run["metadata"], Json::parse(R"({"invocationId": "run-42",
                                             "startedOn": "2025-01-02T03:04:05Z",
                                             "finishedOn": "2025-01-02T04:00:00Z"})"));
  EXPECT_EQ(run["byproducts"][0]["name"], "train.log");
  // Empty optional parts are left out.
  ProvenanceInput minimal;
  minimal.subjects = {{.digest = {{"sha256", kModelDigest}}}};
  minimal.builder_id = "https://probity.dev/cli";
  const Json m = SlsaProvenance(minimal);
  EXPECT_EQ(m["predicate"], Json::parse(R"({"buildDefinition": {"buildType":
      "https://probity.dev/pipeline/v1", "externalParameters": {}}, "runDetails": {"builder":
      {"id": "https://probity.dev/cli"}}})"));
}

// The produced statement validates against docs/formats/intoto-statement.schema.json
// (python3-jsonschema, the same validator the CLI tests use).
TEST(SlsaProvenanceTest, ValidatesAgainstTheStatementSchema) {
  if (RunCommand({"/usr/bin/python3", "-c", "import jsonschema"}).exit_code != 0) {
    GTEST_SKIP() << "python3-jsonschema is not installed (scripts/setup installs it)";
  }
  const std::string source = PROBITY_SOURCE_DIR;
  const std::string validator = source + "/tests/tools/validate_json.py";
  const std::string schema = source + "/docs/formats/intoto-statement.schema.json";
  const std::string dir = ::testing::TempDir() + "/probity_intoto_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const auto validate = [&](const Json& statement) {
    auto canonical = CanonicalJson(statement);
    EXPECT_TRUE(canonical.ok());
    std::ofstream(dir + "/statement.json", std::ios::binary) << *canonical;
    return RunCommand({"/usr/bin/python3", validator, schema, dir + "/statement.json"});
  };
  auto good = validate(SlsaProvenance(ExampleProvenance()));
  EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
  auto card = validate(Statement(ExampleProvenance().subjects, kModelCardPredicateType,
                                 {{"card", {{"version", 1}}}}));
  EXPECT_EQ(card.exit_code, 0) << card.out << card.err;
  // Not vacuous: a SLSA statement without a builder id, or with an upper-case digest, fails.
  Json broken = SlsaProvenance(ExampleProvenance());
  broken["predicate"]["runDetails"]["builder"].erase("id");
  EXPECT_NE(validate(broken).exit_code, 0);
  Json upper = SlsaProvenance(ExampleProvenance());
  upper["subject"][0]["digest"]["sha256"] = std::string(64, 'A');
  EXPECT_NE(validate(upper).exit_code, 0);
  std::filesystem::remove_all(dir);
}

TEST(ParseStatementTest, ParsesASignedAndVerifiedProvenance) {
  auto signer = GenerateEd25519Signer();
  ASSERT_TRUE(signer.ok());
  auto payload = CanonicalJson(SlsaProvenance(ExampleProvenance()));
  ASSERT_TRUE(payload.ok());
  auto envelope = SignEnvelope(kInTotoPayloadType, *payload, **signer);
  ASSERT_TRUE(envelope.ok());
  auto parsed_envelope = ParseEnvelope(EnvelopeJson(*envelope), "model.intoto.jsonl:1");
  ASSERT_TRUE(parsed_envelope.ok());
  auto verified =
      VerifyEnvelope(*parsed_envelope, {TrustedKey{"k", (*signer)->public_key(), {}, {}}});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  auto statement = ParseStatement(*verified, "model.intoto.jsonl:1");
  ASSERT_TRUE(statement.ok()) << statement.status().ToString();
  EXPECT_EQ(statement->predicate_type, kSlsaProvenanceType);
  ASSERT_EQ(statement->subjects.size(), 1u);
  EXPECT_EQ(statement->subjects[0].name, "model.json");
  EXPECT_EQ(statement->subjects[0].digest.at("sha256"), kModelDigest);
  EXPECT_EQ(statement->predicate["runDetails"]["metadata"]["invocationId"], "run-42");
  // The payload type is checked before parsing.
  VerifiedPayload other = *verified;
  other.payload_type = "text/plain";
  auto refused = ParseStatement(other, "x");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
  other.payload_type = "application/vnd.in-toto.provenance+json";
  EXPECT_TRUE(ParseStatement(other, "x").ok());
}

TEST(ParseStatementTest, PredicateIsOptionalAndUnknownFieldsAreIgnored) {
  auto s = ParseStatement(R"({"_type": "https://in-toto.io/Statement/v1", "extra": 1,
      "subject": [{"digest": {"sha256": ")" +
                              kModelDigest + R"(", "gitCommit": "ab12"},
                   "future": true}],
      "predicateType": "https://probity.dev/attestation/fairness/v1"})",
                          "s.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->predicate, Json::object());
  EXPECT_EQ(s->subjects[0].digest.size(), 2u);
}

TEST(ParseStatementTest, NamesWhatIsWrong) {
  const std::string digest = R"({"sha256": ")" + kModelDigest + R"("})";
  const auto statement = [&](const std::string& type, const std::string& subject,
                             const std::string& rest) {
    return R"({"_type": )" + type + R"(, "subject": )" + subject + rest + "}";
  };
  const std::string type = R"("https://in-toto.io/Statement/v1")";
  const std::string subject = R"([{"digest": )" + digest + "}]";
  const std::string predicate_type = R"(, "predicateType": "https://x/v1")";
  const struct {
    std::string json;
    std::string message;
  } cases[] = {
      {statement(R"("https://in-toto.io/Statement/v0.1")", subject, predicate_type),
       "field \"_type\": is \"https://in-toto.io/Statement/v0.1\""},
      {statement(type, "[]", predicate_type), "field \"subject\": is not a non-empty array"},
      {statement(type, R"([{"name": "m"}])", predicate_type),
       "field \"subject[0].digest\": missing"},
      {statement(type, R"([{"digest": {}}])", predicate_type),
       "field \"subject[0].digest\": is not a non-empty object"},
      {statement(type, R"([{"digest": {"sha256": ")" + std::string(64, 'A') + R"("}}])",
                 predicate_type),
       "field \"subject[0].digest.sha256\": is not lower-case hex"},
      {statement(type, R"([{"digest": {"sha256": "abcd"}}])", predicate_type),
       "field \"subject[0].digest.sha256\": has 4 hex digits"},
      {statement(type, R"([{"digest": {"sha256": 1}}])", predicate_type),
       "field \"subject[0].digest.sha256\": is not lower-case hex"},
      {statement(type, R"([{"digest": )" + digest + R"(, "name": 3}])", predicate_type),
       "field \"subject[0].name\": is number"},
      {statement(type, subject, ""), "field \"predicateType\": missing"},
      {statement(type, subject, R"(, "predicateType": "")"),
       "field \"predicateType\": is not a non-empty string"},
      {statement(type, subject, predicate_type + R"(, "predicate": [])"),
       "field \"predicate\": is array"},
  };
  for (const auto& c : cases) {
    auto r = ParseStatement(c.json, "s.json");
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.error().message().find(c.message), std::string::npos)
        << r.error().ToString() << "\n"
        << c.json;
    EXPECT_EQ(r.error().location().file, "s.json");
  }
  EXPECT_EQ(ParseStatement("[1]", "s.json").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace probity::lineage
