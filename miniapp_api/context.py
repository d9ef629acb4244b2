"""What every handler needs, attached once to ``app.ctx.services`` at server start."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from sanic import Request

from core.auth.sessions import Principal, SessionService
from core.cases.context import CaseContext
from core.errors import NotAuthenticated
from core.identity.models import Citizen
from core.identity.realname import RealnameService
from core.pii import PiiCipher
from core.ports import Clock
from core.privacy.registry import PersonalData
from core.settings import Settings
from core.staff.models import StaffMember
from integrations.wiring import Platforms


@dataclass
class Services:
    settings: Settings
    clock: Clock
    platforms: Platforms
    sessions: SessionService
    cipher: PiiCipher
    cases: CaseContext
    realname: RealnameService
    personal_data: PersonalData = field(default_factory=PersonalData)


def services(request: Request) -> Services:
    return cast(Services, request.app.ctx.services)


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated()
    return token.strip()


async def authenticated(request: Request, kind: str = "citizen") -> Principal:
    """The caller, who must hold a live session of ``kind``; else 401."""
    principal = await services(request).sessions.check(bearer_token(request))
    if principal.kind != kind:
        raise NotAuthenticated("This token cannot be used here.", code="wrong_token_kind")
    return principal


async def current_staff(request: Request) -> StaffMember:
    """The staff member behind the token; 401 when the account was removed or disabled."""
    principal = await authenticated(request, "staff")
    member = await StaffMember.get_or_none(id=int(principal.subject_id), active=True)
    if member is None:
        raise NotAuthenticated("This staff account is no longer active.", code="account_closed")
    return member


async def current_citizen(request: Request) -> Citizen:
    principal = await authenticated(request)
    citizen = await Citizen.get_or_none(id=principal.subject_id, closed_at=None)
    if citizen is None:
        raise NotAuthenticated("This account no longer exists.", code="account_closed")
    return citizen
