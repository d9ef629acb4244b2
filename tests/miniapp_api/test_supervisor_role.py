"""Supervisors (电子监察) watch cases; they never act on them (issue 13, 7).

They read their department's cases and warnings; every change to a case (an action, a
shipment) answers 403 ``role_not_allowed`` and leaves the case and its trail as they were.
"""

from __future__ import annotations

from core.cases.models import Application, AuditEntry
from core.cases.queries import ACTING_ROLES, CASE_ROLES
from core.staff.models import ROLES
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests.harness import Api


async def test_supervisor_reads_but_cannot_act(api: Api, wechat: WeChatSandbox) -> None:
    _, clerk, number = await b.new_case(api, wechat)
    supervisor = await b.staff_token(api, "sup-ga", "supervisor", "GA")
    status, case, _ = await api.call(
        "GET", f"/api/v1/staff/applications/{number}", token=supervisor
    )
    assert status == 200 and case["number"] == number
    for action in ("accept", "refuse"):
        status, body = await b.act(api, supervisor, number, action, note="不予受理")
        assert (status, body["error"]["code"]) == (403, "role_not_allowed"), action
    assert (await b.act(api, clerk, number, "accept"))[0] == 200
    for action in ("start_review", "approve"):
        status, body = await b.act(api, supervisor, number, action)
        assert (status, body["error"]["code"]) == (403, "role_not_allowed"), action
    await b.act(api, clerk, number, "start_review")
    await b.act(api, clerk, number, "approve")
    status, body, _ = await api.call(
        "POST",
        f"/api/v1/staff/applications/{number}/shipment",
        token=supervisor,
        json={"tracking_number": "EA123456785CN"},
    )
    assert (status, body["error"]["code"]) == (403, "role_not_allowed")
    case_row = await Application.get(number=number)
    assert case_row.status == "approved"
    actors = await AuditEntry.filter(application_id=case_row.id).values_list("actor", flat=True)
    assert not any("sup-ga" in actor for actor in actors)


def test_only_clerks_and_admins_act() -> None:
    assert set(ACTING_ROLES) == {"clerk", "admin"}
    assert set(ACTING_ROLES) < set(CASE_ROLES) <= set(ROLES)
