// A lineage record before it is stored: what kind of record it is and its fields. The store
// (lineage/store.h) adds "record", "id" and "time", serializes the whole object as canonical
// JSON (RFC 8785), and appends those bytes as one leaf of the transparency log.
//
// Records are never updated: a change of state (a run completes, a card is approved, an
// artifact is retired) is a new record that names the one it supersedes.
//
// The fields of each kind (every field not marked required may be absent; ids are the ids
// the store returned for earlier records, in this batch or before):
//
//   artifact     digest ("sha256:<hex>", required unless uri is set), kind (dataset, model,
//                code, params, metrics, report, card, log, other; required), media_type,
//                size (bytes), uri, name, properties (object), stored (true when a copy is
//                kept under objects/)
//   execution    name (the step, required), type, status (new, running, complete, failed,
//                canceled, aborted, other; required), parameters (object), environment (object), started,
//                ended (RFC 3339), exit_code, previous (id of the execution this updates)
//   event        execution (id, required), artifact (id, required), direction ("input" or
//                "output", required), role
//   context      type (pipeline_run, experiment, model, model_version, job, other;
//                required), name
//                (required), properties (object), parent (id)
//   attribution  context (id, required), artifact (id, required)
//   association  context (id, required), execution (id, required)
//   attestation  subject_digest (required), predicate_type (required), envelope (the DSSE
//                envelope object, required), key_id
//   card         model (artifact id, required), model_digest (required), version (required),
//                status (draft, pending_review, approved, archived; required), document
//                (object, required), envelope (DSSE envelope signing the card), previous (id)
//   status       target (id, required), status (required; e.g. "retired"), reason
//
// Every kind may also carry `source` (object): where an imported record came from (format,
// source file digest, original ids), so an auditor can tell imported claims from facts
// Probity observed itself.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "audit/core/result.h"

namespace probity::lineage {

enum class RecordKind {
  kArtifact,
  kExecution,
  kEvent,
  kContext,
  kAttribution,
  kAssociation,
  kAttestation,
  kCard,
  kStatus,
};

// "artifact", "execution", …; the value of the "record" field.
std::string_view RecordKindName(RecordKind kind);
std::optional<RecordKind> ParseRecordKind(std::string_view name);
// "an artifact", "a context": a kind name with its English article, for messages.
std::string WithArticle(std::string_view name);

struct Record {
  RecordKind kind = RecordKind::kArtifact;
  nlohmann::json fields = nlohmann::json::object();
};

// Where records go: the store's write batch, or an in-memory list in tests. Add returns the
// id the record will have, so later records of the same batch can refer to it.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Result<int64_t> Add(Record record) = 0;
};

}  // namespace probity::lineage
