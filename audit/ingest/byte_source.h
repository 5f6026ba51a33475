// ByteSource streams a file's contents, transparently decompressing gzip (zlib, which
// checks each member's CRC-32), bzip2, xz and zstd (libarchive's raw format), recognised by
// their magic bytes rather than the file name, while hashing the bytes as stored on disk.
// Readers in audit/ingest sit on top of it.
//
//   PROBITY_ASSIGN_OR_RETURN(auto source, ByteSource::Open(LocalFileSystem(), "adult.data.gz"));
//   PROBITY_ASSIGN_OR_RETURN(size_t n, source->Read(buffer));  // decompressed bytes; 0 at end
//   PROBITY_ASSIGN_OR_RETURN(Digest d, source->FinishDigest()); // SHA-256 of the .gz bytes
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "audit/core/digest.h"
#include "audit/core/file_system.h"

namespace probity::ingest {

enum class Compression { kNone, kGzip, kBzip2, kXz, kZstd };

std::string_view CompressionName(Compression c);  // "none", "gzip", "bzip2", "xz", "zstd"

// Recognises a compressed stream from its first bytes (up to 6 are inspected).
Compression DetectCompression(std::string_view head);

class ByteSource {
 public:
  // Opens `path` through `fs` ("-" for standard input). Errors from the file system
  // (kNotFound, kIoError) carry the path.
  static Result<std::unique_ptr<ByteSource>> Open(FileSystem& fs, const std::string& path);
  virtual ~ByteSource() = default;

  // Reads up to buffer.size() decompressed bytes; 0 at the end. kInvalidArgument for
  // corrupt compressed data, kIoError for read failures, both naming the file.
  virtual Result<size_t> Read(std::span<char> buffer) = 0;
  // Reads any bytes not yet consumed and returns the SHA-256 of the whole stored file.
  virtual Result<Digest> FinishDigest() = 0;

  Compression compression() const { return compression_; }
  const std::string& path() const { return path_; }
  // Bytes of the stored (possibly compressed) file consumed so far, and its size (-1 if
  // unknown); for progress reporting.
  int64_t stored_bytes_read() const { return stored_bytes_read_; }
  int64_t stored_size() const { return stored_size_; }

 protected:
  ByteSource(std::string path, Compression c, int64_t size)
      : path_(std::move(path)), compression_(c), stored_size_(size) {}
  std::string path_;
  Compression compression_;
  int64_t stored_bytes_read_ = 0;
  int64_t stored_size_;
};

}  // namespace probity::ingest
