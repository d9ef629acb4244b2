"""Plain builder functions for tests: settings, migrated databases, a running API."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sanic import Sanic

from core.clock import FrozenClock
from core.settings import Settings
from integrations.licences.sandbox import SandboxLicenceRegistry
from miniapp_api.app import create_app
from miniapp_api.server import RunningServer, start_server

Sanic.test_mode = True  # many apps per process; no signal handlers or motd
WECHAT_APPID = "wxdemo0000000001"
WECHAT_SECRET = "sandbox-secret-wechat"
ALIPAY_APPID = "2021000000000001"
SECRET_KEY = "test-secret-key-" + "x" * 32
PII_KEY = base64.b64encode(b"p" * 32).decode()


def migrate_with_cli(database_url: str) -> None:
    """Run `citysvc migrate` as an operator would, in a separate process."""
    env = dict(os.environ, DATABASE_URL=database_url)
    subprocess.run(
        [sys.executable, "-m", "citysvc", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "citysvc.sqlite3"
    shutil.copyfile(template, target)
    return f"sqlite://{target}"


async def fresh_postgres(base_url: str, template: str | None = None) -> str:
    """A new empty (or template-copied) database on the test server; returns its URL."""
    name = "t_" + uuid.uuid4().hex[:12]
    conn = await asyncpg.connect(base_url)
    try:
        suffix = f" TEMPLATE {template}" if template else ""
        await conn.execute(f"CREATE DATABASE {name}{suffix}")
    finally:
        await conn.close()
    return base_url.rsplit("/", 1)[0] + "/" + name


def env_for(database_url: str, **extra: str) -> dict[str, str]:
    env = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY, "PII_KEY": PII_KEY}
    env.update(extra)
    return env


def settings_for(database_url: str, **extra: str) -> Settings:
    return Settings.from_env(env_for(database_url, **extra))


@dataclass
class Api:
    """A running server and a client session pointed at it."""

    server: RunningServer
    http: aiohttp.ClientSession
    clock: FrozenClock

    @property
    def url(self) -> str:
        return self.server.url

    async def call(
        self, method: str, path: str, *, token: str | None = None, **kw: Any
    ) -> tuple[int, Any, aiohttp.ClientResponse]:
        headers = dict(kw.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self.http.request(method, self.url + path, headers=headers, **kw) as resp:
            body: Any
            if resp.content_type == "application/json":
                body = await resp.json()
            elif resp.content_type.startswith("text/"):
                body = await resp.text()
            else:
                body = await resp.read()
            return resp.status, body, resp


@asynccontextmanager
async def running_api(settings: Settings, clock: FrozenClock) -> AsyncIterator[Api]:
    # the tests' root: the e-licence registry is the sandbox (tests grant licences in it)
    app = create_app(settings, clock=clock, licences=SandboxLicenceRegistry())
    app.config.TOUCHUP = False  # Sanic's touch-up recompiles shared classes: once per process
    server = await start_server(app)
    try:
        async with aiohttp.ClientSession() as http:
            yield Api(server, http, clock)
    finally:
        await server.stop()
