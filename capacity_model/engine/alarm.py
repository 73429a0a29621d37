"""Alarms: the engine's cheapest way to have something happen later.

An alarm is a SimPy event in the environment's own queue, scheduled as a ``Timeout`` would
be (``Environment.schedule``, so at the same place in the order of events), that calls its
own ``rang`` when it rings. A kind of alarm is a subclass holding what ``rang`` needs, so
setting one makes no closure, no callback list and no ``Timeout`` (whose construction is
interpreted Python), for the waits the engine sets by the hundred thousand: the end of a
family's stage, a re-referral, the next referral. An alarm carries no value and is
not for a process to yield; it only rings.
"""

from __future__ import annotations

import simpy
from simpy.events import NORMAL


class Alarm:
    """Rings ``delay`` days after it is set (``rang`` is what happens then)."""

    __slots__ = ("callbacks", "_ok")

    def __init__(self, env: simpy.Environment, delay: float) -> None:
        # what SimPy's Environment.step reads of an event: its callbacks, then whether it failed
        self.callbacks: tuple[object, ...] | None = RINGING
        self._ok = True
        env.schedule(self, NORMAL, delay)  # type: ignore[arg-type]  # an event in all SimPy reads of it

    def rang(self) -> None:
        raise NotImplementedError


def ring(alarm: Alarm) -> None:
    alarm.rang()


RINGING: tuple[object, ...] = (ring,)
"""Every alarm's callbacks: one function, shared."""
