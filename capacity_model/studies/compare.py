"""Options compared on common random numbers: paired differences from a base scenario.

Every scenario runs the same replications with the same seed, so replication r of
each uses the same random numbers for the same purposes (the same families with the
same fates, the same workers' decisions). The difference between an option and the
base, replication by replication, then shows the option's effect with far less noise
than comparing independent runs.

An option with support staff also runs at both ends of what their freed time buys
(``freed_time_to_caseload_share`` 0 and 1, see ``scenario.perturb``), unless asked not
to: a review found the operating model's whole effect resting on that one assumption,
so the comparison shows how much the headline depends on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from ..analysis.differences import paired_differences
from ..analysis.summary import summarise
from ..experiment import ExperimentResult, run_experiment
from ..experiment.executors import Executor
from ..scenario import Scenario
from ..scenario.perturb import FREED_TIME_TO_CASELOAD, with_freed_time_to_caseload

ASSUMPTION_ENDS = (0.0, 1.0)
"""The values of the freed-time assumption an option is also run at."""


@dataclass(frozen=True)
class Variant:
    """An option run again with one assumption changed."""

    name: str
    option: str
    assumption: str
    value: float

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
    variants: list[Variant]


def compare(
    base: Scenario,
    options: list[Scenario],
    replications: int,
    months: int,
    seed: int = 0,
    jobs: int = 1,
    progress: bool | None = None,
    assumption_ends: bool = True,
    executor: Executor | None = None,
    run: Callable[[Scenario], ExperimentResult] | None = None,
) -> Comparison:
    """Run the base and each option on common random numbers and compare them (with each
    option that has support staff also at both ends of what their freed time buys);
    ``jobs`` processes run the replications unless an ``executor`` (a Dask cluster) is given,
    or ``run`` runs each scenario (with these replications, months and seed: the page's runs, kept)."""
    names = [base.name, *(option.name for option in options)]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ within a comparison, got {names}")
    variants = [v for option in options for v in freed_time_variants(option)] if assumption_ends else []
    scenarios = [base, *options, *(scenario for scenario, _ in variants)]
    run = run or (lambda scenario: run_experiment(scenario, replications, months, seed, jobs, progress, executor))
    results = [run(s) for s in scenarios]
    kpis = pd.concat([r.kpis for r in results], ignore_index=True)
    balance = pd.concat([r.balance for r in results], ignore_index=True)
    caseloads = pd.concat([r.caseloads for r in results], ignore_index=True)
    return Comparison(base.name, results, kpis, balance, caseloads, summarise(kpis),
                      paired_differences(kpis, base.name), [variant for _, variant in variants])


def freed_time_variants(option: Scenario) -> list[tuple[Scenario, Variant]]:
    """The option with none and with all of support staff's freed time going to caseloads,
    where that differs from the option itself (an option without support staff has none)."""
    found = []
    for share in ASSUMPTION_ENDS:
        name = f"{option.name}~freed-time-{share:g}"
        changed = with_freed_time_to_caseload(option, share).model_copy(update={"name": name})
        if changed.model_dump(exclude={"name"}) != option.model_dump(exclude={"name"}):
            found.append((changed, Variant(name, option.name, FREED_TIME_TO_CASELOAD, share)))
    return found
