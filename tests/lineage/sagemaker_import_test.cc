// SageMaker EventBridge and CloudTrail samples (tests/data/lineage/sagemaker, from the AWS
// SageMaker developer guide; SOURCES.md there) import with the records checked here by hand.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "audit/core/digest.h"
#include "lineage/import/sagemaker.h"
#include "tests/testing/memory_record_sink.h"
#include "tests/testing/test_data.h"

namespace probity::lineage {
namespace {

using nlohmann::json;
using testing::MemoryRecordSink;

std::string Sample(const std::string& name) {
  std::ifstream in(testing::TestDataPath("lineage/sagemaker/" + name), std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<RecordKind> Kinds(const MemoryRecordSink& sink) {
  std::vector<RecordKind> kinds;
  for (const auto& record : sink.records()) kinds.push_back(record.kind);
  return kinds;
}

TEST(ImportSageMakerEventsTest, TrainingJob) {
  std::string text = Sample("TrainingJobStateChange.event.json");
  MemoryRecordSink sink;
  auto summary = ImportSageMakerEvents(text, "training.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(Kinds(sink), (std::vector<RecordKind>{RecordKind::kExecution, RecordKind::kArtifact,
                                                  RecordKind::kEvent}));
  const json& execution = sink.at(1).fields;
  EXPECT_EQ(execution["name"], "89c96cc8-dded-4739-afcc-6f1dc936701d");
  EXPECT_EQ(execution["type"], "sagemaker:TrainingJob");
  EXPECT_EQ(execution["status"], "complete");
  EXPECT_EQ(execution["parameters"], json({{"Hyper", "Parameters"}}));
  EXPECT_EQ(execution["started"], "2020-03-10T09:18:09.050Z");  // "1583831889050" ms
  EXPECT_EQ(execution["ended"], "2020-03-10T09:18:09.050Z");
  EXPECT_EQ(execution["environment"]["RoleArn"], "arn:aws:iam::123456789012:role/SMRole");
  EXPECT_EQ(execution["environment"]["ResourceConfig"]["InstanceCount"], 3);
  const json& source = execution["source"];
  EXPECT_EQ(source["format"], "sagemaker-eventbridge");
  EXPECT_EQ(source["file_digest"], Sha256Of(text).ToString());
  EXPECT_EQ(source["original_id"],
            "arn:aws:sagemaker:us-east-1:123456789012:training-job/kmeans-1");
  EXPECT_EQ(source["event_id"], "844e2571-85d4-695f-b930-0153b71dcb42");
  EXPECT_EQ(source["detail_type"], "SageMaker Training Job State Change");
  EXPECT_EQ(source["line"], 1);
  const json& channel = sink.at(2).fields;
  EXPECT_EQ(channel["kind"], "dataset");
  EXPECT_EQ(channel["uri"], "S3Uri");  // the sample's placeholder, recorded as given
  EXPECT_EQ(channel["name"], "Train");
  EXPECT_EQ(channel["properties"]["ContentType"], "ContentType");
  EXPECT_EQ(sink.at(3).fields, json({{"direction", "input"},
                                     {"role", "Train"},
                                     {"execution", 1},
                                     {"artifact", 2},
                                     {"source", source}}));
}

TEST(ImportSageMakerEventsTest, TrainingJobModelArtifactIsAnOutput) {
  json event = json::parse(Sample("TrainingJobStateChange.event.json"));
  event["detail"]["ModelArtifacts"] = {{"S3ModelArtifacts", "s3://bucket/out/model.tar.gz"}};
  MemoryRecordSink sink;
  ASSERT_TRUE(ImportSageMakerEvents(event.dump(), "training.json", sink).has_value());
  ASSERT_EQ(sink.records().size(), 5u);
  EXPECT_EQ(sink.at(4).fields["kind"], "model");
  EXPECT_EQ(sink.at(4).fields["uri"], "s3://bucket/out/model.tar.gz");
  EXPECT_EQ(sink.at(5).fields["direction"], "output");
  EXPECT_EQ(sink.at(5).fields["artifact"], 4);
}

TEST(ImportSageMakerEventsTest, PipelineExecutionAndStepShareTheRunContext) {
  std::string text = "[" + Sample("PipelineExecutionStateChange.event.json") + "," +
                     Sample("PipelineStepStateChange.event.json") + "]";
  MemoryRecordSink sink;
  auto summary = ImportSageMakerEvents(text, "pipeline.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(summary->documents, 2);
  EXPECT_EQ(Kinds(sink), (std::vector<RecordKind>{RecordKind::kContext, RecordKind::kExecution,
                                                  RecordKind::kAssociation, RecordKind::kExecution,
                                                  RecordKind::kAssociation}));
  const json& context = sink.at(1).fields;
  EXPECT_EQ(context["type"], "pipeline_run");
  EXPECT_EQ(
      context["name"],
      "arn:aws:sagemaker:us-east-1:123456789012:pipeline/myPipeline-123/execution/p4jn9xou8a8s");
  EXPECT_EQ(context["properties"]["pipelineArn"],
            "arn:aws:sagemaker:us-east-1:123456789012:pipeline/myPipeline-123");
  const json& pipeline = sink.at(2).fields;
  EXPECT_EQ(pipeline["name"], "SomeDisplayName");
  EXPECT_EQ(pipeline["type"], "sagemaker:PipelineExecution");
  EXPECT_EQ(pipeline["status"], "complete");
  EXPECT_EQ(pipeline["started"], "2021-03-15T16:03:13Z");
  EXPECT_EQ(pipeline["ended"], "2021-03-15T16:10:10Z");
  const json& step = sink.at(4).fields;
  EXPECT_EQ(step["name"], "myprocessingstep1");
  EXPECT_EQ(step["type"], "sagemaker:PipelineStep/Processing");
  EXPECT_EQ(step["status"], "complete");
  EXPECT_EQ(step["environment"]["metadata"]["processingJob"]["arn"],
            "arn:aws:sagemaker:us-east-1:123456789012:processing-job/"
            "pipelines-p4jn9xou8a8s-myprocessingstep1-tmgxry49ug");
  // The first file has 23 lines, each ending in a newline: the second event starts on 24.
  EXPECT_EQ(step["source"]["line"], 24);
  EXPECT_EQ(sink.at(5).fields["context"], 1);
  EXPECT_EQ(sink.at(5).fields["execution"], 4);
}

TEST(ImportSageMakerEventsTest, ModelPackageIsAModelArtifactWithItsApprovalStatus) {
  MemoryRecordSink sink;
  auto summary =
      ImportSageMakerEvents(Sample("ModelPackageStateChange.event.json"), "package.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(Kinds(sink), (std::vector<RecordKind>{RecordKind::kArtifact, RecordKind::kStatus,
                                                  RecordKind::kContext, RecordKind::kAttribution,
                                                  RecordKind::kContext, RecordKind::kAttribution}));
  const json& package = sink.at(1).fields;
  EXPECT_EQ(package["kind"], "model");
  EXPECT_EQ(package["uri"],
            "arn:aws:sagemaker:us-east-2:123456789012:model-package/versionedmp-p-idy6c3e1fiqj/2");
  EXPECT_EQ(package["name"], "versionedmp-p-idy6c3e1fiqj/2");
  EXPECT_EQ(package["properties"]["ModelPackageVersion"], 2);
  EXPECT_FALSE(package["properties"].contains("ModelApprovalStatus"));
  EXPECT_EQ(sink.at(2).fields["target"], 1);
  EXPECT_EQ(sink.at(2).fields["status"], "Rejected");
  EXPECT_EQ(sink.at(2).fields["reason"],
            "SageMaker ModelApprovalStatus; ModelPackageStatus Completed");
  EXPECT_EQ(sink.at(3).fields["type"], "model");
  EXPECT_EQ(sink.at(3).fields["name"], "versionedmp-p-idy6c3e1fiqj");
  EXPECT_EQ(sink.at(5).fields["name"],
            "arn:aws:sagemaker:us-east-2:123456789012:pipeline/versionedmp-p-idy6c3e1fiqj/"
            "execution/4r83jejmhorv");
  EXPECT_EQ(sink.at(6).fields["context"], 5);
  EXPECT_EQ(sink.at(6).fields["artifact"], 1);
}

TEST(ImportSageMakerEventsTest, ModelCardIsACardArtifactWithAStatus) {
  MemoryRecordSink sink;
  auto summary =
      ImportSageMakerEvents(Sample("ModelCardStateChange.event.json"), "card.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(Kinds(sink), (std::vector<RecordKind>{RecordKind::kArtifact, RecordKind::kStatus,
                                                  RecordKind::kContext, RecordKind::kAttribution}));
  const json& card = sink.at(1).fields;
  EXPECT_EQ(card["kind"], "card");
  EXPECT_EQ(card["uri"], "arn:aws:sagemaker:us-east-1:123456789012:model-card/example-card");
  EXPECT_EQ(card["properties"]["ModelCardVersion"], 2);
  EXPECT_EQ(card["properties"]["CreatedBy"]["UserProfileName"], "user");
  const json& status = sink.at(2).fields;
  EXPECT_EQ(status["status"], "Draft");
  EXPECT_EQ(status["target"], 1);
  EXPECT_EQ(status["source"]["modified_at"], "2022-12-03T00:09:44.893854735Z");
  EXPECT_EQ(sink.at(3).fields["name"], "example-model");
}

TEST(ImportSageMakerEventsTest, EndpointIsADeploymentExecution) {
  MemoryRecordSink sink;
  auto summary =
      ImportSageMakerEvents(Sample("EndpointStateChange.event.json"), "endpoint.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  ASSERT_EQ(sink.records().size(), 1u);
  EXPECT_EQ(sink.at(1).fields["status"], "complete");                   // IN_SERVICE
  EXPECT_EQ(sink.at(1).fields["started"], "2020-06-17T16:39:52.203Z");  // 1592411992203.0
  EXPECT_EQ(sink.at(1).fields["parameters"]["EndpointConfigName"], "MyEndpointConfig");
}

TEST(ImportSageMakerEventsTest, UnknownStatusIsALocatedError) {
  // The documentation's transform job sample has TransformJobStatus "another status... GO".
  MemoryRecordSink sink;
  auto summary =
      ImportSageMakerEvents(Sample("TransformJobStateChange.event.json"), "transform.json", sink);
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(summary.error().message().find("/detail/TransformJobStatus"), std::string::npos);
  EXPECT_EQ(summary.error().location().line, 15);
  EXPECT_EQ(summary.error().location().column, 27);
  // With a real status it imports: inputs and outputs from TransformInput/TransformOutput.
  json event = json::parse(Sample("TransformJobStateChange.event.json"));
  event["detail"]["TransformJobStatus"] = "Completed";
  ASSERT_TRUE(ImportSageMakerEvents(event.dump(), "transform.json", sink).has_value());
  EXPECT_EQ(Kinds(sink), (std::vector<RecordKind>{RecordKind::kExecution, RecordKind::kArtifact,
                                                  RecordKind::kEvent, RecordKind::kArtifact,
                                                  RecordKind::kEvent}));
  EXPECT_EQ(sink.at(1).fields["parameters"]["ModelName"], "i am a beautiful model");
}

TEST(ImportSageMakerEventsTest, MalformedEventsGiveLocatedErrors) {
  json event = json::parse(Sample("TrainingJobStateChange.event.json"));
  MemoryRecordSink sink;

  json missing = event;
  missing["detail"].erase("TrainingJobName");
  auto no_name = ImportSageMakerEvents(missing.dump(2), "e.json", sink);
  ASSERT_FALSE(no_name.has_value());
  EXPECT_NE(no_name.error().message().find("/detail/TrainingJobName is missing"), std::string::npos)
      << no_name.error().ToString();
  EXPECT_EQ(no_name.error().expected(), "a string");

  json wrong = event;
  wrong["detail"]["HyperParameters"] = json::array();
  auto typed = ImportSageMakerEvents(wrong.dump(), "e.json", sink);
  ASSERT_FALSE(typed.has_value());
  EXPECT_NE(typed.error().message().find("/detail/HyperParameters is a array"), std::string::npos);

  json channel = event;
  channel["detail"]["InputDataConfig"][0]["DataSource"]["S3DataSource"].erase("S3Uri");
  auto no_uri = ImportSageMakerEvents(channel.dump(), "e.json", sink);
  ASSERT_FALSE(no_uri.has_value());
  EXPECT_NE(
      no_uri.error().message().find("/detail/InputDataConfig/0/DataSource/S3DataSource/S3Uri"),
      std::string::npos);

  json time = event;
  time["detail"]["TrainingStartTime"] = "yesterday";
  EXPECT_FALSE(ImportSageMakerEvents(time.dump(), "e.json", sink).has_value());

  json other = event;
  other["detail-type"] = "SageMaker HyperParameter Tuning Job State Change";
  auto unknown = ImportSageMakerEvents(other.dump(), "e.json", sink);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), StatusCode::kUnimplemented);

  json foreign = event;
  foreign["source"] = "aws.ec2";
  auto not_sagemaker = ImportSageMakerEvents(foreign.dump(), "e.json", sink);
  ASSERT_FALSE(not_sagemaker.has_value());
  EXPECT_NE(not_sagemaker.error().message().find("/source"), std::string::npos);

  // One bad event in JSON Lines rejects the file whole, at its line.
  auto lines = ImportSageMakerEvents(event.dump() + "\n" + missing.dump() + "\n", "e.jsonl", sink);
  ASSERT_FALSE(lines.has_value());
  EXPECT_EQ(lines.error().location().line, 2);
  EXPECT_TRUE(sink.records().empty());
}

TEST(ImportCloudTrailTest, ApiCallBecomesAnExecutionWithTheCallerInItsSource) {
  std::string text = Sample("CreateEndpoint.cloudtrail.json");
  MemoryRecordSink sink;
  auto summary = ImportCloudTrail(text, "trail.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  ASSERT_EQ(sink.records().size(), 1u);
  const json& call = sink.at(1).fields;
  EXPECT_EQ(sink.at(1).kind, RecordKind::kExecution);
  EXPECT_EQ(call["name"], "CreateEndpoint");
  EXPECT_EQ(call["type"], "cloudtrail:sagemaker.amazonaws.com");
  EXPECT_EQ(call["status"], "complete");
  EXPECT_EQ(call["started"], "2018-01-02T13:39:06Z");
  EXPECT_EQ(call["ended"], "2018-01-02T13:39:06Z");
  EXPECT_EQ(call["parameters"], json({{"endpointName", "ExampleEndpoint"},
                                      {"endpointConfigName", "ExampleEndpointConfig"}}));
  EXPECT_EQ(call["environment"]["awsRegion"], "us-west-2");
  EXPECT_EQ(call["environment"]["sourceIPAddress"], "127.0.0.1");
  const json& source = call["source"];
  EXPECT_EQ(source["format"], "cloudtrail");
  EXPECT_EQ(source["file_digest"], Sha256Of(text).ToString());
  EXPECT_EQ(source["original_id"], "a6f85b21-EXAMPLE");
  EXPECT_EQ(source["request_id"], "6b1b42b9-EXAMPLE");
  EXPECT_EQ(source["user_identity"]["userName"], "intern");
  EXPECT_EQ(source["user_identity"]["arn"], "arn:aws:iam::123456789012:user/intern");
  EXPECT_EQ(source["response_elements"]["endpointArn"],
            "arn:aws:sagemaker:us-west-2:123456789012:endpoint/exampleendpoint");
}

TEST(ImportCloudTrailTest, LogFileRecordsAndFailedCalls) {
  json record = json::parse(Sample("CreateEndpoint.cloudtrail.json"));
  json failed = record;
  failed["eventID"] = "b7f85b21-EXAMPLE";
  failed["errorCode"] = "ValidationException";
  failed["errorMessage"] = "Could not find endpoint configuration";
  json log = {{"Records", {record, failed}}};
  MemoryRecordSink sink;
  auto summary = ImportCloudTrail(log.dump(2), "log.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(summary->documents, 2);
  ASSERT_EQ(sink.records().size(), 2u);
  EXPECT_EQ(sink.at(2).fields["status"], "failed");
  EXPECT_EQ(sink.at(2).fields["source"]["error_code"], "ValidationException");
  EXPECT_EQ(sink.at(2).fields["source"]["record_index"], 1);

  json broken = log;
  broken["Records"][1].erase("userIdentity");
  MemoryRecordSink none;
  auto missing = ImportCloudTrail(broken.dump(2), "log.json", none);
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message().find("/Records/1/userIdentity is missing"), std::string::npos)
      << missing.error().ToString();
  EXPECT_GT(missing.error().location().line, 20);  // inside the second record
  EXPECT_TRUE(none.records().empty());

  json bad_time = record;
  bad_time["eventTime"] = "2018-01-02";
  EXPECT_FALSE(ImportCloudTrail(bad_time.dump(), "r.json", none).has_value());
}

}  // namespace
}  // namespace probity::lineage
