// SageMaker model card exports validated against the SageMaker model card JSON Schema, read
// from the shared folder (CC BY-SA documentation, not copied into the project); skipped with
// a message when the folder or python3-jsonschema is absent.
#include <gtest/gtest.h>

#include "lineage/card.h"
#include "tests/lineage/card_fixture.h"
#include "tests/testing/test_data.h"

namespace probity::lineage {
namespace {

TEST(ModelCardSageMakerConformanceTest, ExportsValidateAgainstTheSageMakerSchema) {
  const std::string schema =
      probity::testing::SharedPath("data/sagemaker/schemas/model-card.schema.json");
  if (schema.empty()) GTEST_SKIP() << "the shared SageMaker model card schema is absent";
  if (!testing::PythonJsonSchemaAvailable()) {
    GTEST_SKIP() << "/usr/bin/python3 with jsonschema is not installed (Debian: "
                    "python3-jsonschema); schema validation not run";
  }
  testing::CardStore s("sagemaker_conformance");
  ModelCard minimal = *InitCardFromLineage(*s.store, s.model);
  ModelCard rich = testing::RichCard(s);
  for (const ModelCard* card : {&minimal, &rich}) {
    auto out = ExportSageMaker(*card);
    ASSERT_TRUE(out.has_value()) << out.error().ToString();
    auto v = testing::ValidateDraft7(schema, out->dump());
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  }
  // Not vacuous: a risk rating outside the enum and an unknown section fail.
  auto bad = *ExportSageMaker(rich);
  bad["intended_uses"]["risk_rating"] = "Severe";
  EXPECT_EQ(testing::ValidateDraft7(schema, bad.dump()).exit_code, 1);
  bad = *ExportSageMaker(rich);
  bad["business_details"] = {{"business_problem", "x"}};
  EXPECT_EQ(testing::ValidateDraft7(schema, bad.dump()).exit_code, 1);
}

}  // namespace
}  // namespace probity::lineage
