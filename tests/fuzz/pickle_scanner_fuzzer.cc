// libFuzzer target: arbitrary bytes through the static pickle disassembler and the model
// scanner's in-memory path (pickles, .npy headers, archives held in memory).
#include <cstdlib>
#include <string_view>

#include "policy/scanners/model_scanner.h"
#include "policy/scanners/pickle_scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  probity::policy::PickleScan scan = probity::policy::ScanPickle(bytes);
  if (scan.error_offset > static_cast<int64_t>(size)) std::abort();
  for (const auto& import : scan.imports) {
    if (import.offset < 0 || import.offset >= static_cast<int64_t>(size)) std::abort();
  }
  probity::policy::ScanOptions options;
  options.archive_limits.max_entry_bytes = 1 << 20;
  options.archive_limits.max_total_bytes = 4 << 20;
  options.max_archive_depth = 2;
  probity::policy::ScanReport report = probity::policy::ScanBytes(bytes, "fuzz", options);
  if (report.files.empty()) std::abort();
  return 0;
}
