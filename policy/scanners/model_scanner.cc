#include "policy/scanners/model_scanner.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>
#include <vector>

#include "audit/core/artifact.h"
#include "audit/core/digest.h"
#include "audit/ingest/content_kind.h"
#include "policy/scanners/global_lists.h"
#include "policy/scanners/pickle_scanner.h"

namespace probity::policy {
namespace {

constexpr size_t kHeadBytes = 4096;
constexpr int kMaxJsonDepth = 256;

bool IsCompressionKind(std::string_view kind) {
  return kind == "gzip" || kind == "bzip2" || kind == "xz" || kind == "zstd" || kind == "zlib" ||
         kind == "lzma";
}

// "<dir>/data/<key>" inside a PyTorch zip: raw tensor bytes, not code.
bool IsTorchStorage(std::string_view entry) {
  size_t slash = entry.rfind('/');
  if (slash == std::string_view::npos) return false;
  std::string_view dir = entry.substr(0, slash);
  return dir == "data" || dir.ends_with("/data");
}

// The deepest [ / { nesting of a JSON text (strings skipped), to refuse texts whose
// parsing or destruction would recurse too deeply.
int JsonDepth(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

class Scanner {
 public:
  explicit Scanner(const ScanOptions& options) : options_(options) {}

  ScanReport Take() { return std::move(report_); }

  void Unscanned(const std::string& file, const std::string& why) {
    report_.findings.push_back(Finding{.kind = FindingKind::kUnscanned,
                                       .severity = Severity::kMedium,
                                       .file = file,
                                       .message = "not scanned: " + why});
  }

  // A file on `fs`: archives are streamed entry by entry, anything else is read whole.
  Status ScanFile(FileSystem& fs, const std::string& path, const std::string& name, int depth) {
    std::string head;
    {
      PROBITY_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, fs.OpenForRead(path));
      head.resize(kHeadBytes);
      size_t filled = 0;
      while (filled < head.size()) {
        PROBITY_ASSIGN_OR_RETURN(size_t n, in->Read(std::span<char>(head).subspan(filled)));
        if (n == 0) break;
        filled += n;
      }
      head.resize(filled);
    }
    std::string_view kind = ingest::DetectContentKind(head);
    if (ingest::IsArchiveKind(kind)) {
      ScannedFile record{.file = name, .content_kind = std::string(kind), .status = "archive"};
      PROBITY_ASSIGN_OR_RETURN(Artifact artifact, DescribeFile(fs, path, ArtifactKind::kModel));
      record.size = artifact.size_bytes;
      record.digest = artifact.digest.ToString();
      report_.files.push_back(std::move(record));
      ScanArchive(fs, path, name, kind, depth);
      return OkStatus();
    }
    Result<std::string> bytes = fs.ReadSmallFile(path, options_.max_file_bytes);
    if (!bytes.has_value()) {
      if (bytes.error().code() != StatusCode::kInvalidArgument) return bytes.error();
      Unscanned(name, "larger than " + std::to_string(options_.max_file_bytes) +
                          " bytes, the most the scanner reads");
      return OkStatus();
    }
    ScanContent(*bytes, name, depth, "");
    return OkStatus();
  }

  // Bytes in memory; `container` is the content kind of the archive holding them ("" at top).
  void ScanContent(std::string_view bytes, const std::string& name, int depth,
                   std::string_view container) {
    std::string_view kind = ingest::DetectContentKind(bytes);
    ScannedFile record{.file = name,
                       .content_kind = std::string(kind),
                       .size = static_cast<int64_t>(bytes.size()),
                       .digest = Sha256Of(bytes).ToString(),
                       .status = "not-code"};
    if (kind == "pickle") {
      ScanPickleBytes(bytes, 0, &record);
    } else if (kind == "numpy-npy") {
      ScanNpy(bytes, &record);
    } else if (ingest::IsArchiveKind(kind)) {
      record.status = "archive";
      report_.files.push_back(std::move(record));
      if (depth + 1 > options_.max_archive_depth) {
        Unscanned(name, "an archive nested deeper than " +
                            std::to_string(options_.max_archive_depth) + " levels");
        return;
      }
      MemoryFileSystem memory;
      memory.AddFile("archive", std::string(bytes));
      ScanArchive(memory, "archive", name, kind, depth + 1);
      return;
    } else if (kind == "lz4") {
      record.status = "unscanned";
      Unscanned(name, "LZ4-compressed (joblib compress=\"lz4\"); Probity cannot decompress LZ4");
    } else if (kind == "hdf5") {
      if (container == "keras") {
        record.status = "not-code";  // .keras weights: arrays only; code would be in config.json
      } else {
        record.status = "unscanned";
        Unscanned(name,
                  "an HDF5 file (Keras .h5 models may hold Lambda layers); Probity cannot "
                  "parse HDF5");
      }
    }
    if (container == "keras" && (name.ends_with("!/config.json"))) {
      ScanKerasConfig(bytes, &record);
    }
    report_.files.push_back(std::move(record));
  }

 private:
  void ScanArchive(FileSystem& fs, const std::string& path, const std::string& name,
                   std::string_view kind, int depth) {
    std::string container(kind);
    Status status = ingest::ForEachArchiveEntry(
        fs, path, options_.archive_limits,
        [&](const ingest::ArchiveEntry& entry, std::string_view bytes) -> Status {
          if (entry.type != ingest::EntryType::kFile) return OkStatus();
          std::string entry_name = name + "!/" + entry.path;
          if (entry.encrypted) {
            report_.files.push_back(ScannedFile{.file = entry_name, .status = "unscanned"});
            Unscanned(entry_name, "an encrypted archive entry; Probity has no passphrase");
            return OkStatus();
          }
          if (container == "pytorch-zip" && IsTorchStorage(entry.path)) {
            report_.files.push_back(ScannedFile{.file = entry_name,
                                                .content_kind = "tensor-data",
                                                .size = entry.size,
                                                .digest = entry.digest.ToString(),
                                                .status = "not-code"});
            return OkStatus();
          }
          std::string_view entry_container = container;
          if (IsCompressionKind(container)) entry_container = "";
          ScanContent(bytes, entry_name, depth, entry_container);
          return OkStatus();
        });
    if (!status.ok()) Unscanned(name, status.message());
  }

  void ScanPickleBytes(std::string_view bytes, int64_t base, ScannedFile* record) {
    PickleScan scan = ScanPickle(bytes.substr(static_cast<size_t>(base)));
    if (!scan.is_pickle) {
      record->content_kind = "unknown";  // started like a pickle, but is not one
      return;
    }
    record->status = "scanned";
    for (const PickleImport& import : scan.imports) {
      std::string global = import.Qualified();
      GlobalVerdict verdict = import.resolved
                                  ? ClassifyGlobal(import.module, import.name)
                                  : GlobalVerdict{GlobalVerdict::Kind::kDenied, Severity::kHigh,
                                                  "not resolvable statically"};
      int64_t offset = base + import.offset;
      std::string_view verdict_name = verdict.kind == GlobalVerdict::Kind::kAllowed  ? "allowed"
                                      : verdict.kind == GlobalVerdict::Kind::kDenied ? "denied"
                                                                                     : "unknown";
      record->imports.push_back(ScannedImport{global, import.opcode, offset,
                                              std::string(verdict_name), verdict.severity});
      if (verdict.kind == GlobalVerdict::Kind::kAllowed) continue;
      Finding finding{.severity = verdict.severity,
                      .file = record->file,
                      .offset = offset,
                      .global = global,
                      .opcode = import.opcode};
      if (verdict.kind == GlobalVerdict::Kind::kDenied) {
        finding.kind = FindingKind::kUnsafeImport;
        if (import.resolved) {
          finding.message = "imports " + global + " (" + verdict.reason + ")";
        } else if (import.opcode.starts_with("EXT")) {
          finding.message = "imports the global registered under extension code " + import.name +
                            " (" + import.opcode + "), which cannot be resolved statically";
        } else {
          finding.message =
              "imports a global whose name is built at load time (" + import.opcode + ")";
        }
      } else {
        finding.kind = FindingKind::kUnknownImport;
        finding.message = "imports " + global + ", which is not on the allow-list";
      }
      report_.findings.push_back(std::move(finding));
    }
    for (const PickleCall& call : scan.calls) {
      record->calls.push_back(ScannedCall{call.opcode, base + call.offset, call.callable});
    }
    if (!scan.error.empty()) {
      report_.findings.push_back(Finding{
          .kind = FindingKind::kParseError,
          .severity = Severity::kHigh,
          .file = record->file,
          .offset = base + scan.error_offset,
          .message = "pickle parsing stopped: " + scan.error + "; the rest was not scanned"});
    }
  }

  // NumPy .npy: "\x93NUMPY", version, header length, a Python dict literal; an object
  // array's data is a pickle.
  void ScanNpy(std::string_view bytes, ScannedFile* record) {
    size_t header_start = 0, header_length = 0;
    if (bytes.size() >= 10 && bytes[6] == 1) {
      header_start = 10;
      header_length = static_cast<unsigned char>(bytes[8]) |
                      (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    } else if (bytes.size() >= 12 && (bytes[6] == 2 || bytes[6] == 3)) {
      header_start = 12;
      for (size_t i = 0; i < 4; ++i) {
        header_length |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
      }
    }
    if (header_start == 0 || header_length > bytes.size() - header_start) {
      record->status = "unscanned";
      Unscanned(record->file, "a NumPy .npy file with a malformed header");
      return;
    }
    std::string_view header = bytes.substr(header_start, header_length);
    size_t descr = header.find("'descr'");
    if (descr == std::string_view::npos) {
      record->status = "unscanned";
      Unscanned(record->file, "a NumPy .npy header without 'descr'");
      return;
    }
    std::string_view value = header.substr(descr + 7);
    value = value.substr(0, value.find("'fortran_order'"));
    // An object dtype: '|O' (or a structured dtype with an 'O' field).
    bool object = value.find("'|O") != std::string_view::npos ||
                  value.find("'<O") != std::string_view::npos ||
                  value.find("'>O") != std::string_view::npos ||
                  value.find("'=O") != std::string_view::npos ||
                  value.find("'O") != std::string_view::npos;
    if (!object) return;  // plain numbers: no pickle, nothing executable
    ScanPickleBytes(bytes, static_cast<int64_t>(header_start + header_length), record);
    if (record->status != "scanned") {
      record->status = "unscanned";
      Unscanned(record->file, "a NumPy object array whose data is not a pickle");
    }
  }

  void ScanKerasConfig(std::string_view bytes, ScannedFile* record) {
    record->status = "scanned";
    if (JsonDepth(bytes) > kMaxJsonDepth) {
      Unscanned(record->file,
                "a Keras config nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
      return;
    }
    nlohmann::json config;
    try {
      config = nlohmann::json::parse(bytes);
    } catch (const nlohmann::json::exception& e) {
      Unscanned(record->file, std::string("a Keras config that is not valid JSON: ") + e.what());
      return;
    }
    std::vector<const nlohmann::json*> pending{&config};
    while (!pending.empty()) {
      const nlohmann::json* node = pending.back();
      pending.pop_back();
      if (node->is_object()) {
        auto cls = node->find("class_name");
        if (cls != node->end() && *cls == "Lambda") {
          std::string layer = "?";
          auto inner = node->find("config");
          if (inner != node->end() && inner->is_object() && inner->contains("name") &&
              (*inner)["name"].is_string()) {
            layer = (*inner)["name"].get<std::string>();
          }
          report_.findings.push_back(
              Finding{.kind = FindingKind::kUnsafeConfig,
                      .severity = Severity::kHigh,
                      .file = record->file,
                      .global = "keras.layers.Lambda",
                      .message = "Keras Lambda layer \"" + layer +
                                 "\" holds Python code that runs when the model is loaded"});
        }
      }
      if (node->is_structured()) {
        for (const auto& child : *node) pending.push_back(&child);
      }
    }
  }

  const ScanOptions& options_;
  ScanReport report_;
};

}  // namespace

Result<ScanReport> ScanPath(FileSystem& fs, const std::string& path, const ScanOptions& options) {
  if (path == "-") {  // standard input can be read only once: hold it in memory
    PROBITY_ASSIGN_OR_RETURN(std::string bytes, fs.ReadSmallFile(path, options.max_file_bytes));
    return ScanBytes(bytes, path, options);
  }
  Scanner scanner(options);
  Status status = scanner.ScanFile(fs, path, path, 0);
  if (status.ok()) return scanner.Take();
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return status;
  // A directory: every regular file below it, in a stable order.
  std::vector<std::string> files;
  auto it = std::filesystem::recursive_directory_iterator(
      path, std::filesystem::directory_options::skip_permission_denied, ec);
  if (ec) return IoError(path + ": cannot list the directory: " + ec.message());
  for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return IoError(path + ": cannot list the directory: " + ec.message());
    if (it->is_regular_file(ec)) files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& file : files) {
    Status file_status = scanner.ScanFile(fs, file, file, 0);
    // An unreadable file inside a directory is a finding, not an error.
    if (!file_status.ok()) scanner.Unscanned(file, file_status.ToString());
  }
  return scanner.Take();
}

ScanReport ScanBytes(std::string_view bytes, const std::string& name, const ScanOptions& options) {
  Scanner scanner(options);
  scanner.ScanContent(bytes, name, 0, "");
  return scanner.Take();
}

}  // namespace probity::policy
