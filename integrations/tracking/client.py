"""Parcel tracking over the Kuaidi100 protocol (Kuaidi100's published protocol).

Subscribe: form POST ``schema=json&param={company, number, key, parameters: {callbackurl,
salt, resultv2}}`` to ``{base}/poll``. Query: form POST ``customer, param={com, num,
resultv2}, sign=MD5(param + key + customer)`` to ``{base}/poll/query.do``. Push: the
provider form-POSTs ``param`` and ``sign=MD5(param + salt)`` to our callback URL.

The push salt. Every subscription carries its own salt, HMAC-SHA256(SECRET_KEY,
"kuaidi100-push-salt:" + number), first 32 hex characters (Kuaidi100's salt length). It is
derived, so nothing is stored, and any server process can check any push; it is per
parcel, so a salt seen at the provider (its console, its logs) forges pushes of that one
parcel only. The tracking number is read from the unverified payload only to pick the
salt; nothing else is trusted before the signature matches. Changing SECRET_KEY makes
pushes of parcels already subscribed fail (401); those parcels go silent and the poller
queries them, so deliveries are still seen.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

import aiohttp

from core.ports import ParcelUpdate
from integrations.errors import IntegrationError, Permanent, Retryable, SignatureInvalid
from integrations.http import transport_errors
from integrations.tracking.payload import parse_result

log = logging.getLogger("citysvc.integrations.tracking")

PLATFORM = "kuaidi100"
COMPANY = "ems"
SUBSCRIBE_PATH = "/poll"
QUERY_PATH = "/poll/query.do"
CALLBACK_PATH = "/webhooks/tracking"
PUSH_ANSWER = {"result": True, "returnCode": "200", "message": "成功"}
SALT_LABEL = "kuaidi100-push-salt:"
MAX_NUMBER = 32

# returnCodes that no retry can fix: bad or expired key, bad data, company refused or unknown
_SUBSCRIBE_PERMANENT = frozenset({"600", "601", "700", "701", "702"})
# query: bad parameters, phone check failed, bad signature, key expired or out of credit
_QUERY_PERMANENT = frozenset({"400", "408", "503", "601"})


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


def push_salt(secret_key: str, tracking_number: str) -> str:
    """The salt a parcel is subscribed with (see the module docstring)."""
    message = (SALT_LABEL + tracking_number).encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def _loads(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _pushed_number(payload: dict[str, Any] | None) -> str | None:
    last = payload.get("lastResult") if payload else None
    number = last.get("nu") if isinstance(last, dict) else None
    if not isinstance(number, str) or not 0 < len(number.strip()) <= MAX_NUMBER:
        return None
    return number.strip().upper()


def verify_push(secret_key: str, param: str | None, sign: str | None) -> ParcelUpdate:
    """The parcel update in a signed push; ``SignatureInvalid`` unless the sign matches."""
    if not param or not sign:
        raise SignatureInvalid("tracking push without param or sign", platform=PLATFORM)
    payload = _loads(param)
    number = _pushed_number(payload)
    if payload is None or number is None:
        raise SignatureInvalid("tracking push names no parcel", platform=PLATFORM)
    expected = md5_upper(param + push_salt(secret_key, number))
    if not hmac.compare_digest(expected.encode(), sign.strip().upper().encode()):
        raise SignatureInvalid("tracking push signature mismatch", platform=PLATFORM)
    update = parse_result(payload["lastResult"], number)
    if payload.get("status") == "abort":
        return ParcelUpdate(number, update.state, update.events, stopped=True)
    return update


def _compact(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Kuaidi100Client:
    """EMS parcels through Kuaidi100; implements ``core.ports.TrackingProvider``.

    ``request_subscription`` and ``fetch`` raise ``Retryable`` / ``Permanent``; the port's
    ``subscribe`` and ``query`` log those and answer False / None for the poller.
    """

    carrier = COMPANY

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        customer: str,
        key: str,
        callback_url: str,
        secret_key: str,
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self.customer = customer
        self._key = key
        self.callback_url = callback_url
        self._secret_key = secret_key

    def __repr__(self) -> str:
        return f"Kuaidi100Client(customer={self.customer!r}, base_url={self._base!r})"

    async def request_subscription(self, number: str) -> None:
        """Subscribe ``number``; an existing subscription (501) counts as success."""
        parameters = {
            "callbackurl": self.callback_url,
            "salt": push_salt(self._secret_key, number),
            "resultv2": "1",
        }
        param = {"company": COMPANY, "number": number, "key": self._key, "parameters": parameters}
        body = await self._post(SUBSCRIBE_PATH, {"schema": "json", "param": _compact(param)})
        code = str(body.get("returnCode", ""))
        if (body.get("result") is True and code == "200") or code == "501":
            return
        error = Permanent if code in _SUBSCRIBE_PERMANENT else Retryable
        raise error(
            f"subscribe refused: {body.get('message')}", platform=PLATFORM, platform_code=code
        )

    async def fetch(self, number: str) -> ParcelUpdate:
        """Query ``number`` now: its state and whole history."""
        param = _compact({"com": COMPANY, "num": number, "resultv2": "1"})
        form = {
            "customer": self.customer,
            "sign": md5_upper(param + self._key + self.customer),
            "param": param,
        }
        body = await self._post(QUERY_PATH, form)
        if body.get("result") is False or str(body.get("status", "")) != "200":
            code = str(body.get("returnCode", ""))
            error = Permanent if code in _QUERY_PERMANENT else Retryable  # 500: nothing yet
            raise error(
                f"query failed: {body.get('message')}", platform=PLATFORM, platform_code=code
            )
        return parse_result(body, number)

    async def subscribe(self, tracking_number: str) -> bool:
        try:
            await self.request_subscription(tracking_number)
        except IntegrationError as exc:
            log.warning(
                "subscribe %s failed: %s (%s)", tracking_number, exc.message, exc.platform_code
            )
            return False
        return True

    async def query(self, tracking_number: str) -> ParcelUpdate | None:
        try:
            return await self.fetch(tracking_number)
        except IntegrationError as exc:
            log.warning("query %s failed: %s (%s)", tracking_number, exc.message, exc.platform_code)
            return None

    async def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        with transport_errors(PLATFORM):
            async with self._session.post(self._base + path, data=form) as resp:
                status, text = resp.status, await resp.text()
        if status != 200:
            raise Retryable(f"{path} answered HTTP {status}", platform=PLATFORM)
        body = _loads(text)
        if body is None:
            raise Retryable(f"{path} answered a body that is not a JSON object", platform=PLATFORM)
        return body
