"""Fixtures for the shipping services: a migrated database, the sandbox carrier, a client."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest

from core.cases.context import CaseContext
from core.cases.models import Application, AuditEntry, Milestone
from core.cases.workdays import WorkCalendar
from core.clock import FrozenClock
from core.db import close_db, init_db
from core.pii import PiiCipher
from integrations.http import new_session
from integrations.licences.sandbox import SandboxLicenceRegistry
from integrations.tracking.client import Kuaidi100Client
from integrations.tracking.sandbox import CarrierSandbox
from tests import harness

CUSTOMER, KEY = "SANDBOXCUSTOMER01", "sandbox-kuaidi100-key"
# nothing listens on the discard port: pushes to it are recorded by the sandbox as undelivered
UNREACHABLE = "http://127.0.0.1:9/webhooks/tracking"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    await init_db(database_url)
    yield database_url
    await close_db()


@pytest.fixture
def ctx(clock: FrozenClock) -> CaseContext:
    cipher = PiiCipher.from_env_value(harness.PII_KEY)
    return CaseContext(clock, WorkCalendar(), cipher, SandboxLicenceRegistry())


@pytest.fixture
async def carrier(clock: FrozenClock) -> AsyncIterator[CarrierSandbox]:
    async with CarrierSandbox(now=clock.now) as sandbox:
        sandbox.add_account(CUSTOMER, KEY)
        yield sandbox


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with new_session(timeout=5.0) as session:
        yield session


@pytest.fixture
def tracker(http: aiohttp.ClientSession, carrier: CarrierSandbox) -> Kuaidi100Client:
    return Kuaidi100Client(http, carrier.base_url, CUSTOMER, KEY, UNREACHABLE, harness.SECRET_KEY)


async def make_case(
    ctx: CaseContext,
    *,
    status: str = "approved",
    method: str = "ems",
    department: str = "GA",
    citizen: uuid.UUID | None = None,
) -> Application:
    now = ctx.clock.now()
    return await Application.create(
        number="C" + secrets.token_hex(6),
        citizen_id=citizen or uuid.uuid4(),
        item_code="ITEM",
        item_version_id=1,
        department_code=department,
        status=status,
        delivery_method=method,
        promised_days=5,
        legal_days=20,
        created_at=now,
        updated_at=now,
    )


async def events_of(case: Application, event: str) -> int:
    return await Milestone.filter(application_id=case.id, event=event).count()


async def moves_of(case: Application, action: str) -> int:
    return await AuditEntry.filter(application_id=case.id, action=action).count()
