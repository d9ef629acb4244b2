"""Complaints, suggestions and corrections: routing, replies, deadlines, item history."""

from __future__ import annotations

from datetime import datetime

from bot.feedback_sweep import FEEDBACK_OVERDUE, sweep_feedback
from core.alerts.models import StaffAlert
from core.catalogue.importer import import_items
from core.clock import CST
from core.feedback.models import Feedback
from core.outbox.models import OutboxMessage
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

ITEM = "320112-000-XK-00001"
BEFORE_HOLIDAY = datetime(2026, 9, 30, 15, 0, tzinfo=CST)  # the last working day before 10-01


async def _send(api: Api, token: str, **body: object) -> tuple[int, dict]:  # type: ignore[type-arg]
    status, answer, _ = await api.call("POST", "/api/v1/feedback", token=token, json=body)
    return status, answer


async def test_routing_to_the_case_the_item_or_the_administrators(
    api: Api, wechat: WeChatSandbox
) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    await b.add_item(code="320112-000-XK-00009", department="MZ")
    status, about_case = await _send(
        api, citizen, kind="complaint", content="窗口态度差", application_number=number
    )
    assert status == 201 and about_case["status"] == "open"
    _, about_item = await _send(
        api, citizen, kind="suggestion", content="希望增加邮寄", item_code="320112-000-XK-00009"
    )
    _, general = await _send(api, citizen, kind="suggestion", content="希望周末也能办理")

    rows = {r.id: r for r in await Feedback.all()}
    assert rows[about_case["id"]].department_code == "GA"
    assert rows[about_case["id"]].item_code == ITEM  # counts for the case's item
    assert rows[about_item["id"]].department_code == "MZ"
    assert rows[general["id"]].department_code is None

    _, ga, _ = await api.call("GET", "/api/v1/staff/feedback", token=clerk)
    assert [f["id"] for f in ga["items"]] == [about_case["id"]] and ga["total"] == 1
    mz = await b.staff_token(api, "clerk-mz", "clerk", "MZ")
    _, mz_list, _ = await api.call("GET", "/api/v1/staff/feedback", token=mz)
    assert [f["id"] for f in mz_list["items"]] == [about_item["id"]]
    admin = await b.staff_token(api, "admin1", "admin", None)
    _, everything, _ = await api.call("GET", "/api/v1/staff/feedback?per_page=2", token=admin)
    assert everything["total"] == 3 and len(everything["items"]) == 2
    assert everything["items"][0]["id"] == general["id"]
    assert everything["items"][0]["department"] is None
    # confidentiality: staff never see who wrote it
    me = await b.me(api, citizen)
    assert me["id"] not in str(everything) and "citizen_id" not in everything["items"][0]


async def test_bad_feedback(api: Api, wechat: WeChatSandbox) -> None:
    citizen, _, number = await b.new_case(api, wechat)
    stranger = await b.citizen_token(api, wechat)
    for token, body, status, code in (
        (citizen, {"kind": "praise", "content": "x"}, 422, "invalid_feedback_kind"),
        (citizen, {"kind": "complaint"}, 422, "missing_field"),
        (citizen, {"kind": "correction", "content": "指南有误"}, 422, "missing_field"),
        (
            citizen,
            {"kind": "correction", "content": "x", "item_code": "nope"},
            404,
            "item_not_found",
        ),
        (
            stranger,
            {"kind": "complaint", "content": "x", "application_number": number},
            404,
            "case_not_found",
        ),
    ):
        answer_status, answer = await _send(api, token, **body)
        assert (answer_status, answer["error"]["code"]) == (status, code), body


async def test_reply_reaches_the_citizen_and_deadline_spans_national_day(
    api: Api, wechat: WeChatSandbox
) -> None:
    api.clock.set(BEFORE_HOLIDAY)
    citizen, clerk, number = await b.new_case(api, wechat)
    status, sent = await _send(
        api, citizen, kind="complaint", content="等了很久", application_number=number
    )
    # 5 working days after 09-30: 10-08, 10-09, 10-10 (调休 Saturday), 10-12, 10-13
    assert sent["due_date"] == "2026-10-13"

    assert (await sweep_feedback(datetime(2026, 10, 13, 20, 0, tzinfo=CST), 7)).raised == 0
    assert (await sweep_feedback(datetime(2026, 10, 14, 9, 0, tzinfo=CST), 7)).raised == 1
    alert = await StaffAlert.get(kind=f"{FEEDBACK_OVERDUE}{sent['id']}")
    assert alert.department_code == "GA" and alert.resolved_at is None
    assert "已超过答复期限（2026-10-13）" in alert.message

    path = f"/api/v1/staff/feedback/{sent['id']}/reply"
    status, answer, _ = await api.call("POST", path, token=clerk, json={"reply": "已督促窗口改进"})
    assert (status, answer["status"], answer["reply"]) == (200, "replied", "已督促窗口改进")
    status, again, _ = await api.call("POST", path, token=clerk, json={"reply": "再答"})
    assert (status, again["error"]["code"]) == (409, "already_replied")
    [message] = await OutboxMessage.filter(event="feedback.replied")
    assert message.citizen_id is not None and message.context["reply"] == "已督促窗口改进"
    assert message.context["kind"] == "投诉"

    _, mine, _ = await api.call("GET", "/api/v1/feedback", token=citizen)
    assert mine["total"] == 1
    [item] = mine["items"]
    assert (item["status"], item["reply"], item["application_number"]) == (
        "replied",
        "已督促窗口改进",
        number,
    )
    await sweep_feedback(datetime(2026, 10, 14, 10, 0, tzinfo=CST), 7)
    assert (await StaffAlert.get(id=alert.id)).resolved_at is not None

    other = await b.staff_token(api, "clerk-mz", "clerk", "MZ")
    status, hidden, _ = await api.call("POST", path, token=other, json={"reply": "x"})
    assert (status, hidden["error"]["code"]) == (404, "feedback_not_found")


async def test_unrouted_feedback_warns_the_administrators(api: Api, wechat: WeChatSandbox) -> None:
    api.clock.set(BEFORE_HOLIDAY)
    citizen = await b.citizen_token(api, wechat)
    _, sent = await _send(api, citizen, kind="suggestion", content="希望延长办公时间")
    await sweep_feedback(datetime(2026, 10, 14, 9, 0, tzinfo=CST), 7)
    admin = await b.staff_token(api, "admin1", "admin", None)
    _, warnings, _ = await api.call("GET", "/api/v1/staff/warnings", token=admin)
    [warning] = warnings["items"]
    assert warning["kind"] == f"{FEEDBACK_OVERDUE}{sent['id']}" and warning["number"] is None
    status, _, _ = await api.call(
        "POST", f"/api/v1/staff/feedback/{sent['id']}/reply", token=admin, json={"reply": "收到"}
    )
    assert status == 200


async def test_a_correction_shows_in_the_items_history_once_the_catalogue_changes(
    api: Api, wechat: WeChatSandbox
) -> None:
    row = await b.add_item()
    citizen = await b.citizen_token(api, wechat)
    _, sent = await _send(
        api, citizen, kind="correction", content="材料清单缺少户口簿", item_code=ITEM
    )
    _, history, _ = await api.call("GET", f"/api/v1/items/{ITEM}/history")
    assert [(v["version"], v["corrections"]) for v in history] == [(1, [])]

    row["materials"] = [*row["materials"], {"name": "户口簿", "required": True}]
    report = await import_items([row])
    assert report.updated == 1
    status, history, _ = await api.call("GET", f"/api/v1/items/{ITEM}/history")
    assert status == 200
    assert [v["version"] for v in history] == [2, 1]
    [correction] = history[0]["corrections"]
    assert (correction["id"], correction["content"]) == (sent["id"], "材料清单缺少户口簿")
    status, body, _ = await api.call("GET", "/api/v1/items/none/history")
    assert (status, body["error"]["code"]) == (404, "item_not_found")
