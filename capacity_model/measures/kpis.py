"""The council's scorecard: every KPI defined once, with its label, unit and target.

Code refers to KPIs by id; tables and charts show the label. Each KPI is computed
from a ``ServiceSnapshot`` (the plain numbers the engine observes at a month end, see
``observations.py``) by a small pure function, so every definition can be checked on
a hand-made case. The engine never computes a KPI itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Final, Literal

from .observations import CaseHolder, ServiceSnapshot
from .oversight import iro_caseload, pct_meetings_in_time, pct_supervised_42d, pct_visits_up_to_date

CASELOAD_THRESHOLD = 22
"""The plan's caseload standard: 22 children or fewer per social worker."""
UNALLOCATED_WAIT_THRESHOLD_WORKING_DAYS = 5
SOCIAL_WORKER_CHANGES_THRESHOLD = 3
ASSESSMENT_LIMIT_WORKING_DAYS: Final = 45

Direction = Literal["lower", "higher"]


@dataclass(frozen=True)
class KPI:
    """One line of the scorecard."""

    id: str
    label: str
    unit: str
    definition: str
    compute: Callable[[ServiceSnapshot], float | None]
    better: Direction
    target: float | None = None
    target_text: str = ""
    decimals: int = 0

    @property
    def bounds(self) -> tuple[float, float]:
        """The values the KPI can take: percentages 0 to 100, counts and money at least 0."""
        if self.unit == "%":
            return 0.0, 100.0
        if self.unit == "FTE":  # gaps: negative when over establishment
            return -math.inf, math.inf
        return 0.0, math.inf


# --- definitions -------------------------------------------------------------------


def _permanent_fte(s: ServiceSnapshot) -> float:
    return sum(h.fte for h in s.case_holders if h.permanent)


def sw_gaps_total(s: ServiceSnapshot) -> float:
    return s.establishment_fte - _permanent_fte(s) - s.non_case_holding_in_post_fte


def sw_gaps_case_holding(s: ServiceSnapshot) -> float:
    return s.establishment_case_holding_fte - _permanent_fte(s)


def agency_sw(s: ServiceSnapshot) -> float:
    return float(sum(1 for h in s.case_holders if not h.permanent))


def _working_holders(s: ServiceSnapshot) -> list[CaseHolder]:
    return [h for h in s.case_holders if not h.long_term_absent]


def pct_caseload_le_22(s: ServiceSnapshot) -> float | None:
    holders = _working_holders(s)
    if not holders:
        return None
    return 100.0 * sum(1 for h in holders if h.children <= CASELOAD_THRESHOLD) / len(holders)


def average_caseload(s: ServiceSnapshot) -> float | None:
    holders = _working_holders(s)
    fte = sum(h.fte for h in holders)
    return sum(h.children for h in holders) / fte if fte else None


def unallocated(s: ServiceSnapshot) -> float:
    return float(sum(children for children, _ in s.unallocated_waits))


def unallocated_over_5d(s: ServiceSnapshot) -> float:
    return float(
        sum(children for children, waited in s.unallocated_waits if waited > UNALLOCATED_WAIT_THRESHOLD_WORKING_DAYS)
    )


def turnover_12m(s: ServiceSnapshot) -> float | None:
    if not s.mean_permanent_fte_12m:
        return None
    return 100.0 * s.permanent_leavers_fte_12m / s.mean_permanent_fte_12m


def _share_3plus(s: ServiceSnapshot, stages: tuple[str, ...] | None = None) -> float | None:
    """% of open children (at ``stages``, or all) with 3 or more social workers in 12 months."""
    total = sum(n for stage, n in s.children_in_stage.items() if stages is None or stage in stages)
    if not total:
        return None
    many = sum(n for stage, n in s.children_many_social_workers_12m.items() if stages is None or stage in stages)
    return 100.0 * many / total


def pct_children_3plus_sw_12m(s: ServiceSnapshot) -> float | None:
    return _share_3plus(s)


def pct_cic_3plus_sw_12m(s: ServiceSnapshot) -> float | None:
    return _share_3plus(s, ("cic",))


def vacancy_rate(s: ServiceSnapshot) -> float | None:
    gaps = max(sw_gaps_total(s), 0.0)
    denominator = gaps + _permanent_fte(s) + s.non_case_holding_in_post_fte
    return 100.0 * gaps / denominator if denominator else None


def _staff(kind: str) -> Callable[[ServiceSnapshot], float]:
    return lambda s: float(sum(1 for h in s.case_holders if h.kind == kind))


def absence_rate(s: ServiceSnapshot) -> float | None:
    if s.absence is None or not s.absence[1]:
        return None
    return 100.0 * s.absence[0] / s.absence[1]


def case_holders_per_manager(s: ServiceSnapshot) -> float | None:
    return len(s.case_holders) / s.team_managers_fte if s.team_managers_fte else None


def _cost(category: str | None) -> Callable[[ServiceSnapshot], float | None]:
    def cost(s: ServiceSnapshot) -> float | None:
        if s.costs is None:
            return None
        return sum(s.costs.values()) if category is None else s.costs.get(category, 0.0)
    return cost


def cost_cumulative_gbp(s: ServiceSnapshot) -> float | None:
    return s.cumulative_cost


def agency_rate(s: ServiceSnapshot) -> float | None:
    total = sum(h.fte for h in s.case_holders) + s.non_case_holding_in_post_fte
    return 100.0 * sum(h.fte for h in s.case_holders if not h.permanent) / total if total else None


def _open(stage: str) -> Callable[[ServiceSnapshot], float]:
    return lambda s: float(s.open_children.get(stage, 0))


def open_children_total(s: ServiceSnapshot) -> float:
    return float(sum(s.open_children.values())) + unallocated(s)


def _assessments_within_45wd(s: ServiceSnapshot, clock: int) -> float | None:
    if not s.assessments_completed:
        return None
    on_time = sum(1 for days in s.assessments_completed if days[clock] <= ASSESSMENT_LIMIT_WORKING_DAYS)
    return 100.0 * on_time / len(s.assessments_completed)


def pct_assessments_within_45wd(s: ServiceSnapshot) -> float | None:
    return _assessments_within_45wd(s, 0)


def pct_assessments_within_45wd_of_referral(s: ServiceSnapshot) -> float | None:
    return _assessments_within_45wd(s, 1)


def allocations_in_month(s: ServiceSnapshot) -> float | None:
    return None if s.allocation_waits is None else float(sum(children for children, _ in s.allocation_waits))


def mean_days_to_allocation(s: ServiceSnapshot) -> float | None:
    if not s.allocation_waits:
        return None
    children = sum(n for n, _ in s.allocation_waits)
    return sum(n * days for n, days in s.allocation_waits) / children


def referrals_in_month(s: ServiceSnapshot) -> float | None:
    return None if s.referrals is None else float(s.referrals[0])


def pct_rereferrals_12m(s: ServiceSnapshot) -> float | None:
    if s.referrals is None or not s.referrals[0]:
        return None
    return 100.0 * s.referrals[1] / s.referrals[0]


KPIS: tuple[KPI, ...] = (
    KPI("sw_gaps_total", "Social worker gaps (all posts)", "FTE",
        "Social worker establishment FTE minus permanent social worker FTE in post.",
        sw_gaps_total, "lower", decimals=1),
    KPI("sw_gaps_case_holding", "Social worker gaps (case-holding posts)", "FTE",
        "Case-holding social worker establishment FTE minus permanent case-holding FTE in post.",
        sw_gaps_case_holding, "lower", decimals=1),
    KPI("agency_sw", "Agency social workers", "headcount",
        "Agency (including interim team) social workers in post.", agency_sw, "lower"),
    KPI("pct_caseload_le_22", "Social workers with 22 or fewer children", "%",
        "% of case-holding social workers in post (not on long-term absence) holding 22 or fewer children.",
        pct_caseload_le_22, "higher", target=100.0, target_text="all (100%)", decimals=1),
    KPI("unallocated", "Unallocated children", "children",
        "Children waiting for allocation to a social worker at the snapshot.", unallocated, "lower"),
    KPI("unallocated_mean_in_month", "Unallocated children, average over the month", "children",
        "Children waiting for allocation, averaged over every moment of the month (steadier than the snapshot).",
        lambda s: s.mean_unallocated, "lower", decimals=1),
    KPI("unallocated_over_5d", "Children unallocated over 5 working days", "children",
        "Unallocated children who have waited more than 5 working days since they became unallocated.",
        unallocated_over_5d, "lower", target=0.0, target_text="none (0)"),
    KPI("turnover_12m", "Social worker turnover (12 months)", "%",
        "Permanent FTE leavers in the last 12 months / mean permanent FTE in post (DfE definition).",
        turnover_12m, "lower", decimals=1),
    KPI("pct_children_3plus_sw_12m", "Children with 3 or more social workers in 12 months", "%",
        "% of children open at the snapshot who had 3 or more different allocated social workers in the "
        "last 12 months.", pct_children_3plus_sw_12m, "lower", decimals=1),
    KPI("pct_cic_3plus_sw_12m", "Children in care with 3 or more social workers in 12 months", "%",
        "The same measure for Children in Care only (comparable with national stability figures).",
        pct_cic_3plus_sw_12m, "lower", decimals=1),
    KPI("average_caseload", "Average caseload", "children per FTE",
        "Children allocated to case-holding social workers (not on long-term absence) per FTE.",
        average_caseload, "lower", target=22.0, target_text="22 or fewer", decimals=1),
    KPI("vacancy_rate", "Vacancy rate", "%",
        "Social worker gaps / (gaps + permanent FTE in post) (DfE definition).", vacancy_rate, "lower", decimals=1),
    KPI("agency_rate", "Agency rate", "%",
        "Agency social worker FTE / all social worker FTE in post, team managers included (DfE definition).",
        agency_rate, "lower",
        decimals=1),
    KPI("open_assessment", "Children in assessment (allocated)", "children",
        "Allocated children whose assessment is under way.", _open("assessment"), "lower"),
    KPI("open_cin", "Children on a Child in Need plan", "children",
        "Allocated children on a Child in Need plan.", _open("cin"), "lower"),
    KPI("open_cp", "Children on a Child Protection plan", "children",
        "Allocated children on a Child Protection plan.", _open("cp"), "lower"),
    KPI("open_cic", "Children in Care", "children", "Allocated Children in Care.", _open("cic"), "lower"),
    KPI("open_children_total", "Open children (all)", "children",
        "All open children: allocated at any stage plus unallocated.", open_children_total, "lower"),
    KPI("pct_assessments_within_45wd", "Assessments completed within 45 working days", "%",
        "% of assessments completed in the month that took 45 working days or fewer from their start (DfE, "
        "children in need table C2: assessment start to authorisation).",
        pct_assessments_within_45wd, "higher", decimals=1),
    KPI("pct_assessments_within_45wd_of_referral", "Assessments completed within 45 working days of referral",
        "%", "% of assessments completed in the month within 45 working days of the referral, the wait for a "
        "social worker included (Working Together's limit; the plan's measure 4c).",
        pct_assessments_within_45wd_of_referral, "higher", decimals=1),
    KPI("allocations_in_month", "Children allocated from waiting", "children per month",
        "Unallocated children given a social worker in the month (transfers between teams not included).",
        allocations_in_month, "higher"),
    KPI("mean_days_to_allocation", "Mean wait for allocation", "calendar days",
        "Mean calendar days waited by the children allocated in the month, from becoming unallocated.",
        mean_days_to_allocation, "lower", decimals=1),
    KPI("referrals_in_month", "Referrals (children)", "children per month",
        "Children referred in the month, including re-referrals.", referrals_in_month, "lower"),
    KPI("pct_rereferrals_12m", "Re-referrals within 12 months", "%",
        "% of the month's referrals that came within 12 months of a previous referral of the same family (DfE).",
        pct_rereferrals_12m, "lower", decimals=1),
)

_COST_LABELS = {
    "permanent": "permanent social workers (salary and on-costs)",
    "pay_and_retention": "pay and progression, retention payments",
    "agency": "agency social workers",
    "interim": "the interim team",
    "support": "support staff (SWSOs, contact workers, business support)",
    "team_managers": "team managers",
    "iro_service": "the IRO service (Independent Reviewing Officers and minute-takers)",
    "recruitment": "recruitment, golden hellos and agency conversion fees",
}

KPIS += (
    KPI("staff_experienced", "Experienced permanent social workers", "headcount",
        "Permanent case-holding social workers past their ASYE year, in post.", _staff("experienced"), "higher"),
    KPI("staff_newly_qualified", "Newly qualified social workers (ASYE)", "headcount",
        "Permanent case-holding social workers in their first (ASYE) year, in post.", _staff("newly_qualified"),
        "higher"),
    KPI("staff_agency", "Agency social workers (excluding the interim team)", "headcount",
        "Agency case-holding social workers covering gaps, in post.", _staff("agency"), "lower"),
    KPI("staff_interim", "Interim team social workers", "headcount",
        "Social workers of the interim managed team, in post.", _staff("interim"), "lower"),
    KPI("absence_rate", "Sickness absence rate", "%",
        "FTE-days of absence / FTE-days in post of case-holding social workers, in the month.",
        absence_rate, "lower", decimals=1),
    KPI("case_holders_per_manager", "Case-holding social workers per team manager", "headcount per FTE",
        "Case-holding social workers in post / team manager FTE in post (span of control).",
        case_holders_per_manager, "lower", decimals=1),
    KPI("cost_total_gbp", "Workforce cost in the month", "GBP",
        "All workforce costs in the month: pay, agency, interim team, support staff, managers, recruitment.",
        _cost(None), "lower"),
    *(KPI(f"cost_{category}_gbp", f"Cost of {label}", "GBP", f"Spending on {label} in the month.",
          _cost(category), "lower") for category, label in _COST_LABELS.items()),
    KPI("cost_cumulative_gbp", "Workforce cost since the start date", "GBP",
        "All workforce costs from the start date to the snapshot.", cost_cumulative_gbp, "lower"),
)

_STAGE_NAMES = {"cin": "Child in Need", "cp": "Child Protection", "cic": "Children in Care"}

KPIS += (  # Priority Area 1, with the oversight layer on
    KPI("pct_supervised_42d", "Cases supervised in the last 42 days", "%",
        "% of open children whose case a team manager supervised in the last 42 days (new cases count from "
        "referral; the plan's objective 6).", pct_supervised_42d, "higher", decimals=1),
    KPI("pct_visits_up_to_date", "Children with an up-to-date visit", "%",
        "% of children on a Child in Need or Child Protection plan or in care whose statutory visit is not "
        "overdue (the plan's measure 5c, with children in care added).",
        pct_visits_up_to_date(("cin", "cp", "cic")), "higher", decimals=1),
    *(KPI(f"pct_visits_up_to_date_{stage}", f"Children with an up-to-date visit: {name}", "%",
          f"% of children at the {name} stage whose statutory visit is not overdue.",
          pct_visits_up_to_date((stage,)), "higher", decimals=1) for stage, name in _STAGE_NAMES.items()),
    KPI("pct_icpc_within_15wd", "Initial conferences within 15 working days", "%",
        "% of children at an Initial Child Protection Conference in the month whose conference was within 15 "
        "working days of the strategy discussion (objective 9; DfE children in need statistics).",
        pct_meetings_in_time("icpc"), "higher", decimals=1),
    KPI("pct_cp_reviews_in_time", "Reviews of Child Protection plans in timescale", "%",
        "% of children whose Child Protection review conference in the month was within timescale (the first "
        "within 3 months of the initial conference, then every 6 months).",
        pct_meetings_in_time("cp_review"), "higher", decimals=1),
    KPI("pct_cic_reviews_in_time", "Reviews of Children in Care in timescale", "%",
        "% of children whose Children in Care review in the month was within timescale (within 20 working "
        "days of coming into care, then 3 months, then every 6 months).",
        pct_meetings_in_time("cic_review"), "higher", decimals=1),
    KPI("iro_caseload", "IRO caseload", "children per FTE",
        "Children on a Child Protection plan or in care per Independent Reviewing Officer FTE in post "
        "(IRO Handbook: 50 to 70).", iro_caseload, "lower", target=70.0, target_text="70 or fewer (IRO Handbook)",
        decimals=1),
)

KPI_BY_ID: dict[str, KPI] = {kpi.id: kpi for kpi in KPIS}

OBJECTIVE_10_KPIS = (
    "sw_gaps_total", "sw_gaps_case_holding", "agency_sw", "pct_caseload_le_22",
    "unallocated", "unallocated_over_5d", "turnover_12m", "pct_children_3plus_sw_12m",
)
"""The plan's objective 10 monitoring measures, in the plan's order."""

PRIORITY_AREA_1_KPIS = (
    "pct_supervised_42d", "pct_visits_up_to_date", "pct_icpc_within_15wd", "pct_cp_reviews_in_time",
    "pct_cic_reviews_in_time", "iro_caseload",
)
"""Priority Area 1's capacity measures (objectives 5, 6 and 9), with the oversight layer on."""


def scorecard(snapshot: ServiceSnapshot) -> dict[str, float]:
    """Every KPI that has a value at this snapshot (flows have none at month 0)."""
    values = {}
    for kpi in KPIS:
        value = kpi.compute(snapshot)
        if value is not None:
            values[kpi.id] = float(value)
    return values
