"""The workforce and cost sections of a scenario: how staff leave, join, are absent and supported, and what they cost.

Every part defaults to "no change", so a scenario without a ``workforce`` section has
a fixed workforce and one without ``costs`` costs nothing.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

from pydantic import Field, NonNegativeInt, PositiveFloat, PositiveInt, field_validator, model_validator

from .base import Frozen, Pounds, Probability, Shares
from .distributions import Duration, Fixed, Uniform
from .sampling import Steps


class LeaverDestinations(Shares):
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

    @cached_property
    def service_multipliers(self) -> Steps:
        """The multiplier by years of service, as a step function (``sampling.Steps``)."""
        bands = sorted(self.length_of_service_multipliers.items())
        return Steps([years for years, _ in bands], [multiplier for _, multiplier in bands])

    def service_multiplier(self, years: float) -> float:
        return self.service_multipliers.at(years)


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
    """A non-case-holding role that frees part of the supported social workers' time.

    What the freed time buys is the council's choice, stated here:
    ``freed_time_to_caseload_share`` of it lets a supported worker hold more children
    (their cap rises); the rest goes to the children they already hold (visits, direct
    work, supervision) and eases their workload, which lowers the caseload pressure
    behind leaving. Newly qualified workers' protected caseloads are never raised.
    """

    fte: float = Field(ge=0.0)
    social_workers_supported_per_fte: PositiveFloat
    time_freed_share: float = Field(ge=0.0, lt=1.0, description="share of a supported worker's time freed")
    freed_time_to_caseload_share: Probability = Field(
        description="share of the freed time that lets a worker hold more children (0: none, 1: all)")
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
    iro_gbp_per_fte_year: Pounds = 0.0
    minute_taker_gbp_per_fte_year: Pounds = 0.0
    pay_and_progression_gbp_per_fte_year: Pounds = 0.0
    retention_payment_gbp_per_fte_year: Pounds = 0.0
    recruitment_gbp_per_hire: Pounds = 0.0
    golden_hello_gbp: Pounds = 0.0
    agency_conversion_fee_gbp: Pounds = 0.0
