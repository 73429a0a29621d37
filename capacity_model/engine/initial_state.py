"""The service on the origin date: staff in post, open children on their clocks, and earlier closures.

Each open episode's elapsed time is drawn from the length-biased (stationary)
distribution of its duration, so the run starts near steady state instead of with every
episode just begun; families closed before the origin come back as re-referrals on
time, and staff already serving notice leave on time.
"""

from __future__ import annotations

import numpy as np

from ..scenario import Stage
from ..scenario.calendar import YEAR_DAYS, WorkingCalendar
from ..scenario.distributions import Duration
from .day_plan import BACKDATED, CLOCKS_RUN_OUT
from .desk import AllocationDesk
from .family import Family
from .horizon import Horizon
from .in_force import ScenarioInForce
from .pathway import Pathway
from .referrals import Referrals
from .streams import FateBank, RandomStreams
from .tally import Tally
from .workforce import Workforce

EPISODE_POOL = 20_000
"""Durations drawn to pick open episodes from, in proportion to their length."""


class InitialState:
    def __init__(self, in_force: ScenarioInForce, horizon: Horizon, streams: RandomStreams, workforce: Workforce,
                 referrals: Referrals, pathway: Pathway, desk: AllocationDesk, tally: Tally):
        self.in_force = in_force
        self._calendar = horizon.calendar
        self._streams = streams
        self._workforce = workforce
        self._referrals = referrals
        self._pathway = pathway
        self._desk = desk
        self._tally = tally

    def populate(self) -> None:
        scenario = self.in_force.scenario
        initial = scenario.initial_state
        rng = self._streams["initial_state"]
        self._workforce.start()
        fates = FateBank(self._streams["initial_fates"], self._streams["fate_overflow"])
        self._earlier_closures(fates)
        if initial.families is not None:
            self._listed(initial.families, fates)
            self._workforce.leaving.notices_already_handed_in()
            return
        for stage in Stage:
            for allocated in (True, False):
                counts = initial.allocated_children if allocated else initial.unallocated_children
                sizes = self._family_sizes(counts.of(stage), rng)
                durations, ages = episodes_under_way(self._pathway.stage_duration(stage.value), len(sizes), rng)
                for size, duration, age in zip(sizes, durations, ages):
                    family = self._pathway.new_family(size, fates.next_row())
                    self._tally.children["initial"] += size
                    self._open(family, stage.value, duration, age, allocated, rng)
        self._workforce.leaving.notices_already_handed_in()

    def _earlier_closures(self, fates: FateBank) -> None:
        """Families closed before the origin come back during the run.

        Closures before the origin are drawn at the steady-state rate (every referred
        family closes once, so families close as often as they are referred: new ones
        plus re-referrals), and each is re-referred as any closure would be. Without
        them the first year would lack its re-referrals. The previous referral of such a
        family is placed one assessment before its closure (most closures follow an
        assessment with no further action), for the count of re-referrals [E].
        """
        scenario = self.in_force.scenario
        rereferral, referrals = scenario.rereferral, scenario.referrals
        if not 0 < rereferral.probability < 1 or referrals.families_per_year <= 0:
            return  # none come back (or every family would, for ever)
        rng = self._streams["earlier_closures"]
        closures_per_day = referrals.families_per_year / (1 - rereferral.probability) / YEAR_DAYS
        lookback = WorkingCalendar.LOOKBACK_DAYS
        n = rng.poisson(closures_per_day * lookback)
        closed_at = -lookback * rng.random(n)
        again = rng.random(n) < rereferral.probability
        delay_numbers = rng.random(n)
        for i in np.flatnonzero(again):  # a delay only for those re-referred
            closed, delay = closed_at[i], rereferral.delay_days.days_at(delay_numbers[i])
            if closed + delay > 0:
                fate = fates.next_row()
                size = self._referrals.sibling_size(fate.uniform())
                assessment = scenario.pathway.assessment_working_days.days_at(fate.uniform())
                previous = self._calendar.subtract_working_days(float(closed), assessment, at=BACKDATED)
                family = self._pathway.new_family(size, fate, referral_day=previous)
                self._pathway.refer_after(family, float(closed + delay))

    def _listed(self, records: list, fates: FateBank) -> None:
        """A council's own open families, each on its own clocks: a stage under way for as long as its
        record says runs on for a duration drawn beyond that (the residual of the stage's distribution)."""
        calendar, pathway = self._calendar, self._pathway
        for record in records:
            family = pathway.new_family(record.children, fates.next_row())
            self._tally.children["initial"] += record.children
            stage = record.stage
            referral, started = float(calendar.day_of(record.referral_date)), float(calendar.day_of(record.stage_start))
            pathway.open(family, stage, referral)
            worker = self._workforce.named[record.worker] if record.worker is not None else None
            ends_at, assessment_started = None, None
            if stage == Stage.ASSESSMENT.value:
                if worker is not None:
                    done = calendar.working_days_between(started, 0.0)
                    remaining = self._beyond(pathway.stage_duration(stage), done, family) - done
                    ends_at = calendar.add_working_days(0.0, remaining, at=CLOCKS_RUN_OUT)
                    assessment_started = started
            else:
                ends_at = started + self._beyond(pathway.stage_duration(stage), -started, family)
            if worker is not None:
                self._desk.place_with(family, worker, since=started)
            else:
                self._desk.wait(family, float(calendar.day_of(record.unallocated_since)))
            pathway.start(family, stage, ends_at, assessment_started=assessment_started, at_origin=True,
                          stage_started=started)

    @staticmethod
    def _beyond(duration: Duration, age: float, family: Family, tries: int = 200) -> float:
        """A duration longer than ``age``, drawn from the family's own numbers: the stage's distribution
        given that it has lasted ``age`` (by rejection); for a stage older than nearly all of the
        distribution, ``age`` plus a fresh draw of it [E]."""
        for _ in range(tries):
            drawn = duration.days_at(family.fate.uniform())
            if drawn > age:
                return drawn
        return age + duration.days_at(family.fate.uniform())

    def _family_sizes(self, children: int, rng: np.random.Generator) -> list[int]:
        sizes = []
        while children > 0:
            size = min(self._referrals.sibling_size(float(rng.random())), children)
            sizes.append(size)
            children -= size
        return sizes

    def _open(self, family: Family, stage: str, duration: float, age: float, allocated: bool,
              rng: np.random.Generator) -> None:
        calendar = self._calendar
        if stage == Stage.ASSESSMENT.value:
            started = calendar.subtract_working_days(0.0, age, at=BACKDATED)
            ends_at = calendar.add_working_days(0.0, duration - age, at=CLOCKS_RUN_OUT) if allocated else None
        else:
            started = -age
            ends_at = duration - age
        self._pathway.open(family, stage, started)
        if allocated:
            self._desk.place(family, since=started)
        if family.worker is None:
            waited = self.in_force.scenario.initial_state.unallocated_waited_working_days.days_at(float(rng.random()))
            queued = min(calendar.subtract_working_days(0.0, waited, at=BACKDATED), 0.0)
            if stage == Stage.ASSESSMENT.value:
                family.referral_day = queued  # referred when it started waiting
                ends_at = None  # waiting: the assessment starts when someone is allocated
            self._desk.wait(family, queued)
        under_way = stage == Stage.ASSESSMENT.value and ends_at is not None
        self._pathway.start(family, stage, ends_at, assessment_started=started if under_way else None,
                            at_origin=True, stage_started=started)


def episodes_under_way(duration: Duration, n: int, rng: np.random.Generator,
                       pool_size: int = EPISODE_POOL) -> tuple[np.ndarray, np.ndarray]:
    """Durations and elapsed ages of ``n`` episodes open at a random moment.

    An episode open at a given moment is length-biased (long ones are more likely to be
    open) and is uniformly far through.
    """
    if n == 0:
        return np.empty(0), np.empty(0)
    pool = duration.days_at_many(rng.random(pool_size))
    weights = pool / pool.sum() if pool.sum() > 0 else None
    chosen = pool[rng.choice(pool_size, size=n, p=weights)]
    return chosen, chosen * rng.random(n)
