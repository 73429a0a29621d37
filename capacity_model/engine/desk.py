"""The allocation desk: the only place a family is given to, or taken from, a social worker.

It holds each team's queue of families waiting (``allocation_queue.py`` has the order
and the rule), allocates at meetings on set weekdays or continuously whenever room
appears, gives a leaver's or a long-term absentee's families to someone new, and once a
month moves some families to a colleague in the same team (rebalancing, restructures).
A change of stage that crosses teams is a transfer: the family waits in the receiving
team's queue and keeps its current social worker until that team allocates it.
"""

from __future__ import annotations

from typing import Final

import math

import numpy as np
from simpy.events import ProcessGenerator

from ..scenario import WEEKDAYS, Scenario, Stage
from ..scenario.calendar import YEAR_DAYS
from .allocation_queue import AllocationQueue, MostSpare, SpareOrder
from .day_plan import ALLOCATION_MEETING, REALLOCATIONS
from .environment import Environment
from .family import Family, Holding
from .horizon import Horizon
from .in_force import ScenarioInForce
from .streams import RandomStreams
from .tally import Tally
from .workforce.register import Register
from .workforce.worker import Worker

PLACE_ANYONE: Final = 1 << 30
"""No limit: a family open at the origin stays with whoever held it, whatever their caseload."""


class AllocationDesk:
    def __init__(self, env: Environment, in_force: ScenarioInForce, horizon: Horizon, streams: RandomStreams,
                 register: Register, tally: Tally):
        scenario = in_force.base  # teams in the order the scenario lists them, whatever is in force
        self.env = env
        self.in_force = in_force
        self.team_of = {stage.value: scenario.team_for(stage) for stage in Stage}
        self.queues = {team: AllocationQueue(team, register.in_team[team]) for team in scenario.teams}
        self.moves = {team: [0, 0] for team in scenario.teams}  # within-team moves drawn and made, since the origin
        self._calendar = horizon.calendar
        self._horizon = horizon
        self._streams = streams
        self._tally = tally
        self._placing: dict[str, tuple[MostSpare, SpareOrder]] = {}  # each team's orders, as the origin is placed
        in_force.read(self._read)

    def _read(self, scenario: Scenario) -> None:
        """The allocation rules in force."""
        self._rules = rules = scenario.allocation
        self._continuous = rules.schedule == "continuous"
        self._above_cap_after: int | None = (rules.above_cap_after_working_days
                                             if rules.policy == "above_cap_after_wait" else None)

    # --- families joining and leaving the queues ----------------------------------------------

    def wait(self, family: Family, queued_day: float) -> None:
        """A family with no social worker joins its team's queue, waiting since ``queued_day``."""
        self._tally.waiting.add(family, self.env.now)
        family.unallocated_since = queued_day
        self._queue(family, queued_day)

    def stage_changed(self, family: Family) -> None:
        """The family's stage has changed: a new team means a transfer to a new social worker.

        During a transfer the sending worker keeps the children until the receiving team
        allocates them, so a transfer never makes a child unallocated.
        """
        held_by = family.worker.team if family.worker is not None else None
        team = self._team(family)
        if family.queue_entry is not None:  # already waiting: wait in the right team, same clock
            queued_day = family.queue_entry.queued_day
            family.queue_entry.cancel()
            family.queue_entry = None
            if held_by != team:
                self._queue(family, queued_day)
        elif held_by != team:
            self._queue(family, self.env.now)

    def close(self, family: Family) -> None:
        """The family's case closes: out of any queue, and its social worker no longer holds it."""
        if family.queue_entry is not None:
            family.queue_entry.cancel()
            family.queue_entry = None
        if family.worker is None:
            self._tally.waiting.remove(family, self.env.now)
        self._release(family)

    def place(self, family: Family, since: float) -> None:
        """A family open at the origin goes to the team's worker with most spare capacity (first in the
        team's order on a tie) or, if nobody has room, to the one with most spare capacity within their
        own ceiling (lowest id on a tie), if anyone is there."""
        team = self._team(family)
        orders = self._placing.get(team)
        if orders is None:
            available = self.queues[team].at_work()
            if not available:
                return
            orders = self._placing[team] = MostSpare(available), SpareOrder(available)
        most, within = orders
        best = most.best()
        worker = best if best.spare >= family.size else within.first_within(family.size, PLACE_ANYONE)
        if worker is not None:
            before = worker.children
            self._give(family, worker, since)
            within.moved(worker, before)

    def place_with(self, family: Family, worker: Worker, since: float) -> None:
        """A family open at the origin goes to the worker a council's files name (since ``since``)."""
        self._give(family, worker, since)

    def _team(self, family: Family) -> str:
        """The team that holds the (open) family's stage."""
        stage = family.stage
        assert stage is not None, "a family that is not open has no team"
        return self.team_of[stage]

    def _queue(self, family: Family, queued_day: float) -> None:
        stage = family.stage
        assert stage is not None, "a family that is not open does not wait"
        team = self.team_of[stage]
        family.queue_entry = self.queues[team].push(family, stage, queued_day)
        if self._continuous:
            self._allocate(team)

    # --- social workers gaining and losing families -------------------------------------------

    def _give(self, family: Family, worker: Worker, since: float) -> None:
        worker.take(family)
        self._record(family, worker, since)

    def _record(self, family: Family, worker: Worker, since: float) -> None:
        """The family's new social worker, who already holds its children."""
        family.worker = worker
        family.holdings.append(Holding(worker.id, since))
        self._tally.history_grew(family, self.env.now)

    def _release(self, family: Family, allocate: bool = True) -> None:
        """The family's social worker stops holding it (the room freed is used at once if continuous)."""
        worker = family.worker
        if worker is None:
            return
        worker.hand_over(family)
        family.holdings[-1].end = self.env.now
        family.worker = None
        if allocate:
            self.capacity_changed(worker.team)

    def let_go(self) -> None:
        """At the end of a replication: the families in the queues."""
        for queue in self.queues.values():
            queue.let_go()

    def roster_changed(self, team: str) -> None:
        """Who in ``team`` can take new children may have changed (a join, a leaver, absence, notice)."""
        self.queues[team].roster_changed()

    def capacity_changed(self, team: str) -> None:
        """Room has appeared in a team (a release, a joiner, a return): allocate now if continuous."""
        if self._continuous:
            self._allocate(team)

    def hand_back(self, worker: Worker) -> None:
        """A worker stops holding cases: each family needs a new social worker.

        The families wait unallocated from today, in the worker's team (or, for a family
        already waiting for a transfer, in the receiving team, keeping its place), and
        are allocated as the schedule allocates: at the next allocation meeting, or at
        once where allocation is continuous.
        """
        now = self.env.now
        for family in sorted(worker.families, key=lambda f: f.id):
            self._release(family)
            self._tally.waiting.add(family, now)
            family.unallocated_since = now
            if family.queue_entry is None:
                self._queue(family, now)
        self.capacity_changed(worker.team)

    def _allocate(self, team: str) -> None:
        queue = self.queues[team]
        if not len(queue):
            return
        self._placing.clear()  # caseloads are about to change
        now = self.env.now
        waited_before = (self._calendar.waited_at_least(now, self._above_cap_after)
                         if self._above_cap_after is not None else None)
        for entry, worker in queue.allocate(waited_before, self._rules.absolute_max_caseload):
            family = entry.family
            family.queue_entry = None
            if family.worker is None:  # unallocated until now (a transfer still had its worker)
                assert family.unallocated_since is not None
                self._tally.month_allocation_waits.append((family.size, now - family.unallocated_since))
                self._tally.waiting.remove(family, now)
            self._release(family)  # a transfer: the sending worker hands over
            self._record(family, worker, now)
            if family.on_allocated is not None:
                begin, family.on_allocated = family.on_allocated, None
                begin(family)

    # --- meetings and monthly moves ------------------------------------------------------------

    def meetings(self) -> ProcessGenerator:
        """Meetings on the scenario's weekdays; a change of days applies from the day it is made."""
        def meeting_days() -> frozenset[int]:
            return frozenset(WEEKDAYS.index(day) for day in self.in_force.scenario.allocation.meeting_weekdays)

        while True:
            weekdays = meeting_days()
            # the next meeting time still to come (today's, if it has not been held yet)
            day = self._calendar.next_day_on(self.env.now - ALLOCATION_MEETING + 1e-9, weekdays)
            meeting = self.env.timeout(day + ALLOCATION_MEETING - self.env.now)
            while not meeting.processed:
                yield meeting | self.in_force.changed
                if not meeting.processed and meeting_days() != weekdays:
                    break  # new meeting days: work the next meeting out again
            if not meeting.processed:
                continue
            if not self._continuous:
                for team in self.queues:
                    self._allocate(team)

    def reallocations(self, open_families: dict[int, Family]) -> ProcessGenerator:
        """Monthly, some families move to another worker in their team (rebalancing, restructures).

        Each allocated family moves with probability 1 - exp(-rate x month / 365), to the
        colleague at work with most spare capacity, even above the standard cap (these
        are moves for other reasons than room), but never past the absolute maximum or a
        newly qualified colleague's protected caseload; with no such colleague it stays.
        """
        rng = self._streams["reallocations"]
        horizon = self._horizon
        for month in range(horizon.simulated_months):
            yield self.env.timeout(self._calendar.day_of(horizon.month_start(month)) + REALLOCATIONS - self.env.now)
            allocation = self.in_force.scenario.allocation
            rate = allocation.reallocations_per_family_year
            if rate <= 0:
                continue
            p_move = 1.0 - math.exp(-rate * horizon.month_days(month) / YEAR_DAYS)
            now = self.env.now
            ids = sorted(open_families)  # a number for each open family, in order of id
            orders: dict[str, SpareOrder] = {}  # each team's workers at work, most spare first, lowest id on a tie
            for i in np.flatnonzero(rng.random(len(ids)) < p_move).tolist():
                family = open_families[ids[i]]
                if family.worker is None or family.queue_entry is not None:
                    continue
                old = family.worker
                moves = self.moves[old.team]
                moves[0] += 1
                order = orders.get(old.team)
                if order is None:
                    order = orders[old.team] = SpareOrder(self.queues[old.team].at_work())
                new = order.first_within(family.size, allocation.absolute_max_caseload, other_than=old)
                if new is not None:
                    old_children, new_children = old.children, new.children
                    self._release(family, allocate=False)  # the move happens before anyone else is allocated
                    self._give(family, new, now)
                    moves[1] += 1
                    order.moved(old, old_children)
                    order.moved(new, new_children)
                    self.capacity_changed(new.team)
                    if self._continuous:
                        orders.clear()  # allocation meanwhile (and transfers it completed) changed caseloads
