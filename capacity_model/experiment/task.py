"""The unit of work: one replication of one scenario, and what it returns.

A ``Task`` is everything a replication depends on (scenario, seed, replication number,
months), so its ``key``, a hash of that content, names its result wherever and
whenever it runs: the same task always gives the same result.
"""

from __future__ import annotations

import gc
import hashlib
import json
from dataclasses import dataclass, field

from ..engine import Replication
from ..measures import MonthEnd, scorecard
from ..scenario import Scenario


@dataclass
class ReplicationResult:
    """What one replication returns: plain rows, cheap to send between processes."""

    replication: int
    kpis: list[tuple[int, str, str, float]] = field(default_factory=list)  # (month, ISO date, kpi id, value)
    balance: list[dict[str, float]] = field(default_factory=list)  # children and staff in and out, per month
    caseloads: list[tuple[int, str, int, int]] = field(default_factory=list)  # (month, kind, children held, workers)

    def record(self, month_end: MonthEnd) -> None:
        """Add one month end: its scorecard, balance and caseload distribution."""
        self.kpis.extend((month_end.month, month_end.date, kpi, value)
                         for kpi, value in scorecard(month_end.service).items())
        self.caseloads.extend((month_end.month, kind, children, n) for kind, children, n in month_end.caseloads())
        self.balance.append(month_end.balance)


def run_replication(scenario: Scenario, seed: int, replication: int, months: int) -> ReplicationResult:
    """Simulate one replication and tabulate its month ends.

    The garbage collector is paused meanwhile: nearly everything a replication makes
    lives until it ends, so collecting during the run only costs time (about 15%). Once
    run, the replication lets go of what it made, so that most of it is freed at once.
    """
    result = ReplicationResult(replication)
    collecting = gc.isenabled()
    gc.disable()
    try:
        simulated = Replication(scenario, seed, replication, months, result.record)
        simulated.run()
        simulated.let_go()
        del simulated
    finally:
        if collecting:
            gc.enable()
    return result


@dataclass(frozen=True)
class Task:
    """One replication of one scenario: the unit an executor runs and a store keeps."""

    scenario: Scenario
    seed: int
    replication: int
    months: int

    @property
    def key(self) -> str:
        """A content hash: equal for equal scenarios, seeds, replications and months."""
        content = json.dumps({"scenario": self.scenario.model_dump(mode="json"), "seed": self.seed,
                              "replication": self.replication, "months": self.months}, sort_keys=True)
        return hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]

    def run(self) -> ReplicationResult:
        return run_replication(self.scenario, self.seed, self.replication, self.months)
