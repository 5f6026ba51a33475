#!/usr/bin/python3
"""Serve a pickled scikit-learn classifier to Probity as an external model.

Usage:
  probity predict --model-command "/usr/bin/python3 examples/models/sklearn_adapter.py \\
      examples/models/german_credit_logistic.pkl" --data examples/data/german_credit.csv \\
      --out predictions.csv

Speaks probity-model-protocol 1 (docs/formats/external-model.md) on stdin/stdout:

  Probity -> adapter   probity-model-protocol 1
  adapter -> Probity   probity-model-protocol 1
                       prediction,probability(<class 1>),...,probability(<class k>)
  then, per batch:
  Probity -> adapter   batch <n>
                       <CSV header>
                       <n CSV records>
  adapter -> Probity   prediction,probability(<class 1>),...   (the same header)
                       <n CSV records>

Probity closes stdin to stop the adapter. Each input column is read as numbers when every
non-empty cell of the batch is a number, as text otherwise; an empty cell is missing
(None). The estimator picks its columns by name (a Pipeline with a ColumnTransformer, as
examples/models/train.py builds), so extra columns such as the label are ignored.

Only load pickles you trust: unpickling runs code. The default model is the one
examples/models/train.py wrote next to this script.
"""

import csv
import io
import os
import pickle
import sys

import numpy as np
import pandas as pd

VERSION_LINE = "probity-model-protocol 1"


def read_batch(stdin, reader, rows):
    header = next(reader)
    records = [next(reader) for _ in range(rows)]
    frame = pd.DataFrame(records, columns=header, dtype=object)
    for name in header:
        column = frame[name].where(frame[name] != "", None)
        try:
            frame[name] = pd.to_numeric(column, errors="raise").astype(np.float64)
        except (ValueError, TypeError):
            frame[name] = column
    return frame


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "german_credit_logistic.pkl")
    with open(path, "rb") as f:
        model = pickle.load(f)  # our own file; see the warning above
    classes = [str(c) for c in model.classes_]

    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline="")
    stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    greeting = stdin.readline().rstrip("\r\n")
    if greeting != VERSION_LINE:
        sys.exit(f"sklearn_adapter: expected '{VERSION_LINE}', got '{greeting}'")
    writer = csv.writer(stdout, lineterminator="\n")
    header = ["prediction"] + [f"probability({c})" for c in classes]
    stdout.write(VERSION_LINE + "\n")
    writer.writerow(header)
    stdout.flush()

    reader = csv.reader(stdin)
    while True:
        line = stdin.readline()
        if not line:
            return  # Probity closed stdin: clean shutdown
        words = line.split()
        if len(words) != 2 or words[0] != "batch":
            sys.exit(f"sklearn_adapter: expected 'batch <rows>', got {line!r}")
        frame = read_batch(stdin, reader, int(words[1]))
        proba = model.predict_proba(frame)
        writer.writerow(header)
        for p in proba:
            writer.writerow([classes[int(np.argmax(p))]] + [repr(float(v)) for v in p])
        stdout.flush()


if __name__ == "__main__":
    main()
