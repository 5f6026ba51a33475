// What a model-security scan found, as plain data: the files looked at (including entries
// inside archives) and the findings, each with a severity, the file, the byte offset, the
// pickle global and opcode involved, and a message. The scanner (model_scanner.h) produces
// it; `probity scan` prints it (docs/formats/scan.md) and the policy engine consumes it.
//
//   for (const Finding& f : report.findings) {
//     if (f.Fails(strict)) std::cout << f.file << ": " << f.message;
//   }
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace probity::policy {

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity severity);  // "info", "low", …, "critical"

enum class FindingKind {
  kUnsafeImport,   // a global on a deny-list (or an import the scanner cannot resolve)
  kUnknownImport,  // a global on neither list: fails only with --strict
  kUnsafeConfig,   // executable code in a model config (a Keras Lambda layer)
  kUnscanned,      // bytes that could not be scanned: HDF5, encrypted, over a limit, …
  kParseError,     // a pickle that stops parsing early: what follows was not scanned
};
// "unsafe-import", "unknown-import", "unsafe-config", "unscanned", "parse-error".
std::string_view FindingKindName(FindingKind kind);

struct Finding {
  FindingKind kind = FindingKind::kUnscanned;
  Severity severity = Severity::kMedium;
  // The file, with the path inside archives after "!/": "model.tar.gz!/xgboost-model".
  std::string file;
  int64_t offset = -1;  // byte offset in that file (-1: not applicable)
  std::string global;   // "module.name" for imports, else ""
  std::string opcode;   // the pickle opcode ("GLOBAL", "STACK_GLOBAL", …), else ""
  std::string message;
  // Whether this finding makes the scan fail: unsafe imports and configs, unscanned bytes
  // and parse errors always; unknown imports only when `strict`.
  bool Fails(bool strict) const { return kind != FindingKind::kUnknownImport || strict; }
};

// One import seen in a pickle, with its verdict.
struct ScannedImport {
  std::string global;  // "module.name"
  std::string opcode;
  int64_t offset = 0;
  std::string verdict;  // "allowed", "unknown", "denied"
  Severity severity = Severity::kInfo;
};

// One call site in a pickle.
struct ScannedCall {
  std::string opcode;  // "REDUCE", "BUILD", "OBJ", "NEWOBJ", "NEWOBJ_EX", "INST"
  int64_t offset = 0;
  std::string callable;  // "module.name" when known (BUILD: the object's class), else ""
};

// One file or archive entry the scanner looked at.
struct ScannedFile {
  std::string file;          // as in Finding::file
  std::string content_kind;  // ingest::DetectContentKind, e.g. "pickle", "pytorch-zip"
  int64_t size = 0;
  std::string digest;  // "sha256:…"
  // "scanned" (pickles, configs), "not-code" (data formats that cannot carry code),
  // "archive" (its entries are listed separately), "unscanned".
  std::string status;
  std::vector<ScannedImport> imports;  // pickles only
  std::vector<ScannedCall> calls;      // pickles only
};

struct ScanReport {
  std::vector<ScannedFile> files;
  std::vector<Finding> findings;

  // True when any finding fails (Finding::Fails).
  bool Fails(bool strict) const {
    for (const Finding& f : findings) {
      if (f.Fails(strict)) return true;
    }
    return false;
  }
};

// The `probity.scan/1` document (docs/formats/scan.md) for a scan of `path`.
nlohmann::ordered_json ScanReportJson(const ScanReport& report, const std::string& path,
                                      bool strict);

// One line per finding ("<file>:<offset>: <severity> <kind>: <message>") and a summary line.
std::string ScanReportText(const ScanReport& report, bool strict);

}  // namespace probity::policy
