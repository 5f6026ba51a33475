#!/usr/bin/python3
"""Generate a deterministic, synthetic CSV for profiling benchmarks.

The file has a header and N rows of 13 columns:

  f1..f8   floats of mixed magnitudes and distributions (normal, lognormal, uniform)
  age      int, 18..90
  region   string, 10 values (skewed frequencies)
  segment  string, 50 values (skewed frequencies)
  label    0/1, correlated with some features
  score    float in [0, 1]

About 1% of the values of f3, f6 and region are missing (empty fields).

The output depends only on --rows, --seed and GENERATOR_VERSION (and on numpy's
PCG64 stream and Python's float formatting, which are stable on a given Debian
release): running it twice gives byte-identical files. Rows are generated in
fixed-size blocks, so memory stays modest regardless of --rows.

Only needs Debian's python3 and python3-numpy.
"""

import argparse
import os
import sys
import time

import numpy as np

# Bump when the output for a given (rows, seed) changes, so that cached data files
# (see profile_vs_pandas.py, which records this in a sidecar file) are regenerated.
GENERATOR_VERSION = 1
DEFAULT_SEED = 20240611
DEFAULT_ROWS = 2_000_000
BLOCK_ROWS = 100_000  # fixed: the byte stream depends on it

HEADER = "f1,f2,f3,f4,f5,f6,f7,f8,age,region,segment,label,score"

REGIONS = np.array([
    "north", "south", "east", "west", "central",
    "north-east", "north-west", "south-east", "south-west", "islands",
])
REGION_WEIGHTS = np.array([18, 16, 14, 12, 10, 9, 8, 6, 4, 3], dtype=np.float64)
REGION_WEIGHTS /= REGION_WEIGHTS.sum()

SEGMENTS = np.array(["seg%02d" % i for i in range(1, 51)])
# Zipf-like segment frequencies.
SEGMENT_WEIGHTS = 1.0 / np.arange(1, 51, dtype=np.float64) ** 0.8
SEGMENT_WEIGHTS /= SEGMENT_WEIGHTS.sum()

MISSING_FRACTION = 0.01


def _fmt_column(values, fmt, missing=None):
    """Format a float array into a list of strings; entries where `missing` is True
    become empty strings."""
    out = [fmt % v for v in values.tolist()]
    if missing is not None:
        for i in np.flatnonzero(missing).tolist():
            out[i] = ""
    return out


def make_block(rng, n):
    """Return the CSV text (without header) of n rows."""
    f1 = rng.standard_normal(n)                          # ~N(0,1)
    f2 = rng.normal(100.0, 15.0, n)                      # ~N(100,15)
    f3 = rng.lognormal(2.0, 1.0, n)                      # skewed, positive
    f4 = rng.random(n)                                   # U(0,1)
    f5 = rng.normal(-50.0, 200.0, n)                     # wide, mostly negative
    f6 = rng.lognormal(8.0, 1.5, n)                      # heavy tail, large magnitude
    f7 = rng.uniform(-1000.0, 1000.0, n)                 # U(-1000,1000)
    f8 = rng.normal(0.002, 0.001, n)                     # tiny magnitude
    age = rng.integers(18, 91, n)                        # 18..90 inclusive
    region_idx = rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS)
    segment_idx = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_WEIGHTS)
    logit = 0.8 * f1 + 0.03 * (f2 - 100.0) + 0.02 * (age - 50) - 0.5 + rng.standard_normal(n)
    p = 1.0 / (1.0 + np.exp(-logit))
    label = (rng.random(n) < p).astype(np.int64)
    score = np.clip(p + rng.normal(0.0, 0.05, n), 0.0, 1.0)
    miss_f3 = rng.random(n) < MISSING_FRACTION
    miss_f6 = rng.random(n) < MISSING_FRACTION
    miss_region = rng.random(n) < MISSING_FRACTION

    region = REGIONS[region_idx].tolist()
    for i in np.flatnonzero(miss_region).tolist():
        region[i] = ""

    cols = [
        _fmt_column(f1, "%.3f"),
        _fmt_column(f2, "%.2f"),
        _fmt_column(f3, "%.3f", miss_f3),
        _fmt_column(f4, "%.4f"),
        _fmt_column(f5, "%.1f"),
        _fmt_column(f6, "%.1f", miss_f6),
        _fmt_column(f7, "%.2f"),
        _fmt_column(f8, "%.5f"),
        age.tolist(),
        region,
        SEGMENTS[segment_idx].tolist(),
        label.tolist(),
        _fmt_column(score, "%.4f"),
    ]
    row_fmt = ",".join(["%s"] * len(cols)) + "\n"
    return "".join(map(row_fmt.__mod__, zip(*cols)))


def generate(out_path, rows, seed, quiet=False):
    rng = np.random.Generator(np.random.PCG64(seed))
    tmp_path = out_path + ".tmp"
    t0 = time.monotonic()
    written = 0
    with open(tmp_path, "w", encoding="ascii", newline="") as f:
        f.write(HEADER + "\n")
        done = 0
        last_report = t0
        while done < rows:
            n = min(BLOCK_ROWS, rows - done)
            f.write(make_block(rng, n))
            done += n
            now = time.monotonic()
            if not quiet and (now - last_report >= 2.0 or done == rows):
                last_report = now
                print("make_profile_csv: %d/%d rows (%.0f%%), %.1f s"
                      % (done, rows, 100.0 * done / rows, now - t0),
                      file=sys.stderr, flush=True)
        written = f.tell()
    os.replace(tmp_path, out_path)
    elapsed = time.monotonic() - t0
    if not quiet:
        print("make_profile_csv: wrote %s: %d rows, %d bytes (%.1f bytes/row) in %.1f s"
              % (out_path, rows, written, written / max(rows, 1), elapsed),
              file=sys.stderr, flush=True)
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=DEFAULT_ROWS,
                    help="number of data rows (default %(default)d)")
    ap.add_argument("--out", default="profile_bench.csv",
                    help="output path (default %(default)s); written via a .tmp file and renamed")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED,
                    help="random seed (default %(default)d)")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    ap.add_argument("--version", action="store_true",
                    help="print the generator version and exit")
    args = ap.parse_args(argv)
    if args.version:
        print(GENERATOR_VERSION)
        return 0
    if args.rows < 0:
        ap.error("--rows must be >= 0")
    generate(args.out, args.rows, args.seed, quiet=args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
