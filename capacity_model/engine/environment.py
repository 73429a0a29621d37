"""The engine's event loop: SimPy's environment, compiled, with its queue kept a day at a time, and alarms, the
engine's cheapest events.

``Environment`` does what ``simpy.Environment`` does for SimPy's events and processes (``timeout``, ``process``,
``event``, ``schedule``, ``step``, ``run``, ``now``, ``active_process``), in the same order, but it is the
engine's own class rather than a subclass of SimPy's: compiled, its clock and its queue are fields read in C,
where in a subclass of a Python class each ``self._queue`` and each ``env.now`` is a dictionary lookup (about a
fifth of the instructions of the M/M/s mode before it was native), and the components call its methods
directly.

SimPy keeps every event to come in one heap, and taking an event from it costs a comparison for each level of
the heap, each a visit to an entry set long before. A service's events are mostly set days or months ahead (the
end of a family's stage, a re-referral, a worker's next review), so in a large service the heap is deep and out
of cache: at ten times the baseline's size, about a quarter of the time a replication took beyond ten
baselines'. Here only the events due before the end of the day the clock is in are in the heap; those due on a
later day wait in a list for their day, in the order set. When the heap runs out, the next day with events comes
in, its list made a heap at once. Each event is numbered as SimPy numbers it when it is set (its place among
events due at the same moment with the same priority), so events happen in exactly the order SimPy's own queue
gives: by moment, by priority, then in the order set. ``step`` is SimPy 4's, taking the next event from the
day's heap.

An alarm is an event in this queue, scheduled as a ``Timeout`` would be (at the same moment and in the same
order), that calls its own ``rang`` when it rings. A kind of alarm is a subclass holding what ``rang`` needs, so
setting one makes no closure, no callback list and no ``Timeout`` (whose construction is interpreted Python),
for the waits the engine sets by the hundred thousand: the end of a family's stage, a re-referral, the next
referral. An alarm carries no value and is not for a process to yield; it only rings, and once rung it can be
set again (a family's stage ends with the same alarm each time). One set for a later day waits as it is, its
moment and number on it, with nothing else made for it until its day. Its kinds are
subclasses in the engine itself (compiled, its classes cannot be subclassed from outside it).
"""

from __future__ import annotations

import heapq
from typing import Any, Final, TypeVar

from simpy.core import EmptySchedule, Infinity, StopSimulation
from simpy.events import AllOf, AnyOf, Event, Process, ProcessGenerator, Timeout

URGENT: Final = 0
"""SimPy's priorities (``simpy.events.URGENT``, ``NORMAL``): among events due at the same moment, the urgent first."""
NORMAL: Final = 1
RESUMED: Final = -1
"""The priority SimPy gives an event put back when a run stopped part of the way through its callbacks."""

heappush: Final = heapq.heappush  # (as names of the module's own, final, compiled code reads them directly, not
heappop: Final = heapq.heappop  # from the module's dictionary at every call)
heapify: Final = heapq.heapify

Waiting = TypeVar("Waiting")


class Environment:
    """SimPy's environment, compiled, whose queue holds the events due today; later ones wait in a list for their
    day. SimPy's events and processes run in it as in SimPy's own."""

    def __init__(self, initial_time: float = 0.0) -> None:
        self._now = float(initial_time)
        self._active_proc: Any = None  # (set and cleared by SimPy's processes as they resume)
        self._queue: list[Any] = []  # today's events, a heap of (due, priority, number, event) as SimPy's
        self._numbered = 0  # events numbered so far
        self._today_ends = float(initial_time // 1.0) + 1.0  # events due before this are in the heap,
        self._later: dict[float, list[Any]] = {}  # the rest by day: (due, priority, number, event), in order set,
        self._alarms: dict[float, list[Alarm]] = {}  # and alarms, as they are
        self._days: list[float] = []  # the days with any, as a heap
        self.events_processed = 0  # taken from the queue so far (the benchmark's count of a replication's events)

    @property
    def now(self) -> float:
        """The current simulation time."""
        return self._now

    @property
    def active_process(self) -> Any:
        """The process whose generator is running, if any (SimPy's)."""
        return self._active_proc

    def timeout(self, delay: float = 0, value: Any = None) -> Timeout:
        return Timeout(self, delay, value)  # type: ignore[arg-type]  # (SimPy's events take its own class)

    def process(self, generator: ProcessGenerator) -> Process:
        return Process(self, generator)  # type: ignore[arg-type]

    def event(self) -> Event:
        return Event(self)  # type: ignore[arg-type]

    def all_of(self, events: list[Event]) -> AllOf:
        return AllOf(self, events)  # type: ignore[arg-type]

    def any_of(self, events: list[Event]) -> AnyOf:
        return AnyOf(self, events)  # type: ignore[arg-type]

    def schedule(self, event: Any, priority: int = NORMAL, delay: float = 0) -> None:
        """Schedule ``event`` with ``priority`` after ``delay``, numbered as SimPy numbers it."""
        due = self._now + delay
        entry = (due, priority, self._numbered, event)
        self._numbered += 1
        if not due >= self._today_ends:  # (a NaN too, as SimPy would)
            heappush(self._queue, entry)
        else:
            self._wait(self._later, due, entry)

    def set(self, alarm: Alarm, delay: float) -> None:
        """Schedule ``alarm`` as ``schedule`` would with SimPy's normal priority (a new alarm, or one set again)."""
        if not delay >= 0.0:  # (nor NaN) as a Timeout would refuse it
            raise ValueError(f"an alarm cannot be set {delay} days ahead")
        due = self._now + delay
        number = self._numbered
        self._numbered = number + 1
        if not due >= self._today_ends:
            heappush(self._queue, (due, NORMAL, number, alarm))
        else:
            alarm.due, alarm.order = due, number
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

    def peek(self) -> float:
        """The time of the next event (SimPy's ``Infinity`` if there is none)."""
        queue = self._queue
        if not queue:
            queue = self._next_day()
        return queue[0][0] if queue else Infinity

    def step(self) -> None:
        """Process the next event, as SimPy 4's ``Environment.step`` does."""
        queue = self._queue
        if not queue:
            queue = self._next_day()
            if not queue:
                raise EmptySchedule()
        entry = heappop(queue)
        self._now = entry[0]
        self.events_processed += 1
        event: Any = entry[3]
        if isinstance(event, Alarm):  # (no callbacks: it rings)
            event.rang()
            return
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

    def run(self, until: Any = None) -> Any:
        """Process events until ``until``: a moment, an event (the run returns its value), or (None) the last
        event; as SimPy 4's ``Environment.run`` does."""
        if until is not None:
            if not isinstance(until, Event):
                at = float(until)
                if at <= self._now:
                    raise ValueError(f"until ({at}) must be greater than the current simulation time")
                until = Event(self)  # type: ignore[arg-type]  # stops the run before any other event then
                until._ok = True
                until._value = None
                self.schedule(until, URGENT, at - self._now)
            elif until.callbacks is None:  # (already processed)
                return until.value
            until.callbacks.append(StopSimulation.callback)
        try:
            while True:
                self.step()
        except StopSimulation as stopped:
            return stopped.args[0]
        except EmptySchedule:
            if until is not None:
                raise RuntimeError(f'No scheduled events left but "until" event was not triggered: {until}') from None
        return None

    def _next_day(self) -> list[Any]:
        """The heap, once empty: the events of the next day that has any."""
        if self._days:
            day = heappop(self._days)
            entries = self._later.pop(day, [])
            entries += [(alarm.due, NORMAL, alarm.order, alarm) for alarm in self._alarms.pop(day, [])]
            heapify(entries)
            self._queue = entries
            self._today_ends = day + 1.0
        return self._queue

    def let_go(self) -> None:
        """At the end of a replication: drop the events still to come and the processes waiting for them (an event's
        callbacks hold its processes, which hold it), so that they are freed by reference counting."""
        for entries in (self._queue, *self._later.values()):
            for entry in entries:
                if not isinstance(entry[3], Alarm):
                    entry[3].callbacks = None  # as SimPy marks an event processed
        self._queue.clear()
        self._later.clear()
        self._alarms.clear()
        self._days.clear()


class Alarm:
    """Rings ``delay`` days after it is set in ``env`` (``rang`` is what happens then); once rung, it can be set
    again (``Environment.set``)."""

    __slots__ = ("due", "order")

    def __init__(self, env: Environment, delay: float) -> None:
        self.due = 0.0  # set for a later day: when it rings, and its place in SimPy's order of events
        self.order = 0
        env.set(self, delay)

    def rang(self) -> None:
        raise NotImplementedError
