"""Instant approval (秒批) by an item's rules, and benefits listed for the citizen."""

from __future__ import annotations

import json
from typing import Any

from core.cases.models import Application, AuditEntry
from core.catalogue.importer import import_items
from core.clock import FrozenClock
from core.outbox.models import OutboxMessage
from core.policies.importer import import_policies
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api

CODE = "320112-000-XK-00001"
RULES = [
    {"subject": "age", "op": "ge", "value": 60},
    {"subject": "form.income", "op": "lt", "value": 3000},
    {"subject": "township", "op": "in", "value": ["仙女镇", "邵伯镇"]},
]


async def instant_item(rules: list[dict[str, Any]] = RULES) -> None:
    row = b.item_row(materials=[{"name": "申请表", "required": True}]) | {"rules": rules}
    report = await import_items([row])
    assert report.rejected == 0, report.errors


async def elder(api: Api, wechat: WeChatSandbox) -> str:
    """A verified citizen born 1949-12-31 (76 on the test clock) living in 仙女镇."""
    token = await b.citizen_token(api, wechat)
    await b.verify_directly((await b.me(api, token))["id"])
    status, _, _ = await api.call("PUT", "/api/v1/me/town", token=token, json={"town": "仙女镇"})
    assert status == 200
    return token


async def file(api: Api, token: str, income: int) -> tuple[int, Any]:
    file_id = await b.upload(api, token)
    body = {
        "item_code": CODE,
        "form": {"income": income},
        "materials": [{"name": "申请表", "file_id": file_id}],
        "delivery": {"method": "pickup"},
    }
    status, answer, _ = await api.call("POST", "/api/v1/applications", token=token, json=body)
    return status, answer


async def trail(number: str) -> list[AuditEntry]:
    case = await Application.get(number=number)
    return await AuditEntry.filter(application_id=case.id).order_by("seq")


async def test_every_rule_met_approves_at_once(api: Api, wechat: WeChatSandbox) -> None:
    await instant_item()
    token = await elder(api, wechat)
    status, answer = await file(api, token, income=2000)
    assert status == 201 and answer["status"] == "approved"
    case = await Application.get(number=answer["number"])
    assert case.accepted_on is not None and case.due_date is not None
    entries = await trail(case.number)
    assert [(e.actor.split(":")[0], e.action, e.to_status) for e in entries] == [
        ("citizen", "submit", "submitted"),
        ("system", "instant_approve", "approved"),
    ]
    assert entries[1].actor == "system:instant"
    judged = json.loads(entries[1].note)
    assert judged == [
        {"rule": "age ge 60", "value": 76, "met": True},
        {"rule": "form.income lt 3000", "value": 2000, "met": True},
        {"rule": "township in ['仙女镇', '邵伯镇']", "value": "仙女镇", "met": True},
    ]
    events = await OutboxMessage.filter(application_id=case.id).values_list("event", flat=True)
    assert list(events) == ["application.approved"]


async def test_a_failed_rule_goes_to_the_clerk_who_sees_it(api: Api, wechat: WeChatSandbox) -> None:
    await instant_item()
    token = await elder(api, wechat)
    status, answer = await file(api, token, income=5000)
    assert status == 201 and answer["status"] == "submitted"
    entries = await trail(answer["number"])
    assert [(e.actor, e.action, e.to_status) for e in entries][1] == (
        "system:instant",
        "instant_check",
        "submitted",
    )
    failed = [j for j in json.loads(entries[1].note) if not j["met"]]
    assert failed == [{"rule": "form.income lt 3000", "value": 5000, "met": False}]
    clerk = await b.staff_token(api, "clerk1")
    path = f"/api/v1/staff/applications/{answer['number']}"
    view = (await api.call("GET", path, token=clerk))[1]
    assert [j["rule"] for j in view["instant_rules"] if not j["met"]] == ["form.income lt 3000"]
    assert [s["status"] for s in view["timeline"]] == ["submitted"]  # the check is on the trail
    # the citizen's timeline shows the filing once, not the check
    mine = (await api.call("GET", f"/api/v1/applications/{answer['number']}", token=token))[1]
    assert [s["status"] for s in mine["timeline"]] == ["submitted"]
    # an unverified citizen has no age to judge: the clerk decides
    stranger = await b.citizen_token(api, wechat)
    assert (await file(api, stranger, income=100))[1]["status"] == "submitted"


async def test_a_clerk_revokes_an_instant_approval_within_the_window(
    api: Api, wechat: WeChatSandbox, clock: FrozenClock
) -> None:
    await instant_item()
    token = await elder(api, wechat)
    clerk = await b.staff_token(api, "clerk1")
    first = (await file(api, token, income=1))[1]["number"]
    second = (await file(api, token, income=1))[1]["number"]
    status, body = await b.act(api, clerk, first, "revoke_instant")
    assert status == 422 and body["error"]["code"] == "note_required"
    status, body = await b.act(api, clerk, first, "revoke_instant", note="收入证明存疑，转人工审查")
    assert status == 200 and body["status"] == "under_review"
    assert body["audit"][-1]["actor"] == "staff:clerk1"
    clock.advance(hours=73)  # INSTANT_REVOKE_HOURS defaults to 72
    clerk = await b.staff_login(api, "clerk1")  # staff sessions end after 30 idle minutes
    status, body = await b.act(api, clerk, second, "revoke_instant", note="晚了")
    assert status == 409 and body["error"]["code"] == "revoke_window_passed"
    await instant_item(rules=[{"subject": "age", "op": "ge", "value": 100}])
    manual = (await file(api, token, income=1))[1]["number"]
    for action in ("accept", "start_review", "approve"):
        await b.act(api, clerk, manual, action)
    status, body = await b.act(api, clerk, manual, "revoke_instant", note="不是秒批")
    assert status == 409 and body["error"]["code"] == "not_instantly_approved"


async def test_rules_are_checked_at_import(api: Api) -> None:
    bad = [
        [{"subject": "salary", "op": "eq", "value": 1}],
        [{"subject": "age", "op": "ge", "value": "八十"}],
        [{"subject": "form.income", "op": "lt", "value": "很少"}],
        [{"subject": "age", "op": "gt", "value": 80}, {"subject": "age", "op": "lt", "value": 60}],
        [{"subject": "licence", "op": "gt", "value": "drivers_licence"}],
        [{"subject": "township", "op": "lt", "value": "仙女镇"}],
    ]
    rows = [b.item_row(code=f"320112-000-XK-0010{i}") | {"rules": r} for i, r in enumerate(bad)]
    report = await import_items(rows)
    assert report.rejected == len(bad) and report.created == 0
    assert [e.field for e in report.errors] == [
        "rules[0].subject",
        "rules[0].value",
        "rules[0].value",
        "rules",
        "rules[0].op",
        "rules[0].op",
    ]
    assert "impossible" in report.errors[3].reason
    # rules are versioned with the item: a changed rule set is a new version
    good = b.item_row() | {"rules": RULES}
    assert (await import_items([good])).created == 1
    changed = good | {"rules": RULES[:1]}
    assert (await import_items([changed])).updated == 1
    assert (await import_items([changed])).unchanged == 1


async def test_eligible_lists_the_policies_that_hold_now(api: Api, wechat: WeChatSandbox) -> None:
    await instant_item()
    policies = [
        {
            "code": "p60",
            "name": "老年优待",
            "item_code": CODE,
            "form": {"income": 0},
            "rules": [{"subject": "age", "op": "ge", "value": 60}],
        },
        {
            "code": "p80",
            "name": "高龄津贴",
            "item_code": CODE,
            "rules": [{"subject": "age", "op": "ge", "value": 80}],
        },
        {
            "code": "bad",
            "name": "表单",
            "item_code": CODE,
            "rules": [{"subject": "form.income", "op": "lt", "value": 1}],
        },
    ]
    report = await import_policies(policies)
    assert report.created == 2 and report.rejected == 1
    assert report.errors[0].field == "rules[0].subject"
    token = await elder(api, wechat)
    status, found, _ = await api.call("GET", "/api/v1/me/eligible", token=token)
    assert status == 200
    assert found == [{"code": "p60", "name": "老年优待", "item_code": CODE, "form": {"income": 0}}]
    # one tap files the pre-filled case, approved at once
    status, answer = await file(api, token, income=found[0]["form"]["income"])
    assert answer["status"] == "approved"
