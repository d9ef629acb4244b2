"""The console's cookie session without a browser: the cookie's flags, the sign-in form's
own CSRF token, the staff idle timeout (on the injected clock) and two-factor sign-in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlparse

import aiohttp
import pytest

from core.clock import FrozenClock
from core.staff import totp
from core.staff.models import StaffMember
from core.staff.service import add_staff
from tests import builders as b
from tests import harness

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
async def browserless() -> AsyncIterator[aiohttp.ClientSession]:
    # the cookie jar of a browser: it keeps cookies set by 127.0.0.1 too
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield http


async def _form(http: aiohttp.ClientSession, url: str) -> tuple[str, str]:
    async with http.get(url + "/console/login") as resp:
        page = await resp.text()
    match = CSRF.search(page)
    assert match, page
    return match.group(1), page


async def _sign_in(
    http: aiohttp.ClientSession, url: str, username: str, **extra: str
) -> aiohttp.ClientResponse:
    csrf, _ = await _form(http, url)
    form = {"csrf": csrf, "username": username, "password": b.PASSWORD, **extra}
    async with http.post(url + "/console/login", data=form, allow_redirects=False) as resp:
        await resp.read()
        return resp


async def test_the_cookie_session_ends_after_the_idle_timeout(
    api: harness.Api, clock: FrozenClock, browserless: aiohttp.ClientSession
) -> None:
    await add_staff("clerk1", b.PASSWORD, "clerk", "GA")
    answer = await _sign_in(browserless, api.url, "clerk1")
    assert answer.status == 302 and answer.headers["Location"] == "/console/cases"
    cookie = next(
        v for k, v in answer.headers.items() if k == "Set-Cookie" and "citysvc_console=" in v
    )
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http here; https servers mark it Secure
    async with browserless.get(api.url + "/console/cases", allow_redirects=False) as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Control"] == "private, no-store"
        assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    clock.advance(minutes=31)  # STAFF_IDLE_MINUTES is 30
    async with browserless.get(api.url + "/console/cases", allow_redirects=False) as resp:
        assert resp.status == 302
        assert parse_qs(urlparse(resp.headers["Location"]).query)["why"] == ["session_idle"]


async def test_a_sign_in_post_without_the_forms_token_is_refused(
    api: harness.Api, browserless: aiohttp.ClientSession
) -> None:
    await add_staff("clerk1", b.PASSWORD, "clerk", "GA")
    await _form(browserless, api.url)
    form = {"username": "clerk1", "password": b.PASSWORD}
    async with browserless.post(api.url + "/console/login", data=form) as resp:
        assert resp.status == 403
        assert "操作没有执行" in await resp.text()
    assert not any(c.key == "citysvc_console" for c in browserless.cookie_jar)


async def test_two_factor_sign_in_asks_for_the_code(
    database_url: str,
    platform_env: dict[str, str],
    clock: FrozenClock,
    browserless: aiohttp.ClientSession,
) -> None:
    settings = harness.settings_for(database_url, STAFF_TOTP="required", **platform_env)
    async with harness.running_api(settings, clock) as api:
        member = await add_staff("clerk1", b.PASSWORD, "clerk", "GA")
        uri = await totp.enrol(member, b.cipher())
        secret = parse_qs(urlparse(uri).query)["secret"][0]
        _, page = await _form(browserless, api.url)
        assert "动态码" in page
        answer = await _sign_in(browserless, api.url, "clerk1")
        assert answer.status == 401
        code = totp.code_at(secret, totp.step_of(clock.now()))
        other = f"{(int(code) + 1) % 1_000_000:06d}"
        wrong = await _sign_in(browserless, api.url, "clerk1", otp=other)
        assert wrong.status == 401
        right = await _sign_in(browserless, api.url, "clerk1", otp=code)
        assert right.status == 302
        assert (await StaffMember.get(username="clerk1")).otp_last_step is not None
