#include "lineage/import/openlineage.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

#include "audit/core/digest.h"
#include "lineage/import/internal/embedded_schemas.h"
#include "lineage/import/internal/record_plan.h"
#include "lineage/import/json_text.h"

namespace probity::lineage {
namespace {

using internal::RecordPlan;
using nlohmann::json;

constexpr std::string_view kFormat = "openlineage";

// The places facets appear, named after the core base facet their schemas extend.
const std::map<std::string, std::string, std::less<>>& BaseFacetPlaces() {
  static const std::map<std::string, std::string, std::less<>> kPlaces = {
      {"RunFacet", "run"},
      {"JobFacet", "job"},
      {"DatasetFacet", "dataset"},
      {"InputDatasetFacet", "input"},
      {"OutputDatasetFacet", "output"}};
  return kPlaces;
}

// The places a facet schema node applies to: the core base facets it extends through
// $ref, allOf, anyOf and oneOf (following the document's own $defs).
void CollectPlaces(const json& node, const json& document, int depth,
                   std::set<std::string>& places) {
  if (!node.is_object() || depth > 16) return;
  if (auto ref = node.find("$ref"); ref != node.end() && ref->is_string()) {
    const std::string& target = ref->get_ref<const std::string&>();
    std::string core_prefix = std::string(kOpenLineageSchemaId) + "#/$defs/";
    if (target.starts_with(core_prefix)) {
      auto it = BaseFacetPlaces().find(target.substr(core_prefix.size()));
      if (it != BaseFacetPlaces().end()) places.insert(it->second);
    } else if (target.starts_with("#/$defs/")) {
      auto defs = document.find("$defs");
      if (defs != document.end()) {
        auto def = defs->find(target.substr(8));
        if (def != defs->end()) CollectPlaces(*def, document, depth + 1, places);
      }
    }
  }
  for (const char* keyword : {"allOf", "anyOf", "oneOf"}) {
    if (auto branches = node.find(keyword); branches != node.end() && branches->is_array()) {
      for (const auto& branch : *branches) CollectPlaces(branch, document, depth + 1, places);
    }
  }
}

Status ViolationError(const SchemaViolation& violation, std::string_view text,
                      std::string_view file, const JsonDocument& document) {
  return InvalidArgumentError("OpenLineage event breaks schema rule \"" + violation.keyword +
                              "\" at " + violation.instance_path + ": " + violation.message)
      .At(LocateInText(text, file, document, violation.instance_path));
}


// Maps validated events to planned records. Runs are remembered across plans (the batches
// of follow mode), so that `previous` links a run's executions across batches too.
class OpenLineageMapper {
 public:
  // `source` is the part of every record's source shared by all events (format, file or
  // stream); `line` and per-event fields are added per event.
  explicit OpenLineageMapper(json source) : base_source_(std::move(source)) {}

  void Map(const json& event, json source, RecordPlan& plan);

  // The plan was committed with these ids: planned executions become known ids.
  void Committed(const std::vector<int64_t>& ids);

 private:
  struct RunState {
    std::optional<size_t> planned;  // index in the current plan
    int64_t id = 0;                 // id once committed
    std::string status;
    json started;
    json ended;
  };

  size_t JobContext(const json& job, const json& source, RecordPlan& plan);
  std::optional<size_t> ParentContext(const json& run, const json& source, RecordPlan& plan);
  size_t Dataset(const json& dataset, const char* facets_key, const json& source, RecordPlan& plan);

  json base_source_;
  std::unordered_map<std::string, RunState> runs_;
};

size_t OpenLineageMapper::JobContext(const json& job, const json& source, RecordPlan& plan) {
  json properties = {{"namespace", job["namespace"]}, {"name", job["name"]}};
  if (const json* facets = ObjectAt(job, "facets")) properties["facets"] = *facets;
  json fields = {
      {"type", "job"},
      {"name", job["namespace"].get<std::string>() + "/" + job["name"].get<std::string>()},
      {"properties", std::move(properties)}};
  return plan.Add(RecordKind::kContext, std::move(fields), source, true);
}

std::optional<size_t> OpenLineageMapper::ParentContext(const json& run, const json& source,
                                                       RecordPlan& plan) {
  const json* facets = ObjectAt(run, "facets");
  const json* parent = facets ? ObjectAt(*facets, "parent") : nullptr;
  if (parent == nullptr || !ObjectAt(*parent, "run") || !ObjectAt(*parent, "job")) {
    return std::nullopt;
  }
  auto context = [&](const json& of, RecordPlan::Links links) -> std::optional<size_t> {
    const std::string* run_id = StringAt(of["run"], "runId");
    const std::string* job_namespace = StringAt(of["job"], "namespace");
    const std::string* job_name = StringAt(of["job"], "name");
    if (!run_id || !job_namespace || !job_name) return std::nullopt;
    json fields = {{"type", "pipeline_run"},
                   {"name", *run_id},
                   {"properties",
                    {{"run", {{"runId", *run_id}}},
                     {"job", {{"namespace", *job_namespace}, {"name", *job_name}}}}}};
    return plan.Add(RecordKind::kContext, std::move(fields), source, true, std::move(links));
  };
  RecordPlan::Links links;
  if (const json* root = ObjectAt(*parent, "root");
      root && ObjectAt(*root, "run") && ObjectAt(*root, "job") &&
      (*root)["run"].value("runId", "") != (*parent)["run"].value("runId", "")) {
    if (auto root_context = context(*root, {})) links.emplace_back("parent", *root_context);
  }
  return context(*parent, std::move(links));
}

size_t OpenLineageMapper::Dataset(const json& dataset, const char* facets_key, const json& source,
                                  RecordPlan& plan) {
  const auto& ns = dataset["namespace"].get_ref<const std::string&>();
  const auto& name = dataset["name"].get_ref<const std::string&>();
  json properties = {{"namespace", ns}};
  if (const json* facets = ObjectAt(dataset, "facets")) properties["facets"] = *facets;
  if (facets_key != nullptr) {
    if (const json* facets = ObjectAt(dataset, facets_key)) properties[facets_key] = *facets;
  }
  json fields = {{"kind", "dataset"},
                 {"uri", ns + "/" + name},
                 {"name", name},
                 {"properties", std::move(properties)}};
  return plan.Add(RecordKind::kArtifact, std::move(fields), source, true);
}

void OpenLineageMapper::Map(const json& event, json source, RecordPlan& plan) {
  for (const auto& [key, value] : base_source_.items()) source[key] = value;
  if (const std::string* type = StringAt(event, "eventType")) source["event_type"] = *type;
  source["event_time"] = event["eventTime"];

  // Which of the core schema's oneOf the event matched decides its kind; members the
  // matched branch does not describe were not validated and are not read (a RunEvent may
  // carry an unchecked "dataset", a DatasetEvent an unchecked "run" without "job").
  const json* run = ObjectAt(event, "run");
  const json* job_object = ObjectAt(event, "job");
  if (job_object == nullptr) {  // DatasetEvent
    const json& dataset = event["dataset"];
    source["original_id"] =
        dataset["namespace"].get<std::string>() + "/" + dataset["name"].get<std::string>();
    Dataset(dataset, nullptr, source, plan);
    return;
  }
  const json& job = *job_object;
  if (run == nullptr) {  // JobEvent: the job's declared lineage
    source["original_id"] =
        job["namespace"].get<std::string>() + "/" + job["name"].get<std::string>();
    size_t context = JobContext(job, source, plan);
    for (const char* side : {"inputs", "outputs"}) {
      if (!event.contains(side)) continue;
      for (const auto& dataset : event[side]) {
        size_t artifact =
            Dataset(dataset, side[0] == 'i' ? "inputFacets" : "outputFacets", source, plan);
        plan.Add(RecordKind::kAttribution, json::object(), source, true,
                 {{"context", context}, {"artifact", artifact}});
      }
    }
    return;
  }

  const std::string& run_id = (*run)["runId"].get_ref<const std::string&>();
  source["original_id"] = run_id;
  source["job_namespace"] = job["namespace"];
  RunState& state = runs_[run_id];
  std::string event_type = event.value("eventType", "OTHER");
  std::string status = event_type == "START" || event_type == "RUNNING" ? "running"
                       : event_type == "COMPLETE"                       ? "complete"
                       : event_type == "FAIL"                           ? "failed"
                       : event_type == "ABORT"                          ? "canceled"
                       : state.status.empty()                           ? "running"
                                                                        : state.status;
  // Times are recorded only when they are RFC 3339 (record.h); the raw value stays in source.
  const std::string& time = event["eventTime"].get_ref<const std::string&>();
  if (IsRfc3339DateTime(time)) {
    if (event_type == "START") state.started = time;
    if (event_type == "COMPLETE" || event_type == "FAIL" || event_type == "ABORT") {
      state.ended = time;
    }
  }
  json fields = {{"name", job["name"]}, {"status", status}};
  if (const json* facets = ObjectAt(job, "facets")) {
    if (const json* job_type = ObjectAt(*facets, "jobType")) {
      if (const std::string* type = StringAt(*job_type, "jobType")) fields["type"] = *type;
    }
  }
  if (const json* facets = ObjectAt(*run, "facets")) fields["parameters"] = *facets;
  if (!state.started.is_null()) fields["started"] = state.started;
  if (!state.ended.is_null()) fields["ended"] = state.ended;
  RecordPlan::Links links;
  if (state.planned) {
    links.emplace_back("previous", *state.planned);
  } else if (state.id != 0) {
    fields["previous"] = state.id;
  }
  size_t execution =
      plan.Add(RecordKind::kExecution, std::move(fields), source, false, std::move(links));
  state.planned = execution;
  state.status = status;

  size_t job_context = JobContext(job, source, plan);
  plan.Add(RecordKind::kAssociation, json::object(), source, true,
           {{"context", job_context}, {"execution", execution}});
  if (auto parent = ParentContext(*run, source, plan)) {
    plan.Add(RecordKind::kAssociation, json::object(), source, true,
             {{"context", *parent}, {"execution", execution}});
  }
  for (const char* side : {"inputs", "outputs"}) {
    if (!event.contains(side)) continue;
    bool input = side[0] == 'i';
    for (const auto& dataset : event[side]) {
      size_t artifact = Dataset(dataset, input ? "inputFacets" : "outputFacets", source, plan);
      plan.Add(RecordKind::kEvent, {{"direction", input ? "input" : "output"}}, source, true,
               {{"execution", execution}, {"artifact", artifact}});
    }
  }
}

void OpenLineageMapper::Committed(const std::vector<int64_t>& ids) {
  // Follow mode runs forever; forget runs beyond a bound rather than grow without one
  // (a run seen again after that starts a new `previous` chain).
  if (runs_.size() > 1'000'000) runs_.clear();
  for (auto& [run_id, state] : runs_) {
    if (state.planned && *state.planned < ids.size()) state.id = ids[*state.planned];
    state.planned.reset();
  }
}

// Closes a file descriptor on scope exit.
class FileDescriptor {
 public:
  FileDescriptor() = default;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  void reset(int fd) { fd_ = fd; }

 private:
  int fd_ = -1;
};

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write the rejects file " + path + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return OkStatus();
}

// The state of one FollowOpenLineage call.
class Follower {
 public:
  Follower(RecordBatches& batches, const FollowOptions& options)
      : batches_(batches),
        options_(options),
        mapper_(json{{"format", kFormat}, {"stream", options.name}}) {}

  Status Line(std::string_view line, int64_t number);
  // A line longer than max_line_bytes: its first part, then the rest as it arrives.
  Status RejectLong(std::string_view part, int64_t number, bool first, bool last);
  Status Flush();
  bool Due(std::chrono::steady_clock::time_point now) const {
    return plan_.size() > 0 && now >= deadline_;
  }
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  bool empty() const { return plan_.size() == 0; }
  FollowSummary& summary() { return summary_; }

 private:
  Status Reject(std::string_view line, Status why);
  Status AppendRejected(std::string_view bytes);

  RecordBatches& batches_;
  const FollowOptions& options_;
  OpenLineageMapper mapper_;
  RecordPlan plan_;
  std::chrono::steady_clock::time_point deadline_;
  FollowSummary summary_;
  FileDescriptor rejects_;
};

Status Follower::AppendRejected(std::string_view bytes) {
  if (options_.rejects_path.empty()) return OkStatus();
  if (rejects_.get() < 0) {
    int fd = ::open(options_.rejects_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      return IoError("cannot open the rejects file " + options_.rejects_path + ": " +
                     std::strerror(errno));
    }
    rejects_.reset(fd);
  }
  return WriteAll(rejects_.get(), bytes, options_.rejects_path);
}

Status Follower::Reject(std::string_view line, Status why) {
  ++summary_.rejected;
  if (options_.on_reject) options_.on_reject(why);
  PROBITY_RETURN_IF_ERROR(AppendRejected(line));
  return AppendRejected("\n");
}

Status Follower::RejectLong(std::string_view part, int64_t number, bool first, bool last) {
  if (first) {
    ++summary_.rejected;
    if (options_.on_reject) {
      options_.on_reject(InvalidArgumentError("line longer than " +
                                              std::to_string(options_.max_line_bytes) + " bytes")
                             .At({options_.name, number, 0}));
    }
  }
  PROBITY_RETURN_IF_ERROR(AppendRejected(part));
  return last ? AppendRejected("\n") : OkStatus();
}

Status Follower::Line(std::string_view line, int64_t number) {
  ++summary_.lines;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return OkStatus();
  auto event = ParseJsonLine(line, options_.name, number);
  if (!event.has_value()) return Reject(line, event.error());
  PROBITY_ASSIGN_OR_RETURN(const OpenLineageSchemas* schemas, OpenLineageSchemas::Get());
  if (auto violation = schemas->Validate(*event)) {
    JsonDocument document{json(), 0, line.size(), 1};
    Status why = ViolationError(*violation, line, options_.name, document);
    InputLocation where = why.location();
    where.line = number;
    return Reject(line, std::move(why).At(where));
  }
  if (plan_.size() == 0) deadline_ = std::chrono::steady_clock::now() + options_.max_delay;
  mapper_.Map(*event, json{{"line", number}, {"event_digest", Sha256Of(line).ToString()}}, plan_);
  ++summary_.events;
  if (plan_.size() >= options_.max_records) return Flush();
  return OkStatus();
}

Status Follower::Flush() {
  if (plan_.size() == 0) return OkStatus();
  PROBITY_ASSIGN_OR_RETURN(RecordSink * sink, batches_.Begin());
  PROBITY_ASSIGN_OR_RETURN(std::vector<int64_t> ids, plan_.Commit(*sink));
  PROBITY_RETURN_IF_ERROR(batches_.Commit());
  mapper_.Committed(ids);
  summary_.records += static_cast<int64_t>(ids.size());
  ++summary_.batches;
  plan_ = RecordPlan();
  return OkStatus();
}

}  // namespace

Result<const OpenLineageSchemas*> OpenLineageSchemas::Get() {
  static const Result<const OpenLineageSchemas*> kLoaded =
      []() -> Result<const OpenLineageSchemas*> {
    static OpenLineageSchemas loaded;
    for (const auto& file : embedded::OpenLineageSchemaFiles()) {
      json document = json::parse(file.bytes(), nullptr, /*allow_exceptions=*/false);
      if (document.is_discarded()) {
        return InternalError("embedded schema " + std::string(file.path) + " is not JSON");
      }
      if (file.path.starts_with("facets/")) {
        const json* properties = ObjectAt(document, "properties");
        if (properties == nullptr || properties->size() != 1) {
          return InternalError("embedded facet schema " + std::string(file.path) +
                               " does not name exactly one facet");
        }
        // Validate() checks a facet against properties/<key> alone, which is only the same
        // as checking {key: facet} against the root while the root holds nothing else.
        for (const auto& [keyword, value] : document.items()) {
          if (keyword != "$schema" && keyword != "$id" && keyword != "$defs" &&
              keyword != "properties" && keyword != "type" && keyword != "required") {
            return InternalError("embedded facet schema " + std::string(file.path) +
                                 " has a root keyword " + keyword);
          }
        }
        std::set<std::string> places;
        CollectPlaces(properties->begin().value(), document, 0, places);
        if (places.empty()) {
          return InternalError("embedded facet schema " + std::string(file.path) +
                               " extends no core facet");
        }
        for (const auto& place : places) {
          loaded.facets_[{place, properties->begin().key()}].push_back(document["$id"]);
        }
      }
      Status added = loaded.schemas_.Add(std::move(document), file.path);
      if (!added.ok()) return InternalError("embedded schema: " + added.ToString());
    }
    Status references = loaded.schemas_.CheckReferences();
    if (!references.ok()) return InternalError("embedded schema: " + references.ToString());
    if (loaded.schemas_.Document(kOpenLineageSchemaId) == nullptr) {
      return InternalError("the OpenLineage core schema is not embedded");
    }
    return &loaded;
  }();
  return kLoaded;
}

std::vector<std::string> OpenLineageSchemas::FacetSchemaIds(std::string_view place,
                                                            std::string_view key) const {
  auto it = facets_.find(std::pair<std::string, std::string>(place, key));
  return it == facets_.end() ? std::vector<std::string>() : it->second;
}

std::optional<SchemaViolation> OpenLineageSchemas::Validate(const json& event,
                                                            bool assert_formats) const {
  if (auto violation = schemas_.Validate(event, kOpenLineageSchemaId, assert_formats)) {
    return violation;
  }
  auto check = [&](const json* facets, std::string_view place,
                   const std::string& pointer) -> std::optional<SchemaViolation> {
    if (facets == nullptr) return std::nullopt;
    for (const auto& [key, value] : facets->items()) {
      if (value.is_object() && value.value("_deleted", false) == true) continue;
      std::optional<SchemaViolation> failed;
      bool passed = false;
      std::string escaped = EscapeJsonPointerToken(key);
      for (const auto& id : FacetSchemaIds(place, key)) {
        // The facet schema's root is {"type": "object", "properties": {key: {$ref …}}} (its
        // `required`, if any, names that key): validating the value against that member
        // is the same check without copying the facet into a new object.
        auto violation = schemas_.Validate(value, id + "#/properties/" + escaped, assert_formats);
        if (!violation) {
          passed = true;
          break;
        }
        violation->instance_path =
            pointer + "/" + escaped +
            (violation->instance_path == "/" ? "" : violation->instance_path);
        size_t slash = id.rfind('/');
        violation->message += " (facet schema " + id.substr(slash + 1) + ")";
        if (!failed) failed = std::move(violation);
      }
      if (!passed && failed) return failed;
    }
    return std::nullopt;
  };
  auto check_dataset = [&](const json& dataset, const std::string& pointer, const char* extra_key,
                           std::string_view extra_place) -> std::optional<SchemaViolation> {
    if (auto v = check(ObjectAt(dataset, "facets"), "dataset", pointer + "/facets")) return v;
    // Input facets are checked by the core schema only, as the OpenLineage proxy does by
    // default (validate_input_dataset_facets = false): its own valid sample event carries a
    // dataQualityMetrics input facet without the columnMetrics that facet 1-0-3 requires.
    if (extra_key == nullptr || extra_place == "input") return std::nullopt;
    return check(ObjectAt(dataset, extra_key), extra_place, pointer + "/" + extra_key);
  };
  if (const json* run = ObjectAt(event, "run")) {
    if (auto v = check(ObjectAt(*run, "facets"), "run", "/run/facets")) return v;
  }
  if (const json* job = ObjectAt(event, "job")) {
    if (auto v = check(ObjectAt(*job, "facets"), "job", "/job/facets")) return v;
  }
  if (const json* dataset = ObjectAt(event, "dataset")) {
    if (auto v = check_dataset(*dataset, "/dataset", nullptr, "")) return v;
  }
  for (const char* side : {"inputs", "outputs"}) {
    auto datasets = event.find(side);
    if (datasets == event.end() || !datasets->is_array()) continue;
    bool input = side[0] == 'i';
    for (size_t i = 0; i < datasets->size(); ++i) {
      if (auto v =
              check_dataset((*datasets)[i], "/" + std::string(side) + "/" + std::to_string(i),
                            input ? "inputFacets" : "outputFacets", input ? "input" : "output")) {
        return v;
      }
    }
  }
  return std::nullopt;
}

Result<ImportSummary> ImportOpenLineage(std::string_view text, std::string_view file,
                                        RecordSink& sink) {
  PROBITY_ASSIGN_OR_RETURN(const OpenLineageSchemas* schemas, OpenLineageSchemas::Get());
  PROBITY_ASSIGN_OR_RETURN(std::vector<JsonDocument> documents, ParseJsonDocuments(text, file));
  for (const auto& document : documents) {
    if (auto violation = schemas->Validate(document.value)) {
      return ViolationError(*violation, text, file, document);
    }
  }
  OpenLineageMapper mapper(json{{"format", kFormat}, {"file_digest", Sha256Of(text).ToString()}});
  RecordPlan plan;
  for (const auto& document : documents)
    mapper.Map(document.value, {{"line", document.line}}, plan);
  PROBITY_ASSIGN_OR_RETURN(std::vector<int64_t> ids, plan.Commit(sink));
  return ImportSummary{static_cast<int64_t>(documents.size()), static_cast<int64_t>(ids.size())};
}

Result<FollowSummary> FollowOpenLineage(int fd, RecordBatches& batches,
                                        const FollowOptions& options) {
  PROBITY_RETURN_IF_ERROR(OpenLineageSchemas::Get().status());
  Follower follower(batches, options);
  std::string pending;      // the start of a line whose end has not arrived
  bool discarding = false;  // inside a line longer than max_line_bytes
  int64_t line = 1;
  std::vector<char> chunk(64 * 1024);
  while (true) {
    int timeout_ms = -1;
    if (!follower.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          follower.deadline() - std::chrono::steady_clock::now());
      timeout_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1 << 30));
    }
    pollfd descriptor{fd, POLLIN, 0};
    int ready = ::poll(&descriptor, 1, timeout_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      return IoError(std::string("cannot poll the input: ") + std::strerror(errno));
    }
    if (ready == 0) {
      PROBITY_RETURN_IF_ERROR(follower.Flush());
      continue;
    }
    ssize_t count = ::read(fd, chunk.data(), chunk.size());
    if (count < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return IoError("cannot read " + options.name + ": " + std::strerror(errno));
    }
    if (count == 0) break;
    std::string_view data(chunk.data(), static_cast<size_t>(count));
    while (!data.empty()) {
      size_t newline = data.find('\n');
      std::string_view part = data.substr(0, newline);
      bool complete = newline != std::string_view::npos;
      data = complete ? data.substr(newline + 1) : std::string_view();
      if (discarding) {
        PROBITY_RETURN_IF_ERROR(follower.RejectLong(part, line, false, complete));
      } else if (pending.size() + part.size() > options.max_line_bytes) {
        PROBITY_RETURN_IF_ERROR(follower.RejectLong(pending, line, true, false));
        PROBITY_RETURN_IF_ERROR(follower.RejectLong(part, line, false, complete));
        pending.clear();
        discarding = true;
      } else if (complete) {
        pending.append(part);
        PROBITY_RETURN_IF_ERROR(follower.Line(pending, line));
        pending.clear();
      } else {
        pending.append(part);
      }
      if (complete) {
        if (discarding) ++follower.summary().lines;
        discarding = false;
        ++line;
      }
    }
    if (follower.Due(std::chrono::steady_clock::now())) {
      PROBITY_RETURN_IF_ERROR(follower.Flush());
    }
  }
  if (discarding) {
    ++follower.summary().lines;
    PROBITY_RETURN_IF_ERROR(follower.RejectLong("", line, false, true));
  } else if (!pending.empty()) {
    PROBITY_RETURN_IF_ERROR(follower.Line(pending, line));
  }
  PROBITY_RETURN_IF_ERROR(follower.Flush());
  return follower.summary();
}

}  // namespace probity::lineage
