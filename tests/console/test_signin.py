"""Signing in and out of the console: the contract's labels, the cookie's flags, lock-out
said plainly, the idle timeout, and sign-out ending the session on the server."""

from __future__ import annotations

from typing import Any

from core.auth.models import Session
from core.staff.models import StaffAccessEntry, StaffMember
from tests.browser import needs_chromium
from tests.console.conftest import Console

pytestmark = needs_chromium
CLERK = "clerk-321012-ga-hz"


async def test_a_clerk_signs_in_lands_on_the_queue_and_signs_out(console: Console) -> None:
    from playwright.async_api import expect

    page = await console.new_page()
    await page.goto(console.url)
    await expect(page).to_have_url(console.stack.api + "/console/login")
    await expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    await console.shot(page, "00-login")
    page = await console.sign_in(CLERK)
    await expect(page).to_have_url(console.stack.api + "/console/cases")
    cookies = {c["name"]: c for c in await page.context.cookies()}
    cookie = cookies["citysvc_console"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/console"
    assert "citysvc_console_login" not in cookies
    member = await StaffMember.get(username=CLERK)
    [live] = await Session.filter(kind="staff", subject_id=str(member.id), revoked_at=None)
    await page.get_by_role("button", name="退出").click()
    await expect(page.get_by_text("您已安全退出。")).to_be_visible()
    assert (await Session.get(id=live.id)).revoked_at is not None
    # the old cookie is worthless now: back to the form
    await page.context.add_cookies([_cookie(cookie)])
    await page.goto(console.stack.api + "/console/cases")
    await expect(page).to_have_url(
        console.stack.api + "/console/login?why=session_expired&next=/console/cases"
    )
    await expect(page.get_by_text("登录已过期，请重新登录。")).to_be_visible()


async def test_wrong_passwords_lock_the_account_and_the_form_says_so(console: Console) -> None:
    from playwright.async_api import expect

    page = await console.new_page()
    await page.goto(console.stack.api + "/console/login")
    for _ in range(5):
        await page.get_by_label("用户名").fill(CLERK)
        await page.get_by_label("密码").fill("wrong password")
        await page.get_by_role("button", name="登录").click()
    await expect(page.get_by_role("alert")).to_contain_text("锁定")
    await console.shot(page, "01-login-locked")
    events = await StaffAccessEntry.filter(username=CLERK).values_list("event", flat=True)
    assert "locked_out" in events


def _cookie(cookie: dict[str, Any]) -> dict[str, Any]:
    keep = ("name", "value", "domain", "path", "httpOnly", "secure", "sameSite")
    return {k: cookie[k] for k in keep}
