"""Each open family's next task of one kind, in arrays: its due day and the order it was set in.

A round that sets one task per open family and meets, each working day, the tasks due by
the day's end (the team managers' case supervision, from one pool of time; statutory visits,
from each social worker's) keeps them here rather than as objects in a queue: a slot per
family holds the task's due day, the order it was set in (``seq``, which breaks ties between
tasks due at the same moment) and the family's children. A day's work is then a few array
operations over the families, not a step per task, in the same order as ``tasks.TaskBook``
would give. Tasks end as
``TaskBook``'s do (on time, late, or cancelled before or after falling due), and the
table counts each ending, so that at any moment

    set = on time + late + cancelled before due + cancelled overdue + open.

A free slot has no children and no due day (infinity), so sums over every slot count open
tasks only.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .tasks import ENDINGS

NOT_SET = np.inf


class DueTable:
    """Slots of open tasks, one per family, with their due days and the order they were set in.

    ``COLUMNS`` names each array and what a free slot holds; a table for a round that needs more
    about each task (visits: the stage and when its schedule began) adds columns. ``families[slot]``
    is the slot's family (None when free).
    """

    COLUMNS: ClassVar[dict[str, tuple[Any, Any]]] = {"due": (NOT_SET, np.float64), "seq": (0, np.int64),
                                           "size": (0, np.int64)}  # name -> (free slot's value, dtype)
    due: np.ndarray
    seq: np.ndarray
    size: np.ndarray  # the family's children (0: a free slot)

    def __init__(self, capacity: int = 512):
        for name, (fill, dtype) in self.COLUMNS.items():
            setattr(self, name, np.full(capacity, fill, dtype=dtype))
        self.families: list[Any] = [None] * capacity
        self._free = list(range(capacity - 1, -1, -1))
        self._seq = 0  # tasks set so far (each new or set again takes the next number)
        self._ended = dict.fromkeys(ENDINGS, 0)

    @property
    def counts(self) -> dict[str, int]:
        """Tasks set, and ended each way, so far."""
        return {"set": self._seq, **self._ended}

    def set(self, family: Any, due: float) -> int:
        """A new task for ``family`` (which has no other in this table): its slot."""
        if not self._free:
            self._grow()
        slot = self._free.pop()
        self._seq += 1
        self.due[slot], self.seq[slot], self.size[slot] = due, self._seq, family.size
        self.families[slot] = family
        return slot

    def cancel(self, slot: int | None, now: float) -> None:
        """The family closed: its task ends undone and the slot is free."""
        if slot is None:
            return
        self._ended["cancelled_overdue" if self.due[slot] < now else "cancelled_before_due"] += 1
        self.due[slot], self.size[slot] = NOT_SET, 0
        self.families[slot] = None
        self._free.append(slot)

    def due_before(self, end: float) -> np.ndarray:
        """The slots of tasks due before ``end``, most overdue first (at the same moment, in the order set)."""
        slots = np.flatnonzero(self.due < end)
        if slots.size > 1:
            slots = slots[np.lexsort((self.seq[slots], self.due[slots]))]
        return slots

    def done(self, slots: np.ndarray, now: float) -> np.ndarray:
        """The tasks in ``slots`` are done today: at ``now``, or at their due time if later today. Each is on
        time if done on or before its due day (so if due on or after today's midnight). The times done."""
        due = self.due[slots]
        on_time = int(np.count_nonzero(due >= math.floor(now)))
        ended = self._ended
        ended["on_time"] += on_time
        ended["late"] += slots.size - on_time
        return np.maximum(due, now)

    def set_again(self, slots: np.ndarray, dues: np.ndarray) -> None:
        """The tasks in ``slots``, just done, set once more, due on ``dues``, in the order given."""
        n = slots.size
        self.due[slots] = dues
        self.seq[slots] = np.arange(self._seq + 1, self._seq + n + 1)
        self._seq += n

    def children(self, cutoff: float) -> tuple[int, int]:
        """(Children with an open task, of whom those whose task is due on or after ``cutoff``.)"""
        return int(self.size.sum()), int(self.size[self.due >= cutoff].sum())

    def open_tasks(self, now: float) -> tuple[int, int]:
        """(open tasks not yet due, open tasks overdue) at ``now``."""
        live = self.size > 0
        overdue = int(np.count_nonzero(live & (self.due < now)))
        return int(np.count_nonzero(live)) - overdue, overdue

    def _grow(self) -> None:
        old = self.due.size
        for name, (fill, dtype) in self.COLUMNS.items():
            grown = np.full(2 * old, fill, dtype=dtype)
            grown[:old] = getattr(self, name)
            setattr(self, name, grown)
        self.families.extend([None] * old)
        self._free.extend(range(2 * old - 1, old - 1, -1))
