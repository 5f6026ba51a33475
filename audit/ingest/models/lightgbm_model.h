// LightGBM text models (Booster.save_model / model.txt): numerical and categorical splits,
// missing-value types, default directions, rf averaging, binary/multiclass/regression.
//
//   PROBITY_ASSIGN_OR_RETURN(auto model, models::LoadLightGBMModel(text, "model.txt"));
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/models/model_options.h"

namespace probity::models {

// kInvalidArgument "<source>:<line>: …" for a malformed model; kUnimplemented for an
// objective Probity does not support.
Result<std::unique_ptr<Model>> LoadLightGBMModel(std::string_view text, const std::string& source,
                                                 const ModelLoadOptions& options);

}  // namespace probity::models
