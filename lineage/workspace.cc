#include "lineage/workspace.h"

#include <openssl/rand.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/core/base64.h"

namespace probity::lineage {
namespace fs = std::filesystem;

namespace {

bool ValidKeyName(const std::string& name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
         }) &&
         name[0] != '.';
}

Result<Workspace> ReadWorkspace(const fs::path& root) {
  Workspace ws;
  ws.root = root.string();
  ws.dir = (root / ".probity").string();
  const std::string config_path = ws.dir + "/config.yaml";
  try {
    const YAML::Node config = YAML::LoadFile(config_path);
    ws.id = config["workspace_id"].as<std::string>("");
    ws.origin = config["origin"].as<std::string>("");
    ws.signing_key = config["signing_key"].as<std::string>("default");
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("cannot read the workspace configuration: " + std::string(e.what()))
        .At({config_path, e.mark.line + 1, e.mark.column + 1})
        .Expecting("workspace_id, origin and signing_key (written by `probity init`)");
  }
  if (ws.origin.empty() || ws.id.empty()) {
    return InvalidArgumentError("the workspace configuration has no workspace_id or origin")
        .At({config_path})
        .Expecting("workspace_id and origin (written by `probity init`)");
  }
  return ws;
}

}  // namespace

Result<std::unique_ptr<Signer>> Workspace::LoadSigner(const std::string& name) const {
  const std::string key = name.empty() ? signing_key : name;
  if (!ValidKeyName(key)) {
    return InvalidArgumentError("invalid key name \"" + key + "\"")
        .Expecting("letters, digits, '-', '_' or '.'");
  }
  std::error_code ec;
  if (!fs::exists(KeyPath(key), ec)) {
    return FailedPreconditionError("the workspace has no signing key \"" + key + "\"")
        .At({KeyPath(key)})
        .Expecting("a key made by `probity key generate --name " + key + "`");
  }
  return lineage::LoadSigner(KeyPath(key));
}

Result<std::unique_ptr<LineageStore>> Workspace::OpenStore(const Clock* clock) const {
  StoreOptions options;
  options.clock = clock;
  return LineageStore::Open(db_path(), options);
}

Result<Workspace> InitWorkspace(const std::string& root, const Clock* clock) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return FailedPreconditionError("not a directory").At({root}).Expecting("an existing directory");
  }
  const fs::path dir = fs::path(root) / ".probity";
  if (fs::exists(dir, ec)) {
    return FailedPreconditionError("a workspace already exists here").At({dir.string()});
  }
  unsigned char random[16];
  if (RAND_bytes(random, sizeof(random)) != 1) return InternalError("no randomness from OpenSSL");
  Workspace ws;
  ws.root = fs::absolute(root, ec).lexically_normal().string();
  if (ws.root.size() > 1 && ws.root.back() == '/') ws.root.pop_back();
  ws.dir = ws.root + "/.probity";
  ws.id = HexEncode(std::string_view(reinterpret_cast<char*>(random), sizeof(random)));
  ws.origin = "probity.local/" + ws.id;
  ws.signing_key = "default";
  // Build it under a temporary name and rename, so a failed init leaves nothing behind.
  const fs::path staging = fs::path(ws.root) / (".probity.init-" + ws.id.substr(0, 8));
  auto fail = [&](Status s) {
    fs::remove_all(staging, ec);
    return s;
  };
  fs::create_directories(staging / "objects", ec);
  if (!ec) fs::create_directories(staging / "keys", ec);
  if (ec) return fail(IoError("cannot create the workspace: " + ec.message()).At({ws.dir}));
  fs::permissions(staging / "keys", fs::perms::owner_all, ec);
  {
    std::ofstream config(staging / "config.yaml");
    config << "# Probity workspace (probity init). The origin names this workspace's log in\n"
              "# its signed checkpoints; do not change it.\n"
           << "workspace_id: " << ws.id << "\n"
           << "origin: " << ws.origin << "\n"
           << "signing_key: " << ws.signing_key << "\n";
    if (!config) return fail(IoError("cannot write config.yaml").At({ws.dir}));
  }
  Result<std::unique_ptr<Signer>> signer = GenerateEd25519Signer();
  if (!signer.ok()) return fail(signer.status());
  Status written = WriteKeyPair(**signer, (staging / "keys" / "default.key").string());
  if (!written.ok()) return fail(written);
  StoreOptions options;
  options.create = true;
  options.origin = ws.origin;
  options.clock = clock;
  Result<std::unique_ptr<LineageStore>> store =
      LineageStore::Open((staging / "lineage.db").string(), options);
  if (!store.ok()) return fail(store.status());
  store->reset();
  fs::rename(staging, dir, ec);
  if (ec) return fail(IoError("cannot create the workspace: " + ec.message()).At({ws.dir}));
  return ws;
}

Result<Workspace> FindWorkspace(const std::string& explicit_dir) {
  std::error_code ec;
  if (!explicit_dir.empty()) {
    fs::path p = fs::absolute(explicit_dir, ec).lexically_normal();
    if (p.filename() == ".probity" || (p.filename().empty() && p.parent_path().filename() == ".probity")) {
      p = p.filename().empty() ? p.parent_path().parent_path() : p.parent_path();
    }
    if (!fs::is_directory(p / ".probity", ec)) {
      return FailedPreconditionError("no Probity workspace here")
          .At({explicit_dir})
          .Expecting("a directory with .probity/ (run `probity init " + explicit_dir + "`)");
    }
    return ReadWorkspace(p);
  }
  fs::path p = fs::current_path(ec);
  while (true) {
    if (fs::is_directory(p / ".probity", ec)) return ReadWorkspace(p);
    if (p == p.root_path() || p.empty()) break;
    p = p.parent_path();
  }
  return FailedPreconditionError("not inside a Probity workspace (no .probity/ here or above)")
      .Expecting("run `probity init`, or pass --workspace DIR (or set PROBITY_WORKSPACE)");
}

Result<std::vector<KeyInfo>> ListKeys(const Workspace& workspace) {
  std::vector<KeyInfo> keys;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(workspace.keys_dir(), ec)) {
    const std::string file = e.path().filename().string();
    if (!file.ends_with(".key.pub")) continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    PROBITY_ASSIGN_OR_RETURN(PublicKey key, PublicKey::FromPem(text.str(), e.path().string()));
    const std::string name = file.substr(0, file.size() - 8);
    keys.push_back({name, key, fs::exists(workspace.KeyPath(name), ec)});
  }
  if (ec) return IoError("cannot list the keys: " + ec.message()).At({workspace.keys_dir()});
  std::sort(keys.begin(), keys.end(),
            [](const KeyInfo& a, const KeyInfo& b) { return a.name < b.name; });
  return keys;
}

Result<KeyInfo> GenerateKey(const Workspace& workspace, const std::string& name) {
  if (!ValidKeyName(name)) {
    return InvalidArgumentError("invalid key name \"" + name + "\"")
        .Expecting("1 to 64 letters, digits, '-', '_' or '.', not starting with '.'");
  }
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Signer> signer, GenerateEd25519Signer());
  PROBITY_RETURN_IF_ERROR(WriteKeyPair(*signer, workspace.KeyPath(name)));
  return KeyInfo{name, signer->public_key(), true};
}

}  // namespace probity::lineage
