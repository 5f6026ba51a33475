#!/usr/bin/python3
"""Fake external model with hand-known answers (probity-model-protocol 1).

Usage: echo_model.py classification | regression

classification: classes "no" and "yes, sure" (a name that needs CSV quoting). For each
  row, p = the number in column x: probability(yes, sure) = p, probability(no) = 1 - p,
  prediction "yes, sure" when p >= 0.5, else "no"; an empty x gives an empty row (all
  missing). Rows are written and flushed one at a time.
regression: prediction = x * ECHO_SCALE (environment, default 1) + 1000 * len(s) when
  the batch has a text column s. Exits with status 2 if the batch has a column "junk".
ECHO_STDERR_BYTES (environment): write that many bytes to stderr before reading each
  batch, to test that a chatty child does not block.
"""
import csv
import io
import os
import sys

stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", newline="")
stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
mode = sys.argv[1]
if stdin.readline() != "probity-model-protocol 1\n":
    sys.exit("bad version line")
writer = csv.writer(stdout, lineterminator="\n")
header = ["prediction"] + (["probability(no)", "probability(yes, sure)"]
                           if mode == "classification" else [])
stdout.write("probity-model-protocol 1\n")
writer.writerow(header)
stdout.flush()
reader = csv.reader(stdin)
scale = float(os.environ.get("ECHO_SCALE", "1"))
noise = int(os.environ.get("ECHO_STDERR_BYTES", "0"))
while True:
    line = stdin.readline()
    if not line:
        break
    if noise:
        sys.stderr.write("x" * (noise - 1) + "\n")
        sys.stderr.flush()
    rows = int(line.split()[1])
    names = next(reader)
    if "junk" in names:
        sys.stderr.write("unexpected column junk\n")
        sys.exit(2)
    writer.writerow(header)
    for _ in range(rows):
        record = dict(zip(names, next(reader)))
        x = record["x"]
        if mode == "classification":
            if x == "":
                writer.writerow(["", "", ""])
            else:
                p = float(x)
                writer.writerow(["yes, sure" if p >= 0.5 else "no", repr(1 - p), repr(p)])
            stdout.flush()
        else:
            value = float(x) * scale + 1000 * len(record.get("s", ""))
            writer.writerow([repr(value)])
    stdout.flush()
