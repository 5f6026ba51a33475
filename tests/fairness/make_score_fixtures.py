#!/usr/bin/python3
"""Writes tests/data/fairness/score_cases.json: reference values for the score metrics of
fairness/score_sketch.h, computed by independent implementations.

  /usr/bin/python3 tests/fairness/make_score_fixtures.py   # from the repository root

Needs Debian's python3-sklearn 1.2.1, python3-scipy 1.10.1 and numpy. Deterministic: every
sample comes from numpy.random.RandomState with a fixed seed, and floats are written with
Python's repr (shortest round trip), so the C++ test reads back the exact doubles.

  auc        sklearn.metrics.roc_auc_score(labels, scores, sample_weight=weights)
  brier      sklearn.metrics.brier_score_loss(labels, scores, sample_weight=weights)
  ks         scipy.stats.ks_2samp(first, second, method="asymp"): statistic and p-value
  kstwo_sf   scipy.stats.kstwo.sf(d, n): the distribution ks_2samp's asymp p-value uses, at
             points chosen to reach every branch of scipy's _kolmogn (Simard & L'Ecuyer)
  ece        computed here with numpy: bins (b/B, (b+1)/B], the first one closed at 0, each
             bin weighted by its row count, ECE = sum_b n_b/N |mean(y_b) - mean(s_b)|
  median     numpy.median
"""
import json
import os

import numpy as np
import scipy
import scipy.stats
import sklearn
import sklearn.metrics

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "fairness",
                   "score_cases.json")


def floats(a):
    return [float(x) for x in a]


def labelled_cases(rng):
    """(name, scores, labels, weights) for AUC and Brier."""
    cases = []
    # Hand-made, with ties across the labels.
    cases.append(("ties_unweighted", [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.1, 0.9],
                  [0, 0, 1, 1, 1, 0, 1, 1], [1.0] * 8))
    cases.append(("ties_weighted", [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.1, 0.9],
                  [0, 0, 1, 1, 1, 0, 1, 1], [0.5, 2.0, 1.0, 3.0, 0.25, 1.5, 4.0, 1.0]))
    cases.append(("all_tied", [0.5] * 6, [0, 1, 0, 1, 1, 0], [1, 2, 3, 4, 5, 6]))
    cases.append(("perfect", [0.1, 0.2, 0.7, 0.9], [0, 0, 1, 1], [1.0, 1.0, 1.0, 1.0]))
    cases.append(("reversed", [0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1], [1.0, 2.0, 1.0, 0.5]))
    # Random, with scores rounded to two decimals so that ties are common.
    for i, n in enumerate([20, 200, 2000]):
        labels = rng.binomial(1, 0.4, n)
        scores = np.clip(rng.normal(0.4 + 0.2 * labels, 0.2), 0, 1).round(2)
        weights = rng.uniform(0.1, 3.0, n).round(3)
        cases.append((f"random_{n}_weighted", floats(scores), [int(y) for y in labels],
                      floats(weights)))
        cases.append((f"random_{n}_unweighted", floats(scores), [int(y) for y in labels],
                      [1.0] * n))
    return cases


def ece(scores, labels, bins):
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels, dtype=float)
    edges = np.arange(bins + 1) / bins
    # searchsorted(side="left") - 1 puts s in (edges[b], edges[b+1]]; 0 goes to the first.
    which = np.clip(np.searchsorted(edges, scores, side="left") - 1, 0, bins - 1)
    total = 0.0
    rows = []
    for b in range(bins):
        mask = which == b
        n = int(mask.sum())
        if n == 0:
            rows.append({"rows": 0})
            continue
        gap = abs(labels[mask].mean() - scores[mask].mean())
        total += n / len(scores) * gap
        rows.append({"rows": n, "mean_score": float(scores[mask].mean()),
                     "positive_rate": float(labels[mask].mean())})
    return float(total), rows


def ece_cases(rng):
    cases = []
    edge_scores = [0.0, 0.1, 0.2, 0.3, 0.30000000000000004, 0.7, 0.9, 1.0, 0.05, 0.55]
    edge_labels = [0, 0, 1, 0, 1, 1, 1, 1, 0, 1]
    cases.append(("bin_edges", edge_scores, edge_labels, 10))
    cases.append(("bin_edges_5", edge_scores, edge_labels, 5))
    for n, bins in [(50, 10), (500, 15), (3000, 10)]:
        scores = rng.beta(2, 3, n).round(3)
        labels = rng.binomial(1, np.clip(scores * 1.2 - 0.05, 0, 1))
        cases.append((f"random_{n}_{bins}", floats(scores), [int(y) for y in labels], bins))
    out = []
    for name, scores, labels, bins in cases:
        value, rows = ece(scores, labels, bins)
        out.append({"name": name, "scores": scores, "labels": labels, "bins": bins,
                    "ece": value, "bin_rows": rows})
    return out


def ks_cases(rng):
    pairs = [
        ("tiny", [0.1, 0.5, 0.9], [0.2, 0.3]),
        ("ties", [1, 2, 2, 3, 3, 3, 4], [2, 3, 3, 4, 4, 5]),
        ("identical", [0.5, 0.5, 0.7], [0.5, 0.7, 0.7, 0.5]),
        ("disjoint", [1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]),
        ("one_each_side", [1.0], [2.0, 3.0]),
    ]
    for n1, n2, shift, digits in [(10, 12, 0.5, 1), (40, 40, 0.3, 2), (150, 90, 0.2, 2),
                                  (300, 700, 0.1, 2), (1000, 1200, 0.05, 3),
                                  (2500, 2000, 0.0, 2), (3000, 4000, 0.3, 3), (60, 5000, 1.0, 2)]:
        first = rng.normal(0, 1, n1).round(digits)
        second = rng.normal(shift, 1, n2).round(digits)
        pairs.append((f"normal_{n1}_{n2}_{shift}", floats(first), floats(second)))
    out = []
    for name, first, second in pairs:
        r = scipy.stats.ks_2samp(first, second, method="asymp")
        out.append({"name": name, "first": floats(first), "second": floats(second),
                    "statistic": float(r.statistic), "p_value": float(r.pvalue)})
    return out


def kstwo_points():
    points = []
    # n <= 140: Ruben-Gambino ends, Durbin matrix, Pomeranz, 2*smirnov.
    for n in [1, 2, 3, 5, 10, 37, 100, 140]:
        for d in [0.5 / n + 1e-9, 0.75 / n, 0.99 / n, 0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 0.7,
                  1 - 1.5 / n, 1 - 0.5 / n, 0.999]:
            if 0 < d < 1:
                points.append((n, d))
    # n > 140: SF via 1 - CDF (Durbin matrix or Pelz-Good), 2*smirnov, and 0 beyond 370.
    for n in [141, 500, 2000, 10000, 99999, 100001, 300000, 999999, 1000001, 5000000]:
        for nx2 in [0.2, 0.5, 1.0, 1.5, 2.0, 2.19, 2.21, 3.0, 8.0, 20.0, 100.0, 369.0, 371.0]:
            # The Smirnov sum costs up to a second for 1e5 < n <= 1e6 (in scipy too): keep
            # one such point per n there so the test stays fast.
            if 100001 < n <= 1000000 and 2.2 <= nx2 < 370 and nx2 != 3.0:
                continue
            points.append((n, (nx2 / n) ** 0.5))
        points.append((n, 0.6))
        points.append((n, 0.75 / n))
    return [{"n": n, "d": float(d), "sf": float(scipy.stats.kstwo.sf(d, n))} for n, d in points]


def main():
    rng = np.random.RandomState(20261129)
    doc = {
        "generator": "tests/fairness/make_score_fixtures.py",
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__,
                     "sklearn": sklearn.__version__},
        "auc_brier": [],
        "ece": [],
        "ks": [],
        "kstwo_sf": kstwo_points(),
        "median": [],
    }
    for name, scores, labels, weights in labelled_cases(rng):
        doc["auc_brier"].append({
            "name": name, "scores": scores, "labels": labels, "weights": weights,
            "auc": float(sklearn.metrics.roc_auc_score(labels, scores, sample_weight=weights)),
            "brier": float(sklearn.metrics.brier_score_loss(labels, scores,
                                                           sample_weight=weights)),
        })
    doc["ece"] = ece_cases(rng)
    doc["ks"] = ks_cases(rng)
    medians = [[3.0], [1.0, 2.0], [2.0, 2.0, 1.0, 5.0], [0.1, 0.2], [0.1, 0.7, 0.7, 0.7, 0.2],
               [5.0, 1.0, 3.0, 3.0, 3.0, 9.0], [-1.5, 2.25, 1e300, 1e300],
               floats(rng.normal(0, 1, 101).round(2)), floats(rng.normal(0, 1, 100).round(1))]
    doc["median"] = [{"values": v, "median": float(np.median(v))} for v in medians]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
