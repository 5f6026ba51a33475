#include "fairness/legal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace probity::fairness {
namespace {

CategoryCounts Selection(std::string name, double applicants, double selected) {
  return CategoryCounts{
      .category = std::move(name), .applicants = applicants, .selected = selected};
}
CategoryCounts Scoring(std::string name, double applicants, double above) {
  return CategoryCounts{
      .category = std::move(name), .applicants = applicants, .above_median = above};
}

double RoundTo(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The scoring-rate ("culture fit") example printed in the DCWP rule, 6 RCNY § 5-301 (Notice of
// Adoption of Final Rule, 2023), as quoted in the rk68/LL144-giskard-239 dataset of the rule's
// text (https://huggingface.co/datasets/rk68/LL144-giskard-239, test split, "Document 12"). The
// rule prints applicants, scoring rate (1 decimal) and impact ratio (2 decimals); the counts above
// the median below are applicants × printed rate, rounded (e.g. 92 × 54.3% → 50). The rule's Native
// American and Two or More Races rows were not retrievable and are left out.
TEST(Ll144TableTest, ReproducesTheDcwpScoringExampleSexCategories) {
  ImpactTable t = Ll144Table("sex", RateKind::kScoring,
                             {Scoring("Male", 92, 50), Scoring("Female", 76, 34)}, 0, 0.5, {});
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.highest_category, "Male");
  EXPECT_DOUBLE_EQ(RoundTo(100 * *t.rows[0].rate.value, 1), 54.3);
  EXPECT_DOUBLE_EQ(RoundTo(100 * *t.rows[1].rate.value, 1), 44.7);
  EXPECT_DOUBLE_EQ(RoundTo(*t.rows[0].impact_ratio.value, 2), 1.00);
  EXPECT_DOUBLE_EQ(RoundTo(*t.rows[1].impact_ratio.value, 2), 0.82);
  EXPECT_DOUBLE_EQ(*t.rows[1].impact_ratio.value, (34.0 / 76) / (50.0 / 92));
}

TEST(Ll144TableTest, ReproducesTheDcwpScoringExampleRaceCategories) {
  ImpactTable t = Ll144Table(
      "race/ethnicity", RateKind::kScoring,
      {Scoring("Hispanic or Latino", 28, 18), Scoring("White (Not Hispanic or Latino)", 40, 15),
       Scoring("Black or African American (Not Hispanic or Latino)", 32, 16),
       Scoring("Native Hawaiian or Pacific Islander (Not Hispanic or Latino)", 8, 5),
       Scoring("Asian (Not Hispanic or Latino)", 24, 10)},
      0, 0.5, {});
  EXPECT_EQ(t.highest_category, "Hispanic or Latino");
  // The rule prints 64.2% for 18/28 = 64.29% (truncated, not rounded).
  EXPECT_NEAR(*t.rows[0].rate.value, 0.642, 0.001);
  const double rates[] = {0, 37.5, 50.0, 62.5, 41.7};
  const double ratios[] = {1.00, 0.58, 0.78, 0.97, 0.65};
  for (size_t i = 0; i < t.rows.size(); ++i) {
    if (i > 0) {
      EXPECT_DOUBLE_EQ(RoundTo(100 * *t.rows[i].rate.value, 1), rates[i]) << i;
    }
    EXPECT_DOUBLE_EQ(RoundTo(*t.rows[i].impact_ratio.value, 2), ratios[i]) << t.rows[i].category;
  }
}

TEST(Ll144TableTest, SelectionRatesAndRatiosByHandKeepInputOrder) {
  ImpactTable t =
      Ll144Table("sex", RateKind::kSelection,
                 {Selection("Female", 200, 50), Selection("Male", 100, 40)}, 7, std::nullopt, {});
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].category, "Female");
  EXPECT_EQ(t.rows[1].category, "Male");
  EXPECT_DOUBLE_EQ(*t.rows[0].rate.value, 0.25);
  EXPECT_DOUBLE_EQ(*t.rows[1].rate.value, 0.40);
  EXPECT_EQ(t.highest_category, "Male");
  EXPECT_DOUBLE_EQ(*t.rows[0].impact_ratio.value, 0.625);
  EXPECT_DOUBLE_EQ(*t.rows[1].impact_ratio.value, 1.0);
  EXPECT_DOUBLE_EQ(t.unknown, 7);
  // Shares over the known individuals by default.
  EXPECT_DOUBLE_EQ(t.rows[0].share, 200.0 / 300);
}

TEST(Ll144TableTest, SmallCategoryExcludedButListedAndReferenceRecomputed) {
  // C is 3 of 200 known individuals (1.5%) and has the highest rate; once excluded the
  // reference is A. D is exactly 2% (4/200): not under 2%, so kept.
  std::vector<CategoryCounts> cats = {Selection("A", 100, 50), Selection("B", 93, 30),
                                      Selection("C", 3, 3), Selection("D", 4, 1)};
  ImpactTable kept = Ll144Table("race/ethnicity", RateKind::kSelection, cats, 0, {}, {});
  EXPECT_EQ(kept.highest_category, "C");
  EXPECT_FALSE(kept.rows[2].excluded);

  Ll144Options options{.exclude_small = true};
  ImpactTable t = Ll144Table("race/ethnicity", RateKind::kSelection, cats, 0, {}, options);
  ASSERT_EQ(t.rows.size(), 4u);
  EXPECT_TRUE(t.rows[2].excluded);
  EXPECT_FALSE(t.rows[3].excluded);
  EXPECT_DOUBLE_EQ(t.rows[2].share, 0.015);
  EXPECT_DOUBLE_EQ(*t.rows[2].rate.value, 1.0);  // still listed with its rate
  EXPECT_FALSE(t.rows[2].impact_ratio.defined());
  EXPECT_TRUE(Contains(t.rows[2].impact_ratio.undefined_reason, "2% rule"));
  EXPECT_EQ(t.highest_category, "A");
  EXPECT_DOUBLE_EQ(*t.rows[1].impact_ratio.value, (30.0 / 93) / 0.5);
  EXPECT_DOUBLE_EQ(*t.rows[3].impact_ratio.value, 0.5);
}

TEST(Ll144TableTest, ShareCanCountTheUnknownIndividuals) {
  // D: 4 of 200 known = 2% (kept); of 200 + 50 unknown = 1.6% (excluded).
  std::vector<CategoryCounts> cats = {Selection("A", 100, 50), Selection("B", 96, 30),
                                      Selection("D", 4, 1)};
  Ll144Options options{.exclude_small = true, .share_includes_unknown = true};
  ImpactTable t = Ll144Table("race/ethnicity", RateKind::kSelection, cats, 50, {}, options);
  EXPECT_DOUBLE_EQ(t.rows[2].share, 4.0 / 250);
  EXPECT_TRUE(t.rows[2].excluded);
  options.share_includes_unknown = false;
  EXPECT_FALSE(
      Ll144Table("race/ethnicity", RateKind::kSelection, cats, 50, {}, options).rows[2].excluded);
}

TEST(Ll144TableTest, ImpactRatioUndefinedWhenHighestRateIsZero) {
  ImpactTable t = Ll144Table("sex", RateKind::kSelection,
                             {Selection("Female", 10, 0), Selection("Male", 12, 0)}, 0, {}, {});
  for (const ImpactRow& row : t.rows) {
    ASSERT_TRUE(row.rate.defined());
    EXPECT_DOUBLE_EQ(*row.rate.value, 0);
    EXPECT_FALSE(row.impact_ratio.defined());
    EXPECT_EQ(row.impact_ratio.undefined_reason,
              "the highest selection rate among the included categories is 0");
  }
}

TEST(Ll144TableTest, EmptyCategoryHasUndefinedRate) {
  ImpactTable t = Ll144Table("sex", RateKind::kSelection,
                             {Selection("Female", 0, 0), Selection("Male", 12, 6)}, 0, {}, {});
  EXPECT_FALSE(t.rows[0].rate.defined());
  EXPECT_EQ(t.rows[0].rate.undefined_reason, "no individuals in the category");
  EXPECT_FALSE(t.rows[0].impact_ratio.defined());
  EXPECT_DOUBLE_EQ(*t.rows[1].impact_ratio.value, 1.0);
}

TEST(Ll144TableTest, ScoringTableUsesCountsAboveTheMedian) {
  CategoryCounts c{.category = "Female", .applicants = 10, .selected = 9, .above_median = 4};
  ImpactTable t = Ll144Table("sex", RateKind::kScoring, {c, Scoring("Male", 10, 5)}, 0, 0.62, {});
  EXPECT_DOUBLE_EQ(t.rows[0].selected, 4);
  EXPECT_DOUBLE_EQ(*t.rows[0].impact_ratio.value, 0.8);
  EXPECT_EQ(t.median, 0.62);
}

TEST(Ll144TableTest, MarkdownHasThePublishedLayout) {
  Ll144Options options{.exclude_small = true};
  ImpactTable t =
      Ll144Table("race/ethnicity", RateKind::kSelection,
                 {Selection("A|B", 100, 50), Selection("White", 96, 30), Selection("Asian", 3, 1)},
                 12, {}, options);
  std::string md = RenderMarkdown(t);
  EXPECT_TRUE(Contains(md, "### Race/ethnicity: selection rates\n")) << md;
  EXPECT_TRUE(Contains(
      md, "| Category | Number of applicants | Selected | Selection rate | Impact ratio |\n"));
  EXPECT_TRUE(Contains(md, "| A\\|B | 100 | 50 | 50.00% | 1.000 |\n")) << md;
  EXPECT_TRUE(Contains(md, "| White | 96 | 30 | 31.25% | 0.625 |\n")) << md;
  EXPECT_TRUE(Contains(md, "| Asian (excluded) | 3 | 1 | 33.33% | excluded |\n")) << md;
  EXPECT_TRUE(Contains(md, "unknown category, left out of the calculations: 12.")) << md;
  EXPECT_TRUE(Contains(md, "Reference category (highest selection rate, impact ratio 1): A\\|B."));
  EXPECT_TRUE(Contains(md, "2% rule (6 RCNY § 5-301(d)): applied")) << md;
  EXPECT_TRUE(Contains(md, "Asian (1.51%)")) << md;
}

TEST(Ll144TableTest, ScoringMarkdownNamesTheMedian) {
  ImpactTable t = Ll144Table("sex", RateKind::kScoring,
                             {Scoring("Male", 92, 50), Scoring("Female", 76, 34)}, 3, 0.62, {});
  std::string md = RenderMarkdown(t);
  EXPECT_TRUE(Contains(md,
                       "| Category | Number of applicants | Scored above median | Scoring rate "
                       "| Impact ratio |\n"));
  EXPECT_TRUE(Contains(md, "| Female | 76 | 34 | 44.74% | 0.823 |\n")) << md;
  EXPECT_TRUE(Contains(md,
                       "Median score of the whole sample: 0.62; the scoring rate counts "
                       "scores strictly above it"));
  EXPECT_TRUE(Contains(md, "2% rule (6 RCNY § 5-301(d)): not applied")) << md;
}

// Reference numbers from scipy 1.10.1 (Debian python3-scipy), computed as:
//   pooled z:  z = (x/n − xr/nr)/sqrt(p̄(1−p̄)(1/n + 1/nr)), p = 2·norm.sf(|z|)
//   Fisher:    scipy.stats.fisher_exact([[x, n−x], [xr, nr−xr]]) when an expected count < 5
//   Holm:      sorted p = (B .0026998, E .16280, D .28009, C .73758) × (4, 3, 2, 1), running max.
// NOTE: run in this branch against a stand-in of fairness/significance.cc; the real
// implementation lands from the significance branch.
TEST(FourFifthsTest, RatiosFlagsAndHolmAdjustedTestsMatchScipy) {
  FourFifthsTable t =
      FourFifths("race", {Selection("A", 100, 60), Selection("B", 80, 30), Selection("C", 10, 5),
                          Selection("D", 40, 20), Selection("E", 50, 24)});
  EXPECT_EQ(t.highest_category, "A");
  ASSERT_EQ(t.rows.size(), 5u);
  const FourFifthsRow& a = t.rows[0];
  const FourFifthsRow& b = t.rows[1];
  const FourFifthsRow& c = t.rows[2];
  const FourFifthsRow& d = t.rows[3];
  const FourFifthsRow& e = t.rows[4];
  EXPECT_FALSE(a.test.has_value());
  EXPECT_DOUBLE_EQ(*a.adverse_impact_ratio.value, 1.0);

  EXPECT_DOUBLE_EQ(*b.adverse_impact_ratio.value, 0.625);
  EXPECT_TRUE(b.below_four_fifths);
  ASSERT_TRUE(b.test.has_value());
  EXPECT_EQ(b.test->test, "two-proportion-z");
  EXPECT_NEAR(b.test->statistic, -3.0, 1e-12);
  EXPECT_NEAR(b.test->p_value, 0.0026997960632601866, 1e-12);
  EXPECT_NEAR(*b.test->p_adjusted, 4 * 0.0026997960632601866, 1e-12);
  EXPECT_TRUE(b.statistically_significant);

  EXPECT_EQ(c.test->test, "fisher-exact");
  EXPECT_NEAR(c.test->p_value, 0.7375812298544074, 1e-9);
  EXPECT_NEAR(*c.test->p_adjusted, 0.7375812298544074, 1e-9);
  EXPECT_FALSE(c.below_four_fifths);
  EXPECT_FALSE(c.statistically_significant);

  EXPECT_NEAR(d.test->statistic, -1.0801234497346432, 1e-12);
  EXPECT_NEAR(*d.test->p_adjusted, 2 * 0.28008721081149757, 1e-12);
  EXPECT_NEAR(*e.test->p_adjusted, 3 * 0.16279692662103762, 1e-12);
  EXPECT_EQ(e.test->correction, "holm");

  // 24/50 ÷ 60/100 is exactly 4/5: not below the threshold.
  EXPECT_DOUBLE_EQ(*e.adverse_impact_ratio.value, 0.8);
  EXPECT_FALSE(e.below_four_fifths);
}

TEST(FourFifthsTest, NoSelectionAnywhereGivesUndefinedRatios) {
  FourFifthsTable t = FourFifths("sex", {Selection("F", 10, 0), Selection("M", 10, 0)});
  for (const FourFifthsRow& row : t.rows) {
    EXPECT_FALSE(row.adverse_impact_ratio.defined());
    EXPECT_FALSE(row.below_four_fifths);
    EXPECT_FALSE(row.statistically_significant);
  }
}

TEST(FourFifthsTest, EmptyGroupIsNotTested) {
  FourFifthsTable t = FourFifths("sex", {Selection("F", 0, 0), Selection("M", 10, 5)});
  EXPECT_FALSE(t.rows[0].rate.defined());
  EXPECT_FALSE(t.rows[0].test.has_value());
  EXPECT_EQ(t.highest_category, "M");
}

TEST(FourFifthsTest, MarkdownStatesBothSignificances) {
  FourFifthsTable t = FourFifths("sex", {Selection("Male", 100, 60), Selection("Female", 80, 30)});
  std::string md = RenderMarkdown(t);
  EXPECT_TRUE(Contains(md, "### Four-fifths rule: sex\n")) << md;
  EXPECT_TRUE(Contains(md, "| Male | 100 | 60 | 60.00% | 1.000 | no | reference |")) << md;
  EXPECT_TRUE(Contains(md,
                       "| Female | 80 | 30 | 37.50% | 0.625 | yes | two-proportion-z | -3 | "
                       "0.0027 | 0.0027 | practically and statistically significant |"))
      << md;
  EXPECT_TRUE(Contains(md, "29 CFR 1607.4(D)"));
}

}  // namespace
}  // namespace probity::fairness
