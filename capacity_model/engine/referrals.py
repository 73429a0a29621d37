"""New families arriving: a Poisson process (or evenly spaced), thinned for monthly seasonality.

The arrival rate in families is ``new_children_per_year`` divided by the mean sibling
group size; each family's size is drawn from its own numbers.
"""

from __future__ import annotations

import bisect

import numpy as np
from simpy.events import ProcessGenerator

from ..scenario import Scenario
from ..scenario.calendar import YEAR_DAYS
from .environment import Alarm, Environment
from .horizon import Horizon
from .in_force import ScenarioInForce
from .pathway import Pathway
from .streams import FateBank, RandomStreams, next_uniform


class Referrals:
    def __init__(self, env: Environment, in_force: ScenarioInForce, horizon: Horizon,
                 streams: RandomStreams, pathway: Pathway):
        self.env = env
        self.in_force = in_force
        self._calendar = horizon.calendar
        self._pathway = pathway
        self._arrivals = streams["referral_arrivals"]
        self._arrival_bits = self._arrivals.bit_generator  # (for the thinning's uniform numbers)
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
        """Candidates arrive at the season's peak rate; each is kept with this month's share of the peak.

        With nothing to change the rate, each candidate is an alarm that sets the next; otherwise the
        process waits on a clock that follows the rate as the scenario changes."""
        if self.in_force.static:
            self._candidate_later()
            return
        while True:
            regular = self._regular
            yield from self.in_force.hazard_wait(self._unit(regular), lambda: self._candidates_per_day)
            self._candidate(regular)

    def _unit(self, regular: bool) -> float:
        """The next gap between candidates, in units of the mean gap."""
        return 1.0 if regular else float(self._arrivals.exponential())

    def _candidate_later(self) -> None:
        regular = self._regular
        unit = self._unit(regular)
        if self._candidates_per_day > 0:
            Candidate(self, regular, unit / self._candidates_per_day)

    def _candidate(self, regular: bool) -> None:
        """A candidate referral: a new family if this month's share of the peak keeps it."""
        this_month = self._season[self._calendar.month_of(self.env.now) - 1]
        if (1.0 if regular else next_uniform(self._arrival_bits)) * self._peak <= this_month + 1e-12:
            fate = self._fates.next_row()
            pathway = self._pathway
            pathway.refer(pathway.new_family(self.sibling_size(fate.uniform()), fate))


class Candidate(Alarm):
    """The next candidate referral, with nothing to change the rate, which sets the one after."""

    __slots__ = ("referrals", "regular")

    def __init__(self, referrals: Referrals, regular: bool, delay: float) -> None:
        self.referrals = referrals
        self.regular = regular
        super().__init__(referrals.env, delay)

    def rang(self) -> None:
        self.referrals._candidate(self.regular)
        self.referrals._candidate_later()
