// libFuzzer target: arbitrary bytes as an archive file on an in-memory file system, listed
// (and, when they are one, extracted and scanned) within small limits.
#include <cstdlib>
#include <string>

#include "audit/core/file_system.h"
#include "audit/ingest/archive.h"
#include "policy/scanners/model_scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  probity::MemoryFileSystem fs;
  fs.AddFile("fuzz.archive", std::string(reinterpret_cast<const char*>(data), size));
  probity::ingest::ArchiveLimits limits;
  limits.max_entries = 1000;
  limits.max_entry_bytes = 1 << 20;
  limits.max_total_bytes = 4 << 20;
  auto entries = probity::ingest::ListArchive(fs, "fuzz.archive", limits);
  if (entries.has_value()) {
    for (const auto& entry : *entries) {
      if (entry.size < 0 || entry.size > limits.max_entry_bytes) std::abort();
    }
    probity::Status extracted = probity::ingest::ExtractArchive(fs, "fuzz.archive", "out", limits);
    (void)extracted;
  } else if (entries.error().message().find("fuzz.archive") == std::string::npos) {
    std::abort();  // every archive error names the archive
  }
  probity::policy::ScanOptions options;
  options.archive_limits = limits;
  options.max_archive_depth = 2;
  auto report = probity::policy::ScanPath(fs, "fuzz.archive", options);
  if (!report.has_value()) std::abort();  // the file exists: only findings, never an error
  return 0;
}
