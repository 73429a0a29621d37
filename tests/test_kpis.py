"""Each KPI definition on a small case worked out by hand."""

import math

import pytest

from capacity_model.measures import kpis
from capacity_model.measures import KPI_BY_ID, KPIS, OBJECTIVE_10_KPIS, CaseHolder, ServiceSnapshot, scorecard


def snapshot(**fields) -> ServiceSnapshot:
    base = dict(
        case_holders=[
            CaseHolder("a", "experienced", 1.0, 22),
            CaseHolder("a", "experienced", 1.0, 23),
            CaseHolder("a", "newly_qualified", 1.0, 15),
            CaseHolder("b", "agency", 1.0, 30),
            CaseHolder("b", "experienced", 0.5, 10, long_term_absent=True),
        ],
        establishment_fte=6.0,
        establishment_case_holding_fte=5.0,
        unallocated_waits=[(1, 0), (2, 5), (3, 6), (1, 20)],
        open_children={"assessment": 20, "cin": 40, "cp": 10, "cic": 30},
        children_in_stage={"assessment": 0, "cin": 1, "cp": 3, "cic": 3},
        children_many_social_workers_12m={"assessment": 0, "cin": 0, "cp": 3, "cic": 1},
        permanent_leavers_fte_12m=1.5,
        mean_permanent_fte_12m=10.0,
        assessments_completed=[(10, 12), (45, 45), (46, 50), (30, 46)],  # working days from start, from referral
        referrals=(40, 10),
    )
    base.update(fields)
    return ServiceSnapshot(**base)


def test_gaps_count_permanent_fte_only():
    s = snapshot()
    # permanent FTE in post: 1 + 1 + 1 + 0.5 (the absent worker is still in post)
    assert kpis.sw_gaps_total(s) == pytest.approx(6.0 - 3.5)
    assert kpis.sw_gaps_case_holding(s) == pytest.approx(5.0 - 3.5)


def test_agency_headcount_and_rates():
    s = snapshot()
    assert kpis.agency_sw(s) == 1
    assert kpis.agency_rate(s) == pytest.approx(100 * 1.0 / 4.5)
    # team managers are social workers in post too
    assert kpis.agency_rate(snapshot(non_case_holding_in_post_fte=1.5)) == pytest.approx(100 * 1.0 / 6.0)
    gaps = 6.0 - 3.5
    assert kpis.vacancy_rate(s) == pytest.approx(100 * gaps / (gaps + 3.5))


def test_caseload_share_excludes_long_term_absent_and_counts_22_as_within():
    # working holders: 22, 23, 15, 30 -> 22 and 15 are within the standard
    assert kpis.pct_caseload_le_22(snapshot()) == pytest.approx(50.0)
    assert kpis.average_caseload(snapshot()) == pytest.approx((22 + 23 + 15 + 30) / 4.0)


def test_unallocated_counts_children_and_waits_strictly_over_five_working_days():
    s = snapshot()
    assert kpis.unallocated(s) == 7
    assert kpis.unallocated_over_5d(s) == 4  # the families that waited 6 and 20 days


def test_turnover_is_leavers_over_mean_permanent_fte():
    assert kpis.turnover_12m(snapshot()) == pytest.approx(15.0)
    assert kpis.turnover_12m(snapshot(mean_permanent_fte_12m=0.0)) is None


def test_three_or_more_social_workers_weighted_by_children():
    # children with 3+ workers: 3 + 1 of 7
    assert kpis.pct_children_3plus_sw_12m(snapshot()) == pytest.approx(100 * 4 / 7)
    # in care: 2 children with 2 workers, 1 with 4
    assert kpis.pct_cic_3plus_sw_12m(snapshot()) == pytest.approx(100 * 1 / 3)


def test_assessments_within_45_working_days_include_the_45th_day():
    assert kpis.pct_assessments_within_45wd(snapshot()) == pytest.approx(75.0)  # from the assessment's start
    assert kpis.pct_assessments_within_45wd_of_referral(snapshot()) == pytest.approx(50.0)  # the wait included
    assert kpis.pct_assessments_within_45wd(snapshot(assessments_completed=[])) is None


def test_open_children_include_the_unallocated():
    assert kpis.open_children_total(snapshot()) == 100 + 7


def test_rereferral_share():
    assert kpis.pct_rereferrals_12m(snapshot()) == pytest.approx(25.0)


def test_flows_are_absent_at_month_zero():
    values = scorecard(snapshot(assessments_completed=None, referrals=None))
    assert "pct_assessments_within_45wd" not in values
    assert "referrals_in_month" not in values
    assert values["unallocated"] == 7


def test_every_kpi_is_defined_once_with_label_and_unit():
    ids = [k.id for k in KPIS]
    assert len(ids) == len(set(ids))
    assert set(OBJECTIVE_10_KPIS) <= set(KPI_BY_ID)
    for kpi in KPIS:
        assert kpi.label and kpi.unit and kpi.definition
    assert KPI_BY_ID["unallocated_over_5d"].target == 0
    assert KPI_BY_ID["average_caseload"].target == 22


def test_empty_service_gives_no_caseload_share():
    s = snapshot(case_holders=[], children_in_stage={"cin": 0}, children_many_social_workers_12m={"cin": 0})
    assert kpis.pct_caseload_le_22(s) is None
    assert kpis.pct_children_3plus_sw_12m(s) is None
    assert not math.isnan(kpis.sw_gaps_total(s))
