#include "audit/ingest/models/model_loader.h"

#include "audit/core/digest.h"
#include "audit/core/status.h"
#include "audit/ingest/models/lightgbm_model.h"
#include "audit/ingest/models/native_model.h"
#include "audit/ingest/models/pmml/pmml_model.h"
#include "audit/ingest/models/xgboost_model.h"

namespace probity::models {
namespace {

std::string_view SkipSpaceAndBom(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  while (!bytes.empty() && (bytes.front() == ' ' || bytes.front() == '\t' ||
                            bytes.front() == '\r' || bytes.front() == '\n')) {
    bytes.remove_prefix(1);
  }
  return bytes;
}

}  // namespace

std::string_view ModelFormatName(ModelFormat format) {
  switch (format) {
    case ModelFormat::kPmml: return "pmml";
    case ModelFormat::kXGBoostJson: return "xgboost-json";
    case ModelFormat::kXGBoostUbjson: return "xgboost-ubjson";
    case ModelFormat::kLightGBM: return "lightgbm";
    case ModelFormat::kNative: return "probity";
    case ModelFormat::kUnknown: return "unknown";
  }
  return "unknown";
}

ModelFormat DetectModelFormat(std::string_view bytes) {
  std::string_view head = SkipSpaceAndBom(bytes.substr(0, 1 << 16));
  if (head.starts_with("<")) {
    return head.find("<PMML") != std::string_view::npos ? ModelFormat::kPmml
                                                        : ModelFormat::kUnknown;
  }
  if (head.starts_with("tree\n") || head.starts_with("tree\r\n")) return ModelFormat::kLightGBM;
  if (head.starts_with("{")) {
    if (head.find("\"probity_model\"") != std::string_view::npos) return ModelFormat::kNative;
    if (head.find("\"learner\"") != std::string_view::npos) return ModelFormat::kXGBoostJson;
    // UBJSON: '{' followed by a length-prefixed key: 'L'/'i'/'U'/'l' then the length.
    if (head.size() > 2 &&
        (head[1] == 'L' || head[1] == 'i' || head[1] == 'U' || head[1] == 'l' || head[1] == 'I')) {
      if (head.find("learner") != std::string_view::npos) return ModelFormat::kXGBoostUbjson;
    }
  }
  return ModelFormat::kUnknown;
}

Result<std::unique_ptr<Model>> LoadModelFromBytes(std::string_view bytes, const std::string& source,
                                                  const ModelLoadOptions& options) {
  switch (DetectModelFormat(bytes)) {
    case ModelFormat::kPmml: return LoadPmmlModel(bytes, source);
    case ModelFormat::kXGBoostJson: return LoadXGBoostJsonModel(bytes, source, options);
    case ModelFormat::kXGBoostUbjson: return LoadXGBoostUbjsonModel(bytes, source, options);
    case ModelFormat::kLightGBM: return LoadLightGBMModel(bytes, source, options);
    case ModelFormat::kNative: return LoadNativeModel(bytes, source, options);
    case ModelFormat::kUnknown: break;
  }
  return InvalidArgumentError(source + ": not a model file Probity can read")
      .Expecting(
          "PMML (XML with a <PMML> root), XGBoost JSON or UBJSON, a LightGBM text model, or a "
          "Probity native model JSON");
}

Result<std::unique_ptr<Model>> LoadModel(FileSystem& fs, const std::string& path,
                                         const ModelLoadOptions& options) {
  // Archives (options.member) are handled once the archive reader lands.
  PROBITY_ASSIGN_OR_RETURN(std::string bytes, fs.ReadSmallFile(path, kMaxModelBytes));
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, LoadModelFromBytes(bytes, path, options));
  model->SetSource(Sha256Of(bytes), static_cast<int64_t>(bytes.size()));
  return model;
}

}  // namespace probity::models
