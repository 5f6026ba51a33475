#include "fairness/legal_report.h"

#include <algorithm>
#include <map>

#include "audit/core/json_output.h"
#include "fairness/report.h"

namespace probity::fairness {
namespace {

bool IsUnknown(const std::string& level, const std::vector<std::string>& unknown) {
  return level == kMissingLevel ||
         std::find(unknown.begin(), unknown.end(), level) != unknown.end();
}

double Selected(const FairnessStatistics& stats, const Confusion& rows) {
  return stats.layout().has_predictions ? rows.predicted_positives() : rows.positives();
}

double AboveMedian(const CellStats& cell, std::optional<double> median) {
  if (!median) return 0;
  return static_cast<double>(cell.scores[0].RowsAbove(*median) + cell.scores[1].RowsAbove(*median));
}

}  // namespace

LevelCounts CountLevels(const FairnessStatistics& stats, size_t f,
                        const std::vector<std::string>& unknown, std::optional<double> median) {
  LevelCounts out;
  std::map<std::string, CategoryCounts> by_name;
  for (const auto& [key, cell] : stats.cells()) {
    const std::string& level = stats.levels()[f][static_cast<size_t>(key[f])];
    const double n = cell.rows.total();
    if (IsUnknown(level, unknown)) {
      out.unknown += n;
      continue;
    }
    CategoryCounts& c = by_name[level];
    c.category = level;
    c.applicants += n;
    c.selected += Selected(stats, cell.rows);
    c.above_median += AboveMedian(cell, median);
  }
  for (auto& [name, c] : by_name) out.categories.push_back(std::move(c));
  return out;
}

std::optional<double> SampleMedian(const FairnessStatistics& stats) {
  ScoreSketch all;
  for (const auto& [key, cell] : stats.cells()) {
    all.Merge(cell.scores[0]);
    all.Merge(cell.scores[1]);
  }
  MetricValue median = all.Median();
  return median.value;
}

std::vector<ImpactTable> Ll144Tables(const FairnessStatistics& stats, std::optional<size_t> sex,
                                     std::optional<size_t> race,
                                     const std::vector<std::string>& unknown, bool selection,
                                     std::optional<double> median, const Ll144Options& options) {
  std::vector<ImpactTable> tables;
  auto add = [&](const std::string& family, const LevelCounts& counts) {
    if (selection) {
      tables.push_back(Ll144Table(family, RateKind::kSelection, counts.categories, counts.unknown,
                                  std::nullopt, options));
    }
    if (median) {
      tables.push_back(Ll144Table(family, RateKind::kScoring, counts.categories, counts.unknown,
                                  median, options));
    }
  };
  if (sex) add("sex", CountLevels(stats, *sex, unknown, median));
  if (race) add("race/ethnicity", CountLevels(stats, *race, unknown, median));
  if (sex && race) {
    // One category per observed (sex, race/ethnicity) pair; unknown if either is unknown.
    LevelCounts both;
    std::map<std::string, CategoryCounts> by_name;
    for (const auto& [key, cell] : stats.cells()) {
      const std::string& s = stats.levels()[*sex][static_cast<size_t>(key[*sex])];
      const std::string& r = stats.levels()[*race][static_cast<size_t>(key[*race])];
      const double n = cell.rows.total();
      if (IsUnknown(s, unknown) || IsUnknown(r, unknown)) {
        both.unknown += n;
        continue;
      }
      CategoryCounts& c = by_name[s + " × " + r];
      c.category = s + " × " + r;
      c.applicants += n;
      c.selected += Selected(stats, cell.rows);
      c.above_median += AboveMedian(cell, median);
    }
    for (auto& [name, c] : by_name) both.categories.push_back(std::move(c));
    add("sex × race/ethnicity", both);
  }
  return tables;
}

std::vector<FourFifthsTable> FourFifthsTables(const FairnessStatistics& stats,
                                              const std::vector<std::string>& unknown,
                                              double threshold, double alpha) {
  std::vector<FourFifthsTable> tables;
  for (size_t f = 0; f < stats.layout().facets.size(); ++f) {
    LevelCounts counts = CountLevels(stats, f, unknown, std::nullopt);
    tables.push_back(FourFifths(stats.layout().facets[f], counts.categories, threshold, alpha));
  }
  return tables;
}

nlohmann::ordered_json ImpactTableJson(const ImpactTable& t) {
  nlohmann::ordered_json j;
  j["family"] = t.family;
  j["rate"] = t.kind == RateKind::kSelection ? "selection" : "scoring";
  j["reference_category"] = t.highest_category;
  j["unknown"] = JsonNumber(t.unknown);
  j["median"] = t.median ? JsonNumber(*t.median) : nlohmann::ordered_json();
  j["exclude_small"] = t.options.exclude_small;
  j["small_share"] = t.options.small_share;
  j["share_includes_unknown"] = t.options.share_includes_unknown;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const ImpactRow& r : t.rows) {
    nlohmann::ordered_json rj;
    rj["category"] = r.category;
    rj["applicants"] = JsonNumber(r.applicants);
    rj[t.kind == RateKind::kSelection ? "selected" : "above_median"] = JsonNumber(r.selected);
    PutMetricValue(rj, "rate", r.rate);
    PutMetricValue(rj, "impact_ratio", r.impact_ratio);
    rj["share"] = JsonNumber(r.share);
    rj["excluded"] = r.excluded;
    rows.push_back(std::move(rj));
  }
  j["rows"] = std::move(rows);
  return j;
}

nlohmann::ordered_json FourFifthsJson(const FourFifthsTable& t) {
  nlohmann::ordered_json j;
  j["facet"] = t.facet;
  j["highest_category"] = t.highest_category;
  j["threshold"] = t.threshold;
  j["alpha"] = t.alpha;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const FourFifthsRow& r : t.rows) {
    nlohmann::ordered_json rj;
    rj["category"] = r.category;
    rj["applicants"] = JsonNumber(r.applicants);
    rj["selected"] = JsonNumber(r.selected);
    PutMetricValue(rj, "rate", r.rate);
    PutMetricValue(rj, "adverse_impact_ratio", r.adverse_impact_ratio);
    rj["below_four_fifths"] = r.below_four_fifths;
    rj["test"] = r.test ? TestToJson(*r.test) : nlohmann::ordered_json();
    rj["statistically_significant"] = r.statistically_significant;
    rows.push_back(std::move(rj));
  }
  j["rows"] = std::move(rows);
  return j;
}

}  // namespace probity::fairness
