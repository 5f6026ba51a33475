// Helpers for model conformance tests: read a case's input the way `probity predict` does,
// read its expected-output CSV, and compare numbers with a relative tolerance.
#pragma once

#include <charconv>
#include <cmath>
#include <string>

#include "audit/core/file_system.h"
#include "audit/core/model.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/models/feature_binding.h"

namespace probity::testing {

// The model's categorical inputs as strings, everything else as inferred.
inline Result<Table> ReadModelInput(const std::string& path, const ModelInfo& info) {
  ingest::DatasetSpec spec;
  spec.type_hints = models::InputTypeHints(info);
  ingest::ScanOptions options;
  options.threads = 2;
  return ingest::ReadTable(LocalFileSystem(), path, spec, options);
}

// Every column of an expected-output CSV read as text (an empty cell is missing).
inline Result<Table> ReadExpected(const std::string& path) {
  ingest::DatasetSpec spec;
  ingest::ScanOptions options;
  options.threads = 1;
  PROBITY_ASSIGN_OR_RETURN(auto reader,
                           ingest::DatasetReader::Open(LocalFileSystem(), path, spec, options));
  for (const Field& f : reader->schema().fields()) spec.type_hints[f.name] = DataType::kString;
  return ingest::ReadTable(LocalFileSystem(), path, spec, options);
}

// |actual − expected| ≤ tolerance · max(1, |expected|); NaN only matches NaN.
inline bool NumbersAgree(double expected, double actual, double tolerance) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  return std::fabs(actual - expected) <= tolerance * std::max(1.0, std::fabs(expected));
}

inline double ParseNumber(std::string_view text) {
  double v = std::nan("");
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

}  // namespace probity::testing
