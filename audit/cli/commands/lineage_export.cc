// `probity lineage export cyclonedx MODEL_ID`: the model and its datasets as a CycloneDX 1.6
// ML-BOM. The BOM is the model card's CycloneDX export (card export --format cyclonedx); a
// model without a card is exported from what lineage records about it.
// `probity lineage export openlineage`: every recorded execution as an OpenLineage RunEvent
// (JSON Lines, valid against OpenLineage 2-0-2).
#include <iostream>

#include "audit/cli/command.h"
#include "audit/core/file_system.h"
#include "lineage/export/openlineage.h"
#include "lineage/workspace.h"

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
  export_cmd->footer(
      "Examples:\n"
      "  probity lineage export cyclonedx 4 --out bom.json\n"
      "  probity lineage export openlineage > events.jsonl");
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

  auto ol_args = std::make_shared<LineageExportArgs>();
  CLI::App* openlineage = export_cmd->add_subcommand(
      "openlineage", "Every recorded run as OpenLineage RunEvents (JSON Lines)");
  openlineage->add_option("--out", ol_args->out, "Write to this file instead of stdout");
  openlineage->footer(
      "Examples:\n"
      "  probity lineage export openlineage > events.jsonl\n"
      "One RunEvent per execution record, in log order; mapping in docs/formats/lineage-import.md.\n"
      "Exit codes: 0 written, 3 a record that cannot become a valid event, 4 no workspace.");
  openlineage->callback([ol_args, &global, selected] {
    *selected = [ol_args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      PROBITY_ASSIGN_OR_RETURN(auto store, ws.OpenStore(&SystemClock()));
      PROBITY_ASSIGN_OR_RETURN(std::vector<nlohmann::json> records, store->Records());
      PROBITY_ASSIGN_OR_RETURN(std::vector<nlohmann::json> events,
                               lineage::ExportOpenLineage(records));
      std::string text;
      for (const nlohmann::json& e : events) text += e.dump() + "\n";
      if (ol_args->out.empty()) {
        std::cout << text << std::flush;
      } else {
        PROBITY_RETURN_IF_ERROR(LocalFileSystem().WriteFileAtomically(ol_args->out, text));
      }
      if (!global.quiet) {
        std::cerr << "probity: exported " << events.size() << " OpenLineage run event(s)\n";
      }
      return Verdict::kPass;
    };
  });
}

}  // namespace probity::cli
