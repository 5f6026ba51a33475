#include "lineage/import/json_schema.h"

#include <gtest/gtest.h>

namespace probity::lineage {
namespace {

using nlohmann::json;

constexpr char kId[] = "https://example.test/s.json";

SchemaSet Load(json schema) {
  schema["$id"] = kId;
  SchemaSet set;
  Status added = set.Add(std::move(schema), "s.json");
  EXPECT_TRUE(added.ok()) << added.ToString();
  EXPECT_TRUE(set.CheckReferences().ok());
  return set;
}

void ExpectViolation(const SchemaSet& set, const json& instance, const std::string& path,
                     const std::string& keyword) {
  auto violation = set.Validate(instance, kId);
  ASSERT_TRUE(violation.has_value()) << instance.dump();
  EXPECT_EQ(violation->instance_path, path) << violation->message;
  EXPECT_EQ(violation->keyword, keyword) << violation->message;
}

TEST(SchemaSetTest, RequiredNamesTheMissingMember) {
  SchemaSet set = Load({{"type", "object"},
                        {"properties", {{"run", {{"type", "object"}, {"required", {"runId"}}}}}}});
  ExpectViolation(set, {{"run", json::object()}}, "/run/runId", "required");
  EXPECT_FALSE(set.Validate({{"run", {{"runId", "x"}}}}, kId).has_value());
}

TEST(SchemaSetTest, TypeEnumConstMinimum) {
  SchemaSet set = Load({{"properties",
                         {{"n", {{"type", "integer"}, {"minimum", 1}}},
                          {"e", {{"enum", {"A", "B"}}}},
                          {"c", {{"const", "x"}}},
                          {"t", {{"type", {"string", "null"}}}}}}});
  ExpectViolation(set, {{"n", "1"}}, "/n", "type");
  ExpectViolation(set, {{"n", 0}}, "/n", "minimum");
  ExpectViolation(set, {{"n", 1.5}}, "/n", "type");
  EXPECT_FALSE(set.Validate({{"n", 2.0}}, kId).has_value());  // an integral number
  ExpectViolation(set, {{"e", "C"}}, "/e", "enum");
  ExpectViolation(set, {{"c", "y"}}, "/c", "const");
  ExpectViolation(set, {{"t", 1}}, "/t", "type");
  EXPECT_FALSE(set.Validate({{"t", nullptr}, {"e", "B"}, {"c", "x"}}, kId).has_value());
}

TEST(SchemaSetTest, AdditionalPropertiesAndItems) {
  SchemaSet set =
      Load({{"properties", {{"a", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
            {"additionalProperties", false}});
  ExpectViolation(set, {{"b", 1}}, "/b", "additionalProperties");
  ExpectViolation(set, {{"a", {"x", 2}}}, "/a/1", "type");
  SchemaSet typed = Load({{"additionalProperties", {{"type", "string"}}}});
  ExpectViolation(typed, {{"k/~", 1}}, "/k~1~0", "type");  // RFC 6901 escaping
}

TEST(SchemaSetTest, DependentRequired) {
  SchemaSet set = Load({{"dependentRequired", {{"namespace", {"name"}}}}});
  ExpectViolation(set, {{"namespace", "n"}}, "/name", "dependentRequired");
  EXPECT_FALSE(set.Validate({{"name", "n"}}, kId).has_value());
}

TEST(SchemaSetTest, OneOfReportsTheDeepestBranchAndRejectsTwoMatches) {
  SchemaSet set =
      Load({{"$defs",
             {{"A", {{"required", {"run"}}, {"properties", {{"run", {{"required", {"runId"}}}}}}}},
              {"B", {{"required", {"dataset"}}}}}},
            {"oneOf", {{{"$ref", "#/$defs/A"}}, {{"$ref", "#/$defs/B"}}}}});
  ExpectViolation(set, {{"run", json::object()}}, "/run/runId", "required");
  ExpectViolation(set, {{"run", {{"runId", 1}}}, {"dataset", 1}}, "/", "oneOf");
  EXPECT_FALSE(set.Validate({{"dataset", 1}}, kId).has_value());
}

TEST(SchemaSetTest, AnyOfAllOfNot) {
  SchemaSet set = Load({{"allOf", {{{"type", "object"}}, {{"not", {{"required", {"run"}}}}}}},
                        {"anyOf", {{{"required", {"a"}}}, {{"required", {"b"}}}}}});
  ExpectViolation(set, {{"a", 1}, {"run", 1}}, "/", "not");
  ExpectViolation(set, {{"c", 1}}, "/a", "required");
  EXPECT_FALSE(set.Validate({{"b", 1}}, kId).has_value());
}

TEST(SchemaSetTest, ReferencesAcrossDocumentsById) {
  SchemaSet set;
  ASSERT_TRUE(set.Add({{"$id", "https://example.test/core.json"},
                       {"$defs", {{"Base", {{"required", {"_producer"}}}}}}},
                      "core.json")
                  .ok());
  ASSERT_TRUE(
      set.Add({{"$id", kId},
               {"properties", {{"f", {{"$ref", "https://example.test/core.json#/$defs/Base"}}}}}},
              "s.json")
          .ok());
  ASSERT_TRUE(set.CheckReferences().ok());
  ExpectViolation(set, {{"f", json::object()}}, "/f/_producer", "required");
}

TEST(SchemaSetTest, FormatsAreAsserted) {
  SchemaSet set = Load({{"properties",
                         {{"t", {{"format", "date-time"}}},
                          {"u", {{"format", "uri"}}},
                          {"id", {{"format", "uuid"}}}}}});
  ExpectViolation(set, {{"t", "2020-02-30T00:00:00Z"}}, "/t", "format");
  ExpectViolation(set, {{"u", "not a uri"}}, "/u", "format");
  ExpectViolation(set, {{"id", "3b452093-782c-4ef2-9c0c-aafe2aa6f34"}}, "/id", "format");
  EXPECT_FALSE(set.Validate({{"t", "2020-12-09T23:37:31.081+10:00"},
                             {"u", "https://openlineage.io/spec/1-0-0/OpenLineage.json#/x"},
                             {"id", "3b452093-782c-4ef2-9c0c-aafe2aa6f34d"}},
                            kId)
                   .has_value());
  EXPECT_FALSE(set.Validate({{"t", 1}}, kId).has_value());  // formats apply to strings only
}

TEST(SchemaSetTest, DateTimeFollowsRfc3339) {
  EXPECT_TRUE(IsRfc3339DateTime("2024-02-29T23:59:60Z"));
  EXPECT_TRUE(IsRfc3339DateTime("2020-12-28t19:52:00.001-10:30"));
  EXPECT_FALSE(IsRfc3339DateTime("2023-02-29T00:00:00Z"));        // not a leap year
  EXPECT_FALSE(IsRfc3339DateTime("2021-11-03T10:53:52.427343"));  // no offset
  EXPECT_FALSE(IsRfc3339DateTime("2021-11-03 10:53:52Z"));
  EXPECT_FALSE(IsRfc3339DateTime("2021-11-03T10:53:52.Z"));
  EXPECT_FALSE(IsRfc3339DateTime("2021-11-03"));
}

TEST(SchemaSetTest, RefusesUnknownKeywordsAndFormats) {
  SchemaSet set;
  Status pattern = set.Add({{"$id", kId}, {"properties", {{"a", {{"pattern", "x"}}}}}}, "s.json");
  EXPECT_EQ(pattern.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(pattern.message().find("/properties/a/pattern"), std::string::npos)
      << pattern.message();
  EXPECT_NE(pattern.message().find("unsupported keyword"), std::string::npos);
  Status format = set.Add({{"$id", kId}, {"format", "email"}}, "s.json");
  EXPECT_NE(format.message().find("unsupported format"), std::string::npos) << format.message();
  Status draft =
      set.Add({{"$id", kId}, {"$schema", "http://json-schema.org/draft-07/schema#"}}, "s.json");
  EXPECT_NE(draft.message().find("2020-12"), std::string::npos) << draft.message();
  EXPECT_EQ(set.Add({{"type", "object"}}, "s.json").code(), StatusCode::kInvalidArgument);
}

TEST(SchemaSetTest, UnresolvedReferencesAreFoundAtLoad) {
  SchemaSet set;
  ASSERT_TRUE(set.Add({{"$id", kId}, {"$ref", "#/$defs/Missing"}}, "s.json").ok());
  Status status = set.CheckReferences();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("#/$defs/Missing"), std::string::npos);
}

TEST(SchemaSetTest, RecursiveSchemaOnDeepInstanceStopsAtTheDepthLimit) {
  SchemaSet set = Load({{"$defs", {{"N", {{"properties", {{"n", {{"$ref", "#/$defs/N"}}}}}}}}},
                        {"$ref", "#/$defs/N"}});
  json deep = json::object();
  for (int i = 0; i < 3000; ++i) deep = json{{"n", std::move(deep)}};
  auto violation = set.Validate(deep, kId);
  ASSERT_TRUE(violation.has_value());
  EXPECT_EQ(violation->keyword, "depth");
}

}  // namespace
}  // namespace probity::lineage
