"""Tasks with a due day, the book that holds them in due order, and the time that meets them.

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
from dataclasses import dataclass
from typing import Any, Iterable

ENDINGS = ("on_time", "late", "cancelled_before_due", "cancelled_overdue")


@dataclass(eq=False, slots=True)
class Task:
    """One task for one family: ``kind`` says what, ``since`` when the schedule it belongs to began."""

    due: float
    family: Any
    kind: str
    since: float
    number: int = 1
    ended: bool = False
    not_before: float = 0.0  # put off until then


class TaskBook:
    """Open tasks in due order (a heap), and tasks put off until a later day.

    Cancelled tasks are dropped when they come to the front. A round takes tasks from the
    front one at a time or all those due; a round that keeps tasks taken out waiting
    (visits, worker by worker) says so when counting the open ones.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Task]] = []
        self._aside: list[Task] = []  # put off until their ``not_before``
        self._seq = 0
        self.counts = dict.fromkeys(("set", *ENDINGS), 0)

    def set(self, family: Any, kind: str, due: float, since: float, number: int = 1) -> Task:
        task = Task(due, family, kind, since, number)
        self.counts["set"] += 1
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, task))
        return task

    def redo(self, task: Task, day: float, due: float, since: float | None = None) -> bool:
        """Mark ``task`` done on ``day`` and set it once more, due on ``due`` (its schedule begun on
        ``since`` if a new one); True if it was done on time."""
        counts = self.counts
        on_time = int(day) <= int(task.due)  # on or before its due day
        counts["on_time" if on_time else "late"] += 1
        counts["set"] += 1
        task.due, task.not_before = due, 0.0
        task.number += 1
        if since is not None:
            task.since = since
        self._seq += 1
        heapq.heappush(self._heap, (due, self._seq, task))
        return on_time

    def cancel(self, task: Task | None, now: float) -> None:
        if task is not None and not task.ended:
            task.ended = True
            self.counts["cancelled_overdue" if task.due < now else "cancelled_before_due"] += 1

    def first_due(self) -> Task | None:
        """The most overdue open task still in the heap (cancelled ones at the front are dropped)."""
        heap = self._heap
        while heap and heap[0][2].ended:
            heapq.heappop(heap)
        return heap[0][2] if heap else None

    def take(self, day: float, limit: float = math.inf) -> list[Task]:
        """Up to ``limit`` open tasks due before ``day``, most overdue first; the rest stay where they are."""
        heap, tasks = self._heap, []
        while len(tasks) < limit and heap and heap[0][0] < day:
            task = heapq.heappop(heap)[2]
            if not task.ended:
                tasks.append(task)
        return tasks

    def pop(self) -> Task:
        """Take out the task ``first_due`` gave."""
        return heapq.heappop(self._heap)[2]

    def put_off(self, task: Task, until: float) -> None:
        """Set aside the task ``first_due`` gave until ``until`` (then ``bring_back`` returns it to the heap)."""
        heapq.heappop(self._heap)
        task.not_before = until
        self._aside.append(task)

    def bring_back(self, now: float) -> None:
        if self._aside:
            for task in [task for task in self._aside if task.not_before <= now]:
                self._seq += 1
                heapq.heappush(self._heap, (task.due, self._seq, task))
            self._aside = [task for task in self._aside if task.not_before > now]

    def open_tasks(self, now: float, taken: Iterable[Task] = ()) -> tuple[int, int]:
        """(open tasks not yet due, open tasks overdue) at ``now``, with those ``taken`` out and waiting."""
        live = [task.due for _, _, task in self._heap if not task.ended]
        live += [task.due for task in (*self._aside, *taken) if not task.ended]
        overdue = sum(1 for due in live if due < now)
        return len(live) - overdue, overdue




class TimeBank:
    """Hours that come in each working day and may be saved up to a week's worth, spent on tasks.

    Kept per holder (a social worker, the team managers, the IROs), brought up to date
    when next used from the rate in force then; a holder starts with a week's hours to
    hand. A holder absent when it is used loses what was saved.
    """

    def __init__(self) -> None:
        self._saved: dict[Any, tuple[float, int]] = {}  # holder -> (hours, working day they were counted to)

    def hours(self, holder: Any, today: int, hours_per_week: float) -> float:
        """The hours ``holder`` has today (``today``: a working-day count), at ``hours_per_week``."""
        per_day = hours_per_week / 5.0
        saved = self._saved.get(holder)
        if saved is None:
            return hours_per_week
        return min(hours_per_week, saved[0] + per_day * (today - saved[1]))

    def spend(self, holder: Any, today: int, left: float) -> None:
        """What ``holder`` has left today after its tasks."""
        self._saved[holder] = (left, today)
