"""The pure campaign rules: quiet hours (wrapping midnight), transitions, maker/checker."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from core.campaigns import rules
from core.clock import CST
from core.errors import Forbidden, InvalidInput, InvalidTransition

NIGHT = rules.QuietHours(time(21, 0), time(8, 0))
LUNCH = rules.QuietHours(time(12, 0), time(13, 30))


def at(hour: int, minute: int = 0, day: int = 26) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=CST)


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        (at(20, 59), False),
        (at(21, 0), True),
        (at(23, 59), True),
        (at(0, 0), True),
        (at(7, 59), True),
        (at(8, 0), False),
        (at(12, 0), False),
    ],
)
def test_window_wrapping_midnight(moment: datetime, quiet: bool) -> None:
    assert NIGHT.contains(moment) is quiet


def test_window_within_a_day_and_none() -> None:
    assert LUNCH.contains(at(12, 30)) and not LUNCH.contains(at(13, 30))
    assert not rules.QuietHours(time(9), time(9)).contains(at(9))
    assert rules.QuietHours(time(9), time(9)).next_start(at(9)) is None


def test_times_are_china_time_whatever_the_zone() -> None:
    utc_13 = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)  # 21:30 in China
    assert NIGHT.contains(utc_13)


def test_next_allowed_and_next_start() -> None:
    assert NIGHT.next_allowed(at(22)) == at(8, day=27)
    assert NIGHT.next_allowed(at(3)) == at(8)
    assert NIGHT.next_allowed(at(10)) == at(10)
    assert NIGHT.next_start(at(10)) == at(21)
    assert NIGHT.next_start(at(22)) == at(21, day=27)


def test_parse() -> None:
    assert rules.QuietHours.parse("21:00", "08:00") == NIGHT
    with pytest.raises(InvalidInput):
        rules.QuietHours.parse("9pm", "08:00")


def test_frequency_cap() -> None:
    assert not rules.over_cap(1, 2)
    assert rules.over_cap(2, 2)


def test_transitions() -> None:
    assert rules.move("draft", "approve") == "scheduled"
    assert rules.move("running", "pause") == "paused"
    assert rules.move("paused", "resume") == "scheduled"
    assert rules.move("paused", "resume", started=True) == "running"
    assert rules.move("running", "cancel") == "cancelled"
    for status, action in [("draft", "pause"), ("cancelled", "resume"), ("completed", "cancel")]:
        with pytest.raises(InvalidTransition) as caught:
            rules.move(status, action)
        assert caught.value.code == "invalid_transition"


def test_maker_checker() -> None:
    rules.check_approver(1, 2, "admin")
    with pytest.raises(Forbidden) as caught:
        rules.check_approver(1, 1, "publicity")
    assert caught.value.code == "self_approval"
    with pytest.raises(Forbidden):
        rules.check_approver(1, 2, "clerk")


def test_next_yearly() -> None:
    assert rules.next_yearly(at(9, day=26), "03-15") == datetime(2027, 3, 15, 9, tzinfo=CST)
    leap = datetime(2028, 2, 29, 9, tzinfo=CST)
    assert rules.next_yearly(leap, "02-29") == leap + timedelta(days=365)
