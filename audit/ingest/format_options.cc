#include "audit/ingest/format_options.h"

namespace probity::ingest {

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kAuto: return "auto";
    case FileFormat::kCsv: return "csv";
    case FileFormat::kJsonLines: return "jsonl";
  }
  return "auto";
}

const std::vector<std::string>& DefaultMissingTokens() {
  static const std::vector<std::string> tokens = {"", "NA", "NaN", "null", "?"};
  return tokens;
}

}  // namespace probity::ingest
