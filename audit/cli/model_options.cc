#include "audit/cli/model_options.h"

#include "audit/core/file_system.h"
#include "audit/ingest/models/model_loader.h"

namespace probity::cli {

void AddModelOptions(CLI::App* command, ModelArgs* args, bool positional) {
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
}

Result<std::unique_ptr<Model>> LoadModelFromArgs(const ModelArgs& args) {
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
