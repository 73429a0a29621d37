"""The days one replication covers: from the origin (the start of the warm-up) to its last reported month."""

from __future__ import annotations

from datetime import date

from ..scenario import Scenario
from ..scenario.calendar import add_months, working_calendar


class Horizon:
    """Dates and days of a replication of ``months`` reported months.

    The simulation starts from the initial state on the origin date, ``warm_up_months``
    before the scenario's start date; months before the start date are simulated, not
    reported. Simulation day 0 is the origin.
    """

    def __init__(self, scenario: Scenario, months: int):
        if months < 1:
            raise ValueError("months must be at least 1")
        self.warm_up_months = scenario.warm_up_months
        self.origin_date = add_months(scenario.start_date, -self.warm_up_months)
        self.simulated_months = self.warm_up_months + months
        self.horizon_day = (add_months(scenario.start_date, months) - self.origin_date).days
        self.calendar = working_calendar(self.origin_date, self.horizon_day)
        self.start_day = self.calendar.day_of(scenario.start_date)

    def month_start(self, simulated_month: int) -> date:
        """The first day of the ``simulated_month``-th month from the origin."""
        return add_months(self.origin_date, simulated_month)

    def month_days(self, simulated_month: int) -> float:
        """Days in the ``simulated_month``-th month from the origin."""
        return float((self.month_start(simulated_month + 1) - self.month_start(simulated_month)).days)
