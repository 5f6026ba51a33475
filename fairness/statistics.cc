#include "fairness/statistics.h"

#include <algorithm>

#include "audit/core/status.h"

namespace probity::fairness {

std::string_view TaskName(Task task) {
  switch (task) {
    case Task::kBinary: return "binary";
    case Task::kMulticlass: return "multiclass";
    case Task::kRegression: return "regression";
  }
  return "binary";
}

Confusion& Confusion::operator+=(const Confusion& other) {
  tp += other.tp;
  fp += other.fp;
  tn += other.tn;
  fn += other.fn;
  return *this;
}

RegressionSums& RegressionSums::operator+=(const RegressionSums& other) {
  weight += other.weight;
  rows += other.rows;
  prediction += other.prediction;
  label += other.label;
  absolute_error += other.absolute_error;
  squared_error += other.squared_error;
  return *this;
}

RowCounts& RowCounts::operator+=(const RowCounts& other) {
  read += other.read;
  used += other.used;
  label_missing += other.label_missing;
  prediction_missing += other.prediction_missing;
  score_invalid += other.score_invalid;
  return *this;
}

namespace {

void AddMatrix(std::vector<double>& into, const std::vector<double>& from) {
  if (into.size() < from.size()) into.resize(from.size(), 0.0);
  for (size_t i = 0; i < from.size(); ++i) into[i] += from[i];
}

}  // namespace

void CellStats::Merge(const CellStats& other) {
  weighted += other.weighted;
  rows += other.rows;
  AddMatrix(class_matrix, other.class_matrix);
  scores[0].Merge(other.scores[0]);
  scores[1].Merge(other.scores[1]);
  regression += other.regression;
}

void GroupSummary::Add(const CellStats& cell, int32_t stratum, size_t num_strata) {
  weighted += cell.weighted;
  rows += cell.rows;
  AddMatrix(class_matrix, cell.class_matrix);
  if (num_strata > 0) {
    if (strata.size() < num_strata) strata.resize(num_strata);
    strata[static_cast<size_t>(stratum)] += cell.weighted;
  }
  scores[0].Merge(cell.scores[0]);
  scores[1].Merge(cell.scores[1]);
  regression += cell.regression;
}

double GroupSummary::row_count() const {
  double n = rows.total() + static_cast<double>(regression.rows);
  // The class matrix holds weights in its first half and row counts in its second.
  for (size_t i = class_matrix.size() / 2; i < class_matrix.size(); ++i) n += class_matrix[i];
  return n;
}

FairnessStatistics::FairnessStatistics(StatisticsLayout layout)
    : layout_(std::move(layout)),
      levels_(layout_.facets.size()),
      level_index_(layout_.facets.size()) {}

int32_t FairnessStatistics::InternLevel(size_t facet, std::string_view level) {
  auto& index = level_index_[facet];
  auto it = index.find(level);
  if (it != index.end()) return it->second;
  auto code = static_cast<int32_t>(levels_[facet].size());
  levels_[facet].emplace_back(level);
  index.emplace(std::string(level), code);
  return code;
}

int32_t FairnessStatistics::FindLevel(size_t facet, std::string_view level) const {
  const auto& index = level_index_[facet];
  auto it = index.find(level);
  return it == index.end() ? -1 : it->second;
}

int32_t FairnessStatistics::InternStratum(std::string_view stratum) {
  auto it = stratum_index_.find(stratum);
  if (it != stratum_index_.end()) return it->second;
  auto code = static_cast<int32_t>(strata_.size());
  strata_.emplace_back(stratum);
  stratum_index_.emplace(std::string(stratum), code);
  return code;
}

CellStats& FairnessStatistics::Cell(const CellKey& key) { return cells_[key]; }

Status FairnessStatistics::Merge(const FairnessStatistics& other) {
  const StatisticsLayout& a = layout_;
  const StatisticsLayout& b = other.layout_;
  auto differ = [](std::string_view field, const std::string& mine, const std::string& theirs) {
    return InvalidArgumentError("the partial statistics describe different analyses: " +
                                std::string(field) + " is \"" + theirs + "\", not \"" + mine + "\"")
        .Expecting(
            "partial statistics made with the same label, prediction, facets, group "
            "variable and weight options");
  };
  if (a.task != b.task) {
    return differ("task", std::string(TaskName(a.task)), std::string(TaskName(b.task)));
  }
  if (a.label != b.label) return differ("label", a.label, b.label);
  if (a.favourable != b.favourable) return differ("favourable", a.favourable, b.favourable);
  if (a.classes != b.classes) return differ("classes", "", "");
  if (a.prediction_source != b.prediction_source) {
    return differ("prediction_source", a.prediction_source, b.prediction_source);
  }
  if (a.has_predictions != b.has_predictions || a.has_scores != b.has_scores) {
    return differ("predictions", a.prediction_source, b.prediction_source);
  }
  if (a.facets != b.facets) {
    std::string mine, theirs;
    for (const auto& f : a.facets) mine += (mine.empty() ? "" : ",") + f;
    for (const auto& f : b.facets) theirs += (theirs.empty() ? "" : ",") + f;
    return differ("facets", mine, theirs);
  }
  if (a.group_variable != b.group_variable) {
    return differ("group_variable", a.group_variable, b.group_variable);
  }
  if (a.weight != b.weight) return differ("weight", a.weight, b.weight);

  // Map the other's level and stratum codes to ours by name.
  std::vector<std::vector<int32_t>> level_map(levels_.size());
  for (size_t f = 0; f < levels_.size(); ++f) {
    for (const std::string& level : other.levels_[f]) level_map[f].push_back(InternLevel(f, level));
  }
  std::vector<int32_t> stratum_map;
  for (const std::string& s : other.strata_) stratum_map.push_back(InternStratum(s));
  if (other.strata_.empty()) stratum_map.push_back(0);
  for (const auto& [key, cell] : other.cells_) {
    CellKey mapped(key.size());
    for (size_t f = 0; f + 1 < key.size(); ++f) {
      mapped[f] = level_map[f][static_cast<size_t>(key[f])];
    }
    mapped.back() = stratum_map[static_cast<size_t>(key.back())];
    cells_[mapped].Merge(cell);
  }
  if (cells_.size() > kMaxCells) {
    return InvalidArgumentError("the merged statistics have " + std::to_string(cells_.size()) +
                                " cells")
        .Expecting("at most " + std::to_string(kMaxCells) +
                   " facet-level × stratum combinations (bin numeric facets)");
  }
  row_counts_ += other.row_counts_;
  return OkStatus();
}

GroupSummary FairnessStatistics::Summarize(const std::function<bool(const CellKey&)>& select,
                                           std::string name) const {
  GroupSummary summary;
  summary.name = std::move(name);
  const size_t num_strata = layout_.group_variable.empty() ? 0 : strata_.size();
  for (const auto& [key, cell] : cells_) {
    if (select(key)) summary.Add(cell, key.back(), num_strata);
  }
  return summary;
}

}  // namespace probity::fairness
