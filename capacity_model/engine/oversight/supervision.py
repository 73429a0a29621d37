"""Case supervision: team managers discuss each open case at least every 42 days, in the time they have.

The team managers in post have their FTE times the hours a week for case supervision,
less the share lost to absence, coming in each working day and saved up to a week's
worth; each case takes ``hours_per_case``. Each working day they supervise the cases due
by the day's end, most overdue first, as far as the hours go; the rest wait. Every open case is supervised, allocated or not (the managers' oversight of
unallocated work, action 6b). A new case is first due ``every_days`` after referral.
The cases are kept in a ``DueTable``, which gives the day's cases due in order (one pool of time meets
them all, from the front).
"""

from __future__ import annotations

from ...scenario.oversight import Supervision
from ..family import Family
from .due_table import DueTable
from .tasks import TimeBank


class SupervisionRound:
    """Every open case's next supervision, and each working day's round, by the supervision settings in force
    (``use``)."""

    def __init__(self) -> None:
        self.table = DueTable()
        self._time = TimeBank()
        # the settings in force, as plain numbers (read once in ``use``, not for every case)
        self._every = self._hours_per_fte_week = self._lost = self._per_case = 0.0

    def use(self, settings: Supervision) -> None:
        """The supervision settings in force from now."""
        self._every = float(settings.every_days)
        self._hours_per_fte_week = float(settings.hours_per_fte_week)
        self._lost = float(settings.time_lost_to_absence_share)
        self._per_case = float(settings.hours_per_case)

    def start(self, family: Family, now: float, spread: float | None = None) -> None:
        due = now + self._every * (1.0 if spread is None else spread)
        family.supervision = self.table.set(family, due)

    def stop(self, family: Family, now: float) -> None:
        self.table.cancel(family.supervision, now)
        family.supervision = None

    def day(self, managers: float, now: float, end: float, today: int) -> None:
        """Today's supervision by ``managers`` FTE (``end``: the next working day; ``today``: the working-day
        count), most overdue first, in the hours there are."""
        table, every, per_case = self.table, self._every, self._per_case
        hours = self._time.hours("managers", today, managers * self._hours_per_fte_week * (1.0 - self._lost))
        cases = table.first_due(end, int(hours / per_case + 1e-9))
        if not cases and not table.due_before(end):  # nothing due: the hours are not counted today
            return
        for place in cases:
            table.set_again(place, table.done(place, now) + every)
        self._time.spend("managers", today, hours - len(cases) * per_case)
