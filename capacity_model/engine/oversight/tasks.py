"""Tasks with a due day, the book that holds them in due order (the IRO service's meetings), and the time that
meets them (every round's).

A task (a family's next visit, supervision or meeting) is set with a due day and ends
in one of four ways: done on time (on or before its due day, at any hour), done late, or cancelled
(the family closed or changed stage) before or after it fell due. Until then it is
open: not yet due, or overdue. The book counts each ending, so that at any moment

    set = on time + late + cancelled before due + cancelled overdue + open

which the tests check; "due" in the KPIs' sense is on time + late + cancelled overdue
+ open overdue.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

from ..family import Family

ENDINGS = ("on_time", "late", "cancelled_before_due", "cancelled_overdue")


class InDueOrder:
    """Something due on ``due``, the ``seq``-th set: in the order tasks are met, most overdue first and, due at the
    same moment, in the order set (a task in a book, a task's place in a due table)."""

    __slots__ = ("due", "seq")

    due: float
    seq: int

    def __lt__(self, other: InDueOrder) -> bool:
        return self.due < other.due or (self.due == other.due and self.seq < other.seq)


class Task(InDueOrder):
    """One task for one family: ``kind`` says what, ``since`` when the schedule it belongs to began, ``number``
    which of the schedule's it is; ``not_before``, put off until then. In a book, tasks go in order of due day,
    then of the order they were put in it (``seq``)."""

    __slots__ = ("family", "kind", "since", "number", "ended", "not_before")

    def __init__(self, due: float, family: Family, kind: str, since: float, number: int = 1) -> None:
        self.due = due
        self.family = family
        self.kind = kind
        self.since = since
        self.number = number
        self.ended = False
        self.not_before = 0.0
        self.seq = 0


class TaskBook:
    """Open tasks in due order, and tasks put off until a later day.

    The tasks are kept in buckets by due day (a calendar queue: a list per day, sorted only
    when its day comes to the front, with a small heap of the days), which gives the same
    order as one heap of every task, most overdue first and, at the same moment, in the
    order they were set, at a fraction of the cost. Cancelled tasks are dropped when they
    come to the front. A round takes tasks from the front one at a time.
    """

    def __init__(self) -> None:
        self._days: dict[int, list[Task]] = {}  # due day -> its tasks, latest first once sorted
        self._unsorted: set[int] = set()  # days with tasks added since they were sorted
        self._front: list[int] = []  # a heap of the days in ``_days``
        self._aside: list[tuple[float, int, Task]] = []  # a heap of tasks put off until their ``not_before``
        self._seq = 0
        self.counts = dict.fromkeys(("set", *ENDINGS), 0)

    def _push(self, task: Task) -> None:
        self._seq += 1
        task.seq = self._seq
        day = math.floor(task.due)
        bucket = self._days.get(day)
        if bucket is None:
            self._days[day] = [task]
            heapq.heappush(self._front, day)
        else:
            bucket.append(task)
            self._unsorted.add(day)

    def _first_bucket(self) -> list[Task] | None:
        """The earliest day's tasks, latest first (so the most overdue is last), cancelled ones dropped."""
        front, days = self._front, self._days
        while front:
            day = front[0]
            bucket = days[day]
            if day in self._unsorted:
                bucket.sort(reverse=True)
                self._unsorted.discard(day)
            while bucket and bucket[-1].ended:
                bucket.pop()
            if bucket:
                return bucket
            heapq.heappop(front)
            del days[day]
        return None

    def set(self, family: Family, kind: str, due: float, since: float, number: int = 1) -> Task:
        task = Task(due, family, kind, since, number)
        self.counts["set"] += 1
        self._push(task)
        return task

    def redo(self, task: Task, day: float, due: float, since: float | None = None) -> bool:
        """Mark ``task`` done on ``day`` and set it once more, due on ``due`` (its schedule begun on
        ``since`` if a new one); True if it was done on time."""
        on_time = int(day) <= int(task.due)  # on or before its due day
        if since is not None:
            task.since = since
        task.due, task.not_before = due, 0.0
        task.number += 1
        self.counts["on_time" if on_time else "late"] += 1
        self.counts["set"] += 1
        self._push(task)
        return on_time

    def cancel(self, task: Task | None, now: float) -> None:
        if task is not None and not task.ended:
            task.ended = True
            self.counts["cancelled_overdue" if task.due < now else "cancelled_before_due"] += 1

    def first_due(self) -> Task | None:
        """The most overdue open task still in the book (cancelled ones at the front are dropped)."""
        bucket = self._first_bucket()
        return bucket[-1] if bucket else None

    def pop(self) -> Task:
        """Take out the task ``first_due`` gave."""
        bucket = self._first_bucket()
        assert bucket, "nothing to take: first_due gave no task"
        return bucket.pop()

    def put_off(self, task: Task, until: float) -> None:
        """Set aside the task ``first_due`` gave until ``until`` (then ``bring_back`` returns it to the book)."""
        self.pop()
        task.not_before = until
        self._seq += 1
        heapq.heappush(self._aside, (until, self._seq, task))

    def bring_back(self, now: float) -> None:
        """Tasks set aside until ``now`` or earlier back in the book, in the order they fall due to come back."""
        aside = self._aside
        while aside and aside[0][0] <= now:
            self._push(heapq.heappop(aside)[2])

    def open_tasks(self, now: float) -> tuple[int, int]:
        """(open tasks not yet due, open tasks overdue) at ``now``."""
        live = overdue = 0
        for bucket in self._days.values():
            for task in bucket:
                if not task.ended:
                    live += 1
                    overdue += task.due < now
        for _, _, task in self._aside:
            if not task.ended:
                live += 1
                overdue += task.due < now
        return live - overdue, overdue


class TimeBank:
    """Hours that come in each working day and may be saved up to a week's worth, spent on tasks.

    Kept per holder (the team managers, the IROs, the minute-takers), brought up to date
    when next used from the rate in force then; a holder starts with a week's hours to
    hand. A holder absent when it is used loses what was saved.
    """

    def __init__(self) -> None:
        # holder -> (hours, working day they were counted to); a social worker's visit hours follow the same rule
        # in their own record (visits.VisitTime), worked out inline in the visits round
        self.saved: dict[Any, tuple[float, int]] = {}

    def hours(self, holder: Any, today: int, hours_per_week: float) -> float:
        """The hours ``holder`` has today (``today``: a working-day count), at ``hours_per_week``."""
        per_day = hours_per_week / 5.0
        saved = self.saved.get(holder)
        if saved is None:
            return hours_per_week
        return min(hours_per_week, saved[0] + per_day * (today - saved[1]))

    def spend(self, holder: Any, today: int, left: float) -> None:
        """What ``holder`` has left today after its tasks."""
        self.saved[holder] = (left, today)
