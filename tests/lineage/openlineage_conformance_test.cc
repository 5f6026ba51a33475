// The OpenLineage material in /work/shared/data/openlineage (SOURCES.md there): every valid
// event imports, every invalid one is rejected at the right path, the Flink templates import
// once their json-unit placeholders are filled in, the Spark partial matchers are rejected
// for their missing required members, and the spec's facet examples validate.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lineage/export/openlineage.h"
#include "lineage/import/openlineage.h"
#include "tests/lineage/native_records.h"
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

std::string Events() { return testing::SharedPath("data/openlineage/events"); }

TEST(OpenLineageConformanceTest, ValidEventsImport) {
  if (Events().empty()) GTEST_SKIP() << "/work/shared/data/openlineage is absent";
  for (const char* name :
       {"client-python-example_full_event.json", "client-python-serde_example_dataset_event.json",
        "client-python-serde_example_job_event.json", "client-python-serde_example_run_event.json",
        "fluentd-event_full.json", "fluentd-event_simple.json"}) {
    MemoryRecordSink sink;
    auto summary = ImportOpenLineage(Slurp(Events() + "/" + name), name, sink);
    ASSERT_TRUE(summary.has_value()) << name << ": " << summary.error().ToString();
    EXPECT_EQ(summary->documents, 1) << name;
    EXPECT_GT(sink.records().size(), 0u) << name;
  }
}

TEST(OpenLineageConformanceTest, InvalidEventsAreRejectedAtThePath) {
  if (Events().empty()) GTEST_SKIP() << "/work/shared/data/openlineage is absent";
  struct Case {
    const char* name;
    const char* path;
    const char* rule;
    int64_t line;
  };
  for (const Case& c :
       {Case{"fluentd-event_no_run_id.json", "/run/runId", "required", 4},
        Case{"fluentd-event_invalid_run_facet.json", "/run/facets/parent/run/runId", "required", 8},
        Case{"fluentd-event_invalid_dataset_facet.json",
             "/outputs/0/facets/ownership/owners/0/name", "required", 21}}) {
    MemoryRecordSink sink;
    auto summary = ImportOpenLineage(Slurp(Events() + "/" + c.name), c.name, sink);
    ASSERT_FALSE(summary.has_value()) << c.name;
    const Status& status = summary.error();
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(std::string("\"") + c.rule + "\" at " + c.path),
              std::string::npos)
        << status.ToString();
    EXPECT_EQ(status.location().file, c.name);
    EXPECT_EQ(status.location().line, c.line) << status.ToString();
    EXPECT_TRUE(sink.records().empty());
  }
}

// json-unit placeholders replaced by values of their type (SOURCES.md: the Flink files are
// templates, not literal events).
std::string FillPlaceholders(std::string text) {
  for (auto [placeholder, value] : {std::pair{"\"${json-unit.any-string}\"", "\"filled\""},
                                    std::pair{"\"${json-unit.any-number}\"", "1"},
                                    std::pair{"\"${json-unit.ignore}\"", "\"filled\""}}) {
    for (size_t at; (at = text.find(placeholder)) != std::string::npos;) {
      text.replace(at, std::string_view(placeholder).size(), value);
    }
  }
  return text;
}

constexpr char kProducer[] =
    "https://github.com/OpenLineage/OpenLineage/tree/1.0.0/integration/flink";

void FillFacets(json& parent, const char* member) {
  if (!parent.contains(member) || !parent[member].is_object()) return;
  for (auto& [key, facet] : parent[member].items()) {
    if (!facet.is_object()) continue;
    if (!facet.contains("_producer")) facet["_producer"] = kProducer;
    if (!facet.contains("_schemaURL")) {
      facet["_schemaURL"] = "https://openlineage.io/spec/facets/1-0-0/" + key + ".json";
    }
  }
}

void FillBaseMembers(json& event) {
  if (!event.contains("eventTime")) event["eventTime"] = "2024-01-01T00:00:00Z";
  if (!event.contains("producer")) event["producer"] = kProducer;
  if (!event.contains("schemaURL")) {
    event["schemaURL"] = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
  }
  if (event.contains("run")) FillFacets(event["run"], "facets");
  if (event.contains("job")) FillFacets(event["job"], "facets");
  for (const char* side : {"inputs", "outputs"}) {
    if (!event.contains(side)) continue;
    for (auto& dataset : event[side]) {
      FillFacets(dataset, "facets");
      FillFacets(dataset, "inputFacets");
      FillFacets(dataset, "outputFacets");
    }
  }
}

TEST(OpenLineageConformanceTest, FlinkTemplatesImportOnceFilled) {
  if (Events().empty()) GTEST_SKIP() << "/work/shared/data/openlineage is absent";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(Events())) {
    std::string name = entry.path().filename();
    if (!name.starts_with("flink-expected_")) continue;
    ++files;
    std::string text = Slurp(entry.path());
    // As they stand (placeholders filled), they are rejected only for required members
    // they leave out: they are partial matchers.
    json events = json::parse(FillPlaceholders(text));
    MemoryRecordSink sink;
    auto partial = ImportOpenLineage(events.dump(), name, sink);
    ASSERT_FALSE(partial.has_value()) << name;
    EXPECT_NE(partial.error().message().find("\"required\""), std::string::npos)
        << partial.error().ToString();
    // With the BaseEvent and BaseFacet members they omit filled in, they import: the facet
    // content Flink writes matches the facet schemas.
    if (!events.is_array()) events = json::array({events});
    for (auto& event : events) FillBaseMembers(event);
    auto summary = ImportOpenLineage(events.dump(), name, sink);
    EXPECT_TRUE(summary.has_value()) << name << ": " << summary.error().ToString();
  }
  EXPECT_EQ(files, 10);
}

TEST(OpenLineageConformanceTest, SparkPartialMatchersLackRequiredMembers) {
  if (Events().empty()) GTEST_SKIP() << "/work/shared/data/openlineage is absent";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(Events())) {
    std::string name = entry.path().filename();
    if (!name.starts_with("spark-container-")) continue;
    ++files;
    MemoryRecordSink sink;
    auto summary = ImportOpenLineage(Slurp(entry.path()), name, sink);
    ASSERT_FALSE(summary.has_value()) << name;
    EXPECT_NE(summary.error().message().find("\"required\""), std::string::npos)
        << summary.error().ToString();
  }
  EXPECT_EQ(files, 4);
}

TEST(OpenLineageConformanceTest, SpecFacetExamplesValidate) {
  std::string examples = testing::SharedPath("data/openlineage/spec-examples");
  if (examples.empty()) GTEST_SKIP() << "/work/shared/data/openlineage is absent";
  auto schemas = OpenLineageSchemas::Get();
  ASSERT_TRUE(schemas.has_value());
  int checked = 0;
  for (const auto& directory : std::filesystem::directory_iterator(examples)) {
    if (!directory.is_directory()) continue;
    std::string facet = directory.path().filename();
    json schema = json::parse(
        Slurp(testing::SharedPath("data/openlineage/schema/facets/" + facet + ".json")));
    std::string id = schema["$id"];
    for (const auto& example : std::filesystem::directory_iterator(directory.path())) {
      json instance = json::parse(Slurp(example.path()));
      auto violation = (*schemas)->schemas().Validate(instance, id);
      EXPECT_FALSE(violation.has_value()) << example.path() << ": " << violation->instance_path
                                          << " " << violation->keyword << " " << violation->message;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 31);
  // The full event example is a RunEvent.
  json full = json::parse(Slurp(examples + "/example_full_event.json"));
  EXPECT_FALSE((*schemas)->Validate(full).has_value());
}

// Every exported event validates with python3-jsonschema (Draft202012Validator, format
// checker) against the shared schema files: an independent check of our validator.
TEST(OpenLineageConformanceTest, ExportedEventsValidateWithPythonJsonschema) {
  std::string schema = testing::SharedPath("data/openlineage/schema");
  if (schema.empty()) GTEST_SKIP() << "/work/shared/data/openlineage is absent";
  std::vector<json> exported;
  auto native = ExportOpenLineage(testing::NativeRecords());
  ASSERT_TRUE(native.has_value()) << native.error().ToString();
  exported = *native;
  for (const char* name : {"fluentd-event_full.json", "fluentd-event_simple.json",
                           "client-python-example_full_event.json"}) {
    MemoryRecordSink sink;
    ASSERT_TRUE(ImportOpenLineage(Slurp(Events() + "/" + name), name, sink).has_value());
    auto events = ExportOpenLineage(sink.AsStored());
    ASSERT_TRUE(events.has_value()) << name << ": " << events.error().ToString();
    exported.insert(exported.end(), events->begin(), events->end());
  }
  std::string path = (std::filesystem::temp_directory_path() /
                      ("probity-exported-" + std::to_string(::getpid()) + ".jsonl"))
                         .string();
  {
    std::ofstream out(path);
    for (const auto& event : exported) out << event.dump() << "\n";
  }
  std::string command = "/usr/bin/python3 " + std::string(PROBITY_SOURCE_DIR) +
                        "/tests/lineage/validate_openlineage.py " + schema + " " + path;
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  // And the same checker rejects an event it should: the validator is not vacuous.
  {
    json broken = exported[0];
    broken["run"]["facets"]["parent"]["run"].erase("runId");
    std::ofstream out(path);
    out << broken.dump() << "\n";
  }
  EXPECT_NE(std::system((command + " 2>/dev/null").c_str()), 0);
  std::filesystem::remove(path);
  EXPECT_EQ(exported.size(), 5u);
}

}  // namespace
}  // namespace probity::lineage
