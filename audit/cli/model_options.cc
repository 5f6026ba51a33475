#include "audit/cli/model_options.h"

#include "audit/core/file_system.h"
#include "audit/core/status.h"
#include "audit/ingest/models/external_model.h"
#include "audit/ingest/models/model_loader.h"

namespace probity::cli {

void AddModelOptions(CLI::App* command, ModelArgs* args, bool positional, bool external) {
  const std::string help =
      "Model file (PMML, XGBoost JSON/UBJSON, LightGBM text, Probity JSON) or an archive "
      "(tar, tar.gz, zip) holding one";
  if (positional) {
    command->add_option("MODEL", args->path, help)->required();
  } else {
    command->add_option("--model", args->path, help);
  }
  command->add_option("--member", args->member,
                      "The model file inside an archive that holds several");
  command
      ->add_option("--iterations", args->iteration_limit,
                   "Score with the first N boosting rounds only (default: XGBoost's "
                   "best_iteration when recorded, else all)")
      ->check(CLI::Range(1, 1 << 30));
  if (!external) return;
  command->add_option("--model-command", args->command,
                      "Run this command as the model: batches of CSV on its stdin, predictions "
                      "as CSV on its stdout (probity-model-protocol 1, "
                      "docs/formats/external-model.md)");
  command->add_option("--batch-rows", args->batch_rows, "Rows per batch sent to --model-command")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 30))
      ->default_str("10000");
  command
      ->add_option("--timeout", args->timeout_s,
                   "Seconds --model-command may take per batch (and for its handshake)")
      ->check(CLI::Range(0.001, 1e6))
      ->default_str("60");
  command
      ->add_option("--env", args->environment,
                   "NAME=VALUE added to --model-command's environment (repeatable)")
      ->allow_extra_args(false);
}

Result<std::unique_ptr<Model>> LoadModelFromArgs(const ModelArgs& args) {
  if (!args.command.empty()) {
    if (!args.path.empty()) {
      return InvalidArgumentError("both --model and --model-command given")
          .Expecting("one model: a file or a command");
    }
    models::ExternalModelOptions options;
    options.command = args.command;
    options.batch_rows = args.batch_rows;
    options.timeout_ms = static_cast<int64_t>(args.timeout_s * 1000);
    options.environment = args.environment;
    return models::StartExternalModel(options);
  }
  if (args.path.empty()) {
    return InvalidArgumentError("no model given").Expecting("--model FILE or --model-command CMD");
  }
  models::ModelLoadOptions options;
  options.iteration_limit = args.iteration_limit;
  options.member = args.member;
  return models::LoadModel(LocalFileSystem(), args.path, options);
}

std::vector<std::string> PredictionColumnNames(const ModelInfo& info, bool with_probabilities) {
  std::vector<std::string> names;
  if (info.task == ModelTask::kRegression && info.num_targets > 1) {
    for (int k = 0; k < info.num_targets; ++k) {
      names.push_back("prediction(" + std::to_string(k) + ")");
    }
    return names;
  }
  names.emplace_back("prediction");
  if (info.task == ModelTask::kClassification && with_probabilities) {
    for (const std::string& c : info.classes) names.push_back("probability(" + c + ")");
  }
  return names;
}

}  // namespace probity::cli
