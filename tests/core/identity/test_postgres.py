"""The identity services on PostgreSQL: real concurrency, real UUID and JSON columns."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from core.accounts.closing import close_account
from core.accounts.realname import RealnameService
from core.cases.models import Application
from core.clock import FrozenClock
from core.db import close_db, init_db
from core.errors import Conflict
from core.identity.models import Citizen, PlatformAccount
from core.pii import PiiCipher
from core.uploads.models import Upload
from integrations.identity.sandbox import SandboxIdentityVerifier
from integrations.state import MemoryState
from miniapp_api.app import personal_data
from tests import harness
from tests.core.identity.conftest import make_case, make_citizen, make_upload

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg(postgres_url: str) -> AsyncIterator[str]:
    url = await harness.fresh_postgres(postgres_url)
    await asyncio.to_thread(harness.migrate_with_cli, url)
    # Tortoise caches each model's SQL under the connection name, whatever the dialect:
    # emptied on both sides so this test also runs in a process that has used SQLite.
    EXECUTOR_CACHE.clear()
    await init_db(url)
    yield url
    await close_db()
    EXECUTOR_CACHE.clear()


async def test_verify_join_and_close_on_postgres(
    pg: str, clock: FrozenClock, cipher: PiiCipher, tmp_path: Path
) -> None:
    verifier = SandboxIdentityVerifier(MemoryState(), auto_pass=True)
    service = RealnameService(clock, cipher, {"wechat": verifier, "alipay": verifier})
    holder, joiner = await make_citizen("wechat"), await make_citizen("alipay")
    first, _ = await service.start(holder, "wechat", "张三", "11010519491231002X")
    assert await service.confirm(str(holder.id), str(first.id)) == str(holder.id)
    case = await make_case(
        joiner.id,
        clock.now(),
        status="collected",
        address_enc=cipher.encrypt("{}", context="application.address"),
    )
    upload = await make_upload(joiner.id)
    second, _ = await service.start(joiner, "alipay", "张三", "11010519491231002x")

    results = await asyncio.gather(
        *(service.confirm(str(joiner.id), str(second.id)) for _ in range(3)), return_exceptions=True
    )

    assert sorted(map(str, results)).count(str(holder.id)) == 1
    assert sum(isinstance(r, Conflict) for r in results) == 2
    assert (await Application.get(id=case.id)).citizen_id == holder.id
    assert await PlatformAccount.filter(citizen_id=holder.id).count() == 2

    await close_account(str(holder.id), clock.now(), tmp_path, personal_data())
    assert (await Application.get(id=case.id)).delivery_address_enc is None
    assert not await Upload.filter(id=upload.id).exists()
    closed = await Citizen.get(id=holder.id)
    assert closed.closed_at is not None and closed.id_number_index is None
