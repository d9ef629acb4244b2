"""Benefits without applying (免申即享) judged when the citizen's data changes: a citizen who
newly qualifies after verifying, declaring a town or having a case approved (a licence
granted) hears at once, once per policy, and the daily sweep does not tell them again."""

from __future__ import annotations

from typing import Any

from core.outbox.models import OutboxMessage
from core.policies.importer import import_policies
from integrations.wechat.sandbox import WeChatSandbox
from notifications.policy_sweep import PolicySweep
from tests import builders as b
from tests.harness import Api
from tests.miniapp_api.test_realname import ID_NUMBER, verify_on_wechat

POLICY_TEMPLATE = "wx-demo-policy"


async def _policy(*rules: dict[str, Any]) -> None:
    await b.add_item()
    row = {"code": "p1", "name": "首次就业补贴", "item_code": "320112-000-XK-00001"}
    report = await import_policies([{**row, "rules": list(rules)}])
    assert report.created == 1, report.errors


async def _consenting(api: Api, wechat: WeChatSandbox) -> str:
    token = await b.citizen_token(api, wechat)
    body = {"platform": "wechat", "accepted": [POLICY_TEMPLATE, POLICY_TEMPLATE]}
    status, answer, _ = await api.call("POST", "/api/v1/consents", token=token, json=body)
    assert status == 200, answer
    return token


async def _told() -> list[str]:
    rows = await OutboxMessage.filter(event="policy.eligible").values_list("key", flat=True)
    return sorted(str(k) for k in rows)


def _sweep(api: Api) -> PolicySweep:
    return api.server.app.ctx.policy_check  # type: ignore[no-any-return]


async def test_verifying_tells_at_once_and_the_sweep_not_again(
    api: Api, wechat: WeChatSandbox
) -> None:
    await _policy({"subject": "age", "op": "ge", "value": 30})
    token = await _consenting(api, wechat)
    assert await _told() == []
    me = await verify_on_wechat(api, wechat, token)  # born 1990: 36 now
    assert await _told() == [f"policy:p1:{me['id']}"]
    report = await _sweep(api).run()
    assert report.messaged == 0 and len(await _told()) == 1
    status, _, _ = await api.call("PUT", "/api/v1/me/town", token=token, json={"town": "仙女镇"})
    assert status == 200 and len(await _told()) == 1


async def test_declaring_a_town_tells_one_who_newly_qualifies(
    api: Api, wechat: WeChatSandbox
) -> None:
    await _policy(
        {"subject": "age", "op": "ge", "value": 30},
        {"subject": "township", "op": "eq", "value": "仙女镇"},
    )
    token = await _consenting(api, wechat)
    await verify_on_wechat(api, wechat, token)
    assert await _told() == []  # no town yet: not eligible
    for town, expected in (("邵伯镇", 0), ("仙女镇", 1), ("邵伯镇", 1), ("仙女镇", 1)):
        status, body, _ = await api.call("PUT", "/api/v1/me/town", token=token, json={"town": town})
        assert status == 200, body
        assert len(await _told()) == expected, town


async def test_an_approval_that_grants_a_licence_tells_at_once(
    api: Api, wechat: WeChatSandbox
) -> None:
    await _policy({"subject": "licence", "op": "held", "value": "food_business"})
    token = await _consenting(api, wechat)
    await verify_on_wechat(api, wechat, token)
    clerk = await b.staff_token(api, "clerk1")
    number = await b.file_case(api, token)
    for action in ("accept", "start_review"):
        assert (await b.act(api, clerk, number, action))[0] == 200
    assert await _told() == []
    # the licence the approval grants reaches the registry (here: granted directly)
    api.server.app.ctx.services.cases.licences.grant(ID_NUMBER, "food_business", "JY-1")
    assert (await b.act(api, clerk, number, "approve"))[0] == 200
    assert len(await _told()) == 1
