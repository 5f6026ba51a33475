// Helpers shared by the test suites: reading CSV/JSONL text through an in-memory file system,
// and locating fixtures in tests/data and the read-only ../shared folder.
#pragma once

#include <filesystem>
#include <string>

#include "audit/core/file_system.h"
#include "audit/core/table.h"
#include "audit/ingest/dataset_reader.h"

namespace probity::testing {

// tests/data/<name> in the source tree.
inline std::string TestDataPath(const std::string& name) {
  return std::string(PROBITY_SOURCE_DIR) + "/tests/data/" + name;
}

// ../shared/<relative> next to the checkout; empty when that folder is absent (tests using
// it then skip with a message).
inline std::string SharedPath(const std::string& relative) {
  std::string path = std::string(PROBITY_SHARED_DIR) + "/" + relative;
  return std::filesystem::exists(path) ? path : std::string();
}

// Reads `text` as the file "input.csv" (or the given name) of an in-memory file system.
inline Result<Table> ReadText(const std::string& text, const ingest::DatasetSpec& spec = {},
                              ingest::ScanOptions options = {},
                              ingest::ScanSummary* summary = nullptr,
                              const std::string& name = "input.csv") {
  MemoryFileSystem fs;
  fs.AddFile(name, text);
  if (options.threads == 0) options.threads = 2;
  return ingest::ReadTable(fs, name, spec, options, summary);
}

}  // namespace probity::testing
