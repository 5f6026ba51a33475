#include "audit/core/file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace probity {
namespace {

// An input the user named that cannot be opened is bad input (exit 3): kNotFound when it
// does not exist, kInvalidArgument otherwise (permissions, a directory). Failures while
// reading or writing are environment errors: kIoError (exit 4).
Status OpenError(const std::string& path, int error) {
  std::string what = std::string("cannot open file: ") + std::strerror(error);
  Status s = error == ENOENT ? NotFoundError(what) : InvalidArgumentError(what);
  return std::move(s).At({path, 0, 0}).Expecting("a readable file");
}

Status ErrnoStatus(const std::string& path, const std::string& action, int error) {
  return IoError("cannot " + action + ": " + std::strerror(error)).At({path, 0, 0});
}

class LocalInputFile : public InputFile {
 public:
  LocalInputFile(std::string path, int fd, int64_t size, bool owned)
      : path_(std::move(path)), fd_(fd), size_(size), owned_(owned) {}
  ~LocalInputFile() override {
    if (owned_) ::close(fd_);
  }
  Result<size_t> Read(std::span<char> buffer) override {
    size_t total = 0;
    while (total < buffer.size()) {
      ssize_t n = ::read(fd_, buffer.data() + total, buffer.size() - total);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(path_, "read file", errno);
      }
      if (n == 0) break;
      total += static_cast<size_t>(n);
    }
    return total;
  }
  int64_t size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  int64_t size_;
  bool owned_;
};

class LocalOutputFile : public OutputFile {
 public:
  LocalOutputFile(std::string path, std::string temp_path, int fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}
  ~LocalOutputFile() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_path_.c_str());
  }
  Status Append(std::string_view bytes) override {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(path_, "write file", errno);
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return OkStatus();
  }
  Status Commit() override {
    if (::fsync(fd_) != 0) return ErrnoStatus(path_, "sync file", errno);
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return ErrnoStatus(path_, "close file", errno);
    if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
      return ErrnoStatus(path_, "rename temporary file into place", errno);
    }
    committed_ = true;
    return OkStatus();
  }

 private:
  std::string path_;
  std::string temp_path_;
  int fd_;
  bool committed_ = false;
};

class LocalFileSystemImpl : public FileSystem {
 public:
  Result<std::unique_ptr<InputFile>> OpenForRead(const std::string& path) override {
    if (path == "-") {
      return std::unique_ptr<InputFile>(
          std::make_unique<LocalInputFile>("<stdin>", STDIN_FILENO, -1, false));
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return OpenError(path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int e = errno;
      ::close(fd);
      return ErrnoStatus(path, "stat file", e);
    }
    if (S_ISDIR(st.st_mode)) {
      ::close(fd);
      return OpenError(path, EISDIR);
    }
    int64_t size = S_ISREG(st.st_mode) ? static_cast<int64_t>(st.st_size) : -1;
#ifdef POSIX_FADV_SEQUENTIAL
    if (size > 0) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    return std::unique_ptr<InputFile>(std::make_unique<LocalInputFile>(path, fd, size, true));
  }

  Result<std::unique_ptr<OutputFile>> CreateAtomically(const std::string& path) override {
    std::string temp = path + ".tmp-XXXXXX";
    int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(path, "create file", errno);
    ::fchmod(fd, 0644);
    return std::unique_ptr<OutputFile>(std::make_unique<LocalOutputFile>(path, temp, fd));
  }

  Status CreateDirectories(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return IoError("cannot create directory: " + ec.message()).At({path, 0, 0});
    return OkStatus();
  }
};

class MemoryInputFile : public InputFile {
 public:
  MemoryInputFile(std::string path, std::string contents, int64_t fail_after)
      : path_(std::move(path)), contents_(std::move(contents)), fail_after_(fail_after) {}
  Result<size_t> Read(std::span<char> buffer) override {
    if (fail_after_ >= 0 && static_cast<int64_t>(offset_) >= fail_after_) {
      return IoError("cannot read file: injected fault").At({path_, 0, 0});
    }
    size_t limit = contents_.size() - offset_;
    if (fail_after_ >= 0) limit = std::min(limit, static_cast<size_t>(fail_after_) - offset_);
    size_t n = std::min(buffer.size(), limit);
    std::memcpy(buffer.data(), contents_.data() + offset_, n);
    offset_ += n;
    return n;
  }
  int64_t size() const override { return static_cast<int64_t>(contents_.size()); }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::string contents_;
  size_t offset_ = 0;
  int64_t fail_after_;
};

}  // namespace

class MemoryOutputFile : public OutputFile {
 public:
  MemoryOutputFile(MemoryFileSystem* fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  Status Append(std::string_view bytes) override {
    buffer_.append(bytes);
    return OkStatus();
  }
  Status Commit() override {
    std::lock_guard lock(fs_->mutex_);
    if (fs_->fail_commits_) return IoError("cannot write file: injected fault").At({path_, 0, 0});
    fs_->files_[path_] = std::move(buffer_);
    return OkStatus();
  }

 private:
  MemoryFileSystem* fs_;
  std::string path_;
  std::string buffer_;
};

Status FileSystem::WriteFileAtomically(const std::string& path, std::string_view contents) {
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<OutputFile> out, CreateAtomically(path));
  PROBITY_RETURN_IF_ERROR(out->Append(contents));
  return out->Commit();
}

Result<std::string> FileSystem::ReadSmallFile(const std::string& path, int64_t max_bytes) {
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, OpenForRead(path));
  std::string contents;
  char buffer[65536];
  while (true) {
    PROBITY_ASSIGN_OR_RETURN(size_t n, in->Read(buffer));
    if (n == 0) break;
    contents.append(buffer, n);
    if (static_cast<int64_t>(contents.size()) > max_bytes) {
      return InvalidArgumentError("file is larger than " + std::to_string(max_bytes) + " bytes")
          .At({path, 0, 0})
          .Expecting("a small text file");
    }
  }
  return contents;
}

Result<std::string> ReadPrefix(InputFile& file, size_t max_bytes) {
  std::string head(max_bytes, '\0');
  size_t filled = 0;
  while (filled < head.size()) {
    PROBITY_ASSIGN_OR_RETURN(size_t n, file.Read(std::span<char>(head).subspan(filled)));
    if (n == 0) break;
    filled += n;
  }
  head.resize(filled);
  return head;
}

FileSystem& LocalFileSystem() {
  static LocalFileSystemImpl fs;
  return fs;
}

void MemoryFileSystem::AddFile(const std::string& path, std::string contents) {
  std::lock_guard lock(mutex_);
  files_[path] = std::move(contents);
}

std::optional<std::string> MemoryFileSystem::Contents(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto it = files_.find(path);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

Result<std::unique_ptr<InputFile>> MemoryFileSystem::OpenForRead(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(path);
  if (it == files_.end()) {
    return NotFoundError("cannot open file: No such file or directory")
        .At({path, 0, 0})
        .Expecting("a readable file");
  }
  return std::unique_ptr<InputFile>(
      std::make_unique<MemoryInputFile>(path, it->second, fail_reads_after_));
}

Result<std::unique_ptr<OutputFile>> MemoryFileSystem::CreateAtomically(const std::string& path) {
  return std::unique_ptr<OutputFile>(std::make_unique<MemoryOutputFile>(this, path));
}

Status MemoryFileSystem::CreateDirectories(const std::string&) { return OkStatus(); }

}  // namespace probity
