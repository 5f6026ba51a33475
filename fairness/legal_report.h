// The legal tables (fairness/legal.h) computed from FairnessStatistics, and their JSON: the
// glue `probity fairness ll144`, `probity fairness four-fifths` and the demo share.
// Category counts are row counts (LL144 and the four-fifths rule count people); "selected"
// is the model's favourable decision when the statistics have predictions, else the
// label's favourable value (a recorded selection column).
//
//   std::vector<FourFifthsTable> t = FourFifthsTables(stats, {}, 0.8, 0.05);
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fairness/legal.h"
#include "fairness/statistics.h"

namespace probity::fairness {

// Per level of facet `f` (levels named in `unknown`, and the missing level, are counted as
// unknown instead): applicants, selected and, with `median`, scored strictly above it.
struct LevelCounts {
  std::vector<CategoryCounts> categories;  // sorted by name
  double unknown = 0;
};
LevelCounts CountLevels(const FairnessStatistics& stats, size_t f,
                        const std::vector<std::string>& unknown, std::optional<double> median);

// The whole sample's median score (over the rows of every cell); nullopt without scores.
std::optional<double> SampleMedian(const FairnessStatistics& stats);

// LL144 tables: per family (facets `sex` and/or `race`, as facet indices) a selection-rate
// table when `selection`, a scoring-rate table when `median`; with both facets also the
// sex × race/ethnicity family.
std::vector<ImpactTable> Ll144Tables(const FairnessStatistics& stats, std::optional<size_t> sex,
                                     std::optional<size_t> race,
                                     const std::vector<std::string>& unknown, bool selection,
                                     std::optional<double> median, const Ll144Options& options);

// One four-fifths table per facet.
std::vector<FourFifthsTable> FourFifthsTables(const FairnessStatistics& stats,
                                              const std::vector<std::string>& unknown,
                                              double threshold, double alpha);

nlohmann::ordered_json ImpactTableJson(const ImpactTable& table);
nlohmann::ordered_json FourFifthsJson(const FourFifthsTable& table);

}  // namespace probity::fairness
