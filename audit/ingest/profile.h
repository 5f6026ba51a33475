// DatasetProfile summarises a dataset in one streaming pass: row counts, and per column the
// type, nulls, distinct values, numeric moments and quantiles, and most frequent values,
// plus columns that look like protected attributes ("candidate facets"). Memory does not
// grow with the number of rows: exact statistics are kept while a numeric column has at
// most 4,096 distinct values (a text column 65,536), then bounded sketches take over
// (docs/formats/profile.md states each error bound). The JSON form is the documented
// `probity.data.profile/1` document.
//
//   PROBITY_ASSIGN_OR_RETURN(auto reader, DatasetReader::Open(fs, path, spec, options));
//   PROBITY_ASSIGN_OR_RETURN(DatasetProfile profile, ProfileDataset(*reader));
//   std::cout << profile.ToJson();
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/core/schema.h"
#include "audit/ingest/dataset_reader.h"
#include "audit/ingest/facet_detection.h"

namespace probity::ingest {

// Quantile levels reported for numeric columns.
inline constexpr std::array<double, 5> kProfileQuantiles = {0.01, 0.25, 0.50, 0.75, 0.99};

struct NumericSummary {
  double min = 0;
  double max = 0;
  // Sample mean and standard deviation (n − 1) of the finite values; nullopt with a reason
  // when undefined (no finite values, fewer than two, or beyond the float64 range).
  std::optional<double> mean;
  std::string mean_reason;
  std::optional<double> std;
  std::string std_reason;
  int64_t infinities = 0;  // ±inf values, excluded from mean, std and quantiles
  std::array<double, kProfileQuantiles.size()> quantiles{};
  bool has_quantiles = false;
  bool quantiles_exact = true;
  // Bound on |estimate − true| / |true| when inexact; nullopt when the sketch had to merge
  // its smallest-magnitude buckets (values spanning more than about 2^65), so no bound holds.
  std::optional<double> quantile_relative_error = 0.0;
};

struct ValueCount {
  std::string value;  // the value as text
  int64_t count = 0;  // exact, or an upper bound when !top_values_exact
  int64_t count_error = 0;
};

struct ColumnProfile {
  Field field;           // name, final type (after widening), role, inferred flag
  bool widened = false;  // an inferred int64 column that met decimals
  int64_t count = 0;     // non-missing values
  int64_t nulls = 0;
  int64_t distinct = 0;
  bool distinct_exact = true;
  double distinct_relative_standard_error = 0;
  std::optional<NumericSummary> numeric;
  std::vector<ValueCount> top_values;  // up to 10, most frequent first
  bool top_values_exact = true;
};

struct DatasetProfile {
  std::string path;
  ResolvedFormat format;
  int64_t inference_rows = 0;  // 0 when a schema file was used
  ScanSummary scan;
  BadRowPolicy on_bad_row = BadRowPolicy::kFail;
  int threads = 0;
  std::vector<ColumnProfile> columns;
  std::vector<FacetCandidate> candidate_facets;

  // The probity.data.profile/1 JSON document (docs/formats/profile.md), one line per key.
  std::string ToJson() const;
  // A short human summary for a terminal.
  std::string ToText() const;
};

// Scans the reader's dataset once and profiles it. Errors are those of the scan.
Result<DatasetProfile> ProfileDataset(DatasetReader& reader);

}  // namespace probity::ingest
