"""The WeCom group-robot webhook, spoken with aiohttp (wechatpy has no robot client).

``POST {base}/cgi-bin/webhook/send?key=KEY`` with ``{"msgtype": "markdown", "markdown":
{"content": ...}}``. The key is a secret: it is the whole credential of the robot, so it
never appears in a log line or an exception message (only a short fingerprint does).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import aiohttp

from integrations.errors import Permanent, Retryable
from integrations.http import transport_errors

log = logging.getLogger("citysvc.integrations.wecom")

PLATFORM = "wecom"
SEND_PATH = "/cgi-bin/webhook/send"
MARKDOWN_MAX_BYTES = 4096
TEXT_MAX_BYTES = 2048
INVALID_KEY = 93000
FREQUENCY_LIMIT = 45009
TOO_LONG = 40058
BUSY = -1


def fingerprint(key: str) -> str:
    """A short, non-reversible name of a robot key for logs and shared-state keys."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class WeComRobotClient:
    """Sends markdown to group robots; errors split into Retryable and Permanent."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self._session = session
        self._base = base_url.rstrip("/")

    def __repr__(self) -> str:
        return f"WeComRobotClient(base_url={self._base!r})"

    async def send_markdown(self, key: str, content: str) -> None:
        """Send one markdown message (at most 4,096 bytes of UTF-8; checked before sending)."""
        size = len(content.encode("utf-8"))
        if not content or size > MARKDOWN_MAX_BYTES:
            raise Permanent(
                f"markdown must be 1 to {MARKDOWN_MAX_BYTES} bytes, got {size}",
                platform=PLATFORM,
                platform_code=TOO_LONG,
            )
        payload = {"msgtype": "markdown", "markdown": {"content": content}}
        body = await self._post(key, payload)
        _raise_for_errcode(body, fingerprint(key))

    async def _post(self, key: str, payload: dict[str, Any]) -> dict[str, Any]:
        with transport_errors(PLATFORM):
            async with self._session.post(
                self._base + SEND_PATH, params={"key": key}, json=payload
            ) as resp:
                status, text = resp.status, await resp.text(errors="replace")
        if status != 200:
            raise Retryable(f"wecom answered HTTP {status}", platform=PLATFORM)
        try:
            body = json.loads(text)
        except ValueError as exc:
            raise Retryable("wecom answered non-JSON", platform=PLATFORM) from exc
        if not isinstance(body, dict):
            raise Retryable("wecom answered non-object JSON", platform=PLATFORM)
        return body


def _raise_for_errcode(body: dict[str, Any], robot: str) -> None:
    errcode = body.get("errcode")
    if errcode == 0:
        return
    log.warning("wecom robot %s answered errcode %s", robot, errcode)
    if errcode == FREQUENCY_LIMIT:
        raise Retryable(
            "wecom robot over 20 messages a minute",
            platform=PLATFORM,
            platform_code=errcode,
            retry_after=60.0,
        )
    if errcode == BUSY or not isinstance(errcode, int):
        raise Retryable("wecom is busy", platform=PLATFORM, platform_code=errcode)
    reason = "invalid robot key" if errcode == INVALID_KEY else "wecom refused the message"
    raise Permanent(reason, platform=PLATFORM, platform_code=errcode)
