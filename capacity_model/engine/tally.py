"""Counts the components keep as they go and the monitor reads at each month end."""

from __future__ import annotations

from ..measures.kpis import SOCIAL_WORKER_CHANGES_THRESHOLD as MANY_SOCIAL_WORKERS
from ..scenario import Stage
from ..scenario.calendar import YEAR_DAYS
from .family import NEVER, Family, latest_window_with


class Waiting:
    """The families waiting unallocated, their children, and that number's integral over time.

    The time-average over a month (mean number waiting) is steadier than a snapshot and
    is what Little's law relates to the mean wait.
    """

    def __init__(self) -> None:
        self.families: dict[int, Family] = {}  # by id, in the order they began to wait
        self.children = 0
        self._area = 0.0  # children x days since day 0
        self._since = 0.0
        self._marks: dict[float, float] = {0.0: 0.0}

    def add(self, family: Family, now: float) -> None:
        """``family`` has no social worker from ``now``."""
        self._change(family.size, now)
        self.families[family.id] = family

    def remove(self, family: Family, now: float) -> None:
        """``family`` waits no longer (given a social worker, or closed)."""
        self._change(-family.size, now)
        del self.families[family.id]

    def _change(self, delta: int, now: float) -> None:
        self._area += self.children * (now - self._since)
        self._since = now
        self.children += delta

    def mark(self, now: float) -> None:
        """Remember the integral up to ``now`` (called at every snapshot)."""
        self._marks[now] = self._area + self.children * (now - self._since)

    def mean_between(self, start: float, end: float) -> float:
        """Mean children waiting over [start, end), between two marked times."""
        return (self._marks[end] - self._marks[start]) / (end - start)


class Tally:
    """Children in and out since the origin, open children by stage, entries to each stage, the families waiting
    and those with many social workers, and the month's flows.

    ``in_stage`` counts the open children at each stage, allocated or not; ``many_social_workers`` holds the open
    families whose history shows ``MANY_SOCIAL_WORKERS`` or more different social workers in a window that may
    still be to come (the only ones who can have had that many in the 12 months to a month end), by id, so that
    a month end need not look at every family, nor at anyone's history. The monitor reads the month's flows at
    each snapshot and starts them afresh.
    """

    def __init__(self) -> None:
        self.children = {"initial": 0, "referred": 0, "closed": 0}
        self.stage_entries = {stage.value: 0 for stage in Stage}
        self.in_stage = {stage.value: 0 for stage in Stage}
        self.waiting = Waiting()
        self.many_social_workers: dict[int, Family] = {}
        self.new_month()

    def let_go(self) -> None:
        """At the end of a replication: the families waiting and those with many social workers."""
        self.waiting.families.clear()
        self.many_social_workers.clear()

    def new_month(self) -> None:
        self.month_referrals = [0, 0]  # children referred, of whom within 12 months of their previous referral
        self.month_assessments: list[tuple[int, int]] = []  # working days to completion from its start, from referral
        self.month_allocation_waits: list[tuple[int, float]] = []  # (children, calendar days waited)

    def history_grew(self, family: Family, now: float) -> None:
        """The open ``family`` has a new social worker in its history, ``now``: when it shows many social workers
        until (its history before the 12 months to ``now`` dropped)."""
        until = family.many_until = latest_window_with(family.holdings, MANY_SOCIAL_WORKERS, now - YEAR_DAYS)
        if until != NEVER:
            self.many_social_workers[family.id] = family

    def opened(self, family: Family, stage: str) -> None:
        """``family`` is open from now, at ``stage``."""
        self.in_stage[stage] += family.size
        if family.many_until != NEVER:  # (a family referred again: its history so far)
            self.many_social_workers[family.id] = family

    def moved_on(self, family: Family, before: str, after: str) -> None:
        """The open ``family`` has gone from stage ``before`` to ``after``."""
        self.in_stage[before] -= family.size
        self.in_stage[after] += family.size

    def closed(self, family: Family, stage: str) -> None:
        """``family``, at ``stage``, is closed."""
        self.in_stage[stage] -= family.size
        self.many_social_workers.pop(family.id, None)
