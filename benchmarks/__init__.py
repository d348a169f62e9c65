"""Speed harness: our engine against the naive baselines, timed in the same run."""
