"""Working days for time limits (Administrative Licensing Law art. 82).

Holidays and adjusted working weekends (调休) come from ``chinese_calendar``. Its data stops
at the year after its release; past that it raises ``NotImplementedError`` and we fall back
to Monday-Friday, marking any deadline computed over such days *provisional* so it can be
recomputed once the State Council notice is out and the library updated. An administrator
can override single days (a local closure, or a notice published before the library), and
an override always wins and is never provisional.

Dates are calendar dates in China Standard Time. A ``datetime`` passed by mistake is
converted to its CST date (naive ones are taken as CST wall time) rather than compared
as a different type.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import date, datetime, timedelta

import chinese_calendar

from core.clock import CST

_ONE_DAY = timedelta(days=1)


@functools.lru_cache(maxsize=8192)
def _library_is_workday(day: date) -> bool | None:
    """The library's answer, or None when the date is outside its data.

    Cached process-wide: the library re-scans its tables on every call, and deadlines are
    computed on request paths, usually over the same few months.
    """
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@functools.lru_cache(maxsize=1024)
def holiday_name(day: date) -> str | None:
    """The statutory holiday ``day`` belongs to, in Chinese (国庆节), or None (a weekend, a
    working day, or a date outside the library's data)."""
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if not is_holiday or name is None:
        return None
    found = next((h for h in chinese_calendar.Holiday if h.value == name), None)
    return str(found.chinese) if found is not None else None


def _as_date(value: date) -> date:
    if isinstance(value, datetime):
        return value.astimezone(CST).date() if value.tzinfo else value.date()
    return value


def _check_count(name: str, value: int) -> None:
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


class WorkCalendar:
    """Answers "is this a working day" and counts working days for deadlines."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides: dict[date, bool] = {
            _as_date(day): bool(is_work) for day, is_work in (overrides or {}).items()
        }

    def set_overrides(self, overrides: Mapping[date, bool]) -> None:
        """Replace the administrator's overrides (reloaded from the database while serving)."""
        self._overrides = {_as_date(day): bool(is_work) for day, is_work in overrides.items()}

    def _lookup(self, day: date) -> tuple[bool, bool]:
        """(is a working day, answer is authoritative)."""
        override = self._overrides.get(day)
        if override is not None:
            return override, True
        library = _library_is_workday(day)
        if library is not None:
            return library, True
        return day.weekday() < 5, False

    def is_workday(self, day: date) -> bool:
        return self._lookup(_as_date(day))[0]

    def is_covered(self, day: date) -> bool:
        """True when the answer for ``day`` is not a Monday-Friday guess."""
        return self._lookup(_as_date(day))[1]

    def add_workdays(self, start: date, n: int) -> tuple[date, bool]:
        """The n-th working day after ``start`` (``start`` itself not counted), provisional?

        ``n == 0`` gives ``start``. Provisional is True when any day walked over was a guess.
        """
        _check_count("n", n)
        day, provisional = _as_date(start), False
        while n > 0:
            day += _ONE_DAY
            is_work, covered = self._lookup(day)
            provisional = provisional or not covered
            if is_work:
                n -= 1
        return day, provisional

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative when ``b`` is before ``a`` (e.g. overdue)."""
        start, end = _as_date(a), _as_date(b)
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start
        while day < end:
            day += _ONE_DAY
            if self._lookup(day)[0]:
                count += 1
        return count

    def due_date(
        self,
        accepted_on: date,
        promised_days: int,
        paused_workdays: int = 0,
        extended_days: int = 0,
    ) -> tuple[date, bool]:
        """The deadline: promised working days after acceptance, plus pauses and extensions.

        Pauses (waiting for a supplement, suspension) and extensions are both in working
        days, so they simply lengthen the walk from the day after acceptance.
        """
        for name, value in (
            ("promised_days", promised_days),
            ("paused_workdays", paused_workdays),
            ("extended_days", extended_days),
        ):
            _check_count(name, value)
        return self.add_workdays(accepted_on, promised_days + paused_workdays + extended_days)
