"""PIPL art. 45 and 47: a citizen's copy of their data, and what closing the account forgets."""

from __future__ import annotations

import json

from core.followers.models import OaLink
from core.knowledge.models import HandoffTicket
from core.outbox.models import Consent, OutboxMessage
from integrations.alipay.sandbox import AlipaySandbox
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api
from tests.miniapp_api.test_notifications import PROGRESS, consent, dispatcher
from tests.notifications.conftest import register_templates

ID_NUMBER = "11010519491231002X"
SECTIONS = [
    "identity",
    "applications",
    "uploads",
    "agent_authorizations",
    "topics",
    "official_account",
    "messages",
    "consents",
    "ratings",
    "feedback",
]


async def _citizen_with_a_queued_message(
    api: Api, wechat: WeChatSandbox, openid: str
) -> tuple[str, str, str]:
    """(token, citizen id, case number): consent given, one milestone message queued."""
    token = await b.citizen_token(api, wechat, openid=openid)
    citizen_id = (await b.me(api, token))["id"]
    await consent(api, token, {"platform": "wechat", "accepted": [PROGRESS]})
    wechat.grant_consent(openid, PROGRESS)
    number = await b.file_case(api, token)
    return token, citizen_id, number


async def _link(api: Api, open_id: str, citizen_id: str) -> None:
    now = api.clock.now()
    await OaLink.create(
        app_id="wxoa", open_id=open_id, citizen_id=citizen_id, via="code", linked_at=now
    )


async def test_the_export_holds_everything_masked(
    api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    register_templates(api.server.app.ctx.notify_registry, wechat, alipay)
    await b.add_item()
    token, citizen_id, number = await _citizen_with_a_queued_message(api, wechat, "o-export")
    await b.verify_directly(citizen_id, id_number=ID_NUMBER)
    assert (await api.call("PUT", "/api/v1/topics/food_safety/subscription", token=token))[0] < 300
    await OaLink.create(
        app_id="wxoa",
        open_id="oa-export",
        citizen_id=citizen_id,
        via="code",
        linked_at=api.clock.now(),
    )
    status, doc, resp = await api.call("GET", "/api/v1/me/export", token=token)
    assert status == 200, doc
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert doc["sections"] == SECTIONS
    assert list(doc) == ["exported_at", "sections", *SECTIONS]
    assert doc["identity"]["id"] == citizen_id
    assert doc["identity"]["id_number_masked"] == "1101**********002X"
    assert doc["identity"]["name_masked"] == "张*"
    [case] = doc["applications"]
    assert case["number"] == number and case["status"] == "submitted"
    assert [m["name"] for m in case["materials"]] == ["申请表", "居民身份证"]
    assert case["timeline"][0]["status"] == "submitted"
    assert len(doc["uploads"]) == 1
    assert [t["topic"] for t in doc["topics"]] == ["food_safety"]
    assert [link["via"] for link in doc["official_account"]["links"]] == ["code"]
    assert [(m["event"], m["status"], m["application_number"]) for m in doc["messages"]] == [
        ("application.submitted", "queued", number)
    ]
    assert [(c["template_id"], c["credits"]) for c in doc["consents"]] == [(PROGRESS, 1)]
    text = json.dumps(doc, ensure_ascii=False)
    assert ID_NUMBER not in text and "张三" not in text and "o-export" not in text
    assert (await api.call("GET", "/api/v1/me/export"))[0] == 401


async def test_closing_the_account_forgets_queued_messages_consents_and_links(
    api: Api, wechat: WeChatSandbox, alipay: AlipaySandbox
) -> None:
    """Two citizens each with a message queued: the one who stays gets it, the one who
    closed the account does not (before closure forgot the queue, both went out)."""
    register_templates(api.server.app.ctx.notify_registry, wechat, alipay)
    await b.add_item()
    _, stays, _ = await _citizen_with_a_queued_message(api, wechat, "o-stays")
    token, leaves, number = await _citizen_with_a_queued_message(api, wechat, "o-leaves")
    await OaLink.create(
        app_id="wxoa", open_id="oa-leaves", citizen_id=leaves, via="code", linked_at=api.clock.now()
    )
    await HandoffTicket.create(
        app_id="wxoa",
        open_id="oa-leaves",
        citizen_id=leaves,
        question="我的证件",
        created_at=api.clock.now(),
    )
    assert await OutboxMessage.filter(citizen_id=leaves, status="queued").count() == 1

    status, _, _ = await api.call("DELETE", "/api/v1/me", token=token)
    assert status == 204
    assert await dispatcher(api).run_until_idle() == 1
    assert [m["touser"] for m in wechat.sent] == ["o-stays"]
    [withdrawn] = await OutboxMessage.filter(citizen_id=leaves)
    assert (withdrawn.status, withdrawn.last_error) == ("failed", "account_closed")
    assert (withdrawn.recipient, withdrawn.data) == (None, {})
    assert not await Consent.filter(citizen_id=leaves).exists()
    assert await Consent.filter(citizen_id=stays).exists()
    assert not await OaLink.filter(citizen_id=leaves).exists()
    assert not await HandoffTicket.filter(citizen_id=leaves).exists()
    # the case file stays (the department must keep it), and staff see why nothing went out
    clerk = await b.staff_token(api, "clerk1")
    _, case, _ = await api.call("GET", f"/api/v1/staff/applications/{number}", token=clerk)
    assert [(m["status"], m["error"]) for m in case["messages"]] == [("failed", "account_closed")]
