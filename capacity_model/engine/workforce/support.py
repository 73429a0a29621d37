"""Support staff (Social Work Support Officers, contact workers, business support) and the time they free.

A support role with ``fte`` supports ``social_workers_supported_per_fte`` social workers
each and frees ``time_freed_share`` of a supported worker's time. In each team it covers
a share ``min(1, fte x supported per FTE / case-holders)`` of the case-holders, so the
time it frees in the team is ``coverage x time_freed_share``. Of that,
``freed_time_to_caseload_share`` goes to more children: the caseload relief, which
raises caps to cap / (1 - relief) (newly qualified workers' protected caseloads
excepted, see ``worker.caseload_cap``). All of it lowers the workload per child,
``1 - freed time``, in which the caseload pressure behind leaving is measured. Both are
summed over roles and held to at most ``MAX_WORKLOAD_REDUCTION``.
"""

from __future__ import annotations

from ..in_force import ScenarioInForce
from .worker import Worker

MAX_WORKLOAD_REDUCTION = 0.5


class Support:
    """The workload per child and the caseload relief in each team, given the support staff in force."""

    def __init__(self, in_force: ScenarioInForce):
        self._in_force = in_force
        self.workload_per_child: dict[str, float] = {team: 1.0 for team in in_force.scenario.teams}
        self.caseload_relief: dict[str, float] = {team: 0.0 for team in in_force.scenario.teams}

    def spread(self, workers: list[Worker]) -> None:
        """Work out each team's workload per child and caseload relief for these case-holders."""
        scenario = self._in_force.scenario
        freed = {team: 0.0 for team in scenario.teams}
        to_caseload = {team: 0.0 for team in scenario.teams}
        for role in scenario.workforce.support.roles().values():
            teams = role.teams or list(scenario.teams)
            holders = sum(1 for w in workers if w.team in teams)
            coverage = min(1.0, role.fte * role.social_workers_supported_per_fte / holders) if holders else 0.0
            for team in teams:
                freed[team] += coverage * role.time_freed_share
                to_caseload[team] += coverage * role.time_freed_share * role.freed_time_to_caseload_share
        self.workload_per_child = {team: 1.0 - min(f, MAX_WORKLOAD_REDUCTION) for team, f in freed.items()}
        self.caseload_relief = {team: min(r, MAX_WORKLOAD_REDUCTION) for team, r in to_caseload.items()}
