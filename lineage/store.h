// LineageStore: the append-only SQLite store behind `.probity/lineage.db`.
//
// Every record (lineage/record.h) is written twice in one transaction: as a row of its typed
// table (artifacts, executions, events, …) for queries, and as its canonical JSON entry
// (RFC 8785) appended as the next leaf of an RFC 9162 Merkle tree. The record's id is its
// leaf index. Node hashes are stored, so inclusion and consistency proofs are O(log n)
// reads. Each write batch ends with a checkpoint (a C2SP signed note over the tree size and
// root) signed in the same transaction, so a batch is wholly present or wholly absent.
// Triggers refuse UPDATE and DELETE on every logged table; a change of state is a new record.
//
//   PROBITY_ASSIGN_OR_RETURN(auto store, LineageStore::Open(".probity/lineage.db", {}));
//   PROBITY_ASSIGN_OR_RETURN(auto batch, store->Begin());
//   PROBITY_ASSIGN_OR_RETURN(int64_t id, batch->Add({RecordKind::kArtifact, fields}));
//   PROBITY_ASSIGN_OR_RETURN(StoredCheckpoint cp, batch->Commit(signer));
//
// Concurrency: Begin() takes SQLite's write lock (BEGIN IMMEDIATE) and reads the tree state
// inside it, so two processes writing to one store serialize and never fork the log.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/core/clock.h"
#include "audit/core/digest.h"
#include "audit/core/result.h"
#include "lineage/keys.h"
#include "lineage/record.h"

namespace probity::lineage {

// The store's schema version; Open migrates older stores forward, refuses newer ones.
inline constexpr int kStoreSchemaVersion = 1;

struct StoreOptions {
  bool create = false;          // create the database if it does not exist
  std::string origin;           // the log's origin line; required when creating
  const Clock* clock = nullptr; // record times; nullptr = SystemClock()
  bool synchronous_full = true; // fsync at every commit (off: survives crashes, not power loss)
  int busy_timeout_ms = 60000;  // how long a writer waits for another one
};

struct StoredCheckpoint {
  int64_t id = 0;
  uint64_t size = 0;
  Digest root;
  std::string time;
  std::string key_id;
  std::string note;  // the signed note text
};

class LineageStore {
 public:
  static Result<std::unique_ptr<LineageStore>> Open(const std::string& path,
                                                    const StoreOptions& options);
  ~LineageStore();
  LineageStore(const LineageStore&) = delete;
  LineageStore& operator=(const LineageStore&) = delete;

  // A write batch. Holds the write lock until Commit, or rolls back when destroyed.
  class Batch : public RecordSink {
   public:
    ~Batch() override;
    // Validates the record (fields, types, that ids refer to existing records of the right
    // kind) and appends it. Returns its id.
    Result<int64_t> Add(Record record) override;
    // The number of records added so far.
    size_t size() const;
    // Signs a checkpoint over the grown tree and commits. With no records added, commits
    // nothing and returns the latest checkpoint (if any).
    Result<std::optional<StoredCheckpoint>> Commit(const Signer& signer);

   private:
    friend class LineageStore;
    struct State;
    explicit Batch(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
  };
  Result<std::unique_ptr<Batch>> Begin();

  const std::string& origin() const;
  const std::string& path() const;

  // Reads (each a consistent snapshot on its own).
  Result<uint64_t> Size();
  // The stored record object {"record", "id", "time", fields…}, or kNotFound.
  Result<nlohmann::json> Get(int64_t id);
  // The canonical entry bytes of record `id`.
  Result<std::string> Entry(int64_t id);
  // Every record in id (log) order, parsed from the log entries.
  Result<std::vector<nlohmann::json>> Records();
  // Records of one kind in id order, optionally filtered by one field's value.
  Result<std::vector<nlohmann::json>> List(RecordKind kind, const std::string& field = {},
                                           const nlohmann::json& value = nullptr);
  Result<std::optional<StoredCheckpoint>> LatestCheckpoint();
  Result<std::vector<StoredCheckpoint>> Checkpoints();
  // RFC 9162 proofs against the tree of `size` leaves (size ≤ Size()).
  Result<std::vector<Digest>> ProveInclusion(uint64_t index, uint64_t size);
  Result<std::vector<Digest>> ProveConsistency(uint64_t old_size, uint64_t new_size);
  Result<Digest> LeafHashAt(uint64_t index);
  Result<Digest> RootAt(uint64_t size);

 private:
  struct Impl;
  explicit LineageStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace probity::lineage
