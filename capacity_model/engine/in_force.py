"""The scenario in force: the base scenario with the interventions active today.

Components read ``in_force.scenario`` whenever they act, so a dated change takes effect
from its day. ``changed`` is an event that fires (and is renewed) at every change, so
that processes waiting on a rate or a day of the week can look again.
"""

from __future__ import annotations

from typing import Callable

from simpy.events import ProcessGenerator

from ..scenario import Scenario
from ..scenario.interventions import change_dates
from .day_plan import INTERVENTIONS
from .environment import Environment
from .horizon import Horizon

Listener = Callable[[Scenario, Scenario], None]
"""Told of every change, with the scenario before and after, before waiting processes wake."""


class ScenarioInForce:
    def __init__(self, env: Environment, scenario: Scenario, horizon: Horizon):
        self.env = env
        self.base = scenario
        self.scenario = scenario.on(horizon.origin_date)
        self.changed = env.event()
        self._horizon = horizon
        self._readers: list[Callable[[Scenario], None]] = []
        self._listeners: list[Listener] = []
        self.static = not scenario.interventions  # nothing will change: clocks need not listen

    def read(self, reader: Callable[[Scenario], None]) -> None:
        """Call ``reader`` with the scenario in force now and at every change, before any listener is told of it:
        for a component that keeps what it reads of the scenario (its rules, its samplers), so that nothing
        another component does on being told meets the rules of before."""
        reader(self.scenario)
        self._readers.append(reader)

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def let_go(self) -> None:
        """At the end of a replication: the processes waiting for a change."""
        self.changed.callbacks = None  # type: ignore[assignment]  # as SimPy marks an event processed

    def interventions(self) -> ProcessGenerator:
        """Put each dated change into force from the start of its day (just after a snapshot)."""
        calendar = self._horizon.calendar
        for when in change_dates(self.base):
            day = calendar.day_of(when)
            if day <= 0:
                continue
            yield self.env.timeout(day + INTERVENTIONS - self.env.now)
            self._apply(self.base.on(when))

    def _apply(self, scenario: Scenario) -> None:
        old, self.scenario = self.scenario, scenario
        for reader in self._readers:
            reader(scenario)
        for listener in self._listeners:
            listener(old, scenario)
        changed, self.changed = self.changed, self.env.event()
        changed.succeed()

    def hazard_wait(self, unit: float, rate: Callable[[], float]) -> ProcessGenerator:
        """Wait until a clock whose rate per day may change with the scenario has run ``unit``.

        With ``unit`` an exponential number of mean 1 this is the next event of a Poisson
        process of rate ``rate()``; when the rate changes part-way the clock carries on
        at the new rate, so a change takes effect at once and draws no extra numbers. A
        change that leaves the rate as it was leaves the clock exactly as it was.
        """
        remaining = unit
        per_day = rate()
        if self.static:
            if per_day > 0:
                yield self.env.timeout(remaining / per_day)
            else:
                yield self.env.event()  # never: nothing will change the rate
            return
        while True:
            if per_day <= 0:
                yield self.changed
                per_day = rate()
                continue
            started = self.env.now
            ring = self.env.timeout(remaining / per_day)
            while True:
                yield ring | self.changed
                if ring.processed:  # (a timeout counts as triggered from the moment it is made)
                    return
                new_rate = rate()
                if new_rate != per_day:
                    break
            remaining = max(remaining - per_day * (self.env.now - started), 0.0)
            per_day = new_rate
