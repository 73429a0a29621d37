"""The scenario: validated, typed, immutable data that fully describes one model run.

A scenario knows nothing about files; ``capacity_model.scenario_files`` reads YAML
into it. Every rate and duration names its unit (``children_per_year``,
``*_working_days``, ``*_days``). Unknown fields are refused, so a misspelt key fails
loudly instead of silently leaving a default in place.
"""

from __future__ import annotations

import math
from datetime import date
from enum import Enum
from typing import Annotated, Literal

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, field_validator, model_validator

from .distributions import Duration, Fixed, Frozen, Uniform
from .interventions import Intervention, change_dates, check_interventions, scenario_on

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Pounds = Annotated[float, Field(ge=0.0)]
_SUM_TOLERANCE = 1e-6


class Stage(str, Enum):
    """Where a child is on the pathway; each stage is held by one team."""

    ASSESSMENT = "assessment"
    CIN = "cin"
    CP = "cp"
    CIC = "cic"


STAGE_LABELS = {
    Stage.ASSESSMENT: "in assessment",
    Stage.CIN: "Child in Need plan",
    Stage.CP: "Child Protection plan",
    Stage.CIC: "Child in Care",
}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class _Shares(Frozen):
    """Probabilities of mutually exclusive outcomes: each in [0, 1], summing to 1."""

    @model_validator(mode="after")
    def _sum_to_one(self):
        total = sum(getattr(self, name) for name in type(self).model_fields)
        if not math.isclose(total, 1.0, abs_tol=_SUM_TOLERANCE):
            raise ValueError(f"probabilities must sum to 1 (these sum to {total:.6g})")
        return self

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in type(self).model_fields}

    def choose(self, u: float) -> str:
        """The outcome a uniform number ``u`` in [0, 1) picks (inverse CDF over the fields' order)."""
        total = 0.0
        for outcome, share in self.as_dict().items():
            total += share
            if u < total:
                return outcome
        return next(outcome for outcome, share in reversed(self.as_dict().items()) if share > 0)


class AssessmentOutcomes(_Shares):
    """What an assessment leads to."""

    no_further_action: Probability
    cin: Probability
    cp: Probability
    cic: Probability


class CinPlanEnds(_Shares):
    """What happens when a Child in Need plan ends."""

    close: Probability
    cp: Probability


class CpPlanEnds(_Shares):
    """What happens when a Child Protection plan ends."""

    close: Probability
    cin: Probability
    cic: Probability


class Referrals(Frozen):
    """New referrals: a Poisson stream of families, each of one or more children."""

    new_children_per_year: float = Field(ge=0.0)
    arrival_process: Literal["poisson", "regular"] = Field(
        default="poisson", description="'regular' spaces families evenly, for deterministic checks"
    )
    monthly_seasonality: list[PositiveFloat] | None = Field(
        default=None, description="12 multipliers, January first, averaging 1"
    )
    sibling_group_size_probabilities: dict[PositiveInt, float] = Field(default_factory=lambda: {1: 1.0})

    @field_validator("monthly_seasonality")
    @classmethod
    def _seasonality_averages_one(cls, season: list[float] | None) -> list[float] | None:
        if season is not None:
            if len(season) != 12:
                raise ValueError(f"needs 12 multipliers (January to December), got {len(season)}")
            mean = sum(season) / 12
            if not math.isclose(mean, 1.0, abs_tol=1e-3):
                raise ValueError(f"the 12 multipliers must average 1 (they average {mean:.4g})")
        return season

    @field_validator("sibling_group_size_probabilities")
    @classmethod
    def _sizes_sum_to_one(cls, probs: dict[int, float]) -> dict[int, float]:
        if any(not 0 <= p <= 1 for p in probs.values()):
            raise ValueError("each probability must be between 0 and 1")
        if not math.isclose(sum(probs.values()), 1.0, abs_tol=_SUM_TOLERANCE):
            raise ValueError(f"probabilities must sum to 1 (they sum to {sum(probs.values()):.6g})")
        return probs

    @property
    def mean_sibling_group_size(self) -> float:
        return sum(size * p for size, p in self.sibling_group_size_probabilities.items())

    @property
    def families_per_year(self) -> float:
        return self.new_children_per_year / self.mean_sibling_group_size


class Rereferral(Frozen):
    """Closed cases coming back: each closure is re-referred with this probability."""

    probability: Probability
    delay_days: Duration


class Pathway(Frozen):
    """Assessment, its outcome, and the plans that follow, with their durations."""

    assessment_working_days: Duration
    assessment_outcomes: AssessmentOutcomes
    cin_plan_days: Duration
    cin_plan_ends: CinPlanEnds
    cp_plan_days: Duration
    cp_plan_ends: CpPlanEnds
    cic_episode_days: Duration


class Team(Frozen):
    """A team of case-holding social workers serving some stages of the pathway."""

    posts_fte: float = Field(ge=0.0, description="funded case-holding social worker posts")
    stages: list[Stage] = Field(min_length=1)


class Allocation(Frozen):
    """How unallocated children are given a social worker."""

    caseload_cap: PositiveInt = Field(description="children per full-time social worker")
    newly_qualified_caseload_cap: PositiveInt = Field(description="protected caseload in the ASYE year")
    policy: Literal["hard_cap", "above_cap_after_wait"]
    above_cap_after_working_days: NonNegativeInt = 10
    absolute_max_caseload: PositiveInt = 30
    schedule: Literal["continuous", "meetings"] = "meetings"
    meeting_weekdays: list[Weekday] = Field(
        default_factory=lambda: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], min_length=1
    )
    reallocations_per_family_year: float = Field(
        default=0.0, ge=0.0,
        description="moves of a family to another worker in the same team for other reasons than staff changes",
    )

    @model_validator(mode="after")
    def _check(self) -> "Allocation":
        if self.absolute_max_caseload < self.caseload_cap:
            raise ValueError("absolute_max_caseload must be at least caseload_cap")
        return self


class StageCounts(Frozen):
    """A number of children at each stage of the pathway."""

    assessment: NonNegativeInt = 0
    cin: NonNegativeInt = 0
    cp: NonNegativeInt = 0
    cic: NonNegativeInt = 0

    def of(self, stage: Stage) -> int:
        return getattr(self, stage.value)

    @property
    def total(self) -> int:
        return self.assessment + self.cin + self.cp + self.cic


class StaffInPost(Frozen):
    """Case-holding social workers in post in one team, by type (headcount, full time)."""

    experienced: NonNegativeInt = 0
    newly_qualified: NonNegativeInt = 0
    agency: NonNegativeInt = 0


class InitialState(Frozen):
    """The service on the start date: open children, who waits, who is in post.

    Children's episodes are already under way on the start date: their elapsed time is
    drawn from the stationary age distribution of the stage's duration, so the run
    starts near steady state rather than from empty.
    """

    allocated_children: StageCounts
    unallocated_children: StageCounts = StageCounts()
    unallocated_waited_working_days: Duration
    staff: dict[str, StaffInPost]


class LeaverDestinations(_Shares):
    """Where permanent leavers go (recorded; they leave this council either way)."""

    leave_sector: Probability = 0.56
    agency: Probability = 0.17
    other_council: Probability = 0.27


class Leaving(Frozen):
    """Permanent social workers leaving: a monthly hazard with documented multipliers.

    hazard per year = permanent_per_year x length-of-service multiplier
    x (team workload / caseload cap) ** caseload_pressure_elasticity
    x pay_and_progression_multiplier x wider_retention_multiplier
    """

    permanent_per_year: float = Field(default=0.0, ge=0.0)
    length_of_service_multipliers: dict[float, PositiveFloat] = Field(
        default_factory=lambda: {0.0: 1.0}, description="years of service from which each multiplier applies"
    )
    caseload_pressure_elasticity: float = Field(default=0.0, ge=0.0)
    pay_and_progression_multiplier: PositiveFloat = 1.0
    wider_retention_multiplier: PositiveFloat = 1.0
    notice_days: Duration = Field(default_factory=lambda: Fixed(kind="fixed", days=0))
    destinations: LeaverDestinations = LeaverDestinations()
    internal_moves_per_year: float = Field(
        default=0.0, ge=0.0, description="permanent workers moving to another team (not leavers)"
    )

    @field_validator("length_of_service_multipliers")
    @classmethod
    def _starts_at_zero(cls, bands: dict[float, float]) -> dict[float, float]:
        if 0 not in bands:
            raise ValueError("needs a multiplier from 0 years of service")
        if any(years < 0 for years in bands):
            raise ValueError("years of service must not be negative")
        return bands

    def service_multiplier(self, years: float) -> float:
        applicable = [band for band in self.length_of_service_multipliers if band <= years]
        return self.length_of_service_multipliers[max(applicable, default=0.0)]


class AgencyMarket(Frozen):
    """Agency social workers covering gaps that permanent staff do not fill."""

    fill_probability_per_month: Probability = 0.0
    lead_time_days: Duration = Field(default_factory=lambda: Fixed(kind="fixed", days=0))
    max_agency_workers: NonNegativeInt | None = None
    leaving_per_year: float = Field(default=0.0, ge=0.0)
    conversion_to_permanent_per_year: float = Field(default=0.0, ge=0.0)


class Recruitment(Frozen):
    """Campaigns for experienced social workers, and newly qualified cohorts."""

    campaign_every_months: PositiveInt | None = None
    hires_per_advertised_post: Probability = 0.0
    lead_time_days: Duration = Field(default_factory=lambda: Fixed(kind="fixed", days=0))
    newly_qualified_per_year: NonNegativeInt = 0
    newly_qualified_start_month: int = Field(default=9, ge=1, le=12)
    asye_months: PositiveInt = 12


class Absence(Frozen):
    """Sickness and other absence: spells, the longest of which become long-term."""

    spells_per_fte_year: float = Field(default=0.0, ge=0.0)
    spell_days: Duration = Field(default_factory=lambda: Fixed(kind="fixed", days=0))
    long_term_after_days: PositiveFloat = 28.0


class InterimTeam(Frozen):
    """A block of agency social workers for a fixed period (action 10b)."""

    social_workers: NonNegativeInt
    team: str
    start_date: date
    end_date: date

    @model_validator(mode="after")
    def _ordered(self) -> "InterimTeam":
        if self.end_date <= self.start_date:
            raise ValueError("end_date must be after start_date")
        return self


class SupportRole(Frozen):
    """A non-case-holding role that frees part of the supported social workers' time."""

    fte: float = Field(ge=0.0)
    social_workers_supported_per_fte: PositiveFloat
    time_freed_share: float = Field(ge=0.0, lt=1.0, description="share of a supported worker's time freed")
    teams: list[str] | None = None


class Support(Frozen):
    """Social Work Support Officers (objective 2a), contact workers (10d), business support (10e)."""

    social_work_support_officers: SupportRole | None = None
    contact_workers: SupportRole | None = None
    business_support: SupportRole | None = None

    def roles(self) -> dict[str, SupportRole]:
        return {name: role for name in type(self).model_fields if (role := getattr(self, name)) is not None}


class TeamManagers(Frozen):
    """First-line managers: social work posts that hold no cases."""

    posts_fte: float = Field(default=0.0, ge=0.0)
    in_post_fte: float = Field(default=0.0, ge=0.0)
    span_of_control: PositiveFloat = 8.0


class Workforce(Frozen):
    """How the workforce changes. Every part defaults to 'no change'."""

    leaving: Leaving = Leaving()
    agency: AgencyMarket = AgencyMarket()
    recruitment: Recruitment = Recruitment()
    absence: Absence = Absence()
    interim_team: InterimTeam | None = None
    support: Support = Support()
    team_managers: TeamManagers = TeamManagers()
    experienced_service_days: Duration = Field(
        default_factory=lambda: Uniform(kind="uniform", low_days=365, high_days=3650),
        description="length of service of experienced staff in post on the start date",
    )


class Costs(Frozen):
    """Cost per FTE-year by role and contract, and one-off costs, in pounds at price_year prices."""

    price_year: int = Field(default=2020, ge=1990, le=2100)
    experienced_gbp_per_fte_year: Pounds = 0.0
    newly_qualified_gbp_per_fte_year: Pounds = 0.0
    agency_gbp_per_fte_year: Pounds = 0.0
    interim_gbp_per_fte_year: Pounds = 0.0
    team_manager_gbp_per_fte_year: Pounds = 0.0
    social_work_support_officer_gbp_per_fte_year: Pounds = 0.0
    contact_worker_gbp_per_fte_year: Pounds = 0.0
    business_support_gbp_per_fte_year: Pounds = 0.0
    pay_and_progression_gbp_per_fte_year: Pounds = 0.0
    retention_payment_gbp_per_fte_year: Pounds = 0.0
    recruitment_gbp_per_hire: Pounds = 0.0
    golden_hello_gbp: Pounds = 0.0
    agency_conversion_fee_gbp: Pounds = 0.0


class Scenario(Frozen):
    """Everything one model run needs; build it with ``scenario_files.load_scenario``."""

    name: str = Field(min_length=1)
    description: str = ""
    start_date: date
    warm_up_months: NonNegativeInt = Field(
        default=0, description="months simulated before start_date, from the initial state, and not reported"
    )
    referrals: Referrals
    rereferral: Rereferral
    pathway: Pathway
    teams: dict[str, Team] = Field(min_length=1)
    allocation: Allocation
    initial_state: InitialState
    workforce: Workforce = Workforce()
    costs: Costs = Costs()
    interventions: list[Intervention] = Field(default_factory=list)

    @model_validator(mode="after")
    def _teams_cover_stages(self) -> "Scenario":
        for stage in Stage:
            holders = [name for name, team in self.teams.items() if stage in team.stages]
            if len(holders) != 1:
                raise ValueError(
                    f"teams: every stage must be held by exactly one team; stage '{stage.value}' is held by "
                    f"{len(holders)} ({', '.join(holders) or 'none'})"
                )
        unknown = sorted(set(self.initial_state.staff) - set(self.teams))
        if unknown:
            raise ValueError(
                f"initial_state.staff: names team(s) {unknown} that are not in teams "
                f"(teams are: {', '.join(self.teams)})"
            )
        interim = self.workforce.interim_team
        if interim is not None and interim.team not in self.teams:
            raise ValueError(
                f"workforce.interim_team.team: '{interim.team}' is not a team (teams are: {', '.join(self.teams)})"
            )
        for name, role in self.workforce.support.roles().items():
            unknown = sorted(set(role.teams or []) - set(self.teams))
            if unknown:
                raise ValueError(
                    f"workforce.support.{name}.teams: {unknown} not in teams (teams are: {', '.join(self.teams)})"
                )
        if self.interventions:
            check_interventions(self)
            for when in change_dates(self):
                try:
                    scenario_on(self, when)
                except ValueError as error:
                    raise ValueError(f"interventions: together they are not valid on {when}: {error}") from None
        return self

    def on(self, when: date) -> "Scenario":
        """The scenario in force on a date, its interventions applied."""
        return scenario_on(self, when)

    def team_for(self, stage: Stage) -> str:
        return next(name for name, team in self.teams.items() if stage in team.stages)
