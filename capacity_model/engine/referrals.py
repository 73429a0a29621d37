"""New families arriving: a Poisson process (or evenly spaced), thinned for monthly seasonality.

The arrival rate in families is ``new_children_per_year`` divided by the mean sibling
group size; each family's size is drawn from its own numbers.
"""

from __future__ import annotations

import bisect
from typing import Iterator

import numpy as np
import simpy

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
        self._set_sibling_sizes(in_force.scenario)
        in_force.listen(lambda old, new: self._set_sibling_sizes(new))

    def _set_sibling_sizes(self, scenario: Scenario) -> None:
        sibling = sorted(scenario.referrals.sibling_group_size_probabilities.items())
        self._sizes = [size for size, _ in sibling]
        self._size_cdf = list(np.cumsum([p for _, p in sibling]))

    def sibling_size(self, u: float) -> int:
        """Children in a family whose number is ``u`` (inverse CDF of the sibling group sizes)."""
        return self._sizes[min(bisect.bisect_right(self._size_cdf, u), len(self._sizes) - 1)]

    def arrivals(self) -> Iterator[simpy.Event]:
        rng = self._arrivals

        def season(referrals) -> list[float]:
            return referrals.monthly_seasonality or [1.0] * 12

        def candidates_per_day() -> float:
            referrals = self.in_force.scenario.referrals
            return referrals.families_per_year / YEAR_DAYS * max(season(referrals))

        while True:
            regular = self.in_force.scenario.referrals.arrival_process == "regular"
            yield from self.in_force.hazard_wait(1.0 if regular else float(rng.exponential()), candidates_per_day)
            referrals = self.in_force.scenario.referrals
            this_month = season(referrals)[self._calendar.date_of(self.env.now).month - 1]
            keep = (1.0 if regular else rng.random()) * max(season(referrals)) <= this_month + 1e-12
            if keep:
                fate = self._fates.next_row()
                self._pathway.refer(self._pathway.new_family(self.sibling_size(fate.uniform()), fate))
