// The archive reader: lists, reads and safely extracts tar (plain or gzip/bzip2/xz/zstd
// compressed) and zip archives through libarchive, recognised by their bytes, never their
// names. Models arrive this way (SageMaker's model.tar.gz, PyTorch and Keras zips, NumPy
// .npz); the model loader finds the model inside, and the security scanner
// (policy/scanners/) reads every entry. Every entry is read one at a time, hashed with
// SHA-256 and labelled with its content kind (audit/ingest/content_kind.h); limits on
// entry count, sizes and compression ratio stop archive bombs before they exhaust memory.
//
//   PROBITY_ASSIGN_OR_RETURN(std::vector<ArchiveEntry> entries,
//                            ingest::ListArchive(LocalFileSystem(), "model.tar.gz", {}));
//   for (const ArchiveEntry& e : entries) std::cout << e.path << " " << e.content_kind;
//   PROBITY_RETURN_IF_ERROR(ingest::ExtractArchive(fs, "model.tar.gz", "out/", {}));
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/digest.h"
#include "audit/core/file_system.h"
#include "audit/core/result.h"

namespace probity::ingest {

// Bounds on what one archive may make Probity read. Exceeding any is kInvalidArgument naming
// the archive, the entry and the limit.
struct ArchiveLimits {
  int64_t max_entries = 100'000;
  // An entry's uncompressed size; also the most memory one entry takes while it is read.
  int64_t max_entry_bytes = int64_t{1} << 30;
  // The sum of all entries' uncompressed sizes.
  int64_t max_total_bytes = int64_t{8} << 30;
  // Uncompressed bytes per stored byte, checked once `ratio_check_min_bytes` have been
  // produced (small files of zeros compress extremely well and are harmless).
  double max_compression_ratio = 200.0;
  int64_t ratio_check_min_bytes = int64_t{1} << 20;
};

enum class EntryType { kFile, kDirectory, kSymlink, kHardlink, kOther };
// "file", "directory", "symlink", "hardlink", "other" (devices, FIFOs, sockets).
std::string_view EntryTypeName(EntryType type);

struct ArchiveEntry {
  std::string path;  // as stored in the archive
  int64_t size = 0;  // uncompressed bytes read (0 for non-files and encrypted entries)
  Digest digest;     // SHA-256 of the entry's bytes (of nothing for non-files)
  EntryType type = EntryType::kFile;
  std::string link_target;   // symlinks and hardlinks
  bool encrypted = false;    // its bytes could not be read: Probity has no passphrase
  std::string content_kind;  // DetectContentKind of its bytes; "" for non-files
};

// True if `head` (the first bytes of a file; 512 are enough) is a zip, a tar, or a
// gzip/bzip2/xz/zstd/lzma/zlib stream (which may hold a tar, or a single compressed file).
bool LooksLikeArchive(std::string_view head);

// Called once per entry in archive order with the entry and its complete bytes (empty for
// directories, links and encrypted entries). The bytes are valid during the call only.
// A non-OK return stops the walk and is returned by ForEachArchiveEntry.
using ArchiveEntryFn = std::function<Status(const ArchiveEntry& entry, std::string_view bytes)>;

// Reads the archive at `path` one entry at a time. A compressed stream that is not a tar
// (gzip, bzip2, xz, zstd, lzma, or a raw zlib stream as joblib writes) yields one entry
// named "data" (the decompressed bytes). Zip archives are read through
// their central directory when the file can be re-read (a regular file), else streamed.
// Errors: kNotFound/kIoError from the file system; kInvalidArgument naming the archive
// (and entry) when it is not an archive, is corrupt or truncated, or exceeds `limits`.
// Memory: one entry at a time (at most limits.max_entry_bytes).
Status ForEachArchiveEntry(FileSystem& fs, const std::string& path, const ArchiveLimits& limits,
                           const ArchiveEntryFn& fn);

// Every entry with its size, digest, type and content kind. Errors as ForEachArchiveEntry.
Result<std::vector<ArchiveEntry>> ListArchive(FileSystem& fs, const std::string& path,
                                              const ArchiveLimits& limits = {});

// The bytes of the file entry named `entry_path`. kNotFound when there is none;
// kUnimplemented when it is encrypted; kInvalidArgument when it is not a regular file
// (resolve links yourself) or as ForEachArchiveEntry.
Result<std::string> ReadArchiveEntry(FileSystem& fs, const std::string& path,
                                     const std::string& entry_path,
                                     const ArchiveLimits& limits = {});

// Extracts every entry under `dest_dir` (created if needed) through `fs`. Refused with
// kInvalidArgument naming the entry, before anything is written for it: absolute paths,
// any ".." component, device files, FIFOs and sockets, and links whose target leaves
// `dest_dir`; plus every limit. Links inside the tree are written as copies of their
// target, which must be a file extracted earlier (kUnimplemented otherwise). Encrypted
// entries are kUnimplemented. Files already extracted stay when a later entry fails.
Status ExtractArchive(FileSystem& fs, const std::string& path, const std::string& dest_dir,
                      const ArchiveLimits& limits = {});

}  // namespace probity::ingest
