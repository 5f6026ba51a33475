#include "audit/ingest/models/lightgbm_model.h"

#include "audit/core/status.h"

namespace probity::models {

Result<std::unique_ptr<Model>> LoadLightGBMModel(std::string_view, const std::string& source,
                                                 const ModelLoadOptions&) {
  return UnimplementedError(source + ": LightGBM models are not supported yet");
}

}  // namespace probity::models
