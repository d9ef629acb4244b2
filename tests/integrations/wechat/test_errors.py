"""The errcode table: each WeChat errcode becomes the exception its caller can act on."""

from __future__ import annotations

import pytest

from core.errors import DomainError, Forbidden, InvalidLoginCode, RateLimited
from integrations.errors import IntegrationError, Permanent, Retryable, TokenExpired
from integrations.wechat.errors import LOGIN, PHONE, raise_for_errcode

SEND = "/cgi-bin/message/subscribe/send"


@pytest.mark.parametrize(
    ("errcode", "context", "expected"),
    [
        (40029, LOGIN, InvalidLoginCode),
        (40163, LOGIN, InvalidLoginCode),
        (40029, PHONE, InvalidLoginCode),
        (45011, LOGIN, RateLimited),
        (45009, LOGIN, RateLimited),
        (45011, SEND, Retryable),
        (45009, SEND, Retryable),
        (40226, LOGIN, Forbidden),
        (-1, LOGIN, Retryable),
        (-1, SEND, Retryable),
        (40001, SEND, TokenExpired),
        (40014, SEND, TokenExpired),
        (42001, SEND, TokenExpired),
        (43101, SEND, Permanent),
        (47003, SEND, Permanent),
        (40003, SEND, Permanent),
        (40037, SEND, Permanent),
        (41030, SEND, Permanent),
        (40125, LOGIN, Permanent),
        (99999, SEND, Permanent),
    ],
)
def test_errcode_maps_to_one_exception(
    errcode: int, context: str, expected: type[Exception]
) -> None:
    with pytest.raises(expected) as caught:
        raise_for_errcode({"errcode": errcode, "errmsg": "x rid: 1"}, context=context)
    assert type(caught.value) is expected
    if isinstance(caught.value, IntegrationError):
        assert caught.value.platform == "wechat"
        assert caught.value.platform_code == errcode


@pytest.mark.parametrize("body", [{}, {"errcode": 0, "errmsg": "ok"}, {"openid": "o1"}])
def test_success_raises_nothing(body: dict[str, object]) -> None:
    raise_for_errcode(body, context=LOGIN)


def test_login_frequency_limit_asks_the_user_to_wait_a_minute() -> None:
    with pytest.raises(RateLimited) as caught:
        raise_for_errcode({"errcode": 45011}, context=LOGIN)
    assert caught.value.retry_after == 60


def test_server_frequency_limit_carries_a_backoff_hint() -> None:
    with pytest.raises(Retryable) as minute:
        raise_for_errcode({"errcode": 45011}, context=SEND)
    with pytest.raises(Retryable) as busy:
        raise_for_errcode({"errcode": -1}, context=SEND)
    assert minute.value.retry_after == 60
    assert 0 < busy.value.retry_after < minute.value.retry_after


def test_risky_user_is_refused_with_a_stable_code() -> None:
    with pytest.raises(Forbidden) as caught:
        raise_for_errcode({"errcode": 40226}, context=LOGIN)
    assert caught.value.code == "login_refused"


def test_domain_errors_carry_nothing_wechat_said() -> None:
    """Domain errors reach the caller: WeChat's errmsg and its rid stay in our log."""
    for errcode in (40163, 40226, 45011):
        with pytest.raises(DomainError) as caught:
            said = {"errcode": errcode, "errmsg": "zq-upstream-words rid: 6f1e"}
            raise_for_errcode(said, context=LOGIN)
        assert "zq-upstream" not in str(caught.value.details) + caught.value.message
        assert caught.value.details == {"context": LOGIN}


def test_unreadable_errcode_is_retryable() -> None:
    with pytest.raises(Retryable):
        raise_for_errcode({"errcode": "busy?"}, context=SEND)
