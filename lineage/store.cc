#include "lineage/store.h"

#include <map>
#include <unordered_map>
#include <utility>

#include "audit/core/base64.h"
#include "lineage/canonical_json.h"
#include "lineage/checkpoint.h"
#include "lineage/internal/sqlite.h"
#include "lineage/internal/tables.h"
#include "lineage/merkle.h"

namespace probity::lineage {

using internal::Database;
using internal::Statement;
using internal::TableSpec;

namespace {

std::string_view DigestBytes(const Digest& d) {
  return {reinterpret_cast<const char*>(d.bytes.data()), d.bytes.size()};
}

Result<Digest> DigestFromBlob(const std::string& blob, std::string_view what) {
  if (blob.size() != 32) {
    return IntegrityViolationError(std::string(what) + " is " + std::to_string(blob.size()) +
                                   " bytes")
        .Expecting("a 32-byte SHA-256 hash");
  }
  Digest d;
  std::copy(blob.begin(), blob.end(), reinterpret_cast<char*>(d.bytes.data()));
  return d;
}

// Schema migrations: step i brings a store from version i to version i + 1.
std::vector<std::string> Migrations() {
  std::string v1 =
      "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
      "CREATE TABLE log (\n"
      "  idx INTEGER PRIMARY KEY,\n"
      "  record TEXT NOT NULL,\n"
      "  entry BLOB NOT NULL,\n"
      "  leaf_hash BLOB NOT NULL,\n"
      "  batch INTEGER NOT NULL\n"
      ");\n"
      "CREATE TABLE log_nodes (\n"
      "  level INTEGER NOT NULL,\n"
      "  idx INTEGER NOT NULL,\n"
      "  hash BLOB NOT NULL,\n"
      "  PRIMARY KEY (level, idx)\n"
      ") WITHOUT ROWID;\n"
      "CREATE TABLE checkpoints (\n"
      "  id INTEGER PRIMARY KEY,\n"
      "  size INTEGER NOT NULL,\n"
      "  root BLOB NOT NULL,\n"
      "  time TEXT NOT NULL,\n"
      "  key_id TEXT NOT NULL,\n"
      "  note TEXT NOT NULL\n"
      ");\n";
  v1 += internal::AppendOnlyTriggersSql("log");
  v1 += internal::AppendOnlyTriggersSql("log_nodes");
  v1 += internal::AppendOnlyTriggersSql("checkpoints");
  for (const TableSpec& spec : internal::Tables()) v1 += internal::CreateTableSql(spec);
  return {v1};
}

// Perfect-subtree hashes read from the store: level 0 from the log, the rest from log_nodes.
// A committed node never changes (the log is append-only), so reads outside a write batch are
// kept in `cache` (bounded): proofs against one tree share most of their upper nodes, as a
// transparency log server's tile cache does. Nodes read inside an open batch are not cached,
// since a rollback would take them back.
class StoreNodeReader final : public NodeReader {
 public:
  using Cache = std::unordered_map<uint64_t, Digest>;
  static constexpr size_t kMaxCachedNodes = size_t{1} << 16;

  StoreNodeReader(Statement& leaf, Statement& node, Cache* cache)
      : leaf_(leaf), node_(node), cache_(cache) {}
  Result<Digest> Node(int level, uint64_t index) const override {
    const uint64_t key = (uint64_t(level) << 56) | index;
    if (cache_ != nullptr) {
      if (auto it = cache_->find(key); it != cache_->end()) return it->second;
    }
    Statement& q = level == 0 ? leaf_ : node_;
    if (level == 0) {
      q.Bind(1, static_cast<int64_t>(index));
    } else {
      q.Bind(1, int64_t{level}).Bind(2, static_cast<int64_t>(index));
    }
    PROBITY_ASSIGN_OR_RETURN(bool found, q.Step());
    if (!found) {
      q.Reset();
      return IntegrityViolationError("the log has no node at level " + std::to_string(level) +
                                     ", index " + std::to_string(index));
    }
    std::string blob = q.Blob(0);
    q.Reset();
    PROBITY_ASSIGN_OR_RETURN(Digest digest, DigestFromBlob(blob, "a stored node hash"));
    if (cache_ != nullptr && cache_->size() < kMaxCachedNodes) cache_->emplace(key, digest);
    return digest;
  }

 private:
  Statement& leaf_;
  Statement& node_;
  Cache* cache_;
};

}  // namespace

struct LineageStore::Impl {
  explicit Impl(Database database) : db(std::move(database)) {}
  Database db;
  std::string path;
  std::string origin;
  const Clock* clock = nullptr;
  Statement leaf_query;
  Statement node_query;
  bool batch_open = false;

  Result<CompactRange> LoadRange(uint64_t size) {
    std::vector<Digest> roots;
    StoreNodeReader reader = Reader();
    uint64_t start = 0;
    for (int level = 63; level >= 0; --level) {
      const uint64_t width = uint64_t{1} << level;
      if ((size & width) == 0) continue;
      PROBITY_ASSIGN_OR_RETURN(Digest d, reader.Node(level, start >> level));
      roots.push_back(d);
      start += width;
    }
    return CompactRange::Resume(size, std::move(roots));
  }

  Statement size_query;
  StoreNodeReader::Cache node_cache;

  StoreNodeReader Reader() {
    return StoreNodeReader(leaf_query, node_query, batch_open ? nullptr : &node_cache);
  }

  Result<uint64_t> Size() {
    PROBITY_ASSIGN_OR_RETURN(bool row, size_query.Step());
    const uint64_t size = row ? static_cast<uint64_t>(size_query.Int(0)) : 0;
    size_query.Reset();
    return size;
  }
};

struct LineageStore::Batch::State {
  Impl* store = nullptr;
  uint64_t base_size = 0;
  int64_t batch_id = 0;
  CompactRange range;
  std::vector<RecordKind> kinds;  // of the records added in this batch
  Statement insert_log;
  Statement insert_node;
  Statement kind_of;
  std::map<RecordKind, Statement> inserts;
  TimePoint time_point;
  std::string time;  // FormatRfc3339(time_point), reused while the clock reads the same second
  bool done = false;
};

LineageStore::LineageStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LineageStore::~LineageStore() = default;

const std::string& LineageStore::origin() const { return impl_->origin; }
const std::string& LineageStore::path() const { return impl_->path; }

Result<std::unique_ptr<LineageStore>> LineageStore::Open(const std::string& path,
                                                         const StoreOptions& options) {
  PROBITY_ASSIGN_OR_RETURN(
      Database db,
      Database::Open(path, options.create ? Database::Mode::kCreate : Database::Mode::kReadWrite));
  sqlite3_busy_timeout(db.handle(), options.busy_timeout_ms);
  PROBITY_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode = WAL"));
  PROBITY_RETURN_IF_ERROR(db.Exec(options.synchronous_full ? "PRAGMA synchronous = FULL"
                                                           : "PRAGMA synchronous = NORMAL"));
  PROBITY_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys = ON"));
  // A 64 MiB page cache keeps a large batch's pages in memory until commit instead of
  // spilling them into the WAL mid-transaction.
  PROBITY_RETURN_IF_ERROR(db.Exec("PRAGMA cache_size = -65536"));
  // Checkpoint the WAL into the database every 64 MiB rather than every 4 MiB: the log's hot
  // pages (the right edge of each B-tree) are then copied once per large batch, not many
  // times; reads go through a memory map.
  PROBITY_RETURN_IF_ERROR(db.Exec("PRAGMA wal_autocheckpoint = 16384"));
  PROBITY_RETURN_IF_ERROR(db.Exec("PRAGMA mmap_size = 268435456"));

  // Migrate under the write lock, so two processes opening a new store do not race.
  PROBITY_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  auto rollback = [&db](Status s) {
    (void)db.Exec("ROLLBACK");
    return s;
  };
  PROBITY_ASSIGN_OR_RETURN(Statement version_query, db.Prepare("PRAGMA user_version"));
  PROBITY_ASSIGN_OR_RETURN(bool has_version, version_query.Step());
  const int64_t version = has_version ? version_query.Int(0) : 0;
  version_query.Reset();
  if (version > kStoreSchemaVersion) {
    return rollback(FailedPreconditionError("the lineage store has schema version " +
                                            std::to_string(version) + ", newer than this probity")
                        .At({path})
                        .Expecting("version " + std::to_string(kStoreSchemaVersion) +
                                   " or older (upgrade probity)"));
  }
  if (version == 0) {
    PROBITY_ASSIGN_OR_RETURN(Statement tables,
                             db.Prepare("SELECT count(*) FROM sqlite_master"));
    PROBITY_ASSIGN_OR_RETURN(bool row, tables.Step());
    if (row && tables.Int(0) > 0) {
      return rollback(InvalidArgumentError("not a Probity lineage store (unknown tables)")
                          .At({path}));
    }
    if (!options.create) {
      return rollback(FailedPreconditionError("the lineage store is empty").At({path}).Expecting(
          "a store made by `probity init`"));
    }
    if (options.origin.empty()) return rollback(InternalError("creating a store needs an origin"));
  }
  const std::vector<std::string> migrations = Migrations();
  for (int64_t v = version; v < kStoreSchemaVersion; ++v) {
    Status s = db.Exec(migrations[static_cast<size_t>(v)]);
    if (!s.ok()) return rollback(s);
  }
  if (version == 0) {
    PROBITY_ASSIGN_OR_RETURN(Statement meta,
                             db.Prepare("INSERT INTO meta (key, value) VALUES (?, ?)"));
    Status s = meta.Bind(1, std::string_view("origin")).Bind(2, options.origin).Run();
    if (!s.ok()) return rollback(s);
  }
  if (version != kStoreSchemaVersion) {
    Status s = db.Exec("PRAGMA user_version = " + std::to_string(kStoreSchemaVersion));
    if (!s.ok()) return rollback(s);
  }
  PROBITY_RETURN_IF_ERROR(db.Exec("COMMIT"));

  auto impl = std::make_unique<Impl>(std::move(db));
  impl->path = path;
  impl->clock = options.clock;
  if (impl->clock == nullptr) impl->clock = &SystemClock();
  PROBITY_ASSIGN_OR_RETURN(Statement origin_query,
                           impl->db.Prepare("SELECT value FROM meta WHERE key = 'origin'"));
  PROBITY_ASSIGN_OR_RETURN(bool has_origin, origin_query.Step());
  if (!has_origin) {
    return InvalidArgumentError("the lineage store has no origin").At({path});
  }
  impl->origin = origin_query.Text(0);
  PROBITY_ASSIGN_OR_RETURN(impl->leaf_query,
                           impl->db.Prepare("SELECT leaf_hash FROM log WHERE idx = ?"));
  PROBITY_ASSIGN_OR_RETURN(
      impl->node_query, impl->db.Prepare("SELECT hash FROM log_nodes WHERE level = ? AND idx = ?"));
  PROBITY_ASSIGN_OR_RETURN(impl->size_query,
                           impl->db.Prepare("SELECT coalesce(max(idx) + 1, 0) FROM log"));
  return std::unique_ptr<LineageStore>(new LineageStore(std::move(impl)));
}

Result<std::unique_ptr<LineageStore::Batch>> LineageStore::Begin() {
  if (impl_->batch_open) return InternalError("a write batch is already open on this store");
  PROBITY_RETURN_IF_ERROR(impl_->db.Exec("BEGIN IMMEDIATE"));
  auto state = std::make_unique<Batch::State>();
  state->store = impl_.get();
  auto fail = [this](Status s) {
    (void)impl_->db.Exec("ROLLBACK");
    return s;
  };
  Result<uint64_t> size = impl_->Size();
  if (!size.ok()) return fail(size.status());
  state->base_size = *size;
  Result<CompactRange> range = impl_->LoadRange(*size);
  if (!range.ok()) return fail(range.status());
  state->range = std::move(*range);
  {
    Result<Statement> q = impl_->db.Prepare("SELECT coalesce(max(batch) + 1, 0) FROM log");
    if (!q.ok()) return fail(q.status());
    Result<bool> row = q->Step();
    if (!row.ok()) return fail(row.status());
    state->batch_id = q->Int(0);
  }
  auto prepare = [&](Statement& out, const std::string& sql) -> Status {
    PROBITY_ASSIGN_OR_RETURN(out, impl_->db.Prepare(sql));
    return OkStatus();
  };
  Status s = prepare(state->insert_log,
                     "INSERT INTO log (idx, record, entry, leaf_hash, batch) VALUES (?, ?, ?, ?, ?)");
  if (s.ok()) {
    s = prepare(state->insert_node, "INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)");
  }
  if (s.ok()) s = prepare(state->kind_of, "SELECT record FROM log WHERE idx = ?");
  if (!s.ok()) return fail(s);
  impl_->batch_open = true;
  return std::unique_ptr<Batch>(new Batch(std::move(state)));
}

LineageStore::Batch::Batch(std::unique_ptr<State> state) : state_(std::move(state)) {}

LineageStore::Batch::~Batch() {
  if (!state_->done) {
    (void)state_->store->db.Exec("ROLLBACK");
    state_->store->batch_open = false;
  }
}

size_t LineageStore::Batch::size() const { return state_->kinds.size(); }

Result<int64_t> LineageStore::Batch::Add(Record record) {
  State& st = *state_;
  if (st.done) return InternalError("the batch is already committed");
  const TableSpec& spec = internal::TableFor(record.kind);
  const int64_t id = static_cast<int64_t>(st.base_size + st.kinds.size());
  const std::string where = "record " + std::to_string(id) + " (" +
                            std::string(RecordKindName(record.kind)) + ")";
  Status valid = internal::ValidateFields(spec, record.fields);
  if (!valid.ok()) return InvalidArgumentError(where + ": " + valid.message()).Expecting(valid.expected());
  // References must name earlier records of the right kind.
  for (const internal::FieldSpec& f : spec.fields) {
    if (f.type != internal::FieldType::kId) continue;
    const auto it = record.fields.find(std::string(f.name));
    if (it == record.fields.end() || it->is_null()) continue;
    const int64_t target = it->get<int64_t>();
    std::optional<RecordKind> kind;
    if (target >= id) {
      return InvalidArgumentError(where + ": field \"" + std::string(f.name) + "\" refers to " +
                                  std::to_string(target) + ", which is not an earlier record")
          .Expecting("the id of an existing record");
    }
    if (static_cast<uint64_t>(target) >= st.base_size) {
      kind = st.kinds[static_cast<size_t>(target) - st.base_size];
    } else {
      st.kind_of.Bind(1, target);
      PROBITY_ASSIGN_OR_RETURN(bool found, st.kind_of.Step());
      if (found) kind = ParseRecordKind(st.kind_of.Text(0));
      st.kind_of.Reset();
    }
    if (!kind || (!f.refers_to.empty() &&
                  std::find(f.refers_to.begin(), f.refers_to.end(), *kind) == f.refers_to.end())) {
      std::string expected;
      for (RecordKind k : f.refers_to) {
        expected += (expected.empty() ? "" : " or ") + std::string(RecordKindName(k));
      }
      return InvalidArgumentError(where + ": field \"" + std::string(f.name) + "\" refers to " +
                                  std::to_string(target) + ", which is " +
                                  (kind ? WithArticle(RecordKindName(*kind)) + " record"
                                        : "not a record"))
          .Expecting("the id of a " + expected + " record");
    }
  }
  const TimePoint now = st.store->clock->Now();
  if (now != st.time_point || st.time.empty()) {
    st.time_point = now;
    st.time = FormatRfc3339(now);
  }
  const std::string& time = st.time;
  auto [insert, fresh] = st.inserts.try_emplace(record.kind);
  if (fresh) {
    PROBITY_ASSIGN_OR_RETURN(insert->second, st.store->db.Prepare(internal::InsertSql(spec)));
  }
  PROBITY_RETURN_IF_ERROR(internal::BindRow(insert->second, spec, id, time, record.fields));
  // The entry is the record's fields (moved, not copied) plus record, id and time. Null
  // fields are the same as absent ones; drop them so the entry has one spelling.
  nlohmann::json entry_object = std::move(record.fields);
  for (auto it = entry_object.begin(); it != entry_object.end();) {
    it = it->is_null() ? entry_object.erase(it) : std::next(it);
  }
  entry_object["record"] = RecordKindName(record.kind);
  entry_object["id"] = id;
  entry_object["time"] = time;
  PROBITY_ASSIGN_OR_RETURN(std::string entry, CanonicalJson(entry_object));
  const Digest leaf = LeafHash(entry);

  PROBITY_RETURN_IF_ERROR(st.insert_log.Bind(1, id)
                              .Bind(2, RecordKindName(record.kind))
                              .BindBlob(3, entry)
                              .BindBlob(4, DigestBytes(leaf))
                              .Bind(5, st.batch_id)
                              .Run());
  PROBITY_RETURN_IF_ERROR(insert->second.Run());
  Status node_status;
  st.range.Append(leaf, [&](int level, uint64_t index, const Digest& hash) {
    if (!node_status.ok()) return;
    node_status = st.insert_node.Bind(1, int64_t{level})
                      .Bind(2, static_cast<int64_t>(index))
                      .BindBlob(3, DigestBytes(hash))
                      .Run();
  });
  PROBITY_RETURN_IF_ERROR(node_status);
  st.kinds.push_back(record.kind);
  return id;
}

Result<std::optional<StoredCheckpoint>> LineageStore::Batch::Commit(const Signer& signer) {
  State& st = *state_;
  if (st.done) return InternalError("the batch is already committed");
  std::optional<StoredCheckpoint> result;
  if (!st.kinds.empty()) {
    Checkpoint checkpoint;
    checkpoint.origin = st.store->origin;
    checkpoint.size = st.range.size();
    checkpoint.root = st.range.Root();
    PROBITY_ASSIGN_OR_RETURN(std::string note, SignNote(checkpoint, st.store->origin, signer));
    StoredCheckpoint stored;
    stored.size = checkpoint.size;
    stored.root = checkpoint.root;
    stored.time = FormatRfc3339(st.store->clock->Now());
    stored.key_id = signer.key_id();
    stored.note = note;
    PROBITY_ASSIGN_OR_RETURN(
        Statement insert,
        st.store->db.Prepare(
            "INSERT INTO checkpoints (size, root, time, key_id, note) VALUES (?, ?, ?, ?, ?)"));
    PROBITY_RETURN_IF_ERROR(insert.Bind(1, static_cast<int64_t>(stored.size))
                                .BindBlob(2, DigestBytes(stored.root))
                                .Bind(3, stored.time)
                                .Bind(4, stored.key_id)
                                .Bind(5, stored.note)
                                .Run());
    stored.id = sqlite3_last_insert_rowid(st.store->db.handle());
    result = std::move(stored);
  }
  // Release the prepared statements before COMMIT so nothing holds the write transaction.
  st.inserts.clear();
  PROBITY_RETURN_IF_ERROR(st.store->db.Exec("COMMIT"));
  st.done = true;
  st.store->batch_open = false;
  return result;
}

Result<uint64_t> LineageStore::Size() { return impl_->Size(); }

Result<std::string> LineageStore::Entry(int64_t id) {
  PROBITY_ASSIGN_OR_RETURN(Statement q, impl_->db.Prepare("SELECT entry FROM log WHERE idx = ?"));
  q.Bind(1, id);
  PROBITY_ASSIGN_OR_RETURN(bool found, q.Step());
  if (!found) return NotFoundError("no record with id " + std::to_string(id)).InFile(impl_->path);
  return q.Blob(0);
}

Result<nlohmann::json> LineageStore::Get(int64_t id) {
  PROBITY_ASSIGN_OR_RETURN(std::string entry, Entry(id));
  return ParseStrictJson(entry, impl_->path + ": record " + std::to_string(id));
}

Result<std::vector<nlohmann::json>> LineageStore::Records() {
  PROBITY_ASSIGN_OR_RETURN(Statement q, impl_->db.Prepare("SELECT idx, entry FROM log ORDER BY idx"));
  std::vector<nlohmann::json> out;
  while (true) {
    PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    PROBITY_ASSIGN_OR_RETURN(
        nlohmann::json record,
        ParseStrictJson(q.Blob(1), impl_->path + ": record " + std::to_string(q.Int(0))));
    out.push_back(std::move(record));
  }
  return out;
}

Result<std::vector<nlohmann::json>> LineageStore::List(RecordKind kind, const std::string& field,
                                                       const nlohmann::json& value) {
  const TableSpec& spec = internal::TableFor(kind);
  std::string sql = internal::SelectSql(spec);
  if (!field.empty()) {
    const bool known = std::any_of(spec.fields.begin(), spec.fields.end(),
                                   [&](const internal::FieldSpec& f) { return f.name == field; });
    if (!known) return InvalidArgumentError(WithArticle(RecordKindName(kind)) +
                                            " record has no field \"" + field + "\"");
    sql.insert(sql.find(" ORDER BY"), " WHERE " + field + " = ?");
  }
  PROBITY_ASSIGN_OR_RETURN(Statement q, impl_->db.Prepare(sql));
  if (!field.empty()) {
    if (value.is_string()) {
      q.Bind(1, value.get_ref<const std::string&>());
    } else if (value.is_number_integer()) {
      q.Bind(1, value.get<int64_t>());
    } else if (value.is_boolean()) {
      q.Bind(1, int64_t{value.get<bool>() ? 1 : 0});
    } else {
      return InvalidArgumentError("can only look records up by a string, integer or boolean");
    }
  }
  std::vector<nlohmann::json> out;
  while (true) {
    PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    out.push_back(internal::RowToRecord(q, spec));
  }
  return out;
}

namespace {

Result<StoredCheckpoint> ReadCheckpoint(const Statement& q) {
  StoredCheckpoint c;
  c.id = q.Int(0);
  c.size = static_cast<uint64_t>(q.Int(1));
  PROBITY_ASSIGN_OR_RETURN(c.root, DigestFromBlob(q.Blob(2), "a checkpoint root"));
  c.time = q.Text(3);
  c.key_id = q.Text(4);
  c.note = q.Text(5);
  return c;
}

constexpr std::string_view kCheckpointColumns =
    "SELECT id, size, root, time, key_id, note FROM checkpoints";

}  // namespace

Result<std::optional<StoredCheckpoint>> LineageStore::LatestCheckpoint() {
  PROBITY_ASSIGN_OR_RETURN(
      Statement q, impl_->db.Prepare(std::string(kCheckpointColumns) + " ORDER BY id DESC LIMIT 1"));
  PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<StoredCheckpoint>();
  PROBITY_ASSIGN_OR_RETURN(StoredCheckpoint c, ReadCheckpoint(q));
  return std::optional<StoredCheckpoint>(std::move(c));
}

Result<std::vector<StoredCheckpoint>> LineageStore::Checkpoints() {
  PROBITY_ASSIGN_OR_RETURN(Statement q,
                           impl_->db.Prepare(std::string(kCheckpointColumns) + " ORDER BY id"));
  std::vector<StoredCheckpoint> out;
  while (true) {
    PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    PROBITY_ASSIGN_OR_RETURN(StoredCheckpoint c, ReadCheckpoint(q));
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<Digest>> LineageStore::ProveInclusion(uint64_t index, uint64_t size) {
  PROBITY_ASSIGN_OR_RETURN(uint64_t current, Size());
  if (size > current || index >= size) {
    return InvalidArgumentError("no inclusion proof for index " + std::to_string(index) +
                                " in a tree of size " + std::to_string(size))
        .Expecting("index < size ≤ " + std::to_string(current));
  }
  StoreNodeReader reader = impl_->Reader();
  return InclusionProof(index, size, reader);
}

Result<std::vector<Digest>> LineageStore::ProveConsistency(uint64_t old_size, uint64_t new_size) {
  PROBITY_ASSIGN_OR_RETURN(uint64_t current, Size());
  if (old_size == 0 || old_size > new_size || new_size > current) {
    return InvalidArgumentError("no consistency proof from size " + std::to_string(old_size) +
                                " to " + std::to_string(new_size))
        .Expecting("0 < old size ≤ new size ≤ " + std::to_string(current));
  }
  StoreNodeReader reader = impl_->Reader();
  return ConsistencyProof(old_size, new_size, reader);
}

Result<Digest> LineageStore::LeafHashAt(uint64_t index) {
  StoreNodeReader reader = impl_->Reader();
  return reader.Node(0, index);
}

Result<Digest> LineageStore::RootAt(uint64_t size) {
  PROBITY_ASSIGN_OR_RETURN(CompactRange range, impl_->LoadRange(size));
  return range.Root();
}

}  // namespace probity::lineage
