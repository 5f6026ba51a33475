#!/usr/bin/python3
"""Writes percentiles.json: LIME's discretisation edges computed by numpy.

Run with Debian's /usr/bin/python3 (numpy 1.24.2):
    /usr/bin/python3 tests/data/explain/lime/make_fixture.py

LIME's QuartileDiscretizer / DecileDiscretizer take np.percentile(column, [25, 50, 75]) or
[10, ..., 90] (default linear interpolation) and keep np.unique of them as bin edges. For
each column: the training values and both edge lists.
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rng = np.random.RandomState(2024)
    columns = [
        rng.normal(40, 12, size=37),                       # continuous, odd count
        np.round(rng.exponential(3, size=50), 1),          # ties
        np.array([1.0] * 30 + [2.0] * 5 + [7.5] * 3),      # heavy ties: edges collapse
    ]
    out = []
    for values in columns:
        out.append({
            "values": values.tolist(),
            "quartile": np.unique(np.percentile(values, [25, 50, 75])).tolist(),
            "decile": np.unique(np.percentile(values, list(range(10, 100, 10)))).tolist(),
        })
    with open(os.path.join(HERE, "percentiles.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


if __name__ == "__main__":
    main()
