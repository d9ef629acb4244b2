"""Session tokens: HMAC-signed, expiring, and revocable through their session row.

A token is ``<session id>.<kind>.<expiry>.<signature>``: the session id names the server-side
row (revocation takes effect at once on every worker), the expiry lets a stale token be refused
without a database read, and the signature is HMAC-SHA256 with SECRET_KEY. It is checked on
every request, so it is deliberately small: a JWT library spent a fifth of the score query's
time decoding and validating headers we do not need.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from core.auth.models import Session
from core.db import fetch
from core.errors import NotAuthenticated, SessionIdle
from core.ports import Clock
from core.rows import as_datetime

_SESSION_SQL = (
    "SELECT kind, subject_id, platform, created_at, expires_at, revoked_at, last_seen_at "
    "FROM session WHERE id = ?"
)
# a staff session's last use is written at most once a minute, not on every request
TOUCH_EVERY = timedelta(seconds=60)
KINDS = frozenset({"citizen", "staff"})


@dataclass(frozen=True)
class Principal:
    """Who is calling: a citizen or a staff member, through which session."""

    kind: str
    subject_id: str
    session_id: str
    platform: str | None = None


class SessionService:
    """Issues and checks tokens. ``secret`` is SECRET_KEY; ``ttl`` is seconds;
    ``staff_idle`` (seconds, 0 = never) ends a staff session unused that long."""

    def __init__(self, secret: str, ttl: int, clock: Clock, staff_idle: int = 0) -> None:
        key = hashlib.sha256(b"citysvc session tokens\0" + secret.encode()).digest()
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)
        # a citizen polling a case sends the same token again and again: the answer of this
        # pure check is remembered (bounded; expiry and revocation are still judged each time)
        self._signed = functools.lru_cache(maxsize=20_000)(self._signature_ok)
        self._ttl = ttl
        self._clock = clock
        self._staff_idle = timedelta(seconds=staff_idle)

    async def issue(self, kind: str, subject_id: str, platform: str | None = None) -> str:
        now = self._clock.now()
        session = await Session.create(
            id=secrets.token_hex(16),
            kind=kind,
            subject_id=subject_id,
            platform=platform,
            created_at=now,
            expires_at=now + timedelta(seconds=self._ttl),
        )
        return self.sign(session)

    def sign(self, session: Session) -> str:
        """The token of an existing session row."""
        body = f"{session.id}.{session.kind}.{int(session.expires_at.timestamp())}"
        return f"{body}.{self._mac(body)}"

    def _mac(self, body: str) -> str:
        mac = self._keyed.copy()  # the keyed state is computed once, not per token
        mac.update(body.encode())
        digest = mac.digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def _signature_ok(self, token: str) -> bool:
        body, _, signature = token.rpartition(".")
        return hmac.compare_digest(self._mac(body), signature)

    def claims(self, token: str) -> dict[str, str]:
        """``sid`` and ``kind`` once the signature and expiry check out (no database read)."""
        parts = token.split(".")
        if len(parts) != 4 or parts[1] not in KINDS or not token.isascii():
            raise NotAuthenticated("The session token is not valid.", code="invalid_token")
        if not parts[2].isdigit() or not self._signed(token):
            raise NotAuthenticated("The session token is not valid.", code="invalid_token")
        # expiry is judged against the injected clock, not the machine's, so tests control it
        if int(parts[2]) <= int(self._clock.now().timestamp()):
            raise _ended()
        return {"sid": parts[0], "kind": parts[1]}

    async def check(self, token: str) -> Principal:
        """The principal behind ``token``; NotAuthenticated for anything else."""
        claims = self.claims(token)
        rows = await fetch(_SESSION_SQL, [claims["sid"]])  # on every request: no ORM overhead
        session = rows[0] if rows else None
        if session is None:
            raise _ended()
        self.ensure_live(session)
        if session["kind"] == "staff" and self._staff_idle:
            await self._still_in_use(claims["sid"], session)
        return Principal(session["kind"], session["subject_id"], claims["sid"], session["platform"])

    def ensure_live(self, session: dict[str, Any]) -> None:
        """Raise unless the session row (``revoked_at``, ``expires_at``) is still live."""
        if session["revoked_at"] is not None:
            raise _ended()
        if as_datetime(session["expires_at"]) <= self._clock.now():
            raise _ended()

    async def _still_in_use(self, session_id: str, session: dict[str, Any]) -> None:
        """Staff sessions end after ``staff_idle`` without a request (GB/T 22239 level 3);
        each use moves the mark on, written at most every ``TOUCH_EVERY``."""
        now = self._clock.now()
        seen = as_datetime(session["last_seen_at"] or session["created_at"])
        if now - seen >= self._staff_idle:
            raise SessionIdle()
        if now - seen >= TOUCH_EVERY:
            await Session.filter(id=session_id).update(last_seen_at=now)

    async def revoke(self, session_id: str) -> None:
        await Session.filter(id=session_id, revoked_at=None).update(revoked_at=self._clock.now())

    async def revoke_all(self, kind: str, subject_id: str) -> None:
        await Session.filter(kind=kind, subject_id=subject_id, revoked_at=None).update(
            revoked_at=self._clock.now()
        )


def _ended() -> NotAuthenticated:
    return NotAuthenticated("Your session has ended; please log in again.", code="session_expired")
