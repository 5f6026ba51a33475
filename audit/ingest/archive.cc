#include "audit/ingest/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "audit/ingest/content_kind.h"

namespace probity::ingest {
namespace {

constexpr size_t kBlockBytes = size_t{1} << 16;
constexpr size_t kHeadBytes = 4096;

std::string Quoted(std::string_view text) { return std::string("\"").append(text).append("\""); }

// One pass over an archive. libarchive pulls bytes through ReadCallback; when the file can
// be re-opened (its size is known) SeekCallback lets the zip reader use the central
// directory, as Python's zipfile and torch.load do, instead of trusting local headers.
class ArchiveReader {
 public:
  ArchiveReader(FileSystem& fs, std::string path) : fs_(fs), path_(std::move(path)) {}
  ~ArchiveReader() {
    if (archive_ != nullptr) archive_read_free(archive_);
  }
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  Status Open() {
    PROBITY_ASSIGN_OR_RETURN(input_, fs_.OpenForRead(path_));
    size_ = input_->size();
    PROBITY_ASSIGN_OR_RETURN(head_, ReadPrefix(*input_, kHeadBytes));
    std::string_view kind = DetectContentKind(head_);
    if (!IsArchiveKind(kind)) {
      return InvalidArgumentError(path_ + ": not an archive (content: " + std::string(kind) + ")")
          .Expecting("a tar (optionally gzip, bzip2, xz or zstd compressed) or zip archive");
    }
    archive_ = archive_read_new();
    if (archive_ == nullptr) return InternalError("libarchive: out of memory");
    archive_read_support_filter_gzip(archive_);
    archive_read_support_filter_bzip2(archive_);
    archive_read_support_filter_xz(archive_);
    archive_read_support_filter_zstd(archive_);
    archive_read_support_format_tar(archive_);
    archive_read_support_format_zip(archive_);
    if (kind == "zlib") {
      zlib_ = true;  // libarchive has no raw zlib filter: ForEach inflates it with zlib
      return OkStatus();
    }
    if (kind == "lzma") archive_read_support_filter_lzma(archive_);
    if (kind == "gzip" || kind == "bzip2" || kind == "xz" || kind == "zstd" || kind == "lzma") {
      archive_read_support_format_raw(archive_);  // a compressed single file
    }
    archive_read_set_callback_data(archive_, this);
    archive_read_set_read_callback(archive_, &ArchiveReader::ReadCallback);
    if (size_ >= 0) archive_read_set_seek_callback(archive_, &ArchiveReader::SeekCallback);
    if (archive_read_open1(archive_) != ARCHIVE_OK) return ArchiveError("");
    return OkStatus();
  }

  Status ForEach(const ArchiveLimits& limits, const ArchiveEntryFn& fn) {
    if (zlib_) return InflateZlib(limits, fn);
    int64_t entries = 0;
    int64_t total_bytes = 0;
    std::string last_path;
    std::string bytes;
    std::vector<char> block(kBlockBytes);
    for (;;) {
      archive_entry* raw = nullptr;
      int rc = archive_read_next_header(archive_, &raw);
      if (rc == ARCHIVE_EOF) return OkStatus();
      if (rc < ARCHIVE_WARN) {
        return ArchiveError(last_path.empty() ? "" : " (after entry " + Quoted(last_path) + ")");
      }
      if (++entries > limits.max_entries) {
        return LimitError("",
                          "it has more than " + std::to_string(limits.max_entries) + " entries");
      }
      ArchiveEntry entry = Describe(raw);
      last_path = entry.path;
      bytes.clear();
      if (entry.type == EntryType::kFile && !entry.encrypted) {
        if (archive_entry_size_is_set(raw) && archive_entry_size(raw) > limits.max_entry_bytes) {
          return EntryTooLarge(entry.path, limits);
        }
        Sha256 hasher;
        for (;;) {
          la_ssize_t n = archive_read_data(archive_, block.data(), block.size());
          if (n < 0) {
            if (archive_entry_is_encrypted(raw)) {
              entry.encrypted = true;
              break;
            }
            return ArchiveError(" (entry " + Quoted(entry.path) + ")");
          }
          if (n == 0) break;
          bytes.append(block.data(), static_cast<size_t>(n));
          total_bytes += n;
          if (static_cast<int64_t>(bytes.size()) > limits.max_entry_bytes) {
            return EntryTooLarge(entry.path, limits);
          }
          if (total_bytes > limits.max_total_bytes) {
            return LimitError(entry.path, "its entries expand to more than " +
                                              std::to_string(limits.max_total_bytes) + " bytes");
          }
          if (total_bytes >= limits.ratio_check_min_bytes &&
              static_cast<double>(total_bytes) >
                  limits.max_compression_ratio *
                      static_cast<double>(std::max<int64_t>(consumed_, 1))) {
            return LimitError(
                entry.path, "it expands more than " +
                                std::to_string(static_cast<int64_t>(limits.max_compression_ratio)) +
                                " times (" + std::to_string(total_bytes) + " bytes from " +
                                std::to_string(consumed_) + " stored bytes): a compression bomb?");
          }
        }
        if (entry.encrypted) {
          bytes.clear();
        } else {
          hasher.Update(bytes);
          entry.size = static_cast<int64_t>(bytes.size());
          entry.content_kind = std::string(DetectContentKind(bytes));
        }
        entry.digest = hasher.Finish();
      } else if (entry.type == EntryType::kFile) {
        entry.digest = Sha256().Finish();
      }
      PROBITY_RETURN_IF_ERROR(fn(entry, bytes));
    }
  }

 private:
  ArchiveEntry Describe(archive_entry* raw) {
    ArchiveEntry entry;
    const char* name = archive_entry_pathname_utf8(raw);
    if (name == nullptr) name = archive_entry_pathname(raw);
    entry.path = name != nullptr ? name : "";
    if (const char* hard = archive_entry_hardlink(raw); hard != nullptr) {
      entry.type = EntryType::kHardlink;
      entry.link_target = hard;
    } else {
      switch (archive_entry_filetype(raw)) {
        case AE_IFREG: entry.type = EntryType::kFile; break;
        case AE_IFDIR: entry.type = EntryType::kDirectory; break;
        case AE_IFLNK: {
          entry.type = EntryType::kSymlink;
          const char* target = archive_entry_symlink(raw);
          entry.link_target = target != nullptr ? target : "";
          break;
        }
        case 0: entry.type = EntryType::kFile; break;  // the raw format leaves it unset
        default: entry.type = EntryType::kOther; break;
      }
    }
    entry.encrypted = archive_entry_is_data_encrypted(raw) != 0;
    return entry;
  }

  // A zlib stream is one entry named "data", under the same size and ratio limits.
  Status InflateZlib(const ArchiveLimits& limits, const ArchiveEntryFn& fn) {
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK) return InternalError("zlib: cannot initialise");
    std::string bytes;
    std::vector<char> out(kBlockBytes);
    Status status;
    int rc = Z_OK;
    while (rc != Z_STREAM_END && status.ok()) {
      const void* in = nullptr;
      la_ssize_t n = ReadCallback(nullptr, this, &in);
      if (n < 0) {
        status = io_error_;
        break;
      }
      if (n == 0) {
        status = InvalidArgumentError(path_ +
                                      ": corrupt or unsupported archive: truncated zlib "
                                      "stream")
                     .Expecting("a complete zlib stream");
        break;
      }
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<void*>(in));
      stream.avail_in = static_cast<uInt>(n);
      while (stream.avail_in > 0 && rc != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef*>(out.data());
        stream.avail_out = static_cast<uInt>(out.size());
        rc = inflate(&stream, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
          status = InvalidArgumentError(path_ + ": corrupt or unsupported archive: zlib: " +
                                        (stream.msg != nullptr ? stream.msg : "bad data"))
                       .Expecting("a complete zlib stream");
          break;
        }
        bytes.append(out.data(), out.size() - stream.avail_out);
        int64_t total = static_cast<int64_t>(bytes.size());
        if (total > limits.max_entry_bytes) {
          status = EntryTooLarge("data", limits);
          break;
        }
        if (total >= limits.ratio_check_min_bytes &&
            static_cast<double>(total) > limits.max_compression_ratio *
                                             static_cast<double>(std::max<int64_t>(consumed_, 1))) {
          status = LimitError(
              "data", "it expands more than " +
                          std::to_string(static_cast<int64_t>(limits.max_compression_ratio)) +
                          " times: a compression bomb?");
          break;
        }
      }
    }
    inflateEnd(&stream);
    PROBITY_RETURN_IF_ERROR(status);
    ArchiveEntry entry{.path = "data", .size = static_cast<int64_t>(bytes.size())};
    entry.digest = Sha256Of(bytes);
    entry.content_kind = std::string(DetectContentKind(bytes));
    return fn(entry, bytes);
  }

  Status EntryTooLarge(const std::string& entry, const ArchiveLimits& limits) {
    return LimitError(
        entry, "the entry is larger than " + std::to_string(limits.max_entry_bytes) + " bytes");
  }

  Status LimitError(const std::string& entry, const std::string& what) {
    std::string where = entry.empty() ? path_ : path_ + "!/" + entry;
    return InvalidArgumentError(where + ": archive refused: " + what)
        .Expecting("an archive within the limits (ArchiveLimits)");
  }

  // `where` follows the archive path in the message, e.g. ` (entry "a.pkl")`.
  Status ArchiveError(const std::string& where) {
    if (!io_error_.ok()) return io_error_;
    const char* what = archive_ != nullptr ? archive_error_string(archive_) : nullptr;
    return InvalidArgumentError(path_ + where + ": corrupt or unsupported archive: " +
                                (what != nullptr ? what : "unknown error"))
        .Expecting("a complete tar or zip archive");
  }

  static la_ssize_t ReadCallback(archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<ArchiveReader*>(self_ptr);
    if (self->position_ < static_cast<int64_t>(self->head_.size()) && !self->head_dropped_) {
      *out = self->head_.data() + self->position_;
      la_ssize_t n = static_cast<la_ssize_t>(self->head_.size()) - self->position_;
      self->position_ += n;
      self->consumed_ += n;
      return n;
    }
    self->block_.resize(kBlockBytes);
    Result<size_t> n = self->input_->Read(self->block_);
    if (!n.has_value()) {
      self->io_error_ = n.error();
      if (a != nullptr) archive_set_error(a, EIO, "%s", n.error().message().c_str());
      return -1;
    }
    *out = self->block_.data();
    self->position_ += static_cast<int64_t>(*n);
    self->consumed_ += static_cast<int64_t>(*n);
    return static_cast<la_ssize_t>(*n);
  }

  // InputFile cannot seek: going back re-opens the file, going forward reads and discards.
  static la_int64_t SeekCallback(archive* a, void* self_ptr, la_int64_t offset, int whence) {
    auto* self = static_cast<ArchiveReader*>(self_ptr);
    int64_t target = whence == SEEK_SET   ? offset
                     : whence == SEEK_CUR ? self->position_ + offset
                                          : self->size_ + offset;
    if (target < 0 || target > self->size_) {
      archive_set_error(a, EINVAL, "seek outside the file");
      return ARCHIVE_FATAL;
    }
    if (target < self->position_) {
      Result<std::unique_ptr<InputFile>> reopened = self->fs_.OpenForRead(self->path_);
      if (!reopened.has_value()) {
        self->io_error_ = reopened.error();
        archive_set_error(a, EIO, "%s", reopened.error().message().c_str());
        return ARCHIVE_FATAL;
      }
      self->input_ = std::move(reopened).value();
      self->position_ = 0;
    }
    self->head_dropped_ = true;
    self->block_.resize(kBlockBytes);
    while (self->position_ < target) {
      size_t want = static_cast<size_t>(
          std::min<int64_t>(target - self->position_, static_cast<int64_t>(kBlockBytes)));
      Result<size_t> n = self->input_->Read(std::span<char>(self->block_).first(want));
      if (!n.has_value() || *n == 0) {
        if (!n.has_value()) self->io_error_ = n.error();
        archive_set_error(a, EIO, "short read while seeking");
        return ARCHIVE_FATAL;
      }
      self->position_ += static_cast<int64_t>(*n);
    }
    return target;
  }

  FileSystem& fs_;
  std::string path_;
  std::unique_ptr<InputFile> input_;
  int64_t size_ = -1;
  std::string head_;
  bool head_dropped_ = false;  // after a seek the head buffer no longer matches position_
  std::vector<char> block_;
  int64_t position_ = 0;  // offset in the file of the next byte ReadCallback returns
  int64_t consumed_ = 0;  // stored bytes handed to libarchive (for the compression ratio)
  Status io_error_;
  archive* archive_ = nullptr;
  bool zlib_ = false;
};

// Splits an entry path into its components, refusing what could leave the destination.
Result<std::vector<std::string>> SafeComponents(const std::string& archive_path,
                                                const std::string& entry_path,
                                                std::string_view role) {
  auto refuse = [&](const std::string& why) {
    return InvalidArgumentError(archive_path + "!/" + entry_path +
                                ": refused to extract: " + std::string(role) + " " + why)
        .Expecting("relative paths that stay inside the destination");
  };
  if (entry_path.empty()) return refuse("is empty");
  if (entry_path.front() == '/' || entry_path.front() == '\\') return refuse("is absolute");
  std::vector<std::string> parts;
  std::string part;
  for (size_t i = 0; i <= entry_path.size(); ++i) {
    if (i == entry_path.size() || entry_path[i] == '/' || entry_path[i] == '\\') {
      if (part == "..") return refuse("contains \"..\"");
      if (!part.empty() && part != ".") parts.push_back(part);
      part.clear();
    } else {
      part += entry_path[i];
    }
  }
  if (parts.empty()) return refuse("names no file");
  if (parts.front().size() >= 2 && parts.front()[1] == ':') return refuse("has a drive letter");
  return parts;
}

std::string Join(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += '/';
    out += parts[i];
  }
  return out;
}

// The archive-relative path a symlink points to, or an error if it leaves the archive root.
Result<std::string> ResolveSymlink(const std::string& archive_path, const ArchiveEntry& entry,
                                   const std::vector<std::string>& link_parts) {
  auto escape = [&] {
    return InvalidArgumentError(archive_path + "!/" + entry.path +
                                ": refused to extract: symlink target " +
                                Quoted(entry.link_target) + " leaves the destination")
        .Expecting("links that stay inside the destination");
  };
  if (entry.link_target.empty() || entry.link_target.front() == '/') return escape();
  std::vector<std::string> resolved(link_parts.begin(), link_parts.end() - 1);
  std::string part;
  for (size_t i = 0; i <= entry.link_target.size(); ++i) {
    if (i == entry.link_target.size() || entry.link_target[i] == '/') {
      if (part == "..") {
        if (resolved.empty()) return escape();
        resolved.pop_back();
      } else if (!part.empty() && part != ".") {
        resolved.push_back(part);
      }
      part.clear();
    } else {
      part += entry.link_target[i];
    }
  }
  return Join(resolved, resolved.size());
}

}  // namespace

std::string_view EntryTypeName(EntryType type) {
  switch (type) {
    case EntryType::kFile: return "file";
    case EntryType::kDirectory: return "directory";
    case EntryType::kSymlink: return "symlink";
    case EntryType::kHardlink: return "hardlink";
    case EntryType::kOther: return "other";
  }
  return "other";
}

bool LooksLikeArchive(std::string_view head) { return IsArchiveKind(DetectContentKind(head)); }

Status ForEachArchiveEntry(FileSystem& fs, const std::string& path, const ArchiveLimits& limits,
                           const ArchiveEntryFn& fn) {
  ArchiveReader reader(fs, path);
  PROBITY_RETURN_IF_ERROR(reader.Open());
  return reader.ForEach(limits, fn);
}

Result<std::vector<ArchiveEntry>> ListArchive(FileSystem& fs, const std::string& path,
                                              const ArchiveLimits& limits) {
  std::vector<ArchiveEntry> entries;
  PROBITY_RETURN_IF_ERROR(
      ForEachArchiveEntry(fs, path, limits, [&](const ArchiveEntry& entry, std::string_view) {
        entries.push_back(entry);
        return OkStatus();
      }));
  return entries;
}

Result<std::string> ReadArchiveEntry(FileSystem& fs, const std::string& path,
                                     const std::string& entry_path, const ArchiveLimits& limits) {
  std::optional<std::string> found;
  // A sentinel status stops the walk at the entry; it never leaves this function.
  const Status stop = InternalError("stop");
  Status status = ForEachArchiveEntry(
      fs, path, limits, [&](const ArchiveEntry& entry, std::string_view bytes) -> Status {
        if (entry.path != entry_path) return OkStatus();
        if (entry.encrypted) {
          return UnimplementedError(path + "!/" + entry_path +
                                    ": the entry is encrypted; Probity cannot read it")
              .Expecting("an unencrypted entry");
        }
        if (entry.type != EntryType::kFile) {
          return InvalidArgumentError(path + "!/" + entry_path + ": the entry is a " +
                                      std::string(EntryTypeName(entry.type)))
              .Expecting("a regular file");
        }
        found = std::string(bytes);
        return stop;
      });
  if (found.has_value()) return std::move(*found);
  if (!status.ok()) return status;
  return NotFoundError(path + ": no entry " + Quoted(entry_path) + " in the archive")
      .Expecting("the path of a file entry (see ListArchive)");
}

Status ExtractArchive(FileSystem& fs, const std::string& path, const std::string& dest_dir,
                      const ArchiveLimits& limits) {
  PROBITY_RETURN_IF_ERROR(fs.CreateDirectories(dest_dir));
  std::set<std::string> extracted;  // archive-relative paths of the files written
  return ForEachArchiveEntry(
      fs, path, limits, [&](const ArchiveEntry& entry, std::string_view bytes) -> Status {
        PROBITY_ASSIGN_OR_RETURN(std::vector<std::string> parts,
                                 SafeComponents(path, entry.path, "path"));
        std::string relative = Join(parts, parts.size());
        std::string target = dest_dir + "/" + relative;
        if (entry.encrypted) {
          return UnimplementedError(path + "!/" + entry.path +
                                    ": the entry is encrypted; Probity cannot extract it")
              .Expecting("an unencrypted archive");
        }
        if (parts.size() > 1) {
          PROBITY_RETURN_IF_ERROR(
              fs.CreateDirectories(dest_dir + "/" + Join(parts, parts.size() - 1)));
        }
        switch (entry.type) {
          case EntryType::kDirectory: return fs.CreateDirectories(target);
          case EntryType::kFile:
            PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(target, bytes));
            extracted.insert(relative);
            return OkStatus();
          case EntryType::kSymlink:
          case EntryType::kHardlink: {
            std::string source;
            if (entry.type == EntryType::kSymlink) {
              PROBITY_ASSIGN_OR_RETURN(source, ResolveSymlink(path, entry, parts));
            } else {
              PROBITY_ASSIGN_OR_RETURN(std::vector<std::string> link,
                                       SafeComponents(path, entry.link_target, "hardlink target"));
              source = Join(link, link.size());
            }
            if (extracted.count(source) == 0) {
              return UnimplementedError(path + "!/" + entry.path + ": the link target " +
                                        Quoted(entry.link_target) +
                                        " is not a file extracted before it")
                  .Expecting("links to files that precede them in the archive");
            }
            PROBITY_ASSIGN_OR_RETURN(std::string copy, fs.ReadSmallFile(dest_dir + "/" + source,
                                                                        limits.max_entry_bytes));
            PROBITY_RETURN_IF_ERROR(fs.WriteFileAtomically(target, copy));
            extracted.insert(relative);
            return OkStatus();
          }
          case EntryType::kOther: break;
        }
        return InvalidArgumentError(path + "!/" + entry.path +
                                    ": refused to extract: a device file, FIFO or socket")
            .Expecting("regular files, directories and links");
      });
}

}  // namespace probity::ingest
