"""A WeChat Official Account follower as WeChat's servers present it: signed pushes,
encrypted with wechatpy's ``WeChatCrypto`` in safe mode, and replies read back."""

from __future__ import annotations

import base64
import hashlib
import itertools
import secrets
import time
from datetime import datetime
from typing import Any

import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from bot import replies
from core.clock import CST
from core.knowledge.importer import import_kb
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests import harness
from tests.bot.test_knowledge import demo_rows

OA_APPID = "wxoa000000000001"
TOKEN = "bot-token-1"
AES_KEY = base64.b64encode(b"k" * 32).decode().rstrip("=")
OA_ID = "gh_0123456789ab"
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=CST)
_MSG_IDS = itertools.count(6_000_000_000_000_000_001)  # WeChat's MsgIds are 64-bit


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class Follower:
    """An Official Account user, seen through what WeChat's servers send for them."""

    def __init__(self, api: harness.Api, open_id: str | None = None, *, safe: bool = True) -> None:
        self.api = api
        self.open_id = open_id or "oOA" + secrets.token_hex(12)
        self.safe = safe
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, OA_APPID)

    def _xml(self, fields: dict[str, Any]) -> str:
        created = int(self.api.clock.now().timestamp())
        base = {"ToUserName": OA_ID, "FromUserName": self.open_id, "CreateTime": created}
        return str(xmltodict.unparse({"xml": base | fields}, full_document=False))

    def text_xml(self, content: str, msg_id: int | None = None) -> str:
        msg_id = msg_id or next(_MSG_IDS)
        return self._xml({"MsgType": "text", "Content": content, "MsgId": msg_id})

    def event_xml(self, event: str) -> str:
        return self._xml({"MsgType": "event", "Event": event})

    def query(self, xml: str, timestamp: int | None = None) -> tuple[dict[str, str], str]:
        """The query string and body WeChat would send for ``xml``."""
        stamp = str(timestamp or int(self.api.clock.now().timestamp()))
        nonce = secrets.token_hex(5)
        query = {"timestamp": stamp, "nonce": nonce, "openid": self.open_id}
        query["signature"] = signature(TOKEN, stamp, nonce)
        if not self.safe:
            return query, xml
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, stamp))["xml"]
        body = xmltodict.unparse(
            {"xml": {"ToUserName": OA_ID, "Encrypt": sealed["Encrypt"]}}, full_document=False
        )
        return query | {"encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}, body

    async def send(self, query: dict[str, str], body: str) -> tuple[int, Any, float]:
        """POST as WeChat does; (status, body, seconds taken)."""
        started = time.monotonic()
        status, answer, _ = await self.api.call("POST", "/bot/wechat", params=query, data=body)
        if isinstance(answer, bytes):  # the reply XML (application/xml)
            answer = answer.decode("utf-8")
        return status, answer, time.monotonic() - started

    async def push(self, xml: str) -> tuple[int, Any, float]:
        return await self.send(*self.query(xml))

    def read(self, body: str) -> str:
        """The text of a reply (decrypted and its signature checked in safe mode)."""
        assert body != "success", "no passive reply"
        xml = body
        if self.safe:
            outer = xmltodict.parse(body)["xml"]
            xml = self.crypto.decrypt_message(
                body, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"]
            )
        reply = parse_message(xml)
        assert (reply.source, reply.target) == (OA_ID, self.open_id)
        return str(reply.content)

    async def say(self, content: str) -> str:
        status, body, _ = await self.push(self.text_xml(content))
        assert status == 200, body
        return self.read(body)


async def import_demo_kb() -> None:
    report = await import_kb(list(demo_rows()), "demo_kb.json", NOW)
    assert report.rejected == 0


async def linked(api: harness.Api, wechat: WeChatSandbox, follower: Follower) -> str:
    """A citizen logged in to the mini-program, bound to ``follower``; their token."""
    token = await b.citizen_token(api, wechat)
    status, body, _ = await api.call("POST", "/api/v1/me/oa-binding-code", token=token)
    assert status == 201, body
    assert await follower.say(f"绑定 {body['code']}") == replies.BIND_DONE
    return token
