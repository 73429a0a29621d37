"""Working days: weekends and England bank holidays do not count."""

from datetime import date

import pytest

from capacity_model.engine.day_plan import BACKDATED, CLOCKS_RUN_OUT
from capacity_model.scenario.calendar import WorkingCalendar, add_months

# Monday 6 April 2020; Good Friday 10 April and Easter Monday 13 April are bank holidays.
CAL = WorkingCalendar(date(2020, 4, 6), 400)


def test_bank_holidays_and_weekends_are_not_working_days():
    assert CAL.is_working_day(0)  # Monday 6 April
    assert not CAL.is_working_day(4)  # Good Friday
    assert not CAL.is_working_day(5)  # Saturday
    assert not CAL.is_working_day(7)  # Easter Monday
    assert not CAL.is_working_day(CAL.day_of(date(2020, 5, 8)))  # VE day, the moved May bank holiday
    assert CAL.is_working_day(CAL.day_of(date(2020, 5, 4)))  # the usual May Day was worked in 2020


@pytest.mark.parametrize("working_days, expected", [(1, date(2020, 4, 7)), (3, date(2020, 4, 9)),
                                                    (4, date(2020, 4, 14)), (5, date(2020, 4, 15))])
def test_adding_working_days_skips_the_easter_weekend(working_days, expected):
    end = CAL.add_working_days(0.3, working_days, at=CLOCKS_RUN_OUT)
    assert CAL.date_of(end) == expected
    assert CAL.working_days_between(0.3, end) == working_days


@pytest.mark.parametrize("working_days", [0, 1, 4, 10, 20])
def test_clock_ends_for_every_day_are_those_added_one_at_a_time(working_days):
    ends, offset = CAL.clock_ends(working_days, at=CLOCKS_RUN_OUT)
    assert len(ends) == CAL._n  # the whole calendar, the look-back and the years past the horizon included
    for day in range(-offset, len(ends) - offset):
        assert ends[offset + day] == CAL.add_working_days(day, working_days, at=CLOCKS_RUN_OUT), day
    # from Monday 6 April 2020, over the Easter weekend (and the 4 May, worked in 2020)
    expected = {0: date(2020, 4, 6), 1: date(2020, 4, 7), 4: date(2020, 4, 14), 10: date(2020, 4, 22),
                20: date(2020, 5, 6)}
    assert CAL.date_of(ends[offset]) == expected[working_days]
    listed, same_offset = CAL.clock_end_list(working_days, at=CLOCKS_RUN_OUT)  # the same ends, as a list kept
    assert (listed, same_offset) == (ends.tolist(), offset)
    assert CAL.clock_end_list(working_days, at=CLOCKS_RUN_OUT)[0] is listed


@pytest.mark.parametrize("start", [0, 4, 5])
def test_working_days_from_a_day_are_those_counted_one_at_a_time(start):
    plan = list(CAL.working_days_from(start))
    days = [day for day in range(start, CAL._n - CAL._offset) if CAL.is_working_day(day)]
    assert [day for day, _, _ in plan] == days[:-1]  # every working day, to the one before the calendar's last
    for day, count, following in plan:
        assert count == CAL.working_days_between(0.0, day + 0.5)
        assert following > day and CAL.is_working_day(following)
        assert not any(CAL.is_working_day(between) for between in range(day + 1, following))
    # Thursday 9 April (3 working days after Monday 6th) is followed by Tuesday 14th, the 4th
    first = {0: (0, 0, 1), 4: (8, 4, 9), 5: (8, 4, 9)}[start]
    assert plan[0] == first
    assert (3, 3, 8) in plan if start == 0 else all(day >= 8 for day, _, _ in plan)


def test_subtracting_is_the_inverse_of_counting():
    for k in (1, 5, 20, 45):
        start = CAL.subtract_working_days(30.2, k, at=BACKDATED)
        assert CAL.working_days_between(start, 30.2) == k


def test_waits_count_whole_working_days_after_the_referral_day():
    # referred Monday morning, seen at the end of Thursday: Tue, Wed, Thu
    assert CAL.working_days_between(0.4, 3.99) == 3
    # referred on the Thursday before Easter, seen on the Tuesday after: Tuesday only
    assert CAL.working_days_between(3.4, 8.5) == 1


def test_next_meeting_day_skips_bank_holidays():
    monday = frozenset([0])
    assert CAL.date_of(CAL.next_day_on(1, monday)) == date(2020, 4, 20)  # 13 April is Easter Monday


def test_add_months_clips_to_month_end():
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    assert add_months(date(2020, 3, 1), 24) == date(2022, 3, 1)
    assert add_months(date(2020, 11, 15), 3) == date(2021, 2, 15)
