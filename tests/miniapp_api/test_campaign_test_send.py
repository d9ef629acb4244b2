"""Test send goes only to named staff, at the citizen accounts an administrator linked to
them: an unapproved message must not reach anyone else (maker/checker)."""

from __future__ import annotations

from typing import Any

from core.outbox.models import OutboxMessage
from core.staff.models import StaffMember
from core.staff.service import link_citizen
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api
from tests.miniapp_api.test_campaigns import BASE, BODY, LONG_TITLE


async def _citizen(api: Api, wechat: WeChatSandbox) -> tuple[str, str]:
    """A citizen's token and id."""
    token = await b.citizen_token(api, wechat)
    return token, str((await b.me(api, token))["id"])


async def _tester(api: Api, wechat: WeChatSandbox, username: str) -> tuple[str, str]:
    """A staff member linked to their own (new) citizen account: (citizen token, id)."""
    await b.staff_token(api, username, role="clerk")
    token, citizen = await _citizen(api, wechat)
    await link_citizen(username, citizen)
    return token, citizen


async def _draft(api: Api, maker: str, **changes: Any) -> int:
    status, made, _ = await api.call("POST", BASE, token=maker, json=BODY | changes)
    assert status == 201, made
    return int(made["id"])


async def _test_send(api: Api, token: str, campaign: int, body: Any) -> tuple[int, Any]:
    status, answer, _ = await api.call(
        "POST", f"{BASE}/{campaign}/test-send", token=token, json=body
    )
    return status, answer


async def test_only_linked_active_staff_receive_a_test(api: Api, wechat: WeChatSandbox) -> None:
    maker = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    campaign = await _draft(api, maker)
    _, tester = await _tester(api, wechat, "pub.tester")
    await b.staff_token(api, "no.link", role="clerk")
    await _tester(api, wechat, "gone.away")
    await StaffMember.filter(username="gone.away").update(active=False)
    _, stranger = await _citizen(api, wechat)  # any citizen: never a test recipient

    status, body = await _test_send(api, maker, campaign, {"staff": ["pub.tester"]})
    assert status == 200, body
    assert body["messages"] == [
        {"username": "pub.tester", "citizen_id": tester, "channel": "none", "status": "no_consent"}
    ]

    status, body = await _test_send(
        api, maker, campaign, {"staff": ["pub.tester", "nobody", "no.link", "gone.away"]}
    )
    assert (status, body["error"]["code"]) == (422, "not_a_test_recipient")
    assert body["error"]["details"] == {
        "field": "staff",
        "usernames": ["nobody", "no.link", "gone.away"],
        "reasons": {
            "nobody": "unknown_staff",
            "no.link": "no_linked_account",
            "gone.away": "inactive",
        },
    }

    # the older body: only ids linked to active staff members
    status, body = await _test_send(api, maker, campaign, {"citizen_ids": [stranger]})
    assert (status, body["error"]["code"]) == (422, "not_a_test_recipient")
    assert body["error"]["details"]["citizen_ids"] == [stranger]
    status, body = await _test_send(api, maker, campaign, {"citizen_ids": [tester, stranger]})
    assert status == 422
    status, body = await _test_send(api, maker, campaign, {"citizen_ids": [tester]})
    assert status == 200
    assert body["messages"][0]["username"] == "pub.tester"
    assert not await OutboxMessage.filter(citizen_id=stranger).exists()


async def test_malformed_test_send_bodies(api: Api, wechat: WeChatSandbox) -> None:
    maker = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    campaign = await _draft(api, maker)
    await _tester(api, wechat, "pub.tester")
    for body in (
        {},
        {"staff": []},
        {"staff": "pub.tester"},
        {"staff": [7]},
        {"staff": ["pub.tester"] * 11},
        {"citizen_ids": ["x"]},
        {"staff": ["pub.tester"], "citizen_ids": []},
    ):
        status, answer = await _test_send(api, maker, campaign, body)
        assert (status, answer["error"]["code"]) == (422, "invalid_value"), body


async def test_a_test_message_is_the_campaign_message(api: Api, wechat: WeChatSandbox) -> None:
    """A linked staff member holding the topic's consent gets the message, fitted exactly as
    the preview shows it."""
    maker = await b.staff_token(api, "pub.maker", role="publicity", department=None)
    campaign = await _draft(api, maker, title=LONG_TITLE)
    token, tester = await _tester(api, wechat, "pub.tester")
    _, templates, _ = await api.call(
        "GET", "/api/v1/notification-templates?platform=wechat", token=token
    )
    topic = next(t["template_id"] for t in templates if t["event"] == "topic.food_safety")
    status, _, _ = await api.call(
        "POST",
        "/api/v1/consents",
        token=token,
        json={"platform": "wechat", "accepted": [topic], "rejected": []},
    )
    assert status == 200
    status, body = await _test_send(api, maker, campaign, {"staff": ["pub.tester"]})
    assert status == 200, body
    assert body["messages"] == [
        {"username": "pub.tester", "citizen_id": tester, "channel": "wechat", "status": "queued"}
    ]
    _, preview, _ = await api.call("POST", f"{BASE}/{campaign}/preview", token=maker)
    row = await OutboxMessage.get(citizen_id=tester)
    assert row.key.startswith(f"campaign-test:{campaign}:")
    assert (row.template_id, row.page) == (topic, preview["wechat"]["page"])
    assert {k: {"value": v} for k, v in row.data.items()} == preview["wechat"]["data"]
    assert row.data["thing1"] == LONG_TITLE[:19] + "…"


async def test_test_send_on_postgres(pg_api: Api, wechat: WeChatSandbox) -> None:
    maker = await b.staff_token(pg_api, "pub.maker", role="publicity", department=None)
    campaign = await _draft(pg_api, maker)
    _, tester = await _tester(pg_api, wechat, "pub.tester")
    _, stranger = await _citizen(pg_api, wechat)
    status, body = await _test_send(pg_api, maker, campaign, {"citizen_ids": [tester]})
    assert (status, body["messages"][0]["username"]) == (200, "pub.tester"), body
    status, body = await _test_send(pg_api, maker, campaign, {"citizen_ids": [stranger]})
    assert (status, body["error"]["code"]) == (422, "not_a_test_recipient")
    status, body = await _test_send(pg_api, maker, campaign, {"staff": ["pub.tester", "x"]})
    assert body["error"]["details"]["reasons"] == {"x": "unknown_staff"}
