// `probity data profile FILE`: one streaming pass over a dataset, printing its profile.
#include <iostream>

#include "audit/cli/command.h"
#include "audit/core/file_system.h"

namespace probity::cli {
namespace {

struct ProfileArgs {
  DatasetArgs dataset;
  std::string out;
};

}  // namespace

void AddDataProfileCommand(CLI::App* data, const GlobalOptions& global, CommandFn* selected) {
  auto args = std::make_shared<ProfileArgs>();
  CLI::App* cmd = data->add_subcommand("profile",
                                       "Profile a dataset: rows, types, nulls, distinct values, "
                                       "quantiles, top values, candidate facets, SHA-256");
  AddDatasetOptions(cmd, &args->dataset);
  cmd->add_option("--out", args->out, "Also write the JSON profile to this file");
  cmd->footer(
      "Examples:\n"
      "  probity data profile german_credit.csv\n"
      "  probity data profile adult.data.gz --schema adult.schema.yaml --json > profile.json\n"
      "  probity data profile big.csv.zst --on-bad-row=skip --out profile.json");
  cmd->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(ingest::DatasetProfile profile,
                               ProfileDatasetFile(args->dataset, global));
      std::string json = profile.ToJson();
      if (!args->out.empty())
        PROBITY_RETURN_IF_ERROR(LocalFileSystem().WriteFileAtomically(args->out, json));
      std::cout << (global.json ? json : profile.ToText()) << std::flush;
      return Verdict::kPass;
    };
  });
}

}  // namespace probity::cli
