"""Cost: spells of staff on a daily rate, and one-off payments, summed by category.

A spell is FTE at a rate per FTE-year from one day until another; the cost of any
period is FTE x rate x days overlapped / 365. One-off payments (recruitment, golden
hellos, conversion fees) are charged on the day they happen. ``Payroll`` knows which
rate each worker and each role is paid, from the scenario in force.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..scenario.calendar import YEAR_DAYS

if TYPE_CHECKING:  # for annotations only
    from .in_force import ScenarioInForce
    from .workforce.worker import Worker


COST_CATEGORIES = ("permanent", "pay_and_retention", "agency", "interim", "support", "team_managers", "recruitment")
"""Where the money goes; monthly KPIs are named ``cost_<category>_gbp``."""


@dataclass(slots=True)
class CostSpell:
    category: str
    fte: float
    gbp_per_fte_year: float
    start: float
    end: float | None = None

    def overlap_days(self, start: float, end: float) -> float:
        stop = end if self.end is None else min(self.end, end)
        return max(0.0, stop - max(self.start, start))


class CostLedger:
    """Every cost spell and one-off payment of one replication."""

    def __init__(self) -> None:
        self.spells: list[CostSpell] = []
        self.one_offs: list[tuple[float, str, float]] = []

    def start(self, category: str, fte: float, gbp_per_fte_year: float, day: float) -> CostSpell:
        spell = CostSpell(category, fte, gbp_per_fte_year, day)
        self.spells.append(spell)
        return spell

    @staticmethod
    def stop(spell: CostSpell, day: float) -> None:
        spell.end = day

    def charge(self, category: str, gbp: float, day: float) -> None:
        if gbp:
            self.one_offs.append((day, category, gbp))

    def between(self, start: float, end: float) -> dict[str, float]:
        """Cost by category in the period [start, end), in pounds."""
        totals: dict[str, float] = defaultdict(float)
        for spell in self.spells:
            days = spell.overlap_days(start, end)
            if days:
                totals[spell.category] += spell.fte * spell.gbp_per_fte_year * days / YEAR_DAYS
        for day, category, gbp in self.one_offs:
            if start <= day < end:
                totals[category] += gbp
        return {category: totals.get(category, 0.0) for category in COST_CATEGORIES}

    def fte_days(self, categories: tuple[str, ...], start: float, end: float) -> float:
        return sum(s.fte * s.overlap_days(start, end) for s in self.spells if s.category in categories)


class Payroll:
    """Puts every worker and every non-case-holding role on the ledger at the rates in force."""

    def __init__(self, ledger: CostLedger, in_force: "ScenarioInForce"):
        self.ledger = ledger
        self._in_force = in_force
        self._fixed: list[CostSpell] = []

    def start(self, worker: "Worker", day: float) -> None:
        """The worker's pay from ``day``: their contract's rate, and pay and retention extras if permanent."""
        costs = self._in_force.scenario.costs
        rate = {"experienced": costs.experienced_gbp_per_fte_year,
                "newly_qualified": costs.newly_qualified_gbp_per_fte_year,
                "agency": costs.agency_gbp_per_fte_year,
                "interim": costs.interim_gbp_per_fte_year}[worker.kind]
        category = "permanent" if worker.permanent else worker.kind
        worker.spells = [self.ledger.start(category, worker.fte, rate, day)]
        extra = costs.pay_and_progression_gbp_per_fte_year + costs.retention_payment_gbp_per_fte_year
        if worker.permanent and extra:
            worker.spells.append(self.ledger.start("pay_and_retention", worker.fte, extra, day))

    def stop(self, worker: "Worker", day: float) -> None:
        for spell in worker.spells:
            self.ledger.stop(spell, day)
        worker.spells = []

    def start_roles(self, day: float) -> None:
        """Team managers and support staff, at the FTE and rates in force."""
        scenario = self._in_force.scenario
        costs, workforce = scenario.costs, scenario.workforce
        self._fixed = [self.ledger.start("team_managers", workforce.team_managers.in_post_fte,
                                         costs.team_manager_gbp_per_fte_year, day)]
        rates = {"social_work_support_officers": costs.social_work_support_officer_gbp_per_fte_year,
                 "contact_workers": costs.contact_worker_gbp_per_fte_year,
                 "business_support": costs.business_support_gbp_per_fte_year}
        for name, role in workforce.support.roles().items():
            self._fixed.append(self.ledger.start("support", role.fte, rates[name], day))

    def renew(self, workers: list["Worker"], day: float) -> None:
        """New prices or roles from ``day``: every spell ends and starts again at the rates now in force."""
        for worker in workers:
            self.stop(worker, day)
            self.start(worker, day)
        for spell in self._fixed:
            self.ledger.stop(spell, day)
        self.start_roles(day)

    def charge_hire(self, day: float) -> None:
        costs = self._in_force.scenario.costs
        self.ledger.charge("recruitment", costs.recruitment_gbp_per_hire + costs.golden_hello_gbp, day)

    def charge_conversion(self, day: float) -> None:
        self.ledger.charge("recruitment", self._in_force.scenario.costs.agency_conversion_fee_gbp, day)
