// Probity native model JSON (docs/formats/model.md, schema docs/formats/model.schema.json):
// the linear, logistic (binary and multinomial) and tree-ensemble models Probity itself
// trains. Linear and logistic models expose linear_view() (one coefficient per design
// column: a continuous input, or one category of a one-hot categorical input); tree
// ensembles expose tree_view() and are scored by internal/flat_forest.h.
//
//   PROBITY_ASSIGN_OR_RETURN(auto model, models::LoadNativeModel(json, "model.json", {}));
//   PROBITY_ASSIGN_OR_RETURN(Predictions p, model->Predict(batch));
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/models/model_options.h"

namespace probity::models {

// Parses and validates `json` strictly. Errors: kInvalidArgument "<source>: $.path: …" for
// unknown keys, wrong types, counts that do not match the inputs, indices out of range,
// cycles; "<source>:<line>:<col>: not valid JSON: …" for a syntax error; kUnimplemented
// for a probity_model version other than 1. options.iteration_limit N > 0 keeps the first
// N × (margins per row) trees. Predict is thread-safe; an unseen category is an error.
Result<std::unique_ptr<Model>> LoadNativeModel(std::string_view json, const std::string& source,
                                               const ModelLoadOptions& options);

}  // namespace probity::models
