#include "lineage/attest.h"

#include <algorithm>

#include "audit/core/version.h"
#include "lineage/canonical_json.h"
#include "lineage/dsse.h"

namespace probity::lineage {
namespace {

constexpr std::string_view kBuilderId = "https://probity.dev/probity";

Result<nlohmann::json> ArtifactRecord(LineageStore& store, int64_t id) {
  PROBITY_ASSIGN_OR_RETURN(nlohmann::json record, store.Get(id));
  if (record.value("record", "") != "artifact" || record.value("kind", "") != "model") {
    return InvalidArgumentError("record " + std::to_string(id) + " is " +
                                WithArticle(record.value("record", std::string("?"))) +
                                (record.contains("kind") ? " of kind " + record["kind"].get<std::string>() : "") +
                                ", not a model artifact")
        .Expecting("the id of an artifact of kind model");
  }
  return record;
}

}  // namespace

Result<ResourceDescriptor> SubjectOf(const nlohmann::json& artifact) {
  const std::string digest = artifact.value("digest", "");
  PROBITY_ASSIGN_OR_RETURN(Digest parsed, Digest::Parse(digest));
  ResourceDescriptor d;
  d.name = artifact.value("name", "artifact-" + std::to_string(artifact.value("id", 0)));
  d.digest["sha256"] = parsed.Hex();
  if (artifact.contains("media_type")) d.media_type = artifact["media_type"];
  return d;
}

Result<nlohmann::json> ModelProvenance(LineageStore& store, int64_t model_id) {
  PROBITY_ASSIGN_OR_RETURN(nlohmann::json model, ArtifactRecord(store, model_id));
  PROBITY_ASSIGN_OR_RETURN(ResourceDescriptor subject, SubjectOf(model));
  PROBITY_ASSIGN_OR_RETURN(std::vector<nlohmann::json> events,
                           store.List(RecordKind::kEvent, "artifact", model_id));
  const auto output = std::find_if(events.begin(), events.end(), [](const nlohmann::json& e) {
    return e.value("direction", "") == "output";
  });
  if (output == events.end()) {
    return FailedPreconditionError("no recorded execution produced artifact " +
                                   std::to_string(model_id))
        .Expecting("a model output by a recorded step (SLSA provenance describes how a model was "
                   "built)");
  }
  const int64_t execution_id = (*output)["execution"];
  PROBITY_ASSIGN_OR_RETURN(nlohmann::json execution, store.Get(execution_id));
  ProvenanceInput input;
  input.subjects = {subject};
  input.external_parameters = execution.value("parameters", nlohmann::json::object());
  input.external_parameters["step"] = execution.value("name", "");
  input.internal_parameters = {{"lineage_execution_id", execution_id}};
  input.builder_id = std::string(kBuilderId);
  input.builder_version = {{"probity", PROBITY_VERSION}};
  input.invocation_id = "probity-execution-" + std::to_string(execution_id);
  if (auto t = ParseRfc3339(execution.value("started", "")); t.ok()) input.started_on = *t;
  if (auto t = ParseRfc3339(execution.value("ended", "")); t.ok()) input.finished_on = *t;
  PROBITY_ASSIGN_OR_RETURN(std::vector<nlohmann::json> run_events,
                           store.List(RecordKind::kEvent, "execution", execution_id));
  for (const nlohmann::json& e : run_events) {
    if (e.value("direction", "") != "input") continue;
    PROBITY_ASSIGN_OR_RETURN(nlohmann::json artifact, store.Get(e["artifact"].get<int64_t>()));
    if (!artifact.contains("digest")) continue;  // imported claims without content identity
    PROBITY_ASSIGN_OR_RETURN(ResourceDescriptor dependency, SubjectOf(artifact));
    if (artifact.contains("uri")) dependency.uri = artifact["uri"];
    if (e.contains("role")) dependency.annotations["role"] = e["role"];
    input.resolved_dependencies.push_back(std::move(dependency));
  }
  return SlsaProvenance(input);
}

Result<nlohmann::json> ResultStatement(LineageStore& store, int64_t model_id,
                                       std::string_view predicate_type, nlohmann::json predicate) {
  PROBITY_ASSIGN_OR_RETURN(nlohmann::json model, ArtifactRecord(store, model_id));
  PROBITY_ASSIGN_OR_RETURN(ResourceDescriptor subject, SubjectOf(model));
  return Statement({subject}, predicate_type, std::move(predicate));
}

Result<int64_t> RecordAttestation(RecordSink& sink, const Signer& signer,
                                  const nlohmann::json& statement) {
  PROBITY_ASSIGN_OR_RETURN(std::string payload, CanonicalJson(statement));
  PROBITY_ASSIGN_OR_RETURN(ParsedStatement parsed, ParseStatement(payload, "statement"));
  PROBITY_ASSIGN_OR_RETURN(Envelope envelope,
                           SignEnvelope(kInTotoPayloadType, std::move(payload), signer));
  nlohmann::json fields = {
      {"subject_digest", "sha256:" + parsed.subjects.at(0).digest.at("sha256")},
      {"predicate_type", parsed.predicate_type},
      {"envelope", nlohmann::json::parse(EnvelopeJson(envelope))},
      {"key_id", signer.key_id()}};
  return sink.Add({RecordKind::kAttestation, std::move(fields)});
}

Result<std::vector<std::string>> ExportAttestations(LineageStore& store, int64_t model_id) {
  PROBITY_ASSIGN_OR_RETURN(nlohmann::json model, ArtifactRecord(store, model_id));
  PROBITY_ASSIGN_OR_RETURN(std::vector<nlohmann::json> records,
                           store.List(RecordKind::kAttestation, "subject_digest",
                                      model.value("digest", "")));
  // The signed card versions are attestations about the same digest too.
  PROBITY_ASSIGN_OR_RETURN(std::vector<nlohmann::json> cards,
                           store.List(RecordKind::kCard, "model_digest", model.value("digest", "")));
  records.insert(records.end(), cards.begin(), cards.end());
  std::sort(records.begin(), records.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["id"].get<int64_t>() < b["id"].get<int64_t>();
  });
  std::vector<std::string> lines;
  for (const nlohmann::json& r : records) {
    if (!r.contains("envelope")) continue;
    PROBITY_ASSIGN_OR_RETURN(std::string line, CanonicalJson(r["envelope"]));
    lines.push_back(std::move(line));
  }
  return lines;
}

Result<CheckedAttestation> CheckAttestation(const nlohmann::json& envelope_json,
                                            const std::string& subject_digest,
                                            const std::string& predicate_type,
                                            const std::vector<TrustedKey>& trusted,
                                            std::optional<TimePoint> at, std::string_view origin) {
  PROBITY_ASSIGN_OR_RETURN(std::string text, CanonicalJson(envelope_json));
  PROBITY_ASSIGN_OR_RETURN(Envelope envelope, ParseEnvelope(text, origin));
  PROBITY_ASSIGN_OR_RETURN(VerifiedPayload verified, VerifyEnvelope(envelope, trusted, 1, at));
  PROBITY_ASSIGN_OR_RETURN(ParsedStatement statement, ParseStatement(verified, origin));
  if (statement.predicate_type != predicate_type) {
    return IntegrityViolationError("the signed statement's predicate type is \"" +
                                   statement.predicate_type + "\"")
        .Expecting("\"" + predicate_type + "\" as recorded");
  }
  const bool names_subject =
      std::any_of(statement.subjects.begin(), statement.subjects.end(),
                  [&](const ResourceDescriptor& s) {
                    const auto it = s.digest.find("sha256");
                    return it != s.digest.end() && "sha256:" + it->second == subject_digest;
                  });
  if (!names_subject) {
    return IntegrityViolationError("the signed statement does not name " + subject_digest)
        .Expecting("the recorded subject among the statement's subjects");
  }
  return CheckedAttestation{verified.key_ids, std::move(statement)};
}

}  // namespace probity::lineage
