"""The workforce of one replication: who is in post, and how that changes.

Components, each with one job: the ``Register`` (who is in post, the only place the
staff lists change), ``Leaving`` (resignations, notice, conversions, internal moves),
``Recruitment`` (campaigns, newly qualified cohorts, the agency market), ``Absence``
and ``Support`` (the time support staff free). ``Workforce`` puts the starting staff in
post and holds the monthly review, just after each month-end snapshot.
"""

from __future__ import annotations


from simpy.events import ProcessGenerator

from ...scenario import Scenario
from ...scenario.calendar import YEAR_DAYS
from ..environment import Environment
from .payroll import Payroll
from ..day_plan import WORKFORCE_REVIEW
from ..horizon import Horizon
from ..in_force import ScenarioInForce
from ..streams import RandomStreams
from .absence import Absence
from .leaving import Leaving
from .recruitment import Recruitment
from .register import Desk, Leaver, Register
from .support import Support
from .worker import Worker

__all__ = ["Leaver", "Register", "Worker", "Workforce"]


class Workforce:
    def __init__(self, env: Environment, in_force: ScenarioInForce, horizon: Horizon,
                 streams: RandomStreams, payroll: Payroll):
        self.env = env
        self.in_force = in_force
        self.horizon = horizon
        self.payroll = payroll
        self.absence = Absence(env, in_force, streams)
        self.support = Support(in_force)
        self.register = Register(env, in_force, streams, payroll, self.support, self.absence)
        self.recruitment = Recruitment(env, in_force, streams, self.register, payroll)
        self.leaving = Leaving(env, in_force, self.register, payroll, self.recruitment)
        self._streams = streams
        self.named: dict[str, Worker] = {}  # the workers of an explicit initial state, by pseudonym
        in_force.listen(self.scenario_changed)

    def serve(self, desk: Desk) -> None:
        """The allocation desk that takes and hands back the workers' families."""
        self.register.serve(desk)
        self.absence.desk = desk

    def let_go(self) -> None:
        """At the end of a replication: the workers in post."""
        self.register.let_go()

    def start(self) -> None:
        """Put the starting staff in post and start the workforce's processes."""
        scenario = self.in_force.scenario
        workforce = scenario.workforce
        rng = self._streams["initial_state"]
        if scenario.initial_state.workers is not None:  # a council's own staff list
            calendar = self.horizon.calendar
            for record in scenario.initial_state.workers:
                self.named[record.id] = self.register.join(
                    record.team, record.kind, service_start_day=float(calendar.day_of(record.service_start)),
                    initial=True, fte=record.fte)
        counted = {} if scenario.initial_state.workers is not None else scenario.initial_state.staff
        for team, staff in counted.items():
            for kind in ("experienced", "newly_qualified", "agency"):
                for _ in range(getattr(staff, kind)):
                    if kind == "experienced":
                        service = workforce.experienced_service_days.days_at(float(rng.random()))
                    elif kind == "newly_qualified":
                        service = float(rng.random()) * workforce.recruitment.asye_months * YEAR_DAYS / 12
                    else:
                        service = 0.0
                    self.register.join(team, kind, service_start_day=-service, initial=True)
        self.payroll.start_roles(self.env.now)
        self.register.update_support()
        self.env.process(self._monthly_reviews())
        if workforce.interim_team is not None and workforce.interim_team.social_workers:
            self.env.process(self._interim_team())

    def scenario_changed(self, old: Scenario, new: Scenario) -> None:
        """A dated intervention has changed the scenario: new prices if they moved, new caps."""
        if old.costs != new.costs or old.workforce.support != new.workforce.support \
                or old.workforce.team_managers != new.workforce.team_managers:
            self.payroll.renew(self.register.workers(), self.env.now)
        elif old.oversight != new.oversight:  # the IRO service's posts: only its own spells
            self.payroll.renew([], self.env.now)
        self.register.update_support()

    def _monthly_reviews(self) -> ProcessGenerator:
        horizon = self.horizon
        for month in range(horizon.simulated_months):
            when = horizon.month_start(month)
            yield self.env.timeout(horizon.calendar.day_of(when) + WORKFORCE_REVIEW - self.env.now)
            recruitment = self.in_force.scenario.workforce.recruitment  # the settings in force this month
            self.register.update_support()
            self.leaving.monthly_decisions(horizon.month_days(month))
            if recruitment.campaign_every_months and month % recruitment.campaign_every_months == 0:
                self.recruitment.campaign()
            if recruitment.newly_qualified_per_year and when.month == recruitment.newly_qualified_start_month:
                self.recruitment.newly_qualified_cohort(recruitment.newly_qualified_per_year)
            self.recruitment.request_agency()

    def _interim_team(self) -> ProcessGenerator:
        """Action 10b: a block of agency workers arriving together and leaving together."""
        interim = self.in_force.scenario.workforce.interim_team
        assert interim is not None  # started only when the scenario has one
        calendar = self.horizon.calendar
        start, end = calendar.day_of(interim.start_date), calendar.day_of(interim.end_date)
        if end <= 0:
            return
        yield self.env.timeout(max(0.0, start - self.env.now))
        team = [self.register.join(interim.team, "interim") for _ in range(interim.social_workers)]
        yield self.env.timeout(end - self.env.now)
        for worker in team:
            self.register.give_notice(worker)  # all go together: none takes a colleague's children on the way out
        for worker in team:
            self.register.leave(worker, "end of interim contract")
