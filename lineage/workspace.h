// A Probity workspace: the `.probity/` directory (DESIGN.md §4), found like `.git/`.
//
//   .probity/lineage.db     the append-only store (lineage/store.h)
//   .probity/objects/       content-addressed copies: objects/sha256/ab/cdef…
//   .probity/keys/          Ed25519 keys: <name>.key (PKCS#8 PEM, mode 0600), <name>.key.pub
//   .probity/config.yaml    workspace id, log origin, the signing key's name
//
//   PROBITY_ASSIGN_OR_RETURN(Workspace ws, FindWorkspace(global.workspace));
//   PROBITY_ASSIGN_OR_RETURN(auto signer, ws.LoadSigner());
//   PROBITY_ASSIGN_OR_RETURN(auto store, ws.OpenStore(&SystemClock()));
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "audit/core/clock.h"
#include "audit/core/result.h"
#include "lineage/keys.h"
#include "lineage/store.h"

namespace probity::lineage {

struct Workspace {
  std::string root;         // the directory that holds .probity/
  std::string dir;          // root + "/.probity"
  std::string id;           // 32 hex characters, random at init
  std::string origin;       // "probity.local/<id>": the log's identity in checkpoints
  std::string signing_key;  // the name of the key that signs by default

  std::string db_path() const { return dir + "/lineage.db"; }
  std::string objects_dir() const { return dir + "/objects"; }
  std::string keys_dir() const { return dir + "/keys"; }
  std::string KeyPath(const std::string& name) const { return keys_dir() + "/" + name + ".key"; }

  // The named key, or the workspace's signing key when `name` is empty.
  Result<std::unique_ptr<Signer>> LoadSigner(const std::string& name = {}) const;
  Result<std::unique_ptr<LineageStore>> OpenStore(const Clock* clock) const;
};

// Creates `.probity/` under `root` (which must exist) with an empty store and a key named
// "default". kFailedPrecondition when a workspace is already there.
Result<Workspace> InitWorkspace(const std::string& root, const Clock* clock);

// The workspace at `explicit_dir` (from --workspace or PROBITY_WORKSPACE; either the root or
// its .probity/), or the nearest one above the current directory.
Result<Workspace> FindWorkspace(const std::string& explicit_dir);

struct KeyInfo {
  std::string name;
  PublicKey key;
  bool has_private_key = false;
};
// The keys in the workspace's keys/ directory, by name.
Result<std::vector<KeyInfo>> ListKeys(const Workspace& workspace);

// Generates a key pair named `name` in the workspace (refuses to overwrite one).
Result<KeyInfo> GenerateKey(const Workspace& workspace, const std::string& name);

}  // namespace probity::lineage
