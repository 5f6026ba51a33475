#include "audit/cli/recording.h"

#include <filesystem>
#include <fstream>

#include "lineage/content.h"

namespace probity::cli {

Result<RecordingSession> OpenRecordingSession(const GlobalOptions& global,
                                              const std::string& key_name) {
  RecordingSession session;
  PROBITY_ASSIGN_OR_RETURN(session.workspace, lineage::FindWorkspace(global.workspace));
  PROBITY_ASSIGN_OR_RETURN(session.signer, session.workspace.LoadSigner(key_name));
  PROBITY_ASSIGN_OR_RETURN(session.store, session.workspace.OpenStore(&SystemClock()));
  return session;
}

Result<lineage::LineageStore::Batch*> RecordingSession::Batch() {
  if (batch == nullptr) {
    PROBITY_ASSIGN_OR_RETURN(batch, store->Begin());
  }
  return batch.get();
}

Result<int64_t> RecordingSession::Add(lineage::Record record) {
  PROBITY_ASSIGN_OR_RETURN(lineage::LineageStore::Batch * b, Batch());
  return b->Add(std::move(record));
}

Result<std::optional<lineage::StoredCheckpoint>> RecordingSession::Commit() {
  if (batch == nullptr) return std::optional<lineage::StoredCheckpoint>();
  Result<std::optional<lineage::StoredCheckpoint>> result = batch->Commit(*signer);
  batch.reset();
  return result;
}

Result<int64_t> RecordArtifact(RecordingSession& session, const std::string& path,
                               ArtifactKind kind, const std::string& name, bool keep_copy) {
  PROBITY_ASSIGN_OR_RETURN(Artifact artifact, lineage::DescribePath(path, kind));
  if (keep_copy) {
    PROBITY_RETURN_IF_ERROR(
        lineage::StoreObject(session.workspace.objects_dir(), path, artifact.digest));
  }
  std::error_code ec;
  const std::string absolute = std::filesystem::absolute(path, ec).lexically_normal().string();
  const std::string uri = "file://" + absolute;
  const std::string shown = name.empty() ? std::filesystem::path(path).filename().string() : name;
  // The same bytes at the same place, recorded before with the same name and kind, are the
  // same artifact: reuse its id, so the lineage graph joins up across runs.
  PROBITY_ASSIGN_OR_RETURN(std::vector<nlohmann::json> known,
                           session.store->List(lineage::RecordKind::kArtifact, "digest",
                                               artifact.digest.ToString()));
  for (const nlohmann::json& k : known) {
    if (k.value("uri", "") == uri && k.value("name", "") == shown &&
        k.value("kind", "") == ArtifactKindName(kind) && k.value("stored", false) == keep_copy) {
      return k["id"].get<int64_t>();
    }
  }
  nlohmann::json fields = {
      {"digest", artifact.digest.ToString()},
      {"kind", ArtifactKindName(kind)},
      {"media_type", artifact.media_type},
      {"size", artifact.size_bytes},
      {"uri", uri},
      {"name", shown},
      {"stored", keep_copy}};
  return session.Add({lineage::RecordKind::kArtifact, std::move(fields)});
}

Result<int64_t> RecordBytes(RecordingSession& session, std::string_view bytes,
                            const std::string& name, ArtifactKind kind,
                            const std::string& media_type) {
  const Digest digest = Sha256Of(bytes);
  const std::string object = lineage::ObjectPath(session.workspace.objects_dir(), digest);
  std::error_code ec;
  if (!std::filesystem::exists(object, ec)) {
    std::filesystem::create_directories(std::filesystem::path(object).parent_path(), ec);
    std::ofstream out(object + ".tmp", std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return IoError("cannot store an object").At({object});
    std::filesystem::rename(object + ".tmp", object, ec);
    if (ec) return IoError("cannot store an object: " + ec.message()).At({object});
  }
  nlohmann::json fields = {{"digest", digest.ToString()},
                           {"kind", ArtifactKindName(kind)},
                           {"media_type", media_type},
                           {"size", bytes.size()},
                           {"name", name},
                           {"stored", true}};
  return session.Add({lineage::RecordKind::kArtifact, std::move(fields)});
}

Result<int64_t> RecordExecution(RecordingSession& session, const ExecutionRecord& execution) {
  nlohmann::json fields = {{"name", execution.name},
                           {"type", execution.type},
                           {"status", execution.status},
                           {"parameters", execution.parameters}};
  if (!execution.started.empty()) fields["started"] = execution.started;
  if (!execution.ended.empty()) fields["ended"] = execution.ended;
  if (execution.exit_code) fields["exit_code"] = *execution.exit_code;
  PROBITY_ASSIGN_OR_RETURN(int64_t id,
                           session.Add({lineage::RecordKind::kExecution, std::move(fields)}));
  auto add_events = [&](const auto& list, const char* direction) -> Status {
    for (const auto& [artifact, role] : list) {
      nlohmann::json event = {{"execution", id}, {"artifact", artifact}, {"direction", direction}};
      if (!role.empty()) event["role"] = role;
      PROBITY_RETURN_IF_ERROR(session.Add({lineage::RecordKind::kEvent, std::move(event)}).status());
    }
    return OkStatus();
  };
  PROBITY_RETURN_IF_ERROR(add_events(execution.inputs, "input"));
  PROBITY_RETURN_IF_ERROR(add_events(execution.outputs, "output"));
  return id;
}

}  // namespace probity::cli
