#!/usr/bin/python3
"""Reference values for tests/fairness/golden_test.cc, computed independently of Probity.

Run from the repository root with Debian's Python (pandas, numpy):

    /usr/bin/python3 tests/fairness/golden/make_golden.py [--shared /work/shared]

Writes tests/data/fairness/golden/{german_credit,adult,compas}.expected.json. Inputs:

* German credit: examples/data/german_credit.csv (label credit_risk, favourable "good") and
  examples/models/german_credit_xgboost.expected.csv, the predictions XGBoost itself made
  for every row (column `prediction`: class 1 = good, examples/models/README.md). Probity's
  model loader is not involved.
* Adult: tests/data/adult.data.gz (UCI adult.data, no header, ", " separated, "?" missing),
  label income, favourable ">50K"; labels only.
* COMPAS: compas-scores-two-years.csv from ProPublica's compas-analysis repository, read
  from the shared folder (no license, never copied into the project; only the group counts
  derived from it are written). Label two_year_recid (1 = reoffended within two years),
  "high risk" = score_text in {Medium, High} as in ProPublica's notebook.

Every formula is written out below from /work/shared/reference/fairness.md (section
numbers in the comments), i.e. from the tools' source code: Clarify's pre-training (§1a)
and post-training (§1b) metrics, AIF360's pair metrics (§1d, u = d = the compared group,
p = a = the rest), Fairlearn's aggregates over all groups of a facet (§1c). Comparisons
are one-vs-rest: d = one group, a = every other row.

Values: a float; "inf" / "-inf" (Probity's JSON for infinities); null = undefined (0/0,
an empty facet). Where Clarify's own arithmetic (--clarify-compat: 0/0 -> 0, x/0 -> +inf,
inf - inf -> 0, KL/JS/LP/TVD/KS over the common support only) gives another value, the
record also holds it as "clarify_compat".
"""

import argparse
import json
import math
import os

import numpy as np
import pandas as pd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "tests", "data", "fairness", "golden")

INF = float("inf")


# ---- arithmetic: Probity's (undefined = None) and Clarify's (§1b "divide") -----------------


def div(x, y):
    """Probity: x/0 with x != 0 is +-inf (the metric's definition), 0/0 is undefined."""
    if y == 0:
        return None if x == 0 else math.copysign(INF, x)
    return x / y


def cdiv(x, y):
    """Clarify's divide(): 0/0 -> 0; x/0 -> +inf (or -inf if x < 0)."""
    if y == 0:
        return 0.0 if x == 0 else (INF if x > 0 else -INF)
    return x / y


def sub(x, y):
    """Probity: a difference of undefined terms is undefined; inf - inf is undefined."""
    if x is None or y is None:
        return None
    if math.isinf(x) and math.isinf(y) and (x > 0) == (y > 0):
        return None
    return x - y


def csub(x, y):
    """Clarify: a difference of two +inf quotients is forced to 0 (§1b)."""
    if math.isinf(x) and math.isinf(y) and (x > 0) == (y > 0):
        return 0.0
    return x - y


def enc(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(v)


def record(name, source, value, compat=None, has_compat=False):
    r = {"name": name, "source": source, "value": enc(value)}
    if has_compat and enc(compat) != enc(value):
        r["clarify_compat"] = enc(compat)
    return r


# ---- per-group counts and rates (issue §2 "Per group, always") ------------------------------


def counts(y, yhat):
    """y, yhat: boolean arrays (favourable label / favourable prediction)."""
    tp = int(np.sum(y & yhat))
    fp = int(np.sum(~y & yhat))
    tn = int(np.sum(~y & ~yhat))
    fn = int(np.sum(y & ~yhat))
    return tp, fp, tn, fn


def group_record(y, yhat):
    n = int(len(y))
    rec = {"n": n, "base_rate": div(int(np.sum(y)), n)}
    if yhat is None:
        return rec
    tp, fp, tn, fn = counts(y, yhat)
    rec.update(
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        selection_rate=div(tp + fp, n),
        tpr=div(tp, tp + fn),
        fpr=div(fp, fp + tn),
        tnr=div(tn, tn + fp),
        fnr=div(fn, fn + tp),
        ppv=div(tp, tp + fp),
        npv=div(tn, tn + fn),
        accuracy=div(tp + tn, n),
    )
    return rec


def encode_group(rec):
    return {k: (v if isinstance(v, int) else enc(v)) for k, v in rec.items()}


# ---- Clarify pre-training (§1a): labels only ------------------------------------------------


def kl(p, q):
    """Σ_y p(y) ln(p(y)/q(y)): +inf where q(y) = 0 < p(y), and 0·ln 0 = 0."""
    total = 0.0
    for pi, qi in zip(p, q):
        if pi == 0:
            continue
        if qi == 0:
            return INF
        total += pi * math.log(pi / qi)
    return total


def support(p, q, common_only):
    if common_only:
        return [(pi, qi) for pi, qi in zip(p, q) if pi > 0 and qi > 0]
    return list(zip(p, q))


def pretraining(y_d, y_a):
    n_d, n_a = len(y_d), len(y_a)
    q_d, q_a = np.sum(y_d) / n_d, np.sum(y_a) / n_a
    p_a = [1 - q_a, q_a]  # P_a(y) over y in {unfavourable, favourable}
    p_d = [1 - q_d, q_d]
    out = [
        record("CI", "clarify", (n_a - n_d) / (n_a + n_d)),  # (n_a − n_d)/(n_a + n_d)
        record("DPL", "clarify", q_a - q_d),  # q_a − q_d
    ]
    full = None
    for compat in (False, True):
        # Clarify (§1a): every divergence runs over the values with P_a(y) > 0 and
        # P_d(y) > 0 only, the PMFs not renormalised; JS's mixture M is built on them too.
        s = support(p_a, p_d, compat)
        a = [x for x, _ in s]
        d = [y for _, y in s]
        m = [0.5 * (x + y) for x, y in s]
        vals = {
            "KL": kl(a, d),  # KL(P_a ‖ P_d), nats
            "JS": 0.5 * (kl(a, m) + kl(d, m)),
            "LP": math.sqrt(sum((x - y) ** 2 for x, y in s)),  # p = 2
            "TVD": 0.5 * sum(abs(x - y) for x, y in s),
            "KS": max((abs(x - y) for x, y in s), default=0.0),  # L∞ between PMFs
        }
        if not compat:
            full = vals
        else:
            for name in ("KL", "JS", "LP", "TVD", "KS"):
                out.append(record(name, "clarify", full[name], vals[name], True))
    return out


# ---- Clarify post-training (§1b), AIF360 pair metrics (§1d) ---------------------------------


def posttraining(cd, ca):
    """cd, ca: (tp, fp, tn, fn) of facet d and facet a (the rest)."""
    tpd, fpd, tnd, fnd = cd
    tpa, fpa, tna, fna = ca
    nd, na = sum(cd), sum(ca)
    out = []

    def both(name, f):
        out.append(record(name, "clarify", f(div, sub), f(cdiv, csub), True))

    both("DPPL", lambda dv, sb: sb(dv(tpa + fpa, na), dv(tpd + fpd, nd)))  # q̂_a − q̂_d
    both("DI", lambda dv, sb: dv(dv(tpd + fpd, nd), dv(tpa + fpa, na)))  # q̂_d / q̂_a
    # DCAcc = c_a − c_d, c = (TP+FN)/(TP+FP)
    both("DCAcc", lambda dv, sb: sb(dv(tpa + fna, tpa + fpa), dv(tpd + fnd, tpd + fpd)))
    # DCR = r_d − r_a, r = (TN+FP)/(TN+FN)
    both("DCR", lambda dv, sb: sb(dv(tnd + fpd, tnd + fnd), dv(tna + fpa, tna + fna)))
    both("SD", lambda dv, sb: sb(dv(tnd, tnd + fpd), dv(tna, tna + fpa)))  # TNR_d − TNR_a
    both("RD", lambda dv, sb: sb(dv(tpa, tpa + fna), dv(tpd, tpd + fnd)))  # TPR_a − TPR_d
    both("DAR", lambda dv, sb: sb(dv(tpa, tpa + fpa), dv(tpd, tpd + fpd)))  # PPV_a − PPV_d
    both("DRR", lambda dv, sb: sb(dv(tnd, tnd + fnd), dv(tna, tna + fna)))  # NPV_d − NPV_a
    both("AD", lambda dv, sb: sb(dv(tpa + tna, na), dv(tpd + tnd, nd)))  # ACC_a − ACC_d
    both("TE", lambda dv, sb: sb(dv(fnd, fpd), dv(fna, fpa)))  # FN_d/FP_d − FN_a/FP_a

    # AIF360: u − p and u / p with u = d, p = a; rates as in ClassificationMetric.
    sr_d, sr_a = div(tpd + fpd, nd), div(tpa + fpa, na)
    tpr_d, tpr_a = div(tpd, tpd + fnd), div(tpa, tpa + fna)
    fpr_d, fpr_a = div(fpd, fpd + tnd), div(fpa, fpa + tna)
    err_d, err_a = div(fpd + fnd, nd), div(fpa + fna, na)
    out.append(record("statistical_parity_difference", "aif360", sub(sr_d, sr_a)))
    out.append(record("disparate_impact", "aif360", div(sr_d, sr_a)))
    d_fpr, d_tpr = sub(fpr_d, fpr_a), sub(tpr_d, tpr_a)
    aod = None if d_fpr is None or d_tpr is None else 0.5 * (d_fpr + d_tpr)
    aaod = None if d_fpr is None or d_tpr is None else 0.5 * (abs(d_fpr) + abs(d_tpr))
    out.append(record("average_odds_difference", "aif360", aod))
    out.append(record("average_abs_odds_difference", "aif360", aaod))
    out.append(record("equal_opportunity_difference", "aif360", d_tpr))
    out.append(record("error_rate_difference", "aif360", sub(err_d, err_a)))
    out.append(record("false_positive_rate_difference", "aif360", d_fpr))
    return out


# ---- Fairlearn aggregates over all groups of a facet (§1c) ----------------------------------


def fairlearn(groups):
    """groups: list of group records (with rates). between_groups: max − min, min / max."""

    def diff(key):
        vals = [g[key] for g in groups]
        return None if any(v is None for v in vals) else max(vals) - min(vals)

    def ratio(key):
        vals = [g[key] for g in groups]
        if any(v is None for v in vals):
            return None
        return div(min(vals), max(vals))

    eod = None if diff("tpr") is None or diff("fpr") is None else max(diff("tpr"), diff("fpr"))
    eor = None if ratio("tpr") is None or ratio("fpr") is None else min(ratio("tpr"), ratio("fpr"))
    return [
        record("demographic_parity_difference", "fairlearn", diff("selection_rate")),
        record("demographic_parity_ratio", "fairlearn", ratio("selection_rate")),
        record("equalized_odds_difference", "fairlearn", eod),  # worst_case
        record("equalized_odds_ratio", "fairlearn", eor),
        record("equal_opportunity_difference", "fairlearn", diff("tpr")),
        record("equal_opportunity_ratio", "fairlearn", ratio("tpr")),
    ]


# ---- dataset metrics: GE / Theil on b = ŷ − y + 1 (§1b GE, §1d) ------------------------------


def dataset_metrics(y, yhat, alpha=2.0):
    b = yhat.astype(float) - y.astype(float) + 1.0
    mu = b.mean()
    ge = np.mean((b / mu) ** alpha - 1) / (alpha * (alpha - 1))
    r = b / mu
    theil = np.mean(np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0))  # 0·ln 0 = 0
    return [
        record("GE", "clarify", float(ge)),
        record("generalized_entropy_index", "aif360", float(ge)),
        record("theil_index", "aif360", float(theil)),
        # AIF360 codes it as 2·√GE(2) (classification_metric.py, coefficient_of_variation);
        # reference/fairness.md §1d writes √(2·GE(2)), which its code does not compute.
        record("coefficient_of_variation", "aif360", 2 * math.sqrt(float(ge))),
    ]


# ---- one analysis: every facet, one-vs-rest per group ---------------------------------------


def analyse(facets, y, yhat, compared=None):
    """facets: {name: pandas Series of group names (str)}; y, yhat: boolean numpy arrays;
    compared: {facet: [levels]} to compare only those (default: every level vs the rest)."""
    out = {"rows": int(len(y)), "facets": {}}
    for name, col in facets.items():
        levels = sorted(col.unique())
        groups, comparisons, rates = {}, {}, []
        for level in levels:
            in_d = (col == level).to_numpy()
            g = group_record(y[in_d], None if yhat is None else yhat[in_d])
            groups[level] = encode_group(g)
            rates.append(g)
            if compared and level not in compared.get(name, [level]):
                continue
            metrics = pretraining(y[in_d], y[~in_d])
            if yhat is not None:
                metrics += posttraining(counts(y[in_d], yhat[in_d]), counts(y[~in_d], yhat[~in_d]))
            comparisons[level] = metrics
        f = {"groups": groups, "comparisons": comparisons}
        f["metrics"] = fairlearn(rates) if yhat is not None else []
        out["facets"][name] = f
    out["dataset_metrics"] = dataset_metrics(y, yhat) if yhat is not None else []
    return out


def age_bins(age):
    # --bins age=25,40: "(-inf, 25]", "(25, 40]", "(40, inf)" (fairness/collect.h BinLevel)
    return pd.cut(age, [-np.inf, 25, 40, np.inf], labels=["(-inf, 25]", "(25, 40]", "(40, inf)"])


def german():
    data = pd.read_csv(os.path.join(ROOT, "examples", "data", "german_credit.csv"))
    pred = pd.read_csv(os.path.join(ROOT, "examples", "models", "german_credit_xgboost.expected.csv"))
    assert len(data) == len(pred) == 1000
    y = (data["credit_risk"] == "good").to_numpy()
    yhat = (pred["prediction"] == 1).to_numpy()  # XGBoost class 1 = good
    facets = {
        "sex": data["sex"].astype(str),
        "foreign_worker": data["foreign_worker"].astype(str),
        "age": age_bins(data["age"]).astype(str),
    }
    # --facet 'age>74': two applicants, both good and both predicted good: zero cells that
    # Clarify's arithmetic (0/0 -> 0, common-support KL) and Probity's answer differently.
    over74 = {"age": pd.Series(np.where(data["age"] > 74, "(74, inf)", "(-inf, 74]"))}
    return {
        "source": "examples/data/german_credit.csv; predictions "
        "examples/models/german_credit_xgboost.expected.csv (XGBoost's own)",
        "model": analyse(facets, y, yhat),
        "labels_only": analyse(facets, y, None),
        "age_over_74": analyse(over74, y, yhat, {"age": ["(74, inf)"]}),
    }


def adult():
    cols = [
        "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
        "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
        "hours_per_week", "native_country", "income",
    ]
    data = pd.read_csv(os.path.join(ROOT, "tests", "data", "adult.data.gz"), header=None,
                       names=cols, sep=",", skipinitialspace=True, na_values=["?"])
    assert len(data) == 32561, len(data)
    y = (data["income"] == ">50K").to_numpy()
    facets = {"sex": data["sex"].astype(str), "race": data["race"].astype(str)}
    return {"source": "tests/data/adult.data.gz (UCI adult.data)",
            "labels_only": analyse(facets, y, None)}


def compas(shared):
    path = os.path.join(shared, "data", "fairness", "compas-scores-two-years.csv")
    df = pd.read_csv(path)
    out = {"source": "propublica/compas-analysis compas-scores-two-years.csv (not copied)"}
    # ProPublica's notebook filter (Compas Analysis.ipynb, first cell of the analysis).
    kept = df[(df.days_b_screening_arrest <= 30) & (df.days_b_screening_arrest >= -30)
              & (df.is_recid != -1) & (df.c_charge_degree != "O") & (df.score_text != "N/A")]
    for name, frame in (("all_rows", df), ("filtered", kept)):
        y = (frame["two_year_recid"] == 1).to_numpy()
        yhat = frame["score_text"].isin(["Medium", "High"]).to_numpy()
        groups = {}
        for race in sorted(frame["race"].unique()):
            m = (frame["race"] == race).to_numpy()
            groups[race] = encode_group(group_record(y[m], yhat[m]))
        out[name] = {"rows": int(len(frame)), "groups": groups}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default="/work/shared")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    files = {"german_credit": german(), "adult": adult()}
    if os.path.exists(os.path.join(args.shared, "data", "fairness")):
        files["compas"] = compas(args.shared)
    for name, doc in files.items():
        with open(os.path.join(OUT, name + ".expected.json"), "w") as f:
            json.dump(doc, f, indent=1, allow_nan=False)
            f.write("\n")
        print("wrote", os.path.join(OUT, name + ".expected.json"))


if __name__ == "__main__":
    main()
