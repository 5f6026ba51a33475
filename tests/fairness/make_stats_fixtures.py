#!/usr/bin/python3
"""Writes tests/data/fairness/stats_cases.json: reference values for fairness/intervals.h and
fairness/significance.h (and bootstrap.h's LinearQuantile), computed with scipy.stats and numpy,
independently of Probity's C++ code.

Run from the repository root with Debian's python (scipy 1.10.1, numpy 1.24):
    /usr/bin/python3 tests/fairness/make_stats_fixtures.py
The cases are drawn from a seeded generator, so the output is the same on every run.

Where each reference comes from:
  wilson           scipy.stats.binomtest(x, n).proportion_ci(confidence, method="wilson")
  clopper_pearson  scipy.stats.binomtest(x, n).proportion_ci(confidence, method="exact")
                   (scipy finds the bounds with brentq, xtol = 2e-12: an absolute error)
  jeffreys         scipy.stats.beta.ppf(alpha/2 and 1 - alpha/2, x + 1/2, n - x + 1/2) with
                   lower = 0 at x = 0 and upper = 1 at x = n (Brown, Cai & DasGupta 2001)
  newcombe         Newcombe (1998) method 10, written out below from scipy's Wilson bounds
  katz             the Katz et al. (1978) log formula written out below, z from
                   scipy.stats.norm.ppf; 0.5 added to x1, x2, n1, n2 when x1 or x2 is 0
  z_test           pooled two-proportion z written out below, p = 2 * scipy.stats.norm.sf(|z|)
  fisher           scipy.stats.fisher_exact(table) (two-sided); for tables of more than 104,729
                   rows also "p_rational", the same p-value in exact rational arithmetic
                   (scipy's Boost evaluates the pmf there by a double-precision Lanczos
                   approximation, which costs it up to ~2e-8 relative)
  compare          the CompareRates rule (an expected count below 5 -> fisher_exact, else the
                   z-test above), written out below
  chi_square       scipy.stats.chi2_contingency(kept, correction=False) after dropping
                   all-zero rows and columns; statistic 0, p 1, df 0 when fewer than 2 x 2 remain
  holm             the textbook procedure (Holm 1979), written out below in plain Python
  quantile         numpy.quantile(values, q) (default method "linear")
"""

import json
from fractions import Fraction
import math
import os
import sys

import numpy as np
import scipy
from scipy import stats

SEED = 20261129
CONFIDENCES = [0.9, 0.95, 0.99]


def number(value):
    """JSON has no inf/nan: those become strings."""
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def wilson(x, n, confidence):
    ci = stats.binomtest(x, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def clopper_pearson(x, n, confidence):
    ci = stats.binomtest(x, n).proportion_ci(confidence_level=confidence, method="exact")
    return float(ci.low), float(ci.high)


def jeffreys(x, n, confidence):
    alpha = 1 - confidence
    lower = 0.0 if x == 0 else float(stats.beta.ppf(alpha / 2, x + 0.5, n - x + 0.5))
    upper = 1.0 if x == n else float(stats.beta.ppf(1 - alpha / 2, x + 0.5, n - x + 0.5))
    return lower, upper


def newcombe(x1, n1, x2, n2, confidence):
    # Newcombe (1998), method 10: the hybrid score interval from the two Wilson intervals.
    l1, u1 = wilson(x1, n1, confidence)
    l2, u2 = wilson(x2, n2, confidence)
    p1, p2 = x1 / n1, x2 / n2
    lower = (p1 - p2) - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = (p1 - p2) + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lower, upper


def katz(x1, n1, x2, n2, confidence):
    # Katz et al. (1978) log interval for the ratio of two rates.
    if x1 == 0 and x2 == 0:
        return None
    if x1 == 0 or x2 == 0:
        x1, x2, n1, n2 = x1 + 0.5, x2 + 0.5, n1 + 0.5, n2 + 0.5
    z = float(stats.norm.ppf(1 - (1 - confidence) / 2))
    log_ratio = math.log((x1 / n1) / (x2 / n2))
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    return math.exp(log_ratio - z * se), math.exp(log_ratio + z * se)


def z_test(x1, n1, x2, n2):
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0, 1):
        return 0.0, 1.0
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2) / se
    return z, float(2 * stats.norm.sf(abs(z)))


def fisher_exact_rational(x1, n1, x2, n2):
    # The same two-sided p-value in exact integer arithmetic: the sum of the probabilities
    # comb(n1, k) comb(n2, c - k) / comb(n1 + n2, c) of the tables with
    # probability <= the observed one * (1 + 1e-14). None when the support is too long.
    column = x1 + x2
    low, high = max(0, column - n2), min(n1, column)
    if high - low > 3000 or column == 0 or column == n1 + n2:
        return None
    weight = {k: math.comb(n1, k) * math.comb(n2, column - k) for k in range(low, high + 1)}
    observed = weight[x1]
    kept = sum(w for w in weight.values() if w * 10**14 <= observed * (10**14 + 1))
    return float(Fraction(kept, math.comb(n1 + n2, column)))


def compare(x1, n1, x2, n2):
    # The rule of CompareRates: Fisher when an expected count of the 2 x 2 table is below 5.
    total = n1 + n2
    expected = [r * c / total for r in (n1, n2) for c in (x1 + x2, total - x1 - x2)]
    if min(expected) < 5:
        return "fisher-exact", number(stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]])[1])
    return "two-proportion-z", z_test(x1, n1, x2, n2)[1]


def chi_square(table):
    a = np.asarray(table, dtype=float)
    a = a[a.sum(axis=1) > 0]
    if a.shape[0] > 0:
        a = a[:, a.sum(axis=0) > 0]
    if a.shape[0] < 2 or a.shape[1] < 2:
        return 0.0, 1.0, 0
    statistic, p, dof, _ = stats.chi2_contingency(a, correction=False)
    return float(statistic), float(p), int(dof)


def holm(p_values):
    # Holm (1979): order the m p-values ascending; the j-th smallest is compared with
    # alpha / (m - j + 1). The adjusted p-value of the i-th smallest is the smallest alpha at
    # which it is rejected: max over j <= i of min(1, (m - j + 1) p_(j)). Ties keep input order.
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def main():
    rng = np.random.default_rng(SEED)
    cases = {
        "generator": "tests/fairness/make_stats_fixtures.py",
        "seed": SEED,
        "scipy": scipy.__version__,
        "numpy": np.__version__,
    }

    # Rates: small n exhaustively at the edges, then random sizes from 1 to 10^12.
    rate_inputs = [(0, 1), (1, 1), (0, 5), (5, 5), (1, 2), (0, 1000), (1000, 1000), (1, 10**6),
                   (10**6 - 1, 10**6), (0, 10**9), (3, 10**12), (10**12 - 7, 10**12),
                   (5 * 10**11, 10**12)]
    for _ in range(47):
        n = int(10 ** rng.uniform(0, 9))
        x = int(rng.integers(0, n + 1))
        rate_inputs.append((x, n))
    rates = []
    for i, (x, n) in enumerate(rate_inputs):
        confidence = CONFIDENCES[i % 3]
        rates.append({
            "x": x, "n": n, "confidence": confidence,
            "wilson": wilson(x, n, confidence),
            "clopper_pearson": clopper_pearson(x, n, confidence),
            "jeffreys": jeffreys(x, n, confidence),
        })
    cases["rates"] = rates

    # Pairs of rates: differences (Newcombe), ratios (Katz), the z-test.
    pair_inputs = [(0, 10, 0, 12), (0, 10, 3, 12), (4, 10, 0, 12), (10, 10, 12, 12),
                   (10, 10, 0, 12), (1, 1, 1, 1), (0, 1, 1, 1), (30, 100, 12, 80),
                   (5, 10**9, 2, 10**9), (10**8, 10**9, 2 * 10**8, 10**9), (1, 3, 2, 7)]
    for _ in range(29):
        n1 = int(10 ** rng.uniform(0, 7))
        n2 = int(10 ** rng.uniform(0, 7))
        x1 = int(rng.integers(0, n1 + 1))
        x2 = int(rng.integers(0, n2 + 1))
        pair_inputs.append((x1, n1, x2, n2))
    pairs = []
    for i, (x1, n1, x2, n2) in enumerate(pair_inputs):
        confidence = CONFIDENCES[i % 3]
        katz_interval = katz(x1, n1, x2, n2, confidence)
        z, p = z_test(x1, n1, x2, n2)
        compare_test, compare_p = compare(x1, n1, x2, n2)
        pairs.append({
            "x1": x1, "n1": n1, "x2": x2, "n2": n2, "confidence": confidence,
            "newcombe": newcombe(x1, n1, x2, n2, confidence),
            "katz": katz_interval,
            "z": z, "z_p": p,
            "compare_test": compare_test, "compare_p": compare_p,
        })
    cases["pairs"] = pairs

    # Fisher's exact test: small tables (where it is used), ties, and some large ones.
    fisher_inputs = [(0, 5, 0, 7), (0, 5, 3, 7), (5, 5, 0, 7), (1, 2, 1, 2), (3, 10, 3, 10),
                     (2, 9, 7, 8), (0, 0, 3, 7), (1, 1, 0, 1), (7, 12, 2, 15), (1, 1000, 9, 1000),
                     (3, 100000, 1, 200000), (5, 10**9, 2, 10**9), (40, 60000, 70, 60000),
                     (1, 10**6, 8, 3 * 10**6), (500, 10**7, 620, 10**7), (0, 52365, 4, 52365),
                     (2, 52364, 3, 52366), (17, 5 * 10**5, 2, 10**5)]
    for i in range(35):
        # small tables, then up to 5,000, then up to 10^8 (above Boost's prime table)
        top = 60 if i < 19 else 5000 if i < 27 else int(10 ** rng.uniform(5, 8))
        n1 = int(rng.integers(1, top))
        n2 = int(rng.integers(1, top))
        x1 = int(rng.integers(0, n1 + 1))
        x2 = int(rng.integers(0, n2 + 1))
        if i >= 27 and i % 2 == 0:
            x1, x2 = x1 % 9, x2 % 13  # a rare outcome in a large sample
        fisher_inputs.append((x1, n1, x2, n2))
    fisher = []
    for x1, n1, x2, n2 in fisher_inputs:
        result = stats.fisher_exact([[x1, n1 - x1], [x2, n2 - x2]])
        case = {"x1": x1, "n1": n1, "x2": x2, "n2": n2,
                "odds_ratio": number(result[0]), "p": number(result[1])}
        if n1 + n2 > 104729:
            case["p_rational"] = fisher_exact_rational(x1, n1, x2, n2)
        fisher.append(case)
    cases["fisher"] = fisher

    # Chi-square on k x 2 and k x 3 tables, some with zero rows or columns.
    tables = [[[10, 0], [20, 0], [5, 0]],         # one column left: no test
              [[10, 5, 0], [20, 7, 0]],           # zero column dropped: 2 x 2
              [[0, 0, 0], [3, 4, 5], [6, 1, 9]],  # zero row dropped
              [[1, 2], [3, 4]]]
    for i in range(26):
        k = int(rng.integers(2, 9))
        c = 2 if i % 2 == 0 else 3
        scale = 10 ** rng.uniform(0, 6)
        table = rng.integers(0, int(scale) + 2, size=(k, c)).tolist()
        if i % 7 == 3:
            for row in table:
                row[c - 1] = 0
        if i % 5 == 4:
            table[0] = [0] * c
        tables.append(table)
    chi = []
    for table in tables:
        statistic, p, dof = chi_square(table)
        chi.append({"table": table, "statistic": statistic, "p": p, "df": dof})
    cases["chi_square"] = chi

    # Holm on sets of p-values, with ties, ones and exact zeros.
    holm_inputs = [[0.01, 0.04, 0.03, 0.005], [0.5], [0.02, 0.02, 0.02], [0.0, 1.0, 0.3],
                   [0.001, 0.2, 0.2, 0.9, 0.04]]
    for _ in range(10):
        m = int(rng.integers(1, 25))
        values = (rng.uniform(0, 1, size=m) ** 3).tolist()
        holm_inputs.append(values)
    cases["holm"] = [{"p": p, "adjusted": holm(p)} for p in holm_inputs]

    # numpy's default quantile (for LinearQuantile).
    quantiles = []
    for i in range(10):
        size = int(rng.integers(1, 40))
        values = np.sort(rng.normal(size=size) * 10 ** rng.uniform(-3, 3))
        if i % 3 == 0:
            values = np.sort(np.round(values))  # ties
        qs = [0.0, 0.025, 0.05, 0.5, 0.95, 0.975, 1.0, float(rng.uniform())]
        quantiles.append({"sorted": values.tolist(), "q": qs,
                          "value": [float(np.quantile(values, q)) for q in qs]})
    cases["quantile"] = quantiles

    out = os.path.join("tests", "data", "fairness", "stats_cases.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")
    count = sum(len(cases[k]) for k in ("rates", "pairs", "fisher", "chi_square", "holm",
                                         "quantile"))
    print(f"wrote {out}: {count} cases", file=sys.stderr)


if __name__ == "__main__":
    main()
