// Shared body of the dataset-reader fuzz targets: read arbitrary bytes as a dataset with
// small chunks (so chunk boundaries are exercised), profile them, and require that the
// reader either succeeds or fails with a located error, never crashes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "audit/core/file_system.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/profile.h"

namespace probity::fuzz {

inline void FuzzDataset(const uint8_t* data, size_t size, ingest::FileFormat format) {
  if (size == 0) return;
  // The first byte picks options, the rest is the file.
  uint8_t options_byte = data[0];
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  MemoryFileSystem fs;
  fs.AddFile("fuzz.input", text);
  ingest::DatasetSpec spec;
  spec.format.type = format;
  if (options_byte & 1) spec.format.header = (options_byte & 2) != 0;
  if (options_byte & 4) spec.format.delimiter = " ,;\t"[(options_byte >> 3) & 3];
  spec.format.trim = (options_byte & 32) == 0;
  ingest::ScanOptions options;
  options.threads = 2;
  options.sample_bytes = 4096;
  options.chunk_bytes = 1024;
  options.max_row_bytes = 1 << 16;
  options.on_bad_row =
      (options_byte & 64) ? ingest::BadRowPolicy::kSkip : ingest::BadRowPolicy::kFail;
  auto reader = ingest::DatasetReader::Open(fs, "fuzz.input", spec, options);
  if (!reader.has_value()) {
    if (reader.error().location().file != "fuzz.input") std::abort();  // errors must be located
    return;
  }
  auto profile = ingest::ProfileDataset(**reader);
  if (profile.has_value()) {
    std::string json = profile->ToJson();
    std::string text_summary = profile->ToText();
    if (json.empty() || text_summary.empty()) std::abort();
  } else if (profile.error().code() != StatusCode::kInvalidArgument) {
    std::abort();  // in-memory input: only malformed-input errors are possible
  }
}

}  // namespace probity::fuzz
