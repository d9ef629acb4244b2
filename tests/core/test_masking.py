"""Masking of known fields, redaction of free text, and the logging filter."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from core import masking
from core.masking import (
    PiiLogFilter,
    install_log_filter,
    mask_address,
    mask_id_number,
    mask_name,
    mask_phone,
    redact,
)

ID_NUMBER = "11010519491231002X"
MASKED_ID = "1101**********002X"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl_-x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("320102199001011234", "3201**********1234"),
        (ID_NUMBER, MASKED_ID),
        ("110105491231002", "1101*******1002"),  # 15-digit old number
        ("1234567", "1*****7"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_id_number(value: str, expected: str) -> None:
    assert mask_id_number(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("Li Lei", "L*****"), ("买买提·艾力", "买*****")],
)
def test_mask_name(value: str, expected: str) -> None:
    assert mask_name(value) == expected


def test_mask_name_of_one_character_reveals_nothing() -> None:
    assert mask_name("张") == "*"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("+8613812345678", "+86138****5678"),
        ("12345", "*****"),
    ],
)
def test_mask_phone(value: str, expected: str) -> None:
    assert mask_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("北京市朝阳区建国路88号院3号楼2单元501", "北京市朝阳区****"),
        ("幸福路1号", "幸福****"),  # a short address keeps at most half
        ("", ""),
    ],
)
def test_mask_address(value: str, expected: str) -> None:
    assert mask_address(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"用户身份证号{ID_NUMBER}提交申请，手机+8613812345678，"
            f"Authorization: Bearer abc.def-123 token {JWT}",
            f"用户身份证号{MASKED_ID}提交申请，手机+86138****5678，"
            "Authorization: Bearer *** token eyJ***",
        ),
        ("id=11010519491231002x;", "id=1101**********002x;"),
        ("tel 13812345678.", "tel 138****5678."),
        ("电话：0086 13812345678", "电话：0086 138****5678"),
        (f"Authorization: Bearer {JWT}", "Authorization: Bearer ***"),
        ("GET /sns?appid=wx1&access_token=AT-123&x=1", "GET /sns?appid=wx1&access_token=***&x=1"),
        ("session_key=abc+/= ok", "session_key=*** ok"),
        (
            '{"openid": "o1", "session_key": "tiihtNczf5v6AKRyjwEUhQ=="}',
            '{"openid": "o1", "session_key": "***"}',
        ),
        ("{'session_key': 'abc'}", "{'session_key': '***'}"),
        # not whole tokens, or not the right shape: left alone
        ("order 1101051949123100299", "order 1101051949123100299"),
        ("ts 113812345678", "ts 113812345678"),
        ("code 12812345678", "code 12812345678"),
        ("abc13812345678", "abc13812345678"),
        ("plain text", "plain text"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_is_idempotent() -> None:
    once = redact(f"{ID_NUMBER} 13812345678 Bearer x {JWT} access_token=y")
    assert redact(once) == once


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(PiiLogFilter())
    logger = logging.getLogger("tests.core.masking.filter")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)


def test_filter_masks_arguments_and_exceptions(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.info("citizen %s phone %s", ID_NUMBER, "13812345678")
    try:
        raise ValueError(f"身份证{ID_NUMBER}重复")
    except ValueError:
        logger.exception("lookup failed for %s", ID_NUMBER)
    output = stream.getvalue()
    assert ID_NUMBER not in output and "13812345678" not in output
    assert f"INFO citizen {MASKED_ID} phone 138****5678" in output
    assert f"ERROR lookup failed for {MASKED_ID}" in output
    assert f"ValueError: 身份证{MASKED_ID}重复" in output
    assert "Traceback (most recent call last)" in output


class _Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no")

    def __repr__(self) -> str:
        raise RuntimeError("no")


def test_filter_never_raises(log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = log
    logger.info("%s and %s", ID_NUMBER)  # too few arguments
    logger.info("%s", _Unprintable())
    output = stream.getvalue()
    assert ID_NUMBER not in output
    assert f"unformattable log arguments: ('{MASKED_ID}',)" in output
    assert "[unformattable log message]" in output


def test_filter_keeps_records() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id %s", (ID_NUMBER,), None)
    assert PiiLogFilter().filter(record) is True
    assert (record.msg, record.args) == (f"id {MASKED_ID}", ())


@pytest.fixture
def framework_handlers() -> Iterator[dict[str, logging.Handler]]:
    """A StringIO handler on root and on two framework loggers, removed afterwards."""
    handlers: dict[str, logging.Handler] = {}
    for name in ("", "sanic.access", "tortoise"):
        handler = logging.StreamHandler(io.StringIO())
        logging.getLogger(name or None).addHandler(handler)
        handlers[name] = handler
    yield handlers
    for name, added in handlers.items():
        logging.getLogger(name or None).removeHandler(added)


def test_install_log_filter_covers_propagated_records(
    framework_handlers: dict[str, logging.Handler],
) -> None:
    installed = install_log_filter()
    try:
        assert install_log_filter() is not None  # a second call adds no duplicate
        for handler in framework_handlers.values():
            assert sum(isinstance(f, PiiLogFilter) for f in handler.filters) == 1
        child = logging.getLogger("citysvc.tests.child")
        child.setLevel(logging.INFO)
        child.info("citizen %s", ID_NUMBER)  # propagates to the root handler only
        root_handler = framework_handlers[""]
        assert isinstance(root_handler, logging.StreamHandler)
        assert f"citizen {MASKED_ID}" in root_handler.stream.getvalue()
        assert ID_NUMBER not in root_handler.stream.getvalue()
    finally:
        for name in ("", "sanic.root", "sanic.access", "sanic.error", "tortoise"):
            for handler in logging.getLogger(name or None).handlers:
                handler.removeFilter(installed)


@pytest.mark.parametrize(
    "text",
    [
        f"x{ID_NUMBER}y",
        f"身份证{ID_NUMBER}",
        "11010519491231002X",
        "手机13812345678",
        "+86 13812345678",
        "BEARER abc",
        "bearer\tabc",
        JWT,
        "ACCESS_TOKEN = 'x'",
        "Refresh_Token=y",
        '"SESSION_KEY": "z"',
        "GET /api/v1/applications/20261120-006761-0 200 7.4ms 127.0.0.1",
    ],
)
def test_quick_look_skips_only_text_no_pattern_would_change(text: str) -> None:
    every_pattern = text
    for pattern, replace in masking._SUBSTITUTIONS:
        every_pattern = pattern.sub(replace, every_pattern)
    assert redact(text) == every_pattern
