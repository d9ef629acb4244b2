"""The WeChat mini-program server API, spoken with aiohttp.

wechatpy's HTTP client is synchronous and pins ``https://api.weixin.qq.com/``, so the calls
are made here against ``base_url`` (the real API or ``WeChatSandbox``). Every answer passes
through ``errors.raise_for_errcode``; every transport failure through ``transport_errors``.
Secrets (app secret, access token, session_key) travel in requests and answers but are
never logged: log lines carry the path and the errcode only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from core.errors import InvalidLoginCode
from core.ports import PlatformIdentity, SharedState
from integrations.errors import Retryable, TokenExpired
from integrations.http import transport_errors
from integrations.wechat import errors
from integrations.wechat.token import AccessTokenManager

log = logging.getLogger("citysvc.integrations.wechat")

PLATFORM = "wechat"
MAX_CODE_LENGTH = 128  # real codes are 32 characters; anything far longer is not a code
CERT_TYPE = "IDENTITY_CARD"
FACE_PASSED = 10000

PHONE_PATH = "/wxa/business/getuserphonenumber"
SUBSCRIBE_PATH = "/cgi-bin/message/subscribe/send"
OA_TEMPLATE_PATH = "/cgi-bin/message/template/send"  # Official Account template message
FACE_ID_PATH = "/cityservice/face/identify/getverifyid"
FACE_QUERY_PATH = "/cityservice/face/identify/queryverifyinfo"


class WeChatClient:
    """One mini-program's server API; implements ``core.ports.PlatformLogin``.

    ``now`` is the wall clock the token cache measures expiry on (injectable for tests).
    """

    platform = PLATFORM

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        appid: str,
        secret: str,
        state: SharedState,
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self.appid = appid
        self._secret = secret
        self.tokens = AccessTokenManager(state, self.stable_token, appid, now=now)

    def __repr__(self) -> str:
        return f"WeChatClient(appid={self.appid!r}, base_url={self._base!r})"  # no secret

    async def login(self, code: str) -> PlatformIdentity:
        """Exchange a wx.login code (jscode2session) for the user's identity."""
        if not code or len(code) > MAX_CODE_LENGTH or not code.isprintable():
            raise InvalidLoginCode()
        params = {
            "appid": self.appid,
            "secret": self._secret,
            "js_code": code,
            "grant_type": "authorization_code",
        }
        body = await self._send("GET", "/sns/jscode2session", errors.LOGIN, params=params)
        openid = body.get("openid")
        if not isinstance(openid, str) or not openid:
            raise Retryable("wechat login answered without an openid", platform=PLATFORM)
        unionid = body.get("unionid")
        session_key = body.get("session_key")
        return PlatformIdentity(
            platform=PLATFORM,
            open_id=openid,
            union_id=unionid if isinstance(unionid, str) and unionid else None,
            session_key=session_key if isinstance(session_key, str) else None,
        )

    async def stable_token(self) -> tuple[str, int]:
        """Fetch the stable access token: ``(token, expires_in)``. Used by ``tokens``."""
        payload = {
            "grant_type": "client_credential",
            "appid": self.appid,
            "secret": self._secret,
            "force_refresh": False,
        }
        body = await self._send("POST", "/cgi-bin/stable_token", "stable_token", json_body=payload)
        token, expires_in = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise Retryable("wechat stable_token answered without a token", platform=PLATFORM)
        return token, expires_in

    async def call(
        self, path: str, payload: dict[str, Any], *, context: str | None = None
    ) -> dict[str, Any]:
        """POST to an access-token API; on a rejected token refresh once and retry once.

        ``context`` names the call for ``errors.raise_for_errcode`` (default: the path).
        """
        context = context or path
        token = await self.tokens.get()
        try:
            return await self._send("POST", path, context, json_body=payload, token=token)
        except TokenExpired:
            log.info("wechat %s: access token rejected, refreshing once", path)
            await self.tokens.invalidate(token)
        token = await self.tokens.get()
        return await self._send("POST", path, context, json_body=payload, token=token)

    async def get_phone_number(self, code: str) -> str:
        """The phone number behind a phone-button code (valid 5 minutes, once)."""
        if not code or len(code) > MAX_CODE_LENGTH or not code.isprintable():
            raise InvalidLoginCode(errors.bad_code_message(errors.PHONE))
        body = await self.call(PHONE_PATH, {"code": code}, context=errors.PHONE)
        info = body.get("phone_info")
        number = info.get("phoneNumber") if isinstance(info, dict) else None
        if not isinstance(number, str) or not number:
            raise Retryable("wechat answered without a phone number", platform=PLATFORM)
        return number

    async def send_subscribe_message(
        self,
        touser: str,
        template_id: str,
        data: Mapping[str, str],
        page: str | None,
        miniprogram_state: str = "formal",
        lang: str = "zh_CN",
    ) -> None:
        """Send one subscribe message; ``data`` maps template keys to plain values."""
        payload: dict[str, Any] = {
            "touser": touser,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
            # the vendor's docs: always send these two, never rely on the platform's defaults.
            "miniprogram_state": miniprogram_state,
            "lang": lang,
        }
        if page:
            payload["page"] = page
        await self.call(SUBSCRIBE_PATH, payload)

    async def send_template_message(
        self,
        touser: str,
        template_id: str,
        data: Mapping[str, str],
        page: str | None,
        *,
        miniprogram_appid: str | None = None,
    ) -> None:
        """Send one Official Account template message (this client holds the OA's appid).

        ``page`` opens in the mini-program ``miniprogram_appid`` when both are given. A
        follower who unfollowed answers 43004, raised as ``Permanent`` like any refusal.
        """
        payload: dict[str, Any] = {
            "touser": touser,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if page and miniprogram_appid:
            payload["miniprogram"] = {"appid": miniprogram_appid, "pagepath": page}
        await self.call(OA_TEMPLATE_PATH, payload)

    async def face_get_verify_id(
        self, out_seq_no: str, openid: str, name: str, id_number: str
    ) -> str:
        """Start a face verification; the mini-program passes the verify_id to WeChat."""
        cert_info = {"cert_type": CERT_TYPE, "cert_name": name, "cert_no": id_number}
        payload = {"out_seq_no": out_seq_no, "cert_info": cert_info, "openid": openid}
        body = await self.call(FACE_ID_PATH, payload)
        verify_id = body.get("verify_id")
        if not isinstance(verify_id, str) or not verify_id:
            raise Retryable("wechat answered without a verify_id", platform=PLATFORM)
        return verify_id

    async def face_query(
        self, verify_id: str, out_seq_no: str, openid: str, name: str, id_number: str
    ) -> bool:
        """Whether the user passed: only ``errcode == 0 and verify_ret == 10000`` counts."""
        payload = {
            "verify_id": verify_id,
            "out_seq_no": out_seq_no,
            "cert_hash": cert_hash(CERT_TYPE, name, id_number),
            "openid": openid,
        }
        body = await self.call(FACE_QUERY_PATH, payload)
        return body.get("verify_ret") == FACE_PASSED

    async def _send(
        self,
        method: str,
        path: str,
        context: str,
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        """One HTTP exchange: transport failures, bad bodies and errcodes become exceptions."""
        query = dict(params or {})
        if token is not None:
            query["access_token"] = token
        with transport_errors(PLATFORM):
            async with self._session.request(
                method, self._base + path, params=query, json=json_body
            ) as resp:
                status, text = resp.status, await resp.text(errors="replace")
        body = _decode(status, text, path)
        errcode = errors.errcode_of(body)
        if errcode:
            log.warning("wechat %s answered errcode %s", path, errcode)
        errors.raise_for_errcode(body, context=context)
        return body


def cert_hash(cert_type: str, name: str, id_number: str) -> str:
    """SHA-256 hex of ``cert_type=B64&cert_name=B64&cert_no=B64`` (face verification)."""

    def b64(text: str) -> str:
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    raw = f"cert_type={b64(cert_type)}&cert_name={b64(name)}&cert_no={b64(id_number)}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _decode(status: int, text: str, path: str) -> dict[str, Any]:
    """WeChat's JSON (often labelled text/plain); anything else means try again later."""
    if status != 200:
        raise Retryable(f"wechat {path} answered HTTP {status}", platform=PLATFORM)
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise Retryable(f"wechat {path} answered non-JSON", platform=PLATFORM) from exc
    if not isinstance(body, dict):
        raise Retryable(f"wechat {path} answered non-object JSON", platform=PLATFORM)
    return body
