// Filled in by the owner of fairness/statistics.
