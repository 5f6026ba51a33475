#include "fairness/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "audit/core/json_output.h"
#include "audit/core/status.h"
#include "fairness/significance.h"

namespace probity::fairness {
namespace {

std::optional<double> LeadingNumber(std::string_view text) {
  double v = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// Levels in reading order: bins by their lower edge, numbers numerically, text
// alphabetically, the missing level last.
std::vector<int32_t> OrderedLevels(const FairnessStatistics& stats, size_t f) {
  const auto& names = stats.levels()[f];
  std::vector<int32_t> order(names.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int32_t>(i);
  auto sort_key = [&](int32_t code) {
    const std::string& name = names[static_cast<size_t>(code)];
    if (name == kMissingLevel) return std::make_tuple(2, 0.0, name);
    if (name.size() > 2 && name.front() == '(') {
      const size_t comma = name.find(',');
      const std::string_view lower = std::string_view(name).substr(1, comma - 1);
      if (lower == "-inf") return std::make_tuple(0, -HUGE_VAL, name);
      if (auto v = LeadingNumber(lower)) return std::make_tuple(0, *v, name);
    }
    if (auto v = LeadingNumber(name)) return std::make_tuple(0, *v, name);
    return std::make_tuple(1, 0.0, name);
  };
  std::sort(order.begin(), order.end(),
            [&](int32_t x, int32_t y) { return sort_key(x) < sort_key(y); });
  return order;
}

// The binary confusion of class k against the rest, from a multiclass matrix.
void CollapseClass(const std::vector<double>& matrix, size_t classes, size_t k, Confusion& weighted,
                   Confusion& rows) {
  if (matrix.empty()) return;
  const size_t k_pred = matrix.size() / (2 * classes);
  for (int half = 0; half < 2; ++half) {
    Confusion& c = half == 0 ? weighted : rows;
    c = Confusion{};
    const double* m = matrix.data() + static_cast<size_t>(half) * classes * k_pred;
    for (size_t y = 0; y < classes; ++y) {
      for (size_t p = 0; p < k_pred; ++p) {
        const double v = m[y * k_pred + p];
        const bool yk = y == k;
        const bool pk = k_pred > 1 && p == k;
        if (yk) {
          (pk ? c.tp : c.fn) += v;
        } else {
          (pk ? c.fp : c.tn) += v;
        }
      }
    }
  }
}

GroupSummary ForClass(const GroupSummary& g, size_t classes, size_t k) {
  GroupSummary out;
  out.name = g.name;
  CollapseClass(g.class_matrix, classes, k, out.weighted, out.rows);
  return out;
}

double SelectionOrBaseRate(const GroupSummary& g, bool predictions) {
  const double n = g.weighted.total();
  if (n <= 0) return -1;
  return (predictions ? g.weighted.predicted_positives() : g.weighted.positives()) / n;
}

struct Side {
  std::vector<int32_t> levels;  // for one facet; or intersection tuples by index
};

// Builds one facet (or intersection) report.
class FacetAnalyzer {
 public:
  FacetAnalyzer(const FairnessStatistics& stats, const AnalysisOptions& options)
      : stats_(stats), options_(options), layout_(stats.layout()) {}

  // `facets` are the facet indices; one for a plain facet, several for an intersection.
  Result<FacetReport> Run(const std::vector<size_t>& facets) {
    FacetReport report;
    for (size_t f : facets) report.columns.push_back(layout_.facets[f]);
    report.facet = fmt::format("{}", fmt::join(report.columns, " × "));

    // The groups: every level, or every observed tuple of levels.
    std::vector<CellKey> tuples;
    if (facets.size() == 1) {
      for (int32_t code : OrderedLevels(stats_, facets[0])) tuples.push_back({code});
    } else {
      std::set<CellKey> seen;
      for (const auto& [key, cell] : stats_.cells()) {
        CellKey t;
        for (size_t f : facets) t.push_back(key[f]);
        seen.insert(t);
      }
      // Walk the full Cartesian product in level order, listing empty combinations.
      std::vector<std::vector<int32_t>> orders;
      for (size_t f : facets) orders.push_back(OrderedLevels(stats_, f));
      std::vector<size_t> at(facets.size(), 0);
      bool any = std::all_of(orders.begin(), orders.end(), [](auto& o) { return !o.empty(); });
      while (any) {
        CellKey t;
        for (size_t i = 0; i < facets.size(); ++i) t.push_back(orders[i][at[i]]);
        if (seen.count(t)) {
          tuples.push_back(t);
        } else {
          report.empty_groups.push_back(TupleName(facets, t));
        }
        size_t i = facets.size();
        while (i-- > 0) {
          if (++at[i] < orders[i].size()) break;
          at[i] = 0;
          if (i == 0) any = false;
        }
      }
    }
    if (tuples.size() < 2 && facets.size() == 1) {
      return InvalidArgumentError(
                 fmt::format(
                     "facet \"{}\" has only one value ({}): there is nothing to compare",
                     report.facet,
                     tuples.empty() ? std::string("none") : TupleName(facets, tuples.front())))
          .Expecting("a facet column with at least two values (or bins that split it)");
    }

    for (const CellKey& t : tuples) {
      GroupReport g;
      g.group = TupleName(facets, t);
      g.summary =
          stats_.Summarize([&](const CellKey& key) { return Matches(facets, t, key); }, g.group);
      FillGroup(g);
      report.groups.push_back(std::move(g));
    }

    // Comparisons.
    PROBITY_ASSIGN_OR_RETURN(auto pairs, ChoosePairs(facets, tuples, report));
    for (const auto& [d_set, a_set, d_name, a_name] : pairs) {
      auto select = [&](const std::vector<size_t>& set) {
        return [&, set](const CellKey& key) {
          for (size_t i : set) {
            if (Matches(facets, tuples[i], key)) return true;
          }
          return false;
        };
      };
      GroupSummary d = stats_.Summarize(select(d_set), d_name);
      GroupSummary a = stats_.Summarize(select(a_set), a_name);
      AddComparisons(d, a, report);
      comparison_sets_.push_back({facets, d_set, a_set, tuples});
    }

    // Metrics over all groups.
    GroupSummary overall = stats_.Summarize([](const CellKey&) { return true; }, "all");
    if (layout_.task == Task::kMulticlass) {
      for (size_t k = 0; k < layout_.classes.size(); ++k) {
        std::vector<GroupSummary> groups;
        for (const GroupReport& g : report.groups) {
          groups.push_back(ForClass(g.summary, layout_.classes.size(), k));
        }
        for (MetricResult m : MultiGroupMetrics(
                 groups, ForClass(overall, layout_.classes.size(), k), layout_, options_.metrics)) {
          m.name += "[" + layout_.classes[k] + "]";
          report.metrics.push_back(std::move(m));
        }
      }
    } else {
      std::vector<GroupSummary> groups;
      for (const GroupReport& g : report.groups) groups.push_back(g.summary);
      report.metrics = MultiGroupMetrics(groups, overall, layout_, options_.metrics);
      // Fairlearn's control features: the same aggregates within each level of the group
      // variable, with that level's rows as the overall.
      if (!layout_.group_variable.empty()) {
        for (size_t s = 0; s < stats_.strata().size(); ++s) {
          const auto stratum = static_cast<int32_t>(s);
          std::vector<GroupSummary> within;
          for (const CellKey& t : tuples) {
            within.push_back(stats_.Summarize(
                [&](const CellKey& key) {
                  return key.back() == stratum && Matches(facets, t, key);
                },
                TupleName(facets, t)));
          }
          GroupSummary all = stats_.Summarize(
              [&](const CellKey& key) { return key.back() == stratum; }, stats_.strata()[s]);
          report.control.push_back(
              {stats_.strata()[s], MultiGroupMetrics(within, all, layout_, options_.metrics)});
        }
      }
    }
    return report;
  }

  // For the bootstrap: which cells make up each side of each comparison, in report order.
  struct ComparisonCells {
    std::vector<size_t> facets;
    std::vector<size_t> d, a;
    std::vector<CellKey> tuples;
  };
  const std::vector<ComparisonCells>& comparison_sets() const { return comparison_sets_; }

  static bool Matches(const std::vector<size_t>& facets, const CellKey& tuple, const CellKey& key) {
    for (size_t i = 0; i < facets.size(); ++i) {
      if (key[facets[i]] != tuple[i]) return false;
    }
    return true;
  }

 private:
  std::string TupleName(const std::vector<size_t>& facets, const CellKey& t) const {
    std::string name;
    for (size_t i = 0; i < facets.size(); ++i) {
      if (i) name += " & ";
      name += stats_.levels()[facets[i]][static_cast<size_t>(t[i])];
    }
    return name;
  }

  void FillGroup(GroupReport& g) const {
    g.rates = RatesOf(g.summary, options_.metrics);
    g.small = std::llround(g.summary.row_count()) < options_.min_group_size;
    if (layout_.has_scores) {
      g.auc = AreaUnderCurve(g.summary.scores[1], g.summary.scores[0]);
      g.brier = BrierScore(g.summary.scores[1], g.summary.scores[0]);
      if (InUnitInterval(g.summary)) {
        g.calibration =
            CalibrationTable(g.summary.scores[1], g.summary.scores[0], options_.calibration_bins);
      }
    }
    if (layout_.task == Task::kRegression) {
      const RegressionSums& r = g.summary.regression;
      if (r.weight > 0 && layout_.has_predictions) {
        g.mean_prediction = MetricValue::Of(r.prediction / r.weight);
        g.mae = MetricValue::Of(r.absolute_error / r.weight);
        g.rmse = MetricValue::Of(std::sqrt(r.squared_error / r.weight));
      } else {
        const std::string why = r.weight > 0 ? "no predictions" : "the group is empty";
        g.mean_prediction = g.mae = g.rmse = MetricValue::Undefined(why);
      }
    }
    if (layout_.task == Task::kMulticlass) {
      for (size_t k = 0; k < layout_.classes.size(); ++k) {
        g.class_rates.push_back(
            RatesOf(ForClass(g.summary, layout_.classes.size(), k), options_.metrics));
      }
    }
  }

  static bool InUnitInterval(const GroupSummary& g) {
    for (const auto& s : g.scores) {
      auto e = s.entries();
      if (!e.empty() && (e.front().value < 0 || e.back().value > 1)) return false;
    }
    return true;
  }

  void AddComparisons(const GroupSummary& d, const GroupSummary& a, FacetReport& report) const {
    if (layout_.task == Task::kMulticlass) {
      for (size_t k = 0; k < layout_.classes.size(); ++k) {
        Comparison c{ForClass(d, layout_.classes.size(), k),
                     ForClass(a, layout_.classes.size(), k)};
        // Full-support label distributions need the class matrix.
        c.d.class_matrix = d.class_matrix;
        c.a.class_matrix = a.class_matrix;
        report.comparisons.push_back(
            {d.name, a.name, layout_.classes[k], PairMetrics(c, layout_, options_.metrics)});
      }
      return;
    }
    Comparison c{d, a};
    report.comparisons.push_back({d.name, a.name, "", PairMetrics(c, layout_, options_.metrics)});
  }

  struct Pair {
    std::vector<size_t> d, a;
    std::string d_name, a_name;
  };

  Result<std::vector<Pair>> ChoosePairs(const std::vector<size_t>& facets,
                                        const std::vector<CellKey>& tuples,
                                        const FacetReport& report) const {
    std::vector<Pair> pairs;
    auto all_but = [&](const std::vector<size_t>& d) {
      std::vector<size_t> rest;
      for (size_t i = 0; i < tuples.size(); ++i) {
        if (std::find(d.begin(), d.end(), i) == d.end()) rest.push_back(i);
      }
      return rest;
    };
    auto find_group = [&](std::string_view name) -> std::optional<size_t> {
      for (size_t i = 0; i < report.groups.size(); ++i) {
        if (report.groups[i].group == name) return i;
      }
      return std::nullopt;
    };
    auto names = [&] {
      std::vector<std::string> out;
      for (const GroupReport& g : report.groups) out.push_back(g.group);
      return fmt::format("{}", fmt::join(out, ", "));
    };
    if (facets.size() == 1) {
      const FacetSpec& spec = options_.facets[facets[0]];
      std::vector<std::string> sensitive = spec.sensitive;
      if (sensitive.empty() && spec.edges.size() == 1) {
        sensitive.push_back(BinLevel(spec.edges, 1));  // Clarify: values > threshold are d
      }
      if (!sensitive.empty()) {
        std::vector<size_t> d;
        for (const std::string& v : sensitive) {
          std::optional<size_t> i = find_group(v);
          if (!i) {
            return InvalidArgumentError(
                       fmt::format("facet \"{}\" has no value \"{}\"", report.facet, v))
                .Expecting("one of its values: " + names());
          }
          d.push_back(*i);
        }
        pairs.push_back({d, all_but(d), fmt::format("{}", fmt::join(sensitive, ", ")), "rest"});
        return pairs;
      }
    }
    std::optional<size_t> reference;
    if (options_.compare == CompareMode::kReference) {
      auto it = options_.reference.find(report.facet);
      if (it == options_.reference.end()) {
        return InvalidArgumentError("no reference group for facet \"" + report.facet + "\"")
            .Expecting("--reference " + report.facet + "=VALUE, with VALUE one of: " + names());
      }
      reference = find_group(it->second);
      if (!reference) {
        return InvalidArgumentError(
                   fmt::format("facet \"{}\" has no value \"{}\"", report.facet, it->second))
            .Expecting("one of its values: " + names());
      }
    } else if (options_.compare == CompareMode::kMostFavoured) {
      double best = -1;
      for (size_t i = 0; i < report.groups.size(); ++i) {
        const double r = SelectionOrBaseRate(report.groups[i].summary, layout_.has_predictions);
        if (r > best) {
          best = r;
          reference = i;
        }
      }
    }
    for (size_t i = 0; i < tuples.size(); ++i) {
      if (reference) {
        if (i == *reference) continue;
        pairs.push_back(
            {{i}, {*reference}, report.groups[i].group, report.groups[*reference].group});
      } else {
        pairs.push_back({{i}, all_but({i}), report.groups[i].group, "rest"});
      }
    }
    return pairs;
  }

  const FairnessStatistics& stats_;
  const AnalysisOptions& options_;
  const StatisticsLayout& layout_;
  std::vector<ComparisonCells> comparison_sets_;
};

// ---- Bootstrap ----------------------------------------------------------------------------

// Resamples the table of (cell × confusion quadrant) row counts; each replicate recomputes
// every count-based pairwise metric of every comparison.
void BootstrapIntervals(const FairnessStatistics& stats, const AnalysisOptions& options,
                        const std::vector<std::vector<FacetAnalyzer::ComparisonCells>>& sets,
                        FairnessReport& report) {
  struct CellRef {
    const CellKey* key;
    Confusion mean_weight;  // weight per row in each quadrant
  };
  std::vector<CellRef> cells;
  std::vector<double> counts;
  std::vector<int> strata;
  std::map<CellKey, int> stratum_of;
  for (const auto& [key, cell] : stats.cells()) {
    auto mean = [](double w, double n) { return n > 0 ? w / n : 0.0; };
    cells.push_back(
        {&key,
         Confusion{mean(cell.weighted.tp, cell.rows.tp), mean(cell.weighted.fp, cell.rows.fp),
                   mean(cell.weighted.tn, cell.rows.tn), mean(cell.weighted.fn, cell.rows.fn)}});
    CellKey group(key.begin(), key.end() - 1);
    auto [it, fresh] = stratum_of.try_emplace(group, static_cast<int>(stratum_of.size()));
    for (double v : {cell.rows.tp, cell.rows.fp, cell.rows.tn, cell.rows.fn}) {
      counts.push_back(v);
      strata.push_back(it->second);
    }
  }
  StatisticsLayout layout = stats.layout();
  layout.has_scores = false;
  const size_t num_strata = layout.group_variable.empty() ? 0 : stats.strata().size();

  // Where each bootstrapped value goes.
  struct Target {
    size_t facet, comparison, metric;
  };
  std::vector<Target> targets;
  for (size_t f = 0; f < report.facets.size(); ++f) {
    for (size_t c = 0; c < report.facets[f].comparisons.size(); ++c) {
      const auto& metrics = report.facets[f].comparisons[c].metrics;
      for (size_t m = 0; m < metrics.size(); ++m) {
        if (metrics[m].count_based) targets.push_back({f, c, m});
      }
    }
  }
  auto statistic = [&](std::span<const double> draw) {
    std::vector<std::optional<double>> values;
    values.reserve(targets.size());
    for (size_t f = 0; f < sets.size(); ++f) {
      for (const auto& set : sets[f]) {
        Comparison c;
        for (int side = 0; side < 2; ++side) {
          GroupSummary& g = side == 0 ? c.d : c.a;
          const std::vector<size_t>& members = side == 0 ? set.d : set.a;
          for (size_t i = 0; i < cells.size(); ++i) {
            bool in = false;
            for (size_t m : members)
              in = in || FacetAnalyzer::Matches(set.facets, set.tuples[m], *cells[i].key);
            if (!in) continue;
            const double* n = &draw[4 * i];
            CellStats cell;
            cell.rows = Confusion{n[0], n[1], n[2], n[3]};
            const Confusion& w = cells[i].mean_weight;
            cell.weighted = Confusion{n[0] * w.tp, n[1] * w.fp, n[2] * w.tn, n[3] * w.fn};
            g.Add(cell, cells[i].key->back(), num_strata);
          }
        }
        for (const MetricResult& m : PairMetrics(c, layout, options.metrics)) {
          if (m.count_based) values.push_back(m.value.value);
        }
      }
    }
    values.resize(targets.size());
    return values;
  };
  BootstrapOptions bo = *options.bootstrap;
  BootstrapResult result = BootstrapCells(counts, strata, statistic, bo);
  for (size_t t = 0; t < targets.size() && t < result.intervals.size(); ++t) {
    MetricResult& m = report.facets[targets[t].facet]
                          .comparisons[targets[t].comparison]
                          .metrics[targets[t].metric];
    const BootstrapInterval& bi = result.intervals[t];
    const std::optional<Interval>& chosen =
        options.bootstrap_method == BootstrapMethod::kBca && bi.bca ? bi.bca : bi.percentile;
    m.interval = chosen;
    if (m.interval && bi.undefined_replicates > 0) {
      m.interval->note =
          fmt::format("{} of {} replicates undefined", bi.undefined_replicates, result.replicates);
    }
  }
  report.bootstrap = std::move(result);
}

bool Wanted(const AnalysisOptions& options, const std::string& name) {
  if (options.metric_names.empty()) return true;
  const std::string base = name.substr(0, name.find('['));
  return std::find(options.metric_names.begin(), options.metric_names.end(), base) !=
         options.metric_names.end();
}

void Filter(const AnalysisOptions& options, std::vector<MetricResult>& metrics) {
  std::erase_if(metrics, [&](const MetricResult& m) { return !Wanted(options, m.name); });
}

}  // namespace

std::string_view CompareModeName(CompareMode mode) {
  switch (mode) {
    case CompareMode::kRest: return "rest";
    case CompareMode::kReference: return "reference";
    case CompareMode::kMostFavoured: return "most-favoured";
  }
  return "rest";
}

Result<FairnessReport> Analyze(const FairnessStatistics& statistics,
                               const AnalysisOptions& options) {
  FairnessReport report;
  report.layout = statistics.layout();
  report.rows = statistics.row_counts();
  report.options = options;
  const StatisticsLayout& layout = report.layout;
  if (options.facets.size() != layout.facets.size()) {
    return InvalidArgumentError(
               "the analysis options name " + std::to_string(options.facets.size()) +
               " facets but the statistics have " + std::to_string(layout.facets.size()))
        .Expecting("the same facets as the statistics were collected with");
  }
  if (layout.facets.empty()) {
    return InvalidArgumentError("no facet to analyse").Expecting("--facet COLUMN");
  }
  GroupSummary overall = statistics.Summarize([](const CellKey&) { return true; }, "all");
  if (report.rows.used == 0 || overall.empty()) {
    return InvalidArgumentError(fmt::format("no row is left to analyse ({} read: {} without a "
                                            "label, {} without a prediction, "
                                            "{} with an invalid score)",
                                            report.rows.read, report.rows.label_missing,
                                            report.rows.prediction_missing,
                                            report.rows.score_invalid))
        .Expecting("rows with a label" +
                   std::string(layout.has_predictions ? " and a prediction" : ""));
  }
  if (layout.task == Task::kBinary && !layout.label.empty()) {
    if (overall.weighted.positives() <= 0) {
      return InvalidArgumentError("label \"" + layout.label +
                                  "\" has no row with a favourable value (" + layout.favourable +
                                  ")")
          .Expecting("--positive naming the favourable label value(s) that occur in the data");
    }
    if (overall.weighted.negatives() <= 0) {
      return InvalidArgumentError("label \"" + layout.label +
                                  "\" has no row with an unfavourable value: every label is " +
                                  layout.favourable)
          .Expecting("a label with both outcomes, and --positive naming only the favourable one");
    }
  }

  std::vector<std::vector<FacetAnalyzer::ComparisonCells>> sets;
  auto run = [&](const std::vector<size_t>& facets) -> Status {
    FacetAnalyzer analyzer(statistics, options);
    PROBITY_ASSIGN_OR_RETURN(FacetReport facet, analyzer.Run(facets));
    sets.push_back(analyzer.comparison_sets());
    report.facets.push_back(std::move(facet));
    return OkStatus();
  };
  for (size_t f = 0; f < layout.facets.size(); ++f) PROBITY_RETURN_IF_ERROR(run({f}));
  if (options.intersect && layout.facets.size() > 1) {
    std::vector<size_t> all(layout.facets.size());
    for (size_t f = 0; f < all.size(); ++f) all[f] = f;
    PROBITY_RETURN_IF_ERROR(run(all));
  }
  if (layout.task != Task::kRegression && layout.task != Task::kMulticlass &&
      layout.has_predictions) {
    report.dataset_metrics = DatasetMetrics(overall, layout, options.metrics);
  }
  if (options.bootstrap && layout.task == Task::kBinary) {
    BootstrapIntervals(statistics, options, sets, report);
  } else if (options.bootstrap) {
    report.warnings.push_back("the bootstrap covers binary analyses only; analytic intervals kept");
  }
  for (FacetReport& facet : report.facets) {
    // Many groups mean many tests: Holm-adjust each metric's tests across the facet's
    // comparisons (per class for multiclass), so p_adjusted controls the family-wise error.
    std::map<std::pair<std::string, std::string>, std::vector<TestResult*>> families;
    for (ComparisonReport& c : facet.comparisons) {
      for (MetricResult& m : c.metrics) {
        if (m.test) families[{c.cls, m.name}].push_back(&*m.test);
      }
    }
    for (auto& [name, tests] : families) {
      if (tests.size() > 1) HolmCorrection(tests);
    }
    for (ComparisonReport& c : facet.comparisons) Filter(options, c.metrics);
    Filter(options, facet.metrics);
    for (auto& level : facet.control) Filter(options, level.metrics);
    for (const GroupReport& g : facet.groups) {
      if (g.small) {
        report.warnings.push_back(fmt::format("facet \"{}\": group \"{}\" is small ({} rows < {})",
                                              facet.facet, g.group, g.summary.row_count(),
                                              options.min_group_size));
      }
    }
  }
  Filter(options, report.dataset_metrics);
  return report;
}

// ---- JSON -------------------------------------------------------------------------------

nlohmann::ordered_json IntervalToJson(const Interval& interval) {
  nlohmann::ordered_json j;
  j["lower"] = JsonNumber(interval.lower);
  j["upper"] = JsonNumber(interval.upper);
  j["confidence"] = interval.confidence;
  j["method"] = interval.method;
  if (!interval.note.empty()) j["note"] = interval.note;
  return j;
}

nlohmann::ordered_json TestToJson(const TestResult& test) {
  nlohmann::ordered_json j;
  j["test"] = test.test;
  j["statistic"] = JsonNumber(test.statistic);
  j["p_value"] = JsonNumber(test.p_value);
  if (test.degrees_of_freedom) j["degrees_of_freedom"] = JsonNumber(*test.degrees_of_freedom);
  if (test.p_adjusted) {
    j["p_adjusted"] = JsonNumber(*test.p_adjusted);
    j["correction"] = test.correction;
  }
  return j;
}

void PutMetricValue(nlohmann::ordered_json& j, const std::string& key, const MetricValue& v) {
  if (v.value) {
    j[key] = JsonNumber(*v.value);
  } else {
    SetUndefined(j, key, v.undefined_reason);
  }
}

namespace {

nlohmann::ordered_json ConfusionJson(const Confusion& c) {
  return {{"tp", JsonNumber(c.tp)},
          {"fp", JsonNumber(c.fp)},
          {"tn", JsonNumber(c.tn)},
          {"fn", JsonNumber(c.fn)}};
}

nlohmann::ordered_json RatesJson(const GroupRates& r) {
  nlohmann::ordered_json j;
  j["n"] = JsonNumber(r.n);
  j["rows"] = std::llround(r.rows.total());
  const nlohmann::ordered_json weighted = ConfusionJson(r.weighted);
  for (const char* k : {"tp", "fp", "tn", "fn"}) j[k] = weighted[k];
  j["unweighted"] = {{"tp", std::llround(r.rows.tp)},
                     {"fp", std::llround(r.rows.fp)},
                     {"tn", std::llround(r.rows.tn)},
                     {"fn", std::llround(r.rows.fn)}};
  PutMetricValue(j, "selection_rate", r.selection_rate);
  PutMetricValue(j, "tpr", r.tpr);
  PutMetricValue(j, "fpr", r.fpr);
  PutMetricValue(j, "tnr", r.tnr);
  PutMetricValue(j, "fnr", r.fnr);
  PutMetricValue(j, "ppv", r.ppv);
  PutMetricValue(j, "npv", r.npv);
  PutMetricValue(j, "accuracy", r.accuracy);
  PutMetricValue(j, "base_rate", r.base_rate);
  if (r.selection_rate_interval) {
    j["selection_rate_interval"] = IntervalToJson(*r.selection_rate_interval);
  }
  if (r.base_rate_interval) j["base_rate_interval"] = IntervalToJson(*r.base_rate_interval);
  return j;
}

nlohmann::ordered_json GroupJson(const FairnessReport& report, const GroupReport& g) {
  nlohmann::ordered_json j;
  j["group"] = g.group;
  const StatisticsLayout& layout = report.layout;
  if (layout.task == Task::kRegression) {
    const RegressionSums& r = g.summary.regression;
    j["n"] = JsonNumber(r.weight);
    j["rows"] = r.rows;
    PutMetricValue(
        j, "mean_label",
        r.weight > 0 ? MetricValue::Of(r.label / r.weight) : MetricValue::Undefined("empty"));
    PutMetricValue(j, "mean_prediction", g.mean_prediction);
    PutMetricValue(j, "mae", g.mae);
    PutMetricValue(j, "rmse", g.rmse);
  } else if (layout.task == Task::kMulticlass) {
    double n = 0, rows = 0;
    const size_t half = g.summary.class_matrix.size() / 2;
    for (size_t i = 0; i < half; ++i) {
      n += g.summary.class_matrix[i];
      rows += g.summary.class_matrix[half + i];
    }
    j["n"] = JsonNumber(n);
    j["rows"] = std::llround(rows);
    nlohmann::ordered_json classes = nlohmann::ordered_json::array();
    for (size_t k = 0; k < g.class_rates.size(); ++k) {
      nlohmann::ordered_json c = RatesJson(g.class_rates[k]);
      c["class"] = layout.classes[k];
      classes.push_back(std::move(c));
    }
    j["classes"] = std::move(classes);
  } else {
    const nlohmann::ordered_json rates = RatesJson(g.rates);
    for (auto it = rates.begin(); it != rates.end(); ++it) j[it.key()] = it.value();
  }
  j["small"] = g.small;
  if (layout.has_scores) {
    PutMetricValue(j, "auc", g.auc);
    PutMetricValue(j, "brier", g.brier);
    if (g.calibration) {
      PutMetricValue(j, "expected_calibration_error", g.calibration->expected_calibration_error);
      PutMetricValue(j, "maximum_calibration_error", g.calibration->maximum_calibration_error);
      nlohmann::ordered_json bins = nlohmann::ordered_json::array();
      for (const ReliabilityBin& b : g.calibration->bins) {
        nlohmann::ordered_json bj;
        bj["lower"] = b.lower;
        bj["upper"] = b.upper;
        bj["n"] = JsonNumber(b.weight);
        bj["rows"] = b.rows;
        PutMetricValue(bj, "mean_score", b.mean_score);
        PutMetricValue(bj, "positive_rate", b.positive_rate);
        bins.push_back(std::move(bj));
      }
      j["reliability"] = std::move(bins);
    }
  }
  return j;
}

}  // namespace

nlohmann::ordered_json MetricToJson(const MetricResult& m) {
  nlohmann::ordered_json j;
  j["name"] = m.name;
  j["source"] = m.source;
  j["stage"] = m.stage;
  PutMetricValue(j, "value", m.value);
  j["orientation"] = m.orientation;
  j["reference_group"] = m.reference_group;
  j["ideal"] = JsonNumber(m.ideal);
  j["interval"] = m.interval ? IntervalToJson(*m.interval) : nlohmann::ordered_json();
  j["test"] = m.test ? TestToJson(*m.test) : nlohmann::ordered_json();
  j["description"] = m.description;
  return j;
}

nlohmann::ordered_json ReportToJson(const FairnessReport& report) {
  const StatisticsLayout& layout = report.layout;
  nlohmann::ordered_json doc = MachineDocument("probity.fairness/1");
  doc["task"] = TaskName(layout.task);
  doc["label"] = {{"column", layout.label}, {"favourable", layout.favourable}};
  if (layout.task == Task::kMulticlass) doc["label"]["classes"] = layout.classes;
  doc["prediction"] = layout.has_predictions
                          ? nlohmann::ordered_json{{"source", layout.prediction_source},
                                                   {"scores", layout.has_scores}}
                          : nlohmann::ordered_json();
  doc["group_variable"] = layout.group_variable.empty()
                              ? nlohmann::ordered_json()
                              : nlohmann::ordered_json(layout.group_variable);
  doc["weight"] =
      layout.weight.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(layout.weight);
  const RowCounts& r = report.rows;
  doc["rows"] = {{"read", r.read},
                 {"used", r.used},
                 {"label_missing", r.label_missing},
                 {"prediction_missing", r.prediction_missing},
                 {"score_invalid", r.score_invalid}};
  const AnalysisOptions& o = report.options;
  nlohmann::ordered_json options;
  options["comparison"] = CompareModeName(o.compare);
  options["clarify_compat"] = o.metrics.clarify_compat;
  options["confidence"] = o.metrics.confidence;
  options["intervals"] =
      o.bootstrap
          ? (o.bootstrap_method == BootstrapMethod::kBca ? "bootstrap-bca" : "bootstrap-percentile")
      : o.metrics.intervals == IntervalMethod::kNone           ? "none"
      : o.metrics.intervals == IntervalMethod::kWilson         ? "wilson"
      : o.metrics.intervals == IntervalMethod::kClopperPearson ? "clopper-pearson"
                                                               : "jeffreys";
  options["min_group_size"] = o.min_group_size;
  options["ge_alpha"] = o.metrics.ge_alpha;
  doc["options"] = std::move(options);
  if (report.bootstrap) {
    const BootstrapResult& b = *report.bootstrap;
    doc["bootstrap"] = {{"replicates", b.replicates},
                        {"seed", b.seed},
                        {"rng", b.rng},
                        {"stratified", b.stratified},
                        {"resampled", "contingency table (cell × label × prediction row counts)"}};
  } else {
    doc["bootstrap"] = nullptr;
  }
  nlohmann::ordered_json facets = nlohmann::ordered_json::array();
  for (const FacetReport& f : report.facets) {
    nlohmann::ordered_json fj;
    fj["facet"] = f.facet;
    fj["columns"] = f.columns;
    nlohmann::ordered_json groups = nlohmann::ordered_json::array();
    for (const GroupReport& g : f.groups) groups.push_back(GroupJson(report, g));
    fj["groups"] = std::move(groups);
    fj["empty_groups"] = f.empty_groups;
    nlohmann::ordered_json comparisons = nlohmann::ordered_json::array();
    for (const ComparisonReport& c : f.comparisons) {
      nlohmann::ordered_json cj;
      cj["d"] = c.d;
      cj["a"] = c.a;
      if (!c.cls.empty()) cj["class"] = c.cls;
      nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
      for (const MetricResult& m : c.metrics) metrics.push_back(MetricToJson(m));
      cj["metrics"] = std::move(metrics);
      comparisons.push_back(std::move(cj));
    }
    fj["comparisons"] = std::move(comparisons);
    nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
    for (const MetricResult& m : f.metrics) metrics.push_back(MetricToJson(m));
    fj["metrics"] = std::move(metrics);
    nlohmann::ordered_json control = nlohmann::ordered_json::array();
    for (const auto& level : f.control) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const MetricResult& m : level.metrics) list.push_back(MetricToJson(m));
      control.push_back({{"level", level.level}, {"metrics", std::move(list)}});
    }
    fj["control"] = std::move(control);
    facets.push_back(std::move(fj));
  }
  doc["facets"] = std::move(facets);
  nlohmann::ordered_json dataset = nlohmann::ordered_json::array();
  for (const MetricResult& m : report.dataset_metrics) dataset.push_back(MetricToJson(m));
  doc["dataset_metrics"] = std::move(dataset);
  doc["warnings"] = report.warnings;
  return doc;
}

nlohmann::ordered_json ClarifyAnalysisJson(const FairnessReport& report) {
  nlohmann::ordered_json doc;
  doc["version"] = "1.0";
  auto section = [&](std::string_view stage) {
    nlohmann::ordered_json s;
    s["label"] = report.layout.label;
    nlohmann::ordered_json facets = nlohmann::ordered_json::object();
    for (const FacetReport& f : report.facets) {
      if (f.columns.size() != 1) continue;  // Clarify has no intersections
      nlohmann::ordered_json entries = nlohmann::ordered_json::array();
      for (const ComparisonReport& c : f.comparisons) {
        if (c.a != "rest" || !c.cls.empty()) continue;
        nlohmann::ordered_json metrics = nlohmann::ordered_json::array();
        for (const MetricResult& m : c.metrics) {
          if (m.source != "clarify" || m.stage != stage) continue;
          nlohmann::ordered_json mj;
          mj["name"] = m.name;
          mj["description"] = m.description;
          if (m.value.value && std::isinf(*m.value.value)) {
            mj["value"] = *m.value.value > 0 ? "Infinity" : "-Infinity";
          } else if (m.value.value) {
            mj["value"] = *m.value.value;
          } else {
            mj["value"] = nullptr;
            mj["error"] = m.value.undefined_reason;
          }
          metrics.push_back(std::move(mj));
        }
        if (metrics.empty()) continue;
        entries.push_back({{"value_or_threshold", c.d}, {"metrics", std::move(metrics)}});
      }
      if (!entries.empty()) facets[f.facet] = std::move(entries);
    }
    s["facets"] = std::move(facets);
    s["label_value_or_threshold"] = report.layout.favourable;
    return s;
  };
  doc["pre_training_bias_metrics"] = section("pre-training");
  if (report.layout.has_predictions) doc["post_training_bias_metrics"] = section("post-training");
  return doc;
}

std::string RenderText(const FairnessReport& report) {
  std::string out;
  auto value = [](const MetricValue& v) {
    if (!v.value) return std::string("undefined");
    if (std::isinf(*v.value)) return std::string(*v.value > 0 ? "inf" : "-inf");
    return fmt::format("{:.4f}", *v.value);
  };
  const StatisticsLayout& layout = report.layout;
  out += fmt::format(
      "label {} (favourable: {}), {} rows used of {}\n", layout.label,
      layout.favourable.empty() ? std::string(TaskName(layout.task)) : layout.favourable,
      report.rows.used, report.rows.read);
  if (layout.has_predictions) out += "predictions: " + layout.prediction_source + "\n";
  static const std::vector<std::string> kHeadline = {"DI",
                                                     "DPPL",
                                                     "DPL",
                                                     "equal_opportunity_difference",
                                                     "average_odds_difference",
                                                     "AD",
                                                     "mean_prediction_difference",
                                                     "mae_difference"};
  for (const FacetReport& f : report.facets) {
    out += fmt::format("\n{}\n", f.facet);
    if (layout.task == Task::kBinary) {
      out += fmt::format("  {:<28} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "group", "n", "base rate",
                         layout.has_predictions ? "selection" : "",
                         layout.has_predictions ? "TPR" : "", layout.has_predictions ? "FPR" : "");
      for (const GroupReport& g : f.groups) {
        out += fmt::format("  {:<28} {:>10} {:>10} {:>10} {:>10} {:>10}{}\n", g.group,
                           fmt::format("{:g}", g.rates.n), value(g.rates.base_rate),
                           layout.has_predictions ? value(g.rates.selection_rate) : "",
                           layout.has_predictions ? value(g.rates.tpr) : "",
                           layout.has_predictions ? value(g.rates.fpr) : "",
                           g.small ? "  (small)" : "");
      }
    } else {
      for (const GroupReport& g : f.groups) {
        out += fmt::format("  {:<28} rows={:g}{}\n", g.group, g.summary.row_count(),
                           g.small ? "  (small)" : "");
      }
    }
    if (!f.empty_groups.empty()) {
      out += fmt::format("  no rows: {}\n", fmt::join(f.empty_groups, "; "));
    }
    for (const ComparisonReport& c : f.comparisons) {
      std::string line;
      for (const MetricResult& m : c.metrics) {
        if (std::find(kHeadline.begin(), kHeadline.end(), m.name) == kHeadline.end()) continue;
        line += fmt::format("  {}={}", m.name, value(m.value));
        if (m.interval)
          line += fmt::format(" [{:.4f}, {:.4f}]", m.interval->lower, m.interval->upper);
      }
      if (!line.empty()) {
        out += fmt::format("  {} vs {}{}:{}\n", c.d, c.a, c.cls.empty() ? "" : " [" + c.cls + "]",
                           line);
      }
    }
  }
  for (const std::string& w : report.warnings) {
    if (w.find("is small (") == std::string::npos) out += "warning: " + w + "\n";
  }
  return out;
}

}  // namespace probity::fairness
