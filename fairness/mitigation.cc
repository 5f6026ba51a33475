#include "fairness/mitigation.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

namespace probity::fairness {
namespace {

// Rates computed by different divisions may differ in the last bits although equal; the
// search and the feasibility check allow this much on either side.
constexpr double kRateSlack = 1e-12;
// Steps the equalized-odds pair sweep may take before its TPR bounds are thinned.
constexpr double kPairSweepBudget = 1e8;

MetricValue Quotient(double numerator, double denominator, const char* reason) {
  if (denominator <= 0) return MetricValue::Undefined(reason);
  return MetricValue::Of(numerator / denominator);
}

// One group's candidate thresholds, ascending (−∞ first), with the weight predicted
// favourable among the favourable-label (tp) and unfavourable-label (fp) rows.
struct GroupCurve {
  double positives = 0, negatives = 0;
  std::vector<double> thresholds, tp, fp;

  size_t size() const { return thresholds.size(); }
  double correct(size_t i) const { return tp[i] + negatives - fp[i]; }
  double total() const { return positives + negatives; }
};

GroupCurve BuildCurve(const GroupSummary& group) {
  GroupCurve curve;
  auto negative = group.scores[0].entries();
  auto positive = group.scores[1].entries();
  curve.negatives = group.scores[0].total_weight();
  curve.positives = group.scores[1].total_weight();
  curve.thresholds.push_back(-std::numeric_limits<double>::infinity());
  curve.tp.push_back(curve.positives);
  curve.fp.push_back(curve.negatives);
  double tp = curve.positives, fp = curve.negatives;
  size_t i = 0, j = 0;
  while (i < positive.size() || j < negative.size()) {
    double value = std::min(i < positive.size() ? positive[i].value : HUGE_VAL,
                            j < negative.size() ? negative[j].value : HUGE_VAL);
    while (i < positive.size() && positive[i].value == value) tp -= positive[i++].weight;
    while (j < negative.size() && negative[j].value == value) fp -= negative[j++].weight;
    curve.thresholds.push_back(value);
    // Exact zero once every row is at or below the threshold (no rounding residue).
    curve.tp.push_back(i == positive.size() ? 0 : tp);
    curve.fp.push_back(j == negative.size() ? 0 : fp);
  }
  return curve;
}

// The rates a constraint bounds, each nonincreasing along a curve's candidates; empty when
// the group is unconstrained in that rate (its denominator is 0).
struct ConstrainedRates {
  std::vector<double> outer;  // equalized odds: TPR; otherwise unused
  std::vector<double> inner;  // selection rate, TPR, or (equalized odds) FPR
};

std::vector<double> RateAlong(const GroupCurve& c, double (*rate)(const GroupCurve&, size_t)) {
  std::vector<double> out(c.size());
  for (size_t i = 0; i < c.size(); ++i) out[i] = rate(c, i);
  return out;
}
double SelectionRateAt(const GroupCurve& c, size_t i) { return (c.tp[i] + c.fp[i]) / c.total(); }
double TprAt(const GroupCurve& c, size_t i) { return c.tp[i] / c.positives; }
double FprAt(const GroupCurve& c, size_t i) { return c.fp[i] / c.negatives; }

ConstrainedRates RatesFor(const GroupCurve& c, Constraint constraint) {
  ConstrainedRates r;
  switch (constraint) {
    case Constraint::kDemographicParity: r.inner = RateAlong(c, SelectionRateAt); break;
    case Constraint::kEqualOpportunity:
      if (c.positives > 0) r.inner = RateAlong(c, TprAt);
      break;
    case Constraint::kEqualizedOdds:
      if (c.positives > 0) r.outer = RateAlong(c, TprAt);
      if (c.negatives > 0) r.inner = RateAlong(c, FprAt);
      break;
  }
  return r;
}

// The candidates [first, end) whose nonincreasing `rate` lies in
// [bound − slack, bound + tolerance + slack]; all of them when `rate` is empty.
std::pair<size_t, size_t> Window(const std::vector<double>& rate, size_t size, double bound,
                                 double tolerance) {
  if (rate.empty()) return {0, size};
  size_t first = 0;
  while (first < size && rate[first] > bound + tolerance + kRateSlack) ++first;
  size_t end = first;
  while (end < size && rate[end] >= bound - kRateSlack) ++end;
  return {first, end};
}

// The sorted distinct values of one rate over all groups constrained in it.
std::vector<double> Bounds(const std::vector<ConstrainedRates>& rates, bool outer) {
  std::vector<double> values;
  for (const ConstrainedRates& r : rates) {
    const std::vector<double>& v = outer ? r.outer : r.inner;
    values.insert(values.end(), v.begin(), v.end());
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

struct Choice {
  double objective = -1;  // total correct weight; −1 = none feasible yet
  double outer_bound = 0, inner_bound = 0;
};

// For one outer bound, sweeps the inner bounds (descending, so every group's window slides
// towards higher thresholds) with a monotone deque per group.
void SweepInner(const std::vector<GroupCurve>& curves, const std::vector<ConstrainedRates>& rates,
                const std::vector<double>& inner_bounds, double outer_bound, double tolerance,
                Choice& best) {
  const size_t steps = std::max<size_t>(inner_bounds.size(), 1);
  std::vector<double> total(steps, 0);
  std::vector<char> feasible(steps, 1);
  for (size_t g = 0; g < curves.size(); ++g) {
    const GroupCurve& c = curves[g];
    auto [outer_first, outer_end] = Window(rates[g].outer, c.size(), outer_bound, tolerance);
    if (outer_first >= outer_end) {
      std::fill(feasible.begin(), feasible.end(), 0);
      return;
    }
    const std::vector<double>& rate = rates[g].inner;
    std::deque<size_t> window;  // candidate indices, correct() decreasing from the front
    size_t first = 0, end = 0;  // inner window [first, end)
    size_t pushed = outer_first;
    for (size_t k = 0; k < steps; ++k) {
      if (rate.empty() || inner_bounds.empty()) {
        first = 0;
        end = c.size();
      } else {
        double bound = inner_bounds[inner_bounds.size() - 1 - k];
        while (first < c.size() && rate[first] > bound + tolerance + kRateSlack) ++first;
        while (end < c.size() && rate[end] >= bound - kRateSlack) ++end;
      }
      size_t lo = std::max(first, outer_first);
      size_t hi_end = std::min(end, outer_end);
      for (; pushed < hi_end; ++pushed) {
        while (!window.empty() && c.correct(window.back()) < c.correct(pushed)) window.pop_back();
        window.push_back(pushed);
      }
      while (!window.empty() && window.front() < lo) window.pop_front();
      if (lo >= hi_end || window.empty()) {
        feasible[k] = 0;
      } else {
        total[k] += c.correct(window.front());
      }
    }
  }
  for (size_t k = 0; k < steps; ++k) {
    if (feasible[k] && total[k] > best.objective) {
      best.objective = total[k];
      best.outer_bound = outer_bound;
      best.inner_bound = inner_bounds.empty() ? 0 : inner_bounds[inner_bounds.size() - 1 - k];
    }
  }
}

// max − min over the defined values; undefined when none is.
MetricValue Spread(const std::vector<MetricValue>& values, const char* reason) {
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (const MetricValue& v : values) {
    if (!v.defined()) continue;
    lo = std::min(lo, *v.value);
    hi = std::max(hi, *v.value);
  }
  if (lo > hi) return MetricValue::Undefined(reason);
  return MetricValue::Of(hi - lo);
}

// Fills the group's rates for (tp, fp) and returns its correct weight.
double Describe(const GroupCurve& c, double tp, double fp, GroupThreshold& out) {
  out.selection_rate = Quotient(tp + fp, c.total(), "no scored rows in the group");
  out.tpr = Quotient(tp, c.positives, "no favourable labels in the group");
  out.fpr = Quotient(fp, c.negatives, "no unfavourable labels in the group");
  out.accuracy = Quotient(tp + c.negatives - fp, c.total(), "no scored rows in the group");
  return tp + c.negatives - fp;
}

MetricValue Disparity(const std::vector<GroupThreshold>& groups, Constraint constraint) {
  std::vector<MetricValue> selection, tpr, fpr;
  for (const GroupThreshold& g : groups) {
    selection.push_back(g.selection_rate);
    tpr.push_back(g.tpr);
    fpr.push_back(g.fpr);
  }
  switch (constraint) {
    case Constraint::kDemographicParity: return Spread(selection, "no group has scored rows");
    case Constraint::kEqualOpportunity: return Spread(tpr, "no group has favourable labels");
    case Constraint::kEqualizedOdds: {
      MetricValue t = Spread(tpr, "no group has favourable labels");
      MetricValue f = Spread(fpr, "no group has unfavourable labels");
      if (!t.defined()) return f;
      if (!f.defined()) return t;
      return MetricValue::Of(std::max(*t.value, *f.value));
    }
  }
  return MetricValue::Undefined("unknown constraint");
}

}  // namespace

std::vector<ReweighingCell> Reweighing(const std::vector<GroupSummary>& groups) {
  double total = 0, favourable = 0;
  for (const GroupSummary& g : groups) {
    total += g.weighted.total();
    favourable += g.weighted.positives();
  }
  const double label_weight[2] = {total - favourable, favourable};
  std::vector<ReweighingCell> cells;
  for (const GroupSummary& g : groups) {
    for (bool fav : {true, false}) {
      ReweighingCell cell{.group = g.name, .favourable = fav};
      cell.weight = fav ? g.weighted.positives() : g.weighted.negatives();
      if (cell.weight <= 0) {
        cell.factor =
            MetricValue::Undefined(std::string("empty cell: no ") +
                                   (fav ? "favourable" : "unfavourable") + " labels in the group");
      } else {
        cell.factor =
            MetricValue::Of(g.weighted.total() * label_weight[fav] / (total * cell.weight));
      }
      cells.push_back(std::move(cell));
    }
  }
  return cells;
}

std::string_view ConstraintName(Constraint constraint) {
  switch (constraint) {
    case Constraint::kDemographicParity: return "demographic_parity";
    case Constraint::kEqualOpportunity: return "equal_opportunity";
    case Constraint::kEqualizedOdds: return "equalized_odds";
  }
  return "unknown";
}

ThresholdPlan OptimizeThresholds(const std::vector<GroupSummary>& groups, Constraint constraint,
                                 double tolerance, double baseline_threshold) {
  ThresholdPlan plan{
      .constraint = constraint, .tolerance = tolerance, .baseline_threshold = baseline_threshold};
  std::vector<GroupCurve> curves;
  std::vector<ConstrainedRates> rates;
  std::vector<size_t> scored;  // indices into `groups` of groups with scores
  for (size_t g = 0; g < groups.size(); ++g) {
    GroupCurve curve = BuildCurve(groups[g]);
    if (curve.total() <= 0) continue;
    rates.push_back(RatesFor(curve, constraint));
    curves.push_back(std::move(curve));
    scored.push_back(g);
  }

  // Baseline: one threshold for everyone.
  std::vector<GroupThreshold> baseline(groups.size());
  double baseline_correct = 0, weight = 0;
  for (size_t s = 0; s < scored.size(); ++s) {
    const GroupSummary& g = groups[scored[s]];
    baseline_correct += Describe(curves[s], g.scores[1].WeightAbove(baseline_threshold),
                                 g.scores[0].WeightAbove(baseline_threshold), baseline[scored[s]]);
    weight += curves[s].total();
  }
  plan.baseline_accuracy = Quotient(baseline_correct, weight, "no group has scored rows");
  plan.baseline_disparity = Disparity(baseline, constraint);

  std::vector<double> outer_bounds = Bounds(rates, /*outer=*/true);
  std::vector<double> inner_bounds = Bounds(rates, /*outer=*/false);
  size_t candidates = 0;
  for (const GroupCurve& c : curves) candidates += c.size();
  double steps_per_outer = static_cast<double>(curves.size()) *
                               static_cast<double>(std::max<size_t>(inner_bounds.size(), 1)) +
                           static_cast<double>(candidates);
  size_t stride = 1;
  if (outer_bounds.size() * steps_per_outer > kPairSweepBudget) {
    stride =
        static_cast<size_t>(std::ceil(outer_bounds.size() * steps_per_outer / kPairSweepBudget));
    plan.exact = false;
    plan.search_note = "the TPR lower bound was swept over every " + std::to_string(stride) +
                       "th of " + std::to_string(outer_bounds.size()) +
                       " distinct values (budget of 10^8 steps); the plan is optimal among "
                       "threshold sets whose smallest TPR is one of them";
  }

  Choice best;
  const bool valid_tolerance = tolerance >= 0;  // false for NaN too
  if (!curves.empty() && valid_tolerance) {
    if (outer_bounds.empty()) {
      SweepInner(curves, rates, inner_bounds, 0, tolerance, best);
    } else {
      for (size_t i = 0; i < outer_bounds.size(); i += stride) {
        SweepInner(curves, rates, inner_bounds, outer_bounds[i], tolerance, best);
      }
    }
  }
  plan.feasible = best.objective >= 0;

  plan.groups.resize(groups.size());
  double correct = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    plan.groups[g] = baseline[g];
    plan.groups[g].group = groups[g].name;
    plan.groups[g].threshold = baseline_threshold;
    if (groups[g].scores[0].total_weight() + groups[g].scores[1].total_weight() <= 0) {
      plan.groups[g].selection_rate = plan.groups[g].tpr = plan.groups[g].fpr =
          plan.groups[g].accuracy = MetricValue::Undefined("no scores in the group");
    }
  }
  for (size_t s = 0; s < scored.size() && plan.feasible; ++s) {
    const GroupCurve& c = curves[s];
    auto [outer_first, outer_end] = Window(rates[s].outer, c.size(), best.outer_bound, tolerance);
    auto [inner_first, inner_end] = Window(rates[s].inner, c.size(), best.inner_bound, tolerance);
    size_t pick = std::max(outer_first, inner_first);
    for (size_t i = pick; i < std::min(outer_end, inner_end); ++i) {
      if (c.correct(i) > c.correct(pick)) pick = i;
    }
    GroupThreshold& out = plan.groups[scored[s]];
    out.threshold = c.thresholds[pick];
    correct += Describe(c, c.tp[pick], c.fp[pick], out);
  }
  if (plan.feasible) {
    plan.accuracy = Quotient(correct, weight, "no group has scored rows");
    plan.disparity = Disparity(plan.groups, constraint);
  } else {
    plan.accuracy =
        MetricValue::Undefined(!valid_tolerance ? "the tolerance is not a non-negative number"
                               : curves.empty() ? "no group has scores"
                                                : "no threshold set within tolerance");
    plan.disparity = plan.accuracy;
  }
  return plan;
}

}  // namespace probity::fairness
