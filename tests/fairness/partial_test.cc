// Filled in by the owner of fairness/partial.
