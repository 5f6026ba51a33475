// The `probity` command: parses the command line, runs the chosen command and maps its
// outcome to an exit code (audit/cli/exit_code.h). Nothing else in Probity exits.
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <new>

#include "audit/cli/command.h"
#include "audit/cli/exit_code.h"
#include "audit/core/version.h"

namespace probity::cli {
namespace {

int Run(int argc, char** argv) {
  CLI::App app(
      "Probity proves machine-learning models are lawful, fair and traceable: it profiles data,\n"
      "checks models for bias, explains them, records signed lineage and writes audit reports.",
      "probity");
  GlobalOptions global;
  app.set_version_flag("--version", std::string("probity ") + PROBITY_VERSION);
  app.add_flag("--json", global.json, "Print machine-readable JSON on stdout (docs/formats/)");
  app.add_flag("-q,--quiet", global.quiet, "No progress bars or warnings on stderr");
  app.add_option("--workspace", global.workspace,
                 "Workspace directory (.probity/); used by lineage commands")
      ->envname("PROBITY_WORKSPACE");
  app.add_option("--threads", global.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(0, 1024));
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Examples:\n"
      "  probity demo                                  run the demo on the embedded data\n"
      "  probity data profile german_credit.csv        profile a dataset\n"
      "  probity data schema german_credit.csv         write an editable schema\n"
      "  probity scan model.tar.gz                     check a model for unsafe pickle code\n"
      "\n"
      "Exit codes: 0 ok, 1 check failed, 2 usage error, 3 bad input, 4 environment error,\n"
      "70 internal error. Reference: docs/cli.md");

  CommandFn selected;
  AddDataCommands(app, global, &selected);
  AddModelCommands(app, global, &selected);
  AddPredictCommand(app, global, &selected);
  AddFairnessCommands(app, global, &selected);
  AddExplainCommands(app, global, &selected);
  AddDemoCommand(app, global, &selected);
  AddScanCommand(app, global, &selected);
  AddWorkspaceCommands(app, global, &selected);
  AddLineageCommands(app, global, &selected);
  AddCardCommands(app, global, &selected);
  AddVerifyCommand(app, global, &selected);
  AddAttestCommands(app, global, &selected);
  // Global options may follow any command; say so in every command's help.
  const std::string global_note =
      "\n\nGlobal options (before or after the command): --json, -q/--quiet, --threads N,\n"
      "--workspace DIR. Exit codes and details: probity --help, docs/cli.md";
  std::function<void(CLI::App*)> add_note = [&](CLI::App* command) {
    for (CLI::App* sub : command->get_subcommands({})) {
      sub->fallthrough();
      sub->footer(sub->get_footer() + global_note);
      add_note(sub);
    }
  };
  add_note(&app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "probity: error: %s\nRun 'probity --help' for usage.\n", e.what());
    return static_cast<int>(ExitCode::kUsage);
  }
  if (!selected) {
    std::fprintf(stderr, "probity: error: no command given\nRun 'probity --help' for usage.\n");
    return static_cast<int>(ExitCode::kUsage);
  }
  Result<Verdict> outcome = selected();
  if (!outcome.has_value()) {
    std::fprintf(stderr, "probity: error: %s\n", outcome.error().ToString().c_str());
    return static_cast<int>(ExitCodeFor(outcome.error()));
  }
  return static_cast<int>(ExitCodeFor(*outcome));
}

}  // namespace
}  // namespace probity::cli

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  // Batches allocate and free megabyte-sized column buffers continuously; keeping them in
  // the heap instead of mmap/munmap-ing each one avoids a page-fault storm.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  try {
    return probity::cli::Run(argc, argv);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "probity: error: out of memory\n");
    return static_cast<int>(probity::cli::ExitCode::kEnvironment);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "probity: internal error: %s (please report this)\n", e.what());
    return static_cast<int>(probity::cli::ExitCode::kInternal);
  }
}
