"""Who resigns, converts or moves team each month, and the notice they serve.

Each worker's own pre-drawn numbers decide, so one worker's story depends on nothing
else that draws numbers. Permanent staff resign with a yearly hazard

    permanent_per_year x length-of-service multiplier
    x (team workload / caps at the standard) ^ caseload_pressure_elasticity
    x pay_and_progression_multiplier x wider_retention_multiplier,

so high caseloads feed turnover; agency workers with ``agency.leaving_per_year``.
Resigners serve notice (no new children), then leave.
"""

from __future__ import annotations

import math

from simpy.events import ProcessGenerator

from ...scenario.calendar import YEAR_DAYS
from ..environment import Environment
from .payroll import Payroll
from ..in_force import ScenarioInForce
from .recruitment import Recruitment
from .register import Register
from .worker import Worker, caseload_cap


class Leaving:
    def __init__(self, env: Environment, in_force: ScenarioInForce, register: Register, payroll: Payroll,
                 recruitment: Recruitment):
        self.env = env
        self.in_force = in_force
        self.register = register
        self._payroll = payroll
        self._recruitment = recruitment

    def team_pressure(self, team: str) -> float:
        """Workload held by the team's social workers at work, over their caps at the standard."""
        alloc = self.in_force.scenario.allocation
        working = [w for w in self.register.in_team[team] if not w.long_term_absent]
        standard = sum(caseload_cap(w.kind, w.fte, alloc.caseload_cap, alloc.newly_qualified_caseload_cap)
                       for w in working)
        if not standard:
            return 1.0
        return sum(w.children * w.workload_per_child for w in working) / standard

    def hazard(self, worker: Worker, pressures: dict[str, float]) -> float:
        """Chance per year that this worker resigns, given today's conditions."""
        workforce = self.in_force.scenario.workforce
        if not worker.permanent:
            return workforce.agency.leaving_per_year if worker.kind == "agency" else 0.0
        leaving = workforce.leaving
        years = (self.env.now - worker.service_start_day) / YEAR_DAYS
        pressure = pressures[worker.team]
        return (leaving.permanent_per_year * leaving.service_multipliers.at(years)
                * pressure ** leaving.caseload_pressure_elasticity
                * leaving.pay_and_progression_multiplier * leaving.wider_retention_multiplier)

    def notices_already_handed_in(self) -> None:
        """Some permanent staff resigned before the origin and are serving notice.

        A worker whose notice would last D days has resigned within the last D days with
        probability 1 - exp(-hazard x D / 365); if so, they leave after a uniform share
        of D. Without this, nobody would leave in the first weeks of a run. Called once
        the starting caseloads are in place, as the hazard depends on them.
        """
        leaving = self.in_force.scenario.workforce.leaving
        pressures = {team: self.team_pressure(team) for team in self.in_force.scenario.teams}  # notice leaves them be
        for worker in self.register.workers():
            if not worker.permanent:
                continue
            fate = worker.fate
            assert fate is not None  # every worker in post has their numbers
            notice = leaving.notice_days.days_at(fate.uniform())
            resigned_u, remaining_u, where_u = fate.uniform(), fate.uniform(), fate.uniform()
            if resigned_u < 1.0 - math.exp(-self.hazard(worker, pressures) * notice / YEAR_DAYS):
                self.register.give_notice(worker)
                destination = leaving.destinations.choose(where_u)
                self.env.process(self._resign(worker, 0.0, remaining_u * notice, destination))

    def monthly_decisions(self, month_days: float) -> None:
        """Each worker's own numbers decide whether they resign, convert or move team this month."""
        workforce = self.in_force.scenario.workforce
        leaving = workforce.leaving
        conversion = workforce.agency.conversion_to_permanent_per_year
        movers = []
        pressures = {team: self.team_pressure(team) for team in self.in_force.scenario.teams}
        for worker in sorted(self.register.workers(), key=lambda w: w.id):
            if worker.leaving or worker.kind == "interim":
                continue
            fate = worker.fate
            assert fate is not None  # every worker in post has their numbers
            resign_u, when_u, notice_u, where_u, convert_u, move_u = (fate.uniform() for _ in range(6))
            p_leave = 1.0 - math.exp(-self.hazard(worker, pressures) * month_days / YEAR_DAYS)
            p_move = 1.0 - math.exp(-leaving.internal_moves_per_year * month_days / YEAR_DAYS)
            if resign_u < p_leave:
                resign_at = self.env.now + when_u * month_days
                if worker.permanent:
                    notice = leaving.notice_days.days_at(notice_u)
                    destination = leaving.destinations.choose(where_u)
                else:
                    notice, destination = 0.0, "agency"
                self.env.process(self._resign(worker, resign_at, notice, destination))
            elif worker.kind == "agency" and convert_u < 1.0 - math.exp(-conversion * month_days / YEAR_DAYS):
                self.register.change_kind(worker, "experienced")
                self._payroll.charge_conversion(self.env.now)
            elif worker.permanent and move_u < p_move:
                movers.append(worker)
        self.register.move(movers, self._destination)

    def _destination(self, worker: Worker) -> str | None:
        """An internal mover goes to the other team with most uncovered posts, if any has one."""
        gaps = {team: self._recruitment.uncovered_posts(team, include_agency=False)
                for team in self.in_force.scenario.teams if team != worker.team}
        return max(gaps, key=lambda team: (gaps[team], team)) if gaps and max(gaps.values()) > 0 else None

    def _resign(self, worker: Worker, at: float, notice: float, destination: str) -> ProcessGenerator:
        yield self.env.timeout(at - self.env.now)
        if not worker.in_post:
            return
        self.register.give_notice(worker)
        yield self.env.timeout(notice)
        self.register.leave(worker, destination)
