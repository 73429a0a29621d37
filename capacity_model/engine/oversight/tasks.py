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
from typing import Any, Final, TypeVar

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


InOrder = TypeVar("InOrder", bound=InDueOrder)


def file_in_due_order(items: list[InOrder], item: InOrder) -> None:
    """``item``, the last set (so after every one due at the same moment or earlier), into ``items``, which are in
    the order tasks are met: at the end, unless due before the last, then where a binary search by due day puts
    it."""
    due = item.due
    if items and due < items[-1].due:
        low, high = 0, len(items) - 1  # the first due later is in [low, high]
        while low < high:
            middle = (low + high) // 2
            if due < items[middle].due:
                high = middle
            else:
                low = middle + 1
        items.insert(low, item)
    else:
        items.append(item)


PASSED: Final[list[Task]] = []
"""The calendar's list for every day before the front (shared, always empty)."""


class TaskBook:
    """Open tasks in due order, and tasks put off until a later day.

    The tasks are kept in a calendar of due days (a list per day, each kept in order as tasks are put in it,
    ``file_in_due_order``), which gives the same order as one heap of every task, most overdue first and, at the same
    moment, in the order they were set, at a fraction of the cost. The front is the earliest day that may hold
    tasks; a task due before it (put off and brought back, or set late) joins the front day's list, in order.
    Cancelled tasks are dropped when they come to the front. A round takes tasks from the front one at a time.
    """

    def __init__(self) -> None:
        self._calendar: list[list[Task]] = []  # by due day (from the front day on): its tasks, in order
        self._front = 0  # the earliest day that may hold tasks (the lists before it are let go)
        self._aside: list[tuple[float, int, Task]] = []  # a heap of tasks put off until their ``not_before``
        self._seq = 0
        self._set = self._on_time = self._late = self._cancelled_before_due = self._cancelled_overdue = 0

    @property
    def counts(self) -> dict[str, int]:
        """Tasks set, and ended each way, so far."""
        ended = (self._on_time, self._late, self._cancelled_before_due, self._cancelled_overdue)
        return {"set": self._set, **dict(zip(ENDINGS, ended))}

    def let_go(self) -> None:
        """At the end of a replication: the tasks."""
        self._calendar.clear()
        self._aside.clear()

    def _push(self, task: Task) -> None:
        """``task`` into its due day's list (the front day's, if due before it), in order."""
        self._seq += 1
        task.seq = self._seq
        day = math.floor(task.due)
        if day < self._front:
            day = self._front
        calendar = self._calendar
        while len(calendar) <= day:
            calendar.append([])
        file_in_due_order(calendar[day], task)

    def _first_day(self) -> list[Task] | None:
        """The front day's tasks, in order (the most overdue first), cancelled ones at the front dropped; days
        left empty are passed."""
        calendar, front = self._calendar, self._front
        while front < len(calendar):
            tasks = calendar[front]
            while tasks and tasks[0].ended:
                del tasks[0]
            if tasks:
                self._front = front
                return tasks
            calendar[front] = PASSED
            front += 1
        self._front = front
        return None

    def set(self, family: Family, kind: str, due: float, since: float, number: int = 1) -> Task:
        task = Task(due, family, kind, since, number)
        self._set += 1
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
        if on_time:
            self._on_time += 1
        else:
            self._late += 1
        self._set += 1
        self._push(task)
        return on_time

    def cancel(self, task: Task | None, now: float) -> None:
        if task is not None and not task.ended:
            task.ended = True
            if task.due < now:
                self._cancelled_overdue += 1
            else:
                self._cancelled_before_due += 1

    def first_due(self) -> Task | None:
        """The most overdue open task still in the book (cancelled ones at the front are dropped)."""
        tasks = self._first_day()
        return tasks[0] if tasks else None

    def pop(self) -> Task:
        """Take out the task ``first_due`` gave."""
        tasks = self._first_day()
        assert tasks, "nothing to take: first_due gave no task"
        return tasks.pop(0)

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
        for tasks in self._calendar[self._front:]:
            for task in tasks:
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
