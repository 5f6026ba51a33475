// `probity data schema FILE`: writes an editable schema file for a dataset.
#include <iostream>

#include "audit/cli/command.h"
#include "audit/cli/progress.h"
#include "audit/core/file_system.h"
#include "audit/ingest/profile.h"
#include "audit/ingest/schema_file.h"
#include "audit/ingest/schema_inference.h"

namespace probity::cli {

namespace {

struct SchemaArgs {
  DatasetArgs dataset;
  std::string out;
};

}  // namespace

void AddDataSchemaCommand(CLI::App* data, const GlobalOptions& global, CommandFn* selected) {
  auto args = std::make_shared<SchemaArgs>();
  CLI::App* cmd = data->add_subcommand(
      "schema",
      "Write a schema file (YAML; JSON with --json) for a dataset, with types that fit "
      "every row and candidate facets marked, ready to edit");
  AddDatasetOptions(cmd, &args->dataset);
  cmd->add_option("--out", args->out, "Write the schema to this file instead of stdout");
  cmd->footer(
      "Examples:\n"
      "  probity data schema german_credit.csv > german_credit.schema.yaml\n"
      "  probity data profile german_credit.csv --schema german_credit.schema.yaml");
  cmd->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      // Types are chosen over every row (one extra pass), so the schema reads the whole file.
      PROBITY_ASSIGN_OR_RETURN(ingest::DatasetSpec given, BuildDatasetSpec(args->dataset));
      ingest::ScanOptions options = BuildScanOptions(args->dataset, global);
      ProgressBar bar("inferring types of " + args->dataset.path,
                      ProgressBar::ShouldShow(global.quiet));
      options.progress = [&bar](int64_t done, int64_t total) { bar.Update(done, total); };
      Result<ingest::DatasetSpec> spec =
          ingest::InferSpecFromWholeFile(LocalFileSystem(), args->dataset.path, given, options);
      bar.Finish();
      if (!spec.has_value()) return spec.error();
      PROBITY_ASSIGN_OR_RETURN(ingest::DatasetProfile profile,
                               ProfileDatasetFile(args->dataset, global, *spec));
      std::string text =
          global.json ? ingest::SchemaFileJson(profile) : ingest::SchemaFileYaml(profile);
      if (!args->out.empty()) {
        PROBITY_RETURN_IF_ERROR(LocalFileSystem().WriteFileAtomically(args->out, text));
      } else {
        std::cout << text << std::flush;
      }
      return Verdict::kPass;
    };
  });
}

void AddDataCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  CLI::App* data = app.add_subcommand("data", "Inspect datasets: profile, schema");
  data->require_subcommand(1);
  data->footer(
      "Examples:\n  probity data profile german_credit.csv\n  probity data schema "
      "german_credit.csv");
  AddDataProfileCommand(data, global, selected);
  AddDataSchemaCommand(data, global, selected);
}

}  // namespace probity::cli
