// libFuzzer target: arbitrary bytes as a partial-statistics file (fairness/partial.h). Bad
// input must give kInvalidArgument; a document that reads must write and read back
// unchanged, and so must its merge with itself — unless a doubled count or sum passes the
// reader's bounds (2^53 rows, 1e300 for weights and sums), which must then be refused by
// name. Any other outcome is a bug: abort.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/core/json_output.h"
#include "fairness/partial.h"

namespace {

using probity::StatusCode;
using probity::fairness::FairnessStatistics;
using probity::fairness::PartialFromJson;
using probity::fairness::PartialToJson;

// Writes `stats` and reads it back; true when the result is the same document. Sets
// `refused_for_bounds` when the reader refused a value beyond its bounds.
bool RoundTrips(const FairnessStatistics& stats, bool& refused_for_bounds) {
  const nlohmann::ordered_json written = PartialToJson(stats);
  auto back = PartialFromJson(probity::DumpJson(written), "written.json");
  refused_for_bounds = false;
  if (!back.has_value()) {
    refused_for_bounds = back.error().code() == StatusCode::kInvalidArgument &&
                         back.error().expected().find("at most") != std::string::npos;
    return false;
  }
  return PartialToJson(*back) == written;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto stats = PartialFromJson(text, "fuzz.json");
  if (!stats.has_value()) {
    if (stats.error().code() != StatusCode::kInvalidArgument) std::abort();
    if (stats.error().location().file != "fuzz.json") std::abort();
    return 0;
  }
  bool refused = false;
  if (!RoundTrips(*stats, refused)) std::abort();

  FairnessStatistics merged = *stats;
  if (!merged.Merge(*stats).ok()) std::abort();
  if (merged.cells().size() != stats->cells().size() ||
      merged.row_counts().read != 2 * stats->row_counts().read) {
    std::abort();
  }
  if (!RoundTrips(merged, refused) && !refused) std::abort();
  return 0;
}
