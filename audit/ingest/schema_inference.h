// Infers a dataset's schema from every row rather than a sample, for `probity data schema`:
// the file is first read with every column as text, the types that fit all values are
// chosen, and the resulting schema is guaranteed to read the whole file. Costs one extra
// pass; standard input (which cannot be read twice) falls back to the sampled inference.
//
//   PROBITY_ASSIGN_OR_RETURN(DatasetSpec spec, InferSpecFromWholeFile(fs, path, {}, options));
//   PROBITY_ASSIGN_OR_RETURN(auto reader, DatasetReader::Open(fs, path, spec, options));
#pragma once

#include <string>

#include "audit/core/file_system.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/format_options.h"

namespace probity::ingest {

// The format a reader resolved, as options that reproduce it without detection.
FormatOptions ResolvedFormatOptions(const ResolvedFormat& format);

// Returns `given` unchanged when it has a schema or `path` is "-" (standard input, which a
// second pass could not read). Otherwise returns the detected format and
// a schema whose names are those of sampled inference and whose types fit every value in
// the file (int64 ⊂ float64; bool; otherwise string). Errors are those of reading the file
// (malformed rows under BadRowPolicy::kFail).
Result<DatasetSpec> InferSpecFromWholeFile(FileSystem& fs, const std::string& path,
                                           const DatasetSpec& given, const ScanOptions& options);

}  // namespace probity::ingest
