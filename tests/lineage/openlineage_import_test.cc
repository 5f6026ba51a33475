#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "audit/core/digest.h"
#include "lineage/import/openlineage.h"
#include "tests/testing/memory_record_sink.h"
#include "tests/testing/test_data.h"

namespace probity::lineage {
namespace {

using nlohmann::json;
using testing::MemoryRecordSink;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The minimal START event of spec/OpenLineage.md (lineage.md §3.3), on one line.
constexpr char kStart[] =
    R"({"eventType": "START", "eventTime": "2020-12-09T23:37:31.081Z", )"
    R"("run": {"runId": "3b452093-782c-4ef2-9c0c-aafe2aa6f34d"}, )"
    R"("job": {"namespace": "my-scheduler-namespace", "name": "myjob.mytask"}, )"
    R"("inputs": [{"namespace": "my-datasource-namespace", "name": "instance.schema.table"}], )"
    R"("outputs": [{"namespace": "my-datasource-namespace", "name": "instance.schema.output_table"}], )"
    R"("producer": "https://github.com/OpenLineage/OpenLineage/blob/v1-0-0/client", )"
    R"("schemaURL": "https://openlineage.io/spec/1-0-0/OpenLineage.json#/definitions/RunEvent"})";

std::string Complete() {
  std::string event = kStart;
  event.replace(event.find("START"), 5, "COMPLETE");
  event.replace(event.find("23:37:31.081Z"), 13, "23:40:00.000Z");
  return event;
}

TEST(ImportOpenLineageTest, StartEventBecomesExecutionArtifactsEventsAndJobContext) {
  MemoryRecordSink sink;
  auto summary = ImportOpenLineage(kStart, "start.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(summary->documents, 1);
  ASSERT_EQ(sink.records().size(), 7u);
  // 1 execution, 2 job context, 3 association, 4/6 artifacts, 5/7 events.
  const json& execution = sink.at(1).fields;
  EXPECT_EQ(sink.at(1).kind, RecordKind::kExecution);
  EXPECT_EQ(execution["name"], "myjob.mytask");
  EXPECT_EQ(execution["status"], "running");
  EXPECT_EQ(execution["started"], "2020-12-09T23:37:31.081Z");
  EXPECT_FALSE(execution.contains("ended"));
  EXPECT_FALSE(execution.contains("previous"));
  json source = execution["source"];
  EXPECT_EQ(source["format"], "openlineage");
  EXPECT_EQ(source["file_digest"], Sha256Of(kStart).ToString());
  EXPECT_EQ(source["original_id"], "3b452093-782c-4ef2-9c0c-aafe2aa6f34d");
  EXPECT_EQ(source["line"], 1);
  EXPECT_EQ(source["event_type"], "START");
  EXPECT_EQ(source["job_namespace"], "my-scheduler-namespace");

  EXPECT_EQ(sink.at(2).kind, RecordKind::kContext);
  EXPECT_EQ(sink.at(2).fields["type"], "job");
  EXPECT_EQ(sink.at(2).fields["name"], "my-scheduler-namespace/myjob.mytask");
  EXPECT_EQ(sink.at(3).kind, RecordKind::kAssociation);
  EXPECT_EQ(sink.at(3).fields["context"], 2);
  EXPECT_EQ(sink.at(3).fields["execution"], 1);

  EXPECT_EQ(sink.at(4).kind, RecordKind::kArtifact);
  EXPECT_EQ(sink.at(4).fields["kind"], "dataset");
  EXPECT_EQ(sink.at(4).fields["uri"], "my-datasource-namespace/instance.schema.table");
  EXPECT_EQ(sink.at(4).fields["name"], "instance.schema.table");
  EXPECT_FALSE(sink.at(4).fields.contains("digest"));
  EXPECT_EQ(sink.at(4).fields["properties"]["namespace"], "my-datasource-namespace");
  EXPECT_EQ(sink.at(5).kind, RecordKind::kEvent);
  EXPECT_EQ(sink.at(5).fields["direction"], "input");
  EXPECT_EQ(sink.at(5).fields["execution"], 1);
  EXPECT_EQ(sink.at(5).fields["artifact"], 4);
  EXPECT_EQ(sink.at(7).fields["direction"], "output");
  EXPECT_EQ(sink.at(7).fields["artifact"], 6);
  for (const auto& record : sink.records()) {
    EXPECT_EQ(record.fields["source"]["original_id"], "3b452093-782c-4ef2-9c0c-aafe2aa6f34d");
  }
}

TEST(ImportOpenLineageTest, EventsOfOneRunAreChainedByPrevious) {
  std::string text = std::string(kStart) + "\n" + Complete() + "\n";
  MemoryRecordSink sink;
  auto summary = ImportOpenLineage(text, "run.jsonl", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(summary->documents, 2);
  auto executions = sink.OfKind(RecordKind::kExecution);
  ASSERT_EQ(executions.size(), 2u);
  const json& second = executions[1].fields;
  EXPECT_EQ(second["status"], "complete");
  EXPECT_EQ(second["previous"], 1);
  EXPECT_EQ(second["started"], "2020-12-09T23:37:31.081Z");
  EXPECT_EQ(second["ended"], "2020-12-09T23:40:00.000Z");
  EXPECT_EQ(second["source"]["line"], 2);
  // The same datasets and job are recorded once.
  EXPECT_EQ(sink.OfKind(RecordKind::kArtifact).size(), 2u);
  EXPECT_EQ(sink.OfKind(RecordKind::kContext).size(), 1u);
  EXPECT_EQ(sink.OfKind(RecordKind::kEvent).size(), 4u);
}

TEST(ImportOpenLineageTest, ParentAndRootRunsBecomePipelineRunContexts) {
  json event = json::parse(kStart);
  event["run"]["facets"]["parent"] = {
      {"_producer", "https://example.test/p"},
      {"_schemaURL", "https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json"},
      {"run", {{"runId", "11111111-2222-3333-4444-555555555555"}}},
      {"job", {{"namespace", "airflow"}, {"name", "dag"}}},
      {"root",
       {{"run", {{"runId", "99999999-2222-3333-4444-555555555555"}}},
        {"job", {{"namespace", "airflow"}, {"name", "root_dag"}}}}}};
  MemoryRecordSink sink;
  auto summary = ImportOpenLineage(event.dump(), "parent.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  auto contexts = sink.OfKind(RecordKind::kContext);
  ASSERT_EQ(contexts.size(), 3u);  // job, root run, parent run
  const json& root = contexts[1].fields;
  const json& parent = contexts[2].fields;
  EXPECT_EQ(root["type"], "pipeline_run");
  EXPECT_EQ(root["name"], "99999999-2222-3333-4444-555555555555");
  EXPECT_EQ(parent["name"], "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(parent["properties"]["job"]["name"], "dag");
  EXPECT_EQ(parent["parent"], 4);  // the root context's id
  EXPECT_EQ(sink.at(4).fields["name"], "99999999-2222-3333-4444-555555555555");
  auto associations = sink.OfKind(RecordKind::kAssociation);
  ASSERT_EQ(associations.size(), 2u);
  EXPECT_EQ(associations[1].fields["context"], 5);
  EXPECT_EQ(associations[1].fields["execution"], 1);
  // The run facets are the execution's parameters.
  EXPECT_EQ(sink.at(1).fields["parameters"]["parent"]["job"]["name"], "dag");
}

TEST(ImportOpenLineageTest, JobAndDatasetEvents) {
  MemoryRecordSink sink;
  std::string job_text = Slurp(
      testing::TestDataPath("lineage/openlineage/client-python-serde_example_job_event.json"));
  auto job = ImportOpenLineage(job_text, "job.json", sink);
  ASSERT_TRUE(job.has_value()) << job.error().ToString();
  ASSERT_GE(sink.records().size(), 1u);
  EXPECT_EQ(sink.at(1).kind, RecordKind::kContext);
  EXPECT_EQ(sink.at(1).fields["type"], "job");
  EXPECT_TRUE(sink.OfKind(RecordKind::kExecution).empty());

  MemoryRecordSink datasets;
  std::string dataset_text = Slurp(
      testing::TestDataPath("lineage/openlineage/client-python-serde_example_dataset_event.json"));
  auto dataset = ImportOpenLineage(dataset_text, "dataset.json", datasets);
  ASSERT_TRUE(dataset.has_value()) << dataset.error().ToString();
  ASSERT_EQ(datasets.records().size(), 1u);
  EXPECT_EQ(datasets.at(1).kind, RecordKind::kArtifact);
  EXPECT_EQ(datasets.at(1).fields["kind"], "dataset");
}

TEST(ImportOpenLineageTest, MembersOutsideTheMatchedEventKindAreNotRead) {
  // Valid as a RunEvent (extra members are allowed); "dataset" belongs to DatasetEvent and
  // was not validated, so it must not make this a dataset event.
  json run_event = json::parse(kStart);
  run_event["dataset"] = json::object();
  MemoryRecordSink sink;
  auto summary = ImportOpenLineage(run_event.dump(), "run.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(sink.OfKind(RecordKind::kExecution).size(), 1u);
  // Valid as a DatasetEvent: a "run" without "job" is not a RunEvent.
  json dataset_event = {{"eventTime", "2024-01-01T00:00:00Z"},
                        {"producer", "https://example.test/p"},
                        {"schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json"},
                        {"dataset", {{"namespace", "db"}, {"name", "t"}}},
                        {"run", 5}};
  MemoryRecordSink datasets;
  summary = ImportOpenLineage(dataset_event.dump(), "dataset.json", datasets);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  ASSERT_EQ(datasets.records().size(), 1u);
  EXPECT_EQ(datasets.at(1).fields["uri"], "db/t");
}

TEST(ImportOpenLineageTest, DatasetFacetsAreKeptAsProperties) {
  std::string text = Slurp(testing::TestDataPath("lineage/openlineage/fluentd-event_full.json"));
  json event = json::parse(text);
  MemoryRecordSink sink;
  auto summary = ImportOpenLineage(text, "full.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  auto artifacts = sink.OfKind(RecordKind::kArtifact);
  ASSERT_FALSE(artifacts.empty());
  EXPECT_EQ(artifacts[0].fields["properties"]["inputFacets"], event["inputs"][0]["inputFacets"]);
  EXPECT_EQ(sink.OfKind(RecordKind::kExecution)[0].fields["parameters"], event["run"]["facets"]);
}

TEST(ImportOpenLineageTest, OneInvalidEventRejectsTheWholeFile) {
  json bad = json::parse(kStart);
  bad["run"].erase("runId");
  std::string text = std::string(kStart) + "\n" + Complete() + "\n" + bad.dump() + "\n";
  MemoryRecordSink sink;
  auto summary = ImportOpenLineage(text, "mixed.jsonl", sink);
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(summary.error().location().file, "mixed.jsonl");
  EXPECT_EQ(summary.error().location().line, 3);
  EXPECT_NE(summary.error().message().find("\"required\" at /run/runId"), std::string::npos)
      << summary.error().ToString();
  EXPECT_TRUE(sink.records().empty());
}

TEST(ImportOpenLineageTest, ViolationIsLocatedAtTheOffendingValue) {
  json event = json::parse(kStart);
  event["eventType"] = "STARTED";
  std::string text = event.dump(2);
  MemoryRecordSink sink;
  auto summary = ImportOpenLineage(text, "pretty.json", sink);
  ASSERT_FALSE(summary.has_value());
  EXPECT_NE(summary.error().message().find("\"enum\" at /eventType"), std::string::npos);
  // nlohmann sorts keys: eventTime, eventType, … so eventType is on line 3.
  EXPECT_EQ(summary.error().location().line, 3);
  EXPECT_EQ(summary.error().location().column, 16);
}

TEST(ImportOpenLineageTest, MalformedJsonIsLocated) {
  MemoryRecordSink sink;
  auto lines = ImportOpenLineage(std::string(kStart) + "\n{\"eventType\": \n", "bad.jsonl", sink);
  ASSERT_FALSE(lines.has_value());
  EXPECT_EQ(lines.error().location().line, 2);
  EXPECT_NE(lines.error().message().find("malformed JSON"), std::string::npos);
  auto document = ImportOpenLineage("{\n  \"a\": 1,\n  \"b\": tru\n}", "bad.json", sink);
  ASSERT_FALSE(document.has_value());
  EXPECT_EQ(document.error().location().line, 3);
  auto scalar = ImportOpenLineage("[1]", "array.json", sink);
  ASSERT_FALSE(scalar.has_value());
  EXPECT_EQ(scalar.error().expected(), "a JSON object (an event)");
  auto empty = ImportOpenLineage(" \n", "empty.json", sink);
  EXPECT_EQ(empty.error().code(), StatusCode::kInvalidArgument);
  std::string deep(300, '[');
  auto nested = ImportOpenLineage(deep, "deep.json", sink);
  ASSERT_FALSE(nested.has_value());
  EXPECT_NE(nested.error().message().find("nested deeper"), std::string::npos);
  EXPECT_TRUE(sink.records().empty());
}

TEST(ImportOpenLineageTest, ArrayOfEventsKeepsEachEventsLine) {
  std::string text = "[\n" + std::string(kStart) + ",\n" + Complete() + "\n]\n";
  MemoryRecordSink sink;
  auto summary = ImportOpenLineage(text, "array.json", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  auto executions = sink.OfKind(RecordKind::kExecution);
  ASSERT_EQ(executions.size(), 2u);
  EXPECT_EQ(executions[0].fields["source"]["line"], 2);
  EXPECT_EQ(executions[1].fields["source"]["line"], 3);
}

TEST(ImportOpenLineageTest, SinkErrorsAreReturned) {
  MemoryRecordSink sink;
  sink.FailAfter(2);
  auto summary = ImportOpenLineage(kStart, "start.json", sink);
  ASSERT_FALSE(summary.has_value());
  EXPECT_EQ(summary.error().code(), StatusCode::kIoError);
}

TEST(ImportOpenLineageTest, OtherEventKeepsTheRunsStatus) {
  std::string other = Complete();
  other.replace(other.find("COMPLETE"), 8, "OTHER");
  std::string text = Complete() + "\n" + other + "\n";
  MemoryRecordSink sink;
  ASSERT_TRUE(ImportOpenLineage(text, "other.jsonl", sink).has_value());
  auto executions = sink.OfKind(RecordKind::kExecution);
  EXPECT_EQ(executions[1].fields["status"], "complete");
  EXPECT_EQ(executions[1].fields["ended"], "2020-12-09T23:40:00.000Z");
}

// A RecordBatches over memory, recording each commit and waking a waiting writer. Ids
// continue across batches, like the store's.
class MemoryBatches : public RecordBatches {
 public:
  Result<RecordSink*> Begin() override { return &pending_; }
  Status Commit() override {
    std::lock_guard<std::mutex> lock(mutex_);
    committed_.push_back(pending_.records.size());
    all_.insert(all_.end(), pending_.records.begin(), pending_.records.end());
    pending_.records.clear();
    changed_.notify_all();
    return OkStatus();
  }
  // Waits until at least `count` batches are committed; false after 5 s.
  bool WaitForBatches(size_t count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(5),
                             [&] { return committed_.size() >= count; });
  }
  std::vector<size_t> committed() {
    std::lock_guard<std::mutex> lock(mutex_);
    return committed_;
  }
  std::vector<Record> all() {
    std::lock_guard<std::mutex> lock(mutex_);
    return all_;
  }

 private:
  struct BatchSink : RecordSink {
    Result<int64_t> Add(Record record) override {
      records.push_back(std::move(record));
      return ++next_id;
    }
    std::vector<Record> records;
    int64_t next_id = 0;
  };
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<size_t> committed_;
  std::vector<Record> all_;
  BatchSink pending_;
};

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid())))
      .string();
}

void WriteString(int fd, const std::string& text) {
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

TEST(FollowOpenLineageTest, QuietStreamFlushesWithinTheDelayAndRejectsAreKept) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  MemoryBatches batches;
  std::string rejects = TempPath("probity-rejects");
  std::filesystem::remove(rejects);
  std::vector<Status> reported;
  FollowOptions options;
  options.name = "stdin";
  options.max_records = 1000;
  options.max_delay = std::chrono::milliseconds(50);
  options.rejects_path = rejects;
  options.on_reject = [&](const Status& status) { reported.push_back(status); };

  std::thread writer([&] {
    // Each line goes out only after the previous batch was committed: the stream is quiet
    // meanwhile, so only the delay can have flushed it.
    WriteString(pipe_fds[1], std::string(kStart) + "\n");
    EXPECT_TRUE(batches.WaitForBatches(1));
    WriteString(pipe_fds[1], "not json\n\n");
    WriteString(pipe_fds[1], Complete().substr(0, 40));  // half a line…
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
    WriteString(pipe_fds[1], Complete().substr(40) + "\n");  // … and the rest
    EXPECT_TRUE(batches.WaitForBatches(2));
    json bad = json::parse(kStart);
    bad["run"]["runId"] = 7;
    WriteString(pipe_fds[1], bad.dump() + "\n");
    ::close(pipe_fds[1]);
  });
  auto summary = FollowOpenLineage(pipe_fds[0], batches, options);
  writer.join();
  ::close(pipe_fds[0]);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(summary->lines, 5);
  EXPECT_EQ(summary->events, 2);
  EXPECT_EQ(summary->rejected, 2);
  EXPECT_EQ(summary->batches, 2);
  EXPECT_EQ(batches.committed(), (std::vector<size_t>{7, 7}));
  ASSERT_EQ(reported.size(), 2u);
  EXPECT_EQ(reported[0].location().line, 2);
  EXPECT_EQ(reported[0].location().file, "stdin");
  EXPECT_EQ(reported[1].location().line, 5);
  EXPECT_NE(reported[1].message().find("\"type\" at /run/runId"), std::string::npos);
  json bad = json::parse(kStart);
  bad["run"]["runId"] = 7;
  EXPECT_EQ(Slurp(rejects), "not json\n" + bad.dump() + "\n");
  std::filesystem::remove(rejects);

  // The second batch's execution continues the run committed in the first.
  auto all = batches.all();
  ASSERT_EQ(all.size(), 14u);
  EXPECT_EQ(all[7].kind, RecordKind::kExecution);
  EXPECT_EQ(all[7].fields["previous"], 1);
  EXPECT_EQ(all[7].fields["source"]["line"], 4);
  EXPECT_EQ(all[7].fields["source"]["stream"], "stdin");
  EXPECT_EQ(all[7].fields["source"]["event_digest"], Sha256Of(Complete()).ToString());
}

TEST(FollowOpenLineageTest, BatchesAreCutAtMaxRecords) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  std::string text;
  for (int i = 0; i < 3; ++i) text += std::string(kStart) + "\n";
  WriteString(pipe_fds[1], text + "{\"unterminated\": 1}");
  ::close(pipe_fds[1]);
  MemoryBatches batches;
  FollowOptions options;
  // The first event of a run gives 7 records, each later one 4 more (execution,
  // association, two events): 7 + 4 >= 8 cuts the batch after the second event.
  options.max_records = 8;
  options.max_delay = std::chrono::hours(1);
  int64_t rejected_line = 0;
  options.on_reject = [&](const Status& status) { rejected_line = status.location().line; };
  auto summary = FollowOpenLineage(pipe_fds[0], batches, options);
  ::close(pipe_fds[0]);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(summary->events, 3);
  EXPECT_EQ(rejected_line, 4);  // the last line, without a newline, is still read
  EXPECT_EQ(batches.committed(), (std::vector<size_t>{11, 7}));
}

TEST(FollowOpenLineageTest, OverlongLinesAreRejectedNotBuffered) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  std::thread writer([&] {
    WriteString(pipe_fds[1], std::string(5000, 'x') + "\n" + kStart + "\n");
    ::close(pipe_fds[1]);
  });
  MemoryBatches batches;
  FollowOptions options;
  options.max_line_bytes = 1000;
  std::vector<int64_t> lines;
  options.on_reject = [&](const Status& status) { lines.push_back(status.location().line); };
  auto summary = FollowOpenLineage(pipe_fds[0], batches, options);
  writer.join();
  ::close(pipe_fds[0]);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  EXPECT_EQ(lines, std::vector<int64_t>{1});
  EXPECT_EQ(summary->events, 1);
  EXPECT_EQ(summary->lines, 2);
}

}  // namespace
}  // namespace probity::lineage
