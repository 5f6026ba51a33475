#include "audit/ingest/models/model_loader.h"

#include "audit/core/digest.h"
#include "audit/core/status.h"
#include "audit/ingest/archive.h"
#include "audit/ingest/content_kind.h"
#include "audit/ingest/models/lightgbm_model.h"
#include "audit/ingest/models/native_model.h"
#include "audit/ingest/models/pmml/pmml_model.h"
#include "audit/ingest/models/xgboost_model.h"

namespace probity::models {

std::string_view ModelFormatName(ModelFormat format) {
  switch (format) {
    case ModelFormat::kPmml: return "pmml";
    case ModelFormat::kXGBoostJson: return "xgboost-json";
    case ModelFormat::kXGBoostUbjson: return "xgboost-ubjson";
    case ModelFormat::kLightGBM: return "lightgbm";
    case ModelFormat::kNative: return "probity";
    case ModelFormat::kUnknown: return "unknown";
  }
  return "unknown";
}

ModelFormat DetectModelFormat(std::string_view bytes) {
  const std::string_view kind = ingest::DetectContentKind(bytes.substr(0, 1 << 16));
  for (ModelFormat format :
       {ModelFormat::kPmml, ModelFormat::kXGBoostJson, ModelFormat::kXGBoostUbjson,
        ModelFormat::kLightGBM, ModelFormat::kNative}) {
    if (kind == ModelFormatName(format)) return format;
  }
  return ModelFormat::kUnknown;
}

Result<std::unique_ptr<Model>> LoadModelFromBytes(std::string_view bytes, const std::string& source,
                                                  const ModelLoadOptions& options) {
  switch (DetectModelFormat(bytes)) {
    case ModelFormat::kPmml: return LoadPmmlModel(bytes, source);
    case ModelFormat::kXGBoostJson: return LoadXGBoostJsonModel(bytes, source, options);
    case ModelFormat::kXGBoostUbjson: return LoadXGBoostUbjsonModel(bytes, source, options);
    case ModelFormat::kLightGBM: return LoadLightGBMModel(bytes, source, options);
    case ModelFormat::kNative: return LoadNativeModel(bytes, source, options);
    case ModelFormat::kUnknown: break;
  }
  return InvalidArgumentError(source + ": not a model file Probity can read")
      .Expecting(
          "PMML (XML with a <PMML> root), XGBoost JSON or UBJSON, a LightGBM text model, or a "
          "Probity native model JSON");
}

namespace {

// Loads the one model file inside an archive (or options.member), read entry by entry.
Result<std::unique_ptr<Model>> LoadModelFromArchive(FileSystem& fs, const std::string& path,
                                                    const ModelLoadOptions& options) {
  ingest::ArchiveLimits limits;
  limits.max_entry_bytes = kMaxModelBytes;
  std::vector<std::string> candidates;
  std::vector<std::string> entries;
  std::string chosen_path, chosen_bytes;
  PROBITY_RETURN_IF_ERROR(ingest::ForEachArchiveEntry(
      fs, path, limits, [&](const ingest::ArchiveEntry& entry, std::string_view bytes) {
        if (entry.type != ingest::EntryType::kFile) return OkStatus();
        if (entries.size() < 20) entries.push_back(entry.path);
        const bool wanted = options.member.empty()
                                ? DetectModelFormat(bytes) != ModelFormat::kUnknown
                                : entry.path == options.member;
        if (!wanted) return OkStatus();
        candidates.push_back(entry.path);
        if (candidates.size() == 1) {
          if (entry.encrypted) {
            return UnimplementedError(path + "!/" + entry.path +
                                      ": the entry is encrypted and cannot be read");
          }
          chosen_path = entry.path;
          chosen_bytes.assign(bytes);
        }
        return OkStatus();
      }));
  auto join = [](const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& n : names) text += (text.empty() ? "" : ", ") + n;
    return text.empty() ? std::string("none") : text;
  };
  if (candidates.empty()) {
    if (!options.member.empty()) {
      return NotFoundError(path + " has no entry \"" + options.member + "\"")
          .Expecting("one of its entries: " + join(entries));
    }
    return InvalidArgumentError(path + " holds no model file Probity can read")
        .Expecting("an archive with a PMML, XGBoost, LightGBM or Probity model (entries: " +
                   join(entries) + ")");
  }
  if (candidates.size() > 1) {
    return InvalidArgumentError(path + " holds several model files: " + join(candidates))
        .Expecting("--member ENTRY to choose one");
  }
  const std::string source = path + "!/" + chosen_path;
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model,
                           LoadModelFromBytes(chosen_bytes, source, options));
  model->SetSource(Sha256Of(chosen_bytes), static_cast<int64_t>(chosen_bytes.size()));
  return model;
}

}  // namespace

Result<std::unique_ptr<Model>> LoadModel(FileSystem& fs, const std::string& path,
                                         const ModelLoadOptions& options) {
  // Look at the head first: an archive is read entry by entry, never whole.
  std::string head;
  {
    PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, fs.OpenForRead(path));
    PROBITY_ASSIGN_OR_RETURN(head, ReadPrefix(*file, 512));
  }
  if (DetectModelFormat(head) == ModelFormat::kUnknown && ingest::LooksLikeArchive(head)) {
    return LoadModelFromArchive(fs, path, options);
  }
  if (!options.member.empty()) {
    return InvalidArgumentError(path + " is not an archive, so --member does not apply")
        .Expecting("an archive (tar, tar.gz, zip…) holding the model");
  }
  PROBITY_ASSIGN_OR_RETURN(std::string bytes, fs.ReadSmallFile(path, kMaxModelBytes));
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model, LoadModelFromBytes(bytes, path, options));
  model->SetSource(Sha256Of(bytes), static_cast<int64_t>(bytes.size()));
  return model;
}

}  // namespace probity::models
