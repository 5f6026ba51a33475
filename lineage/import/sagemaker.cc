#include "lineage/import/sagemaker.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>
#include <vector>

#include "audit/core/digest.h"
#include "lineage/import/internal/field_reader.h"
#include "lineage/import/internal/record_plan.h"
#include "lineage/import/json_schema.h"
#include "lineage/import/json_text.h"

namespace probity::lineage {
namespace {

using internal::FieldReader;
using internal::RecordPlan;
using nlohmann::json;

// "In_Service", "InService", "IN_SERVICE" → "inservice".
std::string Normalize(std::string_view status) {
  std::string out;
  for (char c : status) {
    if (c != '_' && c != ' ' && c != '-') out += static_cast<char>(std::tolower(c));
  }
  return out;
}

// SageMaker job, pipeline and endpoint statuses → record.h execution statuses.
std::optional<std::string> ExecutionStatus(std::string_view status) {
  static const std::map<std::string, std::string, std::less<>> kStatuses = {
      {"inprogress", "running"},     {"starting", "running"},      {"executing", "running"},
      {"stopping", "running"},       {"creating", "running"},      {"updating", "running"},
      {"systemupdating", "running"}, {"rollingback", "running"},   {"completed", "complete"},
      {"succeeded", "complete"},     {"inservice", "complete"},    {"failed", "failed"},
      {"stopped", "canceled"},       {"outofservice", "canceled"}, {"deleting", "canceled"}};
  auto it = kStatuses.find(Normalize(status));
  if (it == kStatuses.end()) return std::nullopt;
  return it->second;
}

constexpr char kStatusList[] =
    "a SageMaker status (InProgress, Completed, Failed, Stopping, Stopped, Starting, "
    "Executing, Succeeded, Creating, Updating, InService, OutOfService, Deleting, …)";

Result<std::string> ExecutionStatusAt(const FieldReader& fields, std::string_view pointer) {
  PROBITY_ASSIGN_OR_RETURN(std::string text, fields.String(pointer));
  auto status = ExecutionStatus(text);
  if (!status) return fields.Error(pointer, "is \"" + text + "\", not a known status", kStatusList);
  return *status;
}

// Copies the members of `from` named in `keys` that are present.
json Pick(const json& from, std::initializer_list<const char*> keys) {
  json out = json::object();
  for (const char* key : keys) {
    auto it = from.find(key);
    if (it != from.end() && !it->is_null()) out[key] = *it;
  }
  return out;
}

// `from` without the members named in `keys`.
json Drop(json from, std::initializer_list<const char*> keys) {
  for (const char* key : keys) from.erase(key);
  return from;
}

void SetIfPresent(json& fields, const char* key, const std::optional<std::string>& value) {
  if (value) fields[key] = *value;
}

// "arn:…:pipeline/NAME/execution/ID" → "arn:…:pipeline/NAME"; empty when not of that shape.
std::string PipelineArnOf(std::string_view execution_arn) {
  size_t at = execution_arn.find("/execution/");
  if (at == std::string_view::npos || execution_arn.find(":pipeline/") == std::string_view::npos) {
    return "";
  }
  return std::string(execution_arn.substr(0, at));
}

class EventMapper {
 public:
  EventMapper(RecordPlan& plan, const FieldReader& event, json source)
      : plan_(plan), event_(event), source_(std::move(source)) {}

  Status Map(std::string_view detail_type);

 private:
  Status TrainingJob();
  Status TransformJob();
  Status Endpoint();
  Status PipelineExecution();
  Status PipelineStep();
  Status ModelPackage();
  Status ModelCard();

  size_t Add(RecordKind kind, json fields, bool dedupe = false, RecordPlan::Links links = {}) {
    return plan_.Add(kind, std::move(fields), source_, dedupe, std::move(links));
  }
  size_t PipelineRun(const std::string& execution_arn) {
    json properties = json::object();
    if (std::string pipeline = PipelineArnOf(execution_arn); !pipeline.empty()) {
      properties["pipelineArn"] = pipeline;
    }
    return Add(RecordKind::kContext,
               {{"type", "pipeline_run"}, {"name", execution_arn}, {"properties", properties}},
               true);
  }
  size_t Artifact(const char* kind, const std::string& uri, const std::string& name,
                  json properties) {
    json fields = {{"kind", kind}, {"uri", uri}, {"name", name}};
    if (!properties.empty()) fields["properties"] = std::move(properties);
    return Add(RecordKind::kArtifact, std::move(fields), true);
  }
  void Edge(size_t execution, size_t artifact, const char* direction, const std::string& role) {
    Add(RecordKind::kEvent, {{"direction", direction}, {"role", role}}, true,
        {{"execution", execution}, {"artifact", artifact}});
  }

  RecordPlan& plan_;
  const FieldReader& event_;
  json source_;
};

Status EventMapper::Map(std::string_view detail_type) {
  if (detail_type == "SageMaker Training Job State Change") return TrainingJob();
  if (detail_type == "SageMaker Transform Job State Change") return TransformJob();
  if (detail_type == "SageMaker Endpoint State Change") return Endpoint();
  if (detail_type == "SageMaker Model Building Pipeline Execution Status Change") {
    return PipelineExecution();
  }
  if (detail_type == "SageMaker Model Building Pipeline Execution Step Status Change") {
    return PipelineStep();
  }
  if (detail_type == "SageMaker Model Package State Change") return ModelPackage();
  if (detail_type == "SageMaker Model Card State Change") return ModelCard();
  Status status = event_.Error("/detail-type", "is \"" + std::string(detail_type) + "\"",
                               "a training job, transform job, endpoint, pipeline execution, "
                               "pipeline step, model package or model card state change");
  return UnimplementedError(status.message()).At(status.location()).Expecting(status.expected());
}

Status EventMapper::TrainingJob() {
  PROBITY_ASSIGN_OR_RETURN(const json* detail, event_.Object("/detail"));
  PROBITY_ASSIGN_OR_RETURN(std::string name, event_.String("/detail/TrainingJobName"));
  PROBITY_ASSIGN_OR_RETURN(std::string arn, event_.String("/detail/TrainingJobArn"));
  PROBITY_ASSIGN_OR_RETURN(std::string status,
                           ExecutionStatusAt(event_, "/detail/TrainingJobStatus"));
  PROBITY_ASSIGN_OR_RETURN(const json* hyper, event_.OptionalObject("/detail/HyperParameters"));
  PROBITY_ASSIGN_OR_RETURN(auto started, event_.OptionalTime("/detail/TrainingStartTime"));
  PROBITY_ASSIGN_OR_RETURN(auto ended, event_.OptionalTime("/detail/TrainingEndTime"));
  PROBITY_ASSIGN_OR_RETURN(const json* channels, event_.OptionalArray("/detail/InputDataConfig"));
  PROBITY_ASSIGN_OR_RETURN(auto model_uri,
                           event_.OptionalString("/detail/ModelArtifacts/S3ModelArtifacts"));
  struct Channel {
    std::string name, uri;
    json properties;
  };
  std::vector<Channel> inputs;
  for (size_t i = 0; channels && i < channels->size(); ++i) {
    std::string pointer = "/detail/InputDataConfig/" + std::to_string(i);
    const json& element = (*channels)[i];
    if (!element.is_object()) return event_.Error(pointer, "is not an object", "a channel");
    FieldReader channel = event_.At(pointer, element);
    PROBITY_ASSIGN_OR_RETURN(std::string channel_name, channel.String("/ChannelName"));
    if (channel.Find("/DataSource/S3DataSource") == nullptr && channel.Find("/DataSource")) {
      Status refused = channel.Error("/DataSource", "is not an S3 data source", "S3DataSource");
      return UnimplementedError(refused.message()).At(refused.location());
    }
    PROBITY_ASSIGN_OR_RETURN(std::string uri, channel.String("/DataSource/S3DataSource/S3Uri"));
    inputs.push_back({channel_name, uri, element});
  }

  json fields = {{"name", name}, {"type", "sagemaker:TrainingJob"}, {"status", status}};
  if (hyper) fields["parameters"] = *hyper;
  json environment = Pick(*detail, {"AlgorithmSpecification", "ResourceConfig", "RoleArn",
                                    "StoppingCondition", "VpcConfig", "OutputDataConfig"});
  if (!environment.empty()) fields["environment"] = std::move(environment);
  SetIfPresent(fields, "started", started);
  SetIfPresent(fields, "ended", ended);
  source_["original_id"] = arn;
  size_t execution = Add(RecordKind::kExecution, std::move(fields));
  for (auto& input : inputs) {
    size_t artifact = Artifact("dataset", input.uri, input.name, std::move(input.properties));
    Edge(execution, artifact, "input", input.name);
  }
  if (model_uri) {
    size_t model = Artifact("model", *model_uri, name, json::object());
    Edge(execution, model, "output", "model");
  }
  return OkStatus();
}

Status EventMapper::TransformJob() {
  PROBITY_ASSIGN_OR_RETURN(const json* detail, event_.Object("/detail"));
  PROBITY_ASSIGN_OR_RETURN(std::string name, event_.String("/detail/TransformJobName"));
  PROBITY_ASSIGN_OR_RETURN(std::string arn, event_.String("/detail/TransformJobArn"));
  PROBITY_ASSIGN_OR_RETURN(std::string status,
                           ExecutionStatusAt(event_, "/detail/TransformJobStatus"));
  PROBITY_ASSIGN_OR_RETURN(auto started, event_.OptionalTime("/detail/TransformStartTime"));
  PROBITY_ASSIGN_OR_RETURN(auto ended, event_.OptionalTime("/detail/TransformEndTime"));
  PROBITY_ASSIGN_OR_RETURN(
      auto input, event_.OptionalString("/detail/TransformInput/DataSource/S3DataSource/S3Uri"));
  PROBITY_ASSIGN_OR_RETURN(auto output,
                           event_.OptionalString("/detail/TransformOutput/S3OutputPath"));
  json fields = {{"name", name}, {"type", "sagemaker:TransformJob"}, {"status", status}};
  json parameters = Pick(*detail, {"ModelName", "BatchStrategy", "MaxConcurrentTransforms",
                                   "MaxPayloadInMB", "Environment"});
  if (!parameters.empty()) fields["parameters"] = std::move(parameters);
  json environment = Pick(*detail, {"TransformResources"});
  if (!environment.empty()) fields["environment"] = std::move(environment);
  SetIfPresent(fields, "started", started);
  SetIfPresent(fields, "ended", ended);
  source_["original_id"] = arn;
  size_t execution = Add(RecordKind::kExecution, std::move(fields));
  if (input) {
    Edge(execution, Artifact("dataset", *input, "input", (*detail)["TransformInput"]), "input",
         "input");
  }
  if (output) {
    Edge(execution, Artifact("dataset", *output, "output", (*detail)["TransformOutput"]), "output",
         "output");
  }
  return OkStatus();
}

Status EventMapper::Endpoint() {
  PROBITY_ASSIGN_OR_RETURN(const json* detail, event_.Object("/detail"));
  PROBITY_ASSIGN_OR_RETURN(std::string name, event_.String("/detail/EndpointName"));
  PROBITY_ASSIGN_OR_RETURN(std::string arn, event_.String("/detail/EndpointArn"));
  PROBITY_ASSIGN_OR_RETURN(std::string status, ExecutionStatusAt(event_, "/detail/EndpointStatus"));
  PROBITY_ASSIGN_OR_RETURN(auto started, event_.OptionalTime("/detail/CreationTime"));
  json fields = {{"name", name}, {"type", "sagemaker:Endpoint"}, {"status", status}};
  json parameters = Pick(*detail, {"EndpointConfigName", "ProductionVariants"});
  if (!parameters.empty()) fields["parameters"] = std::move(parameters);
  SetIfPresent(fields, "started", started);
  source_["original_id"] = arn;
  Add(RecordKind::kExecution, std::move(fields));
  return OkStatus();
}

Status EventMapper::PipelineExecution() {
  PROBITY_ASSIGN_OR_RETURN(std::string arn, event_.String("/detail/pipelineExecutionArn"));
  PROBITY_ASSIGN_OR_RETURN(std::string status,
                           ExecutionStatusAt(event_, "/detail/currentPipelineExecutionStatus"));
  PROBITY_ASSIGN_OR_RETURN(auto display,
                           event_.OptionalString("/detail/pipelineExecutionDisplayName"));
  PROBITY_ASSIGN_OR_RETURN(auto description,
                           event_.OptionalString("/detail/pipelineExecutionDescription"));
  PROBITY_ASSIGN_OR_RETURN(auto started, event_.OptionalTime("/detail/executionStartTime"));
  PROBITY_ASSIGN_OR_RETURN(auto ended, event_.OptionalTime("/detail/executionEndTime"));
  source_["original_id"] = arn;
  size_t context = PipelineRun(arn);
  json fields = {
      {"name", display.value_or(arn)}, {"type", "sagemaker:PipelineExecution"}, {"status", status}};
  if (description) fields["parameters"] = {{"pipelineExecutionDescription", *description}};
  SetIfPresent(fields, "started", started);
  SetIfPresent(fields, "ended", ended);
  size_t execution = Add(RecordKind::kExecution, std::move(fields));
  Add(RecordKind::kAssociation, json::object(), true,
      {{"context", context}, {"execution", execution}});
  return OkStatus();
}

Status EventMapper::PipelineStep() {
  PROBITY_ASSIGN_OR_RETURN(std::string step, event_.String("/detail/stepName"));
  PROBITY_ASSIGN_OR_RETURN(std::string arn, event_.String("/detail/pipelineExecutionArn"));
  PROBITY_ASSIGN_OR_RETURN(std::string status,
                           ExecutionStatusAt(event_, "/detail/currentStepStatus"));
  PROBITY_ASSIGN_OR_RETURN(auto step_type, event_.OptionalString("/detail/stepType"));
  PROBITY_ASSIGN_OR_RETURN(auto started, event_.OptionalTime("/detail/stepStartTime"));
  PROBITY_ASSIGN_OR_RETURN(auto ended, event_.OptionalTime("/detail/stepEndTime"));
  PROBITY_ASSIGN_OR_RETURN(const json* metadata, event_.OptionalObject("/detail/metadata"));
  source_["original_id"] = arn + "/step/" + step;
  size_t context = PipelineRun(arn);
  json fields = {{"name", step},
                 {"type", "sagemaker:PipelineStep" + (step_type ? "/" + *step_type : "")},
                 {"status", status}};
  if (metadata) fields["environment"] = {{"metadata", *metadata}};
  SetIfPresent(fields, "started", started);
  SetIfPresent(fields, "ended", ended);
  size_t execution = Add(RecordKind::kExecution, std::move(fields));
  Add(RecordKind::kAssociation, json::object(), true,
      {{"context", context}, {"execution", execution}});
  return OkStatus();
}

Status EventMapper::ModelPackage() {
  PROBITY_ASSIGN_OR_RETURN(const json* detail, event_.Object("/detail"));
  PROBITY_ASSIGN_OR_RETURN(std::string arn, event_.String("/detail/ModelPackageArn"));
  PROBITY_ASSIGN_OR_RETURN(std::string package_status, event_.String("/detail/ModelPackageStatus"));
  PROBITY_ASSIGN_OR_RETURN(auto approval, event_.OptionalString("/detail/ModelApprovalStatus"));
  PROBITY_ASSIGN_OR_RETURN(auto group, event_.OptionalString("/detail/ModelPackageGroupName"));
  PROBITY_ASSIGN_OR_RETURN(auto generated_by,
                           event_.OptionalString("/detail/MetadataProperties/GeneratedBy"));
  std::string name = arn.substr(arn.find('/') == std::string::npos ? 0 : arn.find('/') + 1);
  source_["original_id"] = arn;
  json properties = Drop(*detail, {"ModelPackageStatus", "ModelPackageStatusDetails",
                                   "ModelApprovalStatus", "LastModifiedTime", "LastModifiedBy"});
  size_t artifact = Artifact("model", arn, name, std::move(properties));
  json status = {
      {"status", approval.value_or(package_status)},
      {"reason", approval ? "SageMaker ModelApprovalStatus; ModelPackageStatus " + package_status
                          : std::string("SageMaker ModelPackageStatus")}};
  Add(RecordKind::kStatus, std::move(status), false, {{"target", artifact}});
  if (group) {
    size_t context = Add(RecordKind::kContext, {{"type", "model"}, {"name", *group}}, true);
    Add(RecordKind::kAttribution, json::object(), true,
        {{"context", context}, {"artifact", artifact}});
  }
  if (generated_by && !PipelineArnOf(*generated_by).empty()) {
    Add(RecordKind::kAttribution, json::object(), true,
        {{"context", PipelineRun(*generated_by)}, {"artifact", artifact}});
  }
  return OkStatus();
}

Status EventMapper::ModelCard() {
  PROBITY_ASSIGN_OR_RETURN(const json* detail, event_.Object("/detail"));
  PROBITY_ASSIGN_OR_RETURN(std::string name, event_.String("/detail/ModelCardName"));
  PROBITY_ASSIGN_OR_RETURN(std::string card_status, event_.String("/detail/ModelCardStatus"));
  PROBITY_ASSIGN_OR_RETURN(auto model, event_.OptionalString("/detail/ModelId"));
  PROBITY_ASSIGN_OR_RETURN(auto resource, event_.OptionalString("/resources/0"));
  PROBITY_ASSIGN_OR_RETURN(std::string region, event_.String("/region"));
  PROBITY_ASSIGN_OR_RETURN(std::string account, event_.String("/account"));
  std::string arn = resource && resource->find(":model-card/") != std::string::npos
                        ? *resource
                        : "arn:aws:sagemaker:" + region + ":" + account + ":model-card/" + name;
  source_["original_id"] = arn;
  json properties = Drop(*detail, {"ModelCardStatus", "LastModifiedTime", "LastModifiedBy"});
  size_t card = Artifact("card", arn, name, std::move(properties));
  json status = {{"status", card_status}, {"reason", "SageMaker ModelCardStatus"}};
  json status_source = source_;
  if (const json* by = event_.Find("/detail/LastModifiedBy")) status_source["modified_by"] = *by;
  if (const json* at = event_.Find("/detail/LastModifiedTime")) status_source["modified_at"] = *at;
  plan_.Add(RecordKind::kStatus, std::move(status), std::move(status_source), false,
            {{"target", card}});
  if (model) {
    size_t context = Add(RecordKind::kContext, {{"type", "model"}, {"name", *model}}, true);
    Add(RecordKind::kAttribution, json::object(), true, {{"context", context}, {"artifact", card}});
  }
  return OkStatus();
}

Result<ImportSummary> Commit(const RecordPlan& plan, size_t documents, RecordSink& sink) {
  PROBITY_ASSIGN_OR_RETURN(std::vector<int64_t> ids, plan.Commit(sink));
  return ImportSummary{static_cast<int64_t>(documents), static_cast<int64_t>(ids.size())};
}

Status MapCloudTrailRecord(const FieldReader& record, json source, RecordPlan& plan) {
  PROBITY_ASSIGN_OR_RETURN(std::string version, record.String("/eventVersion"));
  PROBITY_ASSIGN_OR_RETURN(std::string time, record.String("/eventTime"));
  if (!IsRfc3339DateTime(time)) {
    return record.Error("/eventTime", "is \"" + time + "\"", "an RFC 3339 date-time");
  }
  PROBITY_ASSIGN_OR_RETURN(std::string event_source, record.String("/eventSource"));
  PROBITY_ASSIGN_OR_RETURN(std::string name, record.String("/eventName"));
  PROBITY_ASSIGN_OR_RETURN(std::string event_id, record.String("/eventID"));
  PROBITY_ASSIGN_OR_RETURN(const json* identity, record.Object("/userIdentity"));
  PROBITY_ASSIGN_OR_RETURN(auto request_id, record.OptionalString("/requestID"));
  PROBITY_ASSIGN_OR_RETURN(auto error_code, record.OptionalString("/errorCode"));
  PROBITY_ASSIGN_OR_RETURN(const json* request, record.OptionalObject("/requestParameters"));
  PROBITY_ASSIGN_OR_RETURN(const json* response, record.OptionalObject("/responseElements"));
  source["original_id"] = event_id;
  source["event_version"] = version;
  if (request_id) source["request_id"] = *request_id;
  source["user_identity"] = *identity;
  if (response) source["response_elements"] = *response;
  if (error_code) {
    source["error_code"] = *error_code;
    if (const json* message = record.Find("/errorMessage")) source["error_message"] = *message;
  }
  json fields = {{"name", name},
                 {"type", "cloudtrail:" + event_source},
                 {"status", error_code ? "failed" : "complete"},
                 {"started", time},
                 {"ended", time}};
  if (request) fields["parameters"] = *request;
  json environment = Pick(*record.Find(""), {"awsRegion", "sourceIPAddress", "userAgent",
                                             "recipientAccountId", "eventType"});
  if (!environment.empty()) fields["environment"] = std::move(environment);
  plan.Add(RecordKind::kExecution, std::move(fields), std::move(source));
  return OkStatus();
}

}  // namespace

Result<ImportSummary> ImportSageMakerEvents(std::string_view text, std::string_view file,
                                            RecordSink& sink) {
  PROBITY_ASSIGN_OR_RETURN(std::vector<JsonDocument> documents, ParseJsonDocuments(text, file));
  std::string digest = Sha256Of(text).ToString();
  RecordPlan plan;
  for (const auto& document : documents) {
    FieldReader event(text, file, document, "SageMaker event");
    PROBITY_ASSIGN_OR_RETURN(std::string detail_type, event.String("/detail-type"));
    PROBITY_ASSIGN_OR_RETURN(std::string id, event.String("/id"));
    const json* from = event.Find("/source");
    bool from_sagemaker =
        from && ((from->is_string() && *from == "aws.sagemaker") ||
                 (from->is_array() && from->size() == 1 && (*from)[0] == "aws.sagemaker"));
    if (!from_sagemaker) {
      return event.Error("/source", from ? "is " + from->dump() : "is missing",
                         "\"aws.sagemaker\"");
    }
    json source = {{"format", "sagemaker-eventbridge"},
                   {"file_digest", digest},
                   {"event_id", id},
                   {"detail_type", detail_type},
                   {"line", document.line}};
    if (const json* time = event.Find("/time")) source["event_time"] = *time;
    EventMapper mapper(plan, event, std::move(source));
    PROBITY_RETURN_IF_ERROR(mapper.Map(detail_type));
  }
  return Commit(plan, documents.size(), sink);
}

Result<ImportSummary> ImportCloudTrail(std::string_view text, std::string_view file,
                                       RecordSink& sink) {
  PROBITY_ASSIGN_OR_RETURN(std::vector<JsonDocument> documents, ParseJsonDocuments(text, file));
  std::string digest = Sha256Of(text).ToString();
  RecordPlan plan;
  size_t count = 0;
  for (const auto& document : documents) {
    FieldReader whole(text, file, document, "CloudTrail record");
    PROBITY_ASSIGN_OR_RETURN(const json* records, whole.OptionalArray("/Records"));
    json source = {{"format", "cloudtrail"}, {"file_digest", digest}, {"line", document.line}};
    if (records == nullptr) {
      PROBITY_RETURN_IF_ERROR(MapCloudTrailRecord(whole, source, plan));
      ++count;
      continue;
    }
    for (size_t i = 0; i < records->size(); ++i) {
      std::string pointer = "/Records/" + std::to_string(i);
      const json& element = (*records)[i];
      if (!element.is_object()) return whole.Error(pointer, "is not an object", "a record");
      source["record_index"] = i;
      PROBITY_RETURN_IF_ERROR(MapCloudTrailRecord(whole.At(pointer, element), source, plan));
      ++count;
    }
  }
  return Commit(plan, count, sink);
}

}  // namespace probity::lineage
