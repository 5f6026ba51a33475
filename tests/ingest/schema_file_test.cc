#include "audit/ingest/schema_file.h"

#include <gtest/gtest.h>

#include "audit/ingest/profile.h"
#include "tests/testing/test_data.h"

namespace probity::ingest {
namespace {

std::string Error(const std::string& text, const std::string& file = "s.yaml") {
  Result<DatasetSpec> spec = ParseSchemaFile(text, file);
  return spec.has_value() ? "ok" : spec.error().ToString();
}

TEST(SchemaFileTest, ParsesEveryKey) {
  Result<DatasetSpec> spec = ParseSchemaFile(R"(
version: 1
format:
  type: csv
  delimiter: whitespace
  header: no
  quote: "'"
  trim: false
  missing: ["", "?"]
columns:
  - name: status
    type: string
    role: feature
    values: {A11: "< 0 DM", A12: "0 <= ... < 200 DM"}
    description: Status of existing checking account
  - name: age
    type: int64
    role: facet
    nullable: false
    missing: ["-1"]
  - name: sex
    type: string
    categories: [male, female]
)",
                                             "s.yaml");
  ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
  EXPECT_EQ(spec->format.type, FileFormat::kCsv);
  EXPECT_EQ(spec->format.delimiter, ' ');
  EXPECT_EQ(spec->format.header, false);
  EXPECT_EQ(spec->format.quote, '\'');
  EXPECT_FALSE(spec->format.trim);
  EXPECT_EQ(spec->format.missing_tokens, (std::vector<std::string>{"", "?"}));
  const Schema& s = *spec->schema;
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s.field(0).value_map.at("A12"), "0 <= ... < 200 DM");
  EXPECT_EQ(s.field(0).description, "Status of existing checking account");
  EXPECT_EQ(s.field(1).role, ColumnRole::kFacet);
  EXPECT_FALSE(s.field(1).nullable);
  EXPECT_EQ(*s.field(1).missing_tokens, std::vector<std::string>{"-1"});
  EXPECT_EQ(s.field(2).categories, (std::vector<std::string>{"male", "female"}));
}

TEST(SchemaFileTest, JsonIsAcceptedAndOutputHeaderKeysIgnored) {
  Result<DatasetSpec> spec = ParseSchemaFile(
      R"({"schema": "probity.data.schema/1", "probity_version": "0.1.0", "version": 1,
          "columns": [{"name": "x", "type": "float64"}]})",
      "s.json");
  ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
  EXPECT_EQ(spec->schema->field(0).type, DataType::kFloat64);
}

TEST(SchemaFileTest, ErrorsNameTheLineAndWhatWasExpected) {
  EXPECT_EQ(Error("version: 1\ncolumns:\n  - name: age\n    type: integer\n"),
            "s.yaml:4:11: unknown type \"integer\" for column \"age\"; expected one of float64, "
            "int64, bool, string");
  EXPECT_EQ(Error("version: 2\ncolumns: []\n"),
            "s.yaml:1:10: unsupported version \"2\"; expected version: 1");
  EXPECT_EQ(Error("columns:\n  - {name: a, type: string}\n"),
            "s.yaml:1:1: key \"version\" is missing; expected version: 1");
  EXPECT_EQ(Error("version: 1\ncolumns:\n  - {name: a, type: string, colour: red}\n"),
            "s.yaml:3:29: unknown key \"colour\" in a column; expected one of name, type, role, "
            "nullable, "
            "missing, categories, values, description");
  EXPECT_EQ(Error("version: 1\nformat: {delimiter: '#'}\ncolumns:\n  - {name: a, type: string}\n"),
            "s.yaml:2:21: unsupported delimiter \"#\"; expected one of \",\", \";\", \"|\", tab, "
            "whitespace");
  EXPECT_EQ(
      Error("version: 1\ncolumns:\n  - {name: a, type: string}\n  - {name: a, type: int64}\n"),
      "s.yaml:3:3: column name \"a\" appears twice; expected unique column names");
  EXPECT_EQ(Error("version: 1\ncolumns:\n  - {name: a, type: string, role: target}\n"),
            "s.yaml:3:35: unknown role \"target\" for column \"a\"; expected one of feature, "
            "label, facet, id, "
            "weight, prediction, score");
  EXPECT_EQ(Error("version: 1\ncolumns:\n  - {name: a, type: string, nullable: maybe}\n"),
            "s.yaml:3:39: \"nullable\" is \"maybe\"; expected true or false");
}

TEST(SchemaFileTest, MalformedYamlIsLocated) {
  Result<DatasetSpec> spec = ParseSchemaFile("version: 1\ncolumns: [\n", "s.yaml");
  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(spec.error().message().find("not valid YAML or JSON"), std::string::npos);
  EXPECT_GT(spec.error().location().line, 0);
}

TEST(SchemaFileTest, WrittenSchemasReadBack) {
  MemoryFileSystem fs;
  fs.AddFile("d.csv", "id,sex,score,yes\n1,male,0.5,x\n2,female,1.5,y\n");
  auto reader = DatasetReader::Open(fs, "d.csv", {}, {});
  ASSERT_TRUE(reader.has_value());
  Result<DatasetProfile> profile = ProfileDataset(**reader);
  ASSERT_TRUE(profile.has_value());
  for (const std::string& text : {SchemaFileYaml(*profile), SchemaFileJson(*profile)}) {
    Result<DatasetSpec> spec = ParseSchemaFile(text, "written");
    ASSERT_TRUE(spec.has_value()) << spec.error().ToString() << "\n" << text;
    ASSERT_EQ(spec->schema->size(), 4u);
    EXPECT_EQ(spec->schema->field(3).name, "yes");  // a YAML boolean word, kept as a name
    EXPECT_EQ(spec->schema->field(2).type, DataType::kFloat64);
    EXPECT_EQ(spec->format.delimiter, ',');
    EXPECT_EQ(spec->format.header, true);
  }
  EXPECT_NE(SchemaFileYaml(*profile).find("candidate facet (sex)"), std::string::npos);
}

TEST(SchemaFileTest, ShippedSchemasLoad) {
  for (const std::string& path :
       {probity::testing::TestDataPath("german.schema.yaml"),
        probity::testing::TestDataPath("adult.schema.yaml"),
        std::string(PROBITY_SOURCE_DIR) + "/examples/data/german_credit.schema.yaml"}) {
    Result<DatasetSpec> spec = LoadSchemaFile(LocalFileSystem(), path);
    EXPECT_TRUE(spec.has_value()) << (spec.has_value() ? "" : spec.error().ToString());
  }
}

}  // namespace
}  // namespace probity::ingest
