"""The Official Account push endpoint: signatures, safe mode, dedupe, and the 5-second rule.

WeChat signs every call with ``sha1(sorted(token, timestamp, nonce))``; in safe mode
(``encrypt_type=aes``) the body is encrypted and ``msg_signature`` also covers the
``Encrypt`` element, and only that signature is checked (the vendor's docs). A bad signature
raises ``SignatureInvalid`` (HTTP 401, like every other signed callback of this service)
before anything is parsed; so does a timestamp more than ``SKEW`` seconds off, since a
captured push could otherwise be replayed after its dedupe entry expired.

The plain signature covers no content: anyone holding one push's query string could post
any body under it. So with ``WECHAT_OA_AES_KEY`` set, every push must come in safe mode
(plain ones are refused), and in both modes each ``timestamp`` + ``nonce`` is taken once:
it is remembered in shared state for longer than the skew window, and a second push under
it is refused (WeChat signs each retry afresh). Plain mode is for an account without a key.

WeChat waits 5 seconds, then retries (3 tries in all). Each message is claimed once in
shared state (``FromUserName`` + ``MsgId``; events by ``FromUserName`` + ``CreateTime`` +
``Event``); a retry of a message already answered gets the same answer again, a retry of
one still being worked on gets ``success``. Work not done within ``budget`` seconds is
answered ``success`` at once and finished in the background: its answer goes out through
the customer-service message API when the Official Account's secret is configured, and is
recorded (``OaFollowUp``) either way.

Without REDIS_URL the claims live in each process: run one server process, or Redis.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Mapping
from typing import Any

from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException
from wechatpy.utils import check_signature

from bot import replies
from bot.conversation import Conversation, Inbound
from bot.utf8 import truncate_utf8
from core.errors import Malformed
from core.followers.models import OaFollowUp
from core.ports import Clock, SharedState
from integrations import keys
from integrations.errors import IntegrationError, SignatureInvalid
from integrations.wechat.client import WeChatClient

log = logging.getLogger("citysvc.bot.official_account")

SUCCESS = "success"
DEFAULT_BUDGET = 4.0  # seconds; WeChat gives up at 5 and the network takes its share
SKEW = 300.0  # seconds a push's timestamp may differ from our clock
DEDUPE_TTL = 900.0  # longer than the skew window: a replay is either deduped or stale
NONCE_TTL = 2 * SKEW + 60  # a timestamp is accepted SKEW either side of now
MAX_BODY = 64 * 1024
MAX_REPLY_BYTES = 2000  # text replies and customer-service texts hold 2,048 bytes
CUSTOM_SEND_PATH = "/cgi-bin/message/custom/send"


def _refuse(reason: str) -> SignatureInvalid:
    return SignatureInvalid(reason, platform="wechat_oa")


class FollowUps:
    """Delivers late answers: customer-service API when possible, recorded always."""

    def __init__(self, app_id: str, clock: Clock, client: WeChatClient | None) -> None:
        self.app_id = app_id
        self._clock = clock
        self.client = client

    async def deliver(self, open_id: str, text: str) -> OaFollowUp:
        text = truncate_utf8(text, MAX_REPLY_BYTES)
        status, error = "recorded", None
        if self.client is not None:
            payload = {"touser": open_id, "msgtype": "text", "text": {"content": text}}
            try:
                await self.client.call(CUSTOM_SEND_PATH, payload)
                status = "sent"
            except IntegrationError as exc:
                status, error = "failed", exc.message[:200]
        now = self._clock.now()
        return await OaFollowUp.create(
            app_id=self.app_id,
            open_id=open_id,
            text=text,
            status=status,
            error=error,
            created_at=now,
            sent_at=now if status == "sent" else None,
        )


class OfficialAccountBot:
    """One Official Account's endpoint logic, independent of the web framework."""

    def __init__(
        self,
        app_id: str,
        token: str,
        aes_key: str | None,
        conversation: Conversation,
        follow_ups: FollowUps,
        state: SharedState,
        clock: Clock,
        *,
        budget: float = DEFAULT_BUDGET,
    ) -> None:
        self.app_id = app_id
        self._token = token
        self._crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None
        self.conversation = conversation
        self.follow_ups = follow_ups
        self._state = state
        self._clock = clock
        self.budget = budget
        self._late: set[asyncio.Task[None]] = set()

    # -- verification ----------------------------------------------------------------

    def _check_fresh(self, query: Mapping[str, str]) -> None:
        try:
            sent_at = int(query.get("timestamp", ""))
        except ValueError as exc:
            raise _refuse("push without a valid timestamp") from exc
        if abs(self._clock.now().timestamp() - sent_at) > SKEW:
            raise _refuse("push timestamp too far from now")

    def _check_plain(self, query: Mapping[str, str]) -> None:
        try:
            check_signature(
                self._token,
                query.get("signature", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
            )
        except InvalidSignatureException as exc:
            raise _refuse("bad signature") from exc

    def verify_url(self, query: Mapping[str, str]) -> str:
        """``GET`` check when the URL is configured: echo ``echostr`` if signed by us."""
        self._check_plain(query)
        return query.get("echostr", "")

    def _open(self, query: Mapping[str, str], body: bytes) -> tuple[str, bool]:
        """The plain XML of a push and whether it came (and is answered) encrypted."""
        if len(body) > MAX_BODY:
            raise Malformed("The push is too large.")
        if query.get("encrypt_type", "raw") != "aes":
            if self._crypto is not None:
                raise _refuse("plain push while safe mode is configured")
            self._check_plain(query)
            self._check_fresh(query)
            return body.decode("utf-8", errors="replace"), False
        if self._crypto is None:
            raise _refuse("safe-mode push but WECHAT_OA_AES_KEY is not configured")
        try:
            xml = self._crypto.decrypt_message(
                body,
                query.get("msg_signature", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
            )
        except InvalidSignatureException as exc:
            raise _refuse("bad msg_signature") from exc
        except Exception as exc:  # bad XML, base64, padding or appid: not a push of ours
            raise Malformed("The encrypted push cannot be read.") from exc
        self._check_fresh(query)
        return str(xml), True

    async def _take_nonce(self, query: Mapping[str, str]) -> None:
        """Each signed ``timestamp`` + ``nonce`` is good for one push."""
        seen = (
            f"{keys.BOT_NONCE}{self.app_id}:{query.get('timestamp', '')}:{query.get('nonce', '')}"
        )
        if await self._state.acquire(seen, NONCE_TTL) is None:
            raise _refuse("replayed push (timestamp and nonce already used)")

    # -- answering -------------------------------------------------------------------

    async def handle(self, query: Mapping[str, str], body: bytes) -> tuple[str, str]:
        """Answer one push: ``(body, content type)`` within ``budget`` seconds."""
        xml, encrypted = self._open(query, body)
        await self._take_nonce(query)
        message = _parse(xml)
        inbound = _inbound(message)
        seen = f"{self.app_id}:{_dedupe_id(message)}"
        if await self._state.acquire(keys.BOT_SEEN + seen, DEDUPE_TTL) is None:
            earlier = await self._state.get(keys.BOT_REPLY + seen)
            return self._render(earlier, message, encrypted)
        work = asyncio.create_task(self._reply_text(inbound))
        done, _ = await asyncio.wait({work}, timeout=self.budget)
        if not done:
            log.info("answer not ready within %.1f s; following up later", self.budget)
            late = asyncio.create_task(self._answer_late(inbound.open_id, work))
            self._late.add(late)
            late.add_done_callback(self._late.discard)
            return SUCCESS, "text/plain"
        text = work.result()
        if text:
            await self._state.set(keys.BOT_REPLY + seen, text, DEDUPE_TTL)
        return self._render(text, message, encrypted)

    async def _reply_text(self, inbound: Inbound) -> str | None:
        try:
            return await self.conversation.reply(inbound)
        except Exception:  # the user gets an apology, never silence or a 500
            log.exception("conversation failed")
            return replies.BUSY

    async def _answer_late(self, open_id: str, work: asyncio.Task[str | None]) -> None:
        text = await work
        if text:
            await self.follow_ups.deliver(open_id, text)

    def _render(self, text: str | None, message: Any, encrypted: bool) -> tuple[str, str]:
        if not text:
            return SUCCESS, "text/plain"
        xml = str(create_reply(truncate_utf8(text, MAX_REPLY_BYTES), message, render=True))
        if encrypted and self._crypto is not None:
            now = str(int(self._clock.now().timestamp()))
            xml = str(self._crypto.encrypt_message(xml, secrets.token_hex(8), now))
        return xml, "application/xml"

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for answers still being worked on (tests; graceful shutdown)."""
        if self._late:
            await asyncio.wait(set(self._late), timeout=timeout)

    async def close(self) -> None:
        for task in list(self._late):
            task.cancel()
        await self.drain(timeout=1.0)


def _parse(xml: str) -> Any:
    try:
        message = parse_message(xml)
    except Exception as exc:  # xmltodict/expat errors and missing elements alike
        raise Malformed("The push is not a WeChat message.") from exc
    if message is None or not message.source:
        raise Malformed("The push is not a WeChat message.")
    return message


def _dedupe_id(message: Any) -> str:
    """``MsgId`` for messages; ``FromUserName:CreateTime`` for events (their id is 0).

    The sender is part of both keys (a MsgId is only as unique as WeChat keeps it, and a
    reply cached under it must never reach someone else), and an event's name is added:
    a retry repeats it, while a follow and an unfollow in the same second are two pushes.
    """
    if message.id:
        return f"{message.source}:{message.id}"
    data = message._data
    return f"{message.source}:{data.get('CreateTime', '')}:{data.get('Event', '')}"


def _inbound(message: Any) -> Inbound:
    if message.type == "text":
        return Inbound(message.source, "text", content=str(message.content or ""))
    if message.type == "event":
        event = str(message.event or "")
        # "subscribe_scan" (followed through a QR code) is a subscription too
        return Inbound(
            message.source, "event", event="subscribe" if event.startswith("subscribe") else event
        )
    return Inbound(message.source, "other")
