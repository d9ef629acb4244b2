"""The campaign rules, pure: quiet hours, send slots, the frequency cap, status moves.

Times of day are China Standard Time. A quiet window ``start``-``end`` may wrap past
midnight (21:00-08:00, the default); ``start == end`` means no quiet hours at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from core.clock import CST
from core.errors import Forbidden, InvalidInput, InvalidTransition

DEFAULT_QUIET = (time(21, 0), time(8, 0))
PUBLICITY_ROLES = frozenset({"publicity", "admin"})

# action -> (statuses it may start from, status it leads to); "resume" is decided below
MOVES: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({"draft"}), "scheduled"),
    "pause": (frozenset({"scheduled", "running"}), "paused"),
    "resume": (frozenset({"paused"}), "scheduled"),
    "cancel": (frozenset({"draft", "scheduled", "running", "paused"}), "cancelled"),
    "start": (frozenset({"scheduled"}), "running"),
    "complete": (frozenset({"running"}), "completed"),
}


@dataclass(frozen=True)
class QuietHours:
    """A daily window (China time) in which campaigns send nothing."""

    start: time
    end: time

    @classmethod
    def parse(cls, start: str, end: str) -> QuietHours:
        """From ``HH:MM`` texts; InvalidInput ``invalid_quiet_hours`` otherwise."""
        try:
            return cls(time.fromisoformat(start), time.fromisoformat(end))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                "quiet_hours.start and .end must be times such as 21:00.",
                code="invalid_quiet_hours",
            ) from exc

    def contains(self, at: datetime) -> bool:
        """Whether ``at`` falls inside the quiet window."""
        clock = at.astimezone(CST).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end  # wraps past midnight

    def next_allowed(self, at: datetime) -> datetime:
        """``at`` itself when sending is allowed, else the end of the quiet window."""
        if not self.contains(at):
            return at
        local = at.astimezone(CST)
        end = datetime.combine(local.date(), self.end, CST)
        return end if end > local else end + timedelta(days=1)

    def next_start(self, at: datetime) -> datetime | None:
        """When the next quiet window begins after ``at`` (None without quiet hours)."""
        if self.start == self.end:
            return None
        local = at.astimezone(CST)
        start = datetime.combine(local.date(), self.start, CST)
        return start if start > local else start + timedelta(days=1)


def over_cap(already: int, cap: int) -> bool:
    """Whether one more campaign message would exceed ``cap`` for a citizen who got
    ``already`` of them in the window."""
    return already >= cap


def move(status: str, action: str, started: bool = False) -> str:
    """The status after ``action``; InvalidTransition (409) when ``status`` forbids it.

    A resumed campaign goes back to ``running`` when it had started, else ``scheduled``.
    """
    allowed, target = MOVES[action]
    if status not in allowed:
        raise InvalidTransition(
            f"'{action}' is not allowed for a {status} campaign.",
            details={"status": status, "action": action},
        )
    if action == "resume" and started:
        return "running"
    return target


def check_role(role: str) -> None:
    """Only publicity staff and administrators work on campaigns."""
    if role not in PUBLICITY_ROLES:
        raise Forbidden(
            "Only publicity staff or administrators manage campaigns.", code="forbidden"
        )


def check_approver(author_id: int, approver_id: int, approver_role: str) -> None:
    """Maker/checker: a second publicity or admin user approves, never the author."""
    check_role(approver_role)
    if author_id == approver_id:
        raise Forbidden(
            "A campaign is approved by someone other than its author.", code="self_approval"
        )


def next_yearly(send_at: datetime, recurrence: str) -> datetime:
    """The same ``MM-DD`` and time of day in the year after ``send_at`` (29 Feb -> 28 Feb)."""
    month, day = (int(part) for part in recurrence.split("-"))
    local = send_at.astimezone(CST)
    year = local.year + 1
    if (month, day) == (2, 29) and not _leap(year):
        day = 28
    return local.replace(year=year, month=month, day=day)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
