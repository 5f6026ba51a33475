// Offline, stateless verification of a lineage store (`probity verify`). Nothing is cached
// between runs and nothing comes from the network; the only trust anchors are the keys the
// auditor names. It checks:
//
//   - every log entry is canonical JSON that hashes to its stored leaf hash, names its own
//     index, and matches its typed row field by field (and every row has its entry);
//   - the log has no gap, and the tree recomputed from the entries matches every stored node
//     hash and every checkpoint's root;
//   - every checkpoint is a well-formed signed note for this log, signed by at least
//     `threshold` distinct trusted keys valid at the time of the last record it covers, and
//     the latest one covers the whole log;
//   - a checkpoint the auditor saved earlier is consistent with the log (the log only grew);
//   - every attestation and card envelope verifies with a trusted key and names its subject;
//   - (unless told not to) artifact bytes still match their digests, both the copy under
//     objects/ and the file at its recorded location. A missing file is a warning.
//
// Every failure is reported (not just the first), with the table, record id, field, and the
// expected and found values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/core/digest.h"
#include "audit/core/result.h"
#include "lineage/keys.h"

namespace probity::lineage {

struct VerifyOptions {
  std::vector<TrustedKey> trusted_keys;
  size_t threshold = 1;                    // distinct trusted keys per signature
  std::optional<std::string> saved_checkpoint;  // a signed note the auditor kept
  std::string saved_checkpoint_path;       // for messages
  bool check_artifacts = true;
  std::string objects_dir;  // the workspace's objects/ ("" when verifying a bare lineage.db)
};

struct Finding {
  std::string table;              // "log", "artifacts", "checkpoints", "file", …
  std::optional<int64_t> record;  // record id (log index) or checkpoint id
  std::string field;
  std::string expected;
  std::string found;
  std::string message;  // one line a person can act on
};

struct VerifyReport {
  std::string origin;
  uint64_t records = 0;
  uint64_t checkpoints = 0;
  uint64_t signatures_verified = 0;
  std::vector<std::string> signing_keys;  // distinct trusted key ids that signed checkpoints
  uint64_t attestations = 0;
  uint64_t artifacts_checked = 0;
  std::optional<Digest> root;  // of the whole log
  std::vector<Finding> failures;
  std::vector<Finding> warnings;
  bool verified() const { return failures.empty(); }
};

// kInvalidArgument when the file is not a lineage store; kFailedPrecondition/kNotFound when
// it cannot be opened. Verification failures are in the report, not in the status.
Result<VerifyReport> VerifyStore(const std::string& db_path, const VerifyOptions& options);

}  // namespace probity::lineage
