#!/usr/bin/python3
"""Makes the KernelSHAP throughput fixture (not committed: ~1 MB, made on demand).

The reference anchor model of issue 6: XGBoost binary:logistic, 100 trees of depth 6, on
sklearn's make_classification(n_samples=100000, n_features=20, random_state=42), trained
with Debian's python3-xgboost 1.7.4. Writes to OUT (default /tmp/probity-kernel-bench):
  model.json       the booster (feature names f00..f19)
  background.csv   100 rows of the training data (numpy default_rng(0) choice)
  rows.csv         1,000 further rows to explain

Then: PROBITY_KERNEL_BENCH_DIR=OUT [PROBITY_KERNEL_BENCH_ROWS=20] \
      build/dev/tests/explain_test --gtest_filter='*ThroughputOnAnXGBoostModel*'
"""
import os
import sys

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.datasets import make_classification

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/probity-kernel-bench"
os.makedirs(out, exist_ok=True)
X, y = make_classification(n_samples=100_000, n_features=20, random_state=42)
names = ["f%02d" % i for i in range(20)]
booster = xgb.train({"objective": "binary:logistic", "max_depth": 6, "eta": 0.3, "nthread": 1,
                     "seed": 1}, xgb.DMatrix(X, label=y, feature_names=names),
                    num_boost_round=100)
booster.save_model(os.path.join(out, "model.json"))
index = np.random.default_rng(0).choice(len(X), 1100, replace=False)
pd.DataFrame(X[index[:100]], columns=names).to_csv(os.path.join(out, "background.csv"),
                                                   index=False)
pd.DataFrame(X[index[100:]], columns=names).to_csv(os.path.join(out, "rows.csv"), index=False)
print("wrote", out)
