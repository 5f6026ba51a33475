#!/usr/bin/python3
"""Peer comparison: `probity predict` vs xgboost's own predictor (Booster.predict).

Trains with Debian's python3-xgboost a binary:logistic model of 500 trees of depth 6 on 20
features, saves it as JSON, writes a 1M-row CSV of fresh rows (5% missing cells), then in
the same run times, each several times, alternating:
  * probity:  `probity predict --model m.json --data rows.csv --out preds.csv --threads T`
              (end to end: parse the CSV, bind, score, write the predictions CSV);
  * xgboost:  Booster.predict(DMatrix(array), nthread=T) on the rows already in memory
              (scoring only; reading the CSV with pandas is timed separately and reported).
Prints both, the ratio probity / xgboost-predict (target ≤ 1.0) and the largest absolute
difference between the two tools' probabilities (target ≤ 1e-6).

  bench/predict_vs_xgboost.py [--probity build/release/probity] [--rows 1000000]
                              [--threads 2] [--repeats 3] [--work DIR]

Needs python3-xgboost, python3-numpy, python3-pandas (scripts/setup --bench).
Exit status: 0 when the measurements completed (met or not), 1 on an error.
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import xgboost as xgb

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--probity", default=os.path.join(REPO, "build/release/probity"))
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--work", default=os.path.join(REPO, "build/bench-data/predict"))
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    model_path = os.path.join(args.work, "xgb500x6.json")
    data_path = os.path.join(args.work, "rows%d.csv" % args.rows)
    out_path = os.path.join(args.work, "preds.csv")
    features = ["f%02d" % i for i in range(20)]

    rng = np.random.default_rng(42)
    if not os.path.exists(model_path):
        X = rng.normal(size=(100_000, 20)).astype(np.float32)
        w = rng.normal(size=20)
        y = ((X @ w + np.sin(3 * X[:, 0]) * 2 + rng.normal(size=len(X))) > 0).astype(int)
        d = xgb.DMatrix(X, label=y, feature_names=features)
        t = time.perf_counter()
        booster = xgb.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.1,
                             "tree_method": "hist", "nthread": args.threads, "seed": 1},
                            d, num_boost_round=500)
        booster.save_model(model_path)
        print("trained 500 trees of depth 6 in %.1f s" % (time.perf_counter() - t))
    booster = xgb.Booster(model_file=model_path)
    if not os.path.exists(data_path):
        X = rng.normal(size=(args.rows, 20))
        X[rng.random(X.shape) < 0.05] = np.nan
        pd.DataFrame(X, columns=features).to_csv(data_path, index=False, float_format="%.6g")
    size_mb = os.path.getsize(data_path) / 1e6
    print("data: %s (%d rows, %.0f MB)" % (data_path, args.rows, size_mb))

    t = time.perf_counter()
    frame = pd.read_csv(data_path)
    read_s = time.perf_counter() - t
    array = frame.to_numpy(dtype=np.float32)

    probity_s, xgb_s = [], []
    reference = None
    for _ in range(args.repeats):
        if os.path.exists(out_path):
            os.remove(out_path)  # the comparison must read this run's output
        t = time.perf_counter()
        subprocess.run([args.probity, "--quiet", "--threads", str(args.threads), "predict",
                        "--model", model_path, "--data", data_path, "--out", out_path],
                       check=True)
        probity_s.append(time.perf_counter() - t)
        booster.set_param({"nthread": args.threads})
        # A fresh DMatrix each time: xgboost caches predictions per DMatrix.
        matrix = xgb.DMatrix(array, feature_names=features, nthread=args.threads)
        t = time.perf_counter()
        reference = booster.predict(matrix)
        xgb_s.append(time.perf_counter() - t)

    ours = pd.read_csv(out_path)["probability(1)"].to_numpy()
    if len(ours) != args.rows:
        print("probity wrote %d rows, expected %d" % (len(ours), args.rows))
        return 1
    diff = float(np.max(np.abs(ours - reference.astype(np.float64))))
    p, x = min(probity_s), min(xgb_s)
    print("xgboost %s, %d threads, %d repeats (best of)" % (xgb.__version__, args.threads,
                                                              args.repeats))
    print("probity predict (CSV in, CSV out):  %.2f s  (runs: %s)" %
          (p, ", ".join("%.2f" % v for v in probity_s)))
    print("xgboost Booster.predict (in memory): %.2f s  (runs: %s)" %
          (x, ", ".join("%.2f" % v for v in xgb_s)))
    print("pandas read_csv of the same file:    %.2f s  (not in the ratio)" % read_s)
    print("ratio probity / xgboost = %.2f  (target <= 1.0: %s)" % (p / x, "met" if p <= x else "NOT met"))
    print("max |probity - xgboost| = %.3g  (target <= 1e-6: %s)" % (diff, "met" if diff <= 1e-6 else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
