#include "lineage/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <sqlite3.h>
#include <thread>

#include "lineage/trusted_keys.h"
#include "lineage/verify.h"

namespace probity::lineage {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("probity_store_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "lineage.db").string();
    auto signer = GenerateEd25519Signer();
    ASSERT_TRUE(signer.ok());
    signer_ = std::move(*signer);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<LineageStore> Open(bool create = true) {
    StoreOptions options;
    options.create = create;
    options.origin = "probity.local/test";
    options.clock = &clock_;
    auto store = LineageStore::Open(path_, options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  VerifyReport Verify() {
    VerifyOptions options;
    options.trusted_keys.push_back({"test", signer_->public_key(), std::nullopt, std::nullopt});
    options.check_artifacts = false;
    auto report = VerifyStore(path_, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  static nlohmann::json Artifact(int64_t n) {
    return {{"digest", Sha256Of(std::to_string(n)).ToString()},
            {"kind", "dataset"},
            {"name", "part-" + std::to_string(n)}};
  }

  FixedClock clock_{TimePoint(std::chrono::seconds(1795000000))};
  fs::path dir_;
  std::string path_;
  std::unique_ptr<Signer> signer_;
};

TEST_F(StoreTest, AssignsIdsAndSignsACheckpointPerBatch) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto batch = store->Begin();
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(*(*batch)->Add({RecordKind::kArtifact, Artifact(1)}), 0);
  EXPECT_EQ(*(*batch)->Add({RecordKind::kExecution, {{"name", "train"}, {"status", "running"}}}),
            1);
  EXPECT_EQ(*(*batch)->Add({RecordKind::kEvent,
                            {{"execution", 1}, {"artifact", 0}, {"direction", "input"}}}),
            2);
  auto checkpoint = (*batch)->Commit(*signer_);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  ASSERT_TRUE(checkpoint->has_value());
  EXPECT_EQ((*checkpoint)->size, 3u);
  EXPECT_EQ((*checkpoint)->key_id, signer_->key_id());
  // The entry is the canonical record with its id and the injected time (1795000000 is
  // 2026-11-18T11:06:40Z by Python's datetime.utcfromtimestamp).
  EXPECT_EQ(*store->Entry(1),
            "{\"id\":1,\"name\":\"train\",\"record\":\"execution\",\"status\":\"running\","
            "\"time\":\"2026-11-18T11:06:40Z\"}");
  auto events = store->List(RecordKind::kEvent, "execution", 1);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0]["artifact"], 0);
  EXPECT_TRUE(Verify().verified());
}

TEST_F(StoreTest, RejectsInvalidRecordsWithoutWritingThem) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto batch = store->Begin();
  ASSERT_TRUE(batch.ok());
  ASSERT_TRUE((*batch)->Add({RecordKind::kArtifact, Artifact(1)}).ok());
  auto unknown = (*batch)->Add({RecordKind::kArtifact, {{"kind", "model"}, {"colour", "red"}}});
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("colour"), std::string::npos);
  auto missing = (*batch)->Add({RecordKind::kExecution, {{"name", "x"}}});
  EXPECT_NE(missing.status().message().find("status"), std::string::npos);
  auto wrong_kind = (*batch)->Add(
      {RecordKind::kEvent, {{"execution", 0}, {"artifact", 0}, {"direction", "input"}}});
  EXPECT_NE(wrong_kind.status().message().find("is an artifact record"), std::string::npos)
      << wrong_kind.status().ToString();
  auto forward = (*batch)->Add({RecordKind::kStatus, {{"target", 7}, {"status", "retired"}}});
  EXPECT_NE(forward.status().message().find("not an earlier record"), std::string::npos);
  auto bad_value = (*batch)->Add({RecordKind::kArtifact, {{"kind", "spreadsheet"}}});
  EXPECT_EQ(bad_value.status().expected().find("one of dataset"), 0u);
  ASSERT_TRUE((*batch)->Commit(*signer_).ok());
  EXPECT_EQ(*store->Size(), 1u);
  EXPECT_TRUE(Verify().verified());
}

TEST_F(StoreTest, UncommittedBatchLeavesNothing) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  {
    auto batch = store->Begin();
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE((*batch)->Add({RecordKind::kArtifact, Artifact(1)}).ok());
  }  // destroyed without Commit: rolled back
  EXPECT_EQ(*store->Size(), 0u);
  EXPECT_FALSE(store->LatestCheckpoint()->has_value());
}

TEST_F(StoreTest, ReopensAndRefusesNewerSchemas) {
  { ASSERT_NE(Open(), nullptr); }
  EXPECT_NE(Open(false), nullptr);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  StoreOptions options;
  auto store = LineageStore::Open(path_, options);
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("version 99"), std::string::npos);
}

// A writer killed with SIGKILL at random points during long batches never leaves a store
// that fails verification, never loses a committed batch, and never keeps part of one.
TEST_F(StoreTest, SurvivesKillNineMidBatch) {
  { ASSERT_NE(Open(), nullptr); }
  constexpr int kBatch = 500;
  std::mt19937 random(20261129);
  uint64_t committed_before = 0;
  for (int round = 0; round < 8; ++round) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(pipe_fds[0]);
      StoreOptions options;
      options.clock = &clock_;
      auto store = LineageStore::Open(path_, options);
      if (!store.ok()) ::_exit(2);
      for (int64_t b = 0;; ++b) {
        auto batch = (*store)->Begin();
        if (!batch.ok()) ::_exit(3);
        for (int i = 0; i < kBatch; ++i) {
          if (!(*batch)->Add({RecordKind::kArtifact, Artifact(b * kBatch + i)}).ok()) ::_exit(4);
        }
        auto cp = (*batch)->Commit(*signer_);
        if (!cp.ok() || !cp->has_value()) ::_exit(5);
        const uint64_t size = (*cp)->size;
        if (::write(pipe_fds[1], &size, sizeof(size)) != sizeof(size)) ::_exit(6);
      }
    }
    ::close(pipe_fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + random() % 400));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself: " << status;
    uint64_t size = 0;
    uint64_t last_committed = committed_before;
    while (::read(pipe_fds[0], &size, sizeof(size)) == sizeof(size)) last_committed = size;
    ::close(pipe_fds[0]);

    auto store = Open(false);
    ASSERT_NE(store, nullptr);
    const uint64_t now = *store->Size();
    EXPECT_GE(now, last_committed) << "a committed batch was lost in round " << round;
    EXPECT_EQ(now % kBatch, 0u) << "part of an interrupted batch was kept in round " << round;
    store.reset();
    const VerifyReport report = Verify();
    EXPECT_TRUE(report.verified()) << "round " << round << ": "
                                   << (report.failures.empty() ? "" : report.failures[0].message);
    committed_before = now;
  }
  EXPECT_GT(committed_before, 0u) << "no batch was ever committed: the test proved nothing";
}

// Two processes appending to one store at once serialize: nothing is lost, the log never
// forks, and the result verifies.
TEST_F(StoreTest, ConcurrentWritersLoseNothing) {
  { ASSERT_NE(Open(), nullptr); }
  constexpr int kBatches = 20;
  constexpr int kBatch = 50;
  std::vector<pid_t> children;
  for (int writer = 0; writer < 2; ++writer) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      StoreOptions options;
      options.clock = &clock_;
      auto store = LineageStore::Open(path_, options);
      if (!store.ok()) ::_exit(2);
      for (int b = 0; b < kBatches; ++b) {
        auto batch = (*store)->Begin();
        if (!batch.ok()) ::_exit(3);
        for (int i = 0; i < kBatch; ++i) {
          nlohmann::json fields = {{"kind", "other"},
                                   {"uri", "writer" + std::to_string(writer)},
                                   {"name", std::to_string(b * kBatch + i)}};
          if (!(*batch)->Add({RecordKind::kArtifact, fields}).ok()) ::_exit(4);
        }
        if (!(*batch)->Commit(*signer_).ok()) ::_exit(5);
      }
      ::_exit(0);
    }
    children.push_back(child);
  }
  for (pid_t child : children) {
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  auto store = Open(false);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->Size(), uint64_t{2 * kBatches * kBatch});
  for (int writer = 0; writer < 2; ++writer) {
    auto records = store->List(RecordKind::kArtifact, "uri", "writer" + std::to_string(writer));
    ASSERT_TRUE(records.ok());
    EXPECT_EQ(records->size(), size_t{kBatches * kBatch});
  }
  EXPECT_EQ(store->Checkpoints()->size(), size_t{2 * kBatches});
  store.reset();
  const VerifyReport report = Verify();
  EXPECT_TRUE(report.verified());
  EXPECT_EQ(report.checkpoints, uint64_t{2 * kBatches});
}

}  // namespace
}  // namespace probity::lineage
