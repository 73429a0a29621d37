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

from typing import Final

from ..scenario import Scenario, Stage
from ..scenario.calendar import YEAR_DAYS
from ..scenario.distributions import Duration
from ..scenario.sampling import Chooser, Sampler
from .day_plan import CLOCKS_RUN_OUT
from .desk import AllocationDesk
from .environment import Alarm, Environment
from .family import Family
from .horizon import Horizon
from .in_force import ScenarioInForce
from .oversight import Oversight
from .streams import Fate
from .tally import Tally

ENDED: Final = ("close", "no_further_action")
ASSESSMENT: Final = Stage.ASSESSMENT.value
DURATIONS: Final = {"assessment": "assessment_working_days", "cin": "cin_plan_days", "cp": "cp_plan_days",
                    "cic": "cic_episode_days"}
"""The pathway field holding each stage's duration."""


class Pathway:
    """Every open family, and the journeys that carry them from referral to closure."""

    def __init__(self, env: Environment, in_force: ScenarioInForce, horizon: Horizon,
                 desk: AllocationDesk, tally: Tally, oversight: Oversight | None = None):
        self.env = env
        self.in_force = in_force
        self.open_families: dict[int, Family] = {}
        self._calendar = horizon.calendar
        self._desk = desk
        self._tally = tally
        self._oversight = oversight
        self._families = 0  # families made so far (each family's id)
        in_force.read(self._read)

    def _read(self, scenario: Scenario) -> None:
        """What the journeys draw from, in the scenario in force: each stage's length, what an assessment or a
        plan leads to, and whether and when a closed family comes back."""
        pathway = scenario.pathway
        self._stage_days: dict[str, Sampler] = {stage: getattr(pathway, field).sampler
                                                for stage, field in DURATIONS.items()}
        self._next_stage: dict[str, Chooser] = {ASSESSMENT: pathway.assessment_outcomes.chooser,
                                                "cin": pathway.cin_plan_ends.chooser,
                                                "cp": pathway.cp_plan_ends.chooser}
        self._rereferral_probability = scenario.rereferral.probability
        self._rereferral_delay = scenario.rereferral.delay_days.sampler

    def let_go(self) -> None:
        """At the end of a replication: the open families, each letting go of what it holds."""
        for family in self.open_families.values():
            family.let_go()
        self.open_families.clear()

    def new_family(self, size: int, fate: Fate, referral_day: float | None = None) -> Family:
        """A family not yet referred (``referral_day``: when an earlier case of theirs was referred)."""
        self._families += 1
        return Family(self._families - 1, size, fate, referral_day)

    def open(self, family: Family, stage: str, referral_day: float) -> None:
        """The family is open at ``stage`` (referred on ``referral_day``)."""
        family.stage = stage
        family.referral_day = referral_day
        self.open_families[family.id] = family
        self._tally.opened(family, stage)

    def refer(self, family: Family) -> None:
        """The family is referred now: it waits for a social worker to assess it."""
        now = self.env.now
        tally = self._tally
        # DfE: a re-referral is a referral within 12 months of the family's previous referral
        rereferral = family.referral_day is not None and now - family.referral_day <= YEAR_DAYS
        tally.children["referred"] += family.size
        tally.month_referrals[0] += family.size
        tally.month_referrals[1] += family.size if rereferral else 0
        self.open(family, ASSESSMENT, now)
        tally.stage_entries[ASSESSMENT] += family.size
        self._desk.wait(family, now)
        self.start(family, ASSESSMENT)

    def refer_after(self, family: Family, delay: float) -> None:
        """The family will be referred again ``delay`` days from now."""
        Rereferral(self, family, delay)

    def start(self, family: Family, stage: str, stage_ends_at: float | None = None,
              assessment_started: float | None = None, at_origin: bool = False,
              stage_started: float | None = None) -> None:
        """Start the family's journey from ``stage`` (ending at ``stage_ends_at`` if already known;
        an assessment already under way started on ``assessment_started``; ``at_origin``: the
        family was open at the origin, in a stage begun on ``stage_started``).

        A journey is a chain of alarms, each calling the next step when it rings (no
        process of its own): an assessment starts when a social worker has the family,
        at once if one has, else when the allocation desk gives it one.
        """
        if assessment_started is not None:
            family.assessment_started = assessment_started
        if self._oversight is not None:
            self._oversight.opened(family, self.env.now, at_origin, stage_started)
        if stage == ASSESSMENT and stage_ends_at is None:
            if family.worker is None:
                family.on_allocated = self._begin_assessment
            else:
                self._begin_assessment(family)
        else:
            self._until_end(family, stage, stage_ends_at, self.env.now)

    def stage_duration(self, stage: str) -> Duration:
        """The duration of ``stage`` in the scenario in force (working days for an assessment)."""
        return getattr(self.in_force.scenario.pathway, DURATIONS[stage])

    def _begin_assessment(self, family: Family) -> None:
        now = self.env.now
        family.assessment_started = now
        working_days = self._stage_days[ASSESSMENT].days_at(family.fate.uniform())
        self._until_end(family, ASSESSMENT, self._calendar.add_working_days(now, working_days, at=CLOCKS_RUN_OUT), now)

    def _until_end(self, family: Family, stage: str, ends_at: float | None, now: float,
                   alarm: StageEnd | None = None) -> None:
        """Ring at the end of ``stage`` (its length drawn ``now`` if not known yet), with ``alarm`` if given: the
        one that rang at the end of the family's last stage (set again, not made afresh: it was made when that
        stage began, and in a large service letting go of it then, out of cache, costs more)."""
        if ends_at is None:
            ends_at = now + self._stage_days[stage].days_at(family.fate.uniform())
        delay = ends_at - now if ends_at > now else 0.0
        if alarm is None:
            StageEnd(self, family, stage, delay)
        else:
            alarm.stage = stage
            self.env.set(alarm, delay)

    def _stage_ended(self, ended: StageEnd) -> None:
        """The stage is over: what comes next, read from the scenario in force now."""
        family, stage = ended.family, ended.stage
        now = self.env.now
        if stage == ASSESSMENT:
            calendar = self._calendar
            assert family.assessment_started is not None and family.referral_day is not None
            self._tally.month_assessments.append((calendar.working_days_between(family.assessment_started, now),
                                                  calendar.working_days_between(family.referral_day, now)))
        chooser = self._next_stage.get(stage)  # care ends in closure
        next_stage = chooser.choose(family.fate.uniform()) if chooser is not None else "close"
        if next_stage in ENDED:
            self._close(family, now)
            return
        family.stage = next_stage
        self._tally.moved_on(family, stage, next_stage)
        self._tally.stage_entries[next_stage] += family.size
        self._desk.stage_changed(family)
        if self._oversight is not None:
            self._oversight.stage_changed(family, now)
        self._until_end(family, next_stage, None, now, ended)

    def _close(self, family: Family, now: float) -> None:
        self._desk.close(family)
        if self._oversight is not None:
            self._oversight.closed(family, now)
        del self.open_families[family.id]
        assert family.stage is not None
        self._tally.closed(family, family.stage)
        family.stage = None
        self._tally.children["closed"] += family.size
        if family.fate.uniform() < self._rereferral_probability:
            self.refer_after(family, self._rereferral_delay.days_at(family.fate.uniform()))


class StageEnd(Alarm):
    """The end of a family's stage."""

    __slots__ = ("pathway", "family", "stage")

    def __init__(self, pathway: Pathway, family: Family, stage: str, delay: float) -> None:
        self.pathway = pathway
        self.family = family
        self.stage = stage
        super().__init__(pathway.env, delay)

    def rang(self) -> None:
        self.pathway._stage_ended(self)


class Rereferral(Alarm):
    """A closed family referred again."""

    __slots__ = ("pathway", "family")

    def __init__(self, pathway: Pathway, family: Family, delay: float) -> None:
        self.pathway = pathway
        self.family = family
        super().__init__(pathway.env, delay)

    def rang(self) -> None:
        self.pathway.refer(self.family)
