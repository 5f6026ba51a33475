// FairnessStatistics are the sufficient statistics of a fairness analysis: for every cell —
// one level of each facet (an intersection when there are several) and one stratum of the
// group variable — the weighted and unweighted label × prediction counts, the score
// distribution by label, and regression sums. Every count-based metric is a function of
// them, so one streaming pass over the data is enough (fairness/collect.h), memory does not
// grow with the row count, and statistics from shards merge exactly.
//
//   FairnessStatistics total = std::move(first);
//   PROBITY_RETURN_IF_ERROR(total.Merge(second));
//   GroupSummary women = total.Summarize([&](const CellKey& k) { return k[0] == female; });
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "audit/core/result.h"
#include "fairness/score_sketch.h"

namespace probity::fairness {

enum class Task { kBinary, kMulticlass, kRegression };
std::string_view TaskName(Task task);  // "binary", "multiclass", "regression"

// A binary confusion table. Without predictions every row is recorded as predicted
// negative, so positives() and negatives() (the label counts) are right either way.
struct Confusion {
  double tp = 0, fp = 0, tn = 0, fn = 0;

  double positives() const { return tp + fn; }  // label favourable
  double negatives() const { return fp + tn; }
  double predicted_positives() const { return tp + fp; }
  double predicted_negatives() const { return tn + fn; }
  double total() const { return tp + fp + tn + fn; }
  Confusion& operator+=(const Confusion& other);
  bool operator==(const Confusion&) const = default;
};

// Regression: weighted sums over the rows with both a label and a prediction.
struct RegressionSums {
  double weight = 0;
  int64_t rows = 0;
  double prediction = 0;      // Σ w·ŷ
  double label = 0;           // Σ w·y
  double absolute_error = 0;  // Σ w·|ŷ − y|
  double squared_error = 0;   // Σ w·(ŷ − y)²
  RegressionSums& operator+=(const RegressionSums& other);
  bool operator==(const RegressionSums&) const = default;
};

// What one cell holds.
struct CellStats {
  Confusion weighted;  // Σ weights (1 per row without a weight column)
  Confusion rows;      // row counts
  // Multiclass only: K×K weighted counts, [label class][predicted class] (K×1 without
  // predictions), in StatisticsLayout::classes order.
  std::vector<double> class_matrix;
  // Scores (binary, when a score exists) by label: [0] unfavourable, [1] favourable.
  // Regression: [0] holds the predictions, [1] the labels.
  std::array<ScoreSketch, 2> scores;
  RegressionSums regression;

  void Merge(const CellStats& other);
};

// What the statistics describe. Two partial statistics merge only when their layouts are
// equal (levels may differ: they are united by name).
struct StatisticsLayout {
  Task task = Task::kBinary;
  std::string label;                 // column name
  std::string favourable;            // how the label is read, e.g. "in {good}" or "> 0.5"
  std::vector<std::string> classes;  // multiclass: class names, in order
  std::string
      prediction_source;  // "" (labels only), "column:pred", "score:p>0.5", "model:sha256:…"
  bool has_predictions = false;
  bool has_scores = false;
  std::vector<std::string> facets;  // facet names, e.g. "sex", "age"
  std::string group_variable;       // "" = none
  std::string weight;               // "" = none
  bool operator==(const StatisticsLayout&) const = default;
};

// The level index per facet (in StatisticsLayout::facets order), then the stratum index
// (0 when there is no group variable).
using CellKey = std::vector<int32_t>;

// The label for rows whose facet value is missing: its own level, never dropped.
inline constexpr std::string_view kMissingLevel = "(missing)";

// Rows seen and why some were left out of the cells.
struct RowCounts {
  int64_t read = 0;                // rows in the data
  int64_t used = 0;                // rows counted in the cells
  int64_t label_missing = 0;       // left out: no label value
  int64_t prediction_missing = 0;  // left out: the model/column gave no prediction
  int64_t score_invalid = 0;       // left out: score NaN/infinite (or outside [0,1] where needed)
  RowCounts& operator+=(const RowCounts& other);
  bool operator==(const RowCounts&) const = default;
};

// The merged cells of a set of groups: one side of a comparison, or one group.
struct GroupSummary {
  std::string name;  // e.g. "sex=female", "rest", "sex=female & race=Black"
  Confusion weighted;
  Confusion rows;
  std::vector<double> class_matrix;  // multiclass, as in CellStats
  std::vector<Confusion> strata;     // weighted, per stratum (empty without a group variable)
  std::array<ScoreSketch, 2> scores;
  RegressionSums regression;

  void Add(const CellStats& cell, int32_t stratum, size_t num_strata);
  // Rows counted: the confusion's, the class matrix's (multiclass) or the regression's.
  double row_count() const;
  bool empty() const { return row_count() == 0; }
};

class FairnessStatistics {
 public:
  FairnessStatistics() = default;
  explicit FairnessStatistics(StatisticsLayout layout);

  const StatisticsLayout& layout() const { return layout_; }
  // Level names per facet, in first-seen order; and the strata of the group variable.
  const std::vector<std::vector<std::string>>& levels() const { return levels_; }
  const std::vector<std::string>& strata() const { return strata_; }
  const std::map<CellKey, CellStats>& cells() const { return cells_; }
  const RowCounts& row_counts() const { return row_counts_; }
  RowCounts& mutable_row_counts() { return row_counts_; }

  // The index of a level (adding it when new); -1 from FindLevel when absent.
  int32_t InternLevel(size_t facet, std::string_view level);
  int32_t FindLevel(size_t facet, std::string_view level) const;
  int32_t InternStratum(std::string_view stratum);
  // The cell for `key`, created empty when new.
  CellStats& Cell(const CellKey& key);

  // Adds `other`'s rows. Errors (kInvalidArgument): layouts differ (naming the field).
  Status Merge(const FairnessStatistics& other);

  // The merged cells whose key satisfies `select`.
  GroupSummary Summarize(const std::function<bool(const CellKey&)>& select, std::string name) const;

  // Cells with more keys than this are refused by collection (kInvalidArgument), which
  // keeps memory bounded whatever the facets' cardinality.
  static constexpr size_t kMaxCells = 1 << 20;

 private:
  StatisticsLayout layout_;
  std::vector<std::vector<std::string>> levels_;
  std::vector<std::map<std::string, int32_t, std::less<>>> level_index_;
  std::vector<std::string> strata_;
  std::map<std::string, int32_t, std::less<>> stratum_index_;
  std::map<CellKey, CellStats> cells_;
  RowCounts row_counts_;
};

}  // namespace probity::fairness
