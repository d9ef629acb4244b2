"""A faithful fake of the Alipay open-platform gateway, over real HTTP on loopback.

It speaks the wire protocol the real ``https://openapi.alipay.com/gateway.do`` speaks: GET
query or POST form with the common parameters, RSA2 request signatures checked against the
app's registered public key, JSON answers whose ``<method>_response`` node is signed with the
sandbox's own "Alipay" key over the node's exact text. ``citysvc demo`` and the tests run
against it. It shares no code with our client, so a signing mistake cannot hide in both.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import secrets
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from core.clock import CST
from integrations.alipay import sandbox_demo
from integrations.alipay import sandbox_methods as methods
from integrations.alipay.keys import generate_keypair
from integrations.alipay.sandbox_methods import GatewayError, SentMessage, invalid, missing
from integrations.loopback import LoopbackServer

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_CLOCK_SKEW = timedelta(minutes=15)


@dataclass(frozen=True)
class Fault:
    """One queued misbehaviour for the next call of a method."""

    code: str | None
    delay: float
    http_status: int | None
    bad_sign: bool


@dataclass(frozen=True)
class _Answer:
    node_name: str
    node: dict[str, Any]
    appid: str | None  # set when the app is known, so the answer can be signed


class AlipaySandbox(LoopbackServer):
    """The fake gateway. Register apps, issue codes, queue faults, then point a client at it."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        now: Callable[[], datetime] | None = None,
        private_key_pem: str | None = None,
        certify_pass: bool = False,
    ) -> None:
        super().__init__(host, port)
        self.now = now or (lambda: datetime.now(CST))
        pem = private_key_pem or generate_keypair().private_pem
        self._key = _load_private_key(pem)
        self.alipay_public_key_pem = _public_pem(self._key)
        self._rogue_key: rsa.RSAPrivateKey | None = None
        self._apps: dict[str, rsa.RSAPublicKey] = {}
        self.state = methods.SandboxState(certify_pass=certify_pass)
        self.calls: Counter[str] = Counter()
        self._faults: dict[str, deque[Fault]] = {}
        self._closing = asyncio.Event()
        self.gateway_url = ""

    # -- lifecycle ---------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/gateway.do", self._handle)
        sandbox_demo.add_routes(app, self)

    async def start(self) -> str:
        """Listen on ``host:port`` (0 = any free port); return the gateway URL."""
        await super().start()
        self.gateway_url = f"{self.base_url}/gateway.do"
        return self.gateway_url

    async def started(self) -> None:
        self._closing.clear()

    async def stopping(self) -> None:
        """Slow (delayed) answers still pending are released at once."""
        self._closing.set()

    # -- test helpers ----------------------------------------------------------------

    def add_app(self, appid: str, app_public_key_pem: str) -> None:
        """Register an app and the public key its requests are verified with."""
        key = serialization.load_pem_public_key(app_public_key_pem.encode())
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("an Alipay app key must be RSA")
        self._apps[appid] = key

    def issue_auth_code(
        self, appid: str, open_id: str | None = None, user_id: str | None = None
    ) -> str:
        """What ``my.getAuthCode`` gives the mini-program: a one-time code for this app."""
        code = secrets.token_hex(16)
        user = self.add_user(appid, open_id, user_id)
        self.state.codes[code] = methods.AuthCode(appid, user, user_id)
        return code

    def app_ids(self) -> list[str]:
        """The registered apps."""
        return list(self._apps)

    def add_user(self, appid: str, open_id: str | None = None, user_id: str | None = None) -> str:
        """Make ``open_id`` (generated when None) a user of ``appid``; messages may go only to
        open_ids the sandbox issued to the sending app (an open_id is per app)."""
        if appid not in self._apps:
            raise KeyError(f"unknown app {appid}")
        user = open_id or "0" + secrets.token_urlsafe(33)
        if self.state.open_ids.setdefault(user, appid) != appid:
            raise ValueError(f"open_id {user} belongs to another app")
        if user_id is not None:
            self.state.user_ids.add(user_id)
        return user

    def complete_certify(self, certify_id: str, passed: bool) -> None:
        """The citizen finished the face check in the Alipay app, with this outcome."""
        self.state.certifications[certify_id].passed = passed

    def certification(self, certify_id: str) -> methods.Certification:
        """What the sandbox holds about one certification (name, number, opened, passed)."""
        return self.state.certifications[certify_id]

    def add_template(self, template_id: str, keywords: list[str]) -> None:
        """Register a message template with its keyword names (``keyword1``...)."""
        self.state.templates[template_id] = tuple(keywords)

    def grant_consent(
        self, open_id: str, template_id: str, count: int = 1, long_term: bool = False
    ) -> None:
        """The user accepted ``my.requestSubscribeMessage``: ``count`` one-time sends, or many."""
        consent = self.state.consents.get((open_id, template_id))
        if consent is None:
            self.state.consents[(open_id, template_id)] = methods.Consent(count, long_term)
        else:
            consent.remaining += count
            consent.long_term = consent.long_term or long_term

    def consents_left(self, open_id: str, template_id: str) -> int:
        """One-time consents not yet spent (0 when none)."""
        consent = self.state.consents.get((open_id, template_id))
        return consent.remaining if consent else 0

    @property
    def sent(self) -> list[SentMessage]:
        """Template messages accepted so far, oldest first."""
        return self.state.sent

    def fail_next(
        self,
        method: str,
        code: str | None = "20000",
        *,
        count: int = 1,
        delay: float = 0.0,
        http_status: int | None = None,
        bad_sign: bool = False,
    ) -> None:
        """Misbehave on the next ``count`` calls of ``method``.

        After ``delay`` seconds: answer HTTP ``http_status`` with an HTML body if given; else
        the gateway failure ``code`` (``None`` = process the call normally); and sign the
        answer with a key that is not the sandbox's when ``bad_sign``. A failure ``code``
        changes no state, so a retried login code still works.
        """
        if bad_sign and self._rogue_key is None:
            self._rogue_key = _load_private_key(generate_keypair().private_pem)
        fault = Fault(code, delay, http_status, bad_sign)
        self._faults.setdefault(method, deque()).extend([fault] * count)

    # -- the gateway -------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        params = await _read_params(request)
        method = params.get("method", "")
        self.calls[method] += 1
        queue = self._faults.get(method)
        fault = queue.popleft() if queue else None
        if fault is not None and fault.delay > 0:
            await self._pause(fault.delay)
        if fault is not None and fault.http_status is not None:
            body = "<html><body>upstream error</body></html>"
            return web.Response(status=fault.http_status, text=body, content_type="text/html")
        answer = self._answer(params, method, fault)
        if method == methods.CERTIFY_PAGE and answer.node["code"] == "10000":
            return web.Response(text=_certify_page(answer.node), content_type="text/html")
        return self._respond(answer, bad_sign=fault is not None and fault.bad_sign)

    async def _pause(self, delay: float) -> None:
        # Wait on the closing event rather than sleep, so stop() never waits out a slow answer.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), timeout=delay)

    def _answer(self, params: dict[str, str], method: str, fault: Fault | None) -> _Answer:
        handler = methods.HANDLERS.get(method)
        node_name = method.replace(".", "_") + "_response" if handler else "error_response"
        appid = params.get("app_id", "")
        known = appid if appid in self._apps and handler else None
        try:
            if handler is None:
                raise missing("method") if not method else invalid("isv.invalid-method")
            call = self._authenticate(params)
            if fault is not None and fault.code is not None:
                raise GatewayError(fault.code, methods.DEFAULT_SUB_CODES.get(fault.code, "isp"))
            node = {"code": "10000", "msg": "Success", **handler(self.state, call)}
        except GatewayError as err:
            node = err.node()
        return _Answer(node_name, node, known)

    def _authenticate(self, params: dict[str, str]) -> methods.Call:
        appid = params.get("app_id")
        if not appid:
            raise missing("app-id")
        app_key = self._apps.get(appid)
        if app_key is None:
            raise invalid("isv.invalid-app-id", "无效的AppID参数")
        _check_common(params)
        now = self._now()
        _check_timestamp(params.get("timestamp"), now)
        if not _signature_ok(app_key, params):
            raise invalid("isv.invalid-signature", "验签出错")
        return methods.Call(appid, params, _biz_content(params.get("biz_content")), now)

    def _now(self) -> datetime:
        now = self.now()
        return now.astimezone(CST) if now.tzinfo else now.replace(tzinfo=CST)

    def _respond(self, answer: _Answer, *, bad_sign: bool) -> web.Response:
        # Serialise the node once and embed that very text: the signature covers those bytes.
        node_text = json.dumps(answer.node, ensure_ascii=False, separators=(",", ":"))
        body = f'{{"{answer.node_name}":{node_text}'
        if answer.appid is not None:
            key = self._rogue_key if bad_sign and self._rogue_key else self._key
            body += f',"sign":"{_sign(key, node_text)}"'
        return web.Response(text=body + "}", content_type="application/json", charset="utf-8")


async def _read_params(request: web.Request) -> dict[str, str]:
    # Common parameters may ride in the query string and the rest in the form: first one wins.
    params: dict[str, str] = dict(request.query.items())
    if request.method == "POST":
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, str):
                params.setdefault(name, value)
    return params


def _check_common(params: dict[str, str]) -> None:
    sign_type = params.get("sign_type")
    if not sign_type:
        raise missing("signature-type")
    if sign_type != "RSA2":
        raise invalid("isv.invalid-signature-type", "only RSA2 is accepted")
    if params.get("charset", "utf-8").lower() != "utf-8":
        raise invalid("isv.invalid-charset")
    if params.get("format", "JSON").upper() != "JSON":
        raise invalid("isv.invalid-format")
    version = params.get("version")
    if not version:
        raise missing("version")
    if version != "1.0":
        raise invalid("isv.invalid-version")


def _check_timestamp(value: str | None, now: datetime) -> None:
    if not value:
        raise missing("timestamp")
    try:
        sent = datetime.strptime(value, TIMESTAMP_FORMAT).replace(tzinfo=CST)
    except ValueError:
        raise invalid("isv.invalid-timestamp", "timestamp is not yyyy-MM-dd HH:mm:ss") from None
    if abs(now - sent) > MAX_CLOCK_SKEW:
        raise invalid("isv.invalid-timestamp", "timestamp is more than 15 minutes off")


def _signature_ok(key: rsa.RSAPublicKey, params: dict[str, str]) -> bool:
    """Alipay's rule: drop ``sign`` and empty values, sort, join raw ``k=v`` with ``&``."""
    sign = params.get("sign")
    if not sign:
        return False
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign" and v)
    try:
        signature = base64.b64decode(sign, validate=True)
        key.verify(signature, content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _biz_content(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        biz = json.loads(raw)
    except ValueError:
        raise invalid("isv.invalid-parameter", "biz_content is not JSON") from None
    if not isinstance(biz, dict):
        raise invalid("isv.invalid-parameter", "biz_content is not a JSON object")
    return biz


def _sign(key: rsa.RSAPrivateKey, text: str) -> str:
    signature = key.sign(text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def _load_private_key(pem: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the sandbox key must be RSA")
    return key


def _public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def _certify_page(node: dict[str, Any]) -> str:
    return (
        "<!doctype html><html><body><p>Alipay sandbox face check for certify_id "
        f"{node['certify_id']}</p></body></html>"
    )
