#include "policy/scanners/scan_result.h"

#include "audit/core/json_output.h"

namespace probity::policy {

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

std::string_view FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kUnsafeImport: return "unsafe-import";
    case FindingKind::kUnknownImport: return "unknown-import";
    case FindingKind::kUnsafeConfig: return "unsafe-config";
    case FindingKind::kUnscanned: return "unscanned";
    case FindingKind::kParseError: return "parse-error";
  }
  return "unscanned";
}

namespace {

nlohmann::ordered_json OrNull(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text);
}

struct Counts {
  int64_t unsafe = 0, unknown = 0, unscanned = 0, parse_errors = 0, failing = 0;
};

Counts Count(const ScanReport& report, bool strict) {
  Counts c;
  for (const Finding& f : report.findings) {
    switch (f.kind) {
      case FindingKind::kUnsafeImport:
      case FindingKind::kUnsafeConfig: ++c.unsafe; break;
      case FindingKind::kUnknownImport: ++c.unknown; break;
      case FindingKind::kUnscanned: ++c.unscanned; break;
      case FindingKind::kParseError: ++c.parse_errors; break;
    }
    if (f.Fails(strict)) ++c.failing;
  }
  return c;
}

}  // namespace

nlohmann::ordered_json ScanReportJson(const ScanReport& report, const std::string& path,
                                      bool strict) {
  nlohmann::ordered_json doc = MachineDocument("probity.scan/1");
  doc["path"] = path;
  doc["strict"] = strict;
  doc["verdict"] = report.Fails(strict) ? "fail" : "pass";
  Counts c = Count(report, strict);
  int64_t pickles = 0;
  for (const ScannedFile& f : report.files) pickles += f.status == "scanned" ? 1 : 0;
  doc["summary"] = {{"files", report.files.size()},
                    {"scanned", pickles},
                    {"findings", report.findings.size()},
                    {"failing", c.failing},
                    {"unsafe", c.unsafe},
                    {"unknown_imports", c.unknown},
                    {"unscanned", c.unscanned},
                    {"parse_errors", c.parse_errors}};
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const Finding& f : report.findings) {
    findings.push_back({{"kind", FindingKindName(f.kind)},
                        {"severity", SeverityName(f.severity)},
                        {"fails", f.Fails(strict)},
                        {"file", f.file},
                        {"offset", f.offset >= 0 ? nlohmann::ordered_json(f.offset) : nullptr},
                        {"global", OrNull(f.global)},
                        {"opcode", OrNull(f.opcode)},
                        {"message", f.message}});
  }
  doc["findings"] = std::move(findings);
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const ScannedFile& f : report.files) {
    nlohmann::ordered_json imports = nlohmann::ordered_json::array();
    for (const ScannedImport& i : f.imports) {
      imports.push_back({{"global", i.global},
                         {"opcode", i.opcode},
                         {"offset", i.offset},
                         {"verdict", i.verdict},
                         {"severity", SeverityName(i.severity)}});
    }
    nlohmann::ordered_json calls = nlohmann::ordered_json::array();
    for (const ScannedCall& call : f.calls) {
      calls.push_back(
          {{"opcode", call.opcode}, {"offset", call.offset}, {"callable", OrNull(call.callable)}});
    }
    files.push_back({{"file", f.file},
                     {"content_kind", OrNull(f.content_kind)},
                     {"size", f.size},
                     {"digest", OrNull(f.digest)},
                     {"status", f.status},
                     {"imports", std::move(imports)},
                     {"calls", std::move(calls)}});
  }
  doc["files"] = std::move(files);
  return doc;
}

std::string ScanReportText(const ScanReport& report, bool strict) {
  std::string out;
  for (const Finding& f : report.findings) {
    out += f.file;
    if (f.offset >= 0) out.append(":").append(std::to_string(f.offset));
    out += ": " + std::string(SeverityName(f.severity)) + " " +
           std::string(FindingKindName(f.kind)) + ": " + f.message;
    if (!f.Fails(strict)) out += " (passes without --strict)";
    out += "\n";
  }
  Counts c = Count(report, strict);
  out += (report.Fails(strict) ? "FAIL" : "PASS") + std::string(": ") +
         std::to_string(report.files.size()) + " files, " + std::to_string(c.unsafe) + " unsafe, " +
         std::to_string(c.unknown) + " not allow-listed, " + std::to_string(c.unscanned) +
         " unscanned, " + std::to_string(c.parse_errors) + " parse errors" +
         (strict ? " (strict)" : "") + "\n";
  return out;
}

}  // namespace probity::policy
