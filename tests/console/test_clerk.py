"""A clerk works a case in the browser from 已提交 to 已寄出, and the citizen's pushes arrive
at the WeChat sandbox; a colleague acting first is a 409 with the fresh state; a form
without its CSRF token changes nothing; another department's case is a 404."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

import aiohttp

from core.cases.models import Application
from core.clock import CST
from core.outbox.models import OutboxMessage
from core.staff.models import StaffAccessEntry
from tests.browser import needs_chromium
from tests.console.conftest import TABLET, Console, file_case, staff_login

pytestmark = needs_chromium
CLERK = "clerk-321012-ga-hz"
OPENID = "o-console-citizen"


async def _pushed(console: Console, openid: str, count: int) -> list[dict[str, object]]:
    """The sandbox's messages to ``openid`` once ``count`` arrived (the worker sends them)."""
    for _ in range(200):
        sent = [m for m in console.stack.wechat.sent if m.get("touser") == openid]
        if len(sent) >= count:
            return sent
        await asyncio.sleep(0.1)
    rows = await OutboxMessage.all().values("event", "channel", "status")
    raise AssertionError(f"{count} pushes expected, got {len(sent)}: {rows}")


async def test_a_clerk_works_a_case_from_submitted_to_mailed(console: Console) -> None:
    from playwright.async_api import expect

    number = await file_case(console.stack, OPENID)
    page = await console.sign_in(CLERK)
    row = page.locator("tbody tr").filter(has_text=number)
    await expect(row).to_contain_text("已提交")
    await console.shot(page, "10-clerk-queue")
    # search by number, keyboard only: "/" jumps to the search, type, press Enter
    await page.keyboard.press("/")
    await expect(page.get_by_label("办件编号")).to_be_focused()
    await page.keyboard.type(number)
    await page.get_by_label("办件编号").press("Enter")
    await expect(page.locator("tbody tr")).to_have_count(1)
    await page.get_by_role("link", name=number).click()
    await expect(page.get_by_role("heading", name=f"办件 {number}")).to_be_visible()
    status = page.locator("#case-status")
    await expect(status).to_have_text("已提交")
    await expect(page.get_by_role("img", name="符合标准的数码相片回执")).to_be_visible()
    assert await page.locator("iframe[title^='原居民身份证']").count() == 1
    # a material is shown inline through a scoped route with the headers of downloads
    photo = await page.get_by_role("img", name="符合标准的数码相片回执").get_attribute("src")
    shown = await page.request.get(console.stack.api + str(photo))
    headers = shown.headers
    assert shown.status == 200 and headers["content-type"] == "image/png"
    assert headers["content-disposition"].startswith("inline;")
    assert headers["cache-control"] == "private, no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in headers["content-security-policy"]
    # an ID number typed into the form is shown masked, never in the page source
    await expect(page.locator("dl.facts").nth(1)).to_contain_text("1101**********002X")
    assert "11010519491231002X" not in await page.content()
    await console.shot(page, "11-case-submitted")
    # what the state allows, labelled as the contract says; 窗口领取 never on an ems case
    actions = page.locator("aside")
    await expect(actions.get_by_role("button", name="受理", exact=True)).to_be_visible()
    await expect(actions.get_by_role("button", name="不予受理")).to_be_visible()
    await expect(actions.get_by_role("button", name="要求补正")).to_be_visible()
    await expect(actions.get_by_role("button", name="窗口领取")).to_have_count(0)
    await expect(actions.get_by_label("说明")).to_have_count(2)

    for label, shown in (("受理", "已受理"), ("开始审查", "审查中"), ("批准", "已批准")):
        await actions.get_by_role("button", name=label, exact=True).click()
        await expect(status).to_have_text(shown)
        await expect(page.get_by_role("status")).to_have_text(f"已完成：{label}")
        if label == "受理":  # the clock runs: due date and working days left
            await expect(page.locator("dl.facts").first).to_contain_text("个工作日")
        if label == "开始审查":
            await console.small_shot(page, "case")

    ems = actions.get_by_label("邮件号")
    await ems.fill("EA123456789CN")  # wrong check digit: said while typing
    await expect(ems).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#hint-ems")).to_contain_text("校验位")
    await console.shot(page, "12-case-ems-typing")
    await ems.fill("EA123456785CN")
    await expect(page.locator("#hint-ems")).to_have_text("邮件号格式正确。")
    await actions.get_by_role("button", name="邮寄").click()
    await expect(status).to_have_text("已寄出")
    await expect(page.locator("dl.facts").first).to_contain_text("EA123456785CN")

    # submitted, accepted, under review, approved, mailed: five pushes reach the phone
    sent = await _pushed(console, OPENID, 5)
    assert sent[-1]["template_id"] == "wx-demo-delivery"
    assert any(number in str(m.get("page")) for m in sent)
    mailed = await OutboxMessage.get(event="application.result_mailed", status="sent")
    assert mailed.channel == "wechat"
    await page.reload()
    await expect(page.locator("#h-messages + table")).to_contain_text("已发送")
    await console.shot(page, "13-case-mailed")
    case = await Application.get(number=number)
    assert case.status == "result_mailed"
    viewed = await StaffAccessEntry.filter(event="case_viewed", subject=number).count()
    assert viewed >= 5  # each view of the page is in the staff access log, as the API's are

    # the queue once more with cases in each colour: due in 15 working days, due today, late
    numbers = [await file_case(console.stack, f"o-console-q{i}") for i in range(3)]
    async with aiohttp.ClientSession() as http:
        clerk = await staff_login(http, console.stack.api, CLERK)
        for other in numbers:
            url = f"{console.stack.api}/api/v1/staff/applications/{other}/actions"
            async with http.post(url, json={"action": "accept"}, headers=clerk) as resp:
                assert resp.status == 200
    today = datetime.now(CST).date()
    await Application.filter(number=numbers[1]).update(due_date=today)
    await Application.filter(number=numbers[2]).update(due_date=today - timedelta(days=7))
    await page.goto(f"{console.stack.api}/console/cases")
    for other, colour in zip(numbers, ("green", "yellow", "red"), strict=True):
        await expect(page.locator(f"tr[data-colour={colour}]")).to_contain_text(other)
    # the days left read as on the case page: "N 个工作日", "今天到期", "已超期 N 个工作日"
    colours = ("green", "yellow", "red")
    left = {c: page.locator(f"tr[data-colour={c}] td:last-child") for c in colours}
    await expect(left["green"]).to_have_text(re.compile(r"^\d+ 个工作日$"))
    await expect(left["yellow"]).to_have_text("今天到期")
    await expect(left["red"]).to_have_text(re.compile(r"^已超期"))
    await console.shot(page, "19-clerk-queue-colours")
    await console.small_shot(page, "queue")

    # the same page on a tablet
    tablet = await console.sign_in(CLERK, viewport=TABLET)
    await tablet.goto(f"{console.stack.api}/console/cases/{number}")
    await expect(tablet.locator("#case-status")).to_have_text("已寄出")
    await console.shot(tablet, "14-case-tablet")


async def test_a_colleague_acting_first_is_shown_as_such(console: Console) -> None:
    from playwright.async_api import expect

    number = await file_case(console.stack, "o-console-two")
    page = await console.sign_in(CLERK)
    url = f"{console.stack.api}/console/cases/{number}"
    await page.goto(url)
    other = await page.context.new_page()  # the same case open in a second tab
    await other.goto(url)
    await other.locator("aside").get_by_role("button", name="受理", exact=True).click()
    await expect(other.locator("#case-status")).to_have_text("已受理")
    async with page.expect_response(lambda r: r.url.endswith("/act")) as posted:
        await page.locator("aside").get_by_role("button", name="受理", exact=True).click()
    assert (await posted.value).status == 409
    await expect(page.get_by_role("alert")).to_contain_text("另一位工作人员已先处理")
    await expect(page.locator("#case-status")).to_have_text("已受理")
    await expect(page.locator("aside").get_by_role("button", name="开始审查")).to_be_visible()
    await console.shot(page, "15-case-409")


async def test_no_csrf_token_no_change_and_other_departments_get_404(console: Console) -> None:
    from playwright.async_api import expect

    number = await file_case(console.stack, "o-console-three")
    page = await console.sign_in(CLERK)
    await page.goto(f"{console.stack.api}/console/cases/{number}")
    version = await page.locator("input[name=version]").first.get_attribute("value")
    answer = await page.request.post(
        f"{console.stack.api}/console/cases/{number}/act",
        form={"action": "accept", "version": str(version)},
    )
    assert answer.status == 403
    assert "操作没有执行" in await answer.text()
    forged = await page.request.post(
        f"{console.stack.api}/console/cases/{number}/act",
        form={"action": "accept", "version": str(version), "csrf": "0" * 64},
    )
    assert forged.status == 403
    assert (await Application.get(number=number)).status == "submitted"

    stranger = await console.sign_in("clerk-321012-mz")
    shown = await stranger.goto(f"{console.stack.api}/console/cases/{number}")
    assert shown is not None and shown.status == 404
    await expect(stranger.get_by_role("heading", name="没有找到")).to_be_visible()
    await expect(stranger.get_by_text(number)).to_have_count(0)
    await console.shot(stranger, "16-other-department-404")
    case = await Application.get(number=number)
    file_id = case.materials[0]["file_id"]
    material = await stranger.request.get(
        f"{console.stack.api}/console/cases/{number}/materials/{file_id}"
    )
    assert material.status == 404
    assert re.search(r"没有找到", await material.text())
