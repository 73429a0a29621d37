"""Alarms, and the agenda where those set far ahead wait: the engine's cheapest way to have something happen later.

An alarm is a SimPy event in the environment's own queue, scheduled as a ``Timeout`` would
be (at the same moment and in the same order), that calls its own ``rang`` when it rings. A
kind of alarm is a subclass holding what ``rang`` needs, so setting one makes no closure, no
callback list and no ``Timeout`` (whose construction is interpreted Python), for the waits the
engine sets by the hundred thousand: the end of a family's stage, a re-referral, the next
referral. An alarm carries no value and is not for a process to yield; it only rings. Its
kinds are subclasses in the engine itself (compiled, its classes cannot be subclassed from
outside it).

SimPy's queue is a heap, and every event taken from it costs a comparison for each level of
the heap. Most of a service's alarms are plans' ends months away, so an ``Agenda`` keeps
those due after the next week or two in a list for their week, which goes into SimPy's
queue a week before the week begins, in the order the alarms were set: the queue holds
about two weeks of alarms rather than every open family's, which in a large service is
much of the cost of each event. An alarm waiting in the agenda takes its place in SimPy's
order of events when it is set, as any event does, and keeps it: it rings at the same moment,
and among events due at the same moment in the same place, as it would have from SimPy's queue.
"""

from __future__ import annotations

import math
from heapq import heappush
from typing import Final

import simpy
from simpy.events import NORMAL


class Alarm:
    """Rings ``delay`` days after it is set on ``agenda`` (``rang`` is what happens then)."""

    __slots__ = ("callbacks", "_ok", "due", "order")

    def __init__(self, agenda: Agenda, delay: float) -> None:
        # what SimPy's Environment.step reads of an event: its callbacks, then whether it failed
        self.callbacks: tuple[object, ...] | None = RINGING
        self._ok = True
        self.due = 0.0  # if it waits in the agenda: when it rings, and its place in SimPy's order of events
        self.order = 0
        agenda.set(self, delay)

    def rang(self) -> None:
        raise NotImplementedError


def ring(alarm: Alarm) -> None:
    alarm.rang()


RINGING: Final[tuple[object, ...]] = (ring,)
"""Every alarm's callbacks: one function, shared."""


class Agenda:
    """Alarms due within about two weeks are in SimPy's queue; those due later wait here, a list a week
    (in the order set), until the week before theirs."""

    WEEK: Final = 7.0

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        # alarms due before the end of next week go straight into SimPy's queue
        self._open_until = (math.floor(env.now / self.WEEK) + 2) * self.WEEK
        self._weeks: dict[int, list[Alarm]] = {}  # the rest, by the week they are due in (a WEEK's days from 0)
        Turn(self, self._open_until - self.WEEK - env.now)

    def set(self, alarm: Alarm, delay: float) -> None:
        if not delay >= 0.0:  # (nor NaN) as a Timeout would refuse it
            raise ValueError(f"an alarm cannot be set {delay} days ahead")
        env = self.env
        due = env.now + delay  # as Environment.schedule works it out
        if due < self._open_until:
            env.schedule(alarm, NORMAL, delay)  # type: ignore[arg-type]  # an event in all SimPy reads of it
            return
        alarm.due, alarm.order = due, next(env._eid)  # as Environment.schedule would have numbered it now
        week = int(due // self.WEEK)
        waiting = self._weeks.get(week)
        if waiting is None:
            self._weeks[week] = [alarm]
        else:
            waiting.append(alarm)

    def turn(self) -> None:
        """A week before the next week begins: its alarms go into SimPy's queue (SimPy 4's heap, as
        Environment.schedule puts an event there), due when and numbered as when they were set."""
        queue = self.env._queue
        for alarm in self._weeks.pop(int(self._open_until // self.WEEK), []):
            heappush(queue, (alarm.due, NORMAL, alarm.order, alarm))  # type: ignore[misc]
        self._open_until += self.WEEK
        Turn(self, self.WEEK)

    def let_go(self) -> None:
        """At the end of a replication: drop the alarms and events still to come, waiting here or in SimPy's queue,
        and the processes waiting for them (an event's callbacks hold its processes, which hold it)."""
        self._weeks.clear()
        queue = self.env._queue
        for _, _, _, event in queue:
            event.callbacks = None  # type: ignore[assignment]  # as SimPy marks an event processed
        queue.clear()


class Turn(Alarm):
    """The agenda's weekly turn."""

    __slots__ = ("agenda",)

    def __init__(self, agenda: Agenda, delay: float) -> None:
        self.agenda = agenda
        super().__init__(agenda, delay)

    def rang(self) -> None:
        self.agenda.turn()
