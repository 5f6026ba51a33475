#include "audit/ingest/content_kind.h"

#include <cstdint>
#include <string>

namespace probity::ingest {
namespace {

uint32_t ReadLe(std::string_view bytes, size_t offset, size_t width) {
  uint32_t value = 0;
  for (size_t i = 0; i < width; ++i) {
    value |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  }
  return value;
}

bool IsIdentifierLine(std::string_view bytes, size_t* pos) {
  size_t start = *pos;
  while (*pos < bytes.size() && bytes[*pos] != '\n') {
    char c = bytes[*pos];
    bool ok = c == '_' || c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9' && *pos > start);
    if (!ok) return false;
    ++*pos;
  }
  if (*pos == start || *pos >= bytes.size()) return false;
  ++*pos;  // the newline
  return true;
}

bool IsPickleOpcode(unsigned char c) {
  static constexpr std::string_view kText = "(.0123FIJKLMNPQRSTUVXabcdeghijlopqrstu}])GBC";
  return kText.find(static_cast<char>(c)) != std::string_view::npos || (c >= 0x80 && c <= 0x98);
}

bool LooksLikePickle(std::string_view head) {
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x80) {
    return head[1] >= 2 && head[1] <= 5;
  }
  if (head.size() < 2) return false;
  char first = head[0];
  if (first == 'c' || first == 'i') {
    size_t pos = 1;
    return IsIdentifierLine(head, &pos) && IsIdentifierLine(head, &pos);
  }
  if (first == '(' || first == ']' || first == '}' || first == ')') {
    return IsPickleOpcode(static_cast<unsigned char>(head[1]));
  }
  return false;
}

// Walks the zip local file headers present in `head` and names the zip by its entries.
std::string_view ZipKind(std::string_view head) {
  bool has_data_pkl = false, has_config = false, has_metadata = false;
  bool all_npy = true;
  int entries = 0;
  size_t pos = 0;
  while (pos + 30 <= head.size() && head.substr(pos, 4) == "PK\x03\x04") {
    uint32_t flags = ReadLe(head, pos + 6, 2);
    uint32_t compressed = ReadLe(head, pos + 18, 4);
    uint32_t name_length = ReadLe(head, pos + 26, 2);
    uint32_t extra_length = ReadLe(head, pos + 28, 2);
    if (pos + 30 + name_length > head.size()) break;
    std::string_view name = head.substr(pos + 30, name_length);
    ++entries;
    if (name == "data.pkl" || name.ends_with("/data.pkl")) has_data_pkl = true;
    if (name == "config.json") has_config = true;
    if (name == "metadata.json") has_metadata = true;
    if (!name.ends_with(".npy")) all_npy = false;
    // Sizes after a data descriptor (flag bit 3) are unknown here: stop walking.
    if ((flags & 0x08) != 0 || compressed == 0xFFFFFFFFu) break;
    pos += size_t{30} + name_length + extra_length + compressed;
  }
  if (has_data_pkl) return "pytorch-zip";
  if (has_config && has_metadata) return "keras";
  if (entries > 0 && all_npy) return "numpy-npz";
  return "zip";
}

bool IsTarHeader(std::string_view head) {
  if (head.size() < 512) return false;
  if (head.substr(257, 5) == "ustar") return true;
  // A pre-POSIX (v7) header: the checksum field must match the header's byte sum.
  unsigned long stored = 0;
  bool digits = false;
  for (size_t i = 148; i < 156; ++i) {
    char c = head[i];
    if (c >= '0' && c <= '7') {
      stored = stored * 8 + static_cast<unsigned long>(c - '0');
      digits = true;
    } else if (c != ' ' && c != '\0') {
      return false;
    }
  }
  if (!digits || head[0] == '\0') return false;
  unsigned long sum = 0;
  for (size_t i = 0; i < 512; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(head[i]);
  }
  return sum == stored;
}

// RFC 1950 as zlib writes it: CMF 0x78 (deflate, 32 KiB window) and one of the four FLG
// bytes its compression levels produce. joblib's default compression writes such a stream.
// (Looser checks would take protocol 0 pickles such as "(S'…" for zlib.)
bool IsZlibHeader(std::string_view head) {
  if (head.size() < 2 || static_cast<unsigned char>(head[0]) != 0x78) return false;
  unsigned char flg = static_cast<unsigned char>(head[1]);
  return flg == 0x01 || flg == 0x5E || flg == 0x9C || flg == 0xDA;
}

// The .lzma ("alone") header: properties byte 0x5D, a power-of-two dictionary size, and an
// unknown (all 0xFF) or plausible uncompressed size. joblib's "lzma" compression writes it.
bool IsLzmaAloneHeader(std::string_view head) {
  if (head.size() < 13 || static_cast<unsigned char>(head[0]) != 0x5D) return false;
  uint32_t dictionary = ReadLe(head, 1, 4);
  if (dictionary < (1u << 12) || (dictionary & (dictionary - 1)) != 0) return false;
  uint32_t size_high = ReadLe(head, 9, 4);
  return size_high == 0xFFFFFFFFu || size_high < (1u << 16);
}

std::string_view SkipSpaceAndBom(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  while (!bytes.empty() && (bytes.front() == ' ' || bytes.front() == '\t' ||
                            bytes.front() == '\r' || bytes.front() == '\n')) {
    bytes.remove_prefix(1);
  }
  return bytes;
}

std::string_view TextKind(std::string_view head) {
  std::string_view text = SkipSpaceAndBom(head.substr(0, 1 << 16));
  if (text.starts_with("<")) {
    return text.find("<PMML") != std::string_view::npos ? "pmml" : "unknown";
  }
  if (text.starts_with("tree\n") || text.starts_with("tree\r\n")) return "lightgbm";
  if (text.starts_with("{")) {
    if (text.find("\"probity_model\"") != std::string_view::npos) return "probity";
    if (text.find("\"learner\"") != std::string_view::npos) return "xgboost-json";
    // UBJSON: '{' then a length-prefixed key ('L', 'i', 'U', 'l', 'I' and the length).
    if (text.size() > 2 && std::string_view("LiUlI").find(text[1]) != std::string_view::npos &&
        text.find("learner") != std::string_view::npos) {
      return "xgboost-ubjson";
    }
    return "json";
  }
  if (text.starts_with("[")) return "json";
  return "unknown";
}

}  // namespace

std::string_view DetectContentKind(std::string_view head) {
  if (head.starts_with("PK\x03\x04") || head.starts_with("PK\x05\x06")) return ZipKind(head);
  if (head.starts_with("\x1f\x8b")) return "gzip";
  if (head.starts_with("BZh")) return "bzip2";
  if (head.starts_with("\xFD"
                       "7zXZ\x00"))
    return "xz";
  if (head.starts_with("\x28\xB5\x2F\xFD")) return "zstd";
  if (IsZlibHeader(head)) return "zlib";
  if (head.starts_with("\x04\x22\x4D\x18")) return "lz4";
  if (IsLzmaAloneHeader(head)) return "lzma";
  if (head.starts_with("\x93NUMPY")) return "numpy-npy";
  if (head.starts_with("\x89PNG\r\n\x1a\n")) return "png";
  constexpr std::string_view kHdf5 = "\x89HDF\r\n\x1a\n";
  for (size_t offset : {0, 512, 1024, 2048}) {
    if (head.size() >= offset + kHdf5.size() && head.substr(offset, kHdf5.size()) == kHdf5) {
      return "hdf5";
    }
  }
  if (IsTarHeader(head)) return "tar";
  if (LooksLikePickle(head)) return "pickle";
  return TextKind(head);
}

bool IsArchiveKind(std::string_view kind) {
  return kind == "zip" || kind == "pytorch-zip" || kind == "numpy-npz" || kind == "keras" ||
         kind == "tar" || kind == "gzip" || kind == "bzip2" || kind == "xz" || kind == "zstd" ||
         kind == "zlib" || kind == "lzma";
}

}  // namespace probity::ingest
