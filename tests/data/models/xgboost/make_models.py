#!/usr/bin/python3
"""Makes the XGBoost unit-test fixtures: small models saved by Debian 12's python3-xgboost
(1.7.4, the 1.x JSON/UBJSON layout) and the predictions xgboost itself gives for them.

Run from this folder:  /usr/bin/python3 make_models.py
Outputs (committed): input.csv, <name>.json / .ubj, <name>.expected.csv. Deterministic:
fixed seeds, exact tree method, one thread.
"""
import numpy as np
import pandas as pd
import xgboost as xgb

rng = np.random.default_rng(20261128)
n = 300
df = pd.DataFrame({
    "x1": rng.normal(size=n).round(3),
    "x2": rng.uniform(-2, 2, size=n).round(3),
    "x3": rng.integers(0, 10, size=n).astype(float),
})
df.loc[rng.random(n) < 0.15, "x2"] = np.nan  # missing values take the default direction
df.loc[rng.random(n) < 0.05, "x1"] = np.nan
df["code"] = rng.integers(0, 4, size=n)  # a categorical feature given as integer codes
logit = 1.5 * df["x1"].fillna(0) - df["x2"].fillna(1) + 0.3 * df["x3"] - (df["code"] == 2) * 1.2
y_bin = (logit + rng.normal(scale=0.5, size=n) > 0).astype(int)
y_reg = logit + rng.normal(scale=0.3, size=n)
y_count = rng.poisson(np.exp(0.2 * logit.clip(-3, 3)))
y_multi = np.digitize(logit, [-1, 1])

df.to_csv("input.csv", index=False, na_rep="")
X = df.copy()
X["code"] = X["code"].astype("category")
base = {"max_depth": 3, "eta": 0.3, "seed": 7, "nthread": 1, "tree_method": "hist"}


def save(name, booster, data, task):
    booster.save_model(name + ".json")
    booster.save_model(name + ".ubj")
    pred = booster.predict(data)
    out = pd.DataFrame()
    if task == "binary":
        out["probability(0)"] = 1 - pred.astype(np.float64)
        out["probability(1)"] = pred
    elif task == "multi":
        for k in range(pred.shape[1]):
            out["probability(%d)" % k] = pred[:, k]
    else:
        out["prediction"] = pred
    out.to_csv(name + ".expected.csv", index=False, float_format="%.9g")


d = xgb.DMatrix(X, label=y_bin, enable_categorical=True)
save("binary_categorical", xgb.train({**base, "objective": "binary:logistic", "max_cat_to_onehot": 1}, d, 20), d, "binary")
d = xgb.DMatrix(X.drop(columns="code"), label=y_reg)
save("regression_dart", xgb.train({**base, "booster": "dart", "objective": "reg:squarederror",
                                   "rate_drop": 0.2, "one_drop": 1}, d, 15), d, "regression")
d = xgb.DMatrix(X.drop(columns="code"), label=y_count)
save("poisson", xgb.train({**base, "objective": "count:poisson"}, d, 10), d, "regression")
d = xgb.DMatrix(X.drop(columns="code"), label=y_multi)
save("multiclass", xgb.train({**base, "objective": "multi:softprob", "num_class": 3}, d, 8), d, "multi")
