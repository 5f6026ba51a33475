// Attestations end to end: SLSA provenance built from recorded lineage, signed and logged;
// verify checks the envelopes; the exported bundle verifies with `probity attest verify` and
// fails once altered.
#include "lineage/attest.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "lineage/card.h"
#include "lineage/dsse.h"
#include "lineage/trusted_keys.h"
#include "lineage/verify.h"
#include "lineage/workspace.h"
#include "tests/testing/run_command.h"

namespace probity::lineage {
namespace {

namespace fs = std::filesystem;
using probity::testing::RunCommand;
using probity::testing::RunProbity;

class AttestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("probity_attest_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    auto ws = InitWorkspace(root_.string(), &clock_);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    ws_ = *ws;
    auto signer = ws_.LoadSigner();
    ASSERT_TRUE(signer.ok());
    signer_ = std::move(*signer);
    keys_path_ = (root_ / "trusted.pem").string();
    std::ofstream(keys_path_) << FormatTrustedKey("default", signer_->public_key());
    auto store = ws_.OpenStore(&clock_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    // A training run: dataset in, model out.
    auto batch = store_->Begin();
    ASSERT_TRUE(batch.ok());
    auto add = [&](RecordKind kind, nlohmann::json fields) {
      auto id = (*batch)->Add({kind, std::move(fields)});
      EXPECT_TRUE(id.ok()) << id.status().ToString();
      return id.ok() ? *id : -1;
    };
    add(RecordKind::kArtifact, {{"digest", Sha256Of("data").ToString()},
                                {"kind", "dataset"},
                                {"name", "train.csv"},
                                {"uri", "s3://bucket/train.csv"}});
    add(RecordKind::kExecution, {{"name", "train"},
                                 {"status", "complete"},
                                 {"parameters", {{"max_depth", 6}, {"eta", 0.3}}},
                                 {"started", "2026-11-18T11:00:00Z"},
                                 {"ended", "2026-11-18T11:06:40Z"}});
    model_ = add(RecordKind::kArtifact,
                 {{"digest", Sha256Of("model").ToString()}, {"kind", "model"}, {"name", "m.json"}});
    add(RecordKind::kEvent, {{"execution", 1}, {"artifact", 0}, {"direction", "input"},
                             {"role", "training data"}});
    add(RecordKind::kEvent, {{"execution", 1}, {"artifact", model_}, {"direction", "output"}});
    ASSERT_TRUE((*batch)->Commit(*signer_).ok());
  }

  void TearDown() override { fs::remove_all(root_); }

  VerifyReport Verify() {
    VerifyOptions options;
    options.trusted_keys = *LoadTrustedKeys(keys_path_);
    options.check_artifacts = false;
    auto report = VerifyStore(ws_.db_path(), options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  int64_t Attest() {
    auto statement = ModelProvenance(*store_, model_);
    EXPECT_TRUE(statement.ok()) << statement.status().ToString();
    auto batch = store_->Begin();
    EXPECT_TRUE(batch.ok());
    auto id = RecordAttestation(**batch, *signer_, *statement);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    EXPECT_TRUE((*batch)->Commit(*signer_).ok());
    return *id;
  }

  FixedClock clock_{TimePoint(std::chrono::seconds(1795000000))};
  fs::path root_;
  Workspace ws_;
  std::unique_ptr<Signer> signer_;
  std::unique_ptr<LineageStore> store_;
  std::string keys_path_;
  int64_t model_ = -1;
};

TEST_F(AttestTest, ProvenanceComesFromTheRecordedRun) {
  auto statement = ModelProvenance(*store_, model_);
  ASSERT_TRUE(statement.ok()) << statement.status().ToString();
  const nlohmann::json& s = *statement;
  EXPECT_EQ(s["_type"], "https://in-toto.io/Statement/v1");
  EXPECT_EQ(s["predicateType"], "https://slsa.dev/provenance/v1");
  EXPECT_EQ(s["subject"][0]["digest"]["sha256"], Sha256Of("model").Hex());
  const nlohmann::json& build = s["predicate"]["buildDefinition"];
  EXPECT_EQ(build["externalParameters"]["max_depth"], 6);
  EXPECT_EQ(build["externalParameters"]["step"], "train");
  ASSERT_EQ(build["resolvedDependencies"].size(), 1u);
  EXPECT_EQ(build["resolvedDependencies"][0]["digest"]["sha256"], Sha256Of("data").Hex());
  EXPECT_EQ(build["resolvedDependencies"][0]["uri"], "s3://bucket/train.csv");
  const nlohmann::json& run = s["predicate"]["runDetails"];
  EXPECT_EQ(run["builder"]["id"], "https://probity.dev/probity");
  EXPECT_EQ(run["metadata"]["startedOn"], "2026-11-18T11:00:00Z");
  EXPECT_EQ(run["metadata"]["finishedOn"], "2026-11-18T11:06:40Z");
  // Valid against the documented statement schema (python3-jsonschema).
  if (RunCommand({"/usr/bin/python3", "-c", "import jsonschema"}).exit_code == 0) {
    const std::string instance = (root_ / "statement.json").string();
    std::ofstream(instance) << s.dump();
    auto v = RunCommand({"/usr/bin/python3",
                         std::string(PROBITY_SOURCE_DIR) + "/tests/tools/validate_json.py",
                         std::string(PROBITY_SOURCE_DIR) +
                             "/docs/formats/intoto-statement.schema.json",
                         instance});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }
  // Only models have provenance; a model no recorded step produced has none, and it says why.
  EXPECT_EQ(ModelProvenance(*store_, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ModelProvenance(*store_, 1).status().code(), StatusCode::kInvalidArgument);
  auto batch = store_->Begin();
  ASSERT_TRUE(batch.ok());
  auto vendor = (*batch)->Add({RecordKind::kArtifact, {{"digest", Sha256Of("vendor").ToString()},
                                                       {"kind", "model"}}});
  ASSERT_TRUE(vendor.ok());
  ASSERT_TRUE((*batch)->Commit(*signer_).ok());
  EXPECT_EQ(ModelProvenance(*store_, *vendor).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(AttestTest, LoggedAttestationVerifies) {
  const int64_t id = Attest();
  const VerifyReport r = Verify();
  EXPECT_TRUE(r.verified());
  EXPECT_EQ(r.attestations, 1u);
  auto record = store_->Get(id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ((*record)["subject_digest"], Sha256Of("model").ToString());
  EXPECT_EQ((*record)["predicate_type"], "https://slsa.dev/provenance/v1");
}

TEST_F(AttestTest, AlteredEnvelopeFailsVerify) {
  const int64_t id = Attest();
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(ws_.db_path().c_str(), &db), SQLITE_OK);
  // Point the record at another model: the row no longer matches its entry, and the signed
  // statement does not name that digest.
  const std::string sql = "DROP TRIGGER attestations_no_update; UPDATE attestations SET "
                          "subject_digest = '" + Sha256Of("other").ToString() +
                          "' WHERE id = " + std::to_string(id) + ";";
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const VerifyReport r = Verify();
  bool row = false, envelope = false;
  for (const Finding& f : r.failures) {
    row |= f.table == "attestations" && f.field == "subject_digest";
    envelope |= f.table == "attestations" && f.field == "envelope";
  }
  EXPECT_TRUE(row);
  EXPECT_TRUE(envelope);
}

TEST_F(AttestTest, ExportedBundleVerifiesOnlyUntouched) {
  Attest();
  const std::string bundle = (root_ / "model.intoto.jsonl").string();
  auto exported = RunProbity({"--workspace", root_.string(), "attest", "export",
                              std::to_string(model_), "--out", bundle});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  auto ok = RunProbity({"attest", "verify", bundle, "--trusted-keys", keys_path_});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("https://slsa.dev/provenance/v1"), std::string::npos);
  // Change one character of the payload: the signature no longer verifies.
  std::string text = probity::testing::Slurp(bundle);
  const size_t at = text.find("\"payload\":\"") + 20;
  text[at] = text[at] == 'A' ? 'B' : 'A';
  std::ofstream(bundle) << text;
  auto bad = RunProbity({"attest", "verify", bundle, "--trusted-keys", keys_path_});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  // An untrusted key verifies nothing.
  auto other = GenerateEd25519Signer();
  const std::string other_keys = (root_ / "other.pem").string();
  std::ofstream(other_keys) << FormatTrustedKey("other", (*other)->public_key());
  RunProbity({"--workspace", root_.string(), "attest", "export", std::to_string(model_), "--out",
              bundle});
  EXPECT_EQ(RunProbity({"attest", "verify", bundle, "--trusted-keys", other_keys}).exit_code, 1);
}

TEST_F(AttestTest, CardVersionsAreSignedAndAuthorshipCannotBeForged) {
  auto card = InitCardFromLineage(*store_, model_);
  ASSERT_TRUE(card.ok()) << card.status().ToString();
  // An honest version: recorded and signed by the same key.
  ModelCard honest = NextCardVersion(*card, "init", signer_->key_id(), clock_.Now());
  auto record = CardRecord(honest, std::nullopt, *signer_);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  {
    auto batch = store_->Begin();
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE((*batch)->Add(*record).ok());
    ASSERT_TRUE((*batch)->Commit(*signer_).ok());
  }
  VerifyReport good = Verify();
  EXPECT_TRUE(good.verified());
  EXPECT_EQ(good.attestations, 1u);
  // A version that claims a reviewer wrote it, signed with the author's key.
  auto reviewer = GenerateEd25519Signer();
  ModelCard forged = NextCardVersion(honest, "approve", (*reviewer)->key_id(), clock_.Now());
  auto forged_record = CardRecord(forged, std::nullopt, *signer_);
  ASSERT_TRUE(forged_record.ok());
  {
    auto batch = store_->Begin();
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE((*batch)->Add(*forged_record).ok());
    ASSERT_TRUE((*batch)->Commit(*signer_).ok());
  }
  VerifyReport bad = Verify();
  bool forged_found = false;
  for (const Finding& f : bad.failures) forged_found |= f.table == "cards" && f.field == "status_history";
  EXPECT_TRUE(forged_found);
}

}  // namespace
}  // namespace probity::lineage
