"""Filling gaps: campaigns for permanent staff, the yearly newly qualified cohort, the agency market.

Gaps are funded posts minus permanent FTE. Every ``campaign_every_months`` the posts not
filled (or about to be) are advertised; each becomes a hire with probability
``hires_per_advertised_post``, starting after ``lead_time_days``. A cohort of newly
qualified social workers starts each year in ``newly_qualified_start_month``, placed
where the gaps are. Gaps nobody covers are offered monthly to the agency market, which
fills each with ``fill_probability_per_month`` after its lead time, up to
``max_agency_workers``.
"""

from __future__ import annotations

import math
from typing import Mapping

from simpy.events import ProcessGenerator

from ..environment import Environment
from .payroll import Payroll
from ..in_force import ScenarioInForce
from ..streams import RandomStreams
from .register import Register


class Recruitment:
    """Who is on the way (hires and agency workers who have accepted and not yet started), and bringing them in."""

    def __init__(self, env: Environment, in_force: ScenarioInForce, streams: RandomStreams,
                 register: Register, payroll: Payroll):
        self.env = env
        self.in_force = in_force
        self.register = register
        teams = in_force.base.teams
        self._pending = {"experienced": {team: 0 for team in teams}, "agency": {team: 0 for team in teams}}
        self._payroll = payroll
        self._recruitment = streams["recruitment"]
        self._agency = streams["agency_market"]

    def uncovered_posts(self, team: str, include_agency: bool) -> int:
        """Whole funded posts in ``team`` that nobody fills or is about to (agency counted if asked)."""
        covered = agency = 0.0  # FTE in the team's order, as sum() would add them
        for worker in self.register.in_team[team]:
            if not worker.leaving:
                if worker.permanent:
                    covered += worker.fte
                elif worker.kind == "agency":
                    agency += worker.fte
        covered += self._pending["experienced"][team]
        if include_agency:
            covered += agency + self._pending["agency"][team]
        return max(0, math.floor(self.in_force.scenario.teams[team].posts_fte - covered + 1e-9))

    def campaign(self) -> None:
        """Advertise every permanent post not filled or about to be; some adverts become hires."""
        scenario = self.in_force.scenario
        recruitment = scenario.workforce.recruitment
        for team in scenario.teams:
            advertised = self.uncovered_posts(team, include_agency=False)
            hires = int(self._recruitment.binomial(advertised, recruitment.hires_per_advertised_post))
            for _ in range(hires):
                lead = recruitment.lead_time_days.days_at(float(self._recruitment.random()))
                self._start_after(team, "experienced", lead)

    def newly_qualified_cohort(self, size: int) -> None:
        """Newly qualified social workers start together, placed where the gaps are."""
        teams = self.in_force.scenario.teams
        gaps = {team: self.uncovered_posts(team, include_agency=False) for team in teams}
        weights = gaps if sum(gaps.values()) else {t: team.posts_fte for t, team in teams.items()}
        for team, n in share_out(size, weights).items():
            for _ in range(n):
                self.register.join(team, "newly_qualified")
                self._payroll.charge_hire(self.env.now)

    def request_agency(self) -> None:
        """Gaps nobody covers are offered to the agency market, which fills some after a lead time."""
        scenario = self.in_force.scenario
        agency = scenario.workforce.agency
        if agency.fill_probability_per_month <= 0:
            return
        in_use = sum(1 for w in self.register.workers() if w.kind == "agency") + sum(self._pending["agency"].values())
        for team in scenario.teams:
            for _ in range(self.uncovered_posts(team, include_agency=True)):
                filled = self._agency.random() < agency.fill_probability_per_month
                lead = agency.lead_time_days.days_at(float(self._agency.random()))
                if filled and (agency.max_agency_workers is None or in_use < agency.max_agency_workers):
                    in_use += 1
                    self._start_after(team, "agency", lead)

    def _start_after(self, team: str, kind: str, lead_days: float) -> None:
        """A hire or agency worker on the way: in post after ``lead_days``."""
        self._pending[kind][team] += 1
        self.env.process(self._arrival(team, kind, lead_days))

    def _arrival(self, team: str, kind: str, lead_days: float) -> ProcessGenerator:
        yield self.env.timeout(lead_days)
        self._pending[kind][team] -= 1
        self.register.join(team, kind)
        if kind == "experienced":
            self._payroll.charge_hire(self.env.now)


def share_out(n: int, weights: Mapping[str, float]) -> dict[str, int]:
    """``n`` whole people shared in proportion to ``weights`` (largest remainders)."""
    total = sum(weights.values())
    if n <= 0 or total <= 0:
        return {key: 0 for key in weights}
    exact = {key: n * w / total for key, w in weights.items()}
    shares = {key: math.floor(x) for key, x in exact.items()}
    for key in sorted(exact, key=lambda k: (shares[k] - exact[k], k))[: n - sum(shares.values())]:
        shares[key] += 1
    return shares
