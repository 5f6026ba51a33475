// Background (reference) sets for interventional explainers: the rows v(S) averages the
// absent players over, with a weight each. Large backgrounds cost model evaluations
// linearly, so they can be summarised by a seeded weighted k-means (shap.kmeans's idea:
// numeric columns standardised, centres snapped to values present in the data, each centre
// weighted by its cluster's share), or subsampled.
//
//   PROBITY_ASSIGN_OR_RETURN(Background b, SummarizeBackground(frame, {.clusters = 20}));
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "audit/core/result.h"
#include "explain/input_frame.h"

namespace probity::explain {

struct Background {
  InputFrame frame;             // the reference rows
  std::vector<double> weights;  // one per row, summing to 1
  // "all 100 rows", "uniform sample: 100 of 5000 rows (seed 0)",
  // "weighted k-means: 20 centres of 5000 rows (seed 0, 7 iterations)"
  std::string summary;
};

struct BackgroundOptions {
  int clusters = 0;         // > 0: weighted k-means with this many centres
  int64_t sample_rows = 0;  // > 0 (and clusters == 0): a seeded uniform sample of this many rows
  uint64_t seed = 0;
  int max_iterations = 100;
};

// The background from `data` (all rows equally weighted unless summarised). k-means:
// seeded k-means++ then Lloyd iterations; numeric columns standardised by their standard
// deviation (a missing cell counts as the column mean), string (dictionary) columns
// clustered by mismatch (k-prototypes style: the centre takes the cluster's most frequent
// code); numeric centre values snapped to the nearest value present in the column; each
// centre weighted by its cluster's share (empty clusters dropped; fewer centres when there
// are fewer distinct rows). kInvalidArgument for an empty frame or a negative count;
// clusters or sample_rows not below the row count is not an error (all rows are kept, and
// the summary says so). Deterministic for a seed, whatever the thread count. Cost:
// O(rows × clusters × inputs) per iteration.
Result<Background> SummarizeBackground(const InputFrame& data, const BackgroundOptions& options);

}  // namespace probity::explain
