// in-toto Statement v1 and SLSA Provenance v1: what Probity attests about a model and its
// results. A Statement binds subjects (by digest) to a typed predicate; Probity signs its
// canonical JSON in a DSSE envelope (lineage/dsse.h) with payload type kInTotoPayloadType.
// Probity's own predicate types are listed below and documented in
// docs/formats/attestations.md (reference/lineage.md §2.1, §2.3).
//
//   ProvenanceInput in{.subjects = {{.name = "model.json", .digest = {{"sha256", hex}}}},
//                      .builder_id = "https://probity.dev/cli", ...};
//   nlohmann::json statement = SlsaProvenance(in);
//   PROBITY_ASSIGN_OR_RETURN(std::string payload, CanonicalJson(statement));
//   PROBITY_ASSIGN_OR_RETURN(Envelope e, SignEnvelope(kInTotoPayloadType, payload, signer));
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/clock.h"
#include "audit/core/result.h"
#include "lineage/dsse.h"

namespace probity::lineage {

inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
inline constexpr std::string_view kStatementType = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kSlsaProvenanceType = "https://slsa.dev/provenance/v1";
// SLSA buildType of a Probity pipeline run.
inline constexpr std::string_view kProbityBuildType = "https://probity.dev/pipeline/v1";
// Probity's predicates; their subject is the model's digest.
inline constexpr std::string_view kModelCardPredicateType =
    "https://probity.dev/attestation/model-card/v1";
inline constexpr std::string_view kEvaluationPredicateType =
    "https://probity.dev/attestation/evaluation/v1";
inline constexpr std::string_view kFairnessPredicateType =
    "https://probity.dev/attestation/fairness/v1";
inline constexpr std::string_view kExplanationPredicateType =
    "https://probity.dev/attestation/explanation/v1";

// An in-toto ResourceDescriptor: at least one of uri or digest should be set. Digest keys are
// lower-case algorithm names ("sha256", "gitCommit"…), values lower-case hex.
struct ResourceDescriptor {
  std::string name;
  std::string uri;
  std::map<std::string, std::string> digest;
  std::string media_type;
  nlohmann::json annotations = nlohmann::json::object();

  // The JSON form, leaving out empty fields ("mediaType" for media_type).
  nlohmann::json ToJson() const;
};

// {"_type": kStatementType, "subject": [...], "predicateType": ..., "predicate": ...}.
nlohmann::json Statement(const std::vector<ResourceDescriptor>& subjects,
                         std::string_view predicate_type, nlohmann::json predicate);

// What a SLSA Provenance v1 statement says about one trained model (reference §2.3).
struct ProvenanceInput {
  std::vector<ResourceDescriptor> subjects;  // the model (by digest)
  std::string build_type = std::string(kProbityBuildType);
  nlohmann::json external_parameters = nlohmann::json::object();  // the user's inputs
  nlohmann::json internal_parameters = nlohmann::json::object();  // set by Probity
  std::vector<ResourceDescriptor> resolved_dependencies;          // datasets, code, by digest
  std::string builder_id;                                         // URI, required by SLSA
  std::map<std::string, std::string> builder_version;             // e.g. {"probity": "0.4.0"}
  std::string invocation_id;
  std::optional<TimePoint> started_on;
  std::optional<TimePoint> finished_on;
  std::vector<ResourceDescriptor> byproducts;
};

// The whole Statement with predicateType kSlsaProvenanceType and predicate
// {buildDefinition{buildType, externalParameters, internalParameters, resolvedDependencies},
//  runDetails{builder{id, version}, metadata{invocationId, startedOn, finishedOn},
//  byproducts}}; optional parts that are empty are left out, times are RFC 3339 UTC.
nlohmann::json SlsaProvenance(const ProvenanceInput& input);

struct ParsedStatement {
  std::vector<ResourceDescriptor> subjects;
  std::string predicate_type;
  nlohmann::json predicate = nlohmann::json::object();  // {} when absent
};

// Parses a verified payload (VerifiedPayload::payload) as an in-toto Statement v1, strictly
// (ParseStrictJson). Checks: "_type" is kStatementType; "subject" is a non-empty array of
// objects, each with a non-empty "digest" whose values are lower-case hex (64 digits for
// sha256, 128 for sha512); "predicateType" is a non-empty string; "predicate", when present,
// is an object. Unknown fields are ignored (in-toto parsing rules). kInvalidArgument naming
// `origin` and the field otherwise.
Result<ParsedStatement> ParseStatement(std::string_view verified_payload, std::string_view origin);

// Checks that `verified` carries kInTotoPayloadType or "application/vnd.in-toto.<predicate>+json"
// (kInvalidArgument otherwise), then parses its payload with ParseStatement.
Result<ParsedStatement> ParseStatement(const VerifiedPayload& verified, std::string_view origin);

}  // namespace probity::lineage
