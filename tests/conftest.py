"""Fixtures shared by the whole suite.

Real servers only: ``make test`` starts Redis and PostgreSQL on loopback and exports
CITYSVC_TEST_REDIS_URL and CITYSVC_TEST_POSTGRES_URL. Outside ``make test`` a test that
needs one is skipped; under CI it fails instead, so a missing server never passes silently.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis


def _server_url(var: str) -> str:
    url = os.environ.get(var)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{var} is not set: make test starts the server and sets it")
        pytest.skip(f"{var} not set (run through make test)")
    return url


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """A real Redis, flushed before each test that asks for it."""
    url = _server_url("CITYSVC_TEST_REDIS_URL")
    client = aioredis.Redis.from_url(url)
    await client.flushdb()
    await client.aclose()
    yield url


@pytest.fixture
def postgres_url() -> str:
    """The base URL of a real PostgreSQL server (a database the suite may recreate)."""
    return _server_url("CITYSVC_TEST_POSTGRES_URL")


# --- the application under test -------------------------------------------------------

from datetime import datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from core.cases import audit_keys  # noqa: E402
from core.clock import CST, FrozenClock  # noqa: E402
from integrations.alipay.sandbox import AlipaySandbox  # noqa: E402
from integrations.wechat.sandbox import WeChatSandbox  # noqa: E402
from tests import harness  # noqa: E402
from tests.rsa_keys import app_keypair  # noqa: E402


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated by the real CLI; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    harness.migrate_with_cli(f"sqlite://{path}")
    return path


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    return harness.sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture(autouse=True)
def audit_keyed() -> None:
    """Entries written outside an app (core tests, the worker's jobs) are keyed as the
    app's are: the harness's SECRET_KEY."""
    audit_keys.configure(audit_keys.audit_keys(harness.SECRET_KEY, None))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 26, 10, 0, tzinfo=CST))


@pytest.fixture
async def wechat() -> AsyncIterator[WeChatSandbox]:
    async with WeChatSandbox() as sandbox:
        sandbox.add_app(harness.WECHAT_APPID, harness.WECHAT_SECRET)
        yield sandbox


@pytest.fixture
async def alipay() -> AsyncIterator[AlipaySandbox]:
    _, public_pem = app_keypair()
    async with AlipaySandbox() as sandbox:
        sandbox.add_app(harness.ALIPAY_APPID, public_pem)
        yield sandbox


@pytest.fixture
def platform_env(wechat: WeChatSandbox, alipay: AlipaySandbox) -> dict[str, str]:
    private_pem, _ = app_keypair()
    return {
        "WECHAT_MINIAPP_APPID": harness.WECHAT_APPID,
        "WECHAT_MINIAPP_SECRET": harness.WECHAT_SECRET,
        "WECHAT_API_BASE": wechat.base_url,
        "ALIPAY_APPID": harness.ALIPAY_APPID,
        "ALIPAY_APP_PRIVATE_KEY": private_pem,
        "ALIPAY_PUBLIC_KEY": alipay.alipay_public_key_pem,
        "ALIPAY_GATEWAY": alipay.gateway_url,
    }


@pytest.fixture
async def api(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock
) -> AsyncIterator[harness.Api]:
    settings = harness.settings_for(database_url, **platform_env)
    async with harness.running_api(settings, clock) as running:
        yield running


@pytest.fixture(scope="session")
def postgres_template() -> str:
    """A database migrated once by the real CLI; tests copy it with CREATE DATABASE TEMPLATE."""
    import asyncio

    base = _server_url("CITYSVC_TEST_POSTGRES_URL")
    url = asyncio.run(harness.fresh_postgres(base))
    harness.migrate_with_cli(url)
    return url.rsplit("/", 1)[1]


@pytest.fixture
async def pg_api(
    postgres_template: str, platform_env: dict[str, str], clock: FrozenClock
) -> AsyncIterator[harness.Api]:
    """The app on its own fresh PostgreSQL database."""
    base = _server_url("CITYSVC_TEST_POSTGRES_URL")
    url = await harness.fresh_postgres(base, template=postgres_template)
    settings = harness.settings_for(url, **platform_env)
    async with harness.running_api(settings, clock) as running:
        yield running


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses PostgreSQL is marked so make test runs it in the PostgreSQL process."""
    for item in items:
        if {"pg_api", "postgres_url", "postgres_template"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)
