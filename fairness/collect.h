// The streaming pass behind `probity fairness`: reads a dataset batch by batch (in parallel,
// in bounded memory), reads each row's facet levels, stratum, label, prediction or score and
// weight, and adds it to FairnessStatistics. Predictions come from a model scored batch by
// batch, from a prediction column, or from a score column and a threshold.
//
//   CollectSpec spec{.label = "credit_risk", .favourable = {"good"},
//                    .facets = {{.column = "sex"}}};
//   PROBITY_ASSIGN_OR_RETURN(Collected c, CollectStatistics(*reader, spec));
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "audit/core/model.h"
#include "audit/core/result.h"
#include "audit/ingest/dataset_reader.h"
#include "fairness/individual.h"
#include "fairness/statistics.h"

namespace probity::fairness {

// How one facet column is split into groups.
struct FacetSpec {
  std::string column;
  // Values that form the sensitive group d (Clarify's facet value list); empty = every
  // level is compared in turn. Levels are still kept per value.
  std::vector<std::string> sensitive;
  // Numeric facets: bin edges e1 < e2 < … give the levels "(-inf, e1]", "(e1, e2]", …,
  // "(ek, inf)". One edge is Clarify's threshold: d = "(e1, inf)" unless `sensitive` says
  // otherwise.
  std::vector<double> edges;
};

enum class PredictionKind { kNone, kModel, kColumn, kScore };

struct CollectSpec {
  Task task = Task::kBinary;
  std::string label;
  // Binary: the favourable label values (text as written in the data, or numbers for a
  // numeric label), or a threshold: label > threshold is favourable. Default for a numeric
  // or boolean label with neither: 1 / true.
  std::vector<std::string> favourable;
  std::optional<double> label_threshold;
  // Multiclass: the classes, in order (the model's classes when a model is given).
  std::vector<std::string> classes;

  PredictionKind prediction = PredictionKind::kNone;
  const Model* model = nullptr;   // kModel
  std::string prediction_column;  // kColumn
  // kColumn: the predicted values that count as favourable; kModel: the model's favourable
  // classes, when its class names differ from the label's values (default: `favourable`).
  std::vector<std::string> predicted_favourable;
  std::string score_column;  // kScore (or kColumn/kModel: a score to keep alongside)
  // kScore, and kModel when set: predicted favourable = score > threshold (Clarify's
  // probability_threshold). kModel without it: the model's own predicted class.
  std::optional<double> threshold;

  std::vector<FacetSpec> facets;
  std::string group_variable;
  std::string weight;

  // Rows kept in memory for the kNN metrics (consistency, flip test): the numeric columns
  // named here, at most sample_rows rows (a seeded reservoir sample when there are more).
  std::vector<std::string> sample_features;
  int64_t sample_rows = 0;
  uint64_t sample_seed = 0;
};

// Rows kept for the individual-fairness metrics, aligned with each other.
struct RowSample {
  FeatureMatrix features;
  std::vector<uint8_t> labels;               // favourable = 1
  std::vector<uint8_t> predictions;          // favourable = 1 (empty without predictions)
  std::vector<std::vector<int32_t>> levels;  // [facet][row]: the level (FairnessStatistics code)
  int64_t rows_seen = 0;  // rows that were candidates (the sample is all when ≤ cap)
};

struct Collected {
  FairnessStatistics statistics;
  RowSample sample;
  ingest::ScanSummary scan;
};

// One row's place in the statistics, for passes that need rows back (reweighing writes a
// weight per row): its cell key in the returned statistics' codes, and its label.
struct RowOutcome {
  CellKey key;  // empty when the row was left out (no label, no prediction, bad score)
  bool favourable = false;
};
// Called in file order, once per batch, with one outcome per row of the batch.
using RowCallback = std::function<Status(std::span<const RowOutcome>)>;

// Errors (kInvalidArgument): a named column that does not exist (naming it and the file), a
// label or facet column of a type the spec cannot read, a non-numeric score column, a
// negative or non-finite weight (with its line), a score outside [0, 1] for a model's
// probability, too many cells; plus the reader's and the model's errors.
Result<Collected> CollectStatistics(ingest::DatasetReader& reader, const CollectSpec& spec,
                                    const RowCallback& rows = nullptr);

// The layout the spec describes (what the statistics will say about themselves).
StatisticsLayout LayoutFor(const CollectSpec& spec);

// The level name of a bin: "(-inf, 25]", "(25, 35]", "(35, inf)". Edges print in their
// shortest exact form.
std::string BinLevel(const std::vector<double>& edges, size_t bin);

}  // namespace probity::fairness
