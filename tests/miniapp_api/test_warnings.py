"""``GET /api/v1/staff/warnings``: open warnings of the caller's department; admins see all."""

from __future__ import annotations

from datetime import date, datetime

from core.alerts.models import StaffAlert
from core.cases.workdays import WorkCalendar
from core.clock import CST
from core.settings import Supervision
from core.supervision.sweep import sweep
from tests import builders as b
from tests.bot.conftest import make_case
from tests.harness import Api

SWEPT_AT = datetime(2026, 10, 9, 9, 0, tzinfo=CST)


async def _sweep() -> None:
    await sweep(SWEPT_AT, WorkCalendar(), Supervision())


async def test_department_scoping_and_shape(api: Api) -> None:
    overdue = await make_case("under_review", department="GA", due=date(2026, 10, 8))
    near = await make_case("under_review", department="GA", due=date(2026, 10, 10))
    elsewhere = await make_case("under_review", department="MZ", due=date(2026, 10, 8))
    await _sweep()
    clerk = await b.staff_token(api, "clerk-ga", "clerk", "GA")

    status, page, _ = await api.call("GET", "/api/v1/staff/warnings", token=clerk)
    assert status == 200 and page["total"] == 3
    body = page["items"]
    seen = {(w["number"], w["kind"]) for w in body}
    assert seen == {
        (overdue.number, "overdue"),
        (overdue.number, "overdue_escalated"),
        (near.number, "near_deadline"),
    }
    red = next(w for w in body if w["kind"] == "overdue")
    assert (red["level"], red["colour"], red["audience"]) == ("critical", "red", "department")
    escalation = next(w for w in body if w["kind"] == "overdue_escalated")
    assert escalation["audience"] == "supervisor" and escalation["department"] == "GA"
    yellow = next(w for w in body if w["kind"] == "near_deadline")
    assert yellow["colour"] == "yellow" and "仅剩 1 个工作日" in yellow["message"]
    assert all(w["number"] != elsewhere.number for w in body)

    admin = await b.staff_token(api, "admin1", "admin", None)
    _, everything, _ = await api.call("GET", "/api/v1/staff/warnings", token=admin)
    assert {w["number"] for w in everything["items"]} == {
        overdue.number,
        near.number,
        elsewhere.number,
    }


async def test_resolved_warnings_are_not_listed(api: Api) -> None:
    case = await make_case("under_review", department="GA", due=date(2026, 10, 8))
    await _sweep()
    await StaffAlert.filter(application_id=case.id, kind="overdue").update(resolved_at=SWEPT_AT)
    supervisor = await b.staff_token(api, "sup-ga", "supervisor", "GA")
    _, body, _ = await api.call("GET", "/api/v1/staff/warnings", token=supervisor)
    assert [w["kind"] for w in body["items"]] == ["overdue_escalated"]


async def test_who_may_ask(api: Api) -> None:
    status, body, _ = await api.call("GET", "/api/v1/staff/warnings")
    assert status == 401
    publicity = await b.staff_token(api, "pub1", "publicity", None)
    status, body, _ = await api.call("GET", "/api/v1/staff/warnings", token=publicity)
    assert (status, body["error"]["code"]) == (403, "role_not_allowed")
