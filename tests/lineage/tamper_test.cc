// Tamper tests: a real workspace is recorded, then altered the way an attacker with write
// access to the files would (the sqlite3 library, triggers dropped, the workspace key in
// hand), and `probity verify` must fail with exit 1 naming what changed. The untouched store
// must verify.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

#include "audit/core/base64.h"
#include "lineage/checkpoint.h"
#include "lineage/content.h"
#include "lineage/trusted_keys.h"
#include "lineage/verify.h"
#include "lineage/workspace.h"
#include "tests/testing/run_command.h"

namespace probity::lineage {
namespace {

namespace fs = std::filesystem;
using probity::testing::RunProbity;

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("probity_tamper_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
    auto ws = InitWorkspace(root_.string(), &clock_);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    ws_ = *ws;
    auto signer = ws_.LoadSigner();
    ASSERT_TRUE(signer.ok()) << signer.status().ToString();
    signer_ = std::move(*signer);
    keys_path_ = (root_ / "trusted.pem").string();
    std::ofstream(keys_path_) << FormatTrustedKey("default", signer_->public_key());

    data_path_ = (root_ / "train.csv").string();
    std::ofstream(data_path_) << "x,y\n1,0\n2,1\n";
    auto store = ws_.OpenStore(&clock_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    // Batch 1: a dataset (kept in objects/) and a context.
    {
      auto batch = (*store)->Begin();
      ASSERT_TRUE(batch.ok());
      const std::string digest = Sha256Of("x,y\n1,0\n2,1\n").ToString();
      fs::create_directories(fs::path(ObjectPath(digest)).parent_path());
      fs::copy_file(data_path_, ObjectPath(digest));
      Add(**batch, RecordKind::kArtifact,
          {{"digest", digest}, {"kind", "dataset"}, {"size", 12}, {"name", "train.csv"},
           {"uri", "file://" + data_path_}, {"stored", true}});
      Add(**batch, RecordKind::kContext, {{"type", "experiment"}, {"name", "credit"}});
      ASSERT_TRUE((*batch)->Commit(*signer_).ok());
    }
    // The auditor saves the checkpoint after batch 1.
    auto first = (*store)->LatestCheckpoint();
    ASSERT_TRUE(first.ok() && first->has_value());
    saved_path_ = (root_ / "saved-checkpoint.txt").string();
    std::ofstream(saved_path_) << (*first)->note;
    // Batch 2: a training run that reads the dataset and writes a model.
    {
      auto batch = (*store)->Begin();
      ASSERT_TRUE(batch.ok());
      Add(**batch, RecordKind::kExecution,
          {{"name", "train"}, {"status", "complete"}, {"parameters", {{"max_depth", 4}}}});
      Add(**batch, RecordKind::kArtifact,
          {{"digest", Sha256Of("model").ToString()}, {"kind", "model"}, {"name", "model.json"}});
      Add(**batch, RecordKind::kEvent, {{"execution", 2}, {"artifact", 0}, {"direction", "input"}});
      Add(**batch, RecordKind::kEvent,
          {{"execution", 2}, {"artifact", 3}, {"direction", "output"}});
      Add(**batch, RecordKind::kAssociation, {{"context", 1}, {"execution", 2}});
      ASSERT_TRUE((*batch)->Commit(*signer_).ok());
    }
  }

  void TearDown() override { fs::remove_all(root_); }

  std::string ObjectPath(const std::string& digest) {
    return lineage::ObjectPath(ws_.objects_dir(), *Digest::Parse(digest));
  }

  void Add(LineageStore::Batch& batch, RecordKind kind, nlohmann::json fields) {
    auto id = batch.Add({kind, std::move(fields)});
    ASSERT_TRUE(id.ok()) << id.status().ToString();
  }

  // Runs SQL on the store the way an attacker would: directly, triggers dropped.
  void Tamper(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(ws_.db_path().c_str(), &db), SQLITE_OK);
    std::string drop;
    for (const char* t : {"log", "log_nodes", "checkpoints", "artifacts", "executions", "events",
                          "contexts", "associations"}) {
      drop += "DROP TRIGGER IF EXISTS " + std::string(t) + "_no_update; DROP TRIGGER IF EXISTS " +
              t + "_no_delete;";
    }
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(db, (drop + sql).c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_close(db);
  }

  VerifyReport Verify(bool with_saved = false) {
    VerifyOptions options;
    auto keys = LoadTrustedKeys(keys_path_);
    EXPECT_TRUE(keys.ok()) << keys.status().ToString();
    options.trusted_keys = *keys;
    options.objects_dir = ws_.objects_dir();
    if (with_saved) {
      std::ifstream in(saved_path_);
      std::stringstream s;
      s << in.rdbuf();
      options.saved_checkpoint = s.str();
      options.saved_checkpoint_path = saved_path_;
    }
    auto report = VerifyStore(ws_.db_path(), options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  int CliExitCode(bool with_saved = false) {
    std::vector<std::string> args = {"--workspace", root_.string(), "verify", "--trusted-keys",
                                     keys_path_};
    if (with_saved) {
      args.push_back("--checkpoint");
      args.push_back(saved_path_);
    }
    return RunProbity(args).exit_code;
  }

  // True when some failure is in `table` (and record/field when given).
  static bool Names(const VerifyReport& r, const std::string& table,
                    std::optional<int64_t> record = std::nullopt, const std::string& field = "") {
    for (const Finding& f : r.failures) {
      if (f.table == table && (!record || f.record == record) && (field.empty() || f.field == field)) {
        return true;
      }
    }
    return false;
  }

  static std::string Describe(const VerifyReport& r) {
    std::string out;
    for (const Finding& f : r.failures) {
      out += f.table + " " + (f.record ? std::to_string(*f.record) : "-") + " ." + f.field +
             ": " + f.message + "\n";
    }
    return out;
  }

  FixedClock clock_{TimePoint(std::chrono::seconds(1795000000))};
  fs::path root_;
  Workspace ws_;
  std::unique_ptr<Signer> signer_;
  std::string keys_path_;
  std::string data_path_;
  std::string saved_path_;
};

TEST_F(TamperTest, UntouchedStoreVerifies) {
  const VerifyReport r = Verify(/*with_saved=*/true);
  EXPECT_TRUE(r.verified()) << Describe(r);
  EXPECT_EQ(r.records, 7u);
  EXPECT_EQ(r.checkpoints, 2u);
  EXPECT_EQ(r.signing_keys.size(), 1u);
  EXPECT_EQ(r.artifacts_checked, 2u);
  EXPECT_EQ(CliExitCode(true), 0);
}

TEST_F(TamperTest, OneByteOfOneFieldInATypedRow) {
  Tamper("UPDATE artifacts SET name = 'train.csw' WHERE id = 0;");
  const VerifyReport r = Verify();
  EXPECT_TRUE(Names(r, "artifacts", 0, "name")) << Describe(r);
  EXPECT_EQ(r.failures.size(), 1u) << Describe(r);
  EXPECT_EQ(CliExitCode(), 1);
}

TEST_F(TamperTest, OneByteOfALogEntry) {
  // 'train' -> 'trbin' inside the execution's signed entry.
  Tamper("UPDATE log SET entry = CAST(replace(CAST(entry AS TEXT), '\"train\"', '\"trbin\"') AS "
         "BLOB) WHERE idx = 2;");
  const VerifyReport r = Verify();
  EXPECT_TRUE(Names(r, "log", 2, "leaf_hash")) << Describe(r);
  EXPECT_TRUE(Names(r, "executions", 2, "name")) << Describe(r);
  EXPECT_EQ(CliExitCode(), 1);
}

TEST_F(TamperTest, EntryAndLeafHashChangedTogether) {
  // A consistent edit of entry, leaf hash and row still breaks the signed root.
  auto store = ws_.OpenStore(&clock_);
  ASSERT_TRUE(store.ok());
  auto entry = (*store)->Entry(3);
  ASSERT_TRUE(entry.ok());
  std::string changed = *entry;
  changed.replace(changed.find("model.json"), 10, "model.jsoN");
  const Digest leaf = Sha256Of(std::string(1, '\0') + changed);
  store->reset();
  Tamper("UPDATE log SET entry = CAST('" + changed + "' AS BLOB), leaf_hash = X'" + leaf.Hex() +
         "' WHERE idx = 3; UPDATE artifacts SET name = 'model.jsoN' WHERE id = 3;");
  const VerifyReport r = Verify();
  EXPECT_TRUE(Names(r, "checkpoints", std::nullopt, "root")) << Describe(r);
  EXPECT_EQ(CliExitCode(), 1);
}

TEST_F(TamperTest, DeletedRow) {
  Tamper("DELETE FROM associations WHERE id = 6;");
  VerifyReport r = Verify();
  EXPECT_TRUE(Names(r, "associations", 6)) << Describe(r);
  EXPECT_EQ(CliExitCode(), 1);
}

TEST_F(TamperTest, DeletedLogEntry) {
  Tamper("PRAGMA foreign_keys = OFF; DELETE FROM log WHERE idx = 4;");
  VerifyReport r = Verify();
  EXPECT_TRUE(Names(r, "log", 4, "idx")) << Describe(r);
  EXPECT_TRUE(Names(r, "events", 4)) << Describe(r);
  EXPECT_EQ(CliExitCode(), 1);
}

TEST_F(TamperTest, ReorderedRows) {
  // Swap the log entries (and their leaf hashes) at indexes 4 and 5.
  Tamper(
      "CREATE TEMP TABLE swap AS SELECT idx, entry, leaf_hash FROM log WHERE idx IN (4, 5);"
      "UPDATE log SET entry = (SELECT entry FROM swap WHERE idx = 5), leaf_hash = (SELECT "
      "leaf_hash FROM swap WHERE idx = 5) WHERE idx = 4;"
      "UPDATE log SET entry = (SELECT entry FROM swap WHERE idx = 4), leaf_hash = (SELECT "
      "leaf_hash FROM swap WHERE idx = 4) WHERE idx = 5;");
  VerifyReport r = Verify();
  EXPECT_TRUE(Names(r, "events", 4, "id")) << Describe(r);
  EXPECT_TRUE(Names(r, "events", 5, "id")) << Describe(r);
  EXPECT_TRUE(Names(r, "checkpoints", std::nullopt, "root")) << Describe(r);
  EXPECT_EQ(CliExitCode(), 1);
}

TEST_F(TamperTest, ReplacedCheckpointSignature) {
  auto store = ws_.OpenStore(&clock_);
  ASSERT_TRUE(store.ok());
  auto latest = (*store)->LatestCheckpoint();
  ASSERT_TRUE(latest.ok() && latest->has_value());
  std::string note = (*latest)->note;
  store->reset();
  // Re-encode the signature line with one signature byte flipped.
  const size_t line = note.rfind(' ') + 1;
  std::string sig = *Base64Decode(note.substr(line, note.size() - line - 1));
  sig[10] ^= 0x01;
  note = note.substr(0, line) + Base64Encode(sig) + "\n";
  Tamper("UPDATE checkpoints SET note = '" + note + "' WHERE id = " +
         std::to_string((*latest)->id) + ";");
  VerifyReport r = Verify();
  EXPECT_TRUE(Names(r, "checkpoints", (*latest)->id, "signature")) << Describe(r);
  EXPECT_EQ(r.failures.size(), 1u) << Describe(r);
  EXPECT_EQ(CliExitCode(), 1);
}

TEST_F(TamperTest, ResignedWithUntrustedKey) {
  // The attacker rewrites every checkpoint with a key of their own.
  auto attacker = GenerateEd25519Signer();
  ASSERT_TRUE(attacker.ok());
  auto store = ws_.OpenStore(&clock_);
  ASSERT_TRUE(store.ok());
  auto checkpoints = (*store)->Checkpoints();
  ASSERT_TRUE(checkpoints.ok());
  std::string sql;
  for (const StoredCheckpoint& c : *checkpoints) {
    Checkpoint body{ws_.origin, c.size, c.root, {}};
    auto note = SignNote(body, ws_.origin, **attacker);
    ASSERT_TRUE(note.ok());
    sql += "UPDATE checkpoints SET note = '" + *note + "', key_id = '" + (*attacker)->key_id() +
           "' WHERE id = " + std::to_string(c.id) + ";";
  }
  store->reset();
  Tamper(sql);
  VerifyReport r = Verify();
  EXPECT_EQ(r.signing_keys.size(), 0u);
  EXPECT_TRUE(Names(r, "checkpoints", (*checkpoints)[0].id, "signature")) << Describe(r);
  EXPECT_TRUE(Names(r, "checkpoints", (*checkpoints)[1].id, "signature")) << Describe(r);
  EXPECT_EQ(CliExitCode(), 1);
}

TEST_F(TamperTest, TruncatedBelowSavedCheckpoint) {
  // The attacker holds the workspace key: they cut the log back to one record and re-sign a
  // consistent checkpoint. Only the checkpoint the auditor saved can tell.
  Tamper("PRAGMA foreign_keys = OFF;"
         "DELETE FROM log WHERE idx >= 1; DELETE FROM log_nodes;"
         "DELETE FROM contexts; DELETE FROM executions; DELETE FROM events;"
         "DELETE FROM associations; DELETE FROM artifacts WHERE id >= 1; DELETE FROM checkpoints;");
  {
    auto store = ws_.OpenStore(&clock_);
    ASSERT_TRUE(store.ok());
    auto root = (*store)->RootAt(1);
    ASSERT_TRUE(root.ok());
    Checkpoint body{ws_.origin, 1, *root, {}};
    auto note = SignNote(body, ws_.origin, *signer_);
    ASSERT_TRUE(note.ok());
    store->reset();
    Tamper("INSERT INTO checkpoints (size, root, time, key_id, note) VALUES (1, X'" + root->Hex() +
           "', '2026-11-28T00:00:00Z', '" + signer_->key_id() + "', '" + *note + "');");
  }
  EXPECT_TRUE(Verify(/*with_saved=*/false).verified()) << Describe(Verify(false));
  VerifyReport r = Verify(/*with_saved=*/true);
  EXPECT_TRUE(Names(r, "saved checkpoint", std::nullopt, "size")) << Describe(r);
  EXPECT_EQ(CliExitCode(/*with_saved=*/true), 1);
}

TEST_F(TamperTest, ChangedArtifactFile) {
  std::ofstream(data_path_) << "x,y\n1,0\n2,0\n";
  VerifyReport r = Verify();
  EXPECT_TRUE(Names(r, "file", 0, "digest")) << Describe(r);
  EXPECT_EQ(CliExitCode(), 1);
  // Without --no-artifacts only; the log itself is intact.
  EXPECT_EQ(RunProbity({"--workspace", root_.string(), "verify", "--trusted-keys", keys_path_,
                        "--no-artifacts"})
                .exit_code,
            0);
}

TEST_F(TamperTest, ChangedStoredObject) {
  const std::string object = ObjectPath(Sha256Of("x,y\n1,0\n2,1\n").ToString());
  fs::permissions(object, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(object) << "x,y\n9,9\n";
  VerifyReport r = Verify();
  EXPECT_TRUE(Names(r, "objects", 0, "digest")) << Describe(r);
  EXPECT_EQ(CliExitCode(), 1);
}

TEST_F(TamperTest, MissingArtifactFileIsAWarning) {
  fs::remove(data_path_);
  VerifyReport r = Verify();
  EXPECT_TRUE(r.verified()) << Describe(r);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0].record, 0);
  EXPECT_EQ(CliExitCode(), 0);
}

TEST_F(TamperTest, TriggersRefuseUpdateAndDelete) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(ws_.db_path().c_str(), &db), SQLITE_OK);
  for (const char* sql : {"UPDATE artifacts SET name = 'x' WHERE id = 0",
                          "DELETE FROM executions WHERE id = 2", "UPDATE log SET batch = 9",
                          "DELETE FROM checkpoints", "DELETE FROM log_nodes"}) {
    char* error = nullptr;
    EXPECT_NE(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << sql;
    EXPECT_NE(std::string(error ? error : "").find("append-only"), std::string::npos) << sql;
    sqlite3_free(error);
  }
  sqlite3_close(db);
  EXPECT_TRUE(Verify().verified());
}

TEST_F(TamperTest, NotAStoreIsBadInput) {
  const std::string bogus = (root_ / "bogus.db").string();
  std::ofstream(bogus) << "this is not sqlite";
  auto r = VerifyStore(bogus, {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_EQ(RunProbity({"verify", "--db", bogus, "--trusted-keys", keys_path_}).exit_code, 3);
  EXPECT_EQ(RunProbity({"verify", "--db", (root_ / "none.db").string(), "--trusted-keys",
                        keys_path_})
                .exit_code,
            4);
  EXPECT_EQ(RunProbity({"--workspace", root_.string(), "verify", "--trusted-keys",
                        (root_ / "nokeys.pem").string()})
                .exit_code,
            4);
}

}  // namespace
}  // namespace probity::lineage
