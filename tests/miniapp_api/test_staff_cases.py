"""Clerk actions: the state machine, working-day deadlines, scoping, concurrency, audit trail."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime

import pytest
from tortoise import connections

from core.clock import CST
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests import harness
from tests.harness import Api


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=CST)


async def test_every_transition_of_the_contract(api: Api, wechat: WeChatSandbox) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    path = ["accept", "start_review", "suspend", "resume", "approve", "hand_over"]
    expected = ["accepted", "under_review", "suspended", "under_review", "approved", "collected"]
    for action, status in zip(path, expected, strict=True):
        code, case = await b.act(api, clerk, number, action)
        assert (code, case["status"]) == (200, status), action
    code, body = await b.act(api, clerk, number, "accept")
    assert (code, body["error"]["code"]) == (409, "invalid_transition")
    assert [e["to"] for e in case["audit"]] == ["submitted", *expected]


@pytest.mark.parametrize(
    ("action", "status"), [("refuse", "refused"), ("request_supplement", "supplement_requested")]
)
async def test_intake_outcomes(api: Api, wechat: WeChatSandbox, action: str, status: str) -> None:
    _, clerk, number = await b.new_case(api, wechat)
    code, case = await b.act(api, clerk, number, action, note="材料不齐")
    assert (code, case["status"]) == (200, status)
    for wrong in ("approve", "start_review", "hand_over"):
        assert (await b.act(api, clerk, number, wrong))[0] == 409


async def test_refusing_denying_and_asking_for_more_need_a_note(
    api: Api, wechat: WeChatSandbox
) -> None:
    _, clerk, number = await b.new_case(api, wechat)
    for action in ("request_supplement", "refuse"):
        for note in ({}, {"note": None}, {"note": ""}, {"note": "  \n "}):
            code, body = await b.act(api, clerk, number, action, **note)
            assert (code, body["error"]["code"]) == (422, "note_required"), (action, note)
            assert body["error"]["details"] == {"field": "note", "action": action}
    for note in (5, False, ["材料不齐"], "长" * 1001):
        code, body = await b.act(api, clerk, number, "refuse", note=note)
        assert (code, body["error"]["code"]) == (422, "invalid_value"), note
        assert body["error"]["details"] == {"field": "note"}
    for action in ("accept", "start_review"):  # the others need none
        assert (await b.act(api, clerk, number, action))[0] == 200
    code, body = await b.act(api, clerk, number, "deny")
    assert (code, body["error"]["code"]) == (422, "note_required")
    code, case = await b.act(api, clerk, number, "deny", note=" 不符合法定条件 ")
    assert (code, case["status"]) == (200, "denied")
    assert [e["action"] for e in case["audit"]] == ["submit", "accept", "start_review", "deny"]
    assert case["audit"][-1]["note"] == "不符合法定条件"
    assert case["timeline"][-1]["note"] == "审批未通过：不符合法定条件"


async def test_unknown_action_is_422(api: Api, wechat: WeChatSandbox) -> None:
    _, clerk, number = await b.new_case(api, wechat)
    code, body = await b.act(api, clerk, number, "teleport")
    assert (code, body["error"]["code"]) == (422, "invalid_action")


async def test_deadline_across_national_day(api: Api, wechat: WeChatSandbox) -> None:
    # promised 5 working days, accepted Wed 2026-09-30: Oct 1-7 off, Sat Oct 10 is a 调休
    # working day -> Oct 8, 9, 10, 12, 13
    api.clock.set(at("2026-09-30"))
    await b.add_item(promised=5, legal=20)
    citizen = await b.citizen_token(api, wechat, openid="o-national-day")
    clerk = await b.staff_token(api, "clerk1")
    number = await b.file_case(api, citizen)
    _, case = await b.act(api, clerk, number, "accept")
    assert case["due_date"] == "2026-10-13" and case["due_provisional"] is False
    await b.act(api, clerk, number, "start_review")
    # waiting for a supplement from Fri Oct 9 to Mon Oct 12: Sat Oct 10 and Mon Oct 12 stop
    api.clock.set(at("2026-10-09"))
    clerk = await b.staff_login(api, "clerk1")  # sessions last 7 days
    await b.act(api, clerk, number, "request_supplement", note="补充")
    api.clock.set(at("2026-10-12"))
    clerk = await b.staff_login(api, "clerk1")  # staff sessions end after 30 idle minutes
    citizen = await b.citizen_token(api, wechat, openid="o-national-day")
    file_id = await b.upload(api, citizen)
    status, view, _ = await api.call(
        "POST",
        f"/api/v1/applications/{number}/supplement",
        token=citizen,
        json={"materials": [{"name": "申请表", "file_id": file_id}]},
    )
    assert status == 200 and view["due_date"] == "2026-10-15"  # 7 working days from Sep 30
    # extension by 3: Oct 8, 9, 10, 12, 13, 14, 15, 16, 19, 20
    _, case = await b.act(api, clerk, number, "extend", days=3)
    assert case["due_date"] == "2026-10-20"
    code, body = await b.act(api, clerk, number, "extend", days=1)
    assert (code, body["error"]["code"]) == (409, "already_extended")


async def test_deadline_across_spring_festival(api: Api, wechat: WeChatSandbox) -> None:
    # accepted Fri 2026-02-13: Sat Feb 14 works (调休), Feb 15-23 off -> Feb 14, 24, 25, 26, 27
    api.clock.set(at("2026-02-13"))
    _, clerk, number = await b.new_case(api, wechat, promised=5, legal=20)
    _, case = await b.act(api, clerk, number, "accept")
    assert case["due_date"] == "2026-02-27"


async def test_extension_never_beyond_statutory_limit(api: Api, wechat: WeChatSandbox) -> None:
    _, clerk, number = await b.new_case(api, wechat, promised=15, legal=20)
    await b.act(api, clerk, number, "accept")
    await b.act(api, clerk, number, "start_review")
    for days in (6, 0, -1, "3", True):
        code, body = await b.act(api, clerk, number, "extend", days=days)
        assert (code, body["error"]["code"]) == (422, "invalid_extension"), days
    assert (await b.act(api, clerk, number, "extend", days=5))[0] == 200


async def test_past_the_calendar_data_is_provisional(api: Api, wechat: WeChatSandbox) -> None:
    # 2027 is beyond chinesecalendar 1.11's data: Monday-Friday, marked provisional
    api.clock.set(at("2027-01-29"))
    _, clerk, number = await b.new_case(api, wechat, promised=3, legal=20)
    _, case = await b.act(api, clerk, number, "accept")
    assert (case["due_date"], case["due_provisional"]) == ("2027-02-03", True)


async def test_department_scoping(api: Api, wechat: WeChatSandbox) -> None:
    _, clerk, number = await b.new_case(api, wechat)
    outsider = await b.staff_token(api, "clerk-mz", department="MZ")
    admin = await b.staff_token(api, "admin1", role="admin", department=None)
    publicity = await b.staff_token(api, "pub1", role="publicity", department=None)
    status, body, _ = await api.call("GET", f"/api/v1/staff/applications/{number}", token=outsider)
    assert (status, body["error"]["code"]) == (404, "case_not_found")
    assert (await b.act(api, outsider, number, "accept"))[0] == 404
    assert (await api.call("GET", "/api/v1/staff/applications", token=outsider))[1]["items"] == []
    listed = (await api.call("GET", "/api/v1/staff/applications", token=clerk))[1]["items"]
    assert [c["number"] for c in listed] == [number]
    assert (await api.call("GET", f"/api/v1/staff/applications/{number}", token=admin))[0] == 200
    assert (await api.call("GET", "/api/v1/staff/applications", token=publicity))[0] == 403


async def test_staff_detail_masks_applicant(api: Api, wechat: WeChatSandbox) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    await b.verify_directly(
        (await b.me(api, citizen))["id"], name="张三丰", id_number="11010519491231002X"
    )
    status, case, _ = await api.call("GET", f"/api/v1/staff/applications/{number}", token=clerk)
    assert case["applicant"] == {
        "realname_verified": True,
        "name_masked": "张**",
        "id_number_masked": "1101**********002X",
    }
    assert "11010519491231002X" not in str(case)


async def test_overdue_filter(api: Api, wechat: WeChatSandbox) -> None:
    api.clock.set(at("2026-11-02"))
    _, clerk, number = await b.new_case(api, wechat, promised=1, legal=20)
    await b.act(api, clerk, number, "accept")  # due Tue 2026-11-03
    api.clock.set(at("2026-11-04"))
    clerk = await b.staff_login(api, "clerk1")  # staff sessions end after 30 idle minutes
    listed = (await api.call("GET", "/api/v1/staff/applications?overdue=true", token=clerk))[1][
        "items"
    ]
    assert [c["number"] for c in listed] == [number]
    api.clock.set(at("2026-11-03"))
    none = (await api.call("GET", "/api/v1/staff/applications?overdue=1", token=clerk))[1]
    assert none == {"items": [], "total": 0}


async def test_staff_login_lockout(api: Api) -> None:
    await b.staff_token(api, "clerk9")
    for _ in range(5):
        status, body, _ = await api.call(
            "POST", "/api/v1/staff/login", json={"username": "clerk9", "password": "wrong-pass"}
        )
        assert (status, body["error"]["code"]) == (401, "invalid_credentials")
    status, body, _ = await api.call(
        "POST", "/api/v1/staff/login", json={"username": "clerk9", "password": b.PASSWORD}
    )
    assert (status, body["error"]["code"]) == (401, "account_locked")
    api.clock.advance(minutes=16)
    status, _, _ = await api.call(
        "POST", "/api/v1/staff/login", json={"username": "clerk9", "password": b.PASSWORD}
    )
    assert status == 200


async def test_citizen_token_is_not_a_staff_token(api: Api, wechat: WeChatSandbox) -> None:
    citizen, _, _ = await b.new_case(api, wechat)
    status, body, _ = await api.call("GET", "/api/v1/staff/applications", token=citizen)
    assert (status, body["error"]["code"]) == (401, "wrong_token_kind")


def audit_verify(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=harness.SECRET_KEY)
    return subprocess.run(
        [sys.executable, "-m", "citysvc", "audit", "verify", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_tampering_is_detected(api: Api, wechat: WeChatSandbox, database_url: str) -> None:
    _, clerk, number = await b.new_case(api, wechat)
    for action in ("accept", "start_review", "approve"):
        await b.act(api, clerk, number, action)
    ok = await asyncio.to_thread(audit_verify, database_url)
    assert (ok.returncode, ok.stdout.strip()) == (0, "audit trail intact")
    await connections.get("default").execute_query(
        "UPDATE audit_entry SET note = 'quietly changed' WHERE seq = 3"
    )
    broken = await asyncio.to_thread(audit_verify, database_url)
    assert broken.returncode == 1
    assert f"case {number}, entry 3: content does not match its hash" in broken.stdout


async def test_a_removed_last_entry_is_detected(
    api: Api, wechat: WeChatSandbox, database_url: str
) -> None:
    _, clerk, number = await b.new_case(api, wechat)
    for action in ("accept", "start_review", "approve"):
        await b.act(api, clerk, number, action)
    # the last entry leaves no link behind it broken: the case row still shows the change
    await connections.get("default").execute_query("DELETE FROM audit_entry WHERE seq = 4")
    broken = await asyncio.to_thread(audit_verify, database_url)
    assert broken.returncode == 1
    assert f"case {number}, entry 4: missing: the case is at change 4 (approved)" in broken.stdout
    await connections.get("default").execute_query("DELETE FROM audit_entry")
    broken = await asyncio.to_thread(audit_verify, database_url)
    assert f"case {number}, entry 1: missing" in broken.stdout


@pytest.mark.postgres
async def test_concurrent_clerk_actions_on_postgres(pg_api: Api, wechat: WeChatSandbox) -> None:
    api = pg_api
    citizen, clerk, number = await b.new_case(api, wechat)
    second = await b.staff_token(api, "clerk2")
    results = await asyncio.gather(
        *(b.act(api, token, number, "accept") for token in (clerk, second, clerk, second))
    )
    codes = sorted(code for code, _ in results)
    assert codes == [200, 409, 409, 409]
    _, case, _ = await api.call("GET", f"/api/v1/staff/applications/{number}", token=clerk)
    assert [e["to"] for e in case["audit"]] == ["submitted", "accepted"]
    status, view, _ = await api.call("GET", f"/api/v1/applications/{number}", token=citizen)
    assert (status, view["status"], view["due_date"]) == (200, "accepted", "2026-12-03")
    other = await b.citizen_token(api, wechat)
    assert (await api.call("GET", f"/api/v1/applications/{number}", token=other))[0] == 404
