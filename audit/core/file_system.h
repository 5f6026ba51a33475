// FileSystem is how Probity reads and writes files. Library code never calls open() or
// std::ifstream directly: it takes a FileSystem, so tests can inject an in-memory one with
// faults (a read that fails after N bytes, a full disk) and prove that bad I/O never
// corrupts output. Writes are atomic: a temporary file is renamed into place on Commit().
//
//   FileSystem& fs = LocalFileSystem();
//   PROBITY_ASSIGN_OR_RETURN(auto in, fs.OpenForRead("german.csv"));
//   PROBITY_ASSIGN_OR_RETURN(size_t n, in->Read(buffer));   // 0 at end of file
//   PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically("out/profile.json", json));
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "audit/core/result.h"

namespace probity {

class InputFile {
 public:
  virtual ~InputFile() = default;
  // Reads up to buffer.size() bytes; returns 0 only at end of file. kIoError on failure,
  // with the path in the status.
  virtual Result<size_t> Read(std::span<char> buffer) = 0;
  // Total size in bytes when known (a regular file); -1 for pipes and stdin.
  virtual int64_t size() const = 0;
  virtual const std::string& path() const = 0;
};

class OutputFile {
 public:
  virtual ~OutputFile() = default;  // discards everything unless Commit() succeeded
  virtual Status Append(std::string_view bytes) = 0;
  // Flushes, syncs and renames the temporary file into place. kIoError on failure.
  virtual Status Commit() = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // Opens a file for streaming reads; "-" is standard input. kNotFound if it does not exist,
  // kInvalidArgument if it cannot be opened (permissions, a directory); reads that fail
  // later are kIoError.
  virtual Result<std::unique_ptr<InputFile>> OpenForRead(const std::string& path) = 0;
  // Starts writing `path` atomically: nothing appears at `path` until Commit().
  // kIoError if the directory is not writable.
  virtual Result<std::unique_ptr<OutputFile>> CreateAtomically(const std::string& path) = 0;
  // Creates a directory and its parents; OK if it exists. kIoError otherwise.
  virtual Status CreateDirectories(const std::string& path) = 0;

  // Convenience: CreateAtomically + Append + Commit.
  Status WriteFileAtomically(const std::string& path, std::string_view contents);
  // Convenience: reads a whole (small) file, such as a schema. Use streaming for data.
  Result<std::string> ReadSmallFile(const std::string& path, int64_t max_bytes = 64 << 20);
};

// Reads from `file` until `max_bytes` bytes or the end: the head of a file, for detecting
// its format by content. The file stays open for further reads.
Result<std::string> ReadPrefix(InputFile& file, size_t max_bytes);

// The operating system's file system. Thread-safe; lives for the whole program.
FileSystem& LocalFileSystem();

// An in-memory file system for tests, with fault injection. Thread-safe.
class MemoryFileSystem : public FileSystem {
 public:
  void AddFile(const std::string& path, std::string contents);
  // The committed contents of `path`, or nullopt.
  std::optional<std::string> Contents(const std::string& path) const;
  // Reads of any file fail with kIoError once this many bytes of it have been returned.
  void FailReadsAfter(int64_t bytes) { fail_reads_after_ = bytes; }
  // Commit() fails with kIoError (as a full disk would).
  void FailCommits(bool fail) { fail_commits_ = fail; }

  Result<std::unique_ptr<InputFile>> OpenForRead(const std::string& path) override;
  Result<std::unique_ptr<OutputFile>> CreateAtomically(const std::string& path) override;
  Status CreateDirectories(const std::string& path) override;

 private:
  friend class MemoryOutputFile;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> files_;
  int64_t fail_reads_after_ = -1;
  bool fail_commits_ = false;
};

}  // namespace probity
