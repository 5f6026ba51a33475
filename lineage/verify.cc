#include "lineage/verify.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <set>

#include "audit/core/base64.h"
#include "lineage/attest.h"
#include "lineage/canonical_json.h"
#include "lineage/checkpoint.h"
#include "lineage/content.h"
#include "lineage/internal/sqlite.h"
#include "lineage/internal/tables.h"
#include "lineage/merkle.h"
#include "lineage/store.h"

namespace probity::lineage {

using internal::Database;
using Query = internal::Statement;
using internal::TableSpec;

namespace {

std::string HexOf(std::string_view bytes) { return HexEncode(bytes); }
std::string HexOf(const Digest& d) { return d.Hex(); }
std::string_view BytesOf(const Digest& d) {
  return {reinterpret_cast<const char*>(d.bytes.data()), d.bytes.size()};
}

// A value for a finding: JSON text, shortened so one field cannot flood the report.
std::string Shown(const nlohmann::json& value) {
  if (value.is_null()) return "(absent)";
  std::string text = value.dump();
  if (text.size() > 200) text = text.substr(0, 197) + "...";
  return text;
}

class Verifier {
 public:
  Verifier(Database db, std::string path, const VerifyOptions& options)
      : db_(std::move(db)), path_(std::move(path)), options_(options) {}

  Result<VerifyReport> Run() {
    PROBITY_RETURN_IF_ERROR(CheckIsStore());
    PROBITY_RETURN_IF_ERROR(LoadCheckpointSizes());
    PROBITY_RETURN_IF_ERROR(ScanLog());
    PROBITY_RETURN_IF_ERROR(CheckNodes());
    for (const TableSpec& spec : internal::Tables()) PROBITY_RETURN_IF_ERROR(CheckTable(spec));
    CheckEveryEntryHasRow();
    PROBITY_RETURN_IF_ERROR(CheckCheckpoints());
    CheckSavedCheckpoint();
    PROBITY_RETURN_IF_ERROR(CheckAttestations());
    PROBITY_RETURN_IF_ERROR(CheckCards());
    if (options_.check_artifacts) PROBITY_RETURN_IF_ERROR(CheckArtifacts());
    report_.signing_keys.assign(signing_keys_.begin(), signing_keys_.end());
    return std::move(report_);
  }

 private:
  void Fail(Finding f) { report_.failures.push_back(std::move(f)); }
  void Warn(Finding f) { report_.warnings.push_back(std::move(f)); }

  Status CheckIsStore() {
    PROBITY_ASSIGN_OR_RETURN(Query version, db_.Prepare("PRAGMA user_version"));
    PROBITY_ASSIGN_OR_RETURN(bool row, version.Step());
    const int64_t v = row ? version.Int(0) : 0;
    if (v < 1 || v > kStoreSchemaVersion) {
      return InvalidArgumentError("not a Probity lineage store (schema version " +
                                  std::to_string(v) + ")")
          .At({path_})
          .Expecting("a lineage.db made by `probity init` (schema version 1 to " +
                     std::to_string(kStoreSchemaVersion) + ")");
    }
    Result<Query> origin = db_.Prepare("SELECT value FROM meta WHERE key = 'origin'");
    if (!origin.ok()) {
      return InvalidArgumentError("not a Probity lineage store (no meta table)").At({path_});
    }
    PROBITY_ASSIGN_OR_RETURN(bool has_origin, origin->Step());
    if (!has_origin) return InvalidArgumentError("the lineage store has no origin").At({path_});
    report_.origin = origin->Text(0);
    return OkStatus();
  }

  Status LoadCheckpointSizes() {
    PROBITY_ASSIGN_OR_RETURN(Query q, db_.Prepare("SELECT size FROM checkpoints"));
    while (true) {
      PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      if (q.Int(0) > 0) wanted_roots_[static_cast<uint64_t>(q.Int(0))] = std::nullopt;
    }
    if (options_.saved_checkpoint) {
      Result<SignedNote> note = ParseSignedNote(*options_.saved_checkpoint,
                                                options_.saved_checkpoint_path);
      if (note.ok()) {
        Result<Checkpoint> body = ParseCheckpointBody(note->body, options_.saved_checkpoint_path);
        if (body.ok() && body->size > 0) wanted_roots_[body->size] = std::nullopt;
      }
    }
    return OkStatus();
  }

  // One pass over the log in index order: leaf hashes, gaps, the tree, roots at checkpoints.
  Status ScanLog() {
    PROBITY_ASSIGN_OR_RETURN(
        Query q, db_.Prepare("SELECT idx, record, entry, leaf_hash FROM log ORDER BY idx"));
    uint64_t expected = 0;
    while (true) {
      PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      const int64_t idx = q.Int(0);
      if (idx < 0 || static_cast<uint64_t>(idx) != expected) {
        Fail({"log", static_cast<int64_t>(expected), "idx", std::to_string(expected),
              std::to_string(idx),
              idx > static_cast<int64_t>(expected)
                  ? "log entries " + std::to_string(expected) + " to " + std::to_string(idx - 1) +
                        " are missing (deleted rows)"
                  : "log index out of order"});
        if (idx < 0 || static_cast<uint64_t>(idx) < expected) continue;
        expected = static_cast<uint64_t>(idx);
      }
      const std::string entry = q.Blob(2);
      const std::string stored_leaf = q.Blob(3);
      const Digest leaf = LeafHash(entry);
      if (stored_leaf != BytesOf(leaf)) {
        Fail({"log", idx, "leaf_hash", HexOf(leaf), HexOf(stored_leaf),
              stored_leaf.size() != 32
                  ? "the stored leaf hash is " + std::to_string(stored_leaf.size()) +
                        " bytes, not 32"
                  : "the entry does not hash to its stored leaf hash (entry or hash changed)"});
      }
      kinds_.push_back(q.Text(1));
      entries_checked_.push_back(0);
      tree_.Append(leaf);
      ++expected;
      auto wanted = wanted_roots_.find(tree_.size());
      if (wanted != wanted_roots_.end()) {
        wanted->second = tree_.Root();
        const nlohmann::json parsed = nlohmann::json::parse(entry, nullptr, false);
        if (parsed.is_object() && parsed.contains("time") && parsed["time"].is_string()) {
          times_[tree_.size()] = parsed["time"].get<std::string>();
        }
      }
    }
    report_.records = tree_.size();
    log_size_ = tree_.size();
    report_.root = tree_.Root();
    return OkStatus();
  }

  Status CheckNodes() {
    PROBITY_ASSIGN_OR_RETURN(Query q,
                             db_.Prepare("SELECT level, idx, hash FROM log_nodes ORDER BY level, idx"));
    int levels = 0;
    while (levels < 63 && (log_size_ >> (levels + 1)) > 0) ++levels;
    std::vector<uint64_t> counts(static_cast<size_t>(levels) + 1, 0);
    while (true) {
      PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      const int64_t level = q.Int(0);
      const int64_t idx = q.Int(1);
      const std::string hash = q.Blob(2);
      const std::string where = "node (" + std::to_string(level) + ", " + std::to_string(idx) + ")";
      Result<Digest> want = level < 1 || level > levels || idx < 0
                                ? Result<Digest>(NotFoundError("not a node"))
                                : tree_.Node(static_cast<int>(level), static_cast<uint64_t>(idx));
      if (!want.ok()) {
        Fail({"log_nodes", std::nullopt, "hash", "(none)", HexOf(hash),
              where + " is not a node of the log's tree"});
        continue;
      }
      ++counts[static_cast<size_t>(level)];
      if (hash != BytesOf(*want)) {
        Fail({"log_nodes", std::nullopt, "hash", HexOf(*want), HexOf(hash),
              where + ": the stored node hash differs from the one recomputed from the entries" +
                  (hash.size() != 32 ? " (and is not 32 bytes)" : "")});
      }
    }
    for (size_t level = 1; level < counts.size(); ++level) {
      const uint64_t expected = log_size_ >> level;
      if (counts[level] < expected) {
        Fail({"log_nodes", std::nullopt, "level " + std::to_string(level),
              std::to_string(expected) + " nodes", std::to_string(counts[level]),
              "stored node hashes are missing at level " + std::to_string(level)});
      }
    }
    return OkStatus();
  }

  Status CheckTable(const TableSpec& spec) {
    const std::string t(spec.table);
    std::string columns = "t.id, t.time";
    for (const internal::FieldSpec& f : spec.fields) columns += ", t." + std::string(f.name);
    PROBITY_ASSIGN_OR_RETURN(
        Query q, db_.Prepare("SELECT " + columns + ", log.entry, log.record FROM " + t +
                                 " AS t LEFT JOIN log ON log.idx = t.id ORDER BY t.id"));
    const int entry_column = 2 + static_cast<int>(spec.fields.size());
    const std::string kind(RecordKindName(spec.kind));
    while (true) {
      PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      const int64_t id = q.Int(0);
      if (q.IsNull(entry_column)) {
        Fail({t, id, "id", "a log entry with this index", "none",
              "a " + kind + " row has no log entry (added outside the log)"});
        continue;
      }
      if (q.Text(entry_column + 1) != kind) {
        Fail({t, id, "record", q.Text(entry_column + 1), kind,
              "the log entry with this index is not a " + kind + " record"});
        continue;
      }
      if (static_cast<uint64_t>(id) < entries_checked_.size()) {
        entries_checked_[static_cast<size_t>(id)] = 1;
      }
      const std::string entry = q.Blob(entry_column);
      const std::optional<std::string> canonical = internal::RowToCanonicalEntry(q, spec);
      if (canonical && *canonical == entry) continue;
      CompareFields(t, id, entry, internal::RowToRecord(q, spec));
    }
    return OkStatus();
  }

  // The row and its entry differ: name each field that differs.
  void CompareFields(const std::string& table, int64_t id, const std::string& entry,
                     const nlohmann::json& rebuilt) {
    Result<nlohmann::json> logged = ParseStrictJson(entry, "log entry " + std::to_string(id));
    if (!logged.ok() || !logged->is_object()) {
      Fail({"log", id, "entry", "canonical JSON", entry.substr(0, 80),
            "the log entry is not valid JSON: " +
                (logged.ok() ? std::string("not an object") : logged.status().message())});
      return;
    }
    std::set<std::string> names;
    for (const auto& [k, v] : logged->items()) names.insert(k);
    for (const auto& [k, v] : rebuilt.items()) names.insert(k);
    bool any = false;
    for (const std::string& name : names) {
      const nlohmann::json want = logged->contains(name) ? (*logged)[name] : nlohmann::json();
      const nlohmann::json have = rebuilt.contains(name) ? rebuilt[name] : nlohmann::json();
      if (want == have) continue;
      any = true;
      Fail({table, id, name, Shown(want), Shown(have),
            "the " + table + " row differs from its signed log entry in field \"" + name + "\""});
    }
    if (!any) {
      Fail({"log", id, "entry", "canonical JSON (RFC 8785)", "a different spelling",
            "the log entry is not in canonical form"});
    }
  }

  void CheckEveryEntryHasRow() {
    for (size_t i = 0; i < entries_checked_.size(); ++i) {
      if (entries_checked_[i]) continue;
      const std::optional<RecordKind> kind = ParseRecordKind(kinds_[i]);
      const std::string table = kind ? std::string(internal::TableFor(*kind).table) : "log";
      Fail({table, static_cast<int64_t>(i), "id", "a " + kinds_[i] + " row", "none",
            kind ? "the " + kinds_[i] + " row of this log entry is missing (deleted)"
                 : "the log entry has an unknown record kind \"" + kinds_[i] + "\""});
    }
  }

  // Which trusted keys signed `note`: those valid at `when` (RFC 3339; empty = any time).
  std::vector<std::string> TrustedSigners(const SignedNote& note, const std::string& when) {
    std::vector<TrustedKey> valid;
    std::optional<TimePoint> at;
    if (Result<TimePoint> t = ParseRfc3339(when); t.ok()) at = *t;
    // Trust comes from the public key alone; the name in a trusted-keys file is a label. A
    // note key hash covers the signer's name, so match each key under the names used.
    std::set<std::string> names;
    for (const SignedNote::Signature& s : note.signatures) names.insert(s.name);
    for (const TrustedKey& k : options_.trusted_keys) {
      if (at && !k.ValidAt(*at)) continue;
      for (const std::string& name : names) {
        TrustedKey named = k;
        named.name = name;
        valid.push_back(std::move(named));
      }
    }
    return VerifyNoteSignatures(note, valid).verified_key_ids;
  }

  Status CheckCheckpoints() {
    PROBITY_ASSIGN_OR_RETURN(
        Query q,
        db_.Prepare("SELECT id, size, root, time, key_id, note FROM checkpoints ORDER BY id"));
    uint64_t previous_size = 0;
    uint64_t covered = 0;
    while (true) {
      PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      ++report_.checkpoints;
      const int64_t id = q.Int(0);
      const uint64_t size = static_cast<uint64_t>(q.Int(1));
      const std::string root_column = q.Blob(2);
      const std::string key_id = q.Text(4);
      const std::string where = "checkpoint " + std::to_string(id);
      Result<SignedNote> note = ParseSignedNote(q.Text(5), where);
      if (!note.ok()) {
        Fail({"checkpoints", id, "note", "a signed note", "malformed",
              "the checkpoint is not a valid signed note: " + note.status().ToString()});
        continue;
      }
      Result<Checkpoint> body = ParseCheckpointBody(note->body, where);
      if (!body.ok()) {
        Fail({"checkpoints", id, "note", "a checkpoint body", "malformed",
              "the checkpoint body is malformed: " + body.status().ToString()});
        continue;
      }
      if (body->origin != report_.origin) {
        Fail({"checkpoints", id, "origin", report_.origin, body->origin,
              "the checkpoint belongs to another log"});
      }
      if (body->size != size || root_column != BytesOf(body->root)) {
        Fail({"checkpoints", id, body->size != size ? "size" : "root",
              body->size != size ? std::to_string(body->size) : HexOf(body->root),
              body->size != size ? std::to_string(size) : HexOf(root_column),
              "the checkpoint's columns differ from its signed note"});
      }
      if (body->size < previous_size) {
        Fail({"checkpoints", id, "size", "≥ " + std::to_string(previous_size),
              std::to_string(body->size), "the log shrank between two checkpoints"});
      }
      previous_size = std::max(previous_size, body->size);
      if (body->size > log_size_) {
        Fail({"checkpoints", id, "size", "≤ " + std::to_string(log_size_),
              std::to_string(body->size),
              "the checkpoint covers " + std::to_string(body->size) + " records but the log has " +
                  std::to_string(log_size_) + " (records were removed)"});
      } else if (body->size > 0) {
        const std::optional<Digest>& want = wanted_roots_[body->size];
        if (want && *want != body->root) {
          Fail({"checkpoints", id, "root", HexOf(*want), HexOf(body->root),
                "the tree recomputed from the log does not match this signed checkpoint's root"});
        }
        covered = std::max(covered, body->size);
      }
      const std::vector<std::string> signers = TrustedSigners(*note, times_[body->size]);
      report_.signatures_verified += signers.size();
      signing_keys_.insert(signers.begin(), signers.end());
      if (signers.size() < options_.threshold) {
        Fail({"checkpoints", id, "signature",
              std::to_string(options_.threshold) + " signature(s) by trusted keys",
              signers.empty() ? "none (recorded signer: key " + key_id + ")"
                              : std::to_string(signers.size()),
              note->signatures.empty() ? "the checkpoint is not signed"
              : signers.empty()
                  ? "no valid signature by a trusted key (the signature was altered, or the key "
                    "is not in --trusted-keys or was not valid at the time)"
                  : "fewer distinct trusted keys signed than --threshold requires"});
      }
    }
    if (log_size_ > covered) {
      Fail({"log", static_cast<int64_t>(covered), "checkpoint",
            "a signed checkpoint covering all " + std::to_string(log_size_) + " records",
            covered == 0 ? "none" : "the latest covers " + std::to_string(covered),
            "log entries " + std::to_string(covered) + " to " + std::to_string(log_size_ - 1) +
                " are not covered by any signed checkpoint"});
    }
    return OkStatus();
  }

  void CheckSavedCheckpoint() {
    if (!options_.saved_checkpoint) return;
    const std::string& file = options_.saved_checkpoint_path;
    Result<SignedNote> note = ParseSignedNote(*options_.saved_checkpoint, file);
    Result<Checkpoint> body = note.ok() ? ParseCheckpointBody(note->body, file)
                                        : Result<Checkpoint>(note.status());
    if (!body.ok()) {
      Fail({"saved checkpoint", std::nullopt, "note", "a signed checkpoint", "malformed",
            body.status().ToString()});
      return;
    }
    if (body->origin != report_.origin) {
      Fail({"saved checkpoint", std::nullopt, "origin", report_.origin, body->origin,
            "the saved checkpoint is from another log"});
    }
    if (TrustedSigners(*note, "").size() < options_.threshold) {
      Fail({"saved checkpoint", std::nullopt, "signature", "a signature by a trusted key", "none",
            "the saved checkpoint is not signed by a trusted key"});
    }
    if (body->size > log_size_) {
      Fail({"saved checkpoint", std::nullopt, "size", "≤ " + std::to_string(log_size_),
            std::to_string(body->size),
            "the log was truncated: it has " + std::to_string(log_size_) +
                " records, fewer than the " + std::to_string(body->size) +
                " of the checkpoint saved in " + file});
      return;
    }
    if (body->size == 0) return;
    // Prove the log only grew since the saved checkpoint: a consistency proof from its size
    // to the whole log, made from the recomputed tree and checked against both roots.
    Result<std::vector<Digest>> proof = ConsistencyProof(body->size, log_size_, tree_);
    Status consistent =
        proof.ok() ? VerifyConsistency(body->size, log_size_, body->root, *report_.root, *proof)
                   : proof.status();
    if (!consistent.ok()) {
      const std::optional<Digest>& want = wanted_roots_[body->size];
      Fail({"saved checkpoint", std::nullopt, "root", want ? HexOf(*want) : "(unknown)",
            HexOf(body->root),
            "the log is not an extension of the checkpoint saved in " + file +
                " (records it covered were changed): " + consistent.message()});
    }
  }

  // Every logged attestation envelope verifies and says what its record says.
  Status CheckAttestations() {
    PROBITY_ASSIGN_OR_RETURN(
        Query q, db_.Prepare("SELECT id, time, subject_digest, predicate_type, envelope FROM "
                                 "attestations ORDER BY id"));
    while (true) {
      PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      ++report_.attestations;
      const int64_t id = q.Int(0);
      Result<CheckedAttestation> checked =
          CheckEnvelopeColumn("attestations", id, q.Text(1), q.Text(4), q.Text(2), q.Text(3));
      if (checked.ok()) signing_keys_.insert(checked->key_ids.begin(), checked->key_ids.end());
    }
    return OkStatus();
  }

  // Every card version that carries an envelope: the envelope signs exactly this version's
  // document for this model digest.
  Status CheckCards() {
    PROBITY_ASSIGN_OR_RETURN(
        Query q, db_.Prepare("SELECT id, time, model_digest, envelope, document, version, "
                                 "status FROM cards WHERE envelope IS NOT NULL ORDER BY id"));
    while (true) {
      PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      ++report_.attestations;
      const int64_t id = q.Int(0);
      Result<CheckedAttestation> checked = CheckEnvelopeColumn(
          "cards", id, q.Text(1), q.Text(3), q.Text(2), std::string(kModelCardPredicateType));
      if (!checked.ok()) continue;
      signing_keys_.insert(checked->key_ids.begin(), checked->key_ids.end());
      const nlohmann::json document = nlohmann::json::parse(q.Text(4), nullptr, false);
      const nlohmann::json& predicate = checked->statement.predicate;
      // The version's author, as its status history says, must be the key that signed it.
      const nlohmann::json history = document.is_object() && document.contains("status_history")
                                         ? document["status_history"]
                                         : nlohmann::json::array();
      const std::string author =
          history.is_array() && !history.empty() && history.back().is_object()
              ? history.back().value("key_id", "")
              : "";
      if (std::find(checked->key_ids.begin(), checked->key_ids.end(), author) ==
          checked->key_ids.end()) {
        Fail({"cards", id, "status_history", "key " + author + " (the recorded author)",
              checked->key_ids.empty() ? "none" : "key " + checked->key_ids.front(),
              "card " + std::to_string(id) +
                  " names an author key that did not sign it (forged authorship)"});
      }
      if (predicate.value("card", nlohmann::json()) != document ||
          predicate.value("version", int64_t{-1}) != q.Int(5) ||
          predicate.value("status", "") != q.Text(6)) {
        Fail({"cards", id, "document", "the document, version and status the envelope signs",
              "different", "card " + std::to_string(id) + " differs from the card its envelope signs"});
      }
    }
    return OkStatus();
  }

  Result<CheckedAttestation> CheckEnvelopeColumn(const std::string& table, int64_t id,
                                                 const std::string& time,
                                                 const std::string& envelope_text,
                                                 const std::string& subject,
                                                 const std::string& predicate_type) {
    const nlohmann::json envelope = nlohmann::json::parse(envelope_text, nullptr, false);
    std::optional<TimePoint> at;
    if (Result<TimePoint> t = ParseRfc3339(time); t.ok()) at = *t;
    Result<CheckedAttestation> checked =
        CheckAttestation(envelope, subject, predicate_type, options_.trusted_keys, at,
                         table + " " + std::to_string(id));
    if (!checked.ok()) {
      Fail({table, id, "envelope", "a DSSE envelope signed by a trusted key over an in-toto "
                                   "statement about " + subject,
            checked.status().message(),
            "the signed envelope does not verify: " + checked.status().ToString()});
    }
    return checked;
  }

  Status CheckArtifacts() {
    PROBITY_ASSIGN_OR_RETURN(
        Query q, db_.Prepare("SELECT id, digest, uri, stored, media_type FROM artifacts WHERE "
                                 "digest IS NOT NULL ORDER BY id"));
    std::error_code ec;
    while (true) {
      PROBITY_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      const int64_t id = q.Int(0);
      Result<Digest> digest = Digest::Parse(q.Text(1));
      if (!digest.ok()) {
        Fail({"artifacts", id, "digest", "sha256:<64 hex>", q.Text(1), "malformed digest"});
        continue;
      }
      ++report_.artifacts_checked;
      if (!options_.objects_dir.empty()) {
        const std::string object = ObjectPath(options_.objects_dir, *digest);
        if (std::filesystem::exists(object, ec)) {
          CheckBytes(id, object, *digest, "objects");
          if (q.Text(4) == kDirectoryMediaType) CheckDirectoryObjects(id, object);
        } else if (!q.IsNull(3) && q.Int(3) == 1) {
          Fail({"objects", id, "stored", "a copy at " + object, "none",
                "the stored copy of artifact " + std::to_string(id) + " is missing"});
        }
      }
      if (q.IsNull(2)) continue;
      std::string uri = q.Text(2);
      if (uri.starts_with("file://")) uri = uri.substr(7);
      if (uri.empty() || uri.find("://") != std::string::npos) continue;  // not a local file
      if (std::filesystem::exists(uri, ec)) {
        CheckBytes(id, uri, *digest, "file");
      } else {
        Warn({"file", id, "uri", uri, "(gone)",
              "artifact " + std::to_string(id) + " is no longer at its recorded location " + uri});
      }
    }
    return OkStatus();
  }

  // A directory kept in objects/ is its manifest plus a copy of every file it lists.
  void CheckDirectoryObjects(int64_t id, const std::string& manifest_path) {
    std::ifstream in(manifest_path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::json manifest = nlohmann::json::parse(text.str(), nullptr, false);
    if (!manifest.is_object() || !manifest.contains("entries") || !manifest["entries"].is_array()) {
      return;  // the manifest's own digest check above already failed
    }
    std::error_code ec;
    for (const nlohmann::json& entry : manifest["entries"]) {
      if (!entry.is_object() || !entry.contains("digest")) continue;  // links
      Result<Digest> digest = Digest::Parse(entry.value("digest", ""));
      if (!digest.ok()) continue;
      const std::string object = ObjectPath(options_.objects_dir, *digest);
      if (!std::filesystem::exists(object, ec)) {
        Fail({"objects", id, entry.value("path", ""), "a copy at " + object, "none",
              "the stored copy of " + entry.value("path", "") + " in directory artifact " +
                  std::to_string(id) + " is missing"});
        continue;
      }
      CheckBytes(id, object, *digest, "objects");
    }
  }

  void CheckBytes(int64_t id, const std::string& path, const Digest& digest,
                  const std::string& table) {
    Result<Digest> actual = DigestOfPath(path);
    if (!actual.ok()) {
      Warn({table, id, "bytes", digest.ToString(), "unreadable",
            "cannot re-hash " + path + ": " + actual.status().ToString()});
      return;
    }
    if (*actual != digest) {
      Fail({table, id, "digest", digest.ToString(), actual->ToString(),
            "the bytes of " + path + " changed since artifact " + std::to_string(id) +
                " was recorded"});
    }
  }

  Database db_;
  std::string path_;
  const VerifyOptions& options_;
  VerifyReport report_;
  uint64_t log_size_ = 0;
  std::vector<std::string> kinds_;
  std::vector<uint8_t> entries_checked_;
  MemoryTree tree_;
  std::map<uint64_t, std::optional<Digest>> wanted_roots_;
  std::map<uint64_t, std::string> times_;
  std::set<std::string> signing_keys_;
};

}  // namespace

Result<VerifyReport> VerifyStore(const std::string& db_path, const VerifyOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(db_path, ec)) {
    return FailedPreconditionError("no lineage store here")
        .At({db_path})
        .Expecting("a lineage.db (a workspace made by `probity init`, or a copy of its "
                   ".probity/lineage.db)");
  }
  PROBITY_ASSIGN_OR_RETURN(Database db, Database::Open(db_path, Database::Mode::kReadOnly));
  // A read transaction gives one consistent snapshot even while a writer appends.
  Status begin = db.Exec("BEGIN");
  if (!begin.ok()) return begin;
  Verifier verifier(std::move(db), db_path, options);
  return verifier.Run();
}

}  // namespace probity::lineage
