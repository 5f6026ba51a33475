#!/usr/bin/python3
"""Writes tests/data/fairness/knn_cases.json: reference values for Probity's kNN metrics.

Run from the repository root with Debian's Python (scikit-learn 1.2.1, numpy):

    /usr/bin/python3 tests/fairness/make_knn_fixtures.py

* consistency: AIF360's formula (aif360/metrics/binary_label_dataset_metric.py,
  BinaryLabelDatasetMetric.consistency at commit 3487791):
      nbrs = NearestNeighbors(n_neighbors=k, algorithm='ball_tree').fit(X)
      _, indices = nbrs.kneighbors(X)
      1 - mean_i |y_i - mean(y[indices[i]])|
  i.e. the neighbourhood includes the row itself. Extra cases use metric='manhattan' and
  features scaled by sklearn's StandardScaler / MinMaxScaler (Probity's options).
* flip_test: SageMaker Clarify's FT (smclarify/bias/metrics/posttraining.py, function FT at
  commit 105c047): KNeighborsClassifier(n_neighbors=5 if n_a > 9 else 1,
  weights='uniform', algorithm='auto', p=2, metric='minkowski') fitted on facet-a rows with
  the model's predictions as targets, predicting facet-d rows; FT = (|FS_pos| - |FS_neg|)/n_d
  where FS_pos = d rows with model > kNN (model 1, kNN 0) and FS_neg = model < kNN.

Features are continuous draws from a seeded generator; every case is checked to have no
tie in the distances that decide a neighbourhood, so any correct kNN gives these values.
"""
import json
import os

import numpy as np
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.preprocessing import MinMaxScaler, StandardScaler

OUT = os.path.join("tests", "data", "fairness", "knn_cases.json")


def scale(x, scaling):
    if scaling == "standardize":
        return StandardScaler().fit_transform(x)
    if scaling == "minmax":
        return MinMaxScaler().fit_transform(x)
    return x


def pairwise(a, b, metric):
    diff = a[:, None, :] - b[None, :, :]
    return np.abs(diff).sum(-1) if metric == "manhattan" else np.sqrt((diff**2).sum(-1))


def no_ties(dist, k):
    """True when the k-th and (k+1)-th smallest distance of every row differ clearly."""
    s = np.sort(dist, axis=1)
    return k >= s.shape[1] or bool(np.all(s[:, k] - s[:, k - 1] > 1e-9))


def consistency_case(rng, name, n, cols, k, metric="euclidean", scaling="none"):
    while True:
        x = rng.normal(size=(n, cols)) * rng.uniform(0.5, 20, size=cols) + rng.uniform(-5, 5, cols)
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-x[:, 0] / x[:, 0].std()))).astype(int)
        xs = scale(x, scaling)
        if no_ties(pairwise(xs, xs, metric), k):
            break
    nbrs = NearestNeighbors(n_neighbors=k, algorithm="ball_tree", metric=metric).fit(xs)
    _, indices = nbrs.kneighbors(xs)
    assert all(indices[i][0] == i for i in range(n)), "a row is its own nearest neighbour"
    value = 1.0 - np.mean([abs(y[i] - np.mean(y[indices[i]])) for i in range(n)])
    return {"name": name, "k": k, "distance": metric, "scaling": scaling, "rows": n,
            "cols": cols, "features": x.ravel().tolist(), "outcomes": y.tolist(),
            "expected": float(value)}


def flip_test_case(rng, name, n, cols, share_d):
    while True:
        x = rng.normal(size=(n, cols)) * rng.uniform(1, 10, size=cols)
        in_d = rng.uniform(size=n) < share_d
        if in_d.sum() == 0 or (~in_d).sum() == 0:
            continue
        pred = (x[:, 0] + rng.normal(scale=2.0, size=n) + 1.5 * in_d > 0).astype(int)
        n_a = int((~in_d).sum())
        k = 5 if n_a > 9 else 1
        if no_ties(pairwise(x[in_d], x[~in_d], "euclidean"), k):
            break
    knn = KNeighborsClassifier(n_neighbors=k, weights="uniform", algorithm="auto",
                               leaf_size=30, p=2, metric="minkowski")
    knn.fit(x[~in_d], pred[~in_d])
    d_y_if_a = knn.predict(x[in_d])
    d_y_model = pred[in_d]
    fs_pos = int(np.sum(d_y_model > d_y_if_a))  # Clarify's FlipSet_pos: labels > predicted
    fs_neg = int(np.sum(d_y_model < d_y_if_a))
    return {"name": name, "rows": n, "cols": cols, "k": k, "features": x.ravel().tolist(),
            "predictions": pred.tolist(), "in_d": in_d.astype(int).tolist(),
            "f_plus": fs_pos, "f_minus": fs_neg, "n_d": int(in_d.sum()),
            "expected": (fs_pos - fs_neg) / int(in_d.sum())}


def main():
    rng = np.random.default_rng(20261129)
    cases = {
        "generator": "tests/fairness/make_knn_fixtures.py (numpy default_rng seed 20261129)",
        "consistency": [
            consistency_case(rng, "n20_c2_k5", 20, 2, 5),
            consistency_case(rng, "n60_c3_k5", 60, 3, 5),
            consistency_case(rng, "n150_c5_k5", 150, 5, 5),
            consistency_case(rng, "n40_c4_k3", 40, 4, 3),
            consistency_case(rng, "n80_c3_k5_manhattan", 80, 3, 5, metric="manhattan"),
            consistency_case(rng, "n80_c3_k5_standardize", 80, 3, 5, scaling="standardize"),
            consistency_case(rng, "n80_c3_k5_minmax", 80, 3, 5, scaling="minmax"),
        ],
        "flip_test": [
            flip_test_case(rng, "n40_c2_k5", 40, 2, 0.4),
            flip_test_case(rng, "n120_c4_k5", 120, 4, 0.3),
            flip_test_case(rng, "n14_c3_k1", 14, 3, 0.5),  # n_a <= 9: k = 1
            flip_test_case(rng, "n300_c6_k5", 300, 6, 0.5),
        ],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(cases, f)
        f.write("\n")
    for c in cases["consistency"]:
        print("consistency", c["name"], c["expected"])
    for c in cases["flip_test"]:
        print("flip_test", c["name"], "k", c["k"], "F+", c["f_plus"], "F-", c["f_minus"],
              "n_d", c["n_d"], c["expected"])


if __name__ == "__main__":
    main()
