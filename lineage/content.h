// Content identity for lineage: a file is named by SHA-256 of its bytes; a directory by
// SHA-256 of its manifest, a canonical JSON document that lists every entry under it:
//
//   {"entries":[{"digest":"sha256:…","path":"data/train.csv","size":1234},
//               {"link":"../shared/x","path":"latest"}],
//    "ignore":[".git",".probity"],
//    "links":"recorded, not followed",
//    "manifest":"probity.directory/1"}
//
// Paths are relative, '/'-separated, sorted by their bytes; symbolic links are recorded with
// their target and never followed; the names in "ignore" are skipped at any depth. The rules
// are inside the manifest, so the digest says how it was computed (docs/formats/content.md).
// Objects (content-addressed copies) live at <objects>/sha256/<2 hex>/<62 hex>.
#pragma once

#include <string>
#include <vector>

#include "audit/core/artifact.h"
#include "audit/core/result.h"

namespace probity::lineage {

inline constexpr std::string_view kDirectoryMediaType = "application/vnd.probity.directory+json";

// The names skipped at any depth when a directory is hashed.
const std::vector<std::string>& DefaultIgnoredNames();

// Describes a file (streamed) or a directory (by its manifest).
Result<Artifact> DescribePath(const std::string& path, ArtifactKind kind);

// The manifest of a directory (canonical JSON bytes); its SHA-256 names the directory.
Result<std::string> DirectoryManifest(const std::string& path);

// Where the object with this digest is kept.
std::string ObjectPath(const std::string& objects_dir, const Digest& digest);

// Copies a file (or, for a directory, its manifest and every file it lists) into
// `objects_dir`, checking the bytes still hash to `digest` while copying. Idempotent.
Status StoreObject(const std::string& objects_dir, const std::string& path,
                   const Digest& digest);

// Re-hashes what is at `path` (file or directory) and returns its digest.
Result<Digest> DigestOfPath(const std::string& path);

}  // namespace probity::lineage
