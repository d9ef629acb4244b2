"""Session tokens: signed (HS256 JWT), expiring, and revocable through their session row."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import jwt

from core.auth.models import Session
from core.errors import NotAuthenticated
from core.ports import Clock

_ALGORITHM = "HS256"


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
        claims = self._decode(token)
        session = await Session.get_or_none(id=claims["sid"])
        now = self._clock.now()
        if session is None or session.revoked_at is not None or session.expires_at <= now:
            raise NotAuthenticated(
                "Your session has ended; please log in again.", code="session_expired"
            )
        return Principal(session.kind, session.subject_id, session.id, session.platform)

    async def revoke(self, session_id: str) -> None:
        await Session.filter(id=session_id, revoked_at=None).update(revoked_at=self._clock.now())

    async def revoke_all(self, kind: str, subject_id: str) -> None:
        await Session.filter(kind=kind, subject_id=subject_id, revoked_at=None).update(
            revoked_at=self._clock.now()
        )

    def _decode(self, token: str) -> dict[str, str]:
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
            raise NotAuthenticated(
                "Your session has ended; please log in again.", code="session_expired"
            )
        return {k: str(v) for k, v in claims.items()}
