"""The Alipay open-platform client: SDK-built calls, RSA2 by ``cryptography``, sent by aiohttp.

python-alipay-sdk builds the parameters (``build_body``), but it sends with a blocking
``urlopen``, has no gateway argument and signs with pycryptodomex, several times slower than
OpenSSL; so this client only borrows ``build_body``, signs and verifies through
``integrations.alipay.signing`` (keys parsed once) and does the HTTP itself. RSA work is
synchronous CPU work: it runs in a small thread pool so the event loop keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
from alipay import AliPay

from core.clock import CST
from core.errors import InvalidLoginCode
from core.ports import PlatformIdentity
from integrations.alipay import errors
from integrations.alipay.signing import Rsa2Signer, SignatureMismatch
from integrations.errors import Permanent, Retryable
from integrations.http import transport_errors

LOGIN = "alipay.system.oauth.token"
CERTIFY_INITIALIZE = "alipay.user.certify.open.initialize"
CERTIFY_PAGE = "alipay.user.certify.open.certify"
CERTIFY_QUERY = "alipay.user.certify.open.query"
TEMPLATE_SEND = "alipay.open.app.mini.templatemessage.send"

MAX_LOGIN_CODE_LENGTH = 128  # real codes are 32 characters; anything huge is not a code
DEFAULT_RSA_WORKERS = 2
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=utf-8"

T = TypeVar("T")


class AlipayClient:
    """Calls the Alipay gateway for one app; implements ``core.ports.PlatformLogin``.

    Failures follow ``integrations.alipay.errors``: busy or unreachable -> ``Retryable``,
    refused -> ``Permanent`` (``platform_code`` = sub_code), bad login code ->
    ``InvalidLoginCode``, an answer that does not verify -> ``AnswerSignatureInvalid``.
    Call ``close()`` at shutdown when the client created its own executor.
    """

    platform = "alipay"

    def __init__(
        self,
        session: aiohttp.ClientSession,
        gateway: str,
        appid: str,
        app_private_key_pem: str,
        alipay_public_key_pem: str,
        executor: Executor | None = None,
    ) -> None:
        self.appid = appid
        self._session = session
        self._gateway = gateway
        self._sdk: Any = AliPay(
            appid=appid,
            app_notify_url=None,
            app_private_key_string=app_private_key_pem,
            alipay_public_key_string=alipay_public_key_pem,
            sign_type="RSA2",
        )
        self._signer = Rsa2Signer(app_private_key_pem, alipay_public_key_pem)
        self._owns_executor = executor is None
        self._executor = executor or ThreadPoolExecutor(
            max_workers=DEFAULT_RSA_WORKERS, thread_name_prefix="alipay-rsa"
        )

    def close(self) -> None:
        """Release the signing threads if this client created them (the session is the caller's).

        Synchronous and non-blocking: idle threads exit on their own, pending work is cancelled.
        """
        if self._owns_executor:
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def login(self, code: str) -> PlatformIdentity:
        """Exchange a ``my.getAuthCode`` code for the user's ``open_id`` (and ``user_id``)."""
        if not code or len(code) > MAX_LOGIN_CODE_LENGTH:
            raise InvalidLoginCode(details={"platform": self.platform})
        node = await self._call(LOGIN, grant_type="authorization_code", code=code)
        open_id = node.get("open_id")
        if not isinstance(open_id, str) or not open_id:
            # An app still in user_id mode gets no open_id; we key citizens by open_id.
            raise Permanent(
                "alipay login answer has no open_id: switch the app to open_id mode",
                platform=self.platform,
                platform_code="missing_open_id",
            )
        user_id = node.get("user_id")
        union_id = user_id if isinstance(user_id, str) and user_id else None
        return PlatformIdentity(platform=self.platform, open_id=open_id, union_id=union_id)

    async def certify_initialize(
        self, outer_order_no: str, name: str, id_number: str, return_url: str
    ) -> str:
        """Open a face verification of this name and ID number; return its ``certify_id``."""
        biz = {
            "outer_order_no": outer_order_no,
            "biz_code": "FACE",
            "identity_param": {
                "identity_type": "CERT_INFO",
                "cert_type": "IDENTITY_CARD",
                "cert_name": name,
                "cert_no": id_number,
            },
            "merchant_config": {"return_url": return_url},
        }
        node = await self._call(CERTIFY_INITIALIZE, biz)
        certify_id = node.get("certify_id")
        if not isinstance(certify_id, str) or not certify_id:
            raise Permanent("alipay certify answer has no certify_id", platform=self.platform)
        return certify_id

    async def certify_url(self, certify_id: str) -> str:
        """The signed gateway URL the mini-program opens (``my.startAPVerify``); not sent here.

        Async because signing is RSA work that belongs in the executor, not on the loop.
        """
        query = await self._run(self._signed_query, CERTIFY_PAGE, {"certify_id": certify_id}, {})
        return f"{self._gateway}?{query}"

    async def certify_query(self, certify_id: str) -> bool:
        """True only when Alipay says the face check passed (``passed == "T"``)."""
        node = await self._call(CERTIFY_QUERY, {"certify_id": certify_id})
        return node.get("passed") == "T"

    async def send_template_message(
        self, to_open_id: str, template_id: str, page: str, data: dict[str, str]
    ) -> None:
        """Send one subscribed template message; ``data`` maps ``keywordN`` to its value."""
        # Alipay wants ``data`` as a JSON string inside biz_content, not as an object.
        payload = {keyword: {"value": value} for keyword, value in data.items()}
        biz = {
            "to_open_id": to_open_id,
            "user_template_id": template_id,
            "page": page,
            "data": json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
        }
        await self._call(TEMPLATE_SEND, biz)

    # -- one call: sign, send, verify, classify -------------------------------------------

    async def _call(
        self, method: str, biz: dict[str, Any] | None = None, **top_level: str
    ) -> dict[str, Any]:
        query = await self._run(self._signed_query, method, biz or {}, top_level)
        raw = await self._post(query)
        node = await self._verified_node(raw, method)
        errors.check(node, method)
        return node

    def _signed_query(self, method: str, biz: dict[str, Any], top_level: dict[str, str]) -> str:
        # Runs in the executor. The SDK stamps local time; Alipay reads China Standard Time.
        timestamp = datetime.now(CST).strftime(TIMESTAMP_FORMAT)
        body = self._sdk.build_body(method, biz, timestamp=timestamp, **top_level)
        return self._signer.signed_query(body)

    async def _post(self, query: str) -> str:
        with transport_errors(self.platform):
            async with self._session.post(
                self._gateway,
                data=query.encode("utf-8"),
                headers={"Content-Type": FORM_CONTENT_TYPE},
            ) as response:
                raw = await response.text(encoding="utf-8", errors="replace")
                status = response.status
        if status != 200:
            raise errors.for_http_status(status)
        return raw

    async def _verified_node(self, raw: str, method: str) -> dict[str, Any]:
        node_name = method.replace(".", "_") + "_response"
        document = _parse(raw)
        node = document.get(node_name) or document.get("error_response")
        if not isinstance(node, dict):
            raise Permanent(f"alipay answer has no {node_name}", platform=self.platform)
        sign = document.get("sign")
        if not isinstance(sign, str) or not sign or "error_response" in document:
            # Only failures come unsigned; classifying one can fail the call, never pass it.
            if errors.is_success(node):
                raise errors.AnswerSignatureInvalid(
                    "alipay success answer is unsigned", platform=self.platform
                )
            raise errors.error_for(node, method)
        return await self._run(self._verify, raw, node_name, sign)

    def _verify(self, raw: str, node_name: str, sign: str) -> dict[str, Any]:
        # Runs in the executor; verified over the node's raw text, never re-serialised.
        try:
            return self._signer.verified_node(raw, node_name, sign)
        except SignatureMismatch as exc:
            raise errors.AnswerSignatureInvalid(
                "alipay answer signature does not verify", platform=self.platform
            ) from exc

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)


def _parse(raw: str) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        # A 200 that is not JSON comes from something between us and Alipay: try later.
        raise Retryable("alipay answered with a body that is not JSON", platform="alipay")
    return document
