// The model-security scanner: reads a file, a directory or an archive and reports, without
// executing or importing anything, every pickle global a model would import when loaded,
// every call site, executable model configs (Keras Lambda layers) and everything it could
// not scan. Containers are recognised by content (audit/ingest/content_kind.h): pickles and
// joblib files, legacy and zip PyTorch checkpoints (*/data.pkl), NumPy .npy (object arrays
// hold a pickle) and .npz, Keras .keras zips, SageMaker model.tar.gz, and archives nested in
// archives down to a depth limit. `probity scan` prints the result (docs/formats/scan.md).
//
//   PROBITY_ASSIGN_OR_RETURN(ScanReport report, ScanPath(LocalFileSystem(), "model.tar.gz"));
//   for (const Finding& f : report.findings) std::cout << f.file << " " << f.message << "\n";
//   bool unsafe = report.Fails(/*strict=*/false);
#pragma once

#include <string>
#include <string_view>

#include "audit/core/file_system.h"
#include "audit/core/result.h"
#include "audit/ingest/archive.h"
#include "policy/scanners/scan_result.h"

namespace probity::policy {

struct ScanOptions {
  // Archives inside archives are opened down to this depth; deeper ones are unscanned.
  int max_archive_depth = 4;
  // Limits for every archive opened (entry count, sizes, compression ratio).
  ingest::ArchiveLimits archive_limits;
  // A file that is not an archive is read whole; larger ones are reported unscanned.
  int64_t max_file_bytes = int64_t{2} << 30;
};

// Scans `path`: a file, an archive, or a directory (recursively, files in sorted order;
// symbolic links to directories are not followed); "-" is standard input (read whole). Only an
// unreadable `path` itself is an error (kNotFound, kIoError, kInvalidArgument from the file
// system); anything wrong inside — an unreadable file in a directory, a corrupt or over-limit
// archive, an encrypted entry — is an unscanned finding. Thread-compatible.
Result<ScanReport> ScanPath(FileSystem& fs, const std::string& path,
                            const ScanOptions& options = {});

// Scans bytes already in memory, reported under `name`. Never fails.
ScanReport ScanBytes(std::string_view bytes, const std::string& name,
                     const ScanOptions& options = {});

}  // namespace probity::policy
