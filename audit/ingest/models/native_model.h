// Probity native model JSON (docs/formats/model.md): the linear, logistic and tree models
// Probity itself trains.
//
//   PROBITY_ASSIGN_OR_RETURN(auto model, models::LoadNativeModel(json, "model.json"));
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/models/model_options.h"

namespace probity::models {

Result<std::unique_ptr<Model>> LoadNativeModel(std::string_view json, const std::string& source,
                                               const ModelLoadOptions& options);

}  // namespace probity::models
