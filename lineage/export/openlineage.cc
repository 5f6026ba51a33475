#include "lineage/export/openlineage.h"

#include "lineage/import/json_text.h"

#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "audit/core/digest.h"
#include "audit/core/version.h"
#include "lineage/import/json_schema.h"
#include "lineage/import/openlineage.h"

namespace probity::lineage {
namespace {

using nlohmann::json;

constexpr char kRunEventSchema[] =
    "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
constexpr char kParentSchema[] =
    "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet";
constexpr char kVersionSchema[] =
    "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/"
    "DatasetVersionDatasetFacet";
constexpr char kProbitySchema[] = "https://probity.dev/spec/facets/1-0-0/ProbityRunFacet.json";


std::optional<int64_t> IdAt(const json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

bool FromOpenLineage(const json& record) {
  const json* source = ObjectAt(record, "source");
  return source && source->value("format", "") == "openlineage";
}

Status RecordError(int64_t id, std::string message) {
  return InvalidArgumentError("record " + std::to_string(id) + ": " + std::move(message));
}

json Facet(const std::string& schema_url) {
  return {{"_producer", ProbityProducer()}, {"_schemaURL", schema_url}};
}

class Exporter {
 public:
  Exporter(const std::vector<json>& records, const OpenLineageExportOptions& options)
      : options_(options) {
    for (const auto& record : records) {
      auto id = IdAt(record, "id");
      const std::string* kind = StringAt(record, "record");
      if (!id || !kind) continue;
      by_id_[*id] = &record;
      if (*kind == "execution") executions_.push_back(*id);
      if (*kind == "event") {
        if (auto execution = IdAt(record, "execution")) events_[*execution].push_back(&record);
      }
      if (*kind == "association") {
        auto context = IdAt(record, "context");
        auto execution = IdAt(record, "execution");
        if (context && execution) contexts_[*execution].push_back(*context);
      }
    }
  }

  Result<std::vector<json>> Run() {
    PROBITY_ASSIGN_OR_RETURN(const OpenLineageSchemas* schemas, OpenLineageSchemas::Get());
    std::vector<json> out;
    for (int64_t id : executions_) {
      PROBITY_ASSIGN_OR_RETURN(json event, Event(id, *by_id_[id]));
      // What Probity writes itself must meet the formats; an imported run carries the facets
      // it came with, which were accepted with formats as annotations (openlineage.h).
      bool assert_formats = !FromOpenLineage(*by_id_[id]);
      if (auto violation = schemas->Validate(event, assert_formats)) {
        return RecordError(id, "the exported event breaks schema rule \"" + violation->keyword +
                                   "\" at " + violation->instance_path + ": " + violation->message);
      }
      out.push_back(std::move(event));
    }
    return out;
  }

 private:
  const json* Find(int64_t id, std::string_view kind) const {
    auto it = by_id_.find(id);
    if (it == by_id_.end() || it->second->value("record", "") != kind) return nullptr;
    return it->second;
  }

  // The first execution of the `previous` chain that `id` ends.
  int64_t ChainRoot(int64_t id) const {
    for (size_t steps = 0; steps < by_id_.size(); ++steps) {
      const json* record = Find(id, "execution");
      auto previous = record ? IdAt(*record, "previous") : std::nullopt;
      if (!previous || !Find(*previous, "execution")) return id;
      id = *previous;
    }
    return id;
  }

  std::string RunId(int64_t id, const json& execution) const {
    if (FromOpenLineage(execution)) {
      const std::string* original = StringAt(execution["source"], "original_id");
      if (original && IsUuid(*original)) return *original;
    }
    return DeriveRunId(options_.run_id_namespace, "execution:" + std::to_string(ChainRoot(id)));
  }

  static std::string EventType(const json& execution, bool has_previous) {
    if (FromOpenLineage(execution)) {
      if (const std::string* type = StringAt(execution["source"], "event_type")) return *type;
    }
    std::string status = execution.value("status", "");
    if (status == "complete") return "COMPLETE";
    if (status == "failed") return "FAIL";
    if (status == "canceled") return "ABORT";
    if (status == "running" && has_previous) return "RUNNING";
    if (status == "running" || status == "new") return "START";
    return "OTHER";
  }

  static std::optional<std::string> EventTime(const json& execution, const std::string& type) {
    std::vector<const std::string*> candidates;
    if (FromOpenLineage(execution))
      candidates.push_back(StringAt(execution["source"], "event_time"));
    if (type == "COMPLETE" || type == "FAIL" || type == "ABORT") {
      candidates.push_back(StringAt(execution, "ended"));
    }
    candidates.push_back(StringAt(execution, "started"));
    candidates.push_back(StringAt(execution, "time"));
    for (const std::string* time : candidates) {
      if (time && IsRfc3339DateTime(*time)) return *time;
    }
    return std::nullopt;
  }

  // {namespace, name, facets…} of an artifact, as an OpenLineage dataset.
  Result<json> Dataset(int64_t id, const char* extra_facets) const {
    const json* artifact = Find(id, "artifact");
    if (artifact == nullptr) return RecordError(id, "is not an artifact record");
    const json* properties = ObjectAt(*artifact, "properties");
    const std::string* name = StringAt(*artifact, "name");
    json dataset;
    if (FromOpenLineage(*artifact) && properties && StringAt(*properties, "namespace") && name) {
      dataset = {{"namespace", (*properties)["namespace"]}, {"name", *name}};
      if (const json* facets = ObjectAt(*properties, "facets")) dataset["facets"] = *facets;
      if (const json* facets = ObjectAt(*properties, extra_facets)) {
        dataset[extra_facets] = *facets;
      }
      return dataset;
    }
    const std::string* uri = StringAt(*artifact, "uri");
    const std::string* digest = StringAt(*artifact, "digest");
    if (uri) {
      // OpenLineage naming: "scheme://authority/path" → namespace "scheme://authority",
      // name "path"; a plain path → namespace "file".
      size_t scheme = uri->find("://");
      size_t slash = scheme == std::string::npos ? std::string::npos : uri->find('/', scheme + 3);
      if (slash != std::string::npos) {
        dataset = {{"namespace", uri->substr(0, slash)}, {"name", uri->substr(slash + 1)}};
      } else if (scheme != std::string::npos) {
        dataset = {{"namespace", *uri}, {"name", name ? *name : *uri}};
      } else {
        dataset = {{"namespace", "file"}, {"name", *uri}};
      }
    } else if (digest) {
      dataset = {{"namespace", options_.dataset_namespace}, {"name", name ? *name : *digest}};
    } else {
      return RecordError(id, "an artifact has neither uri nor digest");
    }
    if (digest) {
      json version = Facet(kVersionSchema);
      version["datasetVersion"] = *digest;
      dataset["facets"] = {{"version", std::move(version)}};
    }
    return dataset;
  }

  std::optional<json> ParentFacet(int64_t execution) const {
    auto it = contexts_.find(execution);
    if (it == contexts_.end()) return std::nullopt;
    for (int64_t id : it->second) {
      const json* context = Find(id, "context");
      if (context == nullptr || context->value("type", "") != "pipeline_run") continue;
      const std::string* name = StringAt(*context, "name");
      if (name == nullptr) continue;
      json facet = Facet(kParentSchema);
      const json* properties = ObjectAt(*context, "properties");
      if (FromOpenLineage(*context) && properties && ObjectAt(*properties, "run") &&
          ObjectAt(*properties, "job")) {
        facet["run"] = (*properties)["run"];
        facet["job"] = (*properties)["job"];
      } else {
        facet["run"] = {
            {"runId", DeriveRunId(options_.run_id_namespace, "context:" + std::to_string(id))}};
        facet["job"] = {{"namespace", options_.job_namespace}, {"name", *name}};
      }
      return facet;
    }
    return std::nullopt;
  }

  std::optional<json> JobFacets(int64_t execution) const {
    auto it = contexts_.find(execution);
    if (it == contexts_.end()) return std::nullopt;
    for (int64_t id : it->second) {
      const json* context = Find(id, "context");
      if (context == nullptr || context->value("type", "") != "job" || !FromOpenLineage(*context)) {
        continue;
      }
      const json* properties = ObjectAt(*context, "properties");
      if (const json* facets = properties ? ObjectAt(*properties, "facets") : nullptr) {
        return *facets;
      }
    }
    return std::nullopt;
  }

  Result<json> Event(int64_t id, const json& execution) const {
    const std::string* name = StringAt(execution, "name");
    if (name == nullptr) return RecordError(id, "an execution has no name");
    bool imported = FromOpenLineage(execution);
    bool has_previous = IdAt(execution, "previous").has_value();
    std::string type = EventType(execution, has_previous);
    auto time = EventTime(execution, type);
    if (!time) return RecordError(id, "an execution has no RFC 3339 time");

    json run_facets = json::object();
    if (imported) {
      if (const json* facets = ObjectAt(execution, "parameters")) run_facets = *facets;
    }
    if (!run_facets.contains("parent")) {
      if (auto parent = ParentFacet(id)) run_facets["parent"] = std::move(*parent);
    }
    json probity = Facet(kProbitySchema);
    probity["record_id"] = id;
    if (!imported) {
      for (const char* field : {"type", "status", "parameters", "environment", "exit_code"}) {
        if (execution.contains(field)) probity[field] = execution[field];
      }
    }
    run_facets["probity"] = std::move(probity);

    std::string job_namespace = options_.job_namespace;
    if (imported) {
      if (const std::string* ns = StringAt(execution["source"], "job_namespace")) {
        job_namespace = *ns;
      }
    }
    json job = {{"namespace", job_namespace}, {"name", *name}};
    if (auto facets = JobFacets(id)) job["facets"] = std::move(*facets);

    json inputs = json::array(), outputs = json::array();
    std::set<std::pair<std::string, int64_t>> seen;
    if (auto it = events_.find(id); it != events_.end()) {
      for (const json* edge : it->second) {
        auto artifact = IdAt(*edge, "artifact");
        std::string direction = edge->value("direction", "");
        if (!artifact || (direction != "input" && direction != "output")) {
          return RecordError(edge->value("id", int64_t{0}),
                             "an event needs an artifact and a direction");
        }
        if (!seen.emplace(direction, *artifact).second) continue;
        bool input = direction == "input";
        PROBITY_ASSIGN_OR_RETURN(json dataset,
                                 Dataset(*artifact, input ? "inputFacets" : "outputFacets"));
        (input ? inputs : outputs).push_back(std::move(dataset));
      }
    }
    return json{{"eventType", type},
                {"eventTime", *time},
                {"run", {{"runId", RunId(id, execution)}, {"facets", std::move(run_facets)}}},
                {"job", std::move(job)},
                {"inputs", std::move(inputs)},
                {"outputs", std::move(outputs)},
                {"producer", ProbityProducer()},
                {"schemaURL", kRunEventSchema}};
  }

  const OpenLineageExportOptions& options_;
  std::map<int64_t, const json*> by_id_;
  std::vector<int64_t> executions_;
  std::map<int64_t, std::vector<const json*>> events_;
  std::map<int64_t, std::vector<int64_t>> contexts_;
};

}  // namespace

std::string DeriveRunId(const std::array<uint8_t, 16>& name_space, std::string_view name) {
  std::string input(reinterpret_cast<const char*>(name_space.data()), name_space.size());
  input.append(name);
  Digest digest = Sha256Of(input);
  std::array<uint8_t, 16> bytes;
  std::copy_n(digest.bytes.begin(), 16, bytes.begin());
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x80);  // version 8
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // variant 10
  std::string out;
  char hex[3];
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(hex, sizeof(hex), "%02x", bytes[i]);
    out += hex;
  }
  return out;
}

std::string ProbityProducer() {
  return std::string("https://probity.dev/probity/") + PROBITY_VERSION;
}

Result<std::vector<json>> ExportOpenLineage(const std::vector<json>& records,
                                            const OpenLineageExportOptions& options) {
  return Exporter(records, options).Run();
}

}  // namespace probity::lineage
