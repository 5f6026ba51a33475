#!/usr/bin/python3
"""Writes sklearn_metrics.json: scikit-learn's metric values on fixed permutations.

Run with Debian's /usr/bin/python3 (numpy 1.24.2, scikit-learn 1.2.1):
    /usr/bin/python3 tests/data/explain/permutation/make_fixture.py

Shuffles differ between implementations, so the fixture holds, for each model, the data,
the fitted coefficients (tests rebuild the model as a FunctionModel with the same link), and
for each permuted copy of the data (column j shuffled by the listed row order, or a group of
columns shuffled by the same order) scikit-learn's metric on it. The test feeds each permuted
copy to PermutationImportanceOf and compares the baseline it reports, to 1e-12.
"""
import json
import os

import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, brier_score_loss,
                             log_loss, mean_absolute_error, mean_squared_error, r2_score,
                             roc_auc_score)

HERE = os.path.dirname(os.path.abspath(__file__))


def permutations(n, columns, rng):
    out = []
    for cols in columns:
        for _ in range(2):
            out.append({"columns": cols, "order": rng.permutation(n).tolist()})
    return out


def permuted(x, p):
    xp = x.copy()
    for c in p["columns"]:
        xp[:, c] = x[p["order"], c]
    return xp


def binary_case(rng):
    x, y = make_classification(n_samples=80, n_features=3, n_informative=2, n_redundant=0,
                               n_clusters_per_class=1, flip_y=0.1, random_state=3)
    model = LogisticRegression().fit(x, y)
    cases = []
    for p in [{"columns": [], "order": list(range(len(y)))}] + permutations(
            len(y), [[0], [1], [2], [0, 1]], rng):
        xp = permuted(x, p)
        proba = model.predict_proba(xp)
        cases.append(dict(p, metrics={
            "accuracy": accuracy_score(y, model.predict(xp)),
            "balanced_accuracy": balanced_accuracy_score(y, model.predict(xp)),
            "log_loss": log_loss(y, proba),
            "roc_auc": roc_auc_score(y, proba[:, 1]),
            "brier": brier_score_loss(y, proba[:, 1]),
        }))
    return {"x": x.tolist(), "y": y.tolist(), "coef": model.coef_.tolist(),
            "intercept": model.intercept_.tolist(), "classes": ["0", "1"], "cases": cases}


def multiclass_case(rng):
    x, y = make_classification(n_samples=90, n_features=4, n_informative=3, n_redundant=0,
                               n_classes=3, n_clusters_per_class=1, random_state=5)
    model = LogisticRegression().fit(x, y)  # multinomial (lbfgs)
    cases = []
    for p in [{"columns": [], "order": list(range(len(y)))}] + permutations(
            len(y), [[0], [2], [1, 3]], rng):
        xp = permuted(x, p)
        cases.append(dict(p, metrics={
            "accuracy": accuracy_score(y, model.predict(xp)),
            "balanced_accuracy": balanced_accuracy_score(y, model.predict(xp)),
            "log_loss": log_loss(y, model.predict_proba(xp)),
        }))
    return {"x": x.tolist(), "y": y.tolist(), "coef": model.coef_.tolist(),
            "intercept": model.intercept_.tolist(), "classes": ["0", "1", "2"], "cases": cases}


def regression_case(rng):
    x, y = make_regression(n_samples=70, n_features=3, n_informative=3, noise=5.0,
                           random_state=11)
    model = LinearRegression().fit(x, y)
    cases = []
    for p in [{"columns": [], "order": list(range(len(y)))}] + permutations(
            len(y), [[0], [1], [2]], rng):
        pred = model.predict(permuted(x, p))
        cases.append(dict(p, metrics={
            "r2": r2_score(y, pred),
            "rmse": mean_squared_error(y, pred, squared=False),
            "mae": mean_absolute_error(y, pred),
        }))
    return {"x": x.tolist(), "y": y.tolist(), "coef": [model.coef_.tolist()],
            "intercept": [float(model.intercept_)], "classes": [], "cases": cases}


def main():
    rng = np.random.RandomState(7)
    out = {"binary": binary_case(rng), "multiclass": multiclass_case(rng),
           "regression": regression_case(rng)}
    with open(os.path.join(HERE, "sklearn_metrics.json"), "w") as f:
        json.dump(out, f, indent=None)
        f.write("\n")


if __name__ == "__main__":
    main()
