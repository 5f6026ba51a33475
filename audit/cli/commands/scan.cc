// `probity scan PATH`: model-security scan of a file, a directory or an archive
// (policy/scanners/model_scanner.h); fails on unsafe imports and unscanned items.
#include <iostream>

#include "audit/cli/command.h"
#include "audit/core/file_system.h"
#include "audit/core/json_output.h"
#include "policy/scanners/model_scanner.h"

namespace probity::cli {
namespace {

struct ScanArgs {
  std::string path;
  bool strict = false;
};

}  // namespace

void AddScanCommand(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  auto args = std::make_shared<ScanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "scan",
      "Scan model files for code that runs when they are loaded (pickle imports, Keras Lambda "
      "layers), without loading them: a file, a directory or an archive");
  cmd->add_option("PATH", args->path, "File, directory or archive to scan")->required();
  cmd->add_flag("--strict", args->strict,
                "Also fail on any pickle import that is not on the allow-list");
  cmd->footer(
      "Examples:\n"
      "  probity scan model.tar.gz\n"
      "  probity scan models/ --strict --json > scan.json\n"
      "Exit codes: 0 nothing unsafe, 1 an unsafe import, unsafe config or unscanned item (with\n"
      "--strict also an import not on the allow-list), 3 unreadable PATH.");
  cmd->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(policy::ScanReport report,
                               policy::ScanPath(LocalFileSystem(), args->path));
      if (global.json) {
        std::cout << DumpJson(policy::ScanReportJson(report, args->path, args->strict));
      } else {
        std::cout << policy::ScanReportText(report, args->strict);
      }
      std::cout << std::flush;
      return report.Fails(args->strict) ? Verdict::kFail : Verdict::kPass;
    };
  });
}

}  // namespace probity::cli
