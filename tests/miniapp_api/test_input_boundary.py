"""The causes of the 5xx answers the fuzzer found, each refused at the input boundary.

Each runs on SQLite and on PostgreSQL (which refuses NUL in text and casts uuids): every one
of these answered 500 on one or both before the boundary existed.
"""

from __future__ import annotations

import json
from datetime import datetime

from core.clock import CST
from integrations.tracking.payload import parse_event
from integrations.wechat.sandbox import WeChatSandbox
from miniapp_api.boundary import check_request
from tests import builders as b
from tests.harness import Api
from tests.miniapp_api.test_campaigns import BASE as CAMPAIGNS
from tests.miniapp_api.test_campaigns import BODY as CAMPAIGN

BAD = ["a\x00b", "a\x01b", "\x7f", "a\u0085b", "\ud800"]


async def _every_cause(api: Api, wechat: WeChatSandbox) -> None:
    await b.add_item()
    citizen = await b.citizen_token(api, wechat)
    staff = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    # NUL and other control characters, in a body at any depth, in a query, in a path
    for text in BAD:
        status, body, _ = await api.call(
            "PUT", "/api/v1/me/town", token=citizen, json={"town": text}
        )
        assert (status, body["error"]["code"]) == (400, "invalid_characters"), text
    status, body, _ = await api.call(
        "POST",
        "/api/v1/applications",
        token=citizen,
        json={"item_code": "x", "form": {"reason": ["ok", {"deep": "a\x00"}]}},
    )
    assert (status, body["error"]["code"]) == (400, "invalid_characters")
    status, body, _ = await api.call("GET", "/api/v1/items?q=%00", token=citizen)
    assert (status, body["error"]["code"]) == (400, "invalid_characters")
    status, body, _ = await api.call("GET", "/api/v1/applications/20261126-%00", token=citizen)
    assert (status, body["error"]["code"]) == (400, "invalid_characters")
    # numbers nothing can store or answer (the form is stored and shown to staff as sent)
    file_id = await b.upload(api, citizen)
    materials = [{"name": "申请表", "file_id": file_id}, {"name": "居民身份证", "file_id": file_id}]
    for number in ("1180591620717411303424", "-9223372036854775809", "NaN", "Infinity"):
        application = {
            "item_code": "320112-000-XK-00001",
            "form": {"reason": "__N__"},
            "materials": materials,
            "delivery": {"method": "pickup"},
        }
        raw = json.dumps(application).replace('"__N__"', number)  # 500 before the boundary
        status, body, _ = await api.call(
            "POST",
            "/api/v1/applications",
            token=citizen,
            data=raw,
            headers={"Content-Type": "application/json"},
        )
        assert (status, body["error"]["code"]) == (400, "invalid_number"), number
    # a file id that cannot be one: 404, as any unknown file
    status, body, _ = await api.call("GET", "/api/v1/uploads/" + "é" * 40, token=citizen)
    assert (status, body["error"]["code"]) == (404, "file_not_found")
    status, body, _ = await api.call(
        "POST",
        "/api/v1/applications",
        token=citizen,
        json={
            "item_code": "320112-000-XK-00001",
            "form": {"reason": "测试"},
            "materials": [{"name": "申请表", "file_id": "f" * 64}],
            "delivery": {"method": "pickup"},
        },
    )
    assert (status, body["error"]["code"]) == (422, "unknown_file"), body
    # a date outside any sane range
    for send_at in ("0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59"):
        status, body = await _campaign(api, staff, send_at)
        assert (status, body["error"]["code"]) == (422, "invalid_send_at"), send_at
    # a staff token on the citizen's score query
    status, body, _ = await api.call("GET", "/api/v1/exams/gaokao2026/score", token=staff)
    assert (status, body["error"]["code"]) == (401, "wrong_token_kind")


async def _campaign(api: Api, token: str, send_at: str) -> tuple[int, dict[str, object]]:
    status, body, _ = await api.call(
        "POST", CAMPAIGNS, token=token, json=CAMPAIGN | {"send_at": send_at}
    )
    return status, body


async def test_every_cause_refused_on_sqlite(api: Api, wechat: WeChatSandbox) -> None:
    await _every_cause(api, wechat)


async def test_every_cause_refused_on_postgres(pg_api: Api, wechat: WeChatSandbox) -> None:
    await _every_cause(pg_api, wechat)


def test_a_carriers_scan_of_year_one_is_skipped_and_its_text_cleaned() -> None:
    """A signed push is not refused (the carrier would resend it forever): a scan whose time
    cannot be stored is skipped, control characters in its text dropped."""
    assert parse_event({"ftime": "0001-01-01 00:00:00", "context": "x"}) is None
    assert parse_event({"ftime": "9999-12-31 23:59:59", "context": "x"}) is None
    event = parse_event(
        {"ftime": "2026-11-26 10:00:00", "context": "已\x00签收", "areaName": "\x1b"}
    )
    assert event is not None
    assert (event.at, event.description, event.location) == (
        datetime(2026, 11, 26, 10, tzinfo=CST),
        "已签收",
        "",
    )


def test_tab_and_new_lines_stay_allowed_in_bodies() -> None:
    class Request:
        path = "/api/v1/x"
        query_string = ""
        body = b'{"note": "line one\\n\\tline two\\r\\n"}'
        content_type = "application/json"
        json = {"note": "line one\n\tline two\r\n"}

    check_request(Request())  # type: ignore[arg-type]
