// The tables regulators ask for: the NYC Local Law 144 bias audit (6 RCNY §§ 5-300, 5-301)
// and the EEOC four-fifths rule (29 CFR 1607.4(D)) paired with a significance test.
// docs/fairness.md §Legal tables gives the rules and the choices made where they are silent.
//
//   ImpactTable t = Ll144Table("sex", RateKind::kSelection, categories, unknown, {});
//   std::string md = RenderMarkdown(t);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fairness/metric.h"

namespace probity::fairness {

// One category's counts (weighted or not, as the caller decides; LL144 uses rows).
struct CategoryCounts {
  std::string category;
  double applicants = 0;    // individuals in the category
  double selected = 0;      // selected / assigned the classification (selection rate)
  double above_median = 0;  // scored strictly above the whole sample's median (scoring rate)
};

enum class RateKind { kSelection, kScoring };

struct Ll144Options {
  // Exclude from the impact ratios categories under `small_share` of the data (they are
  // still listed with their counts and rates, marked excluded).
  bool exclude_small = false;
  double small_share = 0.02;
  // Whether the "unknown" individuals count in the denominator of the 2% share (the rule
  // is silent; the choice is printed with the table).
  bool share_includes_unknown = false;
};

struct ImpactRow {
  std::string category;
  double applicants = 0;
  double selected = 0;  // or scored above the median
  MetricValue rate;
  MetricValue impact_ratio;  // rate / highest rate among included categories
  double share = 0;          // of the data, as defined by the options
  bool excluded = false;     // under the small-share rule
};

struct ImpactTable {
  std::string family;  // "sex", "race/ethnicity", "sex × race/ethnicity"
  RateKind kind = RateKind::kSelection;
  std::vector<ImpactRow> rows;   // in the order given
  double unknown = 0;            // individuals of unknown category, left out
  std::string highest_category;  // the reference of the impact ratios
  std::optional<double> median;  // scoring tables: the sample median used
  Ll144Options options;
};

ImpactTable Ll144Table(std::string family, RateKind kind,
                       const std::vector<CategoryCounts>& categories, double unknown,
                       std::optional<double> median, const Ll144Options& options);

struct FourFifthsRow {
  std::string category;
  double applicants = 0;
  double selected = 0;
  MetricValue rate;
  MetricValue adverse_impact_ratio;        // rate / highest rate
  bool below_four_fifths = false;          // practically significant: ratio < threshold
  std::optional<TestResult> test;          // vs the highest-rate category: z-test or Fisher
  bool statistically_significant = false;  // test p (Holm-adjusted) < alpha
};

struct FourFifthsTable {
  std::string facet;
  std::string highest_category;
  double threshold = 0.8;
  double alpha = 0.05;
  std::vector<FourFifthsRow> rows;
};

FourFifthsTable FourFifths(std::string facet, const std::vector<CategoryCounts>& categories,
                           double threshold = 0.8, double alpha = 0.05);

// The tables in the layout published bias audits use (Markdown pipe tables with a caption
// that names the family, the rate, the reference category, the unknown count and the
// exclusions), and as plain text for a terminal.
std::string RenderMarkdown(const ImpactTable& table);
std::string RenderMarkdown(const FourFifthsTable& table);

}  // namespace probity::fairness
