// Filled in by the owner of fairness/metrics.
