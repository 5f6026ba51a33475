#include "audit/ingest/byte_source.h"

#include <archive.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace probity::ingest {
namespace {

constexpr size_t kStoredBlock = 1 << 20;

// Reads the stored file, hashing every byte exactly once, with a small look-ahead buffer
// used for magic-byte detection.
class HashingInput {
 public:
  HashingInput(std::unique_ptr<InputFile> file) : file_(std::move(file)) {}

  // Fills the look-ahead so that at least `n` bytes (or the whole file) are buffered.
  Result<std::string_view> Peek(size_t n) {
    while (pending_.size() < n) {
      char buffer[4096];
      PROBITY_ASSIGN_OR_RETURN(size_t got,
                               file_->Read(std::span<char>(buffer, n - pending_.size())));
      if (got == 0) break;
      pending_.append(buffer, got);
    }
    return std::string_view(pending_);
  }

  Result<size_t> Read(std::span<char> buffer) {
    size_t n = 0;
    if (!pending_.empty()) {
      n = std::min(buffer.size(), pending_.size());
      std::memcpy(buffer.data(), pending_.data(), n);
      pending_.erase(0, n);
    } else {
      PROBITY_ASSIGN_OR_RETURN(n, file_->Read(buffer));
    }
    hasher_.Update(std::string_view(buffer.data(), n));
    consumed_ += static_cast<int64_t>(n);
    return n;
  }

  Result<Digest> Finish() {
    // Usually nothing is left to read; a small buffer avoids zeroing a large one each time.
    char buffer[64 << 10];
    while (true) {
      PROBITY_ASSIGN_OR_RETURN(size_t n, Read(buffer));
      if (n == 0) break;
    }
    return hasher_.Finish();
  }

  int64_t consumed() const { return consumed_; }
  InputFile& file() { return *file_; }

 private:
  std::unique_ptr<InputFile> file_;
  std::string pending_;
  Sha256 hasher_;
  int64_t consumed_ = 0;
};

// A source over a HashingInput: the digest is always of the stored bytes.
class HashedSource : public ByteSource {
 public:
  Result<Digest> FinishDigest() override {
    PROBITY_ASSIGN_OR_RETURN(Digest d, input_.Finish());
    stored_bytes_read_ = input_.consumed();
    return d;
  }

 protected:
  HashedSource(std::string path, Compression c, int64_t size, HashingInput input)
      : ByteSource(std::move(path), c, size), input_(std::move(input)) {}
  HashingInput input_;
};

class PlainSource : public HashedSource {
 public:
  PlainSource(std::string path, int64_t size, HashingInput input)
      : HashedSource(std::move(path), Compression::kNone, size, std::move(input)) {}

  Result<size_t> Read(std::span<char> buffer) override {
    PROBITY_ASSIGN_OR_RETURN(size_t n, input_.Read(buffer));
    stored_bytes_read_ = input_.consumed();
    return n;
  }
};

Status DecompressError(const std::string& path, Compression c, const std::string& what) {
  std::string name(CompressionName(c));
  return InvalidArgumentError("cannot decompress " + name + " data: " + what)
      .At({path, 0, 0})
      .Expecting("a complete, uncorrupted " + name + " stream");
}

// gzip through zlib, which checks every member's CRC-32 and length (libarchive's gzip filter
// does not, so a flipped byte would pass unnoticed). Concatenated members are read in turn.
class GzipSource : public HashedSource {
 public:
  GzipSource(std::string path, int64_t size, HashingInput input)
      : HashedSource(std::move(path), Compression::kGzip, size, std::move(input)),
        block_(kStoredBlock) {}
  ~GzipSource() override {
    if (started_) inflateEnd(&stream_);
  }

  Status Start() {
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK)
      return InternalError("zlib: cannot initialise");
    started_ = true;
    return OkStatus();
  }

  Result<size_t> Read(std::span<char> buffer) override {
    stream_.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream_.avail_out = static_cast<uInt>(std::min<size_t>(buffer.size(), UINT32_MAX));
    const uInt wanted = stream_.avail_out;
    while (stream_.avail_out > 0 && !done_) {
      if (stream_.avail_in == 0) {
        PROBITY_ASSIGN_OR_RETURN(size_t n, input_.Read(block_));
        stored_bytes_read_ = input_.consumed();
        if (n == 0) {
          if (member_open_)
            return DecompressError(path_, compression_, "the stream ends inside a member");
          done_ = true;
          break;
        }
        stream_.next_in = reinterpret_cast<Bytef*>(block_.data());
        stream_.avail_in = static_cast<uInt>(n);
      }
      member_open_ = true;
      int r = inflate(&stream_, Z_NO_FLUSH);
      if (r == Z_STREAM_END) {
        member_open_ = false;
        if (inflateReset(&stream_) != Z_OK) return InternalError("zlib: cannot reset");
      } else if (r != Z_OK && r != Z_BUF_ERROR) {
        return DecompressError(path_, compression_,
                               stream_.msg != nullptr ? stream_.msg : "zlib error");
      }
    }
    return static_cast<size_t>(wanted - stream_.avail_out);
  }

 private:
  std::vector<char> block_;
  z_stream stream_{};
  bool started_ = false;
  bool member_open_ = false;
  bool done_ = false;
};

class DecompressingSource : public HashedSource {
 public:
  DecompressingSource(std::string path, Compression c, int64_t size, HashingInput input)
      : HashedSource(std::move(path), c, size, std::move(input)), block_(kStoredBlock) {}
  ~DecompressingSource() override {
    if (archive_ != nullptr) archive_read_free(archive_);
  }

  Status Start() {
    archive_ = archive_read_new();
    if (archive_ == nullptr) return InternalError("libarchive: out of memory");
    archive_read_support_filter_bzip2(archive_);
    archive_read_support_filter_xz(archive_);
    archive_read_support_filter_zstd(archive_);
    archive_read_support_format_raw(archive_);
    if (archive_read_open(archive_, this, nullptr, &DecompressingSource::ReadCallback, nullptr) !=
        ARCHIVE_OK) {
      return ArchiveError();
    }
    archive_entry* entry = nullptr;
    if (archive_read_next_header(archive_, &entry) != ARCHIVE_OK) return ArchiveError();
    return OkStatus();
  }

  Result<size_t> Read(std::span<char> buffer) override {
    if (done_) return size_t{0};
    size_t total = 0;
    while (total < buffer.size()) {
      la_ssize_t n = archive_read_data(archive_, buffer.data() + total, buffer.size() - total);
      if (n < 0) return ArchiveError();
      if (n == 0) {
        done_ = true;
        break;
      }
      total += static_cast<size_t>(n);
    }
    return total;
  }

 private:
  static la_ssize_t ReadCallback(archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<DecompressingSource*>(self_ptr);
    Result<size_t> n = self->input_.Read(self->block_);
    if (!n.has_value()) {
      self->read_error_ = n.error();
      archive_set_error(a, EIO, "%s", n.error().message().c_str());
      return -1;
    }
    self->stored_bytes_read_ = self->input_.consumed();
    *out = self->block_.data();
    return static_cast<la_ssize_t>(*n);
  }

  Status ArchiveError() {
    if (!read_error_.ok()) return read_error_;
    const char* what = archive_ != nullptr ? archive_error_string(archive_) : nullptr;
    return DecompressError(path_, compression_, what != nullptr ? what : "unknown error");
  }

  std::vector<char> block_;
  archive* archive_ = nullptr;
  Status read_error_;
  bool done_ = false;
};

}  // namespace

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kBzip2: return "bzip2";
    case Compression::kXz: return "xz";
    case Compression::kZstd: return "zstd";
  }
  return "none";
}

Compression DetectCompression(std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.starts_with(magic); };
  if (starts("\x1f\x8b")) return Compression::kGzip;
  if (starts("BZh") && head.size() > 3 && head[3] >= '1' && head[3] <= '9')
    return Compression::kBzip2;
  if (starts(std::string_view("\xfd"
                              "7zXZ\0",
                              6)))
    return Compression::kXz;
  if (starts("\x28\xb5\x2f\xfd")) return Compression::kZstd;
  return Compression::kNone;
}

Result<std::unique_ptr<ByteSource>> ByteSource::Open(FileSystem& fs, const std::string& path) {
  PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, fs.OpenForRead(path));
  int64_t size = file->size();
  std::string display = file->path();
  HashingInput input(std::move(file));
  PROBITY_ASSIGN_OR_RETURN(std::string_view head, input.Peek(6));
  Compression c = DetectCompression(head);
  if (c == Compression::kNone) {
    return std::unique_ptr<ByteSource>(
        std::make_unique<PlainSource>(display, size, std::move(input)));
  }
  if (c == Compression::kGzip) {
    auto gzip = std::make_unique<GzipSource>(display, size, std::move(input));
    PROBITY_RETURN_IF_ERROR(gzip->Start());
    return std::unique_ptr<ByteSource>(std::move(gzip));
  }
  auto source = std::make_unique<DecompressingSource>(display, c, size, std::move(input));
  PROBITY_RETURN_IF_ERROR(source->Start());
  return std::unique_ptr<ByteSource>(std::move(source));
}

}  // namespace probity::ingest
