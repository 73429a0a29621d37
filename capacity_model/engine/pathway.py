"""A family's way through the service: referral, assessment, plans, transfers, closure and re-referral.

Assessment starts when a social worker is allocated and lasts a number of working days;
it leads to no further action, a Child in Need or Child Protection plan, or care. Plans
last calendar days and then close or step up or down. Closed families are re-referred
with some probability after a delay. Each step reads the scenario in force when it
starts or ends, and each family's own pre-drawn numbers (its fate) decide how long
things take and what comes next, so its story does not depend on how quickly it was
allocated.
"""

from __future__ import annotations

from typing import Iterator

import simpy

from ..scenario import Stage
from ..scenario.calendar import YEAR_DAYS
from ..scenario.distributions import Duration
from .day_plan import CLOCKS_RUN_OUT
from .desk import AllocationDesk
from .family import Family
from .horizon import Horizon
from .in_force import ScenarioInForce
from .streams import Fate
from .tally import Tally

ENDED = ("close", "no_further_action")


class Pathway:
    """Every open family, and the journeys that carry them from referral to closure."""

    def __init__(self, env: simpy.Environment, in_force: ScenarioInForce, horizon: Horizon,
                 desk: AllocationDesk, tally: Tally):
        self.env = env
        self.in_force = in_force
        self.open_families: dict[int, Family] = {}
        self._calendar = horizon.calendar
        self._desk = desk
        self._tally = tally
        self._ids = iter(range(1 << 62))

    def new_family(self, size: int, fate: Fate, referral_day: float | None = None) -> Family:
        """A family not yet referred (``referral_day``: when an earlier case of theirs was referred)."""
        return Family(next(self._ids), size, fate, referral_day=referral_day)

    def open(self, family: Family, stage: str, referral_day: float) -> None:
        """The family is open at ``stage`` (referred on ``referral_day``)."""
        family.stage = stage
        family.referral_day = referral_day
        self.open_families[family.id] = family

    def refer(self, family: Family) -> None:
        """The family is referred now: it waits for a social worker to assess it."""
        now = self.env.now
        tally = self._tally
        # DfE: a re-referral is a referral within 12 months of the family's previous referral
        rereferral = family.referral_day is not None and now - family.referral_day <= YEAR_DAYS
        tally.children["referred"] += family.size
        tally.month_referrals[0] += family.size
        tally.month_referrals[1] += family.size if rereferral else 0
        self.open(family, Stage.ASSESSMENT.value, now)
        tally.stage_entries[family.stage] += family.size
        self._desk.wait(family, now)
        self.start(family, family.stage)

    def refer_after(self, family: Family, delay: float) -> None:
        """The family will be referred again ``delay`` days from now."""
        self.env.process(self._rereferral(family, delay))

    def _rereferral(self, family: Family, delay: float) -> Iterator[simpy.Event]:
        yield self.env.timeout(delay)
        self.refer(family)

    def start(self, family: Family, stage: str, stage_ends_at: float | None = None,
              assessment_started: float | None = None) -> None:
        """Start the family's journey from ``stage`` (ending at ``stage_ends_at`` if already known;
        an assessment already under way started on ``assessment_started``)."""
        if assessment_started is not None:
            family.assessment_started = assessment_started
        self.env.process(self._journey(family, stage, stage_ends_at))

    def stage_duration(self, stage: Stage) -> Duration:
        pathway = self.in_force.scenario.pathway
        return {
            Stage.ASSESSMENT: pathway.assessment_working_days,
            Stage.CIN: pathway.cin_plan_days,
            Stage.CP: pathway.cp_plan_days,
            Stage.CIC: pathway.cic_episode_days,
        }[stage]

    def _journey(self, family: Family, stage: str, stage_ends_at: float | None) -> Iterator[simpy.Event]:
        """Carry a family from ``stage`` to closure, one pathway step at a time."""
        env = self.env
        calendar = self._calendar
        next_stage: str | None
        while True:
            if stage == Stage.ASSESSMENT.value:
                if family.worker is None:
                    yield family.allocated  # the assessment starts when a social worker has the case
                if stage_ends_at is None:
                    family.assessment_started = env.now
                    working_days = self.in_force.scenario.pathway.assessment_working_days.days_at(
                        family.fate.uniform())
                    stage_ends_at = calendar.add_working_days(env.now, working_days, at=CLOCKS_RUN_OUT)
                yield env.timeout(stage_ends_at - env.now)
                self._tally.month_assessments.append((calendar.working_days_between(family.assessment_started, env.now),
                                                      calendar.working_days_between(family.referral_day, env.now)))
                next_stage = self.in_force.scenario.pathway.assessment_outcomes.choose(family.fate.uniform())
            else:
                if stage_ends_at is None:
                    stage_ends_at = env.now + self.stage_duration(Stage(stage)).days_at(family.fate.uniform())
                yield env.timeout(max(stage_ends_at - env.now, 0.0))
                pathway = self.in_force.scenario.pathway
                ends = pathway.cin_plan_ends if stage == "cin" else pathway.cp_plan_ends if stage == "cp" else None
                next_stage = ends.choose(family.fate.uniform()) if ends is not None else "close"
            stage_ends_at = None
            if next_stage in ENDED:
                self._close(family)
                return
            family.stage = next_stage
            self._tally.stage_entries[next_stage] += family.size
            self._desk.stage_changed(family)
            stage = next_stage

    def _close(self, family: Family) -> None:
        self._desk.close(family)
        del self.open_families[family.id]
        family.stage = None
        self._tally.children["closed"] += family.size
        rereferral = self.in_force.scenario.rereferral
        if family.fate.uniform() < rereferral.probability:
            self.refer_after(family, rereferral.delay_days.days_at(family.fate.uniform()))
