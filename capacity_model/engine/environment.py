"""SimPy's environment with its queue of events kept a day at a time, and alarms, the engine's cheapest events.

SimPy keeps every event to come in one heap, and taking an event from it costs a comparison for
each level of the heap, each a visit to an entry set long before. A service's events are mostly
set days or months ahead (the end of a family's stage, a re-referral, a worker's next review), so
in a large service the heap is deep and out of cache: at ten times the baseline's size, about a
quarter of the time a replication took beyond ten baselines'.

Here only the events due before the end of the day the clock is in are in SimPy's heap; those
due on a later day wait in a list for their day, in the order set. When the heap runs out, the
next day with events comes in, its list made a heap at once. Each event keeps the number SimPy
gives it when it is set (its place among events due at the same moment with the same priority),
so events happen in exactly the order SimPy's own queue gives: by moment, by priority, then in
the order set. ``step`` is SimPy 4's, taking the next event from the day's heap.

An alarm is an event in this queue, scheduled as a ``Timeout`` would be (at the same moment and in
the same order), that calls its own ``rang`` when it rings. A kind of alarm is a subclass holding
what ``rang`` needs, so setting one makes no closure, no callback list and no ``Timeout`` (whose
construction is interpreted Python), for the waits the engine sets by the hundred thousand: the
end of a family's stage, a re-referral, the next referral. An alarm carries no value and is not for
a process to yield; it only rings. One set for a later day waits as it is, its moment and number
on it, with no entry of SimPy's made for it until its day. Its kinds are subclasses in the engine
itself (compiled, its classes cannot be subclassed from outside it).
"""

from __future__ import annotations

from heapq import heapify, heappop, heappush
from typing import Any, Final, TypeVar

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL

RESUMED: Any = -1
"""The priority SimPy gives an event put back when a run stopped part of the way through its callbacks."""

Waiting = TypeVar("Waiting")


class Environment(simpy.Environment):
    """A SimPy environment whose queue holds the events due today; later ones wait in a list for their day."""

    def __init__(self, initial_time: float = 0.0) -> None:
        super().__init__(initial_time)
        self._today_ends = float(initial_time // 1.0) + 1.0  # events due before this are in the heap, ``_queue``;
        self._later: dict[float, list[Any]] = {}  # the rest by day: (due, priority, number, event), in order set,
        self._alarms: dict[float, list[Alarm]] = {}  # and alarms, as they are
        self._days: list[float] = []  # the days with any, as a heap

    @property
    def now(self) -> Any:
        """The current simulation time: SimPy's property, compiled (the engine reads the clock about 90,000 times in a
        baseline replication, and SimPy's is interpreted Python)."""
        return self._now

    def schedule(self, event: Any, priority: Any = NORMAL, delay: Any = 0) -> None:
        """Schedule ``event`` with ``priority`` after ``delay``, numbered as SimPy numbers it."""
        due = self._now + delay
        entry = (due, priority, next(self._eid), event)
        if not due >= self._today_ends:  # (a NaN too, as SimPy would)
            heappush(self._queue, entry)
        else:
            self._wait(self._later, due, entry)

    def set(self, alarm: Alarm, delay: float) -> None:
        """Schedule ``alarm`` as ``schedule`` would with SimPy's normal priority."""
        due = self._now + delay
        order = next(self._eid)
        if not due >= self._today_ends:
            heappush(self._queue, (due, NORMAL, order, alarm))  # type: ignore[misc]  # an event as SimPy reads one
        else:
            alarm.due, alarm.order = due, order
            self._wait(self._alarms, due, alarm)

    def _wait(self, days: dict[float, list[Waiting]], due: float, waiting: Waiting) -> None:
        day = due // 1.0
        listed = days.get(day)
        if listed is not None:
            listed.append(waiting)
            return
        if day not in self._later and day not in self._alarms:
            heappush(self._days, day)
        days[day] = [waiting]

    def peek(self) -> Any:
        """The time of the next event (SimPy's ``Infinity`` if there is none)."""
        queue = self._queue
        if not queue:
            queue = self._next_day()
        return queue[0][0] if queue else simpy.core.Infinity

    def step(self) -> None:
        """Process the next event, as SimPy 4's ``Environment.step`` does."""
        queue = self._queue
        if not queue:
            queue = self._next_day()
            if not queue:
                raise EmptySchedule()
        entry = heappop(queue)
        self._now = entry[0]
        event: Any = entry[3]
        callbacks = event.callbacks
        event.callbacks = None  # (before the callbacks run, so that none can add another)
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:  # put back, to go on with the callbacks after it when the run resumes
            event.callbacks = callbacks[callbacks.index(callback) + 1:]
            self.schedule(event, RESUMED)
            raise
        if not event._ok and not hasattr(event, "_defused"):  # a failure nothing handled ends the run
            failure = event._value
            error = type(failure)(*failure.args)
            error.__cause__ = failure
            raise error

    def _next_day(self) -> list[Any]:
        """The heap, once empty: the events of the next day that has any."""
        if self._days:
            day = heappop(self._days)
            entries = self._later.pop(day, [])
            entries += [(alarm.due, NORMAL, alarm.order, alarm) for alarm in self._alarms.pop(day, ())]
            heapify(entries)
            self._queue = entries
            self._today_ends = day + 1.0
        return self._queue

    def let_go(self) -> None:
        """At the end of a replication: drop the events still to come and the processes waiting for them (an event's
        callbacks hold its processes, which hold it), so that they are freed by reference counting."""
        for entries in (self._queue, *self._later.values()):
            for entry in entries:
                entry[3].callbacks = None  # as SimPy marks an event processed
        self._queue.clear()
        self._later.clear()
        self._alarms.clear()
        self._days.clear()


class Alarm:
    """Rings ``delay`` days after it is set in ``env`` (``rang`` is what happens then)."""

    __slots__ = ("callbacks", "_ok", "due", "order")

    def __init__(self, env: Environment, delay: float) -> None:
        if not delay >= 0.0:  # (nor NaN) as a Timeout would refuse it
            raise ValueError(f"an alarm cannot be set {delay} days ahead")
        # what SimPy's Environment.step reads of an event: its callbacks, then whether it failed
        self.callbacks: tuple[object, ...] | None = RINGING
        self._ok = True
        self.due = 0.0  # set for a later day: when it rings, and its place in SimPy's order of events
        self.order = 0
        env.set(self, delay)

    def rang(self) -> None:
        raise NotImplementedError


def ring(alarm: Alarm) -> None:
    alarm.rang()


RINGING: Final[tuple[object, ...]] = (ring,)
"""Every alarm's callbacks: one function, shared."""
