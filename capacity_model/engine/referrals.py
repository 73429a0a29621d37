"""New families arriving: a Poisson process (or evenly spaced), thinned for monthly seasonality.

The arrival rate in families is ``new_children_per_year`` divided by the mean sibling
group size; each family's size is drawn from its own numbers.
"""

from __future__ import annotations

import bisect

import numpy as np
import simpy
from simpy.events import ProcessGenerator

from ..scenario import Scenario
from ..scenario.calendar import YEAR_DAYS
from .horizon import Horizon
from .in_force import ScenarioInForce
from .pathway import Pathway
from .streams import FateBank, RandomStreams


class Referrals:
    def __init__(self, env: simpy.Environment, in_force: ScenarioInForce, horizon: Horizon, streams: RandomStreams,
                 pathway: Pathway):
        self.env = env
        self.in_force = in_force
        self._calendar = horizon.calendar
        self._pathway = pathway
        self._arrivals = streams["referral_arrivals"]
        self._fates = FateBank(streams["family_fates"], streams["fate_overflow"])
        in_force.read(self._set_sibling_sizes)

    def _set_sibling_sizes(self, scenario: Scenario) -> None:
        """What the arrivals need of the scenario in force: sizes, the candidates' rate, the season."""
        referrals = scenario.referrals
        sibling = sorted(referrals.sibling_group_size_probabilities.items())
        self._sizes = [size for size, _ in sibling]
        self._size_cdf = list(np.cumsum([p for _, p in sibling]))
        self._season = referrals.monthly_seasonality or [1.0] * 12
        self._peak = max(self._season)
        self._candidates_per_day = referrals.families_per_year / YEAR_DAYS * self._peak
        self._regular = referrals.arrival_process == "regular"

    def sibling_size(self, u: float) -> int:
        """Children in a family whose number is ``u`` (inverse CDF of the sibling group sizes)."""
        return self._sizes[min(bisect.bisect_right(self._size_cdf, u), len(self._sizes) - 1)]

    def arrivals(self) -> ProcessGenerator:
        """Candidates arrive at the season's peak rate; each is kept with this month's share of the peak."""
        rng = self._arrivals
        env, calendar, pathway = self.env, self._calendar, self._pathway
        static = self.in_force.static
        while True:
            regular = self._regular
            unit = 1.0 if regular else float(rng.exponential())
            if static and self._candidates_per_day > 0:
                yield env.timeout(unit / self._candidates_per_day)
            else:
                yield from self.in_force.hazard_wait(unit, lambda: self._candidates_per_day)
            this_month = self._season[calendar.month_of(env.now) - 1]
            if (1.0 if regular else rng.random()) * self._peak <= this_month + 1e-12:
                fate = self._fates.next_row()
                pathway.refer(pathway.new_family(self.sibling_size(fate.uniform()), fate))
