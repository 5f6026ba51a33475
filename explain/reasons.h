// Adverse-action reason codes (ECOA / Regulation B 12 CFR 1002.9; CFPB Circulars 2022-03
// and 2023-03): for each row scored on the unfavourable side of a threshold, the top-K
// players by contribution towards the unfavourable outcome, mapped through a
// user-supplied reason-code table to plain-language reasons. Players that map to the same
// code are merged (their contributions summed) so one reason is never split; protected
// attributes are never given as reasons; every non-protected player must have a code.
//
// Reason-code table (YAML, docs/formats/explain.md):
//   reason_codes:
//     - code: R01
//       text: Duration of credit requested is too long
//       features: [duration]            # model inputs or feature-group names
//   protected: [personal_status_sex, age, foreign_worker]
//   groups:                             # optional: one-hot columns of one feature
//     - name: housing
//       inputs: [housing_own, housing_rent, housing_free]
//
// Stability: sampled methods are re-run with other seeds (`reruns`), and a reason is
// stable when it is among the row's top K in every re-run; for every method a reason is
// also flagged when its contribution is within `tie_margin` of the first contribution left
// out (the ranking is fragile).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/core/file_system.h"
#include "audit/core/result.h"
#include "explain/attribution.h"

namespace probity::explain {

struct ReasonCode {
  std::string code;
  std::string text;
  std::vector<std::string> features;
};

struct ReasonCodeTable {
  std::vector<ReasonCode> codes;
  std::vector<std::string> protected_features;
  std::vector<FeatureGroup> groups;
};

// Parses the YAML table. kInvalidArgument with `source`, line and column for malformed
// YAML, a missing or empty code/text/features, a duplicate code, a feature given two codes,
// an unknown key, or a protected feature that also has a code.
Result<ReasonCodeTable> ParseReasonCodeTable(std::string_view yaml, const std::string& source);

struct ReasonOptions {
  int top_k = 4;
  double threshold = 0.5;           // on `scores`
  bool unfavourable_above = false;  // true: score >= threshold is unfavourable; false: score < threshold
  std::vector<std::string> protected_features;  // in addition to the table's
  std::string reference = "population";          // recorded: "population" or "threshold"
  double tie_margin = 1e-9;         // relative: |c_K − c_{K+1}| <= tie_margin·|c_K| is fragile
};

struct Reason {
  int rank = 0;  // 1-based
  std::string code;
  std::string text;
  std::vector<std::string> players;  // the players merged into this reason
  double contribution = 0;           // towards the unfavourable outcome (> 0)
  double agreement = 1;              // share of re-runs with this code in the top K
  bool stable = true;                // agreement == 1 and not fragile
  bool fragile = false;
};

struct RowReasons {
  int64_t row = 0;  // index among the explained rows
  double score = 0;
  std::vector<Reason> reasons;  // at most top_k, only positive contributions
  bool stable = true;           // every reason stable
};

struct ReasonReport {
  std::string method;
  std::string space;
  std::string reference;
  int top_k = 0;
  double threshold = 0;
  bool unfavourable_above = false;
  int64_t rows_scored = 0;
  std::vector<RowReasons> rows;  // unfavourable rows only, in input order
  int stability_runs = 0;        // re-runs compared
  int64_t unstable_rows = 0;
  std::vector<std::string> excluded;  // protected players left out
};

// `attributions` explains `scores` (one per row; e.g. the probability of the favourable
// class) for output `output`; `reruns` are the same explanation with other seeds (empty for
// exact methods). kInvalidArgument when top_k < 1 or exceeds the number of players that
// can be reasons (naming both), a player has no code (listing them), the table names an
// unknown feature, or sizes do not match.
Result<ReasonReport> SelectReasons(const Attributions& attributions, size_t output,
                                   std::span<const double> scores,
                                   std::span<const Attributions> reruns,
                                   const ReasonCodeTable& table, const ReasonOptions& options);

// probity.explain.reasons/1 JSON (docs/formats/explain.md).
nlohmann::ordered_json ReasonsToJson(const ReasonReport& report);
// CSV: row, score, rank, code, text, features, contribution, agreement, stable; one line
// per (row, reason), rows in input order.
Status WriteReasonsCsv(const ReasonReport& report, OutputFile& out);

}  // namespace probity::explain
