"""Ratings (好差评): one per finished case, poor ones open a rectification task, default 5."""

from __future__ import annotations

from datetime import date, datetime

from bot.feedback_sweep import RECTIFY_OVERDUE, sweep_feedback
from core.alerts.models import StaffAlert
from core.clock import CST
from core.feedback.models import Rating, Rectification
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

# Tuesday before National Day: 10-01..10-07 are off, Saturday 10-10 is a working day (调休)
BEFORE_HOLIDAY = datetime(2026, 9, 29, 10, 0, tzinfo=CST)


async def _rating(api: Api, token: str, number: str, **body: object) -> tuple[int, dict]:  # type: ignore[type-arg]
    status, answer, _ = await api.call(
        "POST", f"/api/v1/applications/{number}/rating", token=token, json=body
    )
    return status, answer


async def _finished(api: Api, wechat: WeChatSandbox) -> tuple[str, str, str]:
    citizen, clerk, number = await b.new_case(api, wechat)
    assert (await b.act(api, clerk, number, "accept"))[0] == 200
    assert (await b.act(api, clerk, number, "start_review"))[0] == 200
    assert (await b.act(api, clerk, number, "approve"))[0] == 200
    return citizen, clerk, number


async def test_rating_only_once_the_case_is_finished_and_only_once(
    api: Api, wechat: WeChatSandbox
) -> None:
    citizen, clerk, number = await _finished(api, wechat)
    # approved is finished (办结) but not yet rateable: the result has not reached the citizen
    status, body = await _rating(api, citizen, number, level=5)
    assert (status, body["error"]["code"]) == (409, "not_finished")
    assert (await b.act(api, clerk, number, "hand_over"))[0] == 200

    status, body = await _rating(
        api, citizen, number, level=4, comment="办得快", dimensions={"efficiency": 5}
    )
    assert status == 201, body
    assert (body["level"], body["level_text"], body["default"]) == (4, "满意", False)
    assert body["dimensions"] == {"efficiency": 5}
    status, body = await _rating(api, citizen, number, level=1)
    assert (status, body["error"]["code"]) == (409, "already_rated")
    status, body, _ = await api.call("GET", f"/api/v1/applications/{number}/rating", token=citizen)
    assert (status, body["level"], body["comment"]) == (200, 4, "办得快")
    assert await Rating.filter(application_id__isnull=False).count() == 1
    assert not await Rectification.exists()  # 4 is not a poor rating


async def test_bad_values_and_other_citizens_cases(api: Api, wechat: WeChatSandbox) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    await b.act(api, clerk, number, "refuse", note="不属于本部门受理范围")
    for body, code in (
        ({"level": 0}, "invalid_level"),
        ({"level": "5"}, "invalid_level"),
        ({"level": True}, "invalid_level"),
        ({"level": 5, "dimensions": {"speed": 5}}, "invalid_dimensions"),
        ({"level": 5, "dimensions": {"efficiency": 6}}, "invalid_dimensions"),
    ):
        status, answer = await _rating(api, citizen, number, **body)
        assert (status, answer["error"]["code"]) == (422, code), body
    stranger = await b.citizen_token(api, wechat)
    status, answer = await _rating(api, stranger, number, level=1)
    assert (status, answer["error"]["code"]) == (404, "case_not_found")
    status, answer, _ = await api.call(
        "GET", f"/api/v1/applications/{number}/rating", token=citizen
    )
    assert (status, answer["error"]["code"]) == (404, "rating_not_found")


async def test_the_finished_push_and_timeline_invite_a_rating(
    api: Api, wechat: WeChatSandbox
) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    await b.act(api, clerk, number, "refuse", note="材料不全")
    _, case, _ = await api.call("GET", f"/api/v1/applications/{number}", token=citizen)
    assert case["timeline"][-1]["status"] == "refused"
    assert case["timeline"][-1]["invite_rating"] is True
    assert "invite_rating" not in case["timeline"][0]
    registry = api.server.app.ctx.notify_registry
    for platform in ("wechat", "alipay"):
        template = registry.template("application.refused", platform)
        assert template.page == "pages/case/detail?number={number}&rate=1"


async def test_poor_rating_opens_a_rectification_due_across_national_day(
    api: Api, wechat: WeChatSandbox
) -> None:
    api.clock.set(BEFORE_HOLIDAY)
    citizen, clerk, number = await b.new_case(api, wechat)
    await b.act(api, clerk, number, "refuse", note="材料不全")
    status, _ = await _rating(api, citizen, number, level=2, comment="态度不好")
    assert status == 201

    status, body, _ = await api.call("GET", "/api/v1/staff/rectifications", token=clerk)
    assert status == 200
    assert body["total"] == 1
    [task] = body["items"]
    # 5 working days from the day after 09-29: 09-30, 10-08, 10-09, 10-10 (调休), 10-12
    assert (task["application_number"], task["level"], task["comment"], task["status"]) == (
        number,
        2,
        "态度不好",
        "open",
    )
    assert task["due_date"] == "2026-10-12"
    # who rated is never shown to staff: no citizen, agent or rater field, and no id
    me = await b.me(api, citizen)
    assert me["id"] not in str(body)
    assert not {"citizen_id", "rater_id", "agent_id", "rater"} & set(task)

    other = await b.staff_token(api, "clerk-mz", "clerk", "MZ")
    _, elsewhere, _ = await api.call("GET", "/api/v1/staff/rectifications", token=other)
    assert elsewhere == {"items": [], "total": 0}
    path = f"/api/v1/staff/rectifications/{task['id']}"
    status, answer, _ = await api.call("POST", path, token=other, json={"action": "call_back"})
    assert (status, answer["error"]["code"]) == (404, "rectification_not_found")


async def test_rectification_actions_and_appeals(api: Api, wechat: WeChatSandbox) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    await b.act(api, clerk, number, "refuse", note="材料不全")
    await _rating(api, citizen, number, level=1)
    task = await Rectification.get()
    path = f"/api/v1/staff/rectifications/{task.id}"
    supervisor = await b.staff_token(api, "sup-ga", "supervisor", "GA")

    async def act(token: str, action: str) -> tuple[int, dict]:  # type: ignore[type-arg]
        status, body, _ = await api.call(
            "POST", path, token=token, json={"action": action, "note": "已电话联系"}
        )
        return status, body

    status, body = await act(clerk, "rectify")
    assert (status, body["error"]["code"]) == (409, "invalid_transition")
    assert (await act(clerk, "call_back"))[1]["status"] == "called_back"
    status, body = await act(clerk, "void")
    assert (status, body["error"]["code"]) == (403, "role_not_allowed")
    status, body = await act(supervisor, "call_back")
    assert (status, body["error"]["code"]) == (403, "role_not_allowed")
    assert (await act(clerk, "appeal"))[1]["status"] == "appealed"
    status, body = await act(supervisor, "uphold")
    assert (status, body["status"]) == (200, "open")
    assert (await act(clerk, "appeal"))[1]["status"] == "appealed"
    status, body = await act(supervisor, "void")
    assert (status, body["status"]) == (200, "voided")
    assert [h["action"] for h in body["history"]] == [
        "call_back",
        "appeal",
        "uphold",
        "appeal",
        "void",
    ]
    assert (await Rating.get()).voided
    status, body = await act(clerk, "call_back")
    assert (status, body["error"]["code"]) == (409, "invalid_transition")
    status, body = await act(clerk, "dance")
    assert (status, body["error"]["code"]) == (422, "invalid_action")
    _, listed, _ = await api.call(
        "GET", "/api/v1/staff/rectifications?status=voided&per_page=1", token=supervisor
    )
    assert listed["total"] == 1 and listed["items"][0]["id"] == task.id


async def test_unrated_cases_are_rated_five_by_default_after_the_window(
    api: Api, wechat: WeChatSandbox
) -> None:
    api.clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=CST))
    citizen, clerk, number = await b.new_case(api, wechat)
    await b.act(api, clerk, number, "refuse", note="材料不全")
    await b.add_item(code="320112-000-XK-00002")
    other = await b.file_case(api, citizen, code="320112-000-XK-00002")
    await b.act(api, clerk, other, "refuse", note="材料不全")
    status, _ = await _rating(api, citizen, other, level=3)
    assert status == 201

    just_before = datetime(2026, 11, 9, 8, 59, tzinfo=CST)  # 7 days less a minute
    assert (await sweep_feedback(just_before, 7)).defaulted == 0
    report = await sweep_feedback(datetime(2026, 11, 9, 9, 0, tzinfo=CST), 7)
    assert report.defaulted == 1
    _, body, _ = await api.call("GET", f"/api/v1/applications/{number}/rating", token=citizen)
    assert (body["level"], body["default"]) == (5, True)
    status, answer = await _rating(api, citizen, number, level=1)
    assert (status, answer["error"]["code"]) == (409, "already_rated")
    again = await sweep_feedback(datetime(2026, 11, 10, 9, 0, tzinfo=CST), 7)
    assert again.defaulted == 0
    assert await Rating.filter(is_default=True).count() == 1


async def test_overdue_rectification_raises_a_warning_until_done(
    api: Api, wechat: WeChatSandbox
) -> None:
    api.clock.set(BEFORE_HOLIDAY)
    citizen, clerk, number = await b.new_case(api, wechat)
    await b.act(api, clerk, number, "refuse", note="材料不全")
    await _rating(api, citizen, number, level=1)
    on_due = datetime(2026, 10, 12, 18, 0, tzinfo=CST)
    assert (await sweep_feedback(on_due, 7)).raised == 0
    after_due = datetime(2026, 10, 13, 9, 0, tzinfo=CST)
    assert (await sweep_feedback(after_due, 7)).raised == 1
    assert (await sweep_feedback(after_due, 7)).raised == 0  # once
    _, warnings, _ = await api.call("GET", "/api/v1/staff/warnings", token=clerk)
    [warning] = [w for w in warnings["items"] if w["kind"] == RECTIFY_OVERDUE]
    assert warning["number"] == number and warning["colour"] == "red"
    assert "差评整改已超过期限（2026-10-12）" in warning["message"]

    task = await Rectification.get()
    for action in ("call_back", "rectify"):
        await api.call(
            "POST", f"/api/v1/staff/rectifications/{task.id}", token=clerk, json={"action": action}
        )
    report = await sweep_feedback(datetime(2026, 10, 14, 9, 0, tzinfo=CST), 7)
    assert report.resolved == 1
    assert await StaffAlert.filter(kind=RECTIFY_OVERDUE, resolved_at=None).count() == 0
    assert date(2026, 10, 12) == task.due_date


async def test_who_may_list_tasks_and_the_page_size(api: Api) -> None:
    clerk = await b.staff_token(api, "clerk-ga", "clerk", "GA")
    status, body, _ = await api.call("GET", "/api/v1/staff/rectifications", token=clerk)
    assert (status, body) == (200, {"items": [], "total": 0})
    publicity = await b.staff_token(api, "pub1", "publicity", None)
    status, body, _ = await api.call("GET", "/api/v1/staff/rectifications", token=publicity)
    assert (status, body["error"]["code"]) == (403, "role_not_allowed")
    status, body, _ = await api.call("GET", "/api/v1/staff/feedback", token=publicity)
    assert (status, body["error"]["code"]) == (403, "role_not_allowed")
    status, body, _ = await api.call(
        "GET", "/api/v1/staff/rectifications?per_page=101", token=clerk
    )
    assert (status, body["error"]["details"]) == (422, {"field": "per_page"})
