"""Alipay fixtures: key pairs once per session, a fresh sandbox and client per test."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor

import aiohttp
import pytest

from integrations.alipay.client import AlipayClient
from integrations.alipay.keys import KeyPair, generate_keypair
from integrations.alipay.sandbox import AlipaySandbox
from integrations.http import new_session

APPID = "2021000000000001"
OTHER_APPID = "2021000000000002"

MakeClient = Callable[..., AlipayClient]


@pytest.fixture(scope="session")
def app_keys() -> KeyPair:
    return generate_keypair()


@pytest.fixture(scope="session")
def other_keys() -> KeyPair:
    return generate_keypair()


@pytest.fixture(scope="session")
def gateway_keys() -> KeyPair:
    """The sandbox's "Alipay" key pair, generated once instead of per sandbox."""
    return generate_keypair()


@pytest.fixture
async def sandbox(
    app_keys: KeyPair, other_keys: KeyPair, gateway_keys: KeyPair
) -> AsyncIterator[AlipaySandbox]:
    async with AlipaySandbox(private_key_pem=gateway_keys.private_pem) as gateway:
        gateway.add_app(APPID, app_keys.public_pem)
        gateway.add_app(OTHER_APPID, other_keys.public_pem)
        yield gateway


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    http = new_session(timeout=5.0)
    yield http
    await http.close()


@pytest.fixture
async def make_client(
    session: aiohttp.ClientSession, sandbox: AlipaySandbox, app_keys: KeyPair
) -> AsyncIterator[MakeClient]:
    """Build clients against the sandbox; every one is closed after the test."""
    made: list[AlipayClient] = []

    def make(
        *,
        appid: str = APPID,
        gateway: str | None = None,
        private_pem: str | None = None,
        alipay_public_pem: str | None = None,
        http: aiohttp.ClientSession | None = None,
        executor: Executor | None = None,
    ) -> AlipayClient:
        client = AlipayClient(
            http or session,
            gateway or sandbox.gateway_url,
            appid,
            private_pem or app_keys.private_pem,
            alipay_public_pem or sandbox.alipay_public_key_pem,
            executor=executor,
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: MakeClient) -> AlipayClient:
    return make_client()


@pytest.fixture
def restore_tz() -> Iterator[None]:
    """Let a test change TZ; put the process's zone back afterwards."""
    before = os.environ.get("TZ")
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()
