// What the commands that read a model share: the options naming it (a file, an archive
// member, an iteration limit) and the names of the prediction columns they write.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "audit/core/model.h"
#include "audit/core/result.h"

namespace probity::cli {

struct ModelArgs {
  std::string path;
  std::string member;       // --member: the model file inside an archive
  int iteration_limit = 0;  // --iterations: first N boosting rounds (0 = the format's default)
  // --model-command: an external model (docs/formats/external-model.md) instead of a file.
  std::string command;
  int64_t batch_rows = 10'000;           // --batch-rows
  double timeout_s = 60;                 // --timeout, per batch
  std::vector<std::string> environment;  // --env NAME=VALUE
};

// Adds MODEL (positional) or --model, plus --member and --iterations; with
// `external`, also --model-command, --batch-rows, --timeout and --env.
void AddModelOptions(CLI::App* command, ModelArgs* args, bool positional, bool external = false);

// Loads the model the arguments name, or starts the external model command.
Result<std::unique_ptr<Model>> LoadModelFromArgs(const ModelArgs& args);

// The columns `probity predict` writes for this model, in order: "prediction" (or
// "prediction(<k>)" per target of a multi-output regression) and, for classifiers,
// "probability(<class>)" per class in the model's order (the JPMML convention).
std::vector<std::string> PredictionColumnNames(const ModelInfo& info,
                                               bool with_probabilities = true);

}  // namespace probity::cli
