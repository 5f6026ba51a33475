// FormatOptions say how to read a dataset file (CSV or JSON Lines): the dialect and the
// tokens that mean "missing". They come from a schema file's `format:` section
// (audit/ingest/schema_file.h) or command-line flags; anything left unset is detected
// from the file's first chunk (audit/ingest/dataset_reader.h).
//
//   FormatOptions format;
//   format.delimiter = ' ';        // whitespace-delimited, like the UCI German credit file
//   format.header = false;
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/core/schema.h"

namespace probity::ingest {

enum class FileFormat { kAuto, kCsv, kJsonLines };

std::string_view FileFormatName(FileFormat format);  // "auto", "csv", "jsonl"

// The name of a delimiter in schema files, JSON and messages: ",", ";", "|", "tab" or
// "whitespace" (for ' ', runs of spaces and tabs).
std::string DelimiterName(char delimiter);
// The delimiter a name above stands for (a literal tab is also accepted); nullopt for
// anything else.
std::optional<char> ParseDelimiterName(std::string_view name);

// The default missing-value tokens: "", "NA", "NaN", "null" and "?".
const std::vector<std::string>& DefaultMissingTokens();

struct FormatOptions {
  FileFormat type = FileFormat::kAuto;
  // ',' ';' '\t' '|' or ' ' for runs of spaces and tabs; nullopt = detect.
  std::optional<char> delimiter;
  std::optional<bool> header;  // nullopt = detect
  char quote = '"';
  bool trim = true;  // strip spaces (and tabs, unless tab is the delimiter) around fields
  std::vector<std::string> missing_tokens = DefaultMissingTokens();
};

// A dataset's format together with its schema, when one was given.
struct DatasetSpec {
  FormatOptions format;
  std::optional<Schema> schema;
  // When the schema is inferred, columns named here get this type instead of the inferred
  // one (a model's categorical inputs are read as strings, its continuous ones as float64).
  // Names absent from the file are ignored.
  std::map<std::string, DataType, std::less<>> type_hints;
};

enum class BadRowPolicy { kFail, kSkip };

// How a scan runs. None of these change results, except on_bad_row.
struct ScanOptions {
  int threads = 0;                   // parsing threads; 0 = all cores
  int64_t chunk_bytes = 1 << 20;     // rows are cut into batches of about this many bytes
  int64_t sample_bytes = 1 << 20;    // bytes sampled to detect the dialect and infer types
  int64_t max_row_bytes = 64 << 20;  // longer rows (e.g. an unterminated quote) are errors
  BadRowPolicy on_bad_row = BadRowPolicy::kFail;
  // Called on the scanning thread with (bytes read, total bytes or -1), at most every
  // chunk. Must be cheap.
  std::function<void(int64_t, int64_t)> progress;
};

}  // namespace probity::ingest
