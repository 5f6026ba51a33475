// `probity model inspect MODEL`: what a model file is and what it needs — format and
// version, task, objective and link, inputs with types and categories, outputs, size of the
// structure, and the file digest. JSON layout: docs/formats/model-inspect.md.
#include <fmt/format.h>

#include <iostream>

#include "audit/cli/command.h"
#include "audit/cli/model_options.h"
#include "audit/core/json_output.h"
#include "audit/core/model.h"

namespace probity::cli {
namespace {

nlohmann::ordered_json InspectJson(const Model& model, const std::string& path) {
  const ModelInfo& info = model.info();
  nlohmann::ordered_json doc = MachineDocument("probity.model.inspect/1");
  doc["file"] = {
      {"path", path}, {"digest", info.digest.ToString()}, {"size_bytes", info.size_bytes}};
  doc["format"] = info.format;
  doc["format_version"] = info.format_version;
  doc["algorithm"] = info.algorithm;
  doc["task"] = ModelTaskName(info.task);
  doc["objective"] = info.objective;
  doc["link"] = info.link;
  doc["target"] = info.target;
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (const ModelInput& input : info.inputs) {
    nlohmann::ordered_json entry;
    entry["name"] = input.name;
    entry["kind"] = InputKindName(input.kind);
    entry["format_type"] = input.format_type;
    entry["categories"] = input.categories;
    inputs.push_back(std::move(entry));
  }
  doc["inputs"] = std::move(inputs);
  doc["classes"] = info.classes;
  doc["num_targets"] = info.num_targets;
  doc["output_columns"] = PredictionColumnNames(info);
  nlohmann::ordered_json structure = nlohmann::ordered_json::object();
  for (const auto& [name, count] : info.structure) structure[name] = count;
  doc["structure"] = std::move(structure);
  doc["views"] = {{"tree_ensemble", model.tree_view() != nullptr},
                  {"linear", model.linear_view() != nullptr}};
  return doc;
}

void PrintInspect(const Model& model, const std::string& path) {
  const ModelInfo& info = model.info();
  std::string out =
      fmt::format("{}\n  format     {} {}{}\n", path, info.format, info.format_version,
                  info.algorithm.empty() ? "" : " (" + info.algorithm + ")");
  out += fmt::format("  task       {}", ModelTaskName(info.task));
  if (!info.objective.empty()) out += fmt::format(", objective {}", info.objective);
  if (!info.link.empty()) out += fmt::format(", link {}", info.link);
  out += "\n";
  if (!info.target.empty()) out += fmt::format("  target     {}\n", info.target);
  if (!info.classes.empty()) {
    out += fmt::format("  classes    {}\n", fmt::join(info.classes, ", "));
  }
  if (info.num_targets > 1) out += fmt::format("  targets    {}\n", info.num_targets);
  out += fmt::format("  digest     {}  ({} bytes)\n", info.digest.ToString(), info.size_bytes);
  for (const auto& [name, count] : info.structure) {
    out += fmt::format("  {:<10} {}\n", name, count);
  }
  out += fmt::format("  inputs     {}\n", info.inputs.size());
  for (const ModelInput& input : info.inputs) {
    out += fmt::format("    {:<24} {}", input.name, InputKindName(input.kind));
    if (!input.categories.empty()) {
      const size_t shown = std::min<size_t>(input.categories.size(), 8);
      std::vector<std::string> head(input.categories.begin(),
                                    input.categories.begin() + static_cast<ptrdiff_t>(shown));
      out += fmt::format(" [{}{}]", fmt::join(head, ", "),
                         shown < input.categories.size()
                             ? fmt::format(", … {} in all", input.categories.size())
                             : "");
    }
    out += "\n";
  }
  out += fmt::format("  outputs    {}\n", fmt::join(PredictionColumnNames(info), ", "));
  std::cout << out << std::flush;
}

}  // namespace

void AddModelCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  CLI::App* model = app.add_subcommand("model", "Inspect model files");
  model->require_subcommand(1);
  auto args = std::make_shared<ModelArgs>();
  CLI::App* inspect = model->add_subcommand(
      "inspect",
      "Describe a model: format, task, inputs, outputs, structure and digest (PMML, XGBoost "
      "JSON/UBJSON, LightGBM text, Probity JSON, or an archive holding one of them)");
  AddModelOptions(inspect, args.get(), /*positional=*/true);
  inspect->footer(
      "Examples:\n"
      "  probity model inspect examples/models/german_credit_xgboost.json\n"
      "  probity model inspect model.tar.gz --json");
  inspect->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> loaded, LoadModelFromArgs(*args));
      if (global.json) {
        std::cout << DumpJson(InspectJson(*loaded, args->path)) << std::flush;
      } else {
        PrintInspect(*loaded, args->path);
      }
      return Verdict::kPass;
    };
  });
}

}  // namespace probity::cli
