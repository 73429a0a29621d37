"""Each open family's next task of one kind, in a slot, and the tasks kept in due order for the day's round.

A round that sets one task per open family and meets, each working day, the tasks due by the day's end (the
team managers' case supervision, from one pool of time; statutory visits, from each social worker's) keeps them
here: a slot per family holds the family's children and the task's ``Place`` in the order tasks are met (its
due day, then the order set). A task waits for its day in a calendar, a list per due day kept in that
order as places are filed; once due and not done it waits, in order, with the others due at the last round.
So a day's round reads the tasks due, most overdue first and at the same moment in the order set, without
sorting them all again: the order one heap of every task would give (``tasks.TaskBook``'s). A task done or
cancelled leaves its place behind, to be passed over when reached. Tasks end as ``TaskBook``'s do (on time,
late, or cancelled before or after falling due), and the table counts each ending, so that at any moment

    set = on time + late + cancelled before due + cancelled overdue + open.

A free slot has no children and no place. The open tasks and their children are counted as tasks come and go; at
month ends only the tasks overdue are read (those waiting, and those in the calendar's days up to the moment).
"""

from __future__ import annotations

import math
from typing import Final

from ..family import Family
from .tasks import ENDINGS, InDueOrder, file_in_due_order


READ: Final[list[Place]] = []
"""The calendar's list for every day wholly read (shared, always empty)."""

IN_CALENDAR: Final = 0
WAITING: Final = 1
GONE: Final = 2


class Place(InDueOrder):
    """A task's place in the order tasks are met: by due day, then the order set (``seq``); in ``slot``, for
    ``family``. ``where`` it is: IN_CALENDAR (not yet due), WAITING (due), GONE (cancelled). Done and set again,
    the same place goes back in the calendar with its new due day and order. A visit's place also holds the
    family's stage (a ``visits.STAGE_CODE``) and ``since``, when its schedule began."""

    def __init__(self, due: float, seq: int, slot: int, family: Family) -> None:
        self.due = due
        self.seq = seq
        self.slot = slot
        self.family: Family | None = family  # None once cancelled (a family closed is not kept for its place)
        self.where = IN_CALENDAR
        self.stage = 0
        self.since = 0.0


class DueTable:
    """Slots of open tasks, one per family, with their due days and the families' children; the tasks' places."""

    def __init__(self) -> None:
        self.size: list[int] = []  # the family's children (0: a free slot)
        self._places: list[Place | None] = []  # each slot's task's place
        self._free: list[int] = []
        self._set = 0  # tasks set so far (each new or set again takes the next number)
        self._open = self._children = 0  # open tasks, and their families' children, kept as tasks come and go
        self._on_time = self._late = self._cancelled_before_due = self._cancelled_overdue = 0
        self._calendar: list[list[Place]] = []  # by due day: the places of the tasks due that day
        self._next_day = 0  # the first day of the calendar not yet (wholly) read
        self._joined_late = False  # whether a task due before it has joined it since the last round
        self._waiting: list[Place] = []  # the places of the tasks due at the last round, in order, from _head on
        self._head = 0  # (those before it were met from the front, or passed over, in first_due)

    @property
    def counts(self) -> dict[str, int]:
        """Tasks set, and ended each way, so far."""
        ended = (self._on_time, self._late, self._cancelled_before_due, self._cancelled_overdue)
        return {"set": self._set, **dict(zip(ENDINGS, ended))}

    def set(self, family: Family, due: float) -> int:
        """A new task for ``family`` (which has no other in this table): its slot."""
        if self._free:
            slot = self._free.pop()
            self.size[slot] = family.size
        else:
            slot = len(self.size)
            self.size.append(family.size)
            self._places.append(None)
        self._open += 1
        self._children += family.size
        self._place(slot, family, due)
        return slot

    def cancel(self, slot: int | None, now: float) -> None:
        """The family closed: its task ends undone and the slot is free."""
        if slot is None:
            return
        place = self._places[slot]
        assert place is not None
        if place.due < now:
            self._cancelled_overdue += 1
        else:
            self._cancelled_before_due += 1
        place.where = GONE
        place.family = None
        self._open -= 1
        self._children -= self.size[slot]
        self._places[slot] = None
        self.size[slot] = 0
        self._free.append(slot)

    def let_go(self) -> None:
        """At the end of a replication: the places of the tasks."""
        self._places.clear()
        self._calendar.clear()
        self._waiting = []

    def due_before(self, end: float) -> list[Place]:
        """The places of the tasks due before ``end``, most overdue first (at the same moment, in the order set).
        Rounds come in time order (``end`` never earlier than the last round's)."""
        self._waiting = [place for place in self._waiting[self._head:] if place.where == WAITING]  # not done nor
        self._head = 0  # cancelled since
        self._fall_due(end)
        return self._waiting

    def whole_round(self, end: float) -> list[Place]:
        """For a round that reads every task due before ``end`` in one pass (the visits'): the places waiting, most
        overdue first, the last round's left waiting (``left_waiting``) then those fallen due since; a place
        cancelled since is in it with no family, to be passed over. The round hands back those it leaves
        waiting, in order, with ``left_waiting``, so the list is not filtered first. A table read this way is
        read only this way."""
        if self._head:
            del self._waiting[:self._head]
            self._head = 0
        self._fall_due(end)
        return self._waiting

    def left_waiting(self, places: list[Place]) -> None:
        """The places a ``whole_round`` left waiting, in order (every place it was given but those done or
        cancelled)."""
        self._waiting, self._head = places, 0

    def first_due(self, end: float, most: int) -> list[Place]:
        """The first ``most`` of ``due_before(end)`` (those a round will meet, from the front)."""
        self._fall_due(end)
        waiting, head = self._waiting, self._head
        first: list[Place] = []
        while head < len(waiting) and len(first) < most:
            place = waiting[head]
            if place.where == WAITING:
                first.append(place)
            head += 1
        if head > 64 and 2 * head > len(waiting):  # the places passed fill half the list: drop them
            self._waiting, head = waiting[head:], 0
        self._head = head
        return first

    def _fall_due(self, end: float) -> None:
        """The tasks due before ``end`` join those waiting, in order."""
        calendar, waiting = self._calendar, self._waiting
        newly: list[Place] = []
        day, last = self._next_day, math.floor(end)  # the days before ``last`` are wholly due
        while day < last:
            if day < len(calendar):
                places = calendar[day]
                if places:
                    for place in places:
                        if place.where == IN_CALENDAR:
                            place.where = WAITING
                            newly.append(place)
                calendar[day] = READ  # a day wholly read gains no places (see _file): its list is let go
            day += 1
        self._next_day = day
        if (end > day or self._joined_late) and day < len(calendar) and calendar[day]:  # those due before ``end``
            self._joined_late = False  # that day (part of the way through it), or set due before it (see _place)
            places = calendar[day]
            cut = 0
            while cut < len(places) and places[cut].due < end:
                place = places[cut]
                if place.where == IN_CALENDAR:
                    place.where = WAITING
                    newly.append(place)
                cut += 1
            del places[:cut]
        if newly and len(waiting) > self._head and newly[0] < waiting[-1]:  # set since the last round, due before
            waiting += newly  # some waiting (or a place passed over): two runs in order, merged in one pass
            waiting[self._head:] = sorted(waiting[self._head:])
        else:
            waiting += newly

    def done(self, place: Place, now: float) -> float:
        """The task is done today: at ``now``, or at its due time if later today. It is on time if done on or
        before its due day (so if due on or after today's midnight). The time done."""
        due = place.due
        if due >= math.floor(now):
            self._on_time += 1
        else:
            self._late += 1
        return due if due > now else now

    def set_again(self, place: Place, due: float) -> None:
        """The task, just done, set once more, due on ``due``: its place back in the calendar."""
        self._set += 1
        place.due, place.seq, place.where = due, self._set, IN_CALENDAR
        self._file(place)

    def _place(self, slot: int, family: Family, due: float) -> None:
        self._set += 1
        place = self._places[slot] = Place(due, self._set, slot, family)
        self._file(place)

    def _file(self, place: Place) -> None:
        """The place into the calendar, in the list of its due day, in the order tasks are met (more than half the
        visits go in before the last: a child in care's next visit falls due at the hour of the round it was made
        in, among Child in Need and Child Protection visits due when their clocks run out, later in the day)."""
        day = math.floor(place.due)
        if day < self._next_day:  # due before the next round reads: with the first day it reads
            day, self._joined_late = self._next_day, True
        calendar = self._calendar
        while len(calendar) <= day:
            calendar.append([])
        file_in_due_order(calendar[day], place)

    def place(self, slot: int) -> Place:
        """The place of the task in ``slot``."""
        place = self._places[slot]
        assert place is not None, "a free slot has no task"
        return place

    def overdue(self, cutoff: float) -> list[Place]:
        """The places of the open tasks due before ``cutoff``: those waiting, and those in the calendar's days up to
        ``cutoff`` (with any set since the last round, due before it), not every task."""
        found = [place for place in self._waiting[self._head:] if place.where == WAITING and place.due < cutoff]
        calendar, day = self._calendar, self._next_day
        last = min(max(math.floor(cutoff), day), len(calendar) - 1)
        while day <= last:
            for place in calendar[day]:
                if place.where == IN_CALENDAR and place.due < cutoff:
                    found.append(place)
            day += 1
        return found

    def children(self, cutoff: float) -> tuple[int, int]:
        """(Children with an open task, of whom those whose task is due on or after ``cutoff``.)"""
        size = self.size
        return self._children, self._children - sum(size[place.slot] for place in self.overdue(cutoff))

    def open_tasks(self, now: float) -> tuple[int, int]:
        """(open tasks not yet due, open tasks overdue) at ``now``."""
        overdue = len(self.overdue(now))
        return self._open - overdue, overdue
