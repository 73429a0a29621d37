"""Counts the components keep as they go and the monitor reads at each month end."""

from __future__ import annotations

from ..scenario import Stage


class WaitingCount:
    """Children waiting unallocated, kept up to date with its integral over time.

    The time-average over a month (mean number waiting) is steadier than a snapshot and
    is what Little's law relates to the mean wait.
    """

    def __init__(self) -> None:
        self.children = 0
        self._area = 0.0  # children x days since day 0
        self._since = 0.0
        self._marks: dict[float, float] = {0.0: 0.0}

    def change(self, delta: int, now: float) -> None:
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
    """Children in and out since the origin, entries to each stage, and the month's flows.

    The monitor reads the month's flows at each snapshot and starts them afresh.
    """

    def __init__(self) -> None:
        self.children = {"initial": 0, "referred": 0, "closed": 0}
        self.stage_entries = {stage.value: 0 for stage in Stage}
        self.waiting = WaitingCount()
        self.new_month()

    def new_month(self) -> None:
        self.month_referrals = [0, 0]  # children referred, of whom within 12 months of their previous referral
        self.month_assessments: list[tuple[int, int]] = []  # working days to completion from its start, from referral
        self.month_allocation_waits: list[tuple[int, float]] = []  # (children, calendar days waited)
