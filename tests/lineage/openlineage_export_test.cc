#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "audit/core/version.h"
#include "lineage/export/openlineage.h"
#include "lineage/import/openlineage.h"
#include "tests/lineage/native_records.h"
#include "tests/testing/memory_record_sink.h"
#include "tests/testing/test_data.h"

namespace probity::lineage {
namespace {

using nlohmann::json;

TEST(DeriveRunIdTest, MatchesAHandComputedUuidV8) {
  // python3: b = sha256(UUID('1ce86de9-…').bytes + b'execution:1').digest()[:16];
  // b[6] = b[6] & 0x0f | 0x80; b[8] = b[8] & 0x3f | 0x80.
  EXPECT_EQ(DeriveRunId(kProbityRunIdNamespace, "execution:1"),
            "ff814372-cb8f-8862-8912-f5c3c4ae385e");
  EXPECT_EQ(DeriveRunId(kProbityRunIdNamespace, "context:2"),
            "d1f5c27e-a7c9-809c-899b-3f2145c324ea");
  EXPECT_TRUE(IsUuid(DeriveRunId({}, "")));
}

TEST(ExportOpenLineageTest, NativeExecutionsBecomeRunEvents) {
  auto events = ExportOpenLineage(testing::NativeRecords());
  ASSERT_TRUE(events.has_value()) << events.error().ToString();
  ASSERT_EQ(events->size(), 2u);
  const json& start = (*events)[0];
  const json& complete = (*events)[1];
  EXPECT_EQ(start["eventType"], "START");
  EXPECT_EQ(start["eventTime"], "2026-01-01T00:00:01Z");
  EXPECT_EQ(start["run"]["runId"], "25877e38-691e-87e3-bbb1-06a3962ca495");  // "execution:3"
  EXPECT_EQ(complete["run"]["runId"], start["run"]["runId"]);                // one run, two states
  EXPECT_EQ(complete["eventType"], "COMPLETE");
  EXPECT_EQ(complete["eventTime"], "2026-01-01T00:10:00Z");
  EXPECT_EQ(start["job"], json({{"namespace", "probity"}, {"name", "train"}}));
  EXPECT_EQ(start["producer"], std::string("https://probity.dev/probity/") + PROBITY_VERSION);
  EXPECT_EQ(start["schemaURL"],
            "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent");
  ASSERT_EQ(start["inputs"].size(), 1u);
  EXPECT_EQ(start["inputs"][0]["namespace"], "s3://bucket");
  EXPECT_EQ(start["inputs"][0]["name"], "data/train.csv");
  EXPECT_EQ(start["inputs"][0]["facets"]["version"]["datasetVersion"],
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  const json& parent = start["run"]["facets"]["parent"];
  EXPECT_EQ(parent["run"]["runId"], "d1f5c27e-a7c9-809c-899b-3f2145c324ea");  // "context:2"
  EXPECT_EQ(parent["job"]["name"], "nightly");
  EXPECT_EQ(start["run"]["facets"]["probity"]["record_id"], 3);
  EXPECT_EQ(start["run"]["facets"]["probity"]["parameters"]["max_depth"], 6);
  ASSERT_EQ(complete["outputs"].size(), 1u);
  EXPECT_EQ(complete["outputs"][0]["namespace"], "probity");
  EXPECT_EQ(complete["outputs"][0]["name"],
            "sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752");
  EXPECT_FALSE(complete["run"]["facets"].contains("parent"));  // only the START is associated

  OpenLineageExportOptions options;
  options.job_namespace = "workspace-a";
  options.run_id_namespace[0] ^= 1;
  auto other = ExportOpenLineage(testing::NativeRecords(), options);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ((*other)[0]["job"]["namespace"], "workspace-a");
  EXPECT_NE((*other)[0]["run"]["runId"], start["run"]["runId"]);
}

TEST(ExportOpenLineageTest, ImportedEventsRoundTrip) {
  std::ifstream in(testing::TestDataPath("lineage/openlineage/fluentd-event_full.json"));
  std::stringstream text;
  text << in.rdbuf();
  json original = json::parse(text.str());
  testing::MemoryRecordSink sink;
  ASSERT_TRUE(ImportOpenLineage(text.str(), "full.json", sink).has_value());
  auto events = ExportOpenLineage(sink.AsStored());
  ASSERT_TRUE(events.has_value()) << events.error().ToString();
  ASSERT_EQ(events->size(), 1u);
  json exported = (*events)[0];
  EXPECT_EQ(exported["run"]["runId"], original["run"]["runId"]);
  EXPECT_EQ(exported["eventType"], original["eventType"]);
  EXPECT_EQ(exported["eventTime"], original["eventTime"]);
  EXPECT_EQ(exported["job"]["namespace"], original["job"]["namespace"]);
  EXPECT_EQ(exported["job"]["name"], original["job"]["name"]);
  EXPECT_EQ(exported["job"]["facets"], original["job"]["facets"]);
  EXPECT_EQ(exported["inputs"], original["inputs"]);
  EXPECT_EQ(exported["outputs"], original["outputs"]);
  exported["run"]["facets"].erase("probity");
  EXPECT_EQ(exported["run"]["facets"], original["run"]["facets"]);
}

TEST(ExportOpenLineageTest, RecordsMissingWhatAnEventNeedsAreNamed) {
  auto records = testing::NativeRecords();
  records[2].erase("name");
  auto nameless = ExportOpenLineage(records);
  ASSERT_FALSE(nameless.has_value());
  EXPECT_EQ(nameless.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(nameless.error().message().find("record 3"), std::string::npos);

  records = testing::NativeRecords();
  records[3]["artifact"] = 99;
  auto dangling = ExportOpenLineage(records);
  ASSERT_FALSE(dangling.has_value());
  EXPECT_NE(dangling.error().message().find("record 99"), std::string::npos);

  records = testing::NativeRecords();
  for (auto& record : records) {
    record.erase("started");
    record["time"] = "not a time";
  }
  auto timeless = ExportOpenLineage(records);
  ASSERT_FALSE(timeless.has_value());
  EXPECT_NE(timeless.error().message().find("RFC 3339"), std::string::npos);
}

}  // namespace
}  // namespace probity::lineage
