#!/usr/bin/python3
"""Train the example models on the embedded German credit data.

Usage (from the repository root): /usr/bin/python3 examples/models/train.py

Reads examples/data/german_credit.csv with the column types, categories and label
declared in examples/data/german_credit.schema.yaml, and writes into examples/models/:

  german_credit_xgboost.json           XGBoost binary:logistic, 100 trees of depth 4,
                                       numeric columns only (see README.md for why)
  german_credit_xgboost.expected.csv   Booster.predict on every row of the data
  german_credit_logistic.pmml          the scikit-learn logistic regression, PMML 4.4,
                                       written by the small writer below
  german_credit_logistic.pkl           the same scikit-learn Pipeline, pickled
  german_credit_logistic.expected.csv  Pipeline.predict_proba on every row of the data

Class labels: the label column holds "good"/"bad". Both models use scikit-learn's
convention (classes sorted: "bad" before "good"). The XGBoost model knows classes only
as 0 and 1: 0 = "bad", 1 = "good" (what LabelEncoder gives), so its probability(1) is
the probability of "good".

Needs Debian's python3-xgboost (1.7.4), python3-sklearn (1.2.1), python3-pandas and
python3-yaml. Every run gives the same files: the training has no randomness (no row or
column subsampling, single thread), and the seeds are fixed anyway.
"""

import os
import pickle
import sys
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
import sklearn
import xgboost
import yaml
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, "examples", "data", "german_credit.csv")
SCHEMA = os.path.join(ROOT, "examples", "data", "german_credit.schema.yaml")

SEED = 20261128
XGBOOST_PARAMS = {
    "n_estimators": 100,
    "max_depth": 4,
    "learning_rate": 0.1,
    "objective": "binary:logistic",
    "tree_method": "exact",
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "base_score": 0.5,
    "n_jobs": 1,
    "random_state": SEED,
}
LOGISTIC_PARAMS = {
    "penalty": "l2",
    "C": 1.0,
    "solver": "lbfgs",
    "max_iter": 10000,
    "tol": 1e-8,
    "random_state": SEED,
}


def load():
    with open(SCHEMA, encoding="utf-8") as f:
        schema = yaml.safe_load(f)
    columns = schema["columns"]
    label = next(c["name"] for c in columns if c.get("role") == "label")
    dtypes = {c["name"]: ("int64" if c["type"] == "int64" else "string") for c in columns}
    frame = pd.read_csv(DATA, dtype={k: (v if v == "int64" else object) for k, v in dtypes.items()},
                        keep_default_na=False)
    features = [c for c in columns if c["name"] != label]
    categorical = {c["name"]: c["categories"] for c in features if c["type"] == "string"}
    numeric = [c["name"] for c in features if c["type"] == "int64"]
    for name, categories in categorical.items():
        unknown = set(frame[name]) - set(categories)
        if unknown:
            sys.exit(f"column {name} holds values not in the schema: {sorted(unknown)}")
    return frame, label, [c["name"] for c in features], categorical, numeric


def number(x):
    """Shortest text that reads back as the same double."""
    return repr(float(x))


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def train_xgboost(frame, label, numeric):
    # Debian's xgboost 1.7.4 writes native categorical splits into its JSON but not the
    # category names, so a model trained on pandas categories could not be bound to the
    # CSV's text columns by name. The example therefore uses the numeric columns only.
    y = (frame[label] == "good").astype(np.int64)  # LabelEncoder order: bad=0, good=1
    x = frame[numeric].astype(np.float64)
    model = xgboost.XGBClassifier(**XGBOOST_PARAMS)
    model.fit(x, y)
    booster = model.get_booster()
    path = os.path.join(HERE, "german_credit_xgboost.json")
    booster.save_model(path)
    # Score with a fresh Booster read back from the file, as a consumer of the file would.
    loaded = xgboost.Booster(model_file=path)
    p1 = loaded.predict(xgboost.DMatrix(x, feature_names=numeric))  # float32
    rows = []
    for p in p1:
        p = np.float32(p)
        p0 = np.float32(1) - p
        rows.append(["1" if p > 0.5 else "0", number(p0), number(p)])
    write_csv(os.path.join(HERE, "german_credit_xgboost.expected.csv"),
              ["prediction", "probability(0)", "probability(1)"], rows)
    accuracy = float(np.mean((p1 > 0.5).astype(np.int64) == y.to_numpy()))
    return accuracy


def train_logistic(frame, label, features, categorical, numeric):
    encoder = OneHotEncoder(categories=list(categorical.values()), sparse_output=False,
                            handle_unknown="error", dtype=np.float64)
    columns = ColumnTransformer(
        [("categorical", encoder, list(categorical)), ("numeric", "passthrough", numeric)],
        remainder="drop")
    pipeline = Pipeline([("columns", columns),
                         ("logistic", LogisticRegression(**LOGISTIC_PARAMS))])
    x = frame[features].copy()
    for name in numeric:
        x[name] = x[name].astype(np.float64)
    pipeline.fit(x, frame[label])
    with open(os.path.join(HERE, "german_credit_logistic.pkl"), "wb") as f:
        pickle.dump(pipeline, f, protocol=4)

    classes = list(pipeline.classes_)
    proba = pipeline.predict_proba(x)
    rows = [[classes[int(np.argmax(p))]] + [number(v) for v in p] for p in proba]
    write_csv(os.path.join(HERE, "german_credit_logistic.expected.csv"),
              ["prediction"] + [f"probability({c})" for c in classes], rows)
    write_pmml(pipeline, frame, label, categorical, numeric)
    accuracy = float(np.mean(pipeline.predict(x) == frame[label].to_numpy()))
    return accuracy


def write_pmml(pipeline, frame, label, categorical, numeric):
    """PMML 4.4 RegressionModel (classification, logit) for the one-hot logistic Pipeline."""
    logistic = pipeline.named_steps["logistic"]
    classes = [str(c) for c in logistic.classes_]
    assert len(classes) == 2 and logistic.coef_.shape[0] == 1
    coef = logistic.coef_[0]
    names = pipeline.named_steps["columns"].get_feature_names_out()
    # One coefficient per encoded column, in ColumnTransformer output order:
    # "categorical__<column>_<value>" then "numeric__<column>".
    terms = []
    k = 0
    for name, values in categorical.items():
        for value in values:
            assert names[k] == f"categorical__{name}_{value}", names[k]
            terms.append(f'      <CategoricalPredictor name={quoteattr(name)} '
                         f'value={quoteattr(value)} coefficient="{number(coef[k])}"/>')
            k += 1
    for name in numeric:
        assert names[k] == f"numeric__{name}", names[k]
        terms.append(f'      <NumericPredictor name={quoteattr(name)} '
                     f'coefficient="{number(coef[k])}"/>')
        k += 1
    assert k == len(coef)

    fields = []
    for name, values in categorical.items():
        fields.append(f'    <DataField name={quoteattr(name)} optype="categorical" '
                      f'dataType="string">')
        fields += [f'      <Value value={quoteattr(v)}/>' for v in values]
        fields.append('    </DataField>')
    for name in numeric:
        fields.append(f'    <DataField name={quoteattr(name)} optype="continuous" '
                      f'dataType="double"/>')
    fields.append(f'    <DataField name={quoteattr(label)} optype="categorical" '
                  f'dataType="string">')
    fields += [f'      <Value value={quoteattr(c)}/>' for c in classes]
    fields.append('    </DataField>')

    mining = [f'      <MiningField name={quoteattr(label)} usageType="target"/>']
    mining += [f'      <MiningField name={quoteattr(n)}/>' for n in list(categorical) + numeric]
    outputs = [f'      <OutputField name={quoteattr(f"probability({c})")} optype="continuous" '
               f'dataType="double" feature="probability" value={quoteattr(c)}/>'
               for c in classes]

    # Binary logit: the first table's margin y gives P(first) = 1 / (1 + exp(-y)); the
    # last table gets the rest. scikit-learn's margin is for classes_[1].
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">',
        '  <Header description="Logistic regression on the German credit example data">',
        f'    <Application name="Probity examples/models/train.py (scikit-learn '
        f'{sklearn.__version__})" version="1"/>',
        '  </Header>',
        f'  <DataDictionary numberOfFields="{len(categorical) + len(numeric) + 1}">',
        *fields,
        '  </DataDictionary>',
        '  <RegressionModel modelName="german_credit_logistic" functionName="classification" '
        'algorithmName="LogisticRegression" normalizationMethod="logit">',
        '    <MiningSchema>',
        *mining,
        '    </MiningSchema>',
        '    <Output>',
        *outputs,
        '    </Output>',
        f'    <RegressionTable intercept="{number(logistic.intercept_[0])}" '
        f'targetCategory={quoteattr(classes[1])}>',
        *terms,
        '    </RegressionTable>',
        f'    <RegressionTable intercept="0" targetCategory={quoteattr(classes[0])}/>',
        '  </RegressionModel>',
        '</PMML>',
    ]
    with open(os.path.join(HERE, "german_credit_logistic.pmml"), "w", encoding="utf-8",
              newline="") as f:
        f.write("\n".join(lines) + "\n")


def main():
    frame, label, features, categorical, numeric = load()
    xgb_accuracy = train_xgboost(frame, label, numeric)
    logistic_accuracy = train_logistic(frame, label, features, categorical, numeric)
    print(f"xgboost {xgboost.__version__}: training accuracy {xgb_accuracy:.3f}")
    print(f"scikit-learn {sklearn.__version__}: training accuracy {logistic_accuracy:.3f}")


if __name__ == "__main__":
    main()
