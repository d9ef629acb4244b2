"""Time, injected: the domain asks a Clock for now instead of calling datetime.now()."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "Asia/Shanghai")


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
