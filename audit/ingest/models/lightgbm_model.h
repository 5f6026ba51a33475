// LightGBM text models (Booster.save_model / model.txt, v2–v4): numerical and categorical
// splits, missing-value types (None, Zero, NaN), default directions, rf averaging, and the
// regression, binary, multiclass and multiclassova objectives, scored exactly as LightGBM's
// own predictor does (double precision). docs/formats/models.md "## LightGBM" describes
// the semantics; audit/ingest/models/internal/flat_forest.h does the scoring.
//
//   PROBITY_ASSIGN_OR_RETURN(auto model, models::LoadLightGBMModel(text, "model.txt", {}));
//   PROBITY_ASSIGN_OR_RETURN(Predictions p, model->Predict(batch));
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/models/model_options.h"

namespace probity::models {

// Parses `text` (the whole file) into a model with a tree_view(). options.iteration_limit
// N > 0 keeps the first N iterations. Categorical inputs take their categories from the
// file's pandas_categorical line (string data maps to LightGBM's codes; an unseen category
// goes where LightGBM sends a missing one: right) or, without it, are integer codes.
// Errors: kInvalidArgument "<source>:<line>: …" naming the key for a malformed model
// (truncated, missing keys, array lengths not matching num_leaves, child indices out of
// range, cycles); kUnimplemented for linear trees, an unknown objective, or
// pandas_categorical sets that cannot be matched to the categorical features. The model is
// immutable and Predict is thread-safe.
Result<std::unique_ptr<Model>> LoadLightGBMModel(std::string_view text, const std::string& source,
                                                 const ModelLoadOptions& options);

}  // namespace probity::models
