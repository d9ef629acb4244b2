"""Time, injected: the domain asks a Clock for now instead of calling datetime.now()."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "Asia/Shanghai")


# Times a caller or a carrier may hand us: anything outside is a typo or an attack (year 1
# overflows when moved to UTC, and PostgreSQL has no year 0), never a real appointment.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def in_service_range(at: datetime) -> bool:
    """Whether ``at`` lies in the years this service can mean (judged on its own fields, so
    no offset arithmetic can overflow)."""
    return FIRST_YEAR <= at.year <= LAST_YEAR


class SystemClock:
    """The real clock, in China Standard Time."""

    def now(self) -> datetime:
        return datetime.now(CST)


class FrozenClock:
    """A clock for tests: it moves only when told to."""

    def __init__(self, at: datetime) -> None:
        self._at = at if at.tzinfo else at.replace(tzinfo=CST)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)

    def set(self, at: datetime) -> None:
        self._at = at if at.tzinfo else at.replace(tzinfo=CST)
