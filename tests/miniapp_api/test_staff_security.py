"""Level-3 controls on staff access: two-factor sign-in, the idle timeout, the access log."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from tortoise import connections

from core.clock import CST, FrozenClock
from core.staff import access_log, totp
from core.staff.models import StaffAccessEntry
from integrations.wechat.sandbox import WeChatSandbox
from tests import builders as b
from tests import harness
from tests.harness import Api

LOGIN = "/api/v1/staff/login"
LOG = "/api/v1/staff/access-log"


@pytest.fixture
async def totp_api(
    database_url: str, platform_env: dict[str, str], clock: FrozenClock
) -> AsyncIterator[Api]:
    settings = harness.settings_for(database_url, **platform_env, STAFF_TOTP="required")
    async with harness.running_api(settings, clock) as running:
        yield running


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = harness.env_for(database_url, STAFF_TOTP="required")
    return subprocess.run(
        [sys.executable, "-m", "citysvc", "staff", *args],
        env=dict(os.environ, **env),
        input=b.PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )


def _secret(output: str) -> str:
    uri = re.search(r"otpauth://\S+", output)
    assert uri, output
    parts = urlsplit(uri.group(0))
    assert (parts.netloc, parts.path) == ("totp", "/citysvc:clerk.otp")
    query = parse_qs(parts.query)
    assert (query["algorithm"], query["digits"], query["period"]) == (["SHA1"], ["6"], ["30"])
    return query["secret"][0]


async def _login(api: Api, otp: str | None = None) -> tuple[int, dict[str, object]]:
    body = {"username": "clerk.otp", "password": b.PASSWORD}
    if otp is not None:
        body["otp"] = otp
    status, answer, _ = await api.call("POST", LOGIN, json=body)
    return status, answer


def _code(body: dict[str, object]) -> object:
    error = body["error"]
    assert isinstance(error, dict)
    return error["code"]


async def test_two_factor_sign_in(totp_api: Api, database_url: str) -> None:
    added = await asyncio.to_thread(
        _cli, database_url, "add", "clerk.otp", "--role", "clerk", "--department", "GA"
    )
    assert added.returncode == 0, added.stderr
    secret = _secret(added.stdout)
    # the secret is stored encrypted, never in clear
    row = await connections.get("default").execute_query_dict(
        "SELECT otp_secret_enc FROM staff_member WHERE username = 'clerk.otp'"
    )
    assert secret not in row[0]["otp_secret_enc"]
    now = totp_api.clock.now()
    step = totp.step_of(now)

    status, body = await _login(totp_api)
    assert (status, _code(body)) == (401, "otp_required")
    status, body = await _login(totp_api, "12345")
    assert (status, _code(body)) == (401, "invalid_otp")
    wrong = str((int(totp.code_at(secret, step)) + 1) % 10**6).zfill(6)
    status, body = await _login(totp_api, wrong)
    assert (status, _code(body)) == (401, "invalid_otp")
    status, body = await _login(totp_api, totp.code_at(secret, step))
    assert status == 200, body
    # the same code again, inside its window: refused (no replay)
    status, body = await _login(totp_api, totp.code_at(secret, step))
    assert (status, _code(body)) == (401, "invalid_otp")
    # an older step's code, once a newer one was used: refused too
    status, body = await _login(totp_api, totp.code_at(secret, step - 1))
    assert (status, _code(body)) == (401, "invalid_otp")
    totp_api.clock.advance(seconds=30)
    status, body = await _login(totp_api, totp.code_at(secret, step + 1))
    assert status == 200, body

    # re-enrolment: the old secret stops working, the new one works
    reset = await asyncio.to_thread(_cli, database_url, "reset-otp", "clerk.otp")
    assert reset.returncode == 0, reset.stderr
    fresh = _secret(reset.stdout)
    totp_api.clock.advance(seconds=30)
    status, body = await _login(totp_api, totp.code_at(secret, step + 2))
    assert (status, _code(body)) == (401, "invalid_otp")
    status, body = await _login(totp_api, totp.code_at(fresh, step + 2))
    assert status == 200, body
    unknown = await asyncio.to_thread(_cli, database_url, "reset-otp", "nobody")
    assert unknown.returncode == 1


def test_totp_matches_the_rfc_6238_test_vectors() -> None:
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of the RFC's "12345678901234567890"
    for unix, eight_digits in (
        (59, "94287082"),
        (1111111109, "07081804"),
        (2000000000, "69279037"),
    ):
        assert totp.code_at(secret, unix // 30) == eight_digits[-6:]


async def test_a_member_not_enrolled_is_told_so(totp_api: Api) -> None:
    await b.add_staff("clerk.otp", b.PASSWORD, "clerk", "GA")
    status, body = await _login(totp_api, "123456")
    assert (status, _code(body)) == (401, "otp_required")
    assert body["error"]["details"] == {"enrolled": False}  # type: ignore[index]


async def test_staff_sessions_end_after_30_idle_minutes(api: Api, wechat: WeChatSandbox) -> None:
    staff = await b.staff_token(api, "clerk1")
    citizen = await b.citizen_token(api, wechat)
    path = "/api/v1/staff/applications"
    for _ in range(4):  # in use every 29 minutes: two hours and still signed in
        api.clock.advance(minutes=29)
        status, body, _ = await api.call("GET", path, token=staff)
        assert status == 200, body
    api.clock.advance(minutes=30)
    status, body, _ = await api.call("GET", path, token=staff)
    assert (status, body["error"]["code"]) == (401, "session_idle")
    # citizens keep their 7 days
    status, _, _ = await api.call("GET", "/api/v1/me", token=citizen)
    assert status == 200


async def test_the_access_log(api: Api, wechat: WeChatSandbox) -> None:
    citizen, clerk, number = await b.new_case(api, wechat)
    admin = await b.staff_token(api, "admin1", role="admin", department=None)
    # an unknown username (perhaps a password typed in the wrong field) is masked
    bad = {"username": "hunter2secret", "password": "x" * 10}
    assert (await api.call("POST", LOGIN, json=bad))[0] == 401
    for _ in range(5):
        wrong = {"username": "clerk1", "password": "wrong password"}
        assert (await api.call("POST", LOGIN, json=wrong))[0] == 401
    status, body, _ = await api.call("POST", LOGIN, json={"username": "clerk1", "password": "x"})
    assert (status, body["error"]["code"]) == (401, "account_locked")
    status, case, _ = await api.call("GET", f"/api/v1/staff/applications/{number}", token=clerk)
    assert status == 200
    file_id = case["materials"][0]["file_id"]
    material = f"/api/v1/staff/applications/{number}/materials/{file_id}"
    assert (await api.call("GET", material, token=clerk))[0] == 200

    status, page, _ = await api.call("GET", LOG, token=admin)
    assert status == 200, page
    events = [(i["event"], i["username"], i["subject"]) for i in page["items"]]
    assert events == [
        ("material_downloaded", "clerk1", f"{number}/{file_id}"),
        ("case_viewed", "clerk1", number),
        ("locked_out", "clerk1", None),
        ("locked_out", "clerk1", None),
        *[("login_failed", "clerk1", None)] * 5,
        ("login_failed", "h*******", None),
        ("login", "admin1", None),
        ("login", "clerk1", None),
    ]
    assert page["total"] == len(events)
    assert all(i["address"] == "127.0.0.1" for i in page["items"])
    status, second, _ = await api.call("GET", LOG + "?page=2&per_page=5", token=admin)
    assert [i["id"] for i in second["items"]] == [i["id"] for i in page["items"][5:10]]
    status, only, _ = await api.call("GET", LOG + "?event=case_viewed", token=admin)
    assert only["total"] == 1
    for bad_query in ("?per_page=0", "?per_page=101", "?event=x", "?staff_id=a"):
        assert (await api.call("GET", LOG + bad_query, token=admin))[0] == 422
    # administrators only
    status, body, _ = await api.call("GET", LOG, token=clerk)
    assert (status, body["error"]["code"]) == (403, "role_not_allowed")
    assert (await api.call("GET", LOG, token=citizen))[0] == 401


async def _append_only(clock: FrozenClock) -> None:
    now = datetime.now(CST)  # the database's triggers judge age by its own clock
    await access_log.record("login", now, username="a", staff_id=1)
    await access_log.record("login", now - timedelta(days=200), username="b", staff_id=2)
    await access_log.record("login", now - timedelta(days=170), username="c", staff_id=3)
    db = connections.get("default")
    with pytest.raises(Exception, match="append-only"):
        await StaffAccessEntry.filter(username="a").update(detail="rewritten")
    with pytest.raises(Exception, match="183 days"):
        await db.execute_query("DELETE FROM staff_access_log WHERE username = 'c'")
    # the sweep deletes what is past retention, never younger lines, whatever it is asked
    assert await access_log.sweep(now, keep_days=30) == 1
    assert sorted(await StaffAccessEntry.all().values_list("username", flat=True)) == ["a", "c"]


async def test_the_database_keeps_the_log_append_only(api: Api) -> None:
    await _append_only(api.clock)


async def test_the_database_keeps_the_log_append_only_on_postgres(pg_api: Api) -> None:
    await _append_only(pg_api.clock)
