#!/usr/bin/python3
"""Makes the XGBoost agreement fixtures for tests/explain/xgboost_agreement_test.cc: small
models trained by Debian 12's python3-xgboost 1.7.4 and the SHAP values and interaction
values xgboost itself computes for them (Booster.predict with pred_contribs=True and
pred_interactions=True, margin space, classic path-dependent TreeSHAP in 1.7.4).

Run from the repository root:  /usr/bin/python3 tests/explain/make_xgboost_fixtures.py
Writes (committed) into tests/data/explain/xgboost/:
  input.csv                      the rows explained (x1..x4 numbers with missing cells,
                                 `code` an integer-coded category)
  <name>.json                    the model
  <name>.contribs.csv            one line per (row, output): row, output, one column per
                                 feature, bias
  <name>.interactions.csv        one line per (row, output, i): row, output, i, then the
                                 M+1 values of row i of the (M+1)×(M+1) matrix
Deterministic: fixed seeds, one thread.
"""
import os

import numpy as np
import pandas as pd
import xgboost as xgb

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   "data", "explain", "xgboost")
os.makedirs(OUT, exist_ok=True)

rng = np.random.default_rng(6)
n_train, n_explain = 400, 30


def frame(n):
    df = pd.DataFrame({
        "x1": rng.normal(size=n).round(3),
        "x2": rng.uniform(-2, 2, size=n).round(3),
        "x3": rng.integers(0, 10, size=n).astype(float),
        "x4": rng.normal(size=n).round(2),
    })
    df.loc[rng.random(n) < 0.15, "x2"] = np.nan  # missing values take the default direction
    df.loc[rng.random(n) < 0.05, "x1"] = np.nan
    df["code"] = rng.integers(0, 4, size=n)
    return df


train, explain = frame(n_train), frame(n_explain)
explain.to_csv(os.path.join(OUT, "input.csv"), index=False, na_rep="")


def target(df):
    return (1.5 * df["x1"].fillna(0) - df["x2"].fillna(1) + 0.3 * df["x3"]
            + np.sin(2 * df["x4"]) - (df["code"] == 2) * 1.2)


logit = target(train)
y_bin = (logit + rng.normal(scale=0.5, size=n_train) > 0).astype(int)
y_reg = logit + rng.normal(scale=0.3, size=n_train)
y_multi = np.digitize(logit, [-1, 1])
base = {"max_depth": 5, "eta": 0.3, "seed": 7, "nthread": 1, "tree_method": "hist"}
numeric = ["x1", "x2", "x3", "x4"]


def save(name, booster, data):
    booster.save_model(os.path.join(OUT, name + ".json"))
    contribs = booster.predict(data, pred_contribs=True)
    inter = booster.predict(data, pred_interactions=True)
    if contribs.ndim == 2:  # one output: add the output axis
        contribs = contribs[:, None, :]
        inter = inter[:, None, :, :]
    rows, outputs, width = contribs.shape
    names = list(data.feature_names) + ["bias"]
    lines = []
    for r in range(rows):
        for k in range(outputs):
            lines.append([r, k] + ["%.9g" % v for v in contribs[r, k]])
    pd.DataFrame(lines, columns=["row", "output"] + names).to_csv(
        os.path.join(OUT, name + ".contribs.csv"), index=False)
    lines = []
    for r in range(rows):
        for k in range(outputs):
            for i in range(width):
                lines.append([r, k, i] + ["%.9g" % v for v in inter[r, k, i]])
    pd.DataFrame(lines, columns=["row", "output", "i"] + names).to_csv(
        os.path.join(OUT, name + ".interactions.csv"), index=False)


def dmatrix(df, label=None, categorical=False):
    X = df.copy() if categorical else df[numeric]
    if categorical:
        X["code"] = pd.Categorical(X["code"], categories=[0, 1, 2, 3])
    return xgb.DMatrix(X, label=label, enable_categorical=categorical)


save("binary_missing", xgb.train({**base, "objective": "binary:logistic"},
                                 dmatrix(train, y_bin), 12), dmatrix(explain))
save("regression", xgb.train({**base, "objective": "reg:squarederror", "max_depth": 6},
                             dmatrix(train, y_reg), 10), dmatrix(explain))
save("multiclass", xgb.train({**base, "objective": "multi:softprob", "num_class": 3},
                             dmatrix(train, y_multi), 5), dmatrix(explain))
save("categorical", xgb.train({**base, "objective": "binary:logistic", "max_cat_to_onehot": 1},
                              dmatrix(train, y_bin, True), 10), dmatrix(explain, None, True))
save("dart", xgb.train({**base, "booster": "dart", "objective": "reg:squarederror",
                        "rate_drop": 0.2, "one_drop": 1}, dmatrix(train, y_reg), 8),
     dmatrix(explain))
