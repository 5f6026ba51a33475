// Explanation outputs (docs/formats/explain.md): the per-row SHAP CSV in XGBoost's
// pred_contribs layout with names, interaction values in long form, global summaries
// accumulated batch by batch (mean |phi|, the distribution of phi per player for beeswarm
// plots, interaction strength), the parts of the probity.explain/1 JSON document, and JSON
// for LIME, permutation importance, PDP/ICE and counterfactuals.
//
//   AttributionSummary summary(first.players, first.outputs);
//   for each batch: summary.Add(batch, first_row, &frame_of_batch);
//                   AppendAttributionCsv(batch, /*header=*/first_row == 0, &text);
//   doc.update(AttributionsHeaderJson(first));   // after schema, probity_version, model, data
//   doc["global"] = summary.ToJson();
//
// The JSON functions return objects whose keys the caller merges into the document, in the
// order documented in docs/formats/explain.md. Every function here is pure (no I/O) and
// thread-compatible.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "explain/attribution.h"
#include "explain/counterfactual.h"
#include "explain/input_frame.h"
#include "explain/lime.h"
#include "explain/pdp.h"
#include "explain/permutation.h"

namespace probity::explain {

// CSV: one line per explained row, in input order: one column per player named exactly as
// the player, then `base_value` (XGBoost's pred_contribs layout, with names). More than one
// output (multiclass): a first column `class` (the output name) and one line per
// (row, output), outputs in model order. `header` adds the header line first. Numbers in
// shortest round-trip form, NaN as an empty field, names quoted only when they must be.
void AppendAttributionCsv(const Attributions& batch, bool header, std::string* out);

// Long form: row, [class,] i, j, value — i and j player names or "base_value"; all
// (P+1)² entries per row and output (i-major, base_value last), rows numbered from
// first_row. The class column appears when there is more than one output.
void AppendInteractionCsv(const Interactions& batch, int64_t first_row, bool header,
                          std::string* out);

// Global summary over every batch added, identical whatever the batch sizes:
// - per (output, player): mean |phi|, mean phi, exact min and max (NaN values skipped);
// - a sample for beeswarm plots: the (at most) 1,000 rows whose MixSeed(0, row index) is
//   smallest (ties by row index), with each player's feature value and phi for every output;
// - per (output, player) a histogram of phi: 21 equal-width bins over the exact [min, max],
//   counting the sampled rows (exact when at most 1,000 rows were added);
// - with AddInteractions: the mean |Φ_ij| over rows per output and pair i < j.
// Memory: O(outputs × players × 1,000 + outputs × players²), whatever the rows.
// Batches must have the players and outputs given to the constructor (PROBITY_CHECK).
class AttributionSummary {
 public:
  static constexpr size_t kSampleRows = 1000;
  static constexpr size_t kHistogramBins = 21;

  AttributionSummary(std::vector<std::string> players, std::vector<std::string> outputs);
  // `first_row` is the global index of the batch's row 0. `frame` (may be null) holds the
  // batch's rows (frame row r = batch row r), for the beeswarm's feature values: the value of
  // the model input named as the player (none for a group player), a string input's value
  // being its code into the frame's dictionary.
  void Add(const Attributions& batch, int64_t first_row, const InputFrame* frame);
  void AddInteractions(const Interactions& batch);
  int64_t rows() const { return rows_; }
  const std::vector<std::string>& players() const { return players_; }
  const std::vector<std::string>& outputs() const { return outputs_; }
  // The layout in docs/formats/explain.md ("The global summary"):
  // {"rows", "players", "outputs", "by_output": [{"output", "ranking", "players": [{"player",
  //  "mean_abs", "mean", "min", "max", "histogram", "sample_phi"}]}], "sample": {...},
  //  "interaction_strength": {...} (only when interactions were added)}
  nlohmann::ordered_json ToJson() const;
  // Players by decreasing mean |phi| for output k (ties by player order).
  std::vector<size_t> Ranking(size_t output) const;
  // NaN when no (non-NaN) value was added.
  double MeanAbs(size_t output, size_t player) const;

 private:
  struct SampleKey {
    uint64_t hash;
    int64_t row;
    size_t slot;
  };
  nlohmann::ordered_json SampleJson(const std::vector<size_t>& slots) const;

  std::vector<std::string> players_;
  std::vector<std::string> outputs_;
  int64_t rows_ = 0;
  // outputs × players, row-major.
  std::vector<int64_t> count_;
  std::vector<double> sum_abs_, sum_, min_, max_;
  // The sample: a max-heap on (hash, row) over slots; per slot the row's feature values
  // (players) and phi (outputs × players).
  std::vector<SampleKey> heap_;
  std::vector<double> sample_feature_, sample_phi_;
  // Per player: the frame column of the input named as the player (-1: none), whether it
  // is a string input, and that input's dictionary as of the last batch.
  std::vector<int64_t> feature_column_;
  std::vector<bool> feature_is_string_;
  std::vector<std::vector<std::string>> feature_levels_;
  bool frame_seen_ = false;
  // outputs × pairs (i < j, i-major).
  std::vector<double> interaction_abs_;
  int64_t interaction_rows_ = 0;
};

// The fixed part of a SHAP-family probity.explain/1 document: method, space,
// value_function, cover_kind (when set), players, outputs, base_value (one per output: a
// number when identical for every row, else null, with base_value_reason),
// max_additivity_error, seed (when set), model_evaluations, coalitions (when > 0),
// background_rows (when > 0).
nlohmann::ordered_json AttributionsHeaderJson(const Attributions& a);

// Per-row attributions: [{"row": first_row + r, "base_value": [per output],
// "prediction": [per output], "values": [[per player] per output]}].
nlohmann::ordered_json AttributionRowsJson(const Attributions& a, int64_t first_row);

// The method-specific parts of the other probity.explain/1 documents, each starting with
// "method" (then "space" when given). docs/formats/explain.md shows each shape.
nlohmann::ordered_json LimeToJson(const LimeResult& result, const std::vector<std::string>& players,
                                  std::optional<OutputSpace> space = std::nullopt);
nlohmann::ordered_json PermutationToJson(const PermutationImportance& result);
nlohmann::ordered_json PdpToJson(const std::vector<PdpCurve>& curves,
                                 std::optional<OutputSpace> space = std::nullopt);
// `rows` is the frame of the explained rows (CounterfactualSet::row indexes it).
nlohmann::ordered_json CounterfactualsToJson(const CounterfactualResult& result,
                                             const InputFrame& rows,
                                             std::optional<OutputSpace> space = std::nullopt);

// A terminal table, no colour: per output the top `limit` players by mean |phi|, with the
// value and a bar of '#' (40 for the largest).
std::string RenderAttributionSummary(const AttributionSummary& summary, size_t limit);

}  // namespace probity::explain
