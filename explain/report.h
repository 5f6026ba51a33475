// Explanation outputs (docs/formats/explain.md): the per-row SHAP CSV in XGBoost's
// pred_contribs layout with names, interaction values in long form, global summaries
// accumulated batch by batch (mean |phi|, the distribution of phi per player for beeswarm
// plots, interaction strength), the probity.explain/1 JSON document, and JSON for LIME,
// permutation importance, PDP/ICE and counterfactuals.
//
//   AttributionSummary summary(first_batch);        // players and outputs
//   for each batch: summary.Add(batch, frame_of_batch); AppendAttributionCsv(batch, first, &text);
//   doc["global"] = summary.ToJson();
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "explain/attribution.h"
#include "explain/counterfactual.h"
#include "explain/input_frame.h"
#include "explain/lime.h"
#include "explain/pdp.h"
#include "explain/permutation.h"

namespace probity::explain {

// CSV: one line per explained row, in input order: one column per player named exactly as
// the player, then `base_value` (XGBoost's pred_contribs layout, with names). Multiclass:
// a first column `class` and one line per (row, class), classes in model order. `header`
// adds the header line. Numbers in shortest round-trip form.
void AppendAttributionCsv(const Attributions& batch, bool header, std::string* out);

// Long form: row, [class,] i, j, value — i and j player names or "base_value"; all
// (P+1)² entries per row and output, rows numbered from first_row.
void AppendInteractionCsv(const Interactions& batch, int64_t first_row, bool header,
                          std::string* out);

// Global summary over every batch added: per player and output the mean |phi|, mean phi,
// min, max, a histogram of phi (fixed 21 bins over [min, max], computed from an exact
// sorted sample) and a deterministic sample of (feature value, phi) pairs for beeswarm
// plots (at most 1,000 per player: rows chosen by a hash of their index, so the sample
// does not depend on batching or threads). Memory is bounded by players × outputs × 1,000.
class AttributionSummary {
 public:
  AttributionSummary(std::vector<std::string> players, std::vector<std::string> outputs);
  // `frame` (may be null) holds the batch's rows, for the beeswarm's feature values (a
  // group's value is omitted; a string input's value is its code).
  void Add(const Attributions& batch, int64_t first_row, const InputFrame* frame);
  void AddInteractions(const Interactions& batch);
  int64_t rows() const { return rows_; }
  // {"players": [...], "outputs": [...], "mean_abs": {...}, "distribution": {...},
  //  "interaction_strength": {...} (when interactions were added)}
  nlohmann::ordered_json ToJson() const;
  // Players by decreasing mean |phi| for output k.
  std::vector<size_t> Ranking(size_t output) const;
  double MeanAbs(size_t output, size_t player) const;

 private:
  // (The helper implementing this class may change the private members.)
  std::vector<std::string> players_;
  std::vector<std::string> outputs_;
  int64_t rows_ = 0;
  std::vector<double> sum_abs_, sum_, min_, max_;
  std::vector<std::vector<std::pair<uint64_t, std::pair<double, double>>>> sample_;
  std::vector<double> interaction_abs_;
  int64_t interaction_rows_ = 0;
};

// The fixed part of probity.explain/1: method, space, value function, cover, players,
// outputs, seed, evaluations, additivity error, the base value per output (null with a
// reason when it varies by row).
nlohmann::ordered_json AttributionsHeaderJson(const Attributions& a);

// Per-row attributions as JSON rows: [{"row": r, "base_value": [...], "values": [[...]]}]
nlohmann::ordered_json AttributionRowsJson(const Attributions& a, int64_t first_row);

nlohmann::ordered_json LimeToJson(const LimeResult& result, const std::vector<std::string>& players);
nlohmann::ordered_json PermutationToJson(const PermutationImportance& result);
nlohmann::ordered_json PdpToJson(const std::vector<PdpCurve>& curves);
nlohmann::ordered_json CounterfactualsToJson(const CounterfactualResult& result,
                                             const InputFrame& rows);

// A terminal table: the top `limit` players by mean |phi| per output, with bars.
std::string RenderAttributionSummary(const AttributionSummary& summary, size_t limit);

}  // namespace probity::explain
