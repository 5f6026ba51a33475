// `probity lineage export cyclonedx MODEL_ID`: the model and its datasets as a CycloneDX 1.6
// ML-BOM. The BOM is the model card's CycloneDX export (card export --format cyclonedx); a
// model without a card is exported from what lineage records about it.
#include "audit/cli/command.h"

namespace probity::cli {
namespace {

struct LineageExportArgs {
  int64_t model = -1;
  std::string out;
};

}  // namespace

void AddLineageExportCommand(CLI::App* lineage_cmd, const GlobalOptions& global,
                             CommandFn* selected) {
  CLI::App* export_cmd =
      lineage_cmd->add_subcommand("export", "Export lineage in a standard format");
  export_cmd->require_subcommand(1);
  export_cmd->footer("Examples:\n  probity lineage export cyclonedx 4 --out bom.json");
  auto args = std::make_shared<LineageExportArgs>();
  CLI::App* cyclonedx =
      export_cmd->add_subcommand("cyclonedx", "A model and its datasets as a CycloneDX 1.6 ML-BOM");
  cyclonedx->add_option("MODEL_ID", args->model, "The model artifact's record id")
      ->required()
      ->check(CLI::NonNegativeNumber);
  cyclonedx->add_option("--out", args->out, "Write to this file instead of stdout");
  cyclonedx->footer(
      "Examples:\n"
      "  probity lineage export cyclonedx 4 --out bom.json\n"
      "Uses the model's latest card when it has one (probity card), else lineage alone.\n"
      "Exit codes: 0 written, 3 not a model artifact, 4 unwritable --out.");
  cyclonedx->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      return ExportModelCard(global, args->model, 0, "cyclonedx", args->out, true);
    };
  });
}

}  // namespace probity::cli
