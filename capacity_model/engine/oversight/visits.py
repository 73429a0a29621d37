"""Statutory visits: each child's social worker visits at most every so often, by stage, in the time they have.

Each social worker has visiting hours a week: their FTE times the scenario's hours a
week for visits, plus the time support staff free that does not go to more children (a
newly qualified worker's protected caseload is never raised, so all of theirs does). The
hours come in each working day and can be saved up to a week's worth (``TimeBank``);
none while absent. Each working day a worker makes the visits due before the next working day,
most overdue first, while the hours last; the rest wait. A visit made on or before its
due day is on time. The next visit is due a stage's
interval after the last: working days for Child in Need and Child Protection, calendar
days in care (within a week of coming into care, then every 6 weeks in the first year,
then every 3 months; regulation 28). A child with no social worker is not visited. A visit
falls to whoever is the family's social worker on the day it is made.

Every open family's next visit is a slot in a ``VisitTable`` (a ``DueTable`` that also holds
the stage, when its schedule began and the id of the family's social worker, kept as the
allocation desk says it changes), and each worker's visiting hours a week are kept until the
workforce says the worker changed, so that a day's round is a few array operations and one
step per social worker with visits due, touching no family or worker object.
"""

from __future__ import annotations

import numpy as np

from ...scenario.calendar import YEAR_DAYS, WorkingCalendar
from ...scenario.oversight import Visits
from ..day_plan import CLOCKS_RUN_OUT
from ..workforce.support import Support
from .due_table import NOT_SET, DueTable

VISITED_STAGES = ("cin", "cp", "cic")
STAGE_CODE = {stage: code for code, stage in enumerate(VISITED_STAGES)}
CIC = STAGE_CODE["cic"]
NOBODY = -1  # no social worker


class VisitTable(DueTable):
    """Every open family's next visit: its due day, order set, children, stage (a ``STAGE_CODE``) and the day
    its schedule began (for a child in care, the first year's visits are more frequent)."""

    COLUMNS = {**DueTable.COLUMNS, "stage": (0, np.int8), "since": (0.0, np.float64), "holder": (NOBODY, np.int64)}
    stage: np.ndarray
    since: np.ndarray
    holder: np.ndarray  # the id of the family's social worker (NOBODY: none)

    def set_visit(self, family, due: float, stage: int, since: float) -> int:
        slot = self.set(family, due)
        self.stage[slot], self.since[slot] = stage, since
        self.holder[slot] = NOBODY if family.worker is None else family.worker.id
        return slot

    def children_by_stage(self, cutoff: float) -> dict[str, tuple[int, int]]:
        """Stage -> (children with a visit to come, of whom those whose visit is due on or after ``cutoff``)."""
        n = np.bincount(self.stage, weights=self.size, minlength=len(VISITED_STAGES))
        up_to_date = self.due >= cutoff
        up = np.bincount(self.stage[up_to_date], weights=self.size[up_to_date], minlength=len(VISITED_STAGES))
        return {stage: (int(n[code]), int(up[code])) for code, stage in enumerate(VISITED_STAGES)}


class VisitRound:
    """Every family's next statutory visit, and each working day's round of visits."""

    def __init__(self, calendar: WorkingCalendar, support: Support):
        self.table = VisitTable()
        self._calendar = calendar
        self._support = support
        # by worker id: visiting hours a week (kept until the worker or the settings change), and the hours
        # saved up with the working day they were counted to (a ``TimeBank``'s, inline)
        self._per_week: dict[int, float] = {}
        self._saved: dict[int, tuple[float, int]] = {}
        self._per_week_for: Visits | None = None
        self._clocks: dict[tuple[int, int], tuple[np.ndarray, int]] = {}  # see _clock_ends
        self._clocks_for: Visits | None = None
        self._clocks_now: tuple[np.ndarray, int] | None = None

    def start(self, family, settings: Visits, now: float, spread: float | None = None,
              since: float | None = None) -> None:
        """The family's first visit in its stage (``spread``: at the origin, a share of the interval already
        gone, in a stage begun on ``since``)."""
        stage = STAGE_CODE.get(family.stage)
        if stage is None:
            family.visit = None
            return
        since = now if spread is None or since is None else since
        if spread is None:
            due = self._first_due(settings, stage, now)
        else:
            due = now + spread * (self._after(settings, stage, now, since) - now)
        family.visit = self.table.set_visit(family, due, stage, since)

    def restart(self, family, settings: Visits, now: float) -> None:
        """The family has changed stage: its next visit is cancelled and the first of the new stage set, in the
        same slot (as ``stop`` then ``start`` would do, the slot freed being the one taken next)."""
        stage, slot = STAGE_CODE.get(family.stage), family.visit
        if stage is None or slot is None:
            self.stop(family, now)
            self.start(family, settings, now)
            return
        self.table.reset(slot, now, self._first_due(settings, stage, now))
        self.table.stage[slot], self.table.since[slot] = stage, now

    def _first_due(self, settings: Visits, stage: int, now: float) -> float:
        """When the first visit of a stage begun ``now`` is due."""
        return now + settings.cic_first_within_days if stage == CIC else self._after(settings, stage, now, now)

    def stop(self, family, now: float) -> None:
        self.table.cancel(family.visit, now)
        family.visit = None

    def holder_changed(self, family) -> None:
        """The family's social worker has changed (the allocation desk says so)."""
        if family.visit is not None:
            self.table.holder[family.visit] = NOBODY if family.worker is None else family.worker.id

    def worker_changed(self, worker) -> None:
        """The worker's absence, terms, team or support staff may have changed (the workforce says so): their
        visiting hours are worked out afresh when next needed."""
        self._per_week.pop(worker.id, None)

    def day(self, settings: Visits, now: float, end: float, today: int) -> None:
        """Today's visits (``end``: the next working day; ``today``: the working-day count), worker by worker, most overdue first.

        The visits due are shared out to the families' social workers of the day, in due order; each
        makes as many of theirs, from the front, as their hours allow. This is the layer's hot loop: it
        goes by the ids of the families' workers and each worker's hours a week kept from when last worked
        out, touching no family or worker whose hours have not changed; the time bank's arithmetic
        (``TimeBank``) is inline, and the visits made are set again together, in the order made.
        """
        table = self.table
        due = table.due_before(end)
        if not due.size:
            return
        theirs: dict[int, list[int]] = {}
        for slot, holder in zip(due.tolist(), table.holder[due].tolist()):
            slots = theirs.get(holder)
            if slots is None:
                theirs[holder] = [slot]
            else:
                slots.append(slot)
        theirs.pop(NOBODY, None)  # families with no social worker: not visited
        if settings is not self._per_week_for:
            self._per_week.clear()
            self._per_week_for = settings
        per_weeks, saved, per_visit = self._per_week, self._saved, settings.hours_per_visit
        made: list[int] = []
        for holder, slots in theirs.items():
            per_week = per_weeks.get(holder)
            if per_week is None:
                per_week = per_weeks[holder] = self._hours_a_week(settings, table.families[slots[0]].worker)
            kept = saved.get(holder)
            if kept is None:
                hours = per_week
            else:
                hours = kept[0] + per_week / 5.0 * (today - kept[1])
                if hours > per_week:
                    hours = per_week
            n = int((hours + 1e-9) / per_visit)
            if n:
                if n < len(slots):
                    made += slots[:n]
                else:
                    n = len(slots)
                    made += slots
                hours -= n * per_visit
            saved[holder] = (hours, today)  # what is left is saved up
        if made:
            slots = np.array(made, dtype=np.intp)
            table.set_again(slots, self._after_each(settings, slots, table.done(slots, now)))

    def _hours_a_week(self, settings: Visits, worker) -> float:
        """The worker's visiting hours a week as things are now: their FTE times the hours for visits, plus the time
        support staff free that does not go to more children; none while absent."""
        if worker.absent or worker.long_term_absent:
            return 0.0
        freed = 1.0 - worker.workload_per_child
        if worker.kind != "newly_qualified":
            freed -= self._support.caseload_relief[worker.team]
        return worker.fte * (settings.hours_per_fte_week + (freed if freed > 0.0 else 0.0) *
                             settings.working_hours_per_fte_week)

    def _clock_ends(self, settings: Visits) -> tuple[np.ndarray, int]:
        """(When a Child in Need and a Child Protection visit made on each calendar day make the next due,
        by stage code and calendar index (the row for children in care unused); the index of day 0)."""
        if settings is self._clocks_for:  # the same settings as last time (until an intervention changes them)
            return self._clocks_now
        key = (settings.cin_every_working_days, settings.cp_every_working_days)
        clocks = self._clocks.get(key)
        if clocks is None:
            (cin, offset), (cp, _) = (self._calendar.clock_ends(every, at=CLOCKS_RUN_OUT) for every in key)
            clocks = self._clocks[key] = np.vstack([cin, cp, np.full_like(cin, NOT_SET)]), offset
        self._clocks_for, self._clocks_now = settings, clocks
        return clocks

    def _after(self, settings: Visits, stage: int, day: float, since: float) -> float:
        """When a visit made on ``day`` makes the next one due (``_after_each`` for one visit)."""
        if stage == CIC:
            first_year = day - since < YEAR_DAYS
            return day + (settings.cic_every_days_first_year if first_year else settings.cic_every_days_after)
        ends, offset = self._clock_ends(settings)
        due = float(ends[stage, int(day) + offset])
        return due if due > day else day

    def _after_each(self, settings: Visits, slots: np.ndarray, days: np.ndarray) -> np.ndarray:
        """When the visits in ``slots``, made on ``days``, make the next ones due."""
        stage, since = self.table.stage[slots], self.table.since[slots]
        ends, offset = self._clock_ends(settings)
        clock = np.maximum(ends[stage, days.astype(np.intp) + offset], days)
        in_care = days + np.where(days - since < YEAR_DAYS, settings.cic_every_days_first_year,
                                  settings.cic_every_days_after)
        return np.where(stage == CIC, in_care, clock)
