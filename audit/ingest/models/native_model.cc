#include "audit/ingest/models/native_model.h"

#include "audit/core/status.h"

namespace probity::models {

Result<std::unique_ptr<Model>> LoadNativeModel(std::string_view, const std::string& source,
                                               const ModelLoadOptions&) {
  return UnimplementedError(source + ": Probity native models are not supported yet");
}

}  // namespace probity::models
