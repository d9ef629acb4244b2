"""Working-day arithmetic for deadlines.

Expectations are computed by hand from the State Council notice 国办发明电〔2025〕7号
(关于2026年部分节假日安排的通知, 2025-11-04):
  春节 2月15日(周日)至23日(周一)放假调休; 2月14日(周六)、2月28日(周六)上班.
  中秋节 9月25日(周五)至27日(周日)放假.
  国庆节 10月1日(周四)至7日(周三)放假调休; 9月20日(周日)、10月10日(周六)上班.
Weekdays: 2026-02-01 and 2026-03-01 are Sundays, 2026-09-01 a Tuesday, 2026-10-01 a
Thursday, 2027-01-01 a Friday, 2027-03-01 a Monday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.cases.workdays import WorkCalendar

D = date
CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 2, 13), True),  # Friday before the Spring Festival
        (D(2026, 2, 14), True),  # Saturday, adjusted working day
        (D(2026, 2, 15), False),
        (D(2026, 2, 17), False),  # Tuesday, Spring Festival
        (D(2026, 2, 21), False),
        (D(2026, 2, 23), False),  # Monday, last day off
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, adjusted working day
        (D(2026, 3, 1), False),
        (D(2026, 3, 7), False),  # ordinary Saturday
        (D(2026, 3, 9), True),  # ordinary Monday
        (D(2026, 9, 20), True),  # Sunday, adjusted working day
        (D(2026, 9, 25), False),  # Friday, Mid-Autumn Festival
        (D(2026, 10, 1), False),
        (D(2026, 10, 7), False),  # Wednesday, National Day
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday, adjusted working day
        (D(2026, 10, 11), False),
    ],
)
def test_is_workday_2026(day: date, expected: bool) -> None:
    assert CAL.is_workday(day) is expected
    assert CAL.is_covered(day)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Spring Festival
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # the adjusted Saturday counts
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 16), 1, D(2026, 2, 24)),  # accepted during the holiday
        (D(2026, 2, 12), 5, D(2026, 2, 26)),  # 13, 14, 24, 25, 26
        (D(2026, 2, 24), 4, D(2026, 2, 28)),  # 25, 26, 27, Sat 28
        (D(2026, 2, 24), 5, D(2026, 3, 2)),
        (D(2026, 2, 9), 20, D(2026, 3, 13)),
        # Mid-Autumn and National Day
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # the adjusted Sunday counts
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # Friday 25th is Mid-Autumn
        (D(2026, 9, 25), 1, D(2026, 9, 28)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # 8, 9, Sat 10
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        (D(2026, 9, 18), 10, D(2026, 10, 9)),  # 20-24, 28-30, Oct 8, 9
        (D(2026, 10, 2), 1, D(2026, 10, 8)),
        (D(2026, 3, 2), 0, D(2026, 3, 2)),
    ],
)
def test_add_workdays_across_2026_holidays(start: date, n: int, expected: date) -> None:
    assert CAL.add_workdays(start, n) == (expected, False)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2026, 2, 13), D(2026, 2, 28), 6),  # 14, 24, 25, 26, 27, 28
        (D(2026, 2, 15), D(2026, 2, 23), 0),
        (D(2026, 9, 30), D(2026, 10, 12), 4),  # 8, 9, 10, 12
        (D(2026, 10, 12), D(2026, 9, 30), -4),  # overdue: negative
        (D(2026, 3, 2), D(2026, 3, 2), 0),
        (D(2026, 3, 6), D(2026, 3, 9), 1),  # Friday to Monday: the Monday
    ],
)
def test_workdays_between(a: date, b: date, expected: int) -> None:
    assert CAL.workdays_between(a, b) == expected


def test_override_makes_a_day_off_and_a_day_on() -> None:
    calendar = WorkCalendar({D(2026, 3, 10): False, D(2026, 3, 14): True})
    assert not calendar.is_workday(D(2026, 3, 10))
    assert calendar.add_workdays(D(2026, 3, 9), 1) == (D(2026, 3, 11), False)
    # Wed 11, Thu 12, Fri 13, Sat 14 (overridden to work)
    assert calendar.add_workdays(D(2026, 3, 10), 4) == (D(2026, 3, 14), False)
    assert CAL.add_workdays(D(2026, 3, 9), 1) == (D(2026, 3, 10), False)


def test_2027_falls_back_to_monday_to_friday_provisionally() -> None:
    assert not CAL.is_covered(D(2027, 3, 5))
    assert CAL.is_workday(D(2027, 3, 5)) and not CAL.is_workday(D(2027, 3, 6))
    # Fri 2027-03-05 + 5: Mon 8 .. Fri 12
    assert CAL.add_workdays(D(2027, 3, 5), 5) == (D(2027, 3, 12), True)
    # New Year's Day 2027 is a Friday; without data it is guessed to be a working day.
    assert CAL.add_workdays(D(2026, 12, 30), 1) == (D(2026, 12, 31), False)
    assert CAL.add_workdays(D(2026, 12, 30), 2) == (D(2027, 1, 1), True)


def test_overrides_make_future_days_authoritative() -> None:
    calendar = WorkCalendar({D(2027, 1, 1): False, D(2027, 1, 4): True})
    assert calendar.is_covered(D(2027, 1, 1)) and not calendar.is_covered(D(2027, 1, 2))
    # Sat 2 and Sun 3 are still guesses, so the answer stays provisional.
    assert calendar.add_workdays(D(2026, 12, 31), 1) == (D(2027, 1, 4), True)
    only_overridden = WorkCalendar({D(2027, 1, 1): True})
    assert only_overridden.add_workdays(D(2026, 12, 31), 1) == (D(2027, 1, 1), False)


@pytest.mark.parametrize(
    ("promised", "paused", "extended", "expected"),
    [
        (5, 0, 0, D(2026, 3, 9)),  # Mar 3, 4, 5, 6, 9
        (5, 2, 0, D(2026, 3, 11)),
        (5, 0, 10, D(2026, 3, 23)),  # 15 working days
        (5, 2, 10, D(2026, 3, 25)),  # 17 working days
    ],
)
def test_due_date_with_pauses_and_extensions(
    promised: int, paused: int, extended: int, expected: date
) -> None:
    assert CAL.due_date(D(2026, 3, 2), promised, paused, extended) == (expected, False)


def test_due_date_over_the_spring_festival() -> None:
    # Accepted Mon 2026-02-09, 20 working days promised: see the add_workdays table.
    assert CAL.due_date(D(2026, 2, 9), 20) == (D(2026, 3, 13), False)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_workdays(D(2026, 3, 2), -1)
    with pytest.raises(ValueError):
        CAL.due_date(D(2026, 3, 2), 5, paused_workdays=-1)


def test_datetimes_are_read_as_china_standard_time_dates() -> None:
    # 2026-02-13 17:00 UTC is already Saturday 14 February 01:00 in Beijing.
    late_friday_utc = datetime(2026, 2, 13, 17, 0, tzinfo=UTC)
    assert CAL.add_workdays(late_friday_utc, 1) == (D(2026, 2, 24), False)


def test_sixty_working_days_walk_is_consistent_with_counting() -> None:
    start = D(2026, 1, 5)
    due, provisional = CAL.add_workdays(start, 60)
    assert not provisional
    assert CAL.workdays_between(start, due) == 60
    assert CAL.is_workday(due)
    assert CAL.workdays_between(start, due - timedelta(days=1)) == 59
