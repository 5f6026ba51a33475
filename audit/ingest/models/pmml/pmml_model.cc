#include "audit/ingest/models/pmml/pmml_model.h"

#include "audit/core/status.h"

namespace probity::models {

Result<std::unique_ptr<Model>> LoadPmmlModel(std::string_view, const std::string& source) {
  return UnimplementedError(source + ": PMML models are not supported yet");
}

}  // namespace probity::models
