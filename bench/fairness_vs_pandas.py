#!/usr/bin/python3
"""Benchmark: `probity fairness` vs a pandas groupby script, on a generated CSV.

    /usr/bin/python3 bench/fairness_vs_pandas.py --probity build/release/probity \
        [--rows 10000000] [--also-rows 1000000] [--workdir /tmp]

Generates (seeded, once per row count; reused while the generator is unchanged) a CSV
with an id, two facets (`sex`: 2 values, `region`: 5 values), an unused `income` feature,
a binary `label`, a `score` in [0, 1] at full double precision and the binary
`decision` = score > 0.5 (~48 bytes a row: 10M rows ≈ 485 MB; the issue's "~600 MB" is
approximate), then times, each as a fresh child process on a warm page cache:

  cat        `cat FILE > /dev/null`: the I/O floor
  collect    `probity fairness … --prediction decision --partial OUT`: the streaming
             collection alone (parse, per-row group statistics), no report: the
             parse-bound figure
  wilson     `probity fairness … --prediction decision --ci wilson --json --quiet`: every
             count-based metric with Wilson/Newcombe/Katz intervals
  bootstrap  the same with `--ci bootstrap --replicates 1000` (contingency-table bootstrap)
  score      `--score score --threshold 0.5 --ci wilson`: the same decisions, plus the
             score metrics (per-group AUC, Brier, calibration, two-sample KS), which keep
             a score sketch per cell: not count-based, shown apart
  pandas     bench/fairness_pandas_peer.py: read_csv, groupby per facet, confusion counts,
             selection rate, TPR/FPR, Fairlearn-style differences and ratios

and prints wall time, MB/s, peak RSS (ru_maxrss of that child, from os.wait4), pandas /
probity and the bootstrap's extra time (bootstrap − wilson). With --also-rows N the
probity runs are repeated on an N-row file, to show that the bootstrap's extra time does
not grow with the row count. Targets (issue 5): probity ≥ 20× faster than pandas, peak
RSS < 150 MiB, bootstrap cost independent of row count. The driver checks that probity
and pandas counted the same tp/fp/tn/fn per group.

Exit status: 0 when every run completed (targets met or not: see the PASS/MISS lines),
1 when a run failed or the two tools' counts differ.
"""

import argparse
import json
import os
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH_DIR)
from profile_vs_pandas import BenchError, run_measured  # noqa: E402  (light imports only)

PYTHON = "/usr/bin/python3"
PEER = os.path.join(BENCH_DIR, "fairness_pandas_peer.py")
GENERATOR_VERSION = 2
TARGET_SPEEDUP = 20.0
TARGET_RSS_MIB = 150.0

# Run in a child (numpy/pandas must not enter the driver: its RSS is every child's floor).
GENERATOR = r"""
import sys
import numpy as np
import pandas as pd
path, rows, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(seed)
sexes = np.array(["female", "male"])
regions = np.array(["north", "south", "east", "west", "central"])
chunk = 1_000_000
with open(path, "w") as f:
    f.write("id,sex,region,income,label,score,decision\n")
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        s = rng.integers(0, 2, n)
        r = rng.integers(0, 5, n)
        p = 0.25 + 0.1 * s + 0.05 * r  # group-dependent base rates
        label = (rng.random(n) < p).astype(np.int8)
        score = np.clip(0.35 * label + 0.5 * p + rng.normal(0, 0.2, n), 0, 1)
        income = rng.lognormal(10.5, 0.6, n).round(2)  # an unused feature column
        pd.DataFrame({"id": np.arange(start, start + n), "sex": sexes[s], "region": regions[r],
                      "income": income, "label": label, "score": score,
                      "decision": (score > 0.5).astype(np.int8)}).to_csv(
                          f, header=False, index=False)
"""


def log(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


def data_file(workdir, rows, seed):
    path = os.path.join(workdir, "probity-fairness-bench-%d.csv" % rows)
    stamp = path + ".params.json"
    params = {"generator_version": GENERATOR_VERSION, "rows": rows, "seed": seed,
              "generator": GENERATOR}
    if os.path.exists(path) and os.path.exists(stamp):
        with open(stamp) as f:
            if json.load(f) == params:
                return path
    log("generating %s (%d rows)" % (path, rows))
    t0 = time.perf_counter()
    r = run_measured([PYTHON, "-c", GENERATOR, path, str(rows), str(seed)])
    if r.returncode != 0:
        raise BenchError("generator failed:\n" + r.stderr)
    with open(stamp, "w") as f:
        json.dump(params, f)
    log("generated %.0f MB in %.1f s" % (os.path.getsize(path) / 1e6, time.perf_counter() - t0))
    return path


def measure(name, argv, timeout, stdout_devnull=False):
    log("running %s: %s" % (name, " ".join(argv)))
    r = run_measured(argv, timeout=timeout, stdout_devnull=stdout_devnull)
    if r.timed_out or r.returncode != 0:
        raise BenchError("%s %s (exit %d):\n%s" % (name, "timed out" if r.timed_out else "failed",
                                                 r.returncode, r.stderr[-2000:]))
    log("  %.2f s, %.1f MiB" % (r.wall, r.maxrss_kib / 1024))
    return r


def probity_argv(args, path, score=False):
    decisions = (["--score", "score", "--threshold", "0.5"] if score else
                 ["--prediction", "decision", "--predicted-positive", "1"])
    return [args.probity, "fairness", "--data", path, "--label", "label", "--positive", "1",
            "--facet", "sex", "--facet", "region"] + decisions


def check_counts(report, peer):
    """The per-group tp/fp/tn/fn of probity's report and of the pandas script agree."""
    for facet in report["facets"]:
        groups = peer["facets"][facet["facet"]]["groups"]
        for g in facet["groups"]:
            want = groups[g["group"]]
            got = {k: int(g[k]) for k in ("n", "tp", "fp", "tn", "fn")}
            if got != want:
                raise BenchError("counts differ for %s=%s: probity %s, pandas %s"
                                 % (facet["facet"], g["group"], got, want))


def run_rows(args, rows, with_pandas):
    path = data_file(args.workdir, rows, args.seed)
    size = os.path.getsize(path)
    measure("warm-up cat", ["/bin/sh", "-c", 'cat "$0" > /dev/null', path], args.timeout)
    out = {"rows": rows, "bytes": size, "runs": {}}
    runs = out["runs"]
    runs["cat"] = measure("cat", ["/bin/sh", "-c", 'cat "$0" > /dev/null', path], args.timeout)
    partial = os.path.join(args.workdir, "probity-fairness-bench-%d.partial" % rows)
    runs["collect"] = measure("collect", probity_argv(args, path) + ["--partial", partial,
                                                                      "--quiet"], args.timeout)
    runs["wilson"] = measure("wilson", probity_argv(args, path) + ["--ci", "wilson", "--json",
                                                                    "--quiet"], args.timeout)
    runs["bootstrap"] = measure(
        "bootstrap", probity_argv(args, path) + ["--ci", "bootstrap", "--replicates",
                                                 str(args.replicates), "--json", "--quiet"],
        args.timeout)
    runs["score"] = measure("score", probity_argv(args, path, score=True) +
                            ["--ci", "wilson", "--json", "--quiet"], args.timeout)
    if with_pandas:
        runs["pandas"] = measure("pandas", [PYTHON, PEER, path], args.timeout)
        check_counts(json.loads(runs["wilson"].stdout), json.loads(runs["pandas"].stdout))
        log("probity and pandas counted the same tp/fp/tn/fn in every group")
    return out


def report(results, floor_kib):
    print("| rows | file MB | run | wall s | MB/s | peak RSS MiB |")
    print("| ---: | ---: | --- | ---: | ---: | ---: |")
    for res in results:
        mb = res["bytes"] / 1e6
        for name, r in res["runs"].items():
            print("| %d | %.0f | %s | %.2f | %.0f | %.1f |"
                  % (res["rows"], mb, name, r.wall, mb / r.wall, r.maxrss_kib / 1024))
    print()
    print("driver RSS floor (a child's ru_maxrss is at least this): %.1f MiB" % (floor_kib / 1024))
    ok = True
    for res in results:
        runs = res["runs"]
        extra = runs["bootstrap"].wall - runs["wilson"].wall
        print("%d rows: bootstrap extra time (bootstrap − wilson) %.2f s; collect / cat %.1f×"
              % (res["rows"], extra, runs["collect"].wall / runs["cat"].wall))
        for k in ("collect", "wilson", "bootstrap", "score"):
            rss = runs[k].maxrss_kib / 1024
            ok &= rss < TARGET_RSS_MIB
            print("  %s peak RSS (%s) %.1f MiB (target < %.0f)"
                  % ("PASS" if rss < TARGET_RSS_MIB else "MISS", k, rss, TARGET_RSS_MIB))
        if "pandas" in runs:
            for k in ("wilson", "bootstrap", "score"):
                speedup = runs["pandas"].wall / runs[k].wall
                print("  %s pandas / probity (%s) = %.1f× (target ≥ %.0f×)"
                      % ("PASS" if speedup >= TARGET_SPEEDUP else "MISS", k, speedup,
                         TARGET_SPEEDUP))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--probity", required=True)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--also-rows", type=int, default=0,
                        help="also time probity on a file of this many rows (bootstrap check)")
    parser.add_argument("--replicates", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20260501)
    parser.add_argument("--workdir", default="/tmp")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json-out", help="also write the measurements here")
    args = parser.parse_args()
    args.probity = os.path.abspath(args.probity)
    try:
        results = [run_rows(args, args.rows, True)]
        if args.also_rows:
            results.append(run_rows(args, args.also_rows, False))
        floor = run_measured(["/bin/true"]).maxrss_kib
        version = run_measured([args.probity, "--version"]).stdout.strip()
        print("probity %s; %d CPUs; %s" % (version, os.cpu_count(), os.uname().release))
        report(results, floor)
        if args.json_out:
            with open(args.json_out, "w") as f:
                json.dump([{**r, "runs": {k: {"wall_s": v.wall, "maxrss_kib": v.maxrss_kib}
                                          for k, v in r["runs"].items()}} for r in results],
                          f, indent=1)
    except BenchError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
