// Filled in by the owner of fairness/metrics_oracle.
