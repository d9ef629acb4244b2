"""Fixtures for identity services: a migrated database, a cipher and builders."""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest

from core.cases.models import Application
from core.db import close_db, init_db
from core.identity.models import Citizen, PlatformAccount
from core.pii import PiiCipher
from core.uploads.models import Upload
from tests import harness


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    await init_db(database_url)
    yield database_url
    await close_db()


@pytest.fixture
def cipher() -> PiiCipher:
    return PiiCipher.from_env_value(harness.PII_KEY)


def random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


async def make_citizen(platform: str = "wechat", open_id: str | None = None) -> Citizen:
    citizen = await Citizen.create()
    await PlatformAccount.create(
        citizen=citizen,
        platform=platform,
        app_id="app",
        open_id=open_id or "o" + secrets.token_hex(8),
    )
    return citizen


async def make_case(
    citizen_id: Any,
    now: datetime,
    *,
    status: str = "submitted",
    agent_id: Any = None,
    address_enc: str | None = None,
    materials: list[dict[str, str]] | None = None,
) -> Application:
    return await Application.create(
        number="C" + secrets.token_hex(6),
        citizen_id=citizen_id,
        agent_id=agent_id,
        item_code="ITEM",
        item_version_id=1,
        department_code="D1",
        status=status,
        materials=materials or [],
        delivery_method="ems" if address_enc else "pickup",
        delivery_address_enc=address_enc,
        promised_days=5,
        legal_days=20,
        created_at=now,
        updated_at=now,
    )


async def make_upload(owner_id: Any) -> Upload:
    return await Upload.create(
        id=uuid.uuid4().hex, owner_id=owner_id, content_type="image/png", size=1, sha256="0" * 64
    )
