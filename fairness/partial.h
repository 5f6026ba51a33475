// The partial-statistics file: FairnessStatistics written by `probity fairness --partial OUT`
// on each shard and read back by `probity fairness merge PARTS…` (docs/formats/fairness.md
// §Partial statistics). It is JSON, schema "probity.fairness.partial/1": the layout, the
// levels and strata by name, the row counts, and one object per non-empty cell. Reading is
// strict: unknown keys, wrong types, negative counts, keys that name no level, and sizes that
// disagree are refused with the JSON path of the offending field.
//
//   PROBITY_RETURN_IF_ERROR(WritePartial(fs, "shard1.partial.json", stats));
//   PROBITY_ASSIGN_OR_RETURN(FairnessStatistics s, ReadPartial(fs, "shard1.partial.json"));
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "audit/core/file_system.h"
#include "audit/core/result.h"
#include "fairness/statistics.h"

namespace probity::fairness {

inline constexpr std::string_view kPartialSchema = "probity.fairness.partial/1";

nlohmann::ordered_json PartialToJson(const FairnessStatistics& statistics);
// `source` names the text in error messages (a file path). Errors: kInvalidArgument naming
// the source and the JSON path, and what was expected.
Result<FairnessStatistics> PartialFromJson(std::string_view text, std::string_view source);

// Writes atomically; reads at most 1 GiB.
Status WritePartial(FileSystem& fs, const std::string& path, const FairnessStatistics& statistics);
Result<FairnessStatistics> ReadPartial(FileSystem& fs, const std::string& path);

}  // namespace probity::fairness
