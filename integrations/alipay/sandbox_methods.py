"""The business methods of the Alipay sandbox: state, validation and answers.

``sandbox.py`` owns HTTP, the envelope (app, timestamp, signature) and faults; this module
receives an already-authenticated call and returns the fields of a success node or raises
``GatewayError``. The sub_codes are Alipay's where its documentation names them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

LOGIN = "alipay.system.oauth.token"
CERTIFY_INITIALIZE = "alipay.user.certify.open.initialize"
CERTIFY_PAGE = "alipay.user.certify.open.certify"
CERTIFY_QUERY = "alipay.user.certify.open.query"
TEMPLATE_SEND = "alipay.open.app.mini.templatemessage.send"

MAX_KEYWORD_LENGTH = 50
MAX_OUTER_ORDER_NO = 32
BIZ_CODES = frozenset({"FACE", "CERT_PHOTO", "CERT_PHOTO_FACE", "SMART_FACE"})
# Not named by Alipay's documentation: our choice for "this user has no subscription left".
NO_CONSENT = "USER_NOT_SUBSCRIBED"
# Our choice too: a to_open_id this app never had (never issued, or another app's user).
UNKNOWN_USER = "USER_NOT_EXIST"

GATEWAY_MESSAGES = {
    "10000": "Success",
    "20000": "Service Currently Unavailable",
    "20001": "Insufficient Token Permissions",
    "40001": "Missing Required Arguments",
    "40002": "Invalid Arguments",
    "40004": "Business Failed",
    "40006": "Insufficient Permissions",
}
DEFAULT_SUB_CODES = {
    "20000": "isp.unknow-error",
    "20001": "aop.invalid-auth-token",
    "40001": "isv.missing-parameter",
    "40002": "isv.invalid-parameter",
    "40004": "SYSTEM_ERROR",
    "40006": "isv.insufficient-isv-permissions",
}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class GatewayError(Exception):
    """A failure answer: gateway ``code`` plus ``sub_code``/``sub_msg``."""

    def __init__(self, code: str, sub_code: str, sub_msg: str = "") -> None:
        super().__init__(f"{code} {sub_code}")
        self.code = code
        self.sub_code = sub_code
        self.sub_msg = sub_msg or sub_code

    def node(self) -> dict[str, Any]:
        """The response node Alipay sends for this failure."""
        return {
            "code": self.code,
            "msg": GATEWAY_MESSAGES.get(self.code, "Unknown Error"),
            "sub_code": self.sub_code,
            "sub_msg": self.sub_msg,
        }


def missing(name: str) -> GatewayError:
    """40001 for an absent required parameter (``isv.missing-<name>``)."""
    return GatewayError("40001", f"isv.missing-{name}", f"missing parameter {name}")


def invalid(sub_code: str, sub_msg: str = "") -> GatewayError:
    """40002, the gateway's 'invalid argument' family."""
    return GatewayError("40002", sub_code, sub_msg)


def business(sub_code: str, sub_msg: str = "") -> GatewayError:
    """40004, a business failure of the method itself."""
    return GatewayError("40004", sub_code, sub_msg)


@dataclass
class AuthCode:
    """A login code issued to one app for one user; it works once."""

    appid: str
    open_id: str
    user_id: str | None
    used: bool = False


@dataclass
class Certification:
    """One face verification: who is checked, whether the page was opened, the outcome."""

    appid: str
    outer_order_no: str
    cert_name: str
    cert_no: str
    return_url: str
    opened: bool = False
    passed: bool | None = None


@dataclass
class Consent:
    """A user's subscription to one template: one-time sends left, or long-term."""

    remaining: int
    long_term: bool


@dataclass(frozen=True)
class SentMessage:
    """One template message the sandbox accepted."""

    appid: str
    to: str
    template_id: str
    page: str
    data: dict[str, str]


@dataclass
class SandboxState:
    """Everything the fake gateway remembers between calls."""

    codes: dict[str, AuthCode] = field(default_factory=dict)
    certifications: dict[str, Certification] = field(default_factory=dict)
    templates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    open_ids: dict[str, str] = field(default_factory=dict)  # open_id -> the app it belongs to
    user_ids: set[str] = field(default_factory=set)  # 2088... ids, one per person
    consents: dict[tuple[str, str], Consent] = field(default_factory=dict)
    sent: list[SentMessage] = field(default_factory=list)
    certify_pass: bool = False  # the demo: every face check counts as done and passed


@dataclass(frozen=True)
class Call:
    """An authenticated request: the app, its top-level params and parsed biz_content."""

    appid: str
    params: dict[str, str]
    biz: dict[str, Any]
    now: datetime


Handler = Callable[[SandboxState, Call], dict[str, Any]]


def oauth_token(state: SandboxState, call: Call) -> dict[str, Any]:
    """Exchange a one-time auth code of this app for the user's ids and tokens."""
    grant_type = _required_param(call, "grant_type")
    if grant_type != "authorization_code":
        raise invalid("isv.grant-type-invalid", "grant_type must be authorization_code")
    entry = state.codes.get(_required_param(call, "code"))
    if entry is None or entry.appid != call.appid or entry.used:
        raise invalid("isv.code-invalid", "授权码code无效")
    entry.used = True
    node: dict[str, Any] = {"open_id": entry.open_id}
    if entry.user_id is not None:
        node["user_id"] = entry.user_id
    node.update(
        access_token="authusrB" + secrets.token_hex(16),
        expires_in=1296000,
        refresh_token="authusrB" + secrets.token_hex(16),
        re_expires_in=2592000,
        auth_start=call.now.strftime("%Y-%m-%d %H:%M:%S"),
    )
    return node


def certify_initialize(state: SandboxState, call: Call) -> dict[str, Any]:
    """Validate the identity to check and open a certification (``certify_id``)."""
    biz = call.biz
    order_no = biz.get("outer_order_no")
    if not isinstance(order_no, str) or not 0 < len(order_no) <= MAX_OUTER_ORDER_NO:
        raise _bad_argument("outer_order_no")
    if biz.get("biz_code") not in BIZ_CODES:
        raise _bad_argument("biz_code")
    identity = _json_object(biz.get("identity_param"), "identity_param")
    if identity.get("identity_type") != "CERT_INFO":
        raise _bad_argument("identity_type")
    if identity.get("cert_type") != "IDENTITY_CARD":
        raise _bad_argument("cert_type")
    name, number = identity.get("cert_name"), identity.get("cert_no")
    if not isinstance(name, str) or not name.strip():
        raise _bad_argument("cert_name")
    if not isinstance(number, str) or not valid_id_number(number):
        raise _bad_argument("cert_no")
    return_url = _json_object(biz.get("merchant_config"), "merchant_config").get("return_url")
    if not isinstance(return_url, str) or not return_url:
        raise _bad_argument("return_url")
    certify_id = secrets.token_hex(16)
    state.certifications[certify_id] = Certification(
        call.appid, order_no, name, number.upper(), return_url, passed=state.certify_pass or None
    )
    return {"certify_id": certify_id}


def certify_page(state: SandboxState, call: Call) -> dict[str, Any]:
    """The page the mini-program opens; the sandbox only checks the link and marks it opened."""
    certification = _certification(state, call)
    certification.opened = True
    return {"certify_id": call.biz["certify_id"]}


def certify_query(state: SandboxState, call: Call) -> dict[str, Any]:
    """``passed`` is "T" only after a successful face check; unfinished counts as "F"."""
    return {"passed": "T" if _certification(state, call).passed else "F"}


def template_send(state: SandboxState, call: Call) -> dict[str, Any]:
    """Check template, keywords and consent; record the message and spend one consent."""
    biz = call.biz
    to = biz.get("to_open_id") or biz.get("to_user_id")
    template_id, page = biz.get("user_template_id"), biz.get("page")
    if not isinstance(to, str) or not isinstance(page, str) or not page:
        raise business("INVALID_PARAMETER", "to_open_id or to_user_id, and page, are required")
    # an open_id is per app: one issued to another app, or never issued, is nobody here
    known = state.open_ids.get(to) == call.appid if biz.get("to_open_id") else to in state.user_ids
    if not known:
        raise business(UNKNOWN_USER, "用户不存在")
    keywords = state.templates.get(template_id) if isinstance(template_id, str) else None
    if template_id is None or keywords is None:
        raise business("USER_TEMPLATE_ILLEGAL", "模板不存在")
    values = _template_values(biz.get("data"), keywords)
    consent = state.consents.get((to, template_id))
    if consent is None or (not consent.long_term and consent.remaining < 1):
        raise business(NO_CONSENT, "用户未订阅该模板或订阅次数已用完")
    if not consent.long_term:
        consent.remaining -= 1
    state.sent.append(SentMessage(call.appid, to, template_id, page, values))
    return {}


def _template_values(data: Any, keywords: tuple[str, ...]) -> dict[str, str]:
    # Alipay wants ``data`` as a JSON string, not an object inside biz_content.
    if not isinstance(data, str):
        raise business("INVALID_PARAMETER", "data must be a JSON string")
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise business("INVALID_PARAMETER", "data is not a JSON object")
    values: dict[str, str] = {}
    for keyword, entry in parsed.items():
        value = entry.get("value") if isinstance(entry, dict) else None
        if not isinstance(value, str):
            raise business("INVALID_PARAMETER", f"{keyword} needs a string value")
        if len(value) > MAX_KEYWORD_LENGTH:
            raise business("USER_KEYWORD_LENGTH_ERROR", f"{keyword} is too long")
        values[keyword] = value
    # Alipay compares the keyword set with the template's: a missing or stray one fails.
    if set(values) != set(keywords):
        raise business("USER_TEMPLATE_LACK_KEYWORD", "缺少关键词")
    return values


def _certification(state: SandboxState, call: Call) -> Certification:
    certification = state.certifications.get(str(call.biz.get("certify_id", "")))
    if certification is None or certification.appid != call.appid:
        raise business("OPEN_CERTIFY_BILL_NOT_EXIST", "无效的certify_id")
    return certification


def _required_param(call: Call, name: str) -> str:
    value = call.params.get(name)
    if not value:
        raise missing(name)
    return value


def _json_object(value: Any, name: str) -> dict[str, Any]:
    # The documentation shows these as objects; older examples send JSON text. Accept both.
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _bad_argument(name) from None
    if not isinstance(value, dict):
        raise _bad_argument(name)
    return value


def _bad_argument(name: str) -> GatewayError:
    return business("ILLEGAL_ARGUMENT_FORMAT", f"参数异常: {name}")


def valid_id_number(number: str) -> bool:
    """GB 11643-1999: 17 digits and the check character."""
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number, _ID_WEIGHTS, strict=False))
    return number[17] == _ID_CHECK[total % 11]


HANDLERS: dict[str, Handler] = {
    LOGIN: oauth_token,
    CERTIFY_INITIALIZE: certify_initialize,
    CERTIFY_PAGE: certify_page,
    CERTIFY_QUERY: certify_query,
    TEMPLATE_SEND: template_send,
}
