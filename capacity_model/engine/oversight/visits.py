"""Statutory visits: each child's social worker visits at most every so often, by stage, in the time they have.

Each social worker has visiting hours a week: their FTE times the scenario's hours a
week for visits, plus the time support staff free that does not go to more children (a
newly qualified worker's protected caseload is never raised, so all of theirs does). The
hours come in each working day and can be saved up to a week's worth (``TimeBank``);
none while absent. Each working day a worker makes the visits due before the next working day,
most overdue first, while the hours last; the rest wait in the worker's list. A visit made on or before its
due day is on time. The next visit is due a stage's
interval after the last: working days for Child in Need and Child Protection, calendar
days in care (within a week of coming into care, then every 6 weeks in the first year,
then every 3 months; regulation 28). A child with no social worker is not visited.
"""

from __future__ import annotations

import bisect
import operator

from ...scenario.calendar import YEAR_DAYS, WorkingCalendar
from ...scenario.oversight import Visits
from ..day_plan import CLOCKS_RUN_OUT
from ..workforce import Worker
from ..workforce.support import Support
from .tasks import Task, TaskBook, TimeBank

VISITED_STAGES = ("cin", "cp", "cic")
_due = operator.attrgetter("due")


class VisitRound:
    """Every family's next statutory visit, and each working day's round of visits."""

    def __init__(self, calendar: WorkingCalendar, support: Support):
        self.book = TaskBook()
        self._calendar = calendar
        self._support = support
        self._time = TimeBank()
        self._waiting: dict[Worker, list[Task]] = {}  # tasks due, worker by worker, in due order
        self._no_worker: list[Task] = []
        self._later: dict[tuple[int, int], float] = {}  # (day, working days) -> when a clock run from it ends

    def start(self, family, settings: Visits, now: float, spread: float | None = None,
              since: float | None = None) -> None:
        """The family's first visit in its stage (``spread``: at the origin, a share of the interval already
        gone, in a stage begun on ``since``)."""
        stage = family.stage
        if stage not in VISITED_STAGES:
            family.visit = None
            return
        since = now if spread is None or since is None else since
        if spread is None:
            due = now + settings.cic_first_within_days if stage == "cic" else self._after(settings, stage, now, since)
        else:
            due = now + spread * (self._after(settings, stage, now, since) - now)
        family.visit = self.book.set(family, stage, due, since)

    def stop(self, family, now: float) -> None:
        self.book.cancel(family.visit, now)
        family.visit = None

    def day(self, settings: Visits, now: float, end: float, today: int) -> None:
        """Today's visits (``end``: the next working day; ``today``: the working-day count), worker by worker, most overdue first.

        Tasks due wait in their worker's list (or, for a family with no social worker, in
        ``_no_worker``) until made; a task whose family has moved goes to its new worker's list.
        This is the layer's hot loop: a worker's hours are worked out inline, and the visits made go
        back into the book together, in the order made.
        """
        route = self._route
        for task in self.book.take(end):
            route(task)
        if self._no_worker:
            waiting, self._no_worker = self._no_worker, []
            for task in waiting:
                route(task)
        saved, per_visit, after = self._time.saved, settings.hours_per_visit, self._after
        made: list[tuple[Task, float, float]] = []
        waiting = self._waiting
        relief, weekly = self._support.caseload_relief, settings.hours_per_fte_week
        freeable = settings.working_hours_per_fte_week
        for worker, tasks in list(waiting.items()):
            # the worker's visiting hours a week as things are now: their FTE times the hours for visits, plus
            # the time support staff free that does not go to more children; none while absent
            if worker.absent or worker.long_term_absent:
                per_week = 0.0
            else:
                freed = 1.0 - worker.workload_per_child
                if worker.kind != "newly_qualified":
                    freed -= relief[worker.team]
                per_week = worker.fte * (weekly + (freed if freed > 0.0 else 0.0) * freeable)
            kept = saved.get(worker)  # TimeBank.hours, inline
            hours = per_week if kept is None else min(per_week, kept[0] + per_week / 5.0 * (today - kept[1]))
            i, n = 0, len(tasks)
            while i < n and hours + 1e-9 >= per_visit:
                task = tasks[i]
                i += 1
                if task.ended:
                    continue
                if task.family.worker is not worker:
                    route(task)
                    continue
                due = task.due
                day = due if due > now else now
                made.append((task, day, after(settings, task.kind, day, task.since)))
                hours -= per_visit
            saved[worker] = (hours, today)  # what is left is saved up (TimeBank.spend)
            rest = self._still_theirs(worker, tasks[i:] if i else tasks) if i < n else None
            if rest:
                waiting[worker] = rest
            else:
                del waiting[worker]
        self.book.redo_all(made)

    def _still_theirs(self, worker: Worker, tasks: list[Task]) -> list[Task]:
        """The worker's waiting visits, those of families moved to someone else (or none) routed there."""
        return [task for task in tasks if not task.ended and (task.family.worker is worker or self._route(task))]

    def _route(self, task: Task) -> bool:
        """Put a task due in its worker's list, in due order (False: it is no longer this worker's)."""
        if task.ended:
            return False
        worker = task.family.worker
        if worker is None:
            self._no_worker.append(task)
            return False
        tasks = self._waiting.get(worker)
        if tasks is None:
            self._waiting[worker] = [task]
        elif tasks[-1].due <= task.due:
            tasks.append(task)
        else:
            bisect.insort(tasks, task, key=_due)
        return False

    def waiting(self) -> list[Task]:
        """Every task due and not yet made."""
        return [task for tasks in self._waiting.values() for task in tasks] + self._no_worker

    def _after(self, settings: Visits, stage: str, day: float, since: float) -> float:
        """When a visit made on ``day`` makes the next one due."""
        if stage == "cic":
            first_year = day - since < YEAR_DAYS
            return day + (settings.cic_every_days_first_year if first_year else settings.cic_every_days_after)
        every = settings.cin_every_working_days if stage == "cin" else settings.cp_every_working_days
        key = (int(day), every)
        due = self._later.get(key)
        if due is None:  # the same for every time of the day
            due = self._later[key] = self._calendar.add_working_days(int(day), every, at=CLOCKS_RUN_OUT)
        return due if due > day else day
