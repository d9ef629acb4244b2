"""Session tokens: signed (HS256 JWT), expiring, and revocable through their session row."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from datetime import timedelta

import jwt

from core.auth.models import Session
from core.db import fetch
from core.errors import NotAuthenticated
from core.ports import Clock
from core.rows import as_datetime

_ALGORITHM = "HS256"
_SESSION_SQL = "SELECT kind, subject_id, platform, expires_at, revoked_at FROM session WHERE id = ?"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a citizen or a staff member, through which session."""

    kind: str
    subject_id: str
    session_id: str
    platform: str | None = None


class SessionService:
    """Issues and checks tokens. ``secret`` is SECRET_KEY; ``ttl`` is seconds."""

    def __init__(self, secret: str, ttl: int, clock: Clock) -> None:
        self._secret = secret
        self._ttl = ttl
        self._clock = clock

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
        claims = {
            "sid": session.id,
            "sub": subject_id,
            "knd": kind,
            "iat": int(now.timestamp()),
            "exp": int(session.expires_at.timestamp()),
        }
        return jwt.encode(claims, self._secret, algorithm=_ALGORITHM)

    async def check(self, token: str) -> Principal:
        """The principal behind ``token``; NotAuthenticated for anything else."""
        claims = self.claims(token)
        rows = await fetch(_SESSION_SQL, [claims["sid"]])  # on every request: no ORM overhead
        session = rows[0] if rows else None
        if session is None:
            raise _ended()
        self.ensure_live(session)
        return Principal(session["kind"], session["subject_id"], claims["sid"], session["platform"])

    def ensure_live(self, session: dict[str, Any]) -> None:
        """Raise unless the session row (``revoked_at``, ``expires_at``) is still live."""
        if session["revoked_at"] is not None:
            raise _ended()
        if as_datetime(session["expires_at"]) <= self._clock.now():
            raise _ended()

    async def revoke(self, session_id: str) -> None:
        await Session.filter(id=session_id, revoked_at=None).update(revoked_at=self._clock.now())

    async def revoke_all(self, kind: str, subject_id: str) -> None:
        await Session.filter(kind=kind, subject_id=subject_id, revoked_at=None).update(
            revoked_at=self._clock.now()
        )

    def claims(self, token: str) -> dict[str, str]:
        """The token's claims once its signature and expiry check out (no database read)."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                options={
                    "require": ["sid", "sub", "knd", "exp"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise NotAuthenticated("The session token is not valid.", code="invalid_token") from exc
        # expiry is judged against the injected clock, not the machine's, so tests control it
        if int(claims["exp"]) <= int(self._clock.now().timestamp()):
            raise _ended()
        return {k: str(v) for k, v in claims.items()}


def _ended() -> NotAuthenticated:
    return NotAuthenticated("Your session has ended; please log in again.", code="session_expired")
