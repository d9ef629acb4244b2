"""A faithful fake of the WeCom group-robot webhook, over real HTTP on loopback.

``POST /cgi-bin/webhook/send?key=KEY`` answers like WeCom: ``errcode`` 0 when sent, 93000
for an unknown key, 45009 past 20 messages in 60 seconds for one key (counted over a
sliding window, the strictest reading of "20 a minute"), 40058 for markdown over 4,096
bytes (text over 2,048). Where the vendor's docs is silent: an unreadable body answers 40035,
an unknown ``msgtype`` 40008, empty content 44004. Every accepted message is recorded
with the sandbox clock's time, which tests inject; it imports nothing of our client.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from integrations.loopback import LoopbackServer

SEND = "/cgi-bin/webhook/send"
LIMIT_PER_MINUTE = 20
WINDOW = 60.0
MAX_BYTES = {"markdown": 4096, "text": 2048}

Body = dict[str, Any]


@dataclass(frozen=True)
class Received:
    """One message the robot posted in its group."""

    key: str
    msgtype: str
    content: str
    at: float


def _err(errcode: int, errmsg: str) -> Body:
    return {"errcode": errcode, "errmsg": f"{errmsg}, hint: [{secrets.token_hex(6)}]"}


class WeComSandbox(LoopbackServer):
    """The fake WeCom server: ``async with WeComSandbox() as wecom: wecom.base_url``."""

    def __init__(
        self, *, now: Callable[[], float] = time.time, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.now = now
        super().__init__(host, port)
        self.keys: set[str] = set()
        self.received: list[Received] = []
        self.refused: Counter[int] = Counter()  # errcode -> how many calls it answered
        self._recent: dict[str, deque[float]] = {}
        self._faults: list[int] = []

    def routes(self, app: web.Application) -> None:
        app.router.add_post(SEND, self._send)

    # -- test helpers ----------------------------------------------------------------

    def add_robot(self, key: str | None = None) -> str:
        """A robot added to a group; returns its webhook key."""
        key = key or f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(6)}"
        self.keys.add(key)
        return key

    def fail_next(self, errcode: int, count: int = 1) -> None:
        """The next ``count`` sends answer ``errcode`` (e.g. -1 busy) and post nothing."""
        self._faults.extend([errcode] * count)

    def messages(self, key: str) -> list[Received]:
        return [m for m in self.received if m.key == key]

    def per_minute(self, key: str) -> dict[int, int]:
        """Messages of ``key`` by clock minute (``int(at // 60)``)."""
        return dict(Counter(int(m.at // 60) for m in self.messages(key)))

    def busiest_window(self, key: str, window: float = WINDOW) -> int:
        """The most messages of ``key`` inside any ``window`` seconds (a sliding count)."""
        times = sorted(m.at for m in self.messages(key))
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    # -- the webhook -----------------------------------------------------------------

    async def _send(self, request: web.Request) -> web.Response:
        answer = self._judge(request.query.get("key", ""), await request.text())
        if answer["errcode"]:
            self.refused[answer["errcode"]] += 1
        return web.json_response(answer)

    def _judge(self, key: str, raw: str) -> Body:
        if key not in self.keys:
            return _err(93000, "invalid webhook url")
        if self._faults:
            return _err(self._faults.pop(0), "injected fault")
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _err(40035, "invalid parameter")
        msgtype = body.get("msgtype")
        if msgtype not in MAX_BYTES:
            return _err(40008, "invalid message type")
        part = body.get(msgtype)
        content = part.get("content") if isinstance(part, dict) else None
        if not isinstance(content, str) or not content:
            return _err(44004, "empty content")
        if len(content.encode("utf-8")) > MAX_BYTES[msgtype]:
            return _err(40058, f"{msgtype}.content exceed max length {MAX_BYTES[msgtype]}")
        if not self._allow(key):
            return _err(45009, "api freq out of limit")
        self.received.append(Received(key, msgtype, content, self.now()))
        return {"errcode": 0, "errmsg": "ok"}

    def _allow(self, key: str) -> bool:
        recent = self._recent.setdefault(key, deque())
        now = self.now()
        while recent and now - recent[0] >= WINDOW:
            recent.popleft()
        if len(recent) >= LIMIT_PER_MINUTE:
            return False
        recent.append(now)
        return True
