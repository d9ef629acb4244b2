"""The one table from Alipay gateway answers to our exceptions.

Alipay answers every method with a node carrying ``code`` (gateway level) and, on failure,
``sub_code``/``sub_msg`` (method level). ``check`` turns a node into nothing (success) or the
exception the caller should handle; ``for_http_status`` does the same for a non-200 answer.

An answer whose signature does not verify raises ``AnswerSignatureInvalid``, a ``Permanent``:
the fault lies with the platform or our configured Alipay public key, not with the citizen, so
the API answers 502 (``SignatureInvalid`` maps to 401, which is meant for inbound callbacks
and would tell a citizen their own request was unsigned), and retrying cannot help.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import InvalidLoginCode
from integrations.errors import IntegrationError, Permanent, Retryable

PLATFORM = "alipay"
SUCCESS = "10000"
LOGIN_METHOD = "alipay.system.oauth.token"

# 40002 sub_codes meaning "bad, used or foreign login code" (the documented one is
# isv.code-invalid; isv.code-expired is listed defensively, it costs nothing).
LOGIN_CODE_SUB_CODES = frozenset({"isv.code-invalid", "isv.code-expired"})

# Gateway code -> class. 20000 is "busy, try again"; everything else refuses the call for good.
BY_CODE: Mapping[str, type[IntegrationError]] = {
    "20000": Retryable,  # service currently unavailable
    "20001": Permanent,  # insufficient or invalid auth token
    "40001": Permanent,  # missing required argument: a bug on our side
    "40002": Permanent,  # invalid argument: our signature, app id, timestamp or a parameter
    "40004": Permanent,  # business failure; sub_code says which
    "40006": Permanent,  # the app lacks permission for this method
}
UNKNOWN_CODE: type[IntegrationError] = Permanent


class AnswerSignatureInvalid(Permanent):
    """Alipay's answer is unsigned where it must be signed, or its signature does not verify."""

    code = "upstream_signature_invalid"


def is_success(node: Mapping[str, Any]) -> bool:
    """``code == "10000"``; a node with neither code nor sub_code also counts as success.

    Alipay documents ``alipay.system.oauth.token``'s success answer without ``code``, and its
    own Java SDK defines success as "no sub_code", so both shapes are accepted.
    """
    code = node.get("code")
    return code == SUCCESS or (code is None and not node.get("sub_code"))


def error_for(node: Mapping[str, Any], method: str) -> Exception:
    """The exception for a failure node of ``method`` (call only when not ``is_success``)."""
    code = str(node.get("code", ""))
    sub_code = str(node.get("sub_code", "")) or None
    details = {"method": method, "code": code, "sub_code": sub_code, "sub_msg": node.get("sub_msg")}
    if method == LOGIN_METHOD and code == "40002" and sub_code in LOGIN_CODE_SUB_CODES:
        # a domain error reaches the caller: no word of Alipay's in it (sub_code is logged)
        return InvalidLoginCode(details={"platform": PLATFORM})
    cls = BY_CODE.get(code, UNKNOWN_CODE)
    message = f"alipay {method} failed: {code} {sub_code or ''} {node.get('sub_msg') or ''}"
    return cls(message.strip(), platform=PLATFORM, platform_code=sub_code or code, details=details)


def check(node: Mapping[str, Any], method: str) -> None:
    """Return on success; raise the table's exception otherwise."""
    if not is_success(node):
        raise error_for(node, method)


def for_http_status(status: int) -> IntegrationError:
    """The gateway answers 200 even for failures; anything else came from a proxy on the way."""
    message = f"alipay answered HTTP {status}"
    if status >= 500 or status == 429:
        return Retryable(message, platform=PLATFORM, platform_code=status)
    return Permanent(message, platform=PLATFORM, platform_code=status)
