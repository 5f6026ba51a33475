#include "audit/ingest/models/model_loader.h"

#include <gtest/gtest.h>

#include "audit/core/status.h"
#include "tests/testing/test_data.h"

namespace probity::models {
namespace {

// Fixtures: tests/data/models/archives/make_archives.py.
std::string Archive(const std::string& name) {
  return testing::TestDataPath("models/archives/" + name);
}

TEST(ModelLoaderTest, DetectsFormatsByContent) {
  EXPECT_EQ(DetectModelFormat("<?xml version=\"1.0\"?>\n<PMML version=\"4.4\">"),
            ModelFormat::kPmml);
  EXPECT_EQ(DetectModelFormat("tree\nversion=v4\n"), ModelFormat::kLightGBM);
  EXPECT_EQ(DetectModelFormat("{\"learner\": {}}"), ModelFormat::kXGBoostJson);
  EXPECT_EQ(DetectModelFormat("{\"probity_model\": 1}"), ModelFormat::kNative);
  EXPECT_EQ(DetectModelFormat("a,b\n1,2\n"), ModelFormat::kUnknown);
  EXPECT_EQ(DetectModelFormat("<html></html>"), ModelFormat::kUnknown);
}

TEST(ModelLoaderTest, LoadsTheModelInsideASageMakerBundle) {
  Result<std::unique_ptr<Model>> model =
      LoadModel(LocalFileSystem(), Archive("sagemaker_model.tar.gz"));
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  EXPECT_EQ((*model)->info().format, "xgboost");
  // The digest is the member's, i.e. the plain model file's.
  Result<std::unique_ptr<Model>> plain =
      LoadModel(LocalFileSystem(), testing::TestDataPath("models/xgboost/poisson.json"));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ((*model)->info().digest, (*plain)->info().digest);
  EXPECT_EQ((*model)->info().size_bytes, (*plain)->info().size_bytes);
}

TEST(ModelLoaderTest, ACompressedModelFileLoads) {
  Result<std::unique_ptr<Model>> model = LoadModel(LocalFileSystem(), Archive("poisson.json.gz"));
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  EXPECT_EQ((*model)->info().objective, "count:poisson");
}

TEST(ModelLoaderTest, SeveralModelsNeedAMember) {
  Result<std::unique_ptr<Model>> model = LoadModel(LocalFileSystem(), Archive("two_models.zip"));
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(model.error().ToString().find("several model files: a/poisson.json, b/multiclass.ubj"),
            std::string::npos)
      << model.error().ToString();
  ModelLoadOptions options;
  options.member = "b/multiclass.ubj";
  model = LoadModel(LocalFileSystem(), Archive("two_models.zip"), options);
  ASSERT_TRUE(model.has_value()) << model.error().ToString();
  EXPECT_EQ((*model)->info().classes.size(), 3U);
  options.member = "c/missing.json";
  model = LoadModel(LocalFileSystem(), Archive("two_models.zip"), options);
  ASSERT_FALSE(model.has_value());
  EXPECT_EQ(model.error().code(), StatusCode::kNotFound);
}

TEST(ModelLoaderTest, AnArchiveWithoutAModelIsRefused) {
  Result<std::unique_ptr<Model>> model = LoadModel(LocalFileSystem(), Archive("no_model.tar"));
  ASSERT_FALSE(model.has_value());
  EXPECT_NE(model.error().ToString().find("holds no model file Probity can read"),
            std::string::npos);
  EXPECT_NE(model.error().ToString().find("README.txt"), std::string::npos);
}

}  // namespace
}  // namespace probity::models
