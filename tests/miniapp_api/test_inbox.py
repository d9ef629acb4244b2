"""``GET /api/v1/me/messages``: what the citizen was sent or is due, newest first, paged."""

from __future__ import annotations

from datetime import datetime

from core.outbox.models import OutboxMessage
from integrations.alipay.sandbox import AlipaySandbox
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api
from tests.miniapp_api.test_notifications import PROGRESS, SUPPLEMENT, consent, dispatcher
from tests.notifications.conftest import register_templates


async def test_the_inbox_lists_sent_and_due_messages(
    api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    register_templates(api.server.app.ctx.notify_registry, wechat, alipay)
    await b.add_item()
    openid = "o-inbox"
    token = await b.citizen_token(api, wechat, openid=openid)
    await consent(api, token, {"platform": "wechat", "accepted": [PROGRESS, SUPPLEMENT]})
    wechat.grant_consent(openid, PROGRESS)
    wechat.grant_consent(openid, SUPPLEMENT)
    clerk = await b.staff_token(api, "clerk1")
    number = await b.file_case(api, token)
    assert await dispatcher(api).run_until_idle() == 1  # the submitted message goes out
    api.clock.advance(hours=1)
    clerk = await b.staff_login(api, "clerk1")  # staff sessions end after 30 idle minutes
    status, _ = await b.act(api, clerk, number, "request_supplement", note="请补充户口簿首页")
    assert status == 200

    status, body, _ = await api.call("GET", "/api/v1/me/messages", token=token)
    assert status == 200 and body["total"] == 2
    due, sent = body["items"]  # newest first
    assert due["event"] == "application.supplement_requested" and due["status"] == "queued"
    assert sent["event"] == "application.submitted" and sent["status"] == "sent"
    assert {due["channel"], sent["channel"]} == {"wechat"}
    assert due["application_number"] == sent["application_number"] == number
    assert "待补正" in due["title"] or "补正" in due["title"]
    assert due["at"].endswith("+08:00") and sent["at"] < due["at"]
    row = await OutboxMessage.get(event="application.submitted")
    assert row.sent_at is not None
    assert datetime.fromisoformat(sent["at"]) == row.sent_at

    # one citizen never sees another's messages; paging as every list
    other = await b.citizen_token(api, wechat)
    assert (await api.call("GET", "/api/v1/me/messages", token=other))[1] == {
        "items": [],
        "total": 0,
    }
    _, page2, _ = await api.call("GET", "/api/v1/me/messages?per_page=1&page=2", token=token)
    assert [m["event"] for m in page2["items"]] == ["application.submitted"]
    assert (await api.call("GET", "/api/v1/me/messages"))[0] == 401
