// Artifact names a piece of evidence by its bytes: a SHA-256 digest, a size, a media type
// and a kind (dataset, model, report…). Every module that reads or writes a file describes
// it as an Artifact so the lineage store (lineage/) can record and later re-verify it.
//
//   PROBITY_ASSIGN_OR_RETURN(Artifact a, DescribeFile(LocalFileSystem(), "german.csv",
//                                                     ArtifactKind::kDataset));
//   a.digest.ToString();   // "sha256:…"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audit/core/digest.h"
#include "audit/core/file_system.h"

namespace probity {

enum class ArtifactKind {
  kDataset,
  kModel,
  kCode,
  kParams,
  kMetrics,
  kReport,
  kCard,
  kLog,
  kOther
};

std::string_view ArtifactKindName(ArtifactKind kind);
std::optional<ArtifactKind> ParseArtifactKind(std::string_view name);

struct Artifact {
  Digest digest;
  int64_t size_bytes = 0;
  std::string media_type;  // IANA media type, e.g. "text/csv"
  ArtifactKind kind = ArtifactKind::kOther;
  std::string uri;  // where the bytes were found, e.g. a path
};

// The media type for a path, from its extension (".csv" -> "text/csv", ".csv.gz" ->
// "application/gzip"); "application/octet-stream" when unknown.
std::string MediaTypeForPath(std::string_view path);

// Streams the file through SHA-256 (it is never held in memory whole). kNotFound/kIoError
// from the file system, with the path.
Result<Artifact> DescribeFile(FileSystem& fs, const std::string& path, ArtifactKind kind);

}  // namespace probity
