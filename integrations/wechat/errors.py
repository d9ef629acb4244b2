"""The one table from WeChat's errcode to our exceptions.

Every answer the WeChat client reads passes through ``raise_for_errcode``; nothing else in
the codebase interprets an errcode. ``context`` says which call it was: ``"login"`` turns a
frequency limit into the user-facing ``RateLimited``, anything else into ``Retryable`` for
the job runner.
"""

from __future__ import annotations

import logging
from typing import Any

from core.errors import Forbidden, InvalidLoginCode, RateLimited
from integrations.errors import Permanent, Retryable, TokenExpired

log = logging.getLogger("citysvc.wechat")
PLATFORM = "wechat"
LOGIN = "login"
PHONE = "phone"

BAD_CODE = frozenset({40029, 40163})  # invalid / already used code
FREQUENCY = frozenset({45009, 45011})  # daily quota / per-minute frequency limit
BAD_TOKEN = frozenset({40001, 40014, 42001})  # invalid / malformed / expired access token
RISKY_USER = 40226
BUSY = -1

# Seconds to wait before trying again: a hint for the caller's backoff, not a promise.
RETRY_AFTER: dict[int, float] = {BUSY: 2.0, 45011: 60.0, 45009: 600.0}

# Known permanent errcodes, for readable messages; any other errcode is permanent too.
MEANING: dict[int, str] = {
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40037: "invalid template_id",
    40097: "invalid arguments",
    40125: "invalid appsecret",
    41030: "invalid page",
    43004: "the user does not follow the Official Account",
    43101: "user gave no (or no more) subscribe consent",
    47001: "data format error",
    47003: "a template value breaks its rule",
}


def errcode_of(body: dict[str, Any]) -> int:
    """The answer's errcode as an int; 0 when absent (WeChat omits it on some successes)."""
    raw = body.get("errcode", 0)
    try:
        return int(raw or 0)
    except (TypeError, ValueError):
        return -1  # an unreadable errcode is treated like "system busy"


def raise_for_errcode(body: dict[str, Any], *, context: str) -> None:
    """Raise the exception WeChat's ``errcode`` means for this call; return on success."""
    errcode = errcode_of(body)
    if errcode == 0:
        return
    # What WeChat said (errmsg with its request id) stays in our logs and in the upstream
    # errors the job runner reads; the domain errors below reach callers, so carry none of it.
    details = {"errmsg": str(body.get("errmsg", "")), "context": context}
    caller_details = {"context": context}
    if errcode in (BAD_CODE | FREQUENCY | {RISKY_USER}):
        log.info("wechat %s refused: %s %s", context, errcode, details["errmsg"])
    if errcode in BAD_CODE:
        raise InvalidLoginCode(bad_code_message(context), details=caller_details)
    if errcode == RISKY_USER:
        raise Forbidden(
            "WeChat refused this user's login.", code="login_refused", details=caller_details
        )
    if errcode in FREQUENCY and context == LOGIN:
        raise RateLimited(retry_after=60.0, details=caller_details)
    if errcode in BAD_TOKEN:
        raise TokenExpired(
            f"wechat {context}: access token rejected ({errcode})",
            platform=PLATFORM,
            platform_code=errcode,
            details=details,
        )
    if errcode in FREQUENCY or errcode == BUSY:
        raise Retryable(
            f"wechat {context}: busy or limited ({errcode})",
            retry_after=RETRY_AFTER[errcode],
            platform=PLATFORM,
            platform_code=errcode,
            details=details,
        )
    meaning = MEANING.get(errcode, "refused")
    raise Permanent(
        f"wechat {context}: {meaning} ({errcode})",
        platform=PLATFORM,
        platform_code=errcode,
        details=details,
    )


def bad_code_message(context: str) -> str | None:
    """The user-facing message for a bad code; None keeps InvalidLoginCode's own."""
    if context == PHONE:
        return "The phone-number code is invalid or has been used; please tap the button again."
    return None  # InvalidLoginCode's own message
