#!/usr/bin/python3
"""Fake external model that breaks probity-model-protocol 1 in one way (argv[1]).

Handshake header: prediction,probability(a),probability(b), except in mode "noprediction"
(header "score,probability(a)") and "unknown" (header "prediction,margin"). Each batch of
n rows is answered (all at once) with:
  extra      n + 1 rows
  text       a probability "abc" in row 1
  range      a probability 1.5 in row 1
  fields     row 1 with two fields
  header     the answer header "prediction,probability(b),probability(a)"
  class      a prediction "c", which is not a class
  quote      row 1 with junk after a closing quote
"""
import sys

mode = sys.argv[1]
sys.stdin.readline()
header = {"noprediction": "score,probability(a)",
          "unknown": "prediction,margin"}.get(mode, "prediction,probability(a),probability(b)")
sys.stdout.write("probity-model-protocol 1\n" + header + "\n")
sys.stdout.flush()
while True:
    line = sys.stdin.readline()
    if not line:
        break
    rows = int(line.split()[1])
    for _ in range(rows + 1):
        sys.stdin.readline()
    answer = ["a,0.75,0.25"] * rows
    first = {"text": "a,abc,0.25", "range": "a,1.5,-0.5", "fields": "a,0.75",
             "class": "c,0.75,0.25", "quote": 'a,"0.75"x,0.25'}.get(mode)
    if first:
        answer[0] = first
    if mode == "extra":
        answer.append("b,0.25,0.75")
    top = "prediction,probability(b),probability(a)" if mode == "header" else header
    sys.stdout.write(top + "\n" + "".join(row + "\n" for row in answer))
    sys.stdout.flush()
