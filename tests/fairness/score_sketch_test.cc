// Filled in by the owner of fairness/score_sketch.
