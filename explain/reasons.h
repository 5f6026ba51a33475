// Adverse-action reason codes (ECOA / Regulation B 12 CFR 1002.9(a)(2) and (b)(2); CFPB
// Circulars 2022-03 and 2023-03): for each row scored on the unfavourable side of a
// threshold, the top-K players by contribution towards the unfavourable outcome, mapped
// through a user-supplied reason-code table to plain-language reasons. Players that map to
// the same code are merged (their contributions summed) so one reason is never split;
// protected attributes are never given as reasons; every non-protected player must have a
// code. The regulation asks for the specific principal reasons, accurate for the applicant;
// the Commentary and practice give at most four (the default K).
//
//   PROBITY_ASSIGN_OR_RETURN(ReasonCodeTable table, ParseReasonCodeTable(yaml, "codes.yaml"));
//   PROBITY_ASSIGN_OR_RETURN(ReasonReport report,
//                            SelectReasons(shap, 0, p_good, reruns, table, {.threshold = 0.5}));
//   doc = ReasonsToJson(report);
//
// Reason-code table (YAML, docs/formats/explain.md):
//   version: 1                            # optional; 1 is the only version
//   description: German credit, 2026      # optional, free text (not used)
//   reason_codes:                         # required, one or more
//     - code: R01
//       text: Duration of credit requested is too long
//       features: [duration]            # model inputs or feature-group names
//   protected: [personal_status_sex, age, foreign_worker]   # required; [] when none
//   groups:                             # optional: one-hot columns of one feature
//     - name: housing
//       inputs: [housing_own, housing_rent, housing_free]
//
// Names: a group name stands for itself and each of its inputs. A player (an attribution's
// player: a model input, or a group of inputs) stands for its own name and, when it is a
// group of the table, the group's inputs. A player maps to the code whose features name
// anything the player stands for; it is protected when anything it stands for is protected
// (the table's list or ReasonOptions::protected_features, group names expanded). Groups
// therefore merge one-hot columns both when the explanation grouped them (one player) and
// when it did not (one player per column, merged by code).
//
// Stability: sampled methods are re-run with other seeds (`reruns`), and a reason's
// agreement is the share of re-runs in which its code is among the row's top K (1 when
// there are no re-runs: exact methods are deterministic); for every method a reason is
// also flagged fragile when its contribution is within `tie_margin` (relative) of the first
// contribution left out, c_r − c_{K+1} <= tie_margin·|c_r|. A reason is stable when its
// agreement is 1 and it is not fragile; a row is stable when all its reasons are.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// Parses the YAML table (at most 1 MiB; aliases count every time they are used).
// kInvalidArgument with `source`, line and column, and what was expected, for malformed
// YAML, an unknown or duplicate key, a value of the wrong type, a missing or empty
// code/text/features/name/inputs, text that is not UTF-8, a name listed twice in one list,
// a duplicate code or group, a feature given two codes (directly or through a group), an
// input in two groups, a group named like an input, a version other than 1, or a protected
// feature (or group, or group input) that also has a code. Whether the features exist in
// a model is checked by SelectReasons. Thread-safe.
Result<ReasonCodeTable> ParseReasonCodeTable(std::string_view yaml, const std::string& source);

struct ReasonOptions {
  int top_k = 4;
  double threshold = 0.5;  // on `scores`
  bool unfavourable_above =
      false;  // true: score >= threshold is unfavourable; false: score < threshold
  std::vector<std::string> protected_features;  // in addition to the table's
  std::string reference = "population";         // recorded: "population" or "threshold"
  double tie_margin = 1e-9;  // relative, in [0, 1): c_r − c_{K+1} <= tie_margin·|c_r| is fragile
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
  // At most top_k, only positive contributions; by decreasing contribution, equal
  // contributions in byte order of the code. Empty when no code pushes towards the
  // unfavourable outcome (the reference itself is on the unfavourable side).
  std::vector<Reason> reasons;
  bool stable = true;  // every reason stable
};

struct ReasonReport {
  std::string method;
  std::string space;
  std::string reference;
  int top_k = 0;
  double threshold = 0;
  bool unfavourable_above = false;
  double tie_margin = 0;
  int64_t rows_scored = 0;
  std::vector<RowReasons> rows;  // unfavourable rows only, in input order
  int stability_runs = 0;        // re-runs compared
  int64_t unstable_rows = 0;
  std::vector<std::string> excluded;  // protected players left out, in player order
};

// `attributions` explains `scores` (one per row; e.g. the probability of the favourable
// class) for output `output`, in margin or probability space (the link increases, so phi > 0
// raises the score in either); `reruns` are the same explanation with other seeds (empty
// for exact methods). A row is
// unfavourable when score >= threshold (unfavourable_above) or score < threshold (not);
// a player's contribution towards the unfavourable outcome is phi (unfavourable_above) or
// −phi. Contributions of players with the same code are summed, in player order; only
// codes with a positive sum can be reasons. kInvalidArgument when top_k < 1 or exceeds the
// number of codes that can appear (the codes of non-protected players; naming both), a
// non-protected player has no code (listing them) or covers features of two codes, the
// table names a feature that is no player and no input of one (a typo guard; the
// protected list is not checked, it may name attributes the model does not read), the
// table is inconsistent (as ParseReasonCodeTable checks), a score is NaN or an
// attribution of an unfavourable row is not finite, the reference is not "population" or
// "threshold", tie_margin is outside [0, 1), or sizes do not match. O(rows × (players +
// codes·log codes) × (1 + reruns)). Thread-safe.
Result<ReasonReport> SelectReasons(const Attributions& attributions, size_t output,
                                   std::span<const double> scores,
                                   std::span<const Attributions> reruns,
                                   const ReasonCodeTable& table, const ReasonOptions& options);

// probity.explain.reasons/1 JSON (docs/formats/explain.md): schema, probity_version, method,
// space, reference, top_k, threshold, unfavourable_above, tie_margin, rows_scored,
// rows_unfavourable, stability_runs, unstable_rows, excluded, then rows: [{row, score,
// stable, reasons: [{rank, code, text, players, contribution, agreement, stable,
// fragile}]}].
nlohmann::ordered_json ReasonsToJson(const ReasonReport& report);
// CSV: row, score, rank, code, text, features, contribution, agreement, stable; one line
// per (row, reason), rows in input order, reasons by rank; `features` is the reason's
// players joined by ";". An unfavourable row without reasons gets one line with rank to
// agreement empty and the row's `stable`. Numbers in shortest round-trip form. Appends to
// `out` in pieces of about 1 MiB and does not Commit(); the first kIoError of Append.
Status WriteReasonsCsv(const ReasonReport& report, OutputFile& out);

}  // namespace probity::explain
