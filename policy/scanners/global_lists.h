// The verdict on one pickle global (module.name): the allow-list first (each entry carries
// the reason it is safe), then the deny-lists transcribed from picklescan and modelscan
// (policy/scanners/lists/SOURCES.md). The lists are compiled into the binary and parsed on
// first use.
//
//   GlobalVerdict v = ClassifyGlobal("posix", "system");
//   // v.kind == GlobalVerdict::Kind::kDenied, v.severity == Severity::kCritical
#pragma once

#include <string>
#include <string_view>

#include "policy/scanners/scan_result.h"

namespace probity::policy {

struct GlobalVerdict {
  enum class Kind { kAllowed, kUnknown, kDenied };
  Kind kind = Kind::kUnknown;
  // kDenied: kCritical or kHigh (modelscan's severity; picklescan-only entries are kHigh).
  // kAllowed: kInfo. kUnknown: kMedium.
  Severity severity = Severity::kMedium;
  // kAllowed: the allow-list entry's reason; kDenied: which list denies it.
  std::string reason;
};

// Classifies module.name. A name matches a list entry when it equals it or is an attribute
// of it ("Trace.run" under "Trace"); a "*" entry matches the module and its submodules.
// Thread-safe.
GlobalVerdict ClassifyGlobal(std::string_view module, std::string_view name);

}  // namespace probity::policy
