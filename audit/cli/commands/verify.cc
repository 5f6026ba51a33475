// `probity verify`: offline, stateless verification of a workspace's signed lineage
// (lineage/verify.h), for auditors.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "audit/cli/command.h"
#include "audit/core/json_output.h"
#include "lineage/trusted_keys.h"
#include "lineage/verify.h"
#include "lineage/workspace.h"

namespace probity::cli {
namespace {

struct VerifyArgs {
  std::string db;
  std::vector<std::string> trusted_keys;
  std::string checkpoint;
  bool no_artifacts = false;
  size_t threshold = 1;
};

nlohmann::ordered_json FindingJson(const lineage::Finding& f) {
  nlohmann::ordered_json j;
  j["table"] = f.table;
  j["record"] = f.record ? nlohmann::ordered_json(*f.record) : nlohmann::ordered_json();
  j["field"] = f.field;
  j["expected"] = f.expected;
  j["found"] = f.found;
  j["message"] = f.message;
  return j;
}

std::string FindingText(const lineage::Finding& f) {
  std::string where = f.table;
  if (f.record) where += " " + std::to_string(*f.record);
  if (!f.field.empty()) where += " ." + f.field;
  return where + ": " + f.message + "\n      expected " + f.expected + "\n      found    " +
         f.found;
}

}  // namespace

void AddVerifyCommand(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Verify, offline, that no lineage record, checkpoint, signature, attestation, model card "
      "or artifact was altered");
  cmd->add_option("--trusted-keys", args->trusted_keys,
                  "File of public keys to trust (repeatable; docs/formats/trusted-keys.md). "
                  "Never taken from the workspace")
      ->required();
  cmd->add_option("--db", args->db,
                  "A copied lineage.db to verify instead of the workspace's (artifacts are then "
                  "re-checked only at their recorded paths)");
  cmd->add_option("--checkpoint", args->checkpoint,
                  "A checkpoint saved earlier (probity log checkpoint > FILE): prove the log "
                  "only grew since");
  cmd->add_flag("--no-artifacts", args->no_artifacts, "Do not re-hash artifact files");
  cmd->add_option("--threshold", args->threshold,
                  "Distinct trusted keys that must sign each checkpoint (default 1)")
      ->check(CLI::PositiveNumber);
  cmd->footer(
      "Examples:\n"
      "  probity verify --trusted-keys agency-keys.pem\n"
      "  probity verify --db copy/lineage.db --trusted-keys keys.pem --checkpoint saved.txt\n"
      "  probity verify --trusted-keys keys.pem --json > verify.json\n"
      "Exit codes: 0 verified, 1 verification failed (every failure is listed), 3 malformed\n"
      "input (not a lineage store, bad key file), 4 missing store, key file or checkpoint.");
  cmd->callback([args, &global, selected] {
    *selected = [args, &global]() -> Result<Verdict> {
      lineage::VerifyOptions options;
      options.check_artifacts = !args->no_artifacts;
      options.threshold = args->threshold;
      std::string db = args->db;
      if (db.empty()) {
        PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
        db = ws.db_path();
        options.objects_dir = ws.objects_dir();
      }
      for (const std::string& file : args->trusted_keys) {
        PROBITY_ASSIGN_OR_RETURN(std::vector<lineage::TrustedKey> keys,
                                 lineage::LoadTrustedKeys(file));
        options.trusted_keys.insert(options.trusted_keys.end(), keys.begin(), keys.end());
      }
      if (!args->checkpoint.empty()) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(args->checkpoint, ec)) {
          return FailedPreconditionError("the saved checkpoint does not exist")
              .At({args->checkpoint})
              .Expecting("a file written by `probity log checkpoint`");
        }
        std::ifstream in(args->checkpoint, std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        options.saved_checkpoint = text.str();
        options.saved_checkpoint_path = args->checkpoint;
      }
      PROBITY_ASSIGN_OR_RETURN(lineage::VerifyReport report, lineage::VerifyStore(db, options));
      if (global.json) {
        nlohmann::ordered_json doc = MachineDocument("probity.verify/1");
        doc["store"] = db;
        doc["origin"] = report.origin;
        doc["verified"] = report.verified();
        doc["records"] = report.records;
        doc["root"] = report.root ? nlohmann::ordered_json(report.root->Hex())
                                  : nlohmann::ordered_json();
        doc["checkpoints"] = report.checkpoints;
        doc["signatures_verified"] = report.signatures_verified;
        doc["signing_keys"] = report.signing_keys;
        doc["attestations"] = report.attestations;
        doc["artifacts_checked"] = report.artifacts_checked;
        doc["artifacts_skipped"] = args->no_artifacts;
        doc["failures"] = nlohmann::ordered_json::array();
        for (const auto& f : report.failures) doc["failures"].push_back(FindingJson(f));
        doc["warnings"] = nlohmann::ordered_json::array();
        for (const auto& f : report.warnings) doc["warnings"].push_back(FindingJson(f));
        std::cout << DumpJson(doc);
      } else {
        for (const auto& f : report.failures) std::cout << "FAIL  " << FindingText(f) << "\n";
        if (!global.quiet) {
          for (const auto& f : report.warnings) std::cout << "warn  " << FindingText(f) << "\n";
        }
        std::cout << (report.verified() ? "VERIFIED  " : "FAILED  ") << db << ": "
                  << report.records << " records, " << report.checkpoints << " checkpoints, "
                  << report.signatures_verified << " trusted signatures ("
                  << report.signing_keys.size() << " distinct keys), "
                  << report.artifacts_checked << " artifacts re-hashed"
                  << (args->no_artifacts ? " (skipped)" : "") << "; " << report.failures.size()
                  << " failures, " << report.warnings.size() << " warnings\n";
      }
      std::cout << std::flush;
      return report.verified() ? Verdict::kPass : Verdict::kFail;
    };
  });
}

}  // namespace probity::cli
