"""Options compared on common random numbers: paired differences from a base scenario.

Every scenario runs the same replications with the same seed, so replication r of
each uses the same random numbers for the same purposes (the same families with the
same fates, the same workers' decisions). The difference between an option and the
base, replication by replication, then shows the option's effect with far less noise
than comparing independent runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..analysis.differences import paired_differences
from ..analysis.summary import summarise
from ..experiment import ExperimentResult, run_experiment
from ..scenario import Scenario

@dataclass
class Comparison:
    """Tidy tables of a comparison: every replication, the summaries, the paired differences."""

    base: str
    results: list[ExperimentResult]
    kpis: pd.DataFrame
    balance: pd.DataFrame
    caseloads: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame  # analysis.differences.COMPARISON_COLUMNS


def compare(
    base: Scenario,
    options: list[Scenario],
    replications: int,
    months: int,
    seed: int = 0,
    jobs: int = 1,
    progress: bool | None = None,
) -> Comparison:
    """Run the base and each option on common random numbers and compare them."""
    names = [base.name, *(option.name for option in options)]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ within a comparison, got {names}")
    results = [run_experiment(s, replications, months, seed, jobs, progress) for s in (base, *options)]
    kpis = pd.concat([r.kpis for r in results], ignore_index=True)
    balance = pd.concat([r.balance for r in results], ignore_index=True)
    caseloads = pd.concat([r.caseloads for r in results], ignore_index=True)
    return Comparison(base.name, results, kpis, balance, caseloads, summarise(kpis),
                      paired_differences(kpis, base.name))
