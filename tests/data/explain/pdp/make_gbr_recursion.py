#!/usr/bin/python3
"""Writes gbr_recursion.json: a scikit-learn GradientBoostingRegressor's trees, its data and
scikit-learn's partial_dependence(method="recursion") on each feature, for
tests/explain/pdp_test.cc (PartialDependenceTest.RecursionMatchesScikitLearn).

Run with Debian's python3 (python3-sklearn 1.2.1, numpy):
    /usr/bin/python3 tests/data/explain/pdp/make_gbr_recursion.py

Feature values are multiples of 0.25 with 16 distinct values, so the grid is the unique
values (fewer than grid_resolution = 20) and every grid point is exact in float32, the
type scikit-learn casts the grid to before walking the trees. scikit-learn 1.2's recursion
leaves out the init predictor (a constant, the mean of y); "expected" adds it back, so the
numbers are the model's margin, which is what Probity's recursion returns.
"""
import json
import os

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.inspection import partial_dependence

rng = np.random.RandomState(7)
n = 80
X = rng.randint(0, 16, size=(n, 3)) / 4.0
y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2] + rng.normal(scale=0.1, size=n)
gbr = GradientBoostingRegressor(n_estimators=12, max_depth=3, learning_rate=0.3,
                                subsample=1.0, random_state=0).fit(X, y)
init = float(gbr.init_.constant_[0][0])

trees = []
for est in gbr.estimators_[:, 0]:
    t = est.tree_
    trees.append({
        "left": t.children_left.tolist(),
        "right": t.children_right.tolist(),
        "feature": t.feature.tolist(),
        "threshold": [float(v) for v in t.threshold],
        "value": [float(v) for v in t.value[:, 0, 0]],
        "cover": [float(v) for v in t.weighted_n_node_samples],
    })

expected = []
for j in range(X.shape[1]):
    pd = partial_dependence(gbr, X, features=[j], method="recursion", grid_resolution=20)
    expected.append({
        "grid": [float(v) for v in pd["values"][0]],
        "average": [float(v) + init for v in pd["average"][0]],
    })

fixture = {
    "source": "make_gbr_recursion.py (scikit-learn %s)" % __import__("sklearn").__version__,
    "features": ["x0", "x1", "x2"],
    "learning_rate": gbr.learning_rate,
    "init": init,
    "data": X.tolist(),
    "predictions": [float(v) for v in gbr.predict(X)],
    "trees": trees,
    "expected": expected,
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gbr_recursion.json")
with open(out, "w") as f:
    json.dump(fixture, f, indent=1)
    f.write("\n")
