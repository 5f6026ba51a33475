#include <charconv>
#include <cmath>
#include <cstdio>

#include "audit/cli/command.h"
#include "audit/cli/progress.h"
#include "audit/core/file_system.h"
#include "audit/ingest/schema_file.h"

namespace probity::cli {

void AddDatasetOptions(CLI::App* command, DatasetArgs* args, const std::string& file_option,
                       bool required) {
  command
      ->add_option(file_option, args->path,
                   "Dataset: CSV or JSON Lines, optionally .gz/.bz2/.xz/.zst; - for stdin")
      ->required(required);
  command->add_option("--schema", args->schema_path,
                      "Schema file (YAML or JSON, docs/formats/schema.md)");
  command->add_option("--format", args->format, "File format")
      ->check(CLI::IsMember({"auto", "csv", "jsonl"}))
      ->default_str("auto");
  command
      ->add_option("--delimiter", args->delimiter,
                   "CSV delimiter: , ; | tab whitespace (default: detect)")
      ->check(CLI::IsMember({",", ";", "|", "tab", "whitespace"}));
  auto* header = command->add_flag("--header", args->header, "The first row names the columns");
  auto* no_header = command->add_flag("--no-header", args->no_header, "The first row is data");
  header->excludes(no_header);
  no_header->excludes(header);
  command
      ->add_option("--missing", args->missing,
                   "Tokens read as missing, replacing the defaults \"\" NA NaN null ? (repeatable)")
      ->each([args](const std::string&) { args->missing_set = true; })
      ->allow_extra_args(false);
  command
      ->add_option("--on-bad-row", args->on_bad_row,
                   "What to do with a row that does not fit: fail (exit 3) or skip and count it")
      ->check(CLI::IsMember({"fail", "skip"}))
      ->default_str("fail");
}

std::vector<std::string> SplitCommaList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > start) out.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Result<double> ParseNumberOption(std::string_view option, std::string_view text) {
  double v = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(v)) {
    return InvalidArgumentError(std::string(option) + ": \"" + std::string(text) +
                                "\" is not a number")
        .Expecting("a finite number");
  }
  return v;
}

Result<ingest::DatasetSpec> BuildDatasetSpec(const DatasetArgs& args) {
  ingest::DatasetSpec spec;
  if (!args.schema_path.empty()) {
    PROBITY_ASSIGN_OR_RETURN(spec, ingest::LoadSchemaFile(LocalFileSystem(), args.schema_path));
  }
  if (args.format == "csv") spec.format.type = ingest::FileFormat::kCsv;
  if (args.format == "jsonl") spec.format.type = ingest::FileFormat::kJsonLines;
  if (!args.delimiter.empty()) {
    spec.format.delimiter = ingest::ParseDelimiterName(args.delimiter);
  }
  if (args.header) spec.format.header = true;
  if (args.no_header) spec.format.header = false;
  if (args.missing_set) spec.format.missing_tokens = args.missing;
  return spec;
}

ingest::ScanOptions BuildScanOptions(const DatasetArgs& args, const GlobalOptions& global) {
  ingest::ScanOptions options;
  options.threads = global.threads;
  options.on_bad_row =
      args.on_bad_row == "skip" ? ingest::BadRowPolicy::kSkip : ingest::BadRowPolicy::kFail;
  return options;
}

Result<ingest::DatasetProfile> ProfileDatasetFile(const DatasetArgs& args,
                                                  const GlobalOptions& global,
                                                  const std::optional<ingest::DatasetSpec>& given) {
  ingest::DatasetSpec spec;
  if (given) {
    spec = *given;
  } else {
    PROBITY_ASSIGN_OR_RETURN(spec, BuildDatasetSpec(args));
  }
  ingest::ScanOptions options = BuildScanOptions(args, global);
  ProgressBar bar("profiling " + args.path, ProgressBar::ShouldShow(global.quiet));
  options.progress = [&bar](int64_t done, int64_t total) { bar.Update(done, total); };
  PROBITY_ASSIGN_OR_RETURN(
      auto reader, ingest::DatasetReader::Open(LocalFileSystem(), args.path, spec, options));
  Result<ingest::DatasetProfile> profile = ingest::ProfileDataset(*reader);
  bar.Finish();
  if (profile.has_value() && profile->scan.skipped_rows > 0) {
    Warn(global, "skipped " + std::to_string(profile->scan.skipped_rows) +
                     " bad rows (--on-bad-row=skip); first: " +
                     profile->scan.skipped_examples.front().ToString());
  }
  return profile;
}

void Warn(const GlobalOptions& global, const std::string& message) {
  if (global.quiet) return;
  std::fprintf(stderr, "probity: warning: %s\n", message.c_str());
}

}  // namespace probity::cli
