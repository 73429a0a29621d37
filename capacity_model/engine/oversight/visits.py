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

Every open family's next visit is a slot in a ``VisitTable`` (a ``DueTable`` whose places also hold
the stage and when its schedule began), which gives the day's visits due in order; the round shares
them out to the families' social workers of the day, one step per visit due.
"""

from __future__ import annotations

from typing import Final

from ...scenario.calendar import YEAR_DAYS, WorkingCalendar
from ...scenario.oversight import Visits
from ..day_plan import CLOCKS_RUN_OUT
from ..family import Family
from ..workforce.support import Support
from .due_table import DueTable, Place

VISITED_STAGES: Final = ("cin", "cp", "cic")
STAGE_CODE: Final = {stage: code for code, stage in enumerate(VISITED_STAGES)}
CIC: Final = 2
assert STAGE_CODE["cic"] == CIC


class VisitTable(DueTable):
    """Every open family's next visit: its due day, order set, children, stage (a ``STAGE_CODE``) and the day
    its schedule began (for a child in care, the first year's visits are more frequent), the last two in its
    place; and the children with a visit to come, by stage, kept as visits are set and cancelled."""

    def __init__(self) -> None:
        super().__init__()
        self._children_by_stage = [0] * len(VISITED_STAGES)

    def set_visit(self, family: Family, due: float, stage: int, since: float) -> int:
        slot = self.set(family, due)
        place = self.place(slot)
        place.stage, place.since = stage, since
        self._children_by_stage[stage] += family.size
        return slot

    def cancel(self, slot: int | None, now: float) -> None:
        if slot is not None:
            self._children_by_stage[self.place(slot).stage] -= self.size[slot]
        super().cancel(slot, now)

    def children_by_stage(self, cutoff: float) -> dict[str, tuple[int, int]]:
        """Stage -> (children with a visit to come, of whom those whose visit is due on or after ``cutoff``)."""
        up = list(self._children_by_stage)
        for place in self.overdue(cutoff):
            up[place.stage] -= self.size[place.slot]
        return {name: (self._children_by_stage[code], up[code]) for code, name in enumerate(VISITED_STAGES)}


class VisitTime:
    """A social worker's hours for visits, saved up to a week's worth (``TimeBank``'s rule, kept here for the round's
    speed), and the visits they make in a day's round: kept on the worker (``Worker.visit_time``), and holding no
    reference back, so a worker who leaves is let go as soon as nothing else holds them."""

    def __init__(self) -> None:
        self.hours = 0.0  # left after the last round they had visits due in,
        self.counted_to = -1  # that round's working-day count (-1: none yet)
        self.listed = -1  # the last round they had visits due in,
        self.left = 0  # the visits their hours allow in it,
        self.made = 0  # and those they make: the first ``made`` in ``due`` (in due order; None once set again, so
        self.due: list[Place | None] = []  # that it holds no place from an earlier round, to be let go of out of
        # cache in a large service when written over)


class VisitRound:
    """Every family's next statutory visit, and each working day's round of visits, by the visits settings in force
    (``use``)."""

    def __init__(self, calendar: WorkingCalendar, support: Support):
        self.table = VisitTable()
        self._calendar = calendar
        self._support = support
        # the settings in force, as plain numbers (read once in ``use``, not at every visit)
        self._ends: list[list[float]] = []
        self._offset = 0
        self._per_visit = self._weekly = self._freeable = 0.0
        self._cic_first_within = self._cic_first_year = self._cic_after = 0.0

    def use(self, settings: Visits) -> None:
        """The visits settings in force from now. For Child in Need and Child Protection, when a visit made on
        each calendar day makes the next due (by stage code and calendar index; ``_offset``: the index of day 0)."""
        (cin, offset), (cp, _) = (self._calendar.clock_end_list(every, at=CLOCKS_RUN_OUT)
                                  for every in (settings.cin_every_working_days, settings.cp_every_working_days))
        self._ends, self._offset = [cin, cp], offset
        self._per_visit = float(settings.hours_per_visit)
        self._weekly = float(settings.hours_per_fte_week)
        self._freeable = float(settings.working_hours_per_fte_week)
        self._cic_first_within = float(settings.cic_first_within_days)
        self._cic_first_year = float(settings.cic_every_days_first_year)
        self._cic_after = float(settings.cic_every_days_after)

    def start(self, family: Family, now: float, spread: float | None = None, since: float | None = None) -> None:
        """The family's first visit in its stage (``spread``: at the origin, a share of the interval already
        gone, in a stage begun on ``since``)."""
        stage = STAGE_CODE.get(family.stage) if family.stage is not None else None
        if stage is None:
            family.visit = None
            return
        since = now if spread is None or since is None else since
        if spread is None:
            due = now + self._cic_first_within if stage == CIC else self._after(stage, now, since)
        else:
            due = now + spread * (self._after(stage, now, since) - now)
        family.visit = self.table.set_visit(family, due, stage, since)

    def stop(self, family: Family, now: float) -> None:
        self.table.cancel(family.visit, now)
        family.visit = None

    def day(self, now: float, end: float, today: int) -> None:
        """Today's visits (``end``: the next working day; ``today``: the working-day count), worker by worker, most overdue first.

        The visits due are read in due order and fall to the families' social workers of the day; at a worker's
        most overdue, their hours give how many visits they can make, and they make that many of theirs, from the
        front. Then worker by worker (in the order of their most overdue), the visits made are set again in the
        order made. This is the layer's hot loop, one pass over the visits due: a worker's hours are worked out
        inline (``TimeBank``'s rule), and the visits not made are handed back to the table as left waiting
        (``DueTable.whole_round``), not looked at again to find them.
        """
        table = self.table
        per_visit = self._per_visit
        weekly = self._weekly
        freeable = self._freeable
        relief = self._support.caseload_relief
        relieved = any(share != 0.0 for share in relief.values())  # (taking off none changes nothing)
        making: list[VisitTime] = []  # the workers making visits today, in the order of their most overdue
        waiting: list[Place] = []  # the visits left waiting, in order
        for place in table.whole_round(end):
            family = place.family
            if family is None:  # the family closed: its visit is dropped
                continue
            worker = family.worker
            if worker is None:  # a family with no social worker is not visited
                waiting.append(place)
                continue
            kept = worker.visit_time
            if isinstance(kept, VisitTime):
                time = kept
            else:
                time = worker.visit_time = VisitTime()
            if time.listed != today:  # the worker's most overdue visit: their hours today, and how many visits
                time.listed = today
                # their visiting hours a week as things are now: their FTE times the hours for visits, plus the
                # time support staff free that does not go to more children; none while absent
                if worker.absent or worker.long_term_absent:
                    per_week = 0.0
                else:
                    freed = 1.0 - worker.workload_per_child
                    if relieved and worker.kind != "newly_qualified":
                        freed -= relief[worker.team]
                    per_week = worker.fte * (weekly + (freed if freed > 0.0 else 0.0) * freeable)
                if time.counted_to < 0:  # TimeBank.hours, inline
                    hours = per_week
                else:
                    hours = time.hours + per_week / 5.0 * (today - time.counted_to)
                    if hours > per_week:
                        hours = per_week
                time.hours, time.counted_to = hours, today  # saved up (TimeBank.spend), less the visits made below
                time.left = int((hours + 1e-9) / per_visit)
                time.made = 0
                if time.left:
                    making.append(time)
            if time.made < time.left:  # the list from their last round is written over from the front
                due, made = time.due, time.made
                if made < len(due):
                    due[made] = place
                else:
                    due.append(place)
                time.made = made + 1
            else:
                waiting.append(place)
        table.left_waiting(waiting)
        for time in making:  # worker by worker, from the front: made, and set again, in the order made
            due, made = time.due, time.made
            for i in range(made):
                visited = due[i]
                assert visited is not None
                due[i] = None
                table.set_again(visited, self._after(visited.stage, table.done(visited, now), visited.since))
            time.hours -= made * per_visit

    def _after(self, stage: int, day: float, since: float) -> float:
        """When a visit made on ``day``, in a stage (a ``STAGE_CODE``) whose schedule began on ``since``, makes
        the next one due."""
        if stage == CIC:
            return day + (self._cic_first_year if day - since < YEAR_DAYS else self._cic_after)
        due = self._ends[stage][int(day) + self._offset]
        return due if due > day else day
