"""Support staff (Social Work Support Officers, contact workers, business support) and the time they free.

A support role with ``fte`` supports ``social_workers_supported_per_fte`` social workers
each and frees ``time_freed_share`` of a supported worker's time. In each team it covers
a share ``min(1, fte x supported per FTE / case-holders)`` of the case-holders, and a
supported worker's workload per child is ``1 - sum of (coverage x share)``, at least
``1 - MAX_WORKLOAD_REDUCTION``. Caps apply to workload (``worker.caseload_cap``), so
freed time lets the same social workers hold more children; the caseload pressure
behind leaving is measured in workload too.
"""

from __future__ import annotations

from ..in_force import ScenarioInForce
from .worker import Worker

MAX_WORKLOAD_REDUCTION = 0.5


class Support:
    """The workload per child in each team, given the support staff in force."""

    def __init__(self, in_force: ScenarioInForce):
        self._in_force = in_force
        self.workload_per_child: dict[str, float] = {team: 1.0 for team in in_force.scenario.teams}

    def spread(self, workers: list[Worker]) -> None:
        """Work out each team's workload per child for these case-holders."""
        scenario = self._in_force.scenario
        relief = {team: 0.0 for team in scenario.teams}
        for role in scenario.workforce.support.roles().values():
            teams = role.teams or list(scenario.teams)
            holders = sum(1 for w in workers if w.team in teams)
            coverage = min(1.0, role.fte * role.social_workers_supported_per_fte / holders) if holders else 0.0
            for team in teams:
                relief[team] += coverage * role.time_freed_share
        self.workload_per_child = {team: 1.0 - min(r, MAX_WORKLOAD_REDUCTION) for team, r in relief.items()}
