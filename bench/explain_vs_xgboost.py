#!/usr/bin/python3
"""Peer comparison: Probity's exact path-dependent TreeSHAP vs XGBoost 1.7.4's pred_contribs.

Trains with Debian's python3-xgboost the reference's anchor model (docs/explain.md §8 of the
reference: make_classification 100k rows, 20 features, n_informative 10, n_redundant 5,
random_state 42; binary:logistic, 100 trees, max_depth 6, eta 0.3, tree_method hist, seed 0)
and a deeper one (500 trees, max_depth 8, same data), writes the rows as CSV, then in one
run times, alternating:
  * probity:  build/<preset>/bench/explain_benchmark (loads the model and the CSV through
              the library, times only explain::TreeShap / TreeShapInteractions, best of
              --repeats) with 1 and 2 threads;
  * xgboost:  Booster.predict(DMatrix, pred_contribs=True / pred_interactions=True,
              nthread=T) on the rows already in memory, best of --repeats.
Prints rows/s for both, the ratio probity / xgboost (targets: ≥ 3 for SHAP, ≥ 10 for
interactions) and the largest |difference| between the two tools' values (target ≤ 1e-5).

XGBoost 1.7's exact SHAP is slow (≈ 1,500 rows/s on one thread for the anchor model, ≈ 40×
less for the deep one), so the XGBoost side of the deep model is timed on the first
--deep-xgb-rows rows (its throughput does not depend on the row count; the reference
measured it flat from 10k to 100k rows) and the differences are compared on those rows.

  bench/explain_vs_xgboost.py [--bench build/dev/bench/explain_benchmark] [--repeats 3]
                              [--work DIR] [--quick]

Needs python3-xgboost, python3-sklearn, python3-numpy, python3-pandas.
Exit status: 0 when the measurements completed (met or not), 1 on an error.
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.datasets import make_classification

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def run_probity(args, model, csv, threads, interactions, out, repeats):
    cmd = [args.bench, "--model", model, "--data", csv, "--threads", str(threads),
           "--repeats", str(repeats), "--out", out]
    if interactions:
        cmd.append("--interactions")
    line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", default=os.path.join(REPO, "build/dev/bench/explain_benchmark"))
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--work", default=os.path.join(REPO, "build/bench-data/explain"))
    ap.add_argument("--deep-xgb-rows", type=int, default=1000)
    ap.add_argument("--quick", action="store_true", help="10k rows only, no deep model")
    ap.add_argument("--only", choices=["anchor", "deep"], help="time one model only")
    ap.add_argument("--prepare-only", action="store_true", help="train and write CSVs, no timing")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    print("load average at start: %s" % open("/proc/loadavg").read().strip())

    X, y = make_classification(n_samples=100_000, n_features=20, n_informative=10,
                               n_redundant=5, random_state=42)
    X = X.astype(np.float32)
    features = ["f%02d" % i for i in range(20)]
    models = {"anchor 100x6": (100, 6), "deep 500x8": (500, 8)}
    if args.quick:
        del models["deep 500x8"]
    paths = {}
    for name, (trees, depth) in models.items():
        path = os.path.join(args.work, "xgb%dx%d.json" % (trees, depth))
        if not os.path.exists(path):
            t = time.perf_counter()
            booster = xgb.train({"objective": "binary:logistic", "max_depth": depth, "eta": 0.3,
                                 "tree_method": "hist", "seed": 0, "nthread": 2},
                                xgb.DMatrix(X, label=y, feature_names=features), trees)
            booster.save_model(path)
            print("trained %s in %.1f s" % (name, time.perf_counter() - t))
        paths[name] = path
    csvs = {}
    for rows in (1_000, 10_000, 100_000):
        path = os.path.join(args.work, "rows%d.csv" % rows)
        if not os.path.exists(path):
            pd.DataFrame(X[:rows], columns=features).to_csv(path, index=False, float_format="%.9g")
        csvs[rows] = path

    if args.prepare_only:
        return 0
    results = []
    plan = [("anchor 100x6", "shap", 10_000, 10_000), ("anchor 100x6", "shap", 100_000, 100_000),
            ("anchor 100x6", "interactions", 1_000, 1_000),
            ("deep 500x8", "shap", 10_000, args.deep_xgb_rows),
            ("deep 500x8", "shap", 100_000, args.deep_xgb_rows),
            ("deep 500x8", "interactions", 1_000, max(args.deep_xgb_rows // 20, 20))]
    # Seconds per XGBoost interaction row grow with the model; the deep model's are timed
    # on --deep-xgb-rows / 20 rows.
    if args.quick:
        plan = plan[:1] + plan[2:3]
    if args.only:
        plan = [step for step in plan if step[0].startswith(args.only)]
    out = os.path.join(args.work, "probity.f64")
    for name, kind, rows, xgb_rows in plan:
        booster = xgb.Booster(model_file=paths[name])
        booster.feature_names = None  # the rows are given positionally
        dm = xgb.DMatrix(X[:xgb_rows])
        interactions = kind == "interactions"
        # Runs of a minute or more are timed once (the shared machine's time is scarce).
        repeats = 1 if rows >= 100_000 or xgb_rows >= 10_000 and name.startswith("deep") \
            else args.repeats
        for threads in (1, 2):
            booster.set_param({"nthread": threads})
            if interactions:
                xgb_s, ref = best_of(repeats, lambda: booster.predict(
                    dm, pred_interactions=True))
            else:
                xgb_s, ref = best_of(1 if xgb_rows >= 100_000 else repeats,
                                     lambda: booster.predict(dm, pred_contribs=True))
            p = run_probity(args, paths[name], csvs[rows], threads, interactions, out, repeats)
            width = 21 * 21 if interactions else 21
            ours = np.fromfile(out, dtype=np.float64).reshape(rows, width)[:xgb_rows]
            diff = float(np.max(np.abs(ours - ref.reshape(xgb_rows, width).astype(np.float64))))
            xgb_rate = xgb_rows / xgb_s
            r = {"model": name, "kind": kind, "threads": threads, "rows": rows,
                 "probity_rows_per_s": p["rows_per_s"], "probity_best_s": p["best_s"],
                 "probity_median_s": p["median_s"], "xgboost_rows": xgb_rows,
                 "xgboost_rows_per_s": xgb_rate, "xgboost_best_s": xgb_s,
                 "ratio": p["rows_per_s"] / xgb_rate, "max_abs_diff": diff,
                 "probity_additivity": p["max_additivity_error"],
                 "load": open("/proc/loadavg").read().split()[0]}
            results.append(r)
            print("%-13s %-12s rows %6d thr %d | probity %9.0f rows/s (best %.3f s) | "
                  "xgboost %7.1f rows/s on %d rows (best %.2f s) | ratio %6.1fx | "
                  "max|diff| %.2e | load %s" % (
                      name, kind, rows, threads, r["probity_rows_per_s"], p["best_s"], xgb_rate,
                      xgb_rows, xgb_s, r["ratio"], diff, r["load"]), flush=True)
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print("load average at end: %s" % open("/proc/loadavg").read().strip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
