"""What each worker and each non-case-holding role costs: their spells on the ledger, at the rates in force."""

from __future__ import annotations

from ..costs import CostLedger, CostSpell
from ..in_force import ScenarioInForce
from .worker import Worker


class Payroll:
    """Puts every worker and every non-case-holding role on the ledger at the rates in force."""

    def __init__(self, ledger: CostLedger, in_force: ScenarioInForce):
        self.ledger = ledger
        self._in_force = in_force
        self._fixed: list[CostSpell] = []

    def start(self, worker: Worker, day: float) -> None:
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

    def stop(self, worker: Worker, day: float) -> None:
        for spell in worker.spells:
            self.ledger.stop(spell, day)
        worker.spells = []

    def start_roles(self, day: float) -> None:
        """Team managers, support staff and the IRO service, at the FTE and rates in force."""
        scenario = self._in_force.scenario
        costs, workforce = scenario.costs, scenario.workforce
        self._fixed = [self.ledger.start("team_managers", workforce.team_managers.in_post_fte,
                                         costs.team_manager_gbp_per_fte_year, day)]
        if scenario.oversight is not None:
            iro = scenario.oversight.iro_service
            self._fixed.append(self.ledger.start("iro_service", iro.in_post_fte, costs.iro_gbp_per_fte_year, day))
            self._fixed.append(self.ledger.start("iro_service", iro.minute_takers_fte or 0.0,
                                                 costs.minute_taker_gbp_per_fte_year, day))
        rates = {"social_work_support_officers": costs.social_work_support_officer_gbp_per_fte_year,
                 "contact_workers": costs.contact_worker_gbp_per_fte_year,
                 "business_support": costs.business_support_gbp_per_fte_year}
        for name, role in workforce.support.roles().items():
            self._fixed.append(self.ledger.start("support", role.fte, rates[name], day))

    def renew(self, workers: list[Worker], day: float) -> None:
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
