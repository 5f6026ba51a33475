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

std::string DelimiterName(char delimiter) {
  switch (delimiter) {
    case ' ': return "whitespace";
    case '\t': return "tab";
    default: return std::string(1, delimiter);
  }
}

std::optional<char> ParseDelimiterName(std::string_view name) {
  if (name == "whitespace") return ' ';
  if (name == "tab" || name == "\t") return '\t';
  if (name == "," || name == ";" || name == "|") return name[0];
  return std::nullopt;
}

const std::vector<std::string>& DefaultMissingTokens() {
  static const std::vector<std::string> tokens = {"", "NA", "NaN", "null", "?"};
  return tokens;
}

}  // namespace probity::ingest
