#include "policy/scanners/scan_result.h"

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

}  // namespace probity::policy
