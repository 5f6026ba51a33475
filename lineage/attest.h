// Attestations: in-toto Statements in DSSE envelopes signed with the workspace key, logged
// like every record (docs/formats/attestations.md). The log closes the gap the in-toto
// bundle spec admits (attestations deleted or replayed unnoticed): an envelope is a leaf of
// the signed tree, so removing one breaks verification.
//
//   PROBITY_ASSIGN_OR_RETURN(nlohmann::json statement, ModelProvenance(store, model_id));
//   PROBITY_ASSIGN_OR_RETURN(int64_t id, RecordAttestation(batch, signer, statement));
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/core/result.h"
#include "lineage/intoto.h"
#include "lineage/keys.h"
#include "lineage/record.h"
#include "lineage/store.h"

namespace probity::lineage {

// The subject descriptor of an artifact record: its name and SHA-256 digest.
Result<ResourceDescriptor> SubjectOf(const nlohmann::json& artifact_record);

// SLSA Provenance v1 for a model artifact, from the lineage: the execution that output it
// (parameters → externalParameters, times, invocation id = the execution's record id), its
// input artifacts (→ resolvedDependencies, by digest), builder "https://probity.dev/probity"
// with Probity's version. kFailedPrecondition when no recorded execution produced the model.
Result<nlohmann::json> ModelProvenance(LineageStore& store, int64_t model_id);

// A Probity result statement (evaluation, fairness, explanation, model card) whose subject
// is the model, so the result cannot be attached to another model without breaking a
// signature.
Result<nlohmann::json> ResultStatement(LineageStore& store, int64_t model_id,
                                       std::string_view predicate_type, nlohmann::json predicate);

// Signs `statement` (canonical JSON payload, in-toto payload type) and adds an attestation
// record naming its first subject's digest and its predicate type. Returns the record id.
Result<int64_t> RecordAttestation(RecordSink& sink, const Signer& signer,
                                  const nlohmann::json& statement);

// The envelopes (one JSON line each, the .intoto.jsonl bundle) of every attestation about
// the model's digest, in log order.
Result<std::vector<std::string>> ExportAttestations(LineageStore& store, int64_t model_id);

struct CheckedAttestation {
  std::vector<std::string> key_ids;  // distinct trusted keys that verified
  ParsedStatement statement;         // parsed from exactly the verified bytes
};

// Checks one logged envelope: it parses, verifies with a key trusted at time `at`, its
// payload is an in-toto Statement, and its subject and predicate type are the ones
// recorded. An error says what did not hold.
Result<CheckedAttestation> CheckAttestation(const nlohmann::json& envelope,
                                            const std::string& subject_digest,
                                            const std::string& predicate_type,
                                            const std::vector<TrustedKey>& trusted,
                                            std::optional<TimePoint> at, std::string_view origin);

}  // namespace probity::lineage
