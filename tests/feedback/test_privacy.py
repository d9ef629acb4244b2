"""A citizen's ratings and feedback are in their data export; closing the account forgets
who rated and what they wrote, while the figures keep counting the rating and complaint."""

from __future__ import annotations

from core.feedback.models import Feedback, Rating
from core.feedback.privacy import ERASED
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api


async def test_export_then_closure_forgets_the_person_not_the_figures(
    api: Api, wechat: WeChatSandbox
) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    assert (await b.act(api, clerk, number, "refuse", note="材料不齐"))[0] == 200
    rated = {"level": 2, "comment": "我是张三13812345678，等了很久"}
    status, _, _ = await api.call(
        "POST", f"/api/v1/applications/{number}/rating", token=citizen, json=rated
    )
    assert status == 201
    complaint = {"kind": "complaint", "content": "窗口态度不好", "application_number": number}
    assert (await api.call("POST", "/api/v1/feedback", token=citizen, json=complaint))[0] == 201

    status, export, _ = await api.call("GET", "/api/v1/me/export", token=citizen)
    assert status == 200
    [rating] = export["ratings"]
    assert (rating["application_number"], rating["level"]) == (number, 2)
    assert rating["comment"] == rated["comment"]
    [mine] = export["feedback"]
    assert (mine["kind"], mine["content"]) == ("complaint", "窗口态度不好")

    assert (await api.call("DELETE", "/api/v1/me", token=citizen))[0] in (200, 204)
    kept = await Rating.get()
    assert (kept.level, kept.rater_id, kept.comment) == (2, None, "")
    left = await Feedback.get()
    assert (left.kind, left.content) == ("complaint", ERASED)
    status, figures, _ = await api.call(
        "GET", "/api/v1/public/figures?from=2026-11-01&to=2026-11-30"
    )
    assert status == 200 and figures["poor_ratings"] == 1
