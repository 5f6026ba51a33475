// XGBoost models saved with Booster.save_model as JSON or UBJSON (both generations of the
// format: 1.x with a scalar base_score, 2.x/3.x with vector base_score, categorical
// encoders and multi-output trees).
//
//   PROBITY_ASSIGN_OR_RETURN(auto model, models::LoadXGBoostJsonModel(bytes, "m.json"));
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/models/model_options.h"

namespace probity::models {

// kInvalidArgument "<source>: <json path>: …" for malformed JSON or model content (out-of-
// range child or feature indices, cycles, inconsistent array sizes); kUnimplemented for an
// objective or booster Probity does not support.
Result<std::unique_ptr<Model>> LoadXGBoostJsonModel(std::string_view json,
                                                    const std::string& source,
                                                    const ModelLoadOptions& options);
Result<std::unique_ptr<Model>> LoadXGBoostUbjsonModel(std::string_view ubjson,
                                                      const std::string& source,
                                                      const ModelLoadOptions& options);

}  // namespace probity::models
