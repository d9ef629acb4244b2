"""The one table from gateway answers to exceptions."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import InvalidLoginCode
from integrations.alipay import errors
from integrations.errors import Permanent, Retryable, SignatureInvalid

LOGIN = "alipay.system.oauth.token"
SEND = "alipay.open.app.mini.templatemessage.send"


@pytest.mark.parametrize(
    ("node", "method", "expected", "platform_code"),
    [
        ({"code": "20000", "sub_code": "isp.unknow-error"}, LOGIN, Retryable, "isp.unknow-error"),
        ({"code": "20001", "sub_code": "aop.invalid-auth-token"}, SEND, Permanent, None),
        ({"code": "40001", "sub_code": "isv.missing-code"}, LOGIN, Permanent, None),
        ({"code": "40002", "sub_code": "isv.code-invalid"}, LOGIN, InvalidLoginCode, None),
        ({"code": "40002", "sub_code": "isv.code-invalid"}, SEND, Permanent, None),
        ({"code": "40002", "sub_code": "isv.invalid-signature"}, LOGIN, Permanent, None),
        ({"code": "40004", "sub_code": "USER_TEMPLATE_ILLEGAL"}, SEND, Permanent, None),
        ({"code": "40006", "sub_code": "isv.insufficient-isv-permissions"}, SEND, Permanent, None),
        ({"code": "99999"}, SEND, Permanent, "99999"),
    ],
)
def test_table(
    node: dict[str, Any], method: str, expected: type[Exception], platform_code: str | None
) -> None:
    with pytest.raises(expected) as caught:
        errors.check(node, method)

    if isinstance(caught.value, Permanent | Retryable):
        assert type(caught.value) is expected  # not a subclass that would change its handling
        assert caught.value.platform == "alipay"
        assert caught.value.platform_code == (platform_code or node["sub_code"])


@pytest.mark.parametrize(
    ("node", "ok"),
    [
        ({"code": "10000", "msg": "Success"}, True),
        ({"open_id": "074a", "access_token": "t"}, True),  # oauth.token's documented shape
        ({"sub_code": "isv.code-invalid"}, False),
        ({"code": "40004", "sub_code": "X"}, False),
    ],
)
def test_success(node: dict[str, Any], ok: bool) -> None:
    assert errors.is_success(node) is ok


@pytest.mark.parametrize(
    ("status", "expected"), [(502, Retryable), (429, Retryable), (404, Permanent)]
)
def test_http_status(status: int, expected: type[Exception]) -> None:
    assert type(errors.for_http_status(status)) is expected


def test_answer_signature_failure_is_permanent_not_an_inbound_signature_error() -> None:
    exc = errors.AnswerSignatureInvalid("bad", platform="alipay")

    assert isinstance(exc, Permanent)
    assert not isinstance(exc, SignatureInvalid)
    assert exc.code == "upstream_signature_invalid"
