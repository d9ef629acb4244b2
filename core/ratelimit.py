"""Fixed-window rate limits over the shared state (Redis when configured)."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import RateLimited
from core.ports import SharedState

RATE_PREFIX = "citysvc:rate:"


@dataclass(frozen=True)
class Limit:
    """At most ``hits`` per ``window`` seconds for one subject of limiter ``name``."""

    name: str
    hits: int
    window: float


async def enforce(state: SharedState, limit: Limit, subject: str) -> None:
    """Count one hit for ``subject``; RateLimited (429 with Retry-After) past the limit."""
    count, reset_in = await state.hit(f"{RATE_PREFIX}{limit.name}:{subject}", limit.window)
    if count > limit.hits:
        raise RateLimited(retry_after=max(reset_in, 1.0), details={"limit": limit.name})


def login_per_ip(hits_per_minute: int) -> Limit:
    """Citizen logins from one address (LOGIN_LIMIT_PER_IP): mobile carriers put many
    citizens behind one address, so this is a flood guard, not a per-person limit (WeChat
    itself limits each user to 100 logins a minute)."""
    return Limit("login-ip", hits=hits_per_minute, window=60)


STAFF_LOGIN_PER_IP = Limit("staff-login-ip", hits=20, window=60)
REALNAME_PER_CITIZEN = Limit("realname-citizen", hits=5, window=3600)
REALNAME_PER_IP = Limit("realname-ip", hits=20, window=3600)
SCORE_PER_CITIZEN = Limit("score-citizen", hits=30, window=60)
UPLOAD_PER_CITIZEN = Limit("upload-citizen", hits=20, window=60)
