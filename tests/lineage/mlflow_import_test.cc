// The MLmodel sample (tests/data/lineage/mlflow, from mlflow/mlflow tests; SOURCES.md there)
// imports as a model artifact named by the digest of the file itself.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "lineage/import/mlflow.h"
#include "tests/testing/memory_record_sink.h"
#include "tests/testing/test_data.h"

namespace probity::lineage {
namespace {

using nlohmann::json;
using testing::MemoryRecordSink;

std::string Sample() {
  std::ifstream in(testing::TestDataPath("lineage/mlflow/MLmodel"), std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(ImportMlflowModelTest, MLmodelBecomesAModelArtifact) {
  MemoryRecordSink sink;
  auto summary = ImportMlflowModel(Sample(), "model/MLmodel", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  ASSERT_EQ(sink.records().size(), 1u);  // no run_id in this file: no run context
  const json& model = sink.at(1).fields;
  EXPECT_EQ(sink.at(1).kind, RecordKind::kArtifact);
  // sha256sum tests/data/lineage/mlflow/MLmodel
  EXPECT_EQ(model["digest"],
            "sha256:4468fe56d0bbab4e0762732db33bf2b89ad6780679d41587d1d464dcfb4e6c52");
  EXPECT_EQ(model["kind"], "model");
  EXPECT_EQ(model["size"], 395);
  EXPECT_EQ(model["name"], "model/MLmodel");
  const json& properties = model["properties"];
  EXPECT_EQ(properties["model_uuid"], "4d622e7b02614d1eb71f44eeb927be4f");
  EXPECT_EQ(properties["utc_time_created"], "2024-10-29 07:39:02.032550");
  EXPECT_EQ(properties["mlflow_version"], "1.30.1");
  EXPECT_EQ(properties["flavors"]["sklearn"]["sklearn_version"], "1.5.2");
  EXPECT_EQ(properties["flavors"]["sklearn"]["code"], nullptr);
  EXPECT_EQ(properties["flavors"]["python_function"]["python_version"], "3.10.16");
  EXPECT_EQ(properties["flavors"]["python_function"]["loader_module"], "mlflow.sklearn");
  EXPECT_EQ(model["source"]["format"], "mlflow");
  EXPECT_EQ(model["source"]["file_digest"], model["digest"]);
  EXPECT_EQ(model["source"]["original_id"], "4d622e7b02614d1eb71f44eeb927be4f");
}

TEST(ImportMlflowModelTest, RunIdBecomesAnExperimentContextWithAnAttribution) {
  std::string text = Sample() +
                     "run_id: 0a1b2c3d4e5f60718293a4b5c6d7e8f9\n"
                     "artifact_path: model\n"
                     "signature:\n"
                     "  inputs: '[{\"name\": \"age\", \"type\": \"long\"}]'\n"
                     "  outputs: '[{\"type\": \"long\"}]'\n";
  MemoryRecordSink sink;
  auto summary = ImportMlflowModel(text, "MLmodel", sink);
  ASSERT_TRUE(summary.has_value()) << summary.error().ToString();
  ASSERT_EQ(sink.records().size(), 3u);
  EXPECT_EQ(sink.at(1).fields["name"], "model");
  EXPECT_EQ(sink.at(1).fields["properties"]["signature"]["inputs"],
            "[{\"name\": \"age\", \"type\": \"long\"}]");
  EXPECT_EQ(sink.at(2).kind, RecordKind::kContext);
  EXPECT_EQ(sink.at(2).fields["type"], "experiment");
  EXPECT_EQ(sink.at(2).fields["name"], "runs:/0a1b2c3d4e5f60718293a4b5c6d7e8f9");
  EXPECT_EQ(sink.at(3).kind, RecordKind::kAttribution);
  EXPECT_EQ(sink.at(3).fields["context"], 2);
  EXPECT_EQ(sink.at(3).fields["artifact"], 1);
}

TEST(ImportMlflowModelTest, MalformedFilesGiveLocatedErrors) {
  MemoryRecordSink sink;
  auto no_flavors = ImportMlflowModel("mlflow_version: 1.30.1\nmodel_uuid: abc\n", "MLmodel", sink);
  ASSERT_FALSE(no_flavors.has_value());
  EXPECT_EQ(no_flavors.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_flavors.error().message().find("flavors is missing"), std::string::npos);

  auto bad_yaml = ImportMlflowModel("flavors:\n  sklearn: {a: 1\nrun_id: x\n", "MLmodel", sink);
  ASSERT_FALSE(bad_yaml.has_value());
  EXPECT_NE(bad_yaml.error().message().find("not valid YAML"), std::string::npos);
  EXPECT_GT(bad_yaml.error().location().line, 0);

  auto list_run = ImportMlflowModel("flavors:\n  sklearn: {}\nrun_id: [1, 2]\n", "MLmodel", sink);
  ASSERT_FALSE(list_run.has_value());
  EXPECT_NE(list_run.error().message().find("run_id"), std::string::npos);
  EXPECT_EQ(list_run.error().location().line, 3);
  EXPECT_EQ(list_run.error().location().column, 9);

  auto not_map = ImportMlflowModel("- a\n- b\n", "MLmodel", sink);
  ASSERT_FALSE(not_map.has_value());

  std::string deep = "flavors: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
  auto nested = ImportMlflowModel(deep, "MLmodel", sink);
  ASSERT_FALSE(nested.has_value());
  EXPECT_EQ(nested.error().code(), StatusCode::kInvalidArgument);

  // Aliases that expand exponentially are refused, not expanded.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  }
  bomb += "flavors: {x: *j}\n";
  auto expanded = ImportMlflowModel(bomb, "MLmodel", sink);
  ASSERT_FALSE(expanded.has_value());
  EXPECT_NE(expanded.error().message().find("100000"), std::string::npos);
  EXPECT_TRUE(sink.records().empty());
}

}  // namespace
}  // namespace probity::lineage
