#!/usr/bin/python3
"""Writes the stdout.json expectations of the dataset golden cases from independent sources.

Row counts and column types come from the datasets' own documentation (UCI adult.names:
32,561 training rows, 6 continuous and 8 nominal attributes plus the class; UCI german.doc:
1,000 rows, 7 numerical and 13 qualitative attributes plus the class; ProPublica's COMPAS
two-year file: 7,214 defendants; the LSAC file: 21,791 students, see law() below). Means, standard
deviations, quartiles, null counts and label counts are computed with pandas (Debian's
python3-pandas 1.5), never with Probity. Run from the repository root:

    /usr/bin/python3 tests/golden/make_expectations.py [--shared ../shared/data]
"""
import argparse
import json
import os

import pandas as pd


def numeric(series):
    d = series.describe()
    return {"min": float(d["min"]), "max": float(d["max"]), "mean": float(d["mean"]),
            "std": float(d["std"])}


def quartiles(series):
    q = series.quantile([0.25, 0.5, 0.75])
    return {"p25": float(q[0.25]), "p50": float(q[0.5]), "p75": float(q[0.75])}


def top(series):
    counts = series.value_counts()
    return [{"value": str(k), "count": int(v)} for k, v in counts.items()]


def write(case, doc):
    with open(os.path.join("tests/golden", case, "stdout.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def german():
    names = ["checking_account_status", "duration_months", "credit_history", "purpose", "credit_amount",
             "savings", "employment_since", "installment_rate_pct", "personal_status_sex", "other_debtors",
             "residence_since", "property", "age", "other_installment_plans", "housing", "existing_credits",
             "job", "num_dependents", "telephone", "foreign_worker", "credit_risk"]
    numerical = {1, 4, 7, 10, 12, 15, 17}  # attributes 2, 5, 8, 11, 13, 16, 18 of german.doc
    g = pd.read_csv("tests/data/german.data", sep=r"\s+", header=None, names=names)
    assert len(g) == 1000
    columns = []
    for i, name in enumerate(names):
        c = {"name": name, "type": "int64" if i in numerical else "string", "nulls": 0}
        if name in ("duration_months", "credit_amount", "age"):
            c["numeric"] = dict(numeric(g[name]), quantiles=quartiles(g[name]))
        columns.append(c)
    columns[-1]["top_values"] = [{"value": "good", "count": int((g.credit_risk == 1).sum())},
                                 {"value": "bad", "count": int((g.credit_risk == 2).sum())}]
    columns[-1]["role"] = "label"
    write("german_raw", {"schema": "probity.data.profile/1", "rows": 1000, "columns": columns,
                         "format": {"delimiter": "whitespace", "header": False}})


def adult():
    names = ["age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
             "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
             "native_country", "income"]
    continuous = {"age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"}
    a = pd.read_csv("tests/data/adult.data.gz", header=None, names=names, skipinitialspace=True,
                    na_values=["?"])
    assert len(a) == 32561
    columns = []
    for name in names:
        c = {"name": name, "type": "int64" if name in continuous else "string",
             "nulls": int(a[name].isna().sum())}
        if name in ("age", "hours_per_week", "fnlwgt"):
            c["numeric"] = numeric(a[name])
        if name in ("age", "hours_per_week"):
            c["numeric"]["quantiles"] = quartiles(a[name])
        if name in ("sex", "race", "income"):
            c["top_values"] = top(a[name])
        columns.append(c)
    write("adult_gz", {"schema": "probity.data.profile/1", "rows": 32561, "blank_lines": 1,
                       "source": {"compression": "gzip"}, "columns": columns})


def compas(shared):
    path = os.path.join(shared, "fairness/compas-scores-two-years.csv")
    c = pd.read_csv(path)
    assert len(c) == 7214
    columns = []
    for name in c.columns:
        entry = {"name": name, "nulls": int(c[name].isna().sum())}
        if name in ("age", "priors_count", "decile_score", "two_year_recid"):
            entry["type"] = "int64"
            entry["numeric"] = dict(numeric(c[name]), quantiles=quartiles(c[name]))
        if name in ("race", "sex"):
            entry["type"] = "string"
            entry["top_values"] = top(c[name])
        columns.append(entry)
    write("compas", {"schema": "probity.data.profile/1", "rows": 7214, "columns": columns})


def law(shared):
    path = os.path.join(shared, "fairness/law_data.csv")
    d = pd.read_csv(path)
    # ../shared/data/fairness/SOURCES.md says 21,790 rows; the file has 21,791 data rows
    # (21,792 lines with the header, CRLF line ends), as pandas and `wc -l` both count.
    assert len(d) == 21791
    columns = [{"name": "column_1"}]  # the unnamed pandas index
    for name in d.columns[1:]:
        entry = {"name": name, "nulls": int(d[name].isna().sum())}
        if name in ("LSAT", "UGPA", "ZFYA"):
            entry["type"] = "float64" if d[name].dtype.kind == "f" else "int64"
            entry["numeric"] = numeric(d[name])
        if name == "race":
            entry["top_values"] = top(d[name])
        columns.append(entry)
    write("law", {"schema": "probity.data.profile/1", "rows": 21791, "columns": columns})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default="../shared/data")
    args = parser.parse_args()
    german()
    adult()
    if os.path.exists(args.shared):
        compas(args.shared)
        law(args.shared)


if __name__ == "__main__":
    main()
