"""The studies layer: questions asked of many runs (options compared on common random numbers, one at a time)."""
