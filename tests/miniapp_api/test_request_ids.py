"""X-Request-ID on every answer, on every log line of the request, and the access log."""

from __future__ import annotations

import logging
import re

import pytest

from tests.harness import Api


async def test_the_callers_id_is_kept_and_a_bad_one_replaced(api: Api) -> None:
    _, _, resp = await api.call("GET", "/healthz", headers={"X-Request-ID": "mp-7f3a.1_x"})
    assert resp.headers["X-Request-ID"] == "mp-7f3a.1_x"
    for bad in ("has space", "x" * 65, "换行"):
        _, _, resp = await api.call("GET", "/healthz", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-ID"]), bad
    _, _, resp = await api.call("GET", "/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["X-Request-ID"])


async def test_error_answers_carry_an_id_too(api: Api) -> None:
    for path in ("/api/v1/me", "/nothing-here"):
        status, _, resp = await api.call("GET", path, headers={"X-Request-ID": "err-1"})
        assert status in (401, 404) and resp.headers["X-Request-ID"] == "err-1"


async def test_the_access_log_line_carries_the_id_and_masks_personal_data(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="citysvc.access")
    path = "/api/v1/applications/320102199001011234?phone=13812345678"
    await api.call("GET", path, headers={"X-Request-ID": "trace-42"})
    [line] = [r for r in caplog.records if r.name == "citysvc.access"]
    assert getattr(line, "request_id", None) == "trace-42"
    text = line.getMessage()
    assert text.startswith("GET /api/v1/applications/3201**********1234?phone=138****5678 401 ")
    assert "320102199001011234" not in text and "13812345678" not in text


async def test_lines_written_by_a_handler_carry_the_id(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # the unknown login code is logged by the login handler itself (WeChat answered 40029)
    await api.call(
        "POST",
        "/api/v1/auth/wechat",
        json={"code": "never-issued"},
        headers={"X-Request-ID": "h-1"},
    )
    ours = [
        r for r in caplog.records if r.name.startswith("citysvc") and r.name != "citysvc.access"
    ]
    assert ours and all(getattr(r, "request_id", None) == "h-1" for r in ours)
