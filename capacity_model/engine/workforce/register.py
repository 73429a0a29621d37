"""Who is in post, in which team, and who is on the way: the only place the staff lists change.

Every join, leave, change of contract and change of team goes through the register,
which keeps the counts that the balance checks (starting staff + joiners - leavers =
staff in post), puts each worker on the payroll, and tells the allocation desk when a
team gains room or a worker's families need someone new.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from simpy.events import ProcessGenerator

from ..environment import Environment
from .payroll import Payroll
from ..in_force import ScenarioInForce
from ..streams import RandomStreams
from .support import Support
from .worker import NO_CEILING, Worker, caseload_cap
from ...scenario.calendar import YEAR_DAYS


class Desk(Protocol):
    """What the register needs of the allocation desk."""

    def roster_changed(self, team: str) -> None: ...

    def capacity_changed(self, team: str) -> None: ...

    def hand_back(self, worker: Worker) -> None: ...


class AbsenceClock(Protocol):
    """What the register needs of absence: a worker's spells while in post, ended when they leave."""

    def spells(self, worker: Worker) -> ProcessGenerator: ...

    def stop(self, worker: Worker, day: float) -> None: ...


@dataclass(frozen=True, slots=True)
class Leaver:
    day: float
    fte: float
    kind: str
    destination: str


class Register:
    """The case-holding social workers of one replication, team by team.

    ``in_team[team]`` is that team's list of workers in post, in the order they joined
    it; the allocation desk reads these lists and only the register changes them.
    """

    desk: Desk  # set by serve(), before anything happens

    def __init__(self, env: Environment, in_force: ScenarioInForce, streams: RandomStreams,
                 payroll: Payroll, support: Support, absence: AbsenceClock):
        teams = in_force.base.teams  # in the order the scenario lists them, whatever is in force
        self.env = env
        self.in_force = in_force
        self.in_team: dict[str, list[Worker]] = {team: [] for team in teams}
        self.counts = {"initial": 0, "joined": 0, "left": 0,
                       "permanent_initial": 0, "permanent_joined": 0, "permanent_left": 0}
        self.leavers: list[Leaver] = []
        self.internal_moves = 0
        self._streams = streams
        self._payroll = payroll
        self._support = support
        self._absence = absence
        self._ids = iter(range(1 << 62))

    def serve(self, desk: Desk) -> None:
        """The allocation desk the register tells of room and of families to reallocate."""
        self.desk = desk

    def let_go(self) -> None:
        """At the end of a replication: the workers in post (their families have let go of them, so each goes with
        what it holds)."""
        for workers in self.in_team.values():
            workers.clear()

    # --- who is in post ------------------------------------------------------------------

    def workers(self) -> list[Worker]:
        return [w for workers in self.in_team.values() for w in workers]

    def permanent_fte(self) -> float:
        return sum(w.fte for w in self.workers() if w.permanent)

    # --- changes ------------------------------------------------------------------------

    def join(self, team: str, kind: str, service_start_day: float | None = None, initial: bool = False,
             fte: float = 1.0) -> Worker:
        """A social worker starts in ``team`` today (or is in post at the origin, ``initial``)."""
        now = self.env.now
        worker = Worker(next(self._ids), team, kind, fte, 0, start_day=now,
                        service_start_day=now if service_start_day is None else service_start_day,
                        workload_per_child=self._support.workload_per_child[team])
        worker.fate = self._streams.entity("staff_leaving", worker.id)
        self.set_cap(worker)
        self._payroll.start(worker, now)
        self.in_team[team].append(worker)
        self.desk.roster_changed(team)
        self.counts["initial" if initial else "joined"] += 1
        if worker.permanent:
            self.counts["permanent_initial" if initial else "permanent_joined"] += 1
        if kind == "newly_qualified":
            asye_days = self.in_force.scenario.workforce.recruitment.asye_months * YEAR_DAYS / 12
            self.env.process(self._end_of_asye(worker, max(0.0, worker.service_start_day + asye_days - now)))
        self.env.process(self._absence.spells(worker))
        self.desk.capacity_changed(team)
        return worker

    def give_notice(self, worker: Worker) -> None:
        """The worker is serving notice: in post, but taking no new children."""
        worker.leaving = True
        self.desk.roster_changed(worker.team)

    def change_kind(self, worker: Worker, kind: str) -> None:
        """ASYE year over, or an agency worker taking a permanent post: same person, new terms."""
        was_permanent = worker.permanent
        self._payroll.stop(worker, self.env.now)
        worker.kind = kind
        self._payroll.start(worker, self.env.now)
        self.set_cap(worker)
        if worker.permanent and not was_permanent:
            self.counts["permanent_joined"] += 1
        self.desk.capacity_changed(worker.team)

    def leave(self, worker: Worker, destination: str) -> None:
        """The worker's last day: out of post, their families handed back for reallocation."""
        if not worker.in_post:
            return
        now = self.env.now
        worker.in_post = False
        self.in_team[worker.team].remove(worker)
        self.desk.roster_changed(worker.team)
        self._payroll.stop(worker, now)
        self._absence.stop(worker, now)
        self.counts["left"] += 1
        if worker.permanent:
            self.counts["permanent_left"] += 1
            self.leavers.append(Leaver(now, worker.fte, worker.kind, destination))
        self.desk.hand_back(worker)

    def move(self, movers: list[Worker], destination_of: Callable[[Worker], str | None]) -> None:
        """Internal moves: each mover leaves their team as soon as ``destination_of`` has chosen
        where they go (so the next mover sees the post they leave), and every mover has left
        before any children are handed back, so no child goes to a colleague moving the same day."""
        destinations = {}
        for worker in movers:
            team = destination_of(worker)
            if team is not None:
                destinations[worker] = team
                self.in_team[worker.team].remove(worker)
                self.desk.roster_changed(worker.team)
        for worker in destinations:
            self.desk.hand_back(worker)
        for worker, destination in destinations.items():
            worker.team = destination
            self.in_team[destination].append(worker)
            self.desk.roster_changed(destination)
            self.set_cap(worker)
            self.internal_moves += 1
            self.desk.capacity_changed(destination)

    def set_cap(self, worker: Worker) -> None:
        """The worker's cap and ceiling under the rules and support staff in force."""
        alloc = self.in_force.scenario.allocation
        worker.workload_per_child = self._support.workload_per_child[worker.team]
        worker.cap = min(caseload_cap(worker.kind, worker.fte, alloc.caseload_cap, alloc.newly_qualified_caseload_cap,
                                      self._support.caseload_relief[worker.team]), alloc.absolute_max_caseload)
        worker.ceiling = worker.cap if worker.kind == "newly_qualified" else NO_CEILING

    def update_support(self) -> None:
        """Spread support staff over the teams' case-holders again, and reset every cap."""
        workers = self.workers()
        self._support.spread(workers)
        for worker in workers:
            self.set_cap(worker)
        for team in self.in_force.scenario.teams:
            self.desk.capacity_changed(team)

    def _end_of_asye(self, worker: Worker, after: float) -> ProcessGenerator:
        yield self.env.timeout(after)
        if worker.in_post and worker.kind == "newly_qualified":
            self.change_kind(worker, "experienced")
