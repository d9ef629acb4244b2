"""The API process's typed context (``app.ctx``), built once by ``miniapp_api.app``.

What needs no event loop is made in ``create_app``; what needs the database or open sockets
(``services`` and what hangs off the platform clients) in its ``before_server_start``
listener. Handlers read it through ``services(request)`` / ``app_context(request)`` and build
nothing themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from sanic import Request

from bot.official_account import OfficialAccountBot
from core.accounts.realname import RealnameService
from core.auth.sessions import Principal, SessionService
from core.cases.context import CaseContext
from core.errors import NotAuthenticated
from core.feedback.hub import BoardHub
from core.identity.models import Citizen
from core.pii import PiiCipher
from core.ports import Clock, IdentityVerifier, LicenceRegistry, TopicFeeds
from core.privacy.registry import PersonalData
from core.settings import Settings
from core.staff.models import StaffMember
from integrations.wiring import Platforms
from notifications.campaigns.delivery import OutboxCampaignDelivery
from notifications.feedback import FeedbackNotifier
from notifications.policy_sweep import PolicySweep
from notifications.templates import Registry


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


@dataclass
class AppContext:
    """Everything the API's handlers use, each built once per process."""

    settings: Settings
    clock: Clock
    licences: LicenceRegistry
    notify_registry: Registry
    personal_data: PersonalData
    campaign_delivery: OutboxCampaignDelivery
    # None: each configured platform's real provider (tests and the demo pass sandboxes)
    verifiers: Mapping[str, IdentityVerifier] | None = None
    # built at server start (they need the database, the loop or the platform clients)
    services: Services = field(init=False)
    feedback_notifier: FeedbackNotifier = field(init=False)
    policy_check: PolicySweep = field(init=False)
    topic_feeds: TopicFeeds = field(init=False)
    bot: OfficialAccountBot | None = field(init=False, default=None)
    board_hub: BoardHub = field(init=False)
    calendar_task: asyncio.Task[None] = field(init=False)
    openapi_document: dict[str, Any] | None = None  # made at the first /docs/openapi.json


def app_context(request: Request) -> AppContext:
    return cast(AppContext, request.app.ctx)


def services(request: Request) -> Services:
    return app_context(request).services


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
