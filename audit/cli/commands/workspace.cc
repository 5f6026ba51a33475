// `probity init [DIR]` and `probity key generate|list|export`: the workspace and its keys
// (lineage/workspace.h).
#include <filesystem>
#include <iostream>

#include "audit/cli/command.h"
#include "audit/core/json_output.h"
#include "lineage/checkpoint.h"
#include "lineage/trusted_keys.h"
#include "lineage/workspace.h"

namespace probity::cli {
namespace {

struct InitArgs {
  std::string dir = ".";
};

struct KeyArgs {
  std::string name;
};

}  // namespace

void AddWorkspaceCommands(CLI::App& app, const GlobalOptions& global, CommandFn* selected) {
  auto init_args = std::make_shared<InitArgs>();
  CLI::App* init = app.add_subcommand(
      "init", "Create a Probity workspace (.probity/: lineage store, objects, signing key)");
  init->add_option("DIR", init_args->dir, "Directory to create .probity/ in (default: .)");
  init->footer(
      "Examples:\n"
      "  probity init\n"
      "  probity init projects/credit-model\n"
      "Creates .probity/lineage.db, objects/, keys/default.key (mode 0600) and config.yaml.\n"
      "Give auditors the public key (probity key export > trusted-keys.pem).\n"
      "Exit codes: 0 created, 4 a workspace already exists or DIR is not a directory.");
  init->callback([init_args, &global, selected] {
    *selected = [init_args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws,
                               lineage::InitWorkspace(init_args->dir, &SystemClock()));
      PROBITY_ASSIGN_OR_RETURN(auto signer, ws.LoadSigner());
      if (global.json) {
        nlohmann::ordered_json doc = MachineDocument("probity.init/1");
        doc["workspace"] = ws.dir;
        doc["origin"] = ws.origin;
        doc["signing_key"] = {{"name", ws.signing_key},
                              {"key_id", signer->key_id()},
                              {"path", ws.KeyPath(ws.signing_key)}};
        std::cout << DumpJson(doc);
      } else {
        std::cout << "Created workspace " << ws.dir << "\n"
                  << "  log origin   " << ws.origin << "\n"
                  << "  signing key  " << ws.KeyPath(ws.signing_key) << " (key id "
                  << signer->key_id().substr(0, 16) << "…)\n"
                  << "Give auditors the public key: probity key export > trusted-keys.pem\n";
      }
      return Verdict::kPass;
    };
  });

  CLI::App* key = app.add_subcommand("key", "Manage the workspace's Ed25519 signing keys");
  key->require_subcommand(1);
  auto gen_args = std::make_shared<KeyArgs>();
  CLI::App* generate = key->add_subcommand("generate", "Generate an Ed25519 key pair");
  generate->add_option("--name", gen_args->name, "Key name (default: \"default\")")
      ->default_str("default");
  generate->footer(
      "Examples:\n"
      "  probity key generate --name reviewer\n"
      "Writes .probity/keys/NAME.key (PKCS#8 PEM, mode 0600) and NAME.key.pub.\n"
      "Exit codes: 0 generated, 3 invalid name, 4 no workspace or the key exists.");
  generate->callback([gen_args, &global, selected] {
    *selected = [gen_args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      const std::string name = gen_args->name.empty() ? "default" : gen_args->name;
      PROBITY_ASSIGN_OR_RETURN(lineage::KeyInfo info, lineage::GenerateKey(ws, name));
      if (global.json) {
        nlohmann::ordered_json doc = MachineDocument("probity.key.generate/1");
        doc["name"] = info.name;
        doc["key_id"] = info.key.id();
        doc["path"] = ws.KeyPath(info.name);
        std::cout << DumpJson(doc);
      } else {
        std::cout << "Generated key \"" << info.name << "\" (key id " << info.key.id() << ")\n"
                  << "  private key  " << ws.KeyPath(info.name) << " (mode 0600)\n"
                  << "  public key   " << ws.KeyPath(info.name) << ".pub\n";
      }
      return Verdict::kPass;
    };
  });

  CLI::App* list = key->add_subcommand("list", "List the workspace's keys");
  list->footer("Examples:\n  probity key list\n  probity key list --json");
  list->callback([&global, selected] {
    *selected = [&global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      PROBITY_ASSIGN_OR_RETURN(std::vector<lineage::KeyInfo> keys, lineage::ListKeys(ws));
      if (global.json) {
        nlohmann::ordered_json doc = MachineDocument("probity.key.list/1");
        doc["keys"] = nlohmann::ordered_json::array();
        for (const lineage::KeyInfo& k : keys) {
          doc["keys"].push_back({{"name", k.name},
                                 {"algorithm", lineage::KeyAlgorithmName(k.key.algorithm())},
                                 {"key_id", k.key.id()},
                                 {"signing", k.name == ws.signing_key},
                                 {"has_private_key", k.has_private_key}});
        }
        std::cout << DumpJson(doc);
      } else {
        for (const lineage::KeyInfo& k : keys) {
          std::cout << (k.name == ws.signing_key ? "* " : "  ") << k.name << "  "
                    << lineage::KeyAlgorithmName(k.key.algorithm()) << "  " << k.key.id()
                    << (k.has_private_key ? "" : "  (public only)") << "\n";
        }
      }
      return Verdict::kPass;
    };
  });

  auto export_args = std::make_shared<KeyArgs>();
  CLI::App* exp = key->add_subcommand(
      "export", "Print a public key as a trusted-keys entry, for auditors (never the private key)");
  exp->add_option("NAME", export_args->name, "Key name (default: the signing key)");
  exp->footer(
      "Examples:\n"
      "  probity key export > trusted-keys.pem\n"
      "  probity key export reviewer >> trusted-keys.pem\n"
      "Format: docs/formats/trusted-keys.md.");
  exp->callback([export_args, &global, selected] {
    *selected = [export_args, &global]() -> Result<Verdict> {
      PROBITY_ASSIGN_OR_RETURN(lineage::Workspace ws, lineage::FindWorkspace(global.workspace));
      PROBITY_ASSIGN_OR_RETURN(std::vector<lineage::KeyInfo> keys, lineage::ListKeys(ws));
      const std::string name = export_args->name.empty() ? ws.signing_key : export_args->name;
      for (const lineage::KeyInfo& k : keys) {
        if (k.name != name) continue;
        std::cout << "# key id " << k.key.id() << " (workspace " << ws.origin << ")\n"
                  << lineage::FormatTrustedKey(k.name, k.key);
        return Verdict::kPass;
      }
      return FailedPreconditionError("the workspace has no key \"" + name + "\"")
          .Expecting("one of the names `probity key list` shows");
    };
  });
}

}  // namespace probity::cli
