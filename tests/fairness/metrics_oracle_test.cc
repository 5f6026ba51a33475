// A slow, obviously correct oracle for fairness/metrics.h: random small row-level datasets
// (group, stratum, label, prediction, weight), each metric computed by counting rows with a
// predicate and applying its formula, compared with PairMetrics / MultiGroupMetrics /
// DatasetMetrics on the group summaries built from the same rows — in Probity's correct mode
// and in Clarify-compatible mode (whose oracle follows smclarify's code: len() counts,
// divide() with 0/0 → 0 and x/0 → ±∞, common-support PMFs).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fairness/metrics.h"

namespace probity::fairness {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
using Value = std::optional<double>;  // nullopt = undefined

struct Row {
  int group;
  int stratum;
  bool y;
  bool yhat;
  double w;
};
using Pred = std::function<bool(const Row&)>;

struct Data {
  std::vector<Row> rows;
  int groups = 0;
  int strata = 0;
};

double W(const Data& data, const Pred& p) {
  double s = 0;
  for (const Row& r : data.rows) s += p(r) ? r.w : 0;
  return s;
}
double N(const Data& data, const Pred& p) {
  double s = 0;
  for (const Row& r : data.rows) s += p(r) ? 1 : 0;
  return s;
}
Value Q(double num, double den) { return den == 0 ? Value() : Value(num / den); }
Value Minus(Value x, Value y) { return x && y ? Value(*x - *y) : Value(); }
double ClarifyDivide(double a, double b) {
  if (a == 0 && b == 0) return 0;
  if (b == 0) return a < 0 ? -kInf : kInf;
  return a / b;
}
double ClarifyMinus(double x, double y) { return x == kInf && y == kInf ? 0 : x - y; }

Data Random(std::mt19937_64& rng) {
  Data data;
  data.groups = 2 + static_cast<int>(rng() % 3);
  data.strata = 1 + static_cast<int>(rng() % 3);
  const int n = static_cast<int>(rng() % 25);
  const bool weighted = rng() % 2 == 0;
  // Skewed probabilities make empty cells (no positives, no FP, an empty group) common.
  const double p_y = (rng() % 5) / 4.0, p_hat = (rng() % 5) / 4.0;
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < n; ++i) {
    Row r;
    r.group = static_cast<int>(rng() % static_cast<uint64_t>(data.groups));
    if (r.group == data.groups - 1 && rng() % 2) r.group = 0;  // smaller last group
    r.stratum = static_cast<int>(rng() % static_cast<uint64_t>(data.strata));
    r.y = u(rng) < p_y;
    r.yhat = u(rng) < (u(rng) < 0.7 ? p_hat : 0.5);
    r.w = weighted ? 0.5 * static_cast<double>(1 + rng() % 6) : 1.0;
    data.rows.push_back(r);
  }
  return data;
}

// The summary of the rows satisfying `in`, through CellStats as collection builds it.
GroupSummary Summarize(const Data& data, const Pred& in, std::string name) {
  std::map<int, CellStats> cells;
  for (const Row& r : data.rows) {
    if (!in(r)) continue;
    CellStats& c = cells[r.stratum];
    Confusion one;
    (r.y ? (r.yhat ? one.tp : one.fn) : (r.yhat ? one.fp : one.tn)) = 1;
    c.rows += one;
    c.weighted.tp += one.tp * r.w;
    c.weighted.fp += one.fp * r.w;
    c.weighted.tn += one.tn * r.w;
    c.weighted.fn += one.fn * r.w;
  }
  GroupSummary g;
  g.name = std::move(name);
  g.strata.resize(static_cast<size_t>(data.strata));
  for (const auto& [stratum, cell] : cells) {
    g.Add(cell, stratum, static_cast<size_t>(data.strata));
  }
  return g;
}

void ExpectSame(const std::string& name, const MetricValue& got, Value want,
                const std::string& context) {
  SCOPED_TRACE(context + " " + name);
  if (!want) {
    EXPECT_FALSE(got.defined()) << "got " << got.value.value_or(0);
    return;
  }
  ASSERT_TRUE(got.defined()) << "expected " << *want << ", undefined: " << got.undefined_reason;
  if (std::isinf(*want)) {
    EXPECT_EQ(*got.value, *want);
  } else {
    EXPECT_NEAR(*got.value, *want, 1e-9 * std::max(1.0, std::fabs(*want)));
  }
}

void Compare(const std::vector<MetricResult>& got, const std::map<std::string, Value>& want,
             const std::string& context) {
  std::map<std::string, const MetricResult*> by_key;
  for (const MetricResult& m : got) by_key[m.stage + "/" + m.name] = &m;
  for (const auto& [key, value] : want) {
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      ADD_FAILURE() << context << ": no metric " << key;
      continue;
    }
    ExpectSame(key, it->second->value, value, context);
  }
}

// ---- Pairwise oracle: d = group 0, a = every other group --------------------------------

std::map<std::string, Value> PairOracle(const Data& data, bool compat) {
  const Pred d = [](const Row& r) { return r.group == 0; };
  const Pred a = [](const Row& r) { return r.group != 0; };
  auto both = [](Pred p, Pred q) { return Pred([p, q](const Row& r) { return p(r) && q(r); }); };
  const Pred y = [](const Row& r) { return r.y; };
  const Pred not_y = [](const Row& r) { return !r.y; };
  const Pred hat = [](const Row& r) { return r.yhat; };
  const Pred not_hat = [](const Row& r) { return !r.yhat; };
  const Pred right = [](const Row& r) { return r.y == r.yhat; };
  std::map<std::string, Value> out;
  const std::string pre = "pre-training/", post = "post-training/";

  if (compat) {
    // smclarify, on len() counts.
    auto n = [&](Pred p) { return N(data, p); };
    const double nd = n(d), na = n(a);
    const bool empty = nd == 0 || na == 0;
    out[pre + "CI"] = empty ? Value() : Value((na - nd) / (na + nd));
    out[pre + "DPL"] = empty ? Value() : Value(n(both(a, y)) / na - n(both(d, y)) / nd);
    // pdfs_aligned_nonzero over the binarised label.
    std::vector<double> pa, pd;
    for (const Pred& label : {not_y, y}) {
      const double qa = na ? n(both(a, label)) / na : 0, qd = nd ? n(both(d, label)) / nd : 0;
      if (qa != 0 && qd != 0) {
        pa.push_back(qa);
        pd.push_back(qd);
      }
    }
    if (pa.empty()) {
      for (const char* k : {"KL", "JS", "LP", "TVD", "KS"}) out[pre + k] = Value();
    } else {
      double kl = 0, js = 0, l2 = 0, l1 = 0, linf = 0;
      for (size_t i = 0; i < pa.size(); ++i) {
        const double m = (pa[i] + pd[i]) / 2;
        kl += pa[i] * std::log(pa[i] / pd[i]);
        js += 0.5 * (pa[i] * std::log(pa[i] / m) + pd[i] * std::log(pd[i] / m));
        l2 += (pa[i] - pd[i]) * (pa[i] - pd[i]);
        l1 += std::fabs(pa[i] - pd[i]);
        linf = std::max(linf, std::fabs(pa[i] - pd[i]));
      }
      out[pre + "KL"] = kl;
      out[pre + "JS"] = js;
      out[pre + "LP"] = std::sqrt(l2);
      out[pre + "TVD"] = l1 / 2;
      out[pre + "KS"] = linf;
    }
    // CDD: strata counts are weighted (documented); within-stratum denominators, 0 terms.
    auto cdd = [&](Pred acc, Pred rej) -> Value {
      if (W(data, acc) == 0 || W(data, rej) == 0) return Value();
      double sum = 0, counts = 0;
      for (int s = 0; s < data.strata; ++s) {
        const Pred in = [s](const Row& r) { return r.stratum == s; };
        const double ns = W(data, in);
        if (ns == 0) continue;
        const double den_a = W(data, both(in, acc)), den_d = W(data, both(in, rej));
        const double share_a = den_a ? W(data, both(both(in, acc), d)) / den_a : 0;
        const double share_d = den_d ? W(data, both(both(in, rej), d)) / den_d : 0;
        sum += ns * (share_d - share_a);
        counts += ns;
      }
      return ClarifyDivide(sum, counts);
    };
    out[pre + "CDDL"] = cdd(y, not_y);
    out[post + "CDDPL"] = cdd(hat, not_hat);
    out[post + "DPPL"] = empty ? Value() : Value(n(both(a, hat)) / na - n(both(d, hat)) / nd);
    out[post + "DI"] =
        empty ? Value() : Value(ClarifyDivide(n(both(d, hat)) / nd, n(both(a, hat)) / na));
    auto diff = [&](Pred num, Pred den, bool d_first) -> Value {
      if (empty) return Value();
      const double qd = ClarifyDivide(n(both(d, num)), n(both(d, den)));
      const double qa = ClarifyDivide(n(both(a, num)), n(both(a, den)));
      return d_first ? ClarifyMinus(qd, qa) : ClarifyMinus(qa, qd);
    };
    out[post + "DCAcc"] = diff(y, hat, false);
    out[post + "DCR"] = diff(not_y, not_hat, true);
    out[post + "SD"] = diff(both(not_y, not_hat), not_y, true);
    out[post + "RD"] = diff(both(y, hat), y, false);
    out[post + "DAR"] = diff(both(y, hat), hat, false);
    out[post + "DRR"] = diff(both(not_y, not_hat), not_hat, true);
    out[post + "AD"] = diff(
        right, [](const Row&) { return true; }, false);
    out[post + "TE"] = diff(both(y, not_hat), both(not_y, hat), true);
    return out;
  }

  auto w = [&](Pred p) { return W(data, p); };
  const double wd = w(d), wa = w(a);
  const bool empty = wd == 0 || wa == 0;
  auto rate = [&](Pred group, Pred num, Pred den) {
    return Q(w(both(group, both(den, num))), w(both(group, den)));
  };
  const Pred all = [](const Row&) { return true; };
  auto diff = [&](Pred num, Pred den, bool d_first) -> Value {
    if (empty) return Value();
    return d_first ? Minus(rate(d, num, den), rate(a, num, den))
                   : Minus(rate(a, num, den), rate(d, num, den));
  };
  auto ratio = [&](Pred num) -> Value {
    if (empty) return Value();
    const double qd = w(both(d, num)) / wd, qa = w(both(a, num)) / wa;
    if (qa == 0) return qd == 0 ? Value() : Value(kInf);
    return qd / qa;
  };
  out[pre + "CI"] = empty ? Value() : Value((wa - wd) / (wa + wd));
  out[pre + "DPL"] = diff(y, all, false);
  if (empty) {
    for (const char* k : {"KL", "JS", "LP", "TVD", "KS"}) out[pre + k] = Value();
  } else {
    double kl = 0, js = 0, l2 = 0, l1 = 0, linf = 0;
    for (const Pred& label : {not_y, y}) {
      const double pa = w(both(a, label)) / wa, pd = w(both(d, label)) / wd, m = (pa + pd) / 2;
      if (pa > 0) kl += pd > 0 ? pa * std::log(pa / pd) : kInf;
      if (pa > 0) js += 0.5 * pa * std::log(pa / m);
      if (pd > 0) js += 0.5 * pd * std::log(pd / m);
      l2 += (pa - pd) * (pa - pd);
      l1 += std::fabs(pa - pd);
      linf = std::max(linf, std::fabs(pa - pd));
    }
    out[pre + "KL"] = kl;
    out[pre + "JS"] = js;
    out[pre + "LP"] = std::sqrt(l2);
    out[pre + "TVD"] = l1 / 2;
    out[pre + "KS"] = linf;
  }
  auto cdd = [&](Pred acc, Pred rej) -> Value {
    if (empty) return Value();
    double sum = 0, counts = 0;
    for (int s = 0; s < data.strata; ++s) {
      const Pred in = [s](const Row& r) { return r.stratum == s; };
      const double ns = w(in);
      if (ns == 0) continue;
      const double den_a = w(both(in, acc)), den_d = w(both(in, rej));
      if (den_a == 0 || den_d == 0) return Value();  // strict: a 0/0 stratum
      sum += ns * (w(both(both(in, rej), d)) / den_d - w(both(both(in, acc), d)) / den_a);
      counts += ns;
    }
    return counts ? Value(sum / counts) : Value();
  };
  out[pre + "CDDL"] = cdd(y, not_y);
  out[post + "CDDPL"] = cdd(hat, not_hat);
  // With predictions (the oracle's layout has them) the label versions carry "_labels".
  out[pre + "statistical_parity_difference_labels"] = diff(y, all, true);
  out[pre + "disparate_impact_labels"] = ratio(y);
  out[post + "DPPL"] = diff(hat, all, false);
  out[post + "DI"] = ratio(hat);
  // DCAcc, DCR and TE: the numerator is not a subset of the denominator.
  auto quotient = [&](Pred group, Pred num, Pred den) {
    return Q(w(both(group, num)), w(both(group, den)));
  };
  out[post + "DCAcc"] = empty ? Value() : Minus(quotient(a, y, hat), quotient(d, y, hat));
  out[post + "DCR"] =
      empty ? Value() : Minus(quotient(d, not_y, not_hat), quotient(a, not_y, not_hat));
  out[post + "SD"] = diff(not_hat, not_y, true);
  out[post + "RD"] = diff(hat, y, false);
  out[post + "DAR"] = diff(y, hat, false);
  out[post + "DRR"] = diff(not_y, not_hat, true);
  out[post + "AD"] = diff(right, all, false);
  out[post + "TE"] = empty ? Value()
                           : Minus(quotient(d, both(y, not_hat), both(not_y, hat)),
                                   quotient(a, both(y, not_hat), both(not_y, hat)));
  out[post + "statistical_parity_difference"] = diff(hat, all, true);
  out[post + "disparate_impact"] = ratio(hat);
  const Value dtpr = Minus(rate(d, hat, y), rate(a, hat, y));
  const Value dfpr = Minus(rate(d, hat, not_y), rate(a, hat, not_y));
  out[post + "average_odds_difference"] = dtpr && dfpr ? Value(0.5 * (*dfpr + *dtpr)) : Value();
  out[post + "average_abs_odds_difference"] =
      dtpr && dfpr ? Value(0.5 * (std::fabs(*dfpr) + std::fabs(*dtpr))) : Value();
  out[post + "equalized_odds_difference"] =
      dtpr && dfpr ? Value(std::max(std::fabs(*dfpr), std::fabs(*dtpr))) : Value();
  out[post + "equal_opportunity_difference"] = dtpr;
  out[post + "error_rate_difference"] =
      Minus(rate(
                d, [](const Row& r) { return r.y != r.yhat; }, all),
            rate(
                a, [](const Row& r) { return r.y != r.yhat; }, all));
  out[post + "false_positive_rate_difference"] = dfpr;
  out[post + "false_negative_rate_difference"] = Minus(rate(d, not_hat, y), rate(a, not_hat, y));
  out[post + "false_discovery_rate_difference"] = Minus(rate(d, not_y, hat), rate(a, not_y, hat));
  out[post + "false_omission_rate_difference"] = Minus(rate(d, y, not_hat), rate(a, y, not_hat));
  return out;
}

StatisticsLayout Layout() {
  StatisticsLayout layout;
  layout.task = Task::kBinary;
  layout.has_predictions = true;
  layout.group_variable = "stratum";
  return layout;
}

TEST(MetricsOracleTest, PairMetricsMatchRowCounting) {
  std::mt19937_64 rng(20240517);
  for (int i = 0; i < 1500; ++i) {
    const Data data = Random(rng);
    const Comparison c{Summarize(
                           data, [](const Row& r) { return r.group == 0; }, "g0"),
                       Summarize(
                           data, [](const Row& r) { return r.group != 0; }, "rest")};
    for (bool compat : {false, true}) {
      MetricOptions options;
      options.clarify_compat = compat;
      options.tests = false;
      Compare(PairMetrics(c, Layout(), options), PairOracle(data, compat),
              "case " + std::to_string(i) + (compat ? " compat" : ""));
    }
    if (::testing::Test::HasFailure()) break;
  }
}

// ---- Multi-group and dataset oracles -----------------------------------------------------

Value GeOfRows(const std::vector<double>& b, double alpha) {
  if (b.empty()) return Value();
  double mu = 0;
  for (double x : b) mu += x;
  mu /= static_cast<double>(b.size());
  if (mu == 0) return Value();
  double s = 0;
  for (double x : b) {
    const double r = x / mu;
    if (alpha == 1) {
      s += r > 0 ? r * std::log(r) : 0;
    } else if (alpha == 0) {
      s += r > 0 ? -std::log(r) : kInf;
    } else {
      s += (std::pow(r, alpha) - 1) / (alpha * (alpha - 1));
    }
  }
  return s / static_cast<double>(b.size());
}

// SEDF over the groups with rows: θ = (favourable + c/2)/(n + c), ε = max over ordered pairs.
Value SedfOracle(const Data& data, const Pred& favourable, double concentration) {
  std::vector<double> theta;
  for (int g = 0; g < data.groups; ++g) {
    const double n = W(data, [g](const Row& r) { return r.group == g; });
    if (n == 0) continue;
    const double pos = W(data, [&](const Row& r) { return r.group == g && favourable(r); });
    theta.push_back((pos + concentration / 2) / (n + concentration));
  }
  if (theta.size() < 2) return Value();
  double e = 0;
  for (double s : theta) {
    for (double t : theta) {
      if (s == t) continue;
      e = std::max(
          {e, std::fabs(std::log(s) - std::log(t)), std::fabs(std::log(1 - s) - std::log(1 - t))});
    }
  }
  return e;
}

std::map<std::string, Value> MultiOracle(const Data& data, double alpha, double concentration,
                                         bool skip_undefined) {
  std::map<std::string, Value> out;
  const std::string k = "multi-group/";
  auto in = [](int g) { return Pred([g](const Row& r) { return r.group == g; }); };
  auto rate_of = [&](Pred group, Pred num, Pred den) {
    return Q(W(data, [&](const Row& r) { return group(r) && den(r) && num(r); }),
             W(data, [&](const Row& r) { return group(r) && den(r); }));
  };
  const Pred all = [](const Row&) { return true; };
  const Pred hat = [](const Row& r) { return r.yhat; };
  const Pred y = [](const Row& r) { return r.y; };
  const Pred not_y = [](const Row& r) { return !r.y; };
  const Pred right = [](const Row& r) { return r.y == r.yhat; };
  struct Agg {
    Value diff, ratio, to_overall, ratio_to_overall;
  };
  auto aggregate = [&](Pred num, Pred den) {
    std::vector<double> values;
    bool undefined = false;
    for (int g = 0; g < data.groups; ++g) {
      const Value v = rate_of(in(g), num, den);
      if (v) {
        values.push_back(*v);
      } else {
        undefined = true;
      }
    }
    Agg agg;
    if ((undefined && !skip_undefined) || values.size() < 2) return agg;
    const double lo = *std::min_element(values.begin(), values.end());
    const double hi = *std::max_element(values.begin(), values.end());
    agg.diff = hi - lo;
    agg.ratio = hi == 0 ? Value() : Value(lo / hi);
    const Value overall = rate_of(all, num, den);
    if (overall) {
      double worst = 0, worst_ratio = 1;
      for (double v : values) {
        worst = std::max(worst, std::fabs(v - *overall));
        double r = v / *overall;
        worst_ratio = std::min(worst_ratio, r > 1 ? 1 / r : r);
      }
      agg.to_overall = worst;
      if (*overall != 0) agg.ratio_to_overall = worst_ratio;
    }
    return agg;
  };
  const Agg sel = aggregate(hat, all), tpr = aggregate(hat, y), fpr = aggregate(hat, not_y),
            acc = aggregate(right, all);
  out[k + "demographic_parity_difference"] = sel.diff;
  out[k + "demographic_parity_ratio"] = sel.ratio;
  auto pair = [](Value a, Value b, auto f) { return a && b ? Value(f(*a, *b)) : Value(); };
  out[k + "equalized_odds_difference"] =
      pair(tpr.diff, fpr.diff, [](double a, double b) { return std::max(a, b); });
  out[k + "equalized_odds_difference_mean"] =
      pair(tpr.diff, fpr.diff, [](double a, double b) { return (a + b) / 2; });
  out[k + "equalized_odds_ratio"] =
      pair(tpr.ratio, fpr.ratio, [](double a, double b) { return std::min(a, b); });
  out[k + "equalized_odds_ratio_mean"] =
      pair(tpr.ratio, fpr.ratio, [](double a, double b) { return (a + b) / 2; });
  out[k + "equal_opportunity_difference"] = tpr.diff;
  out[k + "equal_opportunity_ratio"] = tpr.ratio;
  const std::pair<const char*, const Agg*> bases[] = {{"selection_rate", &sel},
                                                      {"accuracy_score", &acc},
                                                      {"true_positive_rate", &tpr},
                                                      {"false_positive_rate", &fpr}};
  for (const auto& [name, agg] : bases) {
    out[k + name + "_difference"] = agg->diff;
    out[k + name + "_ratio"] = agg->ratio;
    out[k + name + "_difference_to_overall"] = agg->to_overall;
    out[k + name + "_ratio_to_overall"] = agg->ratio_to_overall;
  }
  // Between-group GE: each row's b replaced by its group's mean b (row counts).
  std::vector<double> b;
  for (int g = 0; g < data.groups; ++g) {
    double sum = 0, count = 0;
    for (const Row& r : data.rows) {
      if (r.group == g) {
        sum += (r.yhat ? 1 : 0) - (r.y ? 1 : 0) + 1;
        count += 1;
      }
    }
    for (int i = 0; i < static_cast<int>(count); ++i) b.push_back(sum / count);
  }
  out[k + "between_group_generalized_entropy_index"] = GeOfRows(b, alpha);
  out[k + "between_group_theil_index"] = GeOfRows(b, 1);
  out[k + "differential_fairness_bias_amplification"] =
      Minus(SedfOracle(data, hat, concentration), SedfOracle(data, y, concentration));
  return out;
}

// The SEDF on labels, the chi-square X² (row counts), and the dataset GE indices.
TEST(MetricsOracleTest, MultiGroupAndDatasetMetricsMatchRowCounting) {
  std::mt19937_64 rng(77);
  for (int i = 0; i < 800; ++i) {
    const Data data = Random(rng);
    std::vector<GroupSummary> groups;
    for (int g = 0; g < data.groups; ++g) {
      groups.push_back(Summarize(
          data, [g](const Row& r) { return r.group == g; }, "g" + std::to_string(g)));
    }
    const GroupSummary overall = Summarize(
        data, [](const Row&) { return true; }, "all");
    MetricOptions options;
    options.ge_alpha = (i % 4 == 0) ? 0.5 : (i % 4 == 1) ? 3 : 2;
    options.sedf_concentration = (i % 3 == 0) ? 0.5 : 1;
    options.skip_undefined_groups = i % 2 == 1;
    const std::string context = "case " + std::to_string(i);
    const auto multi = MultiGroupMetrics(groups, overall, Layout(), options);
    Compare(multi,
            MultiOracle(data, options.ge_alpha, options.sedf_concentration,
                        options.skip_undefined_groups),
            context);

    // Chi-square on predictions: X² from the k×2 table of row counts, groups with rows only.
    std::vector<double> n1, n0;
    for (int g = 0; g < data.groups; ++g) {
      const double p = N(data, [g](const Row& r) { return r.group == g && r.yhat; });
      const double q = N(data, [g](const Row& r) { return r.group == g && !r.yhat; });
      if (p + q > 0) {
        n1.push_back(p);
        n0.push_back(q);
      }
    }
    double c1 = 0, c0 = 0;
    for (size_t g = 0; g < n1.size(); ++g) {
      c1 += n1[g];
      c0 += n0[g];
    }
    Value x2;
    if (n1.size() >= 2 && c1 > 0 && c0 > 0) {
      double s = 0;
      for (size_t g = 0; g < n1.size(); ++g) {
        const double total = c1 + c0, e1 = (n1[g] + n0[g]) * c1 / total,
                     e0 = (n1[g] + n0[g]) * c0 / total;
        s += (n1[g] - e1) * (n1[g] - e1) / e1 + (n0[g] - e0) * (n0[g] - e0) / e0;
      }
      x2 = s;
    }
    const MetricResult* chi = nullptr;
    std::vector<const MetricResult*> sedf;
    for (const MetricResult& m : multi) {
      if (m.name == "chi_square_independence") chi = &m;
      if (m.name == "smoothed_empirical_differential_fairness_labels" ||
          m.name == "smoothed_empirical_differential_fairness") {
        sedf.push_back(&m);
      }
    }
    ASSERT_EQ(sedf.size(), 2u);  // on labels, then on predictions
    const Value e_labels = SedfOracle(
        data, [](const Row& r) { return r.y; }, options.sedf_concentration);
    const Value e_pred = SedfOracle(
        data, [](const Row& r) { return r.yhat; }, options.sedf_concentration);
    ExpectSame("SEDF (labels)", sedf[0]->value, e_labels, context);
    ExpectSame("SEDF (predictions)", sedf[1]->value, e_pred, context);
    ASSERT_NE(chi, nullptr);
    ExpectSame("chi_square_independence (predictions)", chi->value, x2, context);

    // Per-group rates.
    for (int g = 0; g < data.groups; ++g) {
      const GroupRates rates = RatesOf(groups[static_cast<size_t>(g)], {});
      auto q = [&](const Pred& num, const Pred& den) {
        return Q(W(data, [&](const Row& r) { return r.group == g && den(r) && num(r); }),
                 W(data, [&](const Row& r) { return r.group == g && den(r); }));
      };
      const Pred all = [](const Row&) { return true; };
      const Pred y = [](const Row& r) { return r.y; };
      const Pred not_y = [](const Row& r) { return !r.y; };
      const Pred hat = [](const Row& r) { return r.yhat; };
      const Pred not_hat = [](const Row& r) { return !r.yhat; };
      const std::string who = context + " group " + std::to_string(g);
      EXPECT_DOUBLE_EQ(rates.n, W(data, [g](const Row& r) { return r.group == g; }));
      ExpectSame("selection_rate", rates.selection_rate, q(hat, all), who);
      ExpectSame("tpr", rates.tpr, q(hat, y), who);
      ExpectSame("fpr", rates.fpr, q(hat, not_y), who);
      ExpectSame("tnr", rates.tnr, q(not_hat, not_y), who);
      ExpectSame("fnr", rates.fnr, q(not_hat, y), who);
      ExpectSame("ppv", rates.ppv, q(y, hat), who);
      ExpectSame("npv", rates.npv, q(not_y, not_hat), who);
      ExpectSame("accuracy", rates.accuracy, q([](const Row& r) { return r.y == r.yhat; }, all),
                 who);
      ExpectSame("base_rate", rates.base_rate, q(y, all), who);
    }

    // Dataset GE indices from each row's b = ŷ − y + 1.
    std::vector<double> b;
    for (const Row& r : data.rows) b.push_back((r.yhat ? 1 : 0) - (r.y ? 1 : 0) + 1);
    const auto dataset = DatasetMetrics(overall, Layout(), options);
    const Value ge2 = GeOfRows(b, 2);
    Compare(dataset,
            {{"dataset/GE", GeOfRows(b, options.ge_alpha)},
             {"dataset/generalized_entropy_index", GeOfRows(b, options.ge_alpha)},
             {"dataset/theil_index", GeOfRows(b, 1)},
             {"dataset/coefficient_of_variation", ge2 ? Value(2 * std::sqrt(*ge2)) : Value()}},
            context);
    if (::testing::Test::HasFailure()) break;
  }
}

// Multiclass labels: KL, JS, LP, TVD and KS over every class, from the class matrices.
TEST(MetricsOracleTest, MulticlassDistributionsMatchRowCounting) {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 500; ++i) {
    const size_t k = 3 + rng() % 2;
    const int n = static_cast<int>(rng() % 20);
    std::vector<std::vector<double>> counts(2, std::vector<double>(k, 0));  // [a, d][class]
    GroupSummary side[2];
    for (GroupSummary& g : side) g.class_matrix.assign(k, 0);  // K×1: no predictions
    for (int r = 0; r < n; ++r) {
      const size_t group = rng() % 3 == 0 ? 1 : 0;
      const size_t label = std::min<size_t>(rng() % (k + 1), k - 1);  // skew to the last
      const double w = 0.5 * static_cast<double>(1 + rng() % 4);
      counts[group][label] += w;
      side[group].class_matrix[label] += w;
      Confusion one;
      (label == 0 ? one.fn : one.tn) = w;  // class 0 favourable
      side[group].weighted += one;
      side[group].rows += Confusion{0, 0, label == 0 ? 0.0 : 1.0, label == 0 ? 1.0 : 0.0};
    }
    StatisticsLayout layout;
    layout.task = Task::kMulticlass;
    for (size_t c = 0; c < k; ++c) layout.classes.push_back("c" + std::to_string(c));
    const auto got = PairMetrics({side[1], side[0]}, layout, {});
    const double na = std::accumulate(counts[0].begin(), counts[0].end(), 0.0);
    const double nd = std::accumulate(counts[1].begin(), counts[1].end(), 0.0);
    std::map<std::string, Value> want;
    if (na == 0 || nd == 0) {
      for (const char* m : {"KL", "JS", "LP", "TVD", "KS"}) want[std::string("pre-training/") + m];
    } else {
      double kl = 0, js = 0, l2 = 0, l1 = 0, linf = 0;
      for (size_t c = 0; c < k; ++c) {
        const double pa = counts[0][c] / na, pd = counts[1][c] / nd, m = (pa + pd) / 2;
        if (pa > 0) kl += pd > 0 ? pa * std::log(pa / pd) : kInf;
        if (pa > 0) js += 0.5 * pa * std::log(pa / m);
        if (pd > 0) js += 0.5 * pd * std::log(pd / m);
        l2 += (pa - pd) * (pa - pd);
        l1 += std::fabs(pa - pd);
        linf = std::max(linf, std::fabs(pa - pd));
      }
      want = {{"pre-training/KL", kl},
              {"pre-training/JS", js},
              {"pre-training/LP", std::sqrt(l2)},
              {"pre-training/TVD", l1 / 2},
              {"pre-training/KS", linf}};
    }
    Compare(got, want, "multiclass case " + std::to_string(i));
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace probity::fairness
