"""Sickness and other absence: spells in which a worker takes no new children, the longest long-term."""

from __future__ import annotations

import math

from simpy.events import ProcessGenerator

from ...scenario.calendar import YEAR_DAYS
from ..environment import Environment
from ..in_force import ScenarioInForce
from ..streams import RandomStreams
from .register import Desk
from .worker import AbsenceSpell, Worker


class Absence:
    """Each worker's absence spells, from the worker's own stream of numbers.

    During a spell the worker keeps their children but takes no new ones; a spell
    longer than ``long_term_after_days`` becomes long-term at that point and the
    worker's children are handed back for reallocation.
    """

    desk: Desk  # set by Workforce.serve, before anything happens

    def __init__(self, env: Environment, in_force: ScenarioInForce, streams: RandomStreams):
        self.env = env
        self.in_force = in_force
        self._streams = streams
        self._spells: list[AbsenceSpell] = []

    def spells(self, worker: Worker) -> ProcessGenerator:
        """The worker's spells of absence, one after another, while they are in post."""
        fate = self._streams.entity("staff_absence", worker.id)

        def spells_per_day() -> float:
            return self.in_force.scenario.workforce.absence.spells_per_fte_year * worker.fte / YEAR_DAYS

        while True:
            yield from self.in_force.hazard_wait(-math.log1p(-fate.uniform()), spells_per_day)
            if not worker.in_post:
                return
            absence = self.in_force.scenario.workforce.absence
            days = absence.spell_days.days_at(fate.uniform())
            spell = AbsenceSpell(self.env.now, worker.fte)
            self._spells.append(spell)
            worker.absence_spell = spell
            worker.absent = True
            self.desk.roster_changed(worker.team)
            if days > absence.long_term_after_days:
                yield self.env.timeout(absence.long_term_after_days)
                if not worker.in_post:
                    return
                worker.long_term_absent = True  # no change to who can take new children: absent already
                self.desk.hand_back(worker)
                days -= absence.long_term_after_days
            yield self.env.timeout(days)
            if not worker.in_post:
                return
            worker.absent = worker.long_term_absent = False
            spell.end = self.env.now
            worker.absence_spell = None
            self.desk.roster_changed(worker.team)
            self.desk.capacity_changed(worker.team)

    def stop(self, worker: Worker, day: float) -> None:
        """The worker leaves: any spell of absence they are in ends today."""
        if worker.absence_spell is not None:
            worker.absence_spell.end = day
            worker.absence_spell = None

    def absent_fte_days(self, start: float, end: float) -> float:
        """FTE-days of absence in [start, end)."""
        total = 0.0
        for spell in self._spells:
            stop = end if spell.end is None else min(spell.end, end)
            total += spell.fte * max(0.0, stop - max(spell.start, start))
        return total
