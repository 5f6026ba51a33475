#include "audit/ingest/models/xgboost_model.h"

#include "audit/core/status.h"

namespace probity::models {

Result<std::unique_ptr<Model>> LoadXGBoostJsonModel(std::string_view, const std::string& source,
                                                    const ModelLoadOptions&) {
  return UnimplementedError(source + ": XGBoost models are not supported yet");
}

Result<std::unique_ptr<Model>> LoadXGBoostUbjsonModel(std::string_view, const std::string& source,
                                                      const ModelLoadOptions&) {
  return UnimplementedError(source + ": XGBoost models are not supported yet");
}

}  // namespace probity::models
