"""The analysis layer: summaries, paired differences, run folders, charts and the workbook, from tidy tables."""
