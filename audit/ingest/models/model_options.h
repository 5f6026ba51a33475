// Options every model loader accepts (audit/ingest/models/model_loader.h dispatches them).
#pragma once

#include <string>

namespace probity::models {

struct ModelLoadOptions {
  // Score with the first N boosting rounds only; 0 = the format's default (XGBoost:
  // best_iteration + 1 when the file records one, else all rounds; LightGBM: all).
  int iteration_limit = 0;
  // For an archive holding several model files: the entry to load.
  std::string member;
};

}  // namespace probity::models
