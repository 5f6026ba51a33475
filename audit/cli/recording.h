// Recording what a command did in the workspace's signed lineage: the commands that record
// (lineage add, demo, later the runtime's steps) open one session, add records to one write
// batch, and commit it with one signed checkpoint.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/cli/command.h"
#include "audit/core/artifact.h"
#include "lineage/store.h"
#include "lineage/workspace.h"

namespace probity::cli {

struct RecordingSession {
  lineage::Workspace workspace;
  std::unique_ptr<lineage::Signer> signer;
  std::unique_ptr<lineage::LineageStore> store;
  std::unique_ptr<lineage::LineageStore::Batch> batch;  // opened by the first record

  Result<lineage::LineageStore::Batch*> Batch();
  Result<int64_t> Add(lineage::Record record);
  // Commits the open batch (if any) with a signed checkpoint.
  Result<std::optional<lineage::StoredCheckpoint>> Commit();
};

// Opens the workspace (global.workspace or the nearest one), its store and a signing key.
Result<RecordingSession> OpenRecordingSession(const GlobalOptions& global,
                                              const std::string& key_name = {});

// Hashes `path` (a file, or a directory by manifest), optionally copies it into objects/,
// and adds an artifact record. Returns its id.
Result<int64_t> RecordArtifact(RecordingSession& session, const std::string& path,
                               ArtifactKind kind, const std::string& name, bool keep_copy);

// Adds an artifact record for bytes the command holds in memory (e.g. the embedded data),
// keeping a copy in objects/.
Result<int64_t> RecordBytes(RecordingSession& session, std::string_view bytes,
                            const std::string& name, ArtifactKind kind,
                            const std::string& media_type);

struct ExecutionRecord {
  std::string name;  // the step, e.g. "probity predict"
  std::string type = "probity-command";
  std::string status = "complete";
  nlohmann::json parameters = nlohmann::json::object();
  std::string started;
  std::string ended;
  std::optional<int64_t> exit_code;
  std::vector<std::pair<int64_t, std::string>> inputs;   // artifact id, role
  std::vector<std::pair<int64_t, std::string>> outputs;  // artifact id, role
};
// Adds the execution and one event per input and output. Returns the execution's id.
Result<int64_t> RecordExecution(RecordingSession& session, const ExecutionRecord& execution);

}  // namespace probity::cli
