// The entry point for reading a model file: detects the format from the bytes (never the
// extension) and hands them to the matching loader. Formats: PMML (XML), XGBoost JSON and
// UBJSON, LightGBM text, Probity native JSON; an archive (tar, tar.gz, zip…) is opened and
// the one model inside it is loaded.
//
//   PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<Model> model,
//                            models::LoadModel(LocalFileSystem(), "model.tar.gz"));
//   std::cout << model->info().format;   // "xgboost"
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "audit/core/file_system.h"
#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/models/model_options.h"

namespace probity::models {

enum class ModelFormat { kUnknown, kPmml, kXGBoostJson, kXGBoostUbjson, kLightGBM, kNative };
std::string_view ModelFormatName(ModelFormat format);  // "pmml", "xgboost-json", …

// The format the leading bytes of a file announce (ingest::DetectContentKind, whose model
// kinds are named as ModelFormatName names them); kUnknown when none matches.
ModelFormat DetectModelFormat(std::string_view bytes);

// Largest model file read into memory (models are parsed whole).
inline constexpr int64_t kMaxModelBytes = int64_t{2} << 30;

// Loads the model at `path` (a model file, or an archive holding exactly one model file;
// options.member picks one when it holds several). Errors: kNotFound/kIoError for the file;
// kInvalidArgument with the file and line/field for a malformed or unsupported model;
// kUnimplemented for a recognised but unsupported format feature.
Result<std::unique_ptr<Model>> LoadModel(FileSystem& fs, const std::string& path,
                                         const ModelLoadOptions& options = {});

// Loads a model from bytes already in memory; `source` names them in messages.
Result<std::unique_ptr<Model>> LoadModelFromBytes(std::string_view bytes, const std::string& source,
                                                  const ModelLoadOptions& options = {});

}  // namespace probity::models
