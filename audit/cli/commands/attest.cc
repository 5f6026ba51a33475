// `probity attest provenance|export|verify`: signed in-toto attestations about models
// (lineage/attest.h, docs/formats/attestations.md).
#include <fstream>
#include <iostream>
#include <sstream>

#include "audit/cli/command.h"
#include "audit/cli/recording.h"
#include "audit/core/json_output.h"
#include "lineage/attest.h"
#include "lineage/canonical_json.h"
#include "lineage/dsse.h"
#include "lineage/trusted_keys.h"

namespace probity::cli {
namespace {

struct AttestArgs {
  int64_t model = -1;
  std::string file;
  std::vector<std::string> trusted_keys;
  std::string out;
};

nlohmann::ordered_json Ordered(const nlohmann::json& j) {
  return nlohmann::ordered_json::parse(j.dump());
}

}  // namespace

void AddAttestCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  CLI::App* attest = app.add_subcommand(
      "attest", "Signed in-toto attestations (SLSA provenance, results) about models");
  attest->require_subcommand(1);

  auto provenance_args = std::make_shared<AttestArgs>();
  CLI::App* provenance = attest->add_subcommand(
      "provenance", "Sign and log SLSA Provenance v1 for a model, built from its lineage");
  provenance->add_option("MODEL_ID", provenance_args->model, "Model artifact id")
      ->required()
      ->check(CLI::NonNegativeNumber);
  provenance->footer(
      "Examples:\n"
      "  probity attest provenance 7\n"
      "The model must be the output of a recorded step; its inputs become resolvedDependencies.\n"
      "Exit codes: 0 signed and logged, 3 not a model artifact, 4 no producing step, workspace\n"
      "or key.");
  provenance->callback([provenance_args, &global, selected] {
    *selected = [provenance_args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(RecordingSession session, OpenRecordingSession(global));
      PROBITY_ASSIGN_OR_RETURN(nlohmann::json statement,
                               lineage::ModelProvenance(*session.store, provenance_args->model));
      PROBITY_ASSIGN_OR_RETURN(lineage::LineageStore::Batch * batch, session.Batch());
      PROBITY_ASSIGN_OR_RETURN(int64_t id,
                               lineage::RecordAttestation(*batch, *session.signer, statement));
      PROBITY_ASSIGN_OR_RETURN(auto checkpoint, session.Commit());
      if (global.json) {
        nlohmann::ordered_json doc = MachineDocument("probity.attest.provenance/1");
        doc["id"] = id;
        doc["statement"] = Ordered(statement);
        doc["log_size"] = checkpoint ? checkpoint->size : 0;
        std::cout << DumpJson(doc);
      } else {
        std::cout << "Signed SLSA provenance for model " << provenance_args->model
                  << " (attestation record " << id << ", key "
                  << session.signer->key_id().substr(0, 16) << "…)\n";
      }
      return Verdict::kPass;
    };
  });

  auto export_args = std::make_shared<AttestArgs>();
  CLI::App* exp = attest->add_subcommand(
      "export", "Write every attestation about a model as an in-toto bundle (.intoto.jsonl)");
  exp->add_option("MODEL_ID", export_args->model, "Model artifact id")
      ->required()
      ->check(CLI::NonNegativeNumber);
  exp->add_option("--out", export_args->out, "Output file (default: stdout)");
  exp->footer(
      "Examples:\n"
      "  probity attest export 7 > model.intoto.jsonl\n"
      "One DSSE envelope per line, in log order (in-toto bundle spec).");
  exp->callback([export_args, &global, selected] {
    *selected = [export_args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      PROBITY_ASSIGN_OR_RETURN(auto store, ws.OpenStore(&SystemClock()));
      PROBITY_ASSIGN_OR_RETURN(std::vector<std::string> lines,
                               lineage::ExportAttestations(*store, export_args->model));
      std::string bundle;
      for (const std::string& line : lines) bundle += line + "\n";
      if (export_args->out.empty()) {
        std::cout << bundle << std::flush;
      } else {
        PROBITY_RETURN_IF_ERROR(LocalFileSystem().WriteFileAtomically(export_args->out, bundle));
      }
      if (!global.quiet) {
        std::cerr << "probity: exported " << lines.size() << " attestation(s) about model "
                  << export_args->model << "\n";
      }
      return Verdict::kPass;
    };
  });

  auto verify_args = std::make_shared<AttestArgs>();
  CLI::App* verify = attest->add_subcommand(
      "verify", "Verify an in-toto bundle or DSSE envelope file offline against trusted keys");
  verify->add_option("FILE", verify_args->file, "A .intoto.jsonl bundle or one envelope")
      ->required();
  verify->add_option("--trusted-keys", verify_args->trusted_keys,
                     "File of trusted public keys (repeatable)")
      ->required();
  verify->footer(
      "Examples:\n"
      "  probity attest verify model.intoto.jsonl --trusted-keys agency-keys.pem\n"
      "Exit codes: 0 every envelope verified, 1 an envelope did not verify, 3 malformed file,\n"
      "4 missing file or keys.");
  verify->callback([verify_args, &global, selected] {
    *selected = [verify_args, &global]() -> Result<Verdict> {
      std::vector<lineage::TrustedKey> trusted;
      for (const std::string& file : verify_args->trusted_keys) {
        PROBITY_ASSIGN_OR_RETURN(std::vector<lineage::TrustedKey> keys,
                                 lineage::LoadTrustedKeys(file));
        trusted.insert(trusted.end(), keys.begin(), keys.end());
      }
      std::ifstream in(verify_args->file, std::ios::binary);
      if (!in) {
        return FailedPreconditionError("cannot open the attestation file")
            .At({verify_args->file});
      }
      nlohmann::ordered_json doc = MachineDocument("probity.attest.verify/1");
      doc["file"] = verify_args->file;
      doc["envelopes"] = nlohmann::ordered_json::array();
      bool all = true;
      int64_t line_number = 0;
      int64_t count = 0;
      for (std::string line; std::getline(in, line);) {
        ++line_number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        ++count;
        const std::string origin = verify_args->file + ":" + std::to_string(line_number);
        PROBITY_ASSIGN_OR_RETURN(lineage::Envelope envelope, lineage::ParseEnvelope(line, origin));
        nlohmann::ordered_json entry;
        entry["line"] = line_number;
        Result<lineage::VerifiedPayload> verified = lineage::VerifyEnvelope(envelope, trusted);
        Result<lineage::ParsedStatement> statement =
            verified.ok() ? lineage::ParseStatement(*verified, origin)
                          : Result<lineage::ParsedStatement>(verified.status());
        entry["verified"] = statement.ok();
        if (statement.ok()) {
          entry["key_ids"] = verified->key_ids;
          entry["predicate_type"] = statement->predicate_type;
          entry["subjects"] = nlohmann::ordered_json::array();
          for (const auto& s : statement->subjects) {
            entry["subjects"].push_back(Ordered(s.ToJson()));
          }
        } else {
          all = false;
          entry["error"] = statement.status().ToString();
        }
        if (!global.json) {
          std::cout << (statement.ok() ? "ok    " : "FAIL  ") << origin << "  ";
          if (statement.ok()) {
            std::cout << statement->predicate_type;
            for (const auto& s : statement->subjects) {
              std::cout << "  " << s.name << " sha256:" << s.digest.at("sha256").substr(0, 16)
                        << "…";
            }
          } else {
            std::cout << statement.status().ToString();
          }
          std::cout << "\n";
        }
        doc["envelopes"].push_back(std::move(entry));
      }
      if (count == 0) {
        return InvalidArgumentError("the file holds no envelope")
            .At({verify_args->file})
            .Expecting("one DSSE envelope (JSON) per line");
      }
      doc["verified"] = all;
      if (global.json) {
        std::cout << DumpJson(doc);
      } else {
        std::cout << (all ? "VERIFIED  " : "FAILED  ") << count << " envelope(s)\n";
      }
      std::cout << std::flush;
      return all ? Verdict::kPass : Verdict::kFail;
    };
  });
}

}  // namespace probity::cli
