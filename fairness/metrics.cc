#include "fairness/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fairness/intervals.h"
#include "fairness/score_sketch.h"
#include "fairness/significance.h"

namespace probity::fairness {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

constexpr std::string_view kPreTraining = "pre-training";
constexpr std::string_view kPostTraining = "post-training";
constexpr std::string_view kScoreStage = "score";
constexpr std::string_view kRegressionStage = "regression";
constexpr std::string_view kDatasetStage = "dataset";
constexpr std::string_view kMultiGroup = "multi-group";

// Counts in reasons: integers print without a decimal point, weights with up to 10 digits.
std::string Count(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", x);
  return buffer;
}

// ---- Rates -------------------------------------------------------------------------------

// A quotient of two functions of a confusion table, and what an empty denominator means.
struct RateDef {
  const char* name;
  double (*numerator)(const Confusion&);
  double (*denominator)(const Confusion&);
  const char* empty;  // completes "<who> ...", e.g. "has no rows (n = 0)"
};

constexpr RateDef kSelection{"selection rate",
                             [](const Confusion& c) { return c.predicted_positives(); },
                             [](const Confusion& c) { return c.total(); }, "has no rows (n = 0)"};
constexpr RateDef kBase{"base rate", [](const Confusion& c) { return c.positives(); },
                        [](const Confusion& c) { return c.total(); }, "has no rows (n = 0)"};
constexpr RateDef kTpr{"TPR", [](const Confusion& c) { return c.tp; },
                       [](const Confusion& c) { return c.positives(); },
                       "has no label-favourable rows (tp + fn = 0)"};
constexpr RateDef kFnr{"FNR", [](const Confusion& c) { return c.fn; },
                       [](const Confusion& c) { return c.positives(); },
                       "has no label-favourable rows (tp + fn = 0)"};
constexpr RateDef kFpr{"FPR", [](const Confusion& c) { return c.fp; },
                       [](const Confusion& c) { return c.negatives(); },
                       "has no label-unfavourable rows (fp + tn = 0)"};
constexpr RateDef kTnr{"TNR", [](const Confusion& c) { return c.tn; },
                       [](const Confusion& c) { return c.negatives(); },
                       "has no label-unfavourable rows (fp + tn = 0)"};
constexpr RateDef kPpv{"PPV", [](const Confusion& c) { return c.tp; },
                       [](const Confusion& c) { return c.predicted_positives(); },
                       "has no predicted-favourable rows (tp + fp = 0)"};
constexpr RateDef kFdr{"FDR", [](const Confusion& c) { return c.fp; },
                       [](const Confusion& c) { return c.predicted_positives(); },
                       "has no predicted-favourable rows (tp + fp = 0)"};
constexpr RateDef kNpv{"NPV", [](const Confusion& c) { return c.tn; },
                       [](const Confusion& c) { return c.predicted_negatives(); },
                       "has no predicted-unfavourable rows (tn + fn = 0)"};
constexpr RateDef kFor{"FOR", [](const Confusion& c) { return c.fn; },
                       [](const Confusion& c) { return c.predicted_negatives(); },
                       "has no predicted-unfavourable rows (tn + fn = 0)"};
constexpr RateDef kAccuracy{"accuracy", [](const Confusion& c) { return c.tp + c.tn; },
                            [](const Confusion& c) { return c.total(); }, "has no rows (n = 0)"};
constexpr RateDef kErrorRate{"error rate", [](const Confusion& c) { return c.fp + c.fn; },
                             [](const Confusion& c) { return c.total(); }, "has no rows (n = 0)"};
// Not rates in [0, 1], but quotients with the same undefined rule.
constexpr RateDef kConditionalAcceptance{"conditional acceptance n^(1)/n̂^(1)",
                                         [](const Confusion& c) { return c.positives(); },
                                         [](const Confusion& c) { return c.predicted_positives(); },
                                         "has no predicted-favourable rows (tp + fp = 0)"};
constexpr RateDef kConditionalRejection{"conditional rejection n^(0)/n̂^(0)",
                                        [](const Confusion& c) { return c.negatives(); },
                                        [](const Confusion& c) { return c.predicted_negatives(); },
                                        "has no predicted-unfavourable rows (tn + fn = 0)"};
constexpr RateDef kTreatment{"FN/FP", [](const Confusion& c) { return c.fn; },
                             [](const Confusion& c) { return c.fp; },
                             "has no false positives (fp = 0)"};

MetricValue RateOf(const RateDef& rate, const Confusion& c, std::string_view who) {
  const double den = rate.denominator(c);
  if (den <= 0) {
    const double num = rate.numerator(c);
    return MetricValue::Undefined((num == 0 ? std::string("0") : Count(num)) +
                                  "/0: " + std::string(who) + " " + rate.empty + ", so its " +
                                  rate.name + " is undefined");
  }
  return MetricValue::Of(rate.numerator(c) / den);
}

std::string JoinReasons(const MetricValue& x, const MetricValue& y) {
  if (!x.defined() && !y.defined()) return x.undefined_reason + "; " + y.undefined_reason;
  return x.defined() ? y.undefined_reason : x.undefined_reason;
}

MetricValue Difference(const MetricValue& x, const MetricValue& y) {
  if (!x.defined() || !y.defined()) return MetricValue::Undefined(JoinReasons(x, y));
  const double v = *x.value - *y.value;
  if (std::isnan(v)) return MetricValue::Undefined("∞ − ∞");
  return MetricValue::Of(v);
}

// A ratio of two non-negative rates: x/0 with x > 0 is +∞ (the ratio legitimately
// diverges), 0/0 is undefined.
MetricValue RatioOfRates(const MetricValue& x, const MetricValue& y, std::string_view what) {
  if (!x.defined() || !y.defined()) return MetricValue::Undefined(JoinReasons(x, y));
  if (*y.value == 0) {
    if (*x.value == 0) {
      return MetricValue::Undefined("0/0: both " + std::string(what) + "s are 0");
    }
    return MetricValue::Of(kInfinity);
  }
  return MetricValue::Of(*x.value / *y.value);
}

// smclarify.bias.metrics.common.divide: 0/0 → 0, x/0 → ±∞.
double ClarifyDivide(double a, double b) {
  if (b == 0 && a == 0) return 0.0;
  if (b == 0) return a < 0 ? -kInfinity : kInfinity;
  return a / b;
}

// Clarify's "difference of two quotients", where ∞ − ∞ is forced to 0.
double ClarifyDifference(double x, double y) {
  if (x == y && x == kInfinity) return 0.0;
  return x - y;
}

MetricValue CompatValue(double v) {
  if (std::isnan(v)) return MetricValue::Undefined("NaN in Clarify's arithmetic");
  return MetricValue::Of(v);
}

std::optional<Interval> RateInterval(IntervalMethod method, double x, double n, double confidence) {
  if (n <= 0) return std::nullopt;
  switch (method) {
    case IntervalMethod::kNone: return std::nullopt;
    case IntervalMethod::kWilson: return WilsonInterval(x, n, confidence);
    case IntervalMethod::kClopperPearson: return ClopperPearsonInterval(x, n, confidence);
    case IntervalMethod::kJeffreys: return JeffreysInterval(x, n, confidence);
  }
  return std::nullopt;
}

std::string GroupLabel(std::string_view role, const std::string& name) {
  if (name.empty() || name == role) return std::string(role);
  return std::string(role) + " (" + name + ")";
}

// ---- Label distributions (Clarify's KL, JS, LP, TVD, KS) ---------------------------------

// Probabilities over the label's support, in Clarify's sorted order (unfavourable, then
// favourable; multiclass: the classes in layout order). Empty when the group is empty.
std::vector<double> LabelDistribution(const GroupSummary& g, const StatisticsLayout& layout,
                                      bool compat, bool multiclass) {
  std::vector<double> p;
  if (multiclass) {
    const size_t k = layout.classes.size();
    p.assign(k, 0.0);
    if (!g.class_matrix.empty()) {
      const size_t cols = g.class_matrix.size() / k;
      for (size_t i = 0; i < k; ++i) {
        for (size_t j = 0; j < cols; ++j) p[i] += g.class_matrix[i * cols + j];
      }
    }
  } else {
    const Confusion& c = compat ? g.rows : g.weighted;
    p = {c.negatives(), c.positives()};
  }
  double total = 0;
  for (double x : p) total += x;
  if (total <= 0) return {};
  for (double& x : p) x /= total;
  return p;
}

struct Divergences {
  double kl = 0, js = 0, lp = 0, tvd = 0, ks = 0;
};

// Over the full support: 0·ln 0 = 0, and KL = +∞ where P_d is 0 and P_a is not.
Divergences FullSupport(const std::vector<double>& pa, const std::vector<double>& pd) {
  Divergences r;
  double squares = 0, l1 = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    const double a = pa[i], d = pd[i], m = 0.5 * (a + d);
    if (a > 0) r.kl += d > 0 ? a * std::log(a / d) : kInfinity;
    if (a > 0) r.js += 0.5 * a * std::log(a / m);
    if (d > 0) r.js += 0.5 * d * std::log(d / m);
    const double diff = std::fabs(a - d);
    squares += diff * diff;
    l1 += diff;
    r.ks = std::max(r.ks, diff);
  }
  r.lp = std::sqrt(squares);
  r.tvd = 0.5 * l1;
  return r;
}

// Clarify's pdfs_aligned_nonzero: only the values with non-zero probability in both facets,
// without renormalising; nullopt when there is none.
std::optional<Divergences> CommonSupport(const std::vector<double>& pa_full,
                                         const std::vector<double>& pd_full) {
  std::vector<double> pa, pd;
  for (size_t i = 0; i < pa_full.size() && i < pd_full.size(); ++i) {
    if (pa_full[i] != 0 && pd_full[i] != 0) {
      pa.push_back(pa_full[i]);
      pd.push_back(pd_full[i]);
    }
  }
  if (pa.empty()) return std::nullopt;
  Divergences r;
  double kl_a = 0, kl_d = 0, dot = 0, l1 = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    const double m = 0.5 * (pa[i] + pd[i]);
    r.kl += pa[i] * std::log(pa[i] / pd[i]);
    kl_a += pa[i] * std::log(pa[i] / m);
    kl_d += pd[i] * std::log(pd[i] / m);
    const double diff = pa[i] - pd[i];
    dot += diff * diff;
    l1 += std::fabs(diff);
    r.ks = std::max(r.ks, std::fabs(diff));
  }
  r.js = 0.5 * (kl_a + kl_d);
  r.lp = std::sqrt(dot);
  r.tvd = 0.5 * l1;
  return r;
}

// ---- Generalized entropy over a few distinct benefit values ------------------------------

struct Benefit {
  double value;  // b
  double count;  // how many individuals have it
};

// GE(α) = 1/(n α(α−1)) Σ [(b/μ)^α − 1]; α = 1: (1/n) Σ (b/μ) ln(b/μ) (0·ln 0 = 0);
// α = 0: −(1/n) Σ ln(b/μ) (+∞ when some b = 0). Speicher et al. 2018, eq. (3).
MetricValue GeneralizedEntropy(const std::vector<Benefit>& benefits, double alpha) {
  double n = 0, sum = 0;
  for (const Benefit& b : benefits) {
    n += b.count;
    sum += b.count * b.value;
  }
  if (n <= 0) return MetricValue::Undefined("no rows");
  const double mu = sum / n;
  if (mu == 0) {
    return MetricValue::Undefined(
        "μ = 0: every benefit is 0 (all predictions are false negatives), so b/μ is 0/0");
  }
  double total = 0;
  for (const Benefit& b : benefits) {
    if (b.count == 0) continue;
    const double r = b.value / mu;
    if (alpha == 1) {
      if (r > 0) total += b.count * r * std::log(r);
    } else if (alpha == 0) {
      total += r > 0 ? -b.count * std::log(r) : kInfinity;
    } else {
      total += b.count * (std::pow(r, alpha) - 1);
    }
  }
  if (alpha == 0 || alpha == 1) return MetricValue::Of(total / n);
  return MetricValue::Of(total / (n * alpha * (alpha - 1)));
}

// b = ŷ − y + 1 ∈ {0 (FN), 1 (TP, TN), 2 (FP)}, on row counts (AIF360 and Clarify ignore
// instance weights here).
std::vector<Benefit> BenefitsOf(const Confusion& rows) {
  return {{0, rows.fn}, {1, rows.tp + rows.tn}, {2, rows.fp}};
}

// ---- Pairwise metrics --------------------------------------------------------------------

class PairBuilder {
 public:
  PairBuilder(const Comparison& c, const StatisticsLayout& layout, const MetricOptions& options)
      : c_(c),
        layout_(layout),
        options_(options),
        compat_(options.clarify_compat),
        who_d_(GroupLabel("d", c.d.name)),
        who_a_(GroupLabel("a", c.a.name)) {}

  std::vector<MetricResult> Build() {
    if (layout_.task == Task::kRegression) {
      Regression();
      return std::move(out_);
    }
    ClarifyPreTraining();
    Aif360PreTraining();
    if (layout_.has_predictions) {
      ClarifyPostTraining();
      Aif360PostTraining();
    }
    if (layout_.has_scores) Scores();
    return std::move(out_);
  }

 private:
  enum class Kind { kDifference, kRatio };

  MetricResult& Add(std::string name, std::string_view source, std::string_view stage,
                    std::string description, MetricValue value, std::string orientation,
                    double ideal, bool count_based) {
    MetricResult& m = out_.emplace_back();
    m.name = std::move(name);
    m.source = source;
    m.stage = stage;
    m.description = std::move(description);
    m.value = std::move(value);
    m.orientation = std::move(orientation);
    m.reference_group = c_.a.name;
    m.ideal = ideal;
    m.count_based = count_based;
    return m;
  }

  const GroupSummary& First(bool d_first) const { return d_first ? c_.d : c_.a; }
  const GroupSummary& Second(bool d_first) const { return d_first ? c_.a : c_.d; }

  // The interval and test of a rate difference (Newcombe) or ratio (Katz), on row counts,
  // in the metric's orientation: `first` is the group written first.
  void AttachComparison(MetricResult& m, const RateDef& rate, bool d_first, Kind kind) const {
    if (!m.value.defined()) return;
    const Confusion& r1 = First(d_first).rows;
    const Confusion& r2 = Second(d_first).rows;
    const double x1 = rate.numerator(r1), n1 = rate.denominator(r1);
    const double x2 = rate.numerator(r2), n2 = rate.denominator(r2);
    if (n1 <= 0 || n2 <= 0) return;
    if (options_.intervals != IntervalMethod::kNone) {
      std::optional<Interval> interval =
          kind == Kind::kDifference
              ? NewcombeDifferenceInterval(x1, n1, x2, n2, options_.confidence)
              : KatzRatioInterval(x1, n1, x2, n2, options_.confidence);
      if (interval && !layout_.weight.empty()) {
        interval->note += std::string(interval->note.empty() ? "" : "; ") +
                          "on unweighted row counts (the value is weighted)";
      }
      m.interval = std::move(interval);
    }
    if (options_.tests) m.test = CompareRates(x1, n1, x2, n2);
  }

  // The weighted difference of a rate between the groups, with its interval and test.
  MetricResult& RateDifference(std::string name, std::string_view source, std::string_view stage,
                               std::string description, const RateDef& rate, bool d_first) {
    MetricValue d = RateOf(rate, c_.d.weighted, who_d_);
    MetricValue a = RateOf(rate, c_.a.weighted, who_a_);
    MetricResult& m =
        Add(std::move(name), source, stage, std::move(description),
            d_first ? Difference(d, a) : Difference(a, d), d_first ? "d − a" : "a − d", 0, true);
    AttachComparison(m, rate, d_first, Kind::kDifference);
    return m;
  }

  MetricValue EmptyFacet() const {
    std::string reason;
    if (c_.d.weighted.total() <= 0) reason = who_d_ + " is empty (n_d = 0)";
    if (c_.a.weighted.total() <= 0) {
      reason += (reason.empty() ? "" : "; ") + who_a_ + " is empty (n_a = 0)";
    }
    return MetricValue::Undefined(reason);
  }
  bool AnyEmpty() const { return c_.d.weighted.total() <= 0 || c_.a.weighted.total() <= 0; }

  // Clarify raises on an empty facet, with a message that depends on the metric and on
  // which facet it checks first.
  std::optional<MetricValue> ClarifyEmpty(std::string_view d_message, std::string_view a_message,
                                          bool a_first) const {
    const bool d_empty = c_.d.rows.total() == 0, a_empty = c_.a.rows.total() == 0;
    auto raise = [](std::string_view message) {
      return MetricValue::Undefined("Clarify raises ValueError: " + std::string(message));
    };
    if (a_first && a_empty) return raise(a_message);
    if (d_empty) return raise(d_message);
    if (a_empty) return raise(a_message);
    return std::nullopt;
  }

  std::string Described(std::string text) const {
    if (compat_) text += " [Clarify-compatible arithmetic, on row counts]";
    return text;
  }

  void ClarifyPreTraining() {
    const Confusion& d = compat_ ? c_.d.rows : c_.d.weighted;
    const Confusion& a = compat_ ? c_.a.rows : c_.a.weighted;
    // CI
    {
      MetricValue v;
      if (compat_) {
        auto e = ClarifyEmpty(
            "CI: facet set is empty. Check that x[facet] has non-zero length.",
            "CI: negated facet set is empty. Check that x[~facet] has non-zero length.", true);
        v = e ? *e : MetricValue::Of((a.total() - d.total()) / (a.total() + d.total()));
      } else {
        v = AnyEmpty() ? EmptyFacet()
                       : MetricValue::Of((a.total() - d.total()) / (a.total() + d.total()));
      }
      Add("CI", "clarify", kPreTraining, Described("Class imbalance: (n_a − n_d) / (n_a + n_d)"),
          std::move(v), "(a − d) / (a + d)", 0, true);
    }
    // DPL
    {
      MetricValue v;
      if (compat_) {
        auto e = ClarifyEmpty("Facet set is empty.", "Negative facet set is empty.", true);
        v = e ? *e : MetricValue::Of(a.positives() / a.total() - d.positives() / d.total());
      } else {
        v = AnyEmpty() ? EmptyFacet()
                       : Difference(RateOf(kBase, a, who_a_), RateOf(kBase, d, who_d_));
      }
      MetricResult& m = Add("DPL", "clarify", kPreTraining,
                            Described("Difference in positive proportions in labels: q_a − q_d"),
                            std::move(v), "a − d", 0, true);
      AttachComparison(m, kBase, false, Kind::kDifference);
    }
    Distributions();
    if (HasStrata()) {
      std::string note;
      MetricValue v = ConditionalDisparity(false, &note);
      Add("CDDL", "clarify", kPreTraining,
          Described("Conditional demographic disparity in labels: Σ_i n_i·DD_i / Σ_i n_i, "
                    "DD_i = n_{d,i}^(0)/n_i^(0) − n_{d,i}^(1)/n_i^(1) within stratum i") +
              note,
          std::move(v), "d share of rejected − d share of accepted", 0, true);
    }
  }

  bool HasStrata() const {
    return !layout_.group_variable.empty() || !c_.d.strata.empty() || !c_.a.strata.empty();
  }

  void Distributions() {
    const bool multiclass = !compat_ && layout_.task == Task::kMulticlass &&
                            layout_.classes.size() >= 2 &&
                            (!c_.d.class_matrix.empty() || !c_.a.class_matrix.empty());
    const std::vector<double> pa = LabelDistribution(c_.a, layout_, compat_, multiclass);
    const std::vector<double> pd = LabelDistribution(c_.d, layout_, compat_, multiclass);
    std::optional<Divergences> r;
    MetricValue undefined;
    if (compat_) {
      r = CommonSupport(pa, pd);
      if (!r) {
        undefined = MetricValue::Undefined(
            "Clarify raises ValueError: No instance of common facet found, dataset may be too "
            "small");
      }
    } else if (pa.empty() || pd.empty()) {
      undefined = EmptyFacet();
    } else {
      r = FullSupport(pa, pd);
    }
    const std::string support =
        compat_      ? " over the label values with non-zero probability in both facets, not "
                       "renormalised (Clarify's code)"
        : multiclass ? " over all label classes"
                     : " over {unfavourable, favourable}";
    auto value = [&](double Divergences::*field) {
      return r ? CompatValue((*r).*field) : undefined;
    };
    const bool count_based = !multiclass;
    Add("KL", "clarify", kPreTraining,
        Described("Kullback–Leibler divergence Σ_y P_a(y) ln(P_a(y)/P_d(y)) in nats" + support +
                  (compat_ ? "" : "; +∞ when P_d(y) = 0 < P_a(y)")),
        value(&Divergences::kl), "KL(P_a ‖ P_d)", 0, count_based);
    Add("JS", "clarify", kPreTraining,
        Described("Jensen–Shannon divergence ½[KL(P_a‖M) + KL(P_d‖M)], M = ½(P_a + P_d)" + support),
        value(&Divergences::js), "symmetric", 0, count_based);
    Add("LP", "clarify", kPreTraining, Described("L2 norm (Σ_y |P_a(y) − P_d(y)|²)^½" + support),
        value(&Divergences::lp), "symmetric", 0, count_based);
    Add("TVD", "clarify", kPreTraining,
        Described("Total variation distance ½ Σ_y |P_a(y) − P_d(y)|" + support),
        value(&Divergences::tvd), "symmetric", 0, count_based);
    Add("KS", "clarify", kPreTraining,
        Described("Kolmogorov–Smirnov distance max_y |P_a(y) − P_d(y)| between the label PMFs" +
                  support),
        value(&Divergences::ks), "symmetric", 0, count_based);
  }

  // CDDL (predicted = false) or CDDPL. Clarify's CDD, with denominators within each stratum.
  MetricValue ConditionalDisparity(bool predicted, std::string* note) const {
    const size_t strata = std::max(c_.d.strata.size(), c_.a.strata.size());
    auto cell = [](const GroupSummary& g, size_t i) {
      return i < g.strata.size() ? g.strata[i] : Confusion{};
    };
    auto accepted = [predicted](const Confusion& x) {
      return predicted ? x.predicted_positives() : x.positives();
    };
    auto rejected = [predicted](const Confusion& x) {
      return predicted ? x.predicted_negatives() : x.negatives();
    };
    const char* noun = predicted ? "predicted" : "label";
    if (compat_) {
      double all_accepted = 0, all_rejected = 0;
      for (size_t i = 0; i < strata; ++i) {
        all_accepted += accepted(cell(c_.d, i)) + accepted(cell(c_.a, i));
        all_rejected += rejected(cell(c_.d, i)) + rejected(cell(c_.a, i));
      }
      if (all_accepted == 0) {
        return MetricValue::Undefined("Clarify raises ValueError: No positive labels in set");
      }
      if (all_rejected == 0) {
        return MetricValue::Undefined("Clarify raises ValueError: No negative labels in set");
      }
      double sum = 0, counts = 0;
      for (size_t i = 0; i < strata; ++i) {
        const Confusion d = cell(c_.d, i), a = cell(c_.a, i);
        const double n = d.total() + a.total();
        if (n == 0) continue;  // np.unique sees only the strata present
        const double den_a = accepted(d) + accepted(a), den_d = rejected(d) + rejected(a);
        const double share_accepted = den_a != 0 ? accepted(d) / den_a : 0;
        const double share_rejected = den_d != 0 ? rejected(d) / den_d : 0;
        sum += n * (share_rejected - share_accepted);
        counts += n;
      }
      if (!layout_.weight.empty()) *note = " (strata counts are weighted)";
      return CompatValue(ClarifyDivide(sum, counts));
    }
    if (AnyEmpty()) return EmptyFacet();
    double sum = 0, counts = 0;
    std::string left_out;
    for (size_t i = 0; i < strata; ++i) {
      const Confusion d = cell(c_.d, i), a = cell(c_.a, i);
      const double n = d.total() + a.total();
      if (n <= 0) continue;
      const double den_a = accepted(d) + accepted(a), den_d = rejected(d) + rejected(a);
      if (den_a <= 0 || den_d <= 0) {
        left_out += (left_out.empty() ? "" : ", ") + std::string("stratum #") + std::to_string(i) +
                    " has no " + noun + "-" + (den_a <= 0 ? "favourable" : "unfavourable") +
                    " rows";
        continue;
      }
      sum += n * (rejected(d) / den_d - accepted(d) / den_a);
      counts += n;
    }
    if (!left_out.empty() && !options_.skip_undefined_groups) {
      return MetricValue::Undefined("a stratum's disparity is 0/0: " + left_out);
    }
    if (counts <= 0) {
      return MetricValue::Undefined(left_out.empty() ? "no strata with rows"
                                                     : "every stratum is 0/0: " + left_out);
    }
    if (!left_out.empty()) *note = "; strata left out (0/0): " + left_out;
    return MetricValue::Of(sum / counts);
  }

  void Aif360PreTraining() {
    const std::string uses = " (AIF360's unprivileged u = d, privileged p = a)";
    // With predictions the plain names belong to the post-training versions; the label
    // versions then carry a "_labels" suffix, so a name is unique within a comparison.
    const std::string suffix = layout_.has_predictions ? "_labels" : "";
    RateDifference(
        "statistical_parity_difference" + suffix, "aif360", kPreTraining,
        "Statistical parity difference on labels: Pr(y = fav | u) − Pr(y = fav | p)" + uses, kBase,
        true)
        .orientation = "u − p";
    MetricResult& di =
        Add("disparate_impact" + suffix, "aif360", kPreTraining,
            "Disparate impact on labels: Pr(y = fav | u) / Pr(y = fav | p); +∞ when only p's rate "
            "is 0" +
                uses,
            RatioOfRates(RateOf(kBase, c_.d.weighted, who_d_), RateOf(kBase, c_.a.weighted, who_a_),
                         "base rate"),
            "u / p", 1, true);
    AttachComparison(di, kBase, true, Kind::kRatio);
  }

  void ClarifyPostTraining() {
    // DPPL
    {
      MetricValue v;
      if (compat_) {
        auto e = ClarifyEmpty("Facet set is empty.", "Negative facet set is empty.", true);
        const Confusion &a = c_.a.rows, &d = c_.d.rows;
        v = e ? *e
              : MetricValue::Of(a.predicted_positives() / a.total() -
                                d.predicted_positives() / d.total());
      } else {
        v = AnyEmpty() ? EmptyFacet()
                       : Difference(RateOf(kSelection, c_.a.weighted, who_a_),
                                    RateOf(kSelection, c_.d.weighted, who_d_));
      }
      MetricResult& m =
          Add("DPPL", "clarify", kPostTraining,
              Described("Difference in positive proportions in predicted labels: q̂_a − q̂_d"),
              std::move(v), "a − d", 0, true);
      AttachComparison(m, kSelection, false, Kind::kDifference);
    }
    // DI
    {
      MetricValue v;
      if (compat_) {
        auto e = ClarifyEmpty("Facet set is empty", "Negated facet set is empty", true);
        const Confusion &a = c_.a.rows, &d = c_.d.rows;
        v = e ? *e
              : CompatValue(ClarifyDivide(d.predicted_positives() / d.total(),
                                          a.predicted_positives() / a.total()));
      } else {
        v = AnyEmpty() ? EmptyFacet()
                       : RatioOfRates(RateOf(kSelection, c_.d.weighted, who_d_),
                                      RateOf(kSelection, c_.a.weighted, who_a_), "selection rate");
      }
      MetricResult& m =
          Add("DI", "clarify", kPostTraining,
              Described("Disparate impact: q̂_d / q̂_a; +∞ when q̂_a = 0 < q̂_d, undefined when "
                        "both are 0"),
              std::move(v), "d / a", 1, true);
      AttachComparison(m, kSelection, true, Kind::kRatio);
    }
    // DCAcc and DCR (Clarify's method codes DCA and DCR, common.DCO).
    ClarifyDifferenceOf("DCAcc",
                        "Difference in conditional acceptance (Clarify method DCA): c_a − c_d, "
                        "c = n^(1)/n̂^(1) = (tp + fn)/(tp + fp)",
                        kConditionalAcceptance, false, "DCO: ", false);
    ClarifyDifferenceOf(
        "DCR",
        "Difference in conditional rejection: r_d − r_a, r = n^(0)/n̂^(0) = (tn + fp)/(tn + fn)",
        kConditionalRejection, true, "DCO: ", false);
    // SD and RD (common.DLA), DAR and DRR (common.DLR), AD.
    ClarifyDifferenceOf("SD", "Specificity difference: TNR_d − TNR_a", kTnr, true, "DLA: ", true);
    ClarifyDifferenceOf("RD", "Recall difference: TPR_a − TPR_d", kTpr, false, "DLA: ", true);
    ClarifyDifferenceOf("DAR",
                        "Difference in acceptance rates (precision): "
                        "tp_a/(tp_a + fp_a) − tp_d/(tp_d + fp_d)",
                        kPpv, false, "DLR: ", true);
    ClarifyDifferenceOf("DRR",
                        "Difference in rejection rates (negative predictive value): "
                        "tn_d/(tn_d + fn_d) − tn_a/(tn_a + fn_a)",
                        kNpv, true, "DLR: ", true);
    ClarifyDifferenceOf("AD", "Accuracy difference: ACC_a − ACC_d", kAccuracy, false, "", true);
    ClarifyDifferenceOf("TE", "Treatment equality: FN_d/FP_d − FN_a/FP_a", kTreatment, true, "",
                        false);
    if (HasStrata()) {
      std::string note;
      MetricValue v = ConditionalDisparity(true, &note);
      Add("CDDPL", "clarify", kPostTraining,
          Described("Conditional demographic disparity in predicted labels: CDDL on ŷ") + note,
          std::move(v), "d share of rejected − d share of accepted", 0, true);
    }
  }

  // SD, RD, DAR, DRR, AD (rates: with interval and test) and DCAcc, DCR, TE (quotients that
  // are not rates). Probity: undefined when a denominator is 0 (with the reason). Clarify's
  // code: divide() makes x/0 ±∞ and 0/0 0, and ∞ − ∞ is forced to 0. Clarify raises
  // "<prefix>Facet set is empty" (d checked first) on an empty facet.
  void ClarifyDifferenceOf(std::string name, std::string description, const RateDef& quotient,
                           bool d_first, std::string_view clarify_prefix, bool is_rate) {
    MetricValue v;
    if (compat_) {
      auto e = ClarifyEmpty(std::string(clarify_prefix) + "Facet set is empty",
                            std::string(clarify_prefix) + "Negated Facet set is empty", false);
      if (e) {
        v = *e;
      } else {
        const double d =
            ClarifyDivide(quotient.numerator(c_.d.rows), quotient.denominator(c_.d.rows));
        const double a =
            ClarifyDivide(quotient.numerator(c_.a.rows), quotient.denominator(c_.a.rows));
        v = CompatValue(d_first ? ClarifyDifference(d, a) : ClarifyDifference(a, d));
      }
    } else if (AnyEmpty()) {
      v = EmptyFacet();
    } else {
      MetricValue d = RateOf(quotient, c_.d.weighted, who_d_);
      MetricValue a = RateOf(quotient, c_.a.weighted, who_a_);
      v = d_first ? Difference(d, a) : Difference(a, d);
    }
    MetricResult& m =
        Add(std::move(name), "clarify", kPostTraining, Described(std::move(description)),
            std::move(v), d_first ? "d − a" : "a − d", 0, true);
    if (is_rate) AttachComparison(m, quotient, d_first, Kind::kDifference);
  }

  void Aif360PostTraining() {
    const std::string uses = " (AIF360's unprivileged u = d, privileged p = a)";
    auto difference = [&](std::string name, std::string description, const RateDef& rate) {
      RateDifference(std::move(name), "aif360", kPostTraining, std::move(description) + uses, rate,
                     true)
          .orientation = "u − p";
    };
    difference("statistical_parity_difference",
               "Statistical parity difference: Pr(ŷ = fav | u) − Pr(ŷ = fav | p)", kSelection);
    MetricResult& di = Add(
        "disparate_impact", "aif360", kPostTraining,
        "Disparate impact: Pr(ŷ = fav | u) / Pr(ŷ = fav | p); +∞ when only p's rate is 0" + uses,
        RatioOfRates(RateOf(kSelection, c_.d.weighted, who_d_),
                     RateOf(kSelection, c_.a.weighted, who_a_), "selection rate"),
        "u / p", 1, true);
    AttachComparison(di, kSelection, true, Kind::kRatio);

    const MetricValue dtpr =
        Difference(RateOf(kTpr, c_.d.weighted, who_d_), RateOf(kTpr, c_.a.weighted, who_a_));
    const MetricValue dfpr =
        Difference(RateOf(kFpr, c_.d.weighted, who_d_), RateOf(kFpr, c_.a.weighted, who_a_));
    auto combine = [&](auto f) {
      if (!dtpr.defined() || !dfpr.defined()) {
        return MetricValue::Undefined(JoinReasons(dfpr, dtpr));
      }
      return MetricValue::Of(f(*dfpr.value, *dtpr.value));
    };
    Add("average_odds_difference", "aif360", kPostTraining,
        "Average odds difference: ½[(FPR_u − FPR_p) + (TPR_u − TPR_p)]" + uses,
        combine([](double f, double t) { return 0.5 * (f + t); }), "u − p", 0, true);
    Add("average_abs_odds_difference", "aif360", kPostTraining,
        "Average absolute odds difference: ½[|FPR_u − FPR_p| + |TPR_u − TPR_p|]" + uses,
        combine([](double f, double t) { return 0.5 * (std::fabs(f) + std::fabs(t)); }), "|u − p|",
        0, true);
    Add("equalized_odds_difference", "aif360", kPostTraining,
        "Equalized odds difference: max(|FPR_u − FPR_p|, |TPR_u − TPR_p|)" + uses,
        combine([](double f, double t) { return std::max(std::fabs(f), std::fabs(t)); }), "|u − p|",
        0, true);
    difference("equal_opportunity_difference", "Equal opportunity difference: TPR_u − TPR_p", kTpr);
    difference("error_rate_difference", "Error rate difference: ERR_u − ERR_p", kErrorRate);
    difference("false_positive_rate_difference", "False positive rate difference: FPR_u − FPR_p",
               kFpr);
    difference("false_negative_rate_difference", "False negative rate difference: FNR_u − FNR_p",
               kFnr);
    difference("false_discovery_rate_difference",
               "False discovery rate difference: FDR_u − FDR_p, FDR = fp/(tp + fp)", kFdr);
    difference("false_omission_rate_difference",
               "False omission rate difference: FOR_u − FOR_p, FOR = fn/(tn + fn)", kFor);
  }

  std::string SketchNote(const ScoreSketch& s1, const ScoreSketch& s2) const {
    const int bits = std::min(s1.precision_bits(), s2.precision_bits());
    if (bits >= ScoreSketch::kFullPrecisionBits) return "";
    return " (scores rounded to " + std::to_string(bits) + " significant bits)";
  }

  void Scores() {
    const GroupSummary &d = c_.d, &a = c_.a;
    const std::string note =
        SketchNote(d.scores[0], d.scores[1]) + SketchNote(a.scores[0], a.scores[1]);
    auto within = [](std::string_view who, MetricValue v) {
      if (!v.defined()) v.undefined_reason = std::string(who) + ": " + v.undefined_reason;
      return v;
    };
    Add("auc_difference", "probity", kScoreStage,
        "ROC AUC difference: AUC_a − AUC_d (ties count ½)" + note,
        Difference(within(who_a_, AreaUnderCurve(a.scores[1], a.scores[0])),
                   within(who_d_, AreaUnderCurve(d.scores[1], d.scores[0]))),
        "a − d", 0, false);
    Add("brier_score_difference", "probity", kScoreStage,
        "Brier score difference: Brier_d − Brier_a, Brier = Σ w (s − y)² / Σ w" + note,
        Difference(within(who_d_, BrierScore(d.scores[1], d.scores[0])),
                   within(who_a_, BrierScore(a.scores[1], a.scores[0]))),
        "d − a", 0, false);
    Add("expected_calibration_error_difference", "probity", kScoreStage,
        "Expected calibration error difference: ECE_d − ECE_a (10 equal-width bins)" + note,
        Difference(
            within(who_d_, CalibrationTable(d.scores[1], d.scores[0]).expected_calibration_error),
            within(who_a_, CalibrationTable(a.scores[1], a.scores[0]).expected_calibration_error)),
        "d − a", 0, false);
    ScoreSketch all_d = d.scores[0], all_a = a.scores[0];
    all_d.Merge(d.scores[1]);
    all_a.Merge(a.scores[1]);
    KsScores("score_ks",
             "Two-sample Kolmogorov–Smirnov statistic sup_t |F_d(t) − F_a(t)| between the groups' "
             "score distributions (ECDFs)",
             all_d, all_a, kScoreStage);
  }

  void KsScores(std::string name, std::string description, const ScoreSketch& d,
                const ScoreSketch& a, std::string_view stage) {
    KsResult ks = KolmogorovSmirnov(d, a);
    if (!ks.statistic.defined()) {
      ks.statistic.undefined_reason = (d.total_weight() <= 0 ? who_d_ : who_a_) + " has no values";
    }
    MetricResult& m =
        Add(std::move(name), "probity", stage, std::move(description) + SketchNote(d, a),
            std::move(ks.statistic), "symmetric", 0, false);
    if (m.value.defined() && ks.p_value.defined()) {
      m.test = TestResult{.test = "kolmogorov-smirnov-asymptotic",
                          .statistic = *m.value.value,
                          .p_value = *ks.p_value.value};
    }
  }

  void Regression() {
    auto mean = [](const RegressionSums& r, double RegressionSums::*field, std::string_view who) {
      if (r.weight <= 0) {
        return MetricValue::Undefined("0/0: " + std::string(who) +
                                      " has no rows with both a label and a prediction");
      }
      return MetricValue::Of(r.*field / r.weight);
    };
    const RegressionSums &d = c_.d.regression, &a = c_.a.regression;
    const MetricValue mean_d = mean(d, &RegressionSums::prediction, who_d_);
    const MetricValue mean_a = mean(a, &RegressionSums::prediction, who_a_);
    Add("mean_prediction_difference", "probity", kRegressionStage,
        "Mean prediction difference: mean(ŷ | d) − mean(ŷ | a)", Difference(mean_d, mean_a),
        "d − a", 0, false);
    MetricValue ratio;
    if (!mean_d.defined() || !mean_a.defined()) {
      ratio = MetricValue::Undefined(JoinReasons(mean_d, mean_a));
    } else if (*mean_a.value == 0) {
      ratio = MetricValue::Undefined("x/0: the mean prediction of " + who_a_ + " is 0");
    } else {
      ratio = MetricValue::Of(*mean_d.value / *mean_a.value);
    }
    Add("mean_prediction_ratio", "probity", kRegressionStage,
        "Mean prediction ratio: mean(ŷ | d) / mean(ŷ | a)", std::move(ratio), "d / a", 1, false);
    Add("mae_difference", "probity", kRegressionStage,
        "Mean absolute error difference: MAE_d − MAE_a",
        Difference(mean(d, &RegressionSums::absolute_error, who_d_),
                   mean(a, &RegressionSums::absolute_error, who_a_)),
        "d − a", 0, false);
    auto root = [](MetricValue v) {
      if (v.defined()) v.value = std::sqrt(*v.value);
      return v;
    };
    Add("rmse_difference", "probity", kRegressionStage,
        "Root mean squared error difference: RMSE_d − RMSE_a",
        Difference(root(mean(d, &RegressionSums::squared_error, who_d_)),
                   root(mean(a, &RegressionSums::squared_error, who_a_))),
        "d − a", 0, false);
    KsScores("prediction_ks",
             "Two-sample Kolmogorov–Smirnov statistic sup_t |F_d(t) − F_a(t)| between the groups' "
             "prediction distributions",
             c_.d.scores[0], c_.a.scores[0], kRegressionStage);
  }

  const Comparison& c_;
  const StatisticsLayout& layout_;
  const MetricOptions& options_;
  const bool compat_;
  const std::string who_d_, who_a_;
  std::vector<MetricResult> out_;
};

// ---- Multi-group aggregates --------------------------------------------------------------

struct GroupValue {
  const std::string* group;
  MetricValue value;
};

// The groups' values, or why the aggregate is undefined; `left_out` lists the groups whose
// value is undefined when the options allow skipping them.
struct Collected {
  std::vector<double> values;
  std::string left_out;
  std::optional<MetricValue> undefined;
};

Collected Collect(const std::vector<GroupValue>& per_group, const MetricOptions& options) {
  Collected c;
  std::string reasons;
  for (const GroupValue& g : per_group) {
    if (g.value.defined()) {
      c.values.push_back(*g.value.value);
    } else {
      reasons += (reasons.empty() ? "" : "; ") + g.value.undefined_reason;
    }
  }
  if (!reasons.empty() && !options.skip_undefined_groups) {
    c.undefined = MetricValue::Undefined("undefined for some groups: " + reasons);
  } else if (c.values.size() < 2) {
    c.undefined =
        MetricValue::Undefined("fewer than two groups with a defined value" +
                               (reasons.empty() ? std::string() : " (left out: " + reasons + ")"));
  } else if (!reasons.empty()) {
    c.left_out = "; left out: " + reasons;
  }
  return c;
}

MetricValue MaxMinusMin(const Collected& c) {
  if (c.undefined) return *c.undefined;
  const auto [lo, hi] = std::minmax_element(c.values.begin(), c.values.end());
  return MetricValue::Of(*hi - *lo);
}

MetricValue MinOverMax(const Collected& c, std::string_view what) {
  if (c.undefined) return *c.undefined;
  const auto [lo, hi] = std::minmax_element(c.values.begin(), c.values.end());
  if (*hi == 0) return MetricValue::Undefined("0/0: every group's " + std::string(what) + " is 0");
  return MetricValue::Of(*lo / *hi);
}

MetricValue MaxDistanceToOverall(const Collected& c, const MetricValue& overall) {
  if (c.undefined) return *c.undefined;
  if (!overall.defined()) return MetricValue::Undefined("overall: " + overall.undefined_reason);
  double worst = 0;
  for (double v : c.values) worst = std::max(worst, std::fabs(v - *overall.value));
  return MetricValue::Of(worst);
}

// Fairlearn's ratio(method='to_overall'): min over groups of m_g/m_all, inverted when > 1.
MetricValue MinRatioToOverall(const Collected& c, const MetricValue& overall,
                              std::string_view what) {
  if (c.undefined) return *c.undefined;
  if (!overall.defined()) return MetricValue::Undefined("overall: " + overall.undefined_reason);
  if (*overall.value == 0) {
    return MetricValue::Undefined("x/0: the overall " + std::string(what) + " is 0");
  }
  double worst = 1;
  for (double v : c.values) {
    double r = v / *overall.value;
    if (r > 1) r = 1 / r;
    worst = std::min(worst, r);
  }
  return MetricValue::Of(worst);
}

class MultiGroupBuilder {
 public:
  MultiGroupBuilder(std::span<const GroupSummary> groups, const GroupSummary& overall,
                    const StatisticsLayout& layout, const MetricOptions& options)
      : groups_(groups), overall_(overall), layout_(layout), options_(options) {}

  std::vector<MetricResult> Build() {
    if (layout_.task == Task::kRegression) {
      Regression();
      return std::move(out_);
    }
    ChiSquare(false);
    Sedf();
    if (layout_.has_predictions) {
      Fairlearn();
      ChiSquare(true);
      BetweenGroupEntropy();
    }
    return std::move(out_);
  }

 private:
  MetricResult& Add(std::string name, std::string_view source, std::string description,
                    MetricValue value, std::string orientation, double ideal, bool count_based) {
    MetricResult& m = out_.emplace_back();
    m.name = std::move(name);
    m.source = source;
    m.stage = kMultiGroup;
    m.description = std::move(description);
    m.value = std::move(value);
    m.orientation = std::move(orientation);
    m.ideal = ideal;
    m.count_based = count_based;
    return m;
  }

  std::vector<GroupValue> PerGroup(const RateDef& rate) const {
    std::vector<GroupValue> values;
    for (const GroupSummary& g : groups_) {
      values.push_back({&g.name, RateOf(rate, g.weighted, GroupLabel("group", g.name))});
    }
    return values;
  }

  void Fairlearn() {
    const Collected selection = Collect(PerGroup(kSelection), options_);
    const Collected tpr = Collect(PerGroup(kTpr), options_);
    const Collected fpr = Collect(PerGroup(kFpr), options_);
    const Collected accuracy = Collect(PerGroup(kAccuracy), options_);

    Add("demographic_parity_difference", "fairlearn",
        "Demographic parity difference: max_g − min_g of the selection rate" + selection.left_out,
        MaxMinusMin(selection), "max − min", 0, true);
    Add("demographic_parity_ratio", "fairlearn",
        "Demographic parity ratio: min_g / max_g of the selection rate" + selection.left_out,
        MinOverMax(selection, "selection rate"), "min / max", 1, true);

    const MetricValue tpr_diff = MaxMinusMin(tpr), fpr_diff = MaxMinusMin(fpr);
    const MetricValue tpr_ratio = MinOverMax(tpr, "TPR"), fpr_ratio = MinOverMax(fpr, "FPR");
    auto both = [](const MetricValue& x, const MetricValue& y, auto f) {
      if (!x.defined() || !y.defined()) return MetricValue::Undefined(JoinReasons(x, y));
      return MetricValue::Of(f(*x.value, *y.value));
    };
    const std::string odds_note = tpr.left_out + fpr.left_out;
    Add("equalized_odds_difference", "fairlearn",
        "Equalized odds difference (worst_case): max(TPR max − min, FPR max − min)" + odds_note,
        both(tpr_diff, fpr_diff, [](double t, double f) { return std::max(t, f); }), "max − min", 0,
        true);
    Add("equalized_odds_difference_mean", "fairlearn",
        "Equalized odds difference (agg='mean'): ½(TPR max − min + FPR max − min)" + odds_note,
        both(tpr_diff, fpr_diff, [](double t, double f) { return 0.5 * (t + f); }), "max − min", 0,
        true);
    Add("equalized_odds_ratio", "fairlearn",
        "Equalized odds ratio (worst_case): min(TPR min/max, FPR min/max)" + odds_note,
        both(tpr_ratio, fpr_ratio, [](double t, double f) { return std::min(t, f); }), "min / max",
        1, true);
    Add("equalized_odds_ratio_mean", "fairlearn",
        "Equalized odds ratio (agg='mean'): ½(TPR min/max + FPR min/max)" + odds_note,
        both(tpr_ratio, fpr_ratio, [](double t, double f) { return 0.5 * (t + f); }), "min / max",
        1, true);
    Add("equal_opportunity_difference", "fairlearn",
        "Equal opportunity difference: max_g − min_g of the TPR" + tpr.left_out, tpr_diff,
        "max − min", 0, true);
    Add("equal_opportunity_ratio", "fairlearn",
        "Equal opportunity ratio: min_g / max_g of the TPR" + tpr.left_out, tpr_ratio, "min / max",
        1, true);

    struct Base {
      const char* name;
      const RateDef* rate;
      const Collected* values;
    };
    const Base bases[] = {{"selection_rate", &kSelection, &selection},
                          {"accuracy_score", &kAccuracy, &accuracy},
                          {"true_positive_rate", &kTpr, &tpr},
                          {"false_positive_rate", &kFpr, &fpr}};
    for (const Base& b : bases) {
      const std::string name = b.name;
      const std::string what = b.rate->name;
      const MetricValue all = RateOf(*b.rate, overall_.weighted, "all rows");
      const std::string& note = b.values->left_out;
      Add(name + "_difference", "fairlearn", "Between groups: max_g − min_g of the " + what + note,
          MaxMinusMin(*b.values), "max − min", 0, true);
      Add(name + "_ratio", "fairlearn", "Between groups: min_g / max_g of the " + what + note,
          MinOverMax(*b.values, what), "min / max", 1, true);
      Add(name + "_difference_to_overall", "fairlearn",
          "To overall: max_g |m_g − m_all| of the " + what + note,
          MaxDistanceToOverall(*b.values, all), "max |g − all|", 0, true);
      Add(name + "_ratio_to_overall", "fairlearn",
          "To overall: min_g of m_g/m_all (inverted when > 1) of the " + what + note,
          MinRatioToOverall(*b.values, all, what), "min g / all", 1, true);
    }
  }

  // Pearson's chi-square test of independence of the outcome across the groups, on row
  // counts; groups without rows are dropped by the test.
  void ChiSquare(bool predicted) {
    std::vector<std::vector<double>> table;
    for (const GroupSummary& g : groups_) {
      const Confusion& r = g.rows;
      table.push_back(predicted
                          ? std::vector<double>{r.predicted_positives(), r.predicted_negatives()}
                          : std::vector<double>{r.positives(), r.negatives()});
    }
    const TestResult test = ChiSquareIndependence(table);
    // Unique names: the label version is suffixed when the predicted one is also reported.
    const std::string name = std::string("chi_square_independence") +
                             (!predicted && layout_.has_predictions ? "_labels" : "");
    MetricResult& m = Add(name, "probity",
                          std::string("Pearson's chi-square test of independence of the ") +
                              (predicted ? "predicted outcome" : "label") +
                              " across the groups (row counts); the value is X²",
                          test.degrees_of_freedom.value_or(0) > 0
                              ? MetricValue::Of(test.statistic)
                              : MetricValue::Undefined(
                                    "nothing to test: fewer than two groups or outcomes with rows"),
                          "symmetric", 0, true);
    m.test = test;
  }

  // Foulds et al. 2020, as AIF360 codes it: θ_s = (N_s^+ + c/2)/(N_s + c) over the groups
  // with rows; ε = max over pairs of max(|ln θ_s − ln θ_t|, |ln(1 − θ_s) − ln(1 − θ_t)|).
  MetricValue Epsilon(bool predicted, std::string* note) const {
    const double c = options_.sedf_concentration;
    if (!(c >= 0)) return MetricValue::Undefined("the concentration must be non-negative");
    std::vector<double> theta;
    std::string empty;
    for (const GroupSummary& g : groups_) {
      const Confusion& w = g.weighted;
      if (w.total() <= 0) {
        empty += (empty.empty() ? "" : ", ") + g.name;
        continue;
      }
      const double favourable = predicted ? w.predicted_positives() : w.positives();
      theta.push_back((favourable + c / 2) / (w.total() + c));
    }
    if (!empty.empty()) *note = "; groups without rows left out (as AIF360): " + empty;
    if (theta.size() < 2) return MetricValue::Undefined("fewer than two groups with rows");
    auto log_distance = [](double x, double y) {
      return x == y ? 0.0 : std::fabs(std::log(x) - std::log(y));
    };
    double epsilon = 0;
    for (size_t i = 0; i < theta.size(); ++i) {
      for (size_t j = i + 1; j < theta.size(); ++j) {
        epsilon = std::max(
            {epsilon, log_distance(theta[i], theta[j]), log_distance(1 - theta[i], 1 - theta[j])});
      }
    }
    return MetricValue::Of(epsilon);
  }

  void Sedf() {
    std::string note_labels, note_predictions;
    const MetricValue labels = Epsilon(false, &note_labels);
    Add(std::string("smoothed_empirical_differential_fairness") +
            (layout_.has_predictions ? "_labels" : ""),
        "aif360",
        "Smoothed empirical differential fairness ε on labels (concentration " +
            Count(options_.sedf_concentration) + ")" + note_labels,
        labels, "max over group pairs", 0, true);
    if (!layout_.has_predictions) return;
    const MetricValue predictions = Epsilon(true, &note_predictions);
    Add("smoothed_empirical_differential_fairness", "aif360",
        "Smoothed empirical differential fairness ε on predictions (concentration " +
            Count(options_.sedf_concentration) + ")" + note_predictions,
        predictions, "max over group pairs", 0, true);
    Add("differential_fairness_bias_amplification", "aif360",
        "Differential fairness bias amplification: ε(predictions) − ε(labels)",
        Difference(predictions, labels), "predictions − labels", 0, true);
  }

  void BetweenGroupEntropy() {
    std::vector<Benefit> means;
    for (const GroupSummary& g : groups_) {
      const Confusion& r = g.rows;
      if (r.total() <= 0) continue;  // AIF360 skips groups without members
      means.push_back({(r.tp + r.tn + 2 * r.fp) / r.total(), r.total()});
    }
    const std::string why = means.size() < groups_.size() ? " (groups without rows left out)" : "";
    Add("between_group_generalized_entropy_index", "aif360",
        "Between-group generalized entropy index, α = " + Count(options_.ge_alpha) +
            ": GE of b = ŷ − y + 1 with each b replaced by its group's mean (row counts)" + why,
        GeneralizedEntropy(means, options_.ge_alpha), "inequality", 0, true);
    Add("between_group_theil_index", "aif360",
        "Between-group Theil index: the between-group GE with α = 1 (row counts)" + why,
        GeneralizedEntropy(means, 1), "inequality", 0, true);
  }

  void Regression() {
    std::vector<GroupValue> mse, mean;
    for (const GroupSummary& g : groups_) {
      const RegressionSums& r = g.regression;
      const std::string who = GroupLabel("group", g.name);
      if (r.weight <= 0) {
        const MetricValue none =
            MetricValue::Undefined("0/0: " + who + " has no rows with a label and a prediction");
        mse.push_back({&g.name, none});
        mean.push_back({&g.name, none});
        continue;
      }
      mse.push_back({&g.name, MetricValue::Of(r.squared_error / r.weight)});
      mean.push_back({&g.name, MetricValue::Of(r.prediction / r.weight)});
    }
    const Collected losses = Collect(mse, options_);
    MetricValue worst =
        losses.undefined
            ? *losses.undefined
            : MetricValue::Of(*std::max_element(losses.values.begin(), losses.values.end()));
    std::string flagged;
    if (options_.bounded_group_loss > 0) {
      for (const GroupValue& g : mse) {
        if (g.value.defined() && *g.value.value > options_.bounded_group_loss) {
          flagged += (flagged.empty() ? "" : ", ") + *g.group;
        }
      }
      flagged = "; groups above the bound " + Count(options_.bounded_group_loss) + ": " +
                (flagged.empty() ? "none" : flagged);
    }
    Add("bounded_group_loss", "fairlearn",
        "Bounded group loss: max_g of the group's mean squared error" + losses.left_out + flagged,
        std::move(worst), "max over groups", 0, false);
    const Collected means = Collect(mean, options_);
    Add("mean_prediction_difference", "probity",
        "Between groups: max_g − min_g of the mean prediction" + means.left_out, MaxMinusMin(means),
        "max − min", 0, false);
  }

  std::span<const GroupSummary> groups_;
  const GroupSummary& overall_;
  const StatisticsLayout& layout_;
  const MetricOptions& options_;
  std::vector<MetricResult> out_;
};

}  // namespace

GroupRates RatesOf(const GroupSummary& group, const MetricOptions& options) {
  GroupRates r;
  r.weighted = group.weighted;
  r.rows = group.rows;
  r.n = group.weighted.total();
  const Confusion& c = group.weighted;
  constexpr std::string_view who = "the group";
  r.selection_rate = RateOf(kSelection, c, who);
  r.tpr = RateOf(kTpr, c, who);
  r.fpr = RateOf(kFpr, c, who);
  r.tnr = RateOf(kTnr, c, who);
  r.fnr = RateOf(kFnr, c, who);
  r.ppv = RateOf(kPpv, c, who);
  r.npv = RateOf(kNpv, c, who);
  r.accuracy = RateOf(kAccuracy, c, who);
  r.base_rate = RateOf(kBase, c, who);
  const Confusion& rows = group.rows;
  r.selection_rate_interval =
      RateInterval(options.intervals, rows.predicted_positives(), rows.total(), options.confidence);
  r.base_rate_interval =
      RateInterval(options.intervals, rows.positives(), rows.total(), options.confidence);
  return r;
}

std::vector<MetricResult> PairMetrics(const Comparison& comparison, const StatisticsLayout& layout,
                                      const MetricOptions& options) {
  return PairBuilder(comparison, layout, options).Build();
}

std::vector<MetricResult> MultiGroupMetrics(std::span<const GroupSummary> groups,
                                            const GroupSummary& overall,
                                            const StatisticsLayout& layout,
                                            const MetricOptions& options) {
  return MultiGroupBuilder(groups, overall, layout, options).Build();
}

std::vector<MetricResult> DatasetMetrics(const GroupSummary& overall,
                                         const StatisticsLayout& layout,
                                         const MetricOptions& options) {
  std::vector<MetricResult> out;
  if (layout.task == Task::kRegression || !layout.has_predictions) return out;
  const std::vector<Benefit> b = BenefitsOf(overall.rows);
  const double alpha = options.ge_alpha;
  auto add = [&](std::string name, std::string_view source, std::string description,
                 MetricValue value) {
    MetricResult& m = out.emplace_back();
    m.name = std::move(name);
    m.source = source;
    m.stage = kDatasetStage;
    m.description = std::move(description);
    m.value = std::move(value);
    m.orientation = "inequality";
    m.ideal = 0;
    m.count_based = true;
  };
  const std::string on_b =
      " of b = ŷ − y + 1 ∈ {0 (FN), 1 (TP, TN), 2 (FP)}, on row counts (instance weights "
      "ignored, as the tools do)";
  MetricValue ge = GeneralizedEntropy(b, alpha);
  if (options.clarify_compat) {
    const Confusion& r = overall.rows;
    if (alpha == 0 || alpha == 1) {
      ge = MetricValue::Undefined(
          "Clarify raises NotImplementedError: Not implemented for alpha 0 or 1.");
    } else if (r.total() == 0) {
      ge = MetricValue::Undefined("Clarify raises ValueError: dataset must be non-empty");
    } else if (r.tp + r.tn + r.fp == 0) {
      ge = MetricValue::Undefined(
          "Clarify raises ValueError: All predicted labels are false negatives. There should be "
          "at least one prediction that is not false negative.");
    }
  }
  add("GE", "clarify",
      "Generalized entropy, α = " + Count(alpha) + on_b +
          (options.clarify_compat ? " [Clarify-compatible]" : ""),
      std::move(ge));
  add("generalized_entropy_index", "aif360",
      "Generalized entropy index, α = " + Count(alpha) + on_b, GeneralizedEntropy(b, alpha));
  add("theil_index", "aif360", "Theil index: the generalized entropy index with α = 1" + on_b,
      GeneralizedEntropy(b, 1));
  MetricValue cv = GeneralizedEntropy(b, 2);
  if (cv.defined()) cv.value = 2 * std::sqrt(*cv.value);
  add("coefficient_of_variation", "aif360",
      "Coefficient of variation as AIF360 codes it: 2·√GE(2) (= √2·σ/μ)" + on_b, std::move(cv));
  return out;
}

}  // namespace probity::fairness
