// `probity demo`: the main job on the embedded default data (UCI German credit). For now it
// profiles the data set; later issues extend it to the full audit.
#include <iostream>

#include "audit/cli/command.h"
#include "audit/core/file_system.h"
#include "audit/core/json_output.h"

namespace probity::embedded {
std::string_view german_credit_csv();
std::string_view german_credit_schema_yaml();
}  // namespace probity::embedded

namespace probity::cli {
namespace {

struct DemoArgs {
  std::string out = "probity-demo";
};

Result<Verdict> RunDemo(const DemoArgs& args, const GlobalOptions& global) {
  FileSystem& fs = LocalFileSystem();
  const std::string data_dir = args.out + "/data";
  const std::string csv = data_dir + "/german_credit.csv";
  const std::string schema = data_dir + "/german_credit.schema.yaml";
  PROBITY_RETURN_IF_ERROR(fs.CreateDirectories(data_dir));
  PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(csv, embedded::german_credit_csv()));
  PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(schema, embedded::german_credit_schema_yaml()));

  DatasetArgs dataset;
  dataset.path = csv;
  dataset.schema_path = schema;
  PROBITY_ASSIGN_OR_RETURN(ingest::DatasetProfile profile, ProfileDatasetFile(dataset, global));

  const std::string profile_path = args.out + "/profile.json";
  const std::string summary_path = args.out + "/summary.txt";
  std::string summary =
      "Probity demo: profile of the UCI Statlog German Credit data (CC BY 4.0), embedded in\n"
      "the probity binary. Later versions of the demo add models, fairness, explanations,\n"
      "policy checks and a signed lineage record.\n\n" +
      profile.ToText();
  PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(profile_path, profile.ToJson()));
  PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(summary_path, summary));

  if (global.json) {
    nlohmann::ordered_json doc = MachineDocument("probity.demo/1");
    nlohmann::ordered_json outputs;
    outputs["data"] = csv;
    outputs["schema_file"] = schema;
    outputs["profile"] = profile_path;
    outputs["summary"] = summary_path;
    doc["outputs"] = outputs;
    doc["rows"] = profile.scan.rows;
    doc["columns"] = profile.columns.size();
    doc["digest"] = profile.scan.digest.ToString();
    nlohmann::ordered_json facets = nlohmann::ordered_json::array();
    for (const auto& f : profile.candidate_facets) facets.push_back(f.column);
    doc["candidate_facets"] = facets;
    std::cout << DumpJson(doc) << std::flush;
  } else {
    std::cout << summary << "\nOutputs:\n"
              << "  " << profile_path << "   machine-readable profile (probity.data.profile/1)\n"
              << "  " << summary_path << "   this summary\n"
              << "  " << csv << "   the data set\n"
              << "  " << schema << "   its schema (roles: label, facets)\n"
              << std::flush;
  }
  return Verdict::kPass;
}

}  // namespace

void AddDemoCommand(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the demo audit on the embedded German credit data and write its outputs");
  cmd->add_option("--out", args->out, "Output directory")->default_str("probity-demo");
  cmd->footer("Example:\n  probity demo && less probity-demo/summary.txt");
  cmd->callback([args, &global, selected] {
    *selected = [args, &global] { return RunDemo(*args, global); };
  });
}

}  // namespace probity::cli
