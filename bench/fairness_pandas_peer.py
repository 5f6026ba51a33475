#!/usr/bin/python3
"""The pandas peer of `probity fairness` (bench/fairness_vs_pandas.py).

Reads the benchmark CSV with pandas.read_csv and, per facet, computes with groupby what a
data scientist would write by hand: per-group confusion counts (prediction = score >
threshold), selection rate, TPR and FPR, and the Fairlearn-style aggregates over the
groups (demographic parity, equalized odds and equal opportunity differences max − min
and ratios min / max). Prints the per-group counts and aggregates as JSON, so the driver
can check that both tools counted the same rows.

    /usr/bin/python3 bench/fairness_pandas_peer.py FILE [--threshold 0.5] [--facets sex,region]
"""

import argparse
import json

import pandas as pd


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--facets", default="sex,region")
    parser.add_argument("--label", default="label")
    parser.add_argument("--score", default="score")
    args = parser.parse_args()

    df = pd.read_csv(args.csv)
    y = df[args.label] == 1
    yhat = df[args.score] > args.threshold
    cells = pd.DataFrame({"tp": y & yhat, "fp": ~y & yhat, "tn": ~y & ~yhat, "fn": y & ~yhat})
    out = {"rows": int(len(df)), "facets": {}}
    for facet in args.facets.split(","):
        g = cells.groupby(df[facet]).sum()
        g["n"] = g[["tp", "fp", "tn", "fn"]].sum(axis=1)
        g["selection_rate"] = (g.tp + g.fp) / g.n
        g["tpr"] = g.tp / (g.tp + g.fn)
        g["fpr"] = g.fp / (g.fp + g.tn)

        def diff(m):
            return float(g[m].max() - g[m].min())

        def ratio(m):
            return float(g[m].min() / g[m].max())

        out["facets"][facet] = {
            "groups": {str(k): {c: int(v[c]) for c in ("n", "tp", "fp", "tn", "fn")}
                       for k, v in g.iterrows()},
            "demographic_parity_difference": diff("selection_rate"),
            "demographic_parity_ratio": ratio("selection_rate"),
            "equalized_odds_difference": max(diff("tpr"), diff("fpr")),
            "equalized_odds_ratio": min(ratio("tpr"), ratio("fpr")),
            "equal_opportunity_difference": diff("tpr"),
            "equal_opportunity_ratio": ratio("tpr"),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
