#include "lineage/intoto.h"

#include <algorithm>

#include "lineage/canonical_json.h"

namespace probity::lineage {
namespace {

using Json = nlohmann::json;

Json DescriptorList(const std::vector<ResourceDescriptor>& descriptors) {
  Json list = Json::array();
  for (const ResourceDescriptor& d : descriptors) list.push_back(d.ToJson());
  return list;
}

Status StatementError(std::string_view origin, const std::string& field, std::string message,
                      std::string expected) {
  return InvalidArgumentError("in-toto Statement field \"" + field + "\": " + std::move(message))
      .At({std::string(origin)})
      .Expecting(std::move(expected));
}

bool IsLowerHex(const std::string& s) {
  return !s.empty() && s.size() % 2 == 0 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

Result<ResourceDescriptor> ParseSubject(const Json& j, const std::string& field,
                                        std::string_view origin) {
  if (!j.is_object()) {
    return StatementError(origin, field, std::string("is ") + j.type_name(),
                          "a ResourceDescriptor object");
  }
  ResourceDescriptor d;
  for (const auto& [name, target] : {std::pair{"name", &d.name}, std::pair{"uri", &d.uri},
                                     std::pair{"mediaType", &d.media_type}}) {
    const auto it = j.find(name);
    if (it == j.end()) continue;
    if (!it->is_string()) {
      return StatementError(origin, field + "." + name, std::string("is ") + it->type_name(),
                            "a string");
    }
    *target = it->get<std::string>();
  }
  const auto digest = j.find("digest");
  if (digest == j.end() || !digest->is_object() || digest->empty()) {
    return StatementError(origin, field + ".digest",
                          digest == j.end() ? "missing" : "is not a non-empty object",
                          "a DigestSet such as {\"sha256\": \"<64 lower-case hex>\"}");
  }
  for (const auto& [algorithm, value] : digest->items()) {
    const std::string where = field + ".digest." + algorithm;
    if (!value.is_string() || !IsLowerHex(value.get_ref<const std::string&>())) {
      return StatementError(origin, where, "is not lower-case hex", "lower-case hex digits");
    }
    const size_t size = value.get_ref<const std::string&>().size();
    const size_t want = algorithm == "sha256" ? 64 : algorithm == "sha512" ? 128 : size;
    if (size != want) {
      return StatementError(origin, where, "has " + std::to_string(size) + " hex digits",
                            std::to_string(want) + " hex digits");
    }
    d.digest[algorithm] = value.get<std::string>();
  }
  if (const auto a = j.find("annotations"); a != j.end() && a->is_object()) d.annotations = *a;
  return d;
}

}  // namespace

Json ResourceDescriptor::ToJson() const {
  Json j = Json::object();
  if (!name.empty()) j["name"] = name;
  if (!uri.empty()) j["uri"] = uri;
  if (!digest.empty()) j["digest"] = digest;
  if (!media_type.empty()) j["mediaType"] = media_type;
  if (annotations.is_object() && !annotations.empty()) j["annotations"] = annotations;
  return j;
}

Json Statement(const std::vector<ResourceDescriptor>& subjects, std::string_view predicate_type,
               Json predicate) {
  return Json{{"_type", kStatementType},
              {"subject", DescriptorList(subjects)},
              {"predicateType", predicate_type},
              {"predicate", std::move(predicate)}};
}

Json SlsaProvenance(const ProvenanceInput& input) {
  Json build_definition = {{"buildType", input.build_type},
                           {"externalParameters", input.external_parameters}};
  if (!input.internal_parameters.empty()) {
    build_definition["internalParameters"] = input.internal_parameters;
  }
  if (!input.resolved_dependencies.empty()) {
    build_definition["resolvedDependencies"] = DescriptorList(input.resolved_dependencies);
  }
  Json builder = {{"id", input.builder_id}};
  if (!input.builder_version.empty()) builder["version"] = input.builder_version;
  Json metadata = Json::object();
  if (!input.invocation_id.empty()) metadata["invocationId"] = input.invocation_id;
  if (input.started_on) metadata["startedOn"] = FormatRfc3339(*input.started_on);
  if (input.finished_on) metadata["finishedOn"] = FormatRfc3339(*input.finished_on);
  Json run_details = {{"builder", std::move(builder)}};
  if (!metadata.empty()) run_details["metadata"] = std::move(metadata);
  if (!input.byproducts.empty()) run_details["byproducts"] = DescriptorList(input.byproducts);
  return Statement(
      input.subjects, kSlsaProvenanceType,
      {{"buildDefinition", std::move(build_definition)}, {"runDetails", std::move(run_details)}});
}

Result<ParsedStatement> ParseStatement(std::string_view verified_payload, std::string_view origin) {
  PROBITY_ASSIGN_OR_RETURN(Json root, ParseStrictJson(verified_payload, origin));
  if (!root.is_object()) {
    return InvalidArgumentError(std::string("an in-toto Statement is a JSON object, found ") +
                                root.type_name())
        .At({std::string(origin)})
        .Expecting("{\"_type\", \"subject\", \"predicateType\", \"predicate\"}");
  }
  const auto type = root.find("_type");
  if (type == root.end() || *type != kStatementType) {
    return StatementError(origin, "_type", type == root.end() ? "missing" : "is " + type->dump(),
                          "\"" + std::string(kStatementType) + "\"");
  }
  ParsedStatement statement;
  const auto subjects = root.find("subject");
  if (subjects == root.end() || !subjects->is_array() || subjects->empty()) {
    return StatementError(origin, "subject",
                          subjects == root.end() ? "missing" : "is not a non-empty array",
                          "an array of ResourceDescriptors with digests");
  }
  for (size_t i = 0; i < subjects->size(); ++i) {
    PROBITY_ASSIGN_OR_RETURN(
        ResourceDescriptor subject,
        ParseSubject((*subjects)[i], "subject[" + std::to_string(i) + "]", origin));
    statement.subjects.push_back(std::move(subject));
  }
  const auto predicate_type = root.find("predicateType");
  if (predicate_type == root.end() || !predicate_type->is_string() ||
      predicate_type->get_ref<const std::string&>().empty()) {
    return StatementError(origin, "predicateType",
                          predicate_type == root.end() ? "missing" : "is not a non-empty string",
                          "a predicate type URI");
  }
  statement.predicate_type = predicate_type->get<std::string>();
  if (const auto predicate = root.find("predicate"); predicate != root.end()) {
    if (!predicate->is_object()) {
      return StatementError(origin, "predicate", std::string("is ") + predicate->type_name(),
                            "an object");
    }
    statement.predicate = *predicate;
  }
  return statement;
}

Result<ParsedStatement> ParseStatement(const VerifiedPayload& verified, std::string_view origin) {
  // in-toto's envelope rules also allow "application/vnd.in-toto.<predicate>+json".
  const std::string& type = verified.payload_type;
  const bool in_toto = type == kInTotoPayloadType ||
                       (type.starts_with("application/vnd.in-toto.") && type.ends_with("+json"));
  if (!in_toto) {
    return InvalidArgumentError("the envelope's payloadType is \"" + verified.payload_type + "\"")
        .At({std::string(origin)})
        .Expecting("\"" + std::string(kInTotoPayloadType) + "\"");
  }
  return ParseStatement(verified.payload, origin);
}

}  // namespace probity::lineage
