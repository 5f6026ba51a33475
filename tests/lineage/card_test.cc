#include "lineage/card.h"

#include <gtest/gtest.h>

#include <regex>

#include "lineage/dsse.h"
#include "lineage/intoto.h"
#include "tests/lineage/card_fixture.h"

namespace probity::lineage {
namespace {

using json = nlohmann::json;
using testing::CardStore;
using testing::kEvalDigest;
using testing::kModelDigest;
using testing::kTrainDigest;

// --- InitCardFromLineage ---------------------------------------------------------------------

TEST(ModelCardInitTest, FillsModelDataParametersAndMetricsFromLineage) {
  CardStore s("init");
  auto card = InitCardFromLineage(*s.store, s.model);
  ASSERT_TRUE(card.has_value()) << card.error().ToString();
  const json& doc = card->document;
  EXPECT_EQ(doc["schema"], "probity.model-card/1");
  EXPECT_EQ(doc["status"], "draft");
  EXPECT_EQ(doc["card_version"], 0);
  EXPECT_EQ(doc["model"]["artifact"], s.model);
  EXPECT_EQ(doc["model"]["digest"], kModelDigest);
  EXPECT_EQ(doc["model"]["name"], "model.json");
  EXPECT_EQ(doc["model"]["uri"], "file:///models/model.json");
  EXPECT_EQ(doc["details"]["name"], "model.json");
  // The training run's parameters; a nested value is kept as its JSON text.
  EXPECT_EQ(doc["model"]["hyperparameters"], json({{"max_depth", 4},
                                                   {"eta", 0.3},
                                                   {"objective", "binary:logistic"},
                                                   {"monotone", "{\"age\":1}"}}));
  EXPECT_EQ(doc["training_data"], json::array({{{"artifact", s.train},
                                                {"digest", kTrainDigest},
                                                {"name", "train.csv"},
                                                {"uri", "file:///data/train.csv"}}}));
  EXPECT_EQ(
      doc["evaluation_data"],
      json::array({{{"artifact", s.eval}, {"digest", kEvalDigest}, {"name", "holdout.csv"}}}));
  EXPECT_EQ(doc["metrics"],
            json::array({{{"type", "auc"},
                          {"value", 0.81},
                          {"slice", "holdout"},
                          {"confidence_interval", {{"lower", 0.78}, {"upper", 0.84}}}}}));
  EXPECT_TRUE(ValidateCard(*card).ok()) << ValidateCard(*card).ToString();
}

TEST(ModelCardInitTest, RefusesWhatIsNotAModelArtifact) {
  CardStore s("init_refuse");
  auto dataset = InitCardFromLineage(*s.store, s.train);
  ASSERT_FALSE(dataset.has_value());
  EXPECT_EQ(dataset.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dataset.error().message().find("not a model artifact"), std::string::npos);
  auto execution = InitCardFromLineage(*s.store, s.training_run);
  ASSERT_FALSE(execution.has_value());
  EXPECT_EQ(execution.error().code(), StatusCode::kInvalidArgument);
  auto missing = InitCardFromLineage(*s.store, 9999);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

// --- ApplyCardYaml / EditCard ------------------------------------------------------------------

TEST(ModelCardYamlTest, AppliesEverySectionOfTheOwnersFile) {
  CardStore s("yaml_full");
  ModelCard card = testing::RichCard(s);
  const json& doc = card.document;
  EXPECT_EQ(doc["details"]["name"], "German credit risk");
  EXPECT_EQ(doc["details"]["version"],
            json({{"name", "1.2"}, {"date", "2026-11-28"}, {"diff", "Added the age feature"}}));
  EXPECT_EQ(doc["details"]["owners"][1],
            json({{"name", "Model Risk Office"}, {"contact", "room 4.12"}}));
  EXPECT_EQ(doc["details"]["licenses"], json::array({{{"identifier", "Apache-2.0"}}}));
  EXPECT_EQ(doc["risk"],
            json({{"rating", "Medium"}, {"explanation", "Decisions affect access to credit."}}));
  // Plain YAML numbers are numbers, quoted ones strings.
  EXPECT_EQ(doc["metrics"][0]["value"], 0.76);
  EXPECT_EQ(doc["metrics"][0]["confidence_interval"], json({{"lower", 0.73}, {"upper", 0.79}}));
  EXPECT_EQ(doc["metrics"][2]["value"], "well calibrated");
  EXPECT_EQ(doc["fairness_assessments"][0]["group_at_risk"], "applicants under 25");
  // Objects merge: lineage's hyperparameters stay, the owner's are added.
  EXPECT_EQ(doc["model"]["hyperparameters"]["max_depth"], 4);
  EXPECT_EQ(doc["model"]["hyperparameters"]["learning_rate"], 0.05);
  EXPECT_EQ(doc["model"]["digest"], kModelDigest);
  // Lists replace: the owner's metrics list replaced lineage's.
  EXPECT_EQ(doc["metrics"].size(), 3u);
  EXPECT_EQ(doc["card_version"], 2);
  EXPECT_EQ(doc["status_history"].size(), 2u);
  EXPECT_EQ(doc["status_history"][1]["change"], "edit");
  EXPECT_EQ(doc["status_history"][1]["key_id"], s.signer->key_id());
  EXPECT_EQ(doc["status_history"][1]["time"], "2026-11-18T11:06:40Z");  // date -u -d @1795000000
  EXPECT_TRUE(ValidateCard(card).ok()) << ValidateCard(card).ToString();
}

TEST(ModelCardYamlTest, ListsReplaceObjectsMergeAndNullRemoves) {
  CardStore s("yaml_merge");
  ModelCard card = testing::RichCard(s);
  auto edited = ApplyCardYaml(card,
                              "limitations: [only one]\n"
                              "details: {overview: New overview, documentation: null}\n"
                              "risk: null\n",
                              "second.yaml");
  ASSERT_TRUE(edited.has_value()) << edited.error().ToString();
  const json& doc = edited->document;
  EXPECT_EQ(doc["limitations"], json::array({"only one"}));
  EXPECT_EQ(doc["details"]["overview"], "New overview");
  EXPECT_EQ(doc["details"]["name"], "German credit risk");  // kept
  EXPECT_FALSE(doc["details"].contains("documentation"));
  EXPECT_FALSE(doc.contains("risk"));
}

struct YamlErrorCase {
  const char* name;
  const char* yaml;
  int64_t line;
  int64_t column;
  const char* message;  // a fragment of the message
};

class ModelCardYamlErrorTest : public ::testing::TestWithParam<YamlErrorCase> {};

TEST_P(ModelCardYamlErrorTest, IsRejectedAtItsLineAndColumn) {
  const YamlErrorCase& c = GetParam();
  CardStore s(std::string("yaml_error_") + c.name);
  ModelCard card = *InitCardFromLineage(*s.store, s.model);
  auto result = ApplyCardYaml(card, c.yaml, "owner.yaml");
  if (result.has_value()) result = EditCard(card, c.yaml, "owner.yaml");
  ASSERT_FALSE(result.has_value()) << c.name;
  const Status& e = result.error();
  EXPECT_EQ(e.code(), StatusCode::kInvalidArgument) << e.ToString();
  EXPECT_EQ(e.location().file, "owner.yaml") << e.ToString();
  EXPECT_EQ(e.location().line, c.line) << e.ToString();
  EXPECT_EQ(e.location().column, c.column) << e.ToString();
  EXPECT_NE(e.ToString().find(c.message), std::string::npos) << e.ToString();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ModelCardYamlErrorTest,
    ::testing::Values(
        YamlErrorCase{"malformed", "details:\n  name: [unclosed\n", 3, 1, "not valid YAML"},
        YamlErrorCase{"unclosed_flow", "details: {name: x\nrisk: y\n", 2, 5, "not valid YAML"},
        YamlErrorCase{"unknown_top", "detail:\n  name: x\n", 1, 1, "unknown key \"detail\""},
        YamlErrorCase{"unknown_nested", "details:\n  name: x\n  colour: blue\n", 3, 3,
                      "unknown key \"details.colour\""},
        YamlErrorCase{"unknown_in_list", "metrics:\n  - {type: a, value: 1, unit: s}\n", 2, 25,
                      "unknown key \"metrics[0].unit\""},
        YamlErrorCase{"owned_status", "status: approved\n", 1, 1, "is set by Probity"},
        YamlErrorCase{"owned_digest", "model:\n  digest: sha256:00\n", 2, 3, "is set by Probity"},
        YamlErrorCase{"bad_enum", "risk:\n  rating: Severe\n", 2, 11, "High, Medium, Low, Unknown"},
        YamlErrorCase{"bad_date", "details:\n  version: {date: 2026-02-30}\n", 2, 19, "YYYY-MM-DD"},
        YamlErrorCase{"missing_value", "metrics:\n  - type: accuracy\n", 2, 5,
                      "\"metrics[0].value\" is missing"},
        YamlErrorCase{"string_bound",
                      "metrics:\n  - {type: a, value: 1, confidence_interval: "
                      "{lower: \"0.1\", upper: 0.2}}\n",
                      2, 54, "a number"},
        YamlErrorCase{
            "inverted_interval",
            "metrics:\n  - {type: a, value: 1, confidence_interval: {lower: 0.9, upper: 0.2}}\n", 2,
            46, "lower ≤ upper"},
        YamlErrorCase{"two_license_forms",
                      "details:\n  licenses:\n    - {identifier: MIT, custom_text: mine}\n", 3, 7,
                      "exactly one of identifier"},
        YamlErrorCase{"bad_digest", "training_data:\n  - {name: a, digest: \"sha256:ABC\"}\n", 2,
                      23, "sha256:<64 lower-case hex>"},
        YamlErrorCase{"list_for_object", "risk: [High]\n", 1, 7, "is not a mapping"},
        YamlErrorCase{"object_for_string", "details:\n  name: {a: b}\n", 2, 9,
                      "is not a single value"},
        YamlErrorCase{"not_a_mapping", "just text\n", 1, 1, "is not a mapping"},
        YamlErrorCase{"duplicate_key", "risk: {rating: Low, rating: High}\n", 1, 21,
                      "duplicate key"},
        YamlErrorCase{"bad_reference", "details:\n  references: [not a uri]\n", 2, 16,
                      "a URI with a scheme"}),
    [](const ::testing::TestParamInfo<YamlErrorCase>& param) { return param.param.name; });

TEST(ModelCardYamlTest, AliasesCannotInflateTheCard) {
  CardStore s("yaml_alias");
  ModelCard card = *InitCardFromLineage(*s.store, s.model);
  // 64 KiB of text used 32 times per list, in 16 lists: 32 MiB if expanded.
  const std::string big(65536, 'x');
  std::string yaml = "details:\n  overview: &big " + big + "\nlimitations: &l [";
  for (int i = 0; i < 32; ++i) yaml += std::string(i ? ", " : "") + "*big";
  yaml += "]\ntradeoffs: *l\nintended_uses: {uses: *l, users: *l, out_of_scope_uses: *l}\n";
  auto result = ApplyCardYaml(card, yaml, "alias.yaml");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.error().message().find("more than 1 MiB"), std::string::npos)
      << result.error().ToString();
}

// Found by card_yaml_fuzzer (seed crash_invalid_utf8.yaml): bytes that are not UTF-8 went
// through yaml-cpp into the card, and the JSON serializer threw on them.
TEST(ModelCardYamlTest, InvalidUtf8IsRejectedAtItsPosition) {
  CardStore s("yaml_utf8");
  ModelCard card = *InitCardFromLineage(*s.store, s.model);
  auto result = ApplyCardYaml(card, "details:\n  name: Ge\xfa\xffrman\n", "u.yaml");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.error().location().line, 2);
  EXPECT_EQ(result.error().location().column, 11);
  EXPECT_NE(result.error().message().find("not valid UTF-8"), std::string::npos);
  // Overlong and surrogate encodings are not UTF-8 either.
  EXPECT_FALSE(ApplyCardYaml(card, "limitations: [\xc0\xaf]\n", "u.yaml").has_value());
  EXPECT_FALSE(ApplyCardYaml(card, "limitations: [\xed\xa0\x80]\n", "u.yaml").has_value());
  // Well-formed multi-byte text is kept.
  auto ok = ApplyCardYaml(card,
                          "limitations: [\"Gr\xc3\xb6\xc3\x9f"
                          "e \xe2\x89\xa4 \xf0\x9f\x93\x88\"]\n",
                          "u.yaml");
  ASSERT_TRUE(ok.has_value()) << ok.error().ToString();
  EXPECT_EQ(ok->document["limitations"][0], "Gr\u00f6\u00dfe \u2264 \U0001F4C8");
}

TEST(ModelCardYamlTest, EscapedSurrogateIsRejected) {
  CardStore s("yaml_surrogate");
  ModelCard card = *InitCardFromLineage(*s.store, s.model);
  auto result = ApplyCardYaml(card, "details:\n  name: \"a\\ud800b\"\n", "u.yaml");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.error().location().file, "u.yaml");
  EXPECT_EQ(result.error().location().line, 2);
}

TEST(ModelCardYamlTest, DeepNestingIsRejectedWithoutExhaustingTheStack) {
  CardStore s("yaml_deep");
  ModelCard card = *InitCardFromLineage(*s.store, s.model);
  auto result = ApplyCardYaml(card, "limitations: " + std::string(200000, '['), "deep.yaml");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.error().location().file, "deep.yaml");
}

TEST(ModelCardYamlTest, EmptyFileIsRejected) {
  CardStore s("yaml_empty");
  ModelCard card = *InitCardFromLineage(*s.store, s.model);
  auto result = ApplyCardYaml(card, "", "empty.yaml");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().location().file, "empty.yaml");
}

// --- ValidateCard ------------------------------------------------------------------------------

TEST(ModelCardValidateTest, NamesTheFieldPath) {
  CardStore s("validate");
  ModelCard card = testing::RichCard(s);
  card.document["metrics"][1]["confidence_interval"] = {{"lower", 0.5}};
  Status missing = ValidateCard(card);
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("metrics[1].confidence_interval.upper"), std::string::npos)
      << missing.ToString();

  card = testing::RichCard(s);
  card.document["model"]["weights"] = "x";
  Status unknown = ValidateCard(card);
  EXPECT_NE(unknown.message().find("\"model.weights\": unknown field"), std::string::npos)
      << unknown.ToString();

  card = testing::RichCard(s);
  card.document["model"].erase("digest");
  EXPECT_NE(ValidateCard(card).message().find("\"model.digest\": missing"), std::string::npos);

  card = testing::RichCard(s);
  card.document["schema"] = "probity.model-card/9";
  EXPECT_EQ(ValidateCard(card).code(), StatusCode::kInvalidArgument);

  card = testing::RichCard(s);
  card.document["status_history"][1]["version"] = 7;
  EXPECT_NE(ValidateCard(card).message().find("status_history"), std::string::npos);
}

// --- Status changes ------------------------------------------------------------------------------

class ModelCardStatusTest : public ::testing::Test {
 protected:
  ModelCardStatusTest() : s_("status"), reviewer_(std::move(*GenerateEd25519Signer())) {}

  // Records a status change the way `probity card approve` does.
  Result<ModelCard> Move(const ModelCard& card, CardStatus to, const Signer& signer) {
    PROBITY_ASSIGN_OR_RETURN(ModelCard moved, ChangeCardStatus(card, to, signer.key_id()));
    return NextCardVersion(std::move(moved), "status", signer.key_id(), s_.clock.Now());
  }

  CardStore s_;
  std::unique_ptr<Signer> reviewer_;
};

TEST_F(ModelCardStatusTest, ApprovalBySecondKeyIsAccepted) {
  ModelCard card = testing::RichCard(s_);
  auto pending = Move(card, CardStatus::kPendingReview, *s_.signer);
  ASSERT_TRUE(pending.has_value()) << pending.error().ToString();
  auto approved = Move(*pending, CardStatus::kApproved, *reviewer_);
  ASSERT_TRUE(approved.has_value()) << approved.error().ToString();
  EXPECT_EQ(approved->status(), CardStatus::kApproved);
  EXPECT_EQ(approved->version(), 4);
  EXPECT_EQ(approved->document["status_history"][3], json({{"version", 4},
                                                           {"status", "approved"},
                                                           {"change", "status"},
                                                           {"key_id", reviewer_->key_id()},
                                                           {"time", "2026-11-18T11:06:40Z"}}));
  auto archived = Move(*approved, CardStatus::kArchived, *s_.signer);
  ASSERT_TRUE(archived.has_value());
  EXPECT_EQ(archived->status(), CardStatus::kArchived);
}

TEST_F(ModelCardStatusTest, ApprovalByTheSubmittersKeyIsRefused) {
  ModelCard card = testing::RichCard(s_);
  auto pending = Move(card, CardStatus::kPendingReview, *s_.signer);
  ASSERT_TRUE(pending.has_value());
  auto same = ChangeCardStatus(*pending, CardStatus::kApproved, s_.signer->key_id());
  ASSERT_FALSE(same.has_value());
  EXPECT_EQ(same.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(same.error().message().find("different key"), std::string::npos)
      << same.error().ToString();
}

TEST_F(ModelCardStatusTest, ApprovalByTheAuthorsKeyIsRefusedEvenIfAnotherKeySubmitted) {
  // The author (s_.signer) wrote versions 1 and 2; the reviewer submitted version 3; the
  // author may not approve their own content.
  ModelCard card = testing::RichCard(s_);
  auto pending = Move(card, CardStatus::kPendingReview, *reviewer_);
  ASSERT_TRUE(pending.has_value());
  auto author = ChangeCardStatus(*pending, CardStatus::kApproved, s_.signer->key_id());
  ASSERT_FALSE(author.has_value());
  EXPECT_EQ(author.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(author.error().message().find("did not write the card"), std::string::npos);
  // The submitting reviewer cannot approve either: it signed the version under review.
  EXPECT_FALSE(ChangeCardStatus(*pending, CardStatus::kApproved, reviewer_->key_id()).has_value());
}

TEST_F(ModelCardStatusTest, OnlyTheDocumentedMovesAreAllowed) {
  ModelCard card = testing::RichCard(s_);
  using S = CardStatus;
  auto refused = [&](const ModelCard& c, S to) {
    auto r = ChangeCardStatus(c, to, reviewer_->key_id());
    return !r.has_value() && r.error().code() == StatusCode::kFailedPrecondition;
  };
  EXPECT_TRUE(refused(card, S::kApproved));  // draft → approved skips review
  EXPECT_TRUE(refused(card, S::kDraft));
  auto pending = *Move(card, S::kPendingReview, *s_.signer);
  EXPECT_TRUE(refused(pending, S::kArchived));
  EXPECT_TRUE(refused(pending, S::kPendingReview));
  auto back = Move(pending, S::kDraft, *reviewer_);  // pending_review → draft
  ASSERT_TRUE(back.has_value());
  auto archived = Move(*back, S::kArchived, *s_.signer);  // draft → archived
  ASSERT_TRUE(archived.has_value());
  for (S to : {S::kDraft, S::kPendingReview, S::kApproved, S::kArchived}) {
    EXPECT_TRUE(refused(*archived, to));
  }
  auto edit = EditCard(*archived, "limitations: [x]\n", "late.yaml");
  ASSERT_FALSE(edit.has_value());
  EXPECT_EQ(edit.error().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ModelCardStatusTest, AnEditReturnsAnApprovedCardToDraft) {
  ModelCard card = testing::RichCard(s_);
  ModelCard approved =
      *Move(*Move(card, CardStatus::kPendingReview, *s_.signer), CardStatus::kApproved, *reviewer_);
  auto edited = EditCard(approved, "tradeoffs: [none]\n", "again.yaml");
  ASSERT_TRUE(edited.has_value());
  EXPECT_EQ(edited->status(), CardStatus::kDraft);
}

// --- Stored versions ---------------------------------------------------------------------------

TEST(ModelCardStoreTest, VersionsAreLinkedRecordsBoundToTheModelDigest) {
  CardStore s("store");
  EXPECT_EQ(LatestCard(*s.store, s.model).error().code(), StatusCode::kNotFound);
  ModelCard v1 = NextCardVersion(*InitCardFromLineage(*s.store, s.model), "init",
                                 s.signer->key_id(), s.clock.Now());
  auto batch = std::move(*s.store->Begin());
  auto id1 = batch->Add(*CardRecord(v1, std::nullopt, *s.signer));
  ASSERT_TRUE(id1.has_value()) << id1.error().ToString();
  ModelCard v2 = NextCardVersion(*EditCard(v1, testing::kOwnerYaml, "card.yaml"), "edit",
                                 s.signer->key_id(), s.clock.Now());
  auto id2 = batch->Add(*CardRecord(v2, *id1, *s.signer));
  ASSERT_TRUE(id2.has_value()) << id2.error().ToString();
  ASSERT_TRUE(batch->Commit(*s.signer).has_value());

  auto record = s.store->Get(*id2);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ((*record)["record"], "card");
  EXPECT_EQ((*record)["model"], s.model);
  EXPECT_EQ((*record)["model_digest"], kModelDigest);
  EXPECT_EQ((*record)["version"], 2);
  EXPECT_EQ((*record)["status"], "draft");
  EXPECT_EQ((*record)["previous"], *id1);
  // The version is signed: the envelope's statement names the model digest and carries
  // exactly this document.
  ASSERT_TRUE(record->contains("envelope"));
  auto envelope = ParseEnvelope((*record)["envelope"].dump(), "card envelope");
  ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
  auto verified = VerifyEnvelope(*envelope, {{"author", s.signer->public_key(), {}, {}}});
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  auto statement = ParseStatement(*verified, "card envelope");
  ASSERT_TRUE(statement.ok());
  EXPECT_EQ(statement->predicate_type, "https://probity.dev/attestation/model-card/v1");
  EXPECT_EQ("sha256:" + statement->subjects[0].digest.at("sha256"), kModelDigest);
  EXPECT_EQ(statement->predicate["card"], (*record)["document"]);

  auto versions = CardVersions(*s.store, s.model);
  ASSERT_TRUE(versions.has_value());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].version, 1);
  auto latest = LatestCard(*s.store, s.model);
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->record_id, *id2);
  EXPECT_EQ(latest->card.document, v2.document);
}

// --- Exports -----------------------------------------------------------------------------------

TEST(ModelCardExportTest, CycloneDxCarriesTheDigestsAndADeterministicSerial) {
  CardStore s("cdx_fields");
  ModelCard card = testing::RichCard(s);
  auto bom = ExportCycloneDx(card);
  ASSERT_TRUE(bom.has_value()) << bom.error().ToString();
  EXPECT_EQ((*bom)["bomFormat"], "CycloneDX");
  EXPECT_EQ((*bom)["specVersion"], "1.6");
  const std::string serial = (*bom)["serialNumber"];
  EXPECT_TRUE(std::regex_match(
      serial,
      std::regex("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << serial;
  EXPECT_EQ((*ExportCycloneDx(card))["serialNumber"], serial);  // deterministic
  ModelCard other = card;
  other.document["limitations"].push_back("another");
  EXPECT_NE((*ExportCycloneDx(other))["serialNumber"], serial);
  // The serial is the card digest's first 16 bytes with the UUIDv8 version and variant bits.
  const std::string hex = CardDigest(card)->Hex();
  std::string expected = hex.substr(0, 32);
  expected[12] = '8';
  expected[16] = "89ab"[std::stoi(expected.substr(16, 1), nullptr, 16) & 3];
  std::string compact = serial.substr(9);
  compact.erase(std::remove(compact.begin(), compact.end(), '-'), compact.end());
  EXPECT_EQ(compact, expected);

  const auto& components = (*bom)["components"];
  ASSERT_EQ(components.size(), 3u);  // the model and two datasets
  EXPECT_EQ(components[0]["type"], "machine-learning-model");
  EXPECT_EQ(components[0]["hashes"][0]["alg"], "SHA-256");
  EXPECT_EQ(components[0]["hashes"][0]["content"], kModelDigest.substr(7));
  EXPECT_EQ(components[0]["licenses"][0]["expression"], "Apache-2.0");
  EXPECT_EQ(components[0]["modelCard"]["considerations"]["fairnessAssessments"][0]["groupAtRisk"],
            "applicants under 25");
  EXPECT_EQ(components[0]["modelCard"]["quantitativeAnalysis"]["performanceMetrics"][0],
            nlohmann::ordered_json(
                {{"type", "accuracy"},
                 {"value", "0.76"},
                 {"slice", "all applicants"},
                 {"confidenceInterval", {{"lowerBound", "0.73"}, {"upperBound", "0.79"}}}}));
  EXPECT_EQ(components[1]["type"], "data");
  EXPECT_EQ(components[1]["hashes"][0]["content"], kTrainDigest.substr(7));
  EXPECT_EQ(components[2]["hashes"][0]["content"], kEvalDigest.substr(7));
  EXPECT_EQ((*bom)["dependencies"][0]["dependsOn"].size(), 2u);
}

TEST(ModelCardExportTest, SageMakerRefusesFieldsOverItsLimits) {
  CardStore s("sagemaker_limits");
  ModelCard card = testing::RichCard(s);
  card.document["details"]["overview"] = std::string(1025, 'o');
  auto long_overview = ExportSageMaker(card);
  ASSERT_FALSE(long_overview.has_value());
  EXPECT_EQ(long_overview.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(long_overview.error().message().find("model_description"), std::string::npos);
  card = testing::RichCard(s);
  card.document["metrics"][2]["value"] = std::string(64, 'v');
  EXPECT_FALSE(ExportSageMaker(card).has_value());
}

TEST(ModelCardExportTest, SageMakerMapsRiskDataAndMetricGroups) {
  CardStore s("sagemaker_fields");
  auto out = ExportSageMaker(testing::RichCard(s));
  ASSERT_TRUE(out.has_value()) << out.error().ToString();
  EXPECT_EQ((*out)["model_overview"]["model_id"], kModelDigest);
  EXPECT_EQ((*out)["intended_uses"]["risk_rating"], "Medium");
  EXPECT_EQ((*out)["training_details"]["training_job_details"]["training_datasets"][0],
            kTrainDigest);
  const auto& groups = (*out)["evaluation_details"][0]["metric_groups"];
  ASSERT_EQ(groups.size(), 3u);  // one per slice, in order of appearance
  EXPECT_EQ(groups[0]["name"], "all applicants");
  EXPECT_EQ(groups[0]["metric_data"][0]["value"], 0.76);
  EXPECT_EQ(groups[0]["metric_data"][0]["notes"], "confidence interval [0.73, 0.79]");
  EXPECT_EQ(groups[2]["name"], "all data");
  EXPECT_EQ(groups[2]["metric_data"][0]["type"], "string");
  EXPECT_EQ((*out)["additional_information"]["custom_details"]["hyperparameter.max_depth"], "4");
}

// Every export of every card validates against the format's published JSON Schema.
TEST(ModelCardExportTest, MctAndCycloneDxValidateAgainstTheirSchemas) {
  if (!testing::PythonJsonSchemaAvailable()) {
    GTEST_SKIP() << "/usr/bin/python3 with jsonschema is not installed (Debian: "
                    "python3-jsonschema); schema validation not run";
  }
  CardStore s("schemas");
  ModelCard minimal = *InitCardFromLineage(*s.store, s.model);
  ModelCard rich = testing::RichCard(s);
  int validated = 0;
  for (const ModelCard* card : {&minimal, &rich}) {
    auto mct = ExportMct(*card);
    ASSERT_TRUE(mct.has_value()) << mct.error().ToString();
    auto v =
        testing::ValidateDraft7(testing::ProjectData("mct/model_card.schema.json"), mct->dump());
    EXPECT_EQ(v.exit_code, 0) << "MCT: " << v.out << v.err;
    auto bom = ExportCycloneDx(*card);
    ASSERT_TRUE(bom.has_value()) << bom.error().ToString();
    v = testing::ValidateDraft7(testing::ProjectData("cyclonedx/bom-1.6.schema.json"), bom->dump(),
                                testing::CycloneDxRefs());
    EXPECT_EQ(v.exit_code, 0) << "CycloneDX: " << v.out << v.err;
    validated += 2;
  }
  EXPECT_EQ(validated, 4);
}

// The card document itself matches docs/formats/model-card.schema.json.
TEST(ModelCardExportTest, TheDocumentMatchesItsDocumentedSchema) {
  if (!testing::PythonJsonSchemaAvailable()) {
    GTEST_SKIP() << "/usr/bin/python3 with jsonschema is not installed";
  }
  CardStore s("doc_schema");
  const std::string schema =
      std::string(PROBITY_SOURCE_DIR) + "/docs/formats/model-card.schema.json";
  const std::string validator = std::string(PROBITY_SOURCE_DIR) + "/tests/tools/validate_json.py";
  for (const ModelCard& card : {*InitCardFromLineage(*s.store, s.model), testing::RichCard(s)}) {
    const std::string path = testing::TempPath("document.json");
    std::ofstream(path, std::ios::binary) << card.document.dump();
    auto v = probity::testing::RunCommand({"/usr/bin/python3", validator, schema, path});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }
}

// The validator is not vacuous: documents that break the schemas fail.
TEST(ModelCardExportTest, TheValidatorRejectsInvalidDocuments) {
  if (!testing::PythonJsonSchemaAvailable()) {
    GTEST_SKIP() << "/usr/bin/python3 with jsonschema is not installed";
  }
  CardStore s("schemas_negative");
  auto bom = *ExportCycloneDx(testing::RichCard(s));
  bom["components"][0]["hashes"][0]["alg"] = "SHA-257";
  auto v = testing::ValidateDraft7(testing::ProjectData("cyclonedx/bom-1.6.schema.json"),
                                   bom.dump(), testing::CycloneDxRefs());
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  bom = *ExportCycloneDx(testing::RichCard(s));
  bom["components"][0]["licenses"] = {{{"license", {{"id", "Not-An-SPDX-Id"}}}}};
  v = testing::ValidateDraft7(testing::ProjectData("cyclonedx/bom-1.6.schema.json"), bom.dump(),
                              testing::CycloneDxRefs());
  EXPECT_EQ(v.exit_code, 1) << "the spdx.schema.json reference must be resolved: " << v.out;
  auto mct = *ExportMct(testing::RichCard(s));
  mct["model_details"]["version"]["date"] = "28/11/2026";
  v = testing::ValidateDraft7(testing::ProjectData("mct/model_card.schema.json"), mct.dump());
  EXPECT_EQ(v.exit_code, 1) << "formats are checked: " << v.out;
  mct = *ExportMct(testing::RichCard(s));
  mct["extra"] = 1;
  v = testing::ValidateDraft7(testing::ProjectData("mct/model_card.schema.json"), mct.dump());
  EXPECT_EQ(v.exit_code, 1);
}

}  // namespace
}  // namespace probity::lineage
