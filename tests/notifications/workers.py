"""Real ``citysvc worker`` processes for the crash and multi-worker tests, and bulk messages."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from core.clock import CST
from core.outbox.models import LONG_TERM, MILESTONE_LANE, QUEUED, OutboxMessage
from integrations.wechat.sandbox import WeChatSandbox
from tests import harness

TEMPLATE = "tmpl-bulk"
KEYS = ["character_string1", "thing2"]


async def seed_messages(wechat: WeChatSandbox, count: int, users: int = 100) -> None:
    """``count`` due WeChat messages to ``users`` openids holding long-term consent.

    Long-term consent lets a resent message be accepted again, so a duplicate shows up
    in the sandbox instead of hiding behind 43101. Each message carries its own number.
    """
    wechat.add_template(TEMPLATE, KEYS, long_term=True)
    openids = [wechat.add_user(harness.WECHAT_APPID) for _ in range(users)]
    for openid in openids:
        wechat.grant_consent(openid, TEMPLATE, long_term=True)
    now = datetime.now(CST)
    due = int(time.time() * 1000)
    rows = [
        OutboxMessage(
            key=f"bulk:{i}",
            lane=MILESTONE_LANE,
            citizen_id=uuid.uuid4(),
            event="application.accepted",
            channel="wechat",
            recipient=openids[i % users],
            template_id=TEMPLATE,
            page="pages/case/detail",
            data={"character_string1": f"M{i:06d}", "thing2": "测试消息"},
            context={},
            consent=LONG_TERM,
            status=QUEUED,
            next_attempt_at=due,
            created_at=now,
        )
        for i in range(count)
    ]
    await OutboxMessage.bulk_create(rows, batch_size=2000)


def received(wechat: WeChatSandbox) -> Counter[str]:
    """How many times the sandbox accepted each message (by its number)."""
    return Counter(str(m["data"]["character_string1"]["value"]) for m in wechat.sent)


def worker_env(database_url: str, wechat: WeChatSandbox, **extra: str) -> dict[str, str]:
    env = harness.env_for(
        database_url,
        WECHAT_MINIAPP_APPID=harness.WECHAT_APPID,
        WECHAT_MINIAPP_SECRET=harness.WECHAT_SECRET,
        WECHAT_API_BASE=wechat.base_url,
        NOTIFY_WECHAT_RATE="1000000",
        **extra,
    )
    return {**os.environ, **env}


class Worker:
    """``python -m citysvc worker`` in its own process; its log goes to a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self._log = log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "citysvc", "worker"],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """``kill -9``: no clean-up of any kind."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        """SIGTERM, as an operator stops it."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)
        self._log.close()


async def wait_for(
    condition: Callable[[], Awaitable[bool]], timeout: float, what: str, every: float = 0.05
) -> None:
    """Check ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)


async def statuses() -> dict[str, int]:
    rows = await OutboxMessage.all().values_list("status", flat=True)
    return dict(Counter(str(s) for s in rows))
