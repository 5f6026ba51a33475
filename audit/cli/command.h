// What every `probity` command shares: the global options, the way a command hands its
// work to main() (which maps the outcome to an exit code), and the options and helpers for
// commands that read a dataset.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/cli/exit_code.h"
#include "audit/core/result.h"
#include "audit/ingest/format_options.h"
#include "audit/ingest/profile.h"

namespace probity::cli {

struct GlobalOptions {
  bool json = false;      // machine output on stdout
  bool quiet = false;     // no progress, no warnings
  std::string workspace;  // --workspace / PROBITY_WORKSPACE (used by lineage commands)
  int threads = 0;        // 0 = all cores
};

// The work of the subcommand the user chose; main() runs it after parsing.
using CommandFn = std::function<Result<Verdict>()>;

// Registers `probity data …` (profile, schema) and its subcommands.
void AddDataCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
void AddDataProfileCommand(CLI::App* data, const GlobalOptions& global, CommandFn* selected);
void AddDataSchemaCommand(CLI::App* data, const GlobalOptions& global, CommandFn* selected);
// Registers `probity model …` (inspect) and `probity predict`.
void AddModelCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
void AddPredictCommand(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
// Registers `probity demo`.
void AddDemoCommand(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
// Registers `probity scan`.
void AddScanCommand(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
// Registers `probity init` and `probity key …`.
void AddWorkspaceCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
// Registers `probity lineage …` and `probity log …`.
void AddLineageCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
// Registers `probity attest …`.
void AddAttestCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
// Registers `probity card …` (init, set/edit, show, export, approve).
void AddCardCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
// Registers `probity lineage import …` under the `lineage` command.
void AddLineageImportCommand(CLI::App* lineage_cmd, const GlobalOptions& global,
                             CommandFn* selected);
// Registers `probity lineage export …` under the `lineage` command.
void AddLineageExportCommand(CLI::App* lineage_cmd, const GlobalOptions& global,
                             CommandFn* selected);
// Writes the model's card (`version`, or the latest when 0) as "mct", "sagemaker" or
// "cyclonedx" to `out` (stdout when empty). With `card_optional`, a model without a card is
// exported from lineage alone (lineage/card.h InitCardFromLineage).
Result<Verdict> ExportModelCard(const GlobalOptions& global, int64_t model, int64_t version,
                                const std::string& format, const std::string& out,
                                bool card_optional);
// Registers `probity fairness` (and merge, ll144, four-fifths).
void AddFairnessCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
// Registers `probity explain` (and explain reasons).
void AddExplainCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected);
// Registers `probity verify`.
void AddVerifyCommand(CLI::App& app, const GlobalOptions& global, CommandFn* selected);

// Options of commands that read one dataset file.
struct DatasetArgs {
  std::string path;
  std::string schema_path;
  std::string format = "auto";
  std::string delimiter;
  bool header = false;
  bool no_header = false;
  std::vector<std::string> missing;
  bool missing_set = false;
  std::string on_bad_row = "fail";
};

// Adds FILE (or the option named `file_option`, e.g. "--data") and the reading options
// (--schema, --format, --delimiter, --header, --no-header, --missing, --on-bad-row).
// `required` = false leaves the check to the command (e.g. one whose subcommands take no
// data file).
void AddDatasetOptions(CLI::App* command, DatasetArgs* args,
                       const std::string& file_option = "FILE", bool required = true);

// "a,b,,c" → {"a", "b", "c"}: a comma-separated option value, empty pieces dropped.
std::vector<std::string> SplitCommaList(std::string_view text);
// An option's value as a finite number; kInvalidArgument naming the option otherwise.
Result<double> ParseNumberOption(std::string_view option, std::string_view text);

// The spec from the schema file (if any) with the command-line flags applied on top.
Result<ingest::DatasetSpec> BuildDatasetSpec(const DatasetArgs& args);
ingest::ScanOptions BuildScanOptions(const DatasetArgs& args, const GlobalOptions& global);

// Opens and profiles the dataset the arguments name (read as `spec` says, or as the
// arguments say when no spec is given), with a progress bar on a terminal and a warning
// when bad rows were skipped.
Result<ingest::DatasetProfile> ProfileDatasetFile(
    const DatasetArgs& args, const GlobalOptions& global,
    const std::optional<ingest::DatasetSpec>& spec = std::nullopt);

// Prints "probity: warning: …" to stderr unless quiet.
void Warn(const GlobalOptions& global, const std::string& message);

}  // namespace probity::cli
