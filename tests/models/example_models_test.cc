// The example models in examples/models/ (made by examples/models/train.py with Debian's
// python3-xgboost and python3-sklearn) score the embedded German credit data exactly as
// their home runtimes do: the expected CSVs beside them are Booster.predict and
// predict_proba output.
#include <gtest/gtest.h>

#include "audit/core/status.h"
#include "audit/ingest/models/model_loader.h"
#include "tests/testing/model_cases.h"

namespace probity::models {
namespace {

std::string Example(const std::string& name) {
  return std::string(PROBITY_SOURCE_DIR) + "/examples/" + name;
}

class ExampleModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleModelTest, ReproducesTheReferenceRuntime) {
  const std::string model_file = GetParam();
  Result<std::unique_ptr<Model>> model =
      LoadModel(LocalFileSystem(), Example("models/" + model_file));
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  const ModelInfo& info = (*model)->info();
  Result<Table> data = testing::ReadModelInput(Example("data/german_credit.csv"), info);
  ASSERT_TRUE(data.has_value()) << data.error().ToString();
  Result<Predictions> p = (*model)->Predict(*data);
  ASSERT_TRUE(p.has_value()) << p.error().ToString();
  const std::string stem = model_file.substr(0, model_file.find('.'));
  Result<Table> expected = testing::ReadExpected(Example("models/" + stem + ".expected.csv"));
  ASSERT_TRUE(expected.has_value()) << expected.error().ToString();
  ASSERT_EQ(expected->num_rows(), p->rows);
  ASSERT_EQ(expected->num_rows(), 1000);
  for (size_t col = 0; col < expected->num_columns(); ++col) {
    const std::string& name = expected->schema().field(col).name;
    for (int64_t r = 0; r < p->rows; ++r) {
      const std::string_view want = expected->column(col).StringAt(r);
      if (name == "prediction") {
        ASSERT_GE(p->labels[static_cast<size_t>(r)], 0);
        EXPECT_EQ(info.classes[static_cast<size_t>(p->labels[static_cast<size_t>(r)])], want)
            << model_file << " row " << r + 1;
        continue;
      }
      ASSERT_TRUE(name.starts_with("probability(")) << name;
      const std::string cls = name.substr(12, name.size() - 13);
      size_t k = 0;
      while (k < info.classes.size() && info.classes[k] != cls) ++k;
      ASSERT_LT(k, info.classes.size()) << "no class " << cls;
      ASSERT_TRUE(testing::NumbersAgree(testing::ParseNumber(want), p->Probability(r, k), 1e-9))
          << model_file << " row " << r + 1 << " " << name << ": expected " << want << ", Probity "
          << p->Probability(r, k);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, ExampleModelTest,
                         ::testing::Values("german_credit_xgboost.json",
                                           "german_credit_logistic.pmml"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           return param.param.substr(0, param.param.find('.'));
                         });

}  // namespace
}  // namespace probity::models
