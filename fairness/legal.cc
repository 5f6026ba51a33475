#include "fairness/legal.h"

#include <cmath>
#include <cstdio>
#include <utility>

#include "fairness/significance.h"

namespace probity::fairness {
namespace {

// selected/applicants, undefined for an empty category.
MetricValue Rate(double selected, double applicants) {
  if (applicants <= 0) return MetricValue::Undefined("no individuals in the category");
  return MetricValue::Of(selected / applicants);
}

// (x / n) / (x_ref / n_ref) as one quotient of products, so that a ratio of exactly 4/5 in
// integer counts is not pushed below 0.8 by two roundings.
double RatioOfRates(double x, double n, double x_ref, double n_ref) {
  return (x * n_ref) / (n * x_ref);
}

// The index of the highest defined rate among rows accepted by `include` (first in input
// order on ties), or -1 when there is none.
template <typename Row, typename Include>
int HighestRate(const std::vector<Row>& rows, Include include) {
  int best = -1;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!include(rows[i]) || !rows[i].rate.defined()) continue;
    if (best < 0 || *rows[i].rate.value > *rows[best].rate.value) best = static_cast<int>(i);
  }
  return best;
}

std::string Format(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// Counts print as integers when they are (row counts), else with two decimals (weights).
std::string Count(double value) {
  return Format(value == std::floor(value) && std::fabs(value) < 1e15 ? "%.0f" : "%.2f", value);
}

std::string Percent(const MetricValue& rate) {
  return rate.defined() ? Format("%.2f%%", 100 * *rate.value) : "undefined";
}

std::string Ratio(const MetricValue& ratio) {
  return ratio.defined() ? Format("%.3f", *ratio.value) : "undefined";
}

// A table cell: pipes escaped, line breaks flattened.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string Capitalized(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 32);
  return text;
}

}  // namespace

ImpactTable Ll144Table(std::string family, RateKind kind,
                       const std::vector<CategoryCounts>& categories, double unknown,
                       std::optional<double> median, const Ll144Options& options) {
  ImpactTable table{.family = std::move(family),
                    .kind = kind,
                    .unknown = unknown,
                    .median = median,
                    .options = options};
  double known = 0;
  for (const CategoryCounts& c : categories) known += c.applicants;
  double share_denominator = known + (options.share_includes_unknown ? unknown : 0);

  for (const CategoryCounts& c : categories) {
    ImpactRow row{.category = c.category, .applicants = c.applicants};
    row.selected = kind == RateKind::kSelection ? c.selected : c.above_median;
    row.rate = Rate(row.selected, row.applicants);
    row.share = share_denominator > 0 ? row.applicants / share_denominator : 0;
    row.excluded = options.exclude_small && row.share < options.small_share;
    table.rows.push_back(std::move(row));
  }

  const std::string rate_name = kind == RateKind::kSelection ? "selection rate" : "scoring rate";
  int highest = HighestRate(table.rows, [](const ImpactRow& r) { return !r.excluded; });
  if (highest >= 0) table.highest_category = table.rows[highest].category;
  for (ImpactRow& row : table.rows) {
    if (row.excluded) {
      row.impact_ratio =
          MetricValue::Undefined("excluded: under " + Format("%g", 100 * options.small_share) +
                                 "% of the data (the 2% rule, 6 RCNY § 5-301(d))");
    } else if (!row.rate.defined()) {
      row.impact_ratio = MetricValue::Undefined(row.rate.undefined_reason);
    } else if (highest < 0) {
      row.impact_ratio = MetricValue::Undefined("no included category has individuals");
    } else if (*table.rows[highest].rate.value == 0) {
      row.impact_ratio = MetricValue::Undefined("the highest " + rate_name +
                                                " among the included categories is 0");
    } else {
      const ImpactRow& ref = table.rows[highest];
      row.impact_ratio =
          MetricValue::Of(RatioOfRates(row.selected, row.applicants, ref.selected, ref.applicants));
    }
  }
  return table;
}

FourFifthsTable FourFifths(std::string facet, const std::vector<CategoryCounts>& categories,
                           double threshold, double alpha) {
  FourFifthsTable table{.facet = std::move(facet), .threshold = threshold, .alpha = alpha};
  for (const CategoryCounts& c : categories) {
    table.rows.push_back(FourFifthsRow{.category = c.category,
                                       .applicants = c.applicants,
                                       .selected = c.selected,
                                       .rate = Rate(c.selected, c.applicants)});
  }
  int highest = HighestRate(table.rows, [](const FourFifthsRow&) { return true; });
  if (highest < 0) {
    for (FourFifthsRow& row : table.rows) {
      row.adverse_impact_ratio = MetricValue::Undefined("no group has applicants");
    }
    return table;
  }
  const FourFifthsRow ref = table.rows[highest];
  table.highest_category = ref.category;

  std::vector<TestResult*> tests;
  for (size_t i = 0; i < table.rows.size(); ++i) {
    FourFifthsRow& row = table.rows[i];
    if (!row.rate.defined()) {
      row.adverse_impact_ratio = MetricValue::Undefined(row.rate.undefined_reason);
      continue;
    }
    if (*ref.rate.value == 0) {
      row.adverse_impact_ratio =
          MetricValue::Undefined("the highest selection rate is 0: no group had a selection");
    } else {
      row.adverse_impact_ratio =
          MetricValue::Of(RatioOfRates(row.selected, row.applicants, ref.selected, ref.applicants));
      row.below_four_fifths = *row.adverse_impact_ratio.value < threshold;
    }
    if (static_cast<int>(i) == highest) continue;  // the reference is not tested against itself
    row.test = CompareRates(row.selected, row.applicants, ref.selected, ref.applicants);
    tests.push_back(&*row.test);
  }
  HolmCorrection(tests);
  for (FourFifthsRow& row : table.rows) {
    if (row.test) row.statistically_significant = row.test->p_adjusted.value_or(1) < alpha;
  }
  return table;
}

std::string RenderMarkdown(const ImpactTable& table) {
  const bool selection = table.kind == RateKind::kSelection;
  std::string out = "### " + Capitalized(Cell(table.family)) +
                    (selection ? ": selection rates" : ": scoring rates") + "\n\n";
  out += selection
             ? "| Category | Number of applicants | Selected | Selection rate | Impact ratio |\n"
             : "| Category | Number of applicants | Scored above median | Scoring rate | Impact "
               "ratio |\n";
  out += "|---|---:|---:|---:|---:|\n";
  std::string notes;
  std::string excluded;
  for (const ImpactRow& row : table.rows) {
    std::string ratio = row.excluded ? "excluded" : Ratio(row.impact_ratio);
    out += "| " + Cell(row.category) + (row.excluded ? " (excluded)" : "") + " | " +
           Count(row.applicants) + " | " + Count(row.selected) + " | " + Percent(row.rate) + " | " +
           ratio + " |\n";
    if (row.excluded) {
      excluded += (excluded.empty() ? "" : ", ") + Cell(row.category) + " (" +
                  Format("%.2f%%", 100 * row.share) + ")";
    } else if (!row.impact_ratio.defined()) {
      notes += "- Impact ratio of " + Cell(row.category) +
               " undefined: " + row.impact_ratio.undefined_reason + ".\n";
    }
  }
  out += "\n" + notes;
  out += "- Number of individuals with an unknown category, left out of the calculations: " +
         Count(table.unknown) + ".\n";
  if (!table.highest_category.empty()) {
    out += "- Reference category (highest " + std::string(selection ? "selection" : "scoring") +
           " rate, impact ratio 1): " + Cell(table.highest_category) + ".\n";
  }
  if (!selection) {
    out += table.median ? "- Median score of the whole sample: " + Format("%.6g", *table.median) +
                              "; the scoring rate counts scores strictly above it (ties at the "
                              "median do not count).\n"
                        : "- Median score of the whole sample: not available.\n";
  }
  const std::string denominator =
      table.options.share_includes_unknown
          ? "all individuals, the unknown category included"
          : "the individuals of known category (the unknown category left out)";
  if (table.options.exclude_small) {
    out += "- 2% rule (6 RCNY § 5-301(d)): applied. Categories under " +
           Format("%g%%", 100 * table.options.small_share) + " of the data (share of " +
           denominator + ") are excluded from the impact ratios and still listed with their " +
           "counts and rates" + (excluded.empty() ? "; none was under it" : ": " + excluded) +
           ".\n";
  } else {
    out +=
        "- 2% rule (6 RCNY § 5-301(d)): not applied; every category is included in the "
        "impact ratios.\n";
  }
  return out;
}

std::string RenderMarkdown(const FourFifthsTable& table) {
  std::string out = "### Four-fifths rule: " + Cell(table.facet) + "\n\n";
  out += "| Group | Applicants | Selected | Selection rate | Adverse impact ratio | Below " +
         Format("%g", table.threshold) +
         " | Test | Statistic | p | p (Holm) | Finding |\n"
         "|---|---:|---:|---:|---:|:-:|---|---:|---:|---:|---|\n";
  for (const FourFifthsRow& row : table.rows) {
    out += "| " + Cell(row.category) + " | " + Count(row.applicants) + " | " + Count(row.selected) +
           " | " + Percent(row.rate) + " | " + Ratio(row.adverse_impact_ratio) + " | " +
           (row.below_four_fifths ? "yes" : "no") + " | ";
    if (row.category == table.highest_category && !row.test) {
      out += "reference | | | | reference |\n";
      continue;
    }
    if (!row.test) {
      out += "— | | | | not tested |\n";
      continue;
    }
    const char* finding =
        row.below_four_fifths
            ? (row.statistically_significant ? "practically and statistically significant"
                                             : "practically significant only")
            : (row.statistically_significant ? "statistically significant only" : "neither");
    out += row.test->test + " | " + Format("%.4g", row.test->statistic) + " | " +
           Format("%.4g", row.test->p_value) + " | " +
           Format("%.4g", row.test->p_adjusted.value_or(row.test->p_value)) + " | " + finding +
           " |\n";
  }
  out += "\n- Reference group (highest selection rate): " +
         (table.highest_category.empty() ? std::string("none") : Cell(table.highest_category)) +
         ".\n";
  out += "- Practically significant: adverse impact ratio below " + Format("%g", table.threshold) +
         " (29 CFR 1607.4(D)). Statistically significant: Holm-adjusted p below " +
         Format("%g", table.alpha) +
         " for the difference with the reference group (two-proportion z-test, or Fisher's "
         "exact test when an expected count is below 5).\n";
  return out;
}

}  // namespace probity::fairness
