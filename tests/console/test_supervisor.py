"""A supervisor sees a red warning for an overdue case of the department, the overdue list,
reads the case without action buttons, and rules on a clerk's appeal of a poor rating."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from core.cases.calendar import load_calendar
from core.cases.models import Application
from core.clock import CST
from core.feedback.models import Rating, Rectification
from core.supervision.sweep import sweep
from tests.browser import needs_chromium
from tests.console.conftest import Console, file_case, staff_login, tap

pytestmark = needs_chromium
SUPERVISOR = "supervisor-321012-bdc"
CLERK = "clerk-321012-bdc"
ITEM = "321012-000-GG-01302"  # 不动产登记资料查询, department 321012-BDC


async def _act(http: aiohttp.ClientSession, url: str, auth: dict[str, str], **body: object) -> None:
    async with http.post(url, json=body, headers=auth) as resp:
        assert resp.status == 200, await resp.text()


async def test_a_supervisor_sees_a_red_warning_and_rules_on_an_appeal(console: Console) -> None:
    from playwright.async_api import expect

    stack = console.stack
    api = stack.api + "/api/v1"
    late = await file_case(stack, "o-console-late", item=ITEM, materials=("申请人居民身份证",))
    rated = await file_case(stack, "o-console-rater", item=ITEM, materials=("申请人居民身份证",))
    async with aiohttp.ClientSession() as http:
        clerk = await staff_login(http, stack.api, CLERK)
        await _act(http, f"{api}/staff/applications/{late}/actions", clerk, action="accept")
        note = "材料不齐，不予受理。"
        await _act(
            http, f"{api}/staff/applications/{rated}/actions", clerk, action="refuse", note=note
        )
        citizen = await tap(stack, "o-console-rater", 0)
        poor = {"level": 1, "comment": "窗口态度不好"}
        async with http.post(f"{api}/applications/{rated}/rating", json=poor, headers=citizen) as r:
            assert r.status == 201, await r.text()
        task = await Rectification.get(application_id=(await Application.get(number=rated)).id)
        appeal = {"action": "appeal", "note": "当天录像显示工作人员态度正常。"}
        await _act(http, f"{api}/staff/rectifications/{task.id}", clerk, **appeal)
    # the promised date passed three days ago; the supervision sweep raises the warnings
    case = await Application.get(number=late)
    assert case.due_date is not None
    today = case.created_at.astimezone(CST).date()
    await Application.filter(id=case.id).update(due_date=today - timedelta(days=3))
    report = await sweep(case.created_at, await load_calendar(), stack.settings.supervision)
    assert report is not None

    page = await console.sign_in(SUPERVISOR)
    await expect(page).to_have_url(stack.api + "/console/warnings")
    red = page.locator("tbody tr[data-colour=red]").filter(has_text=late)
    await expect(red.first).to_contain_text("已超期")
    await expect(page.locator("#h-by-dept + table")).to_contain_text("不动产登记中心")
    await console.shot(page, "20-supervisor-warnings")

    await page.get_by_role("link", name="超期办件").click()
    row = page.locator("tbody tr").filter(has_text=late)
    await expect(row.locator(".deadline-red")).to_be_visible()
    await expect(page.locator("tbody tr")).to_have_count(1)
    await console.shot(page, "21-supervisor-overdue")
    await row.get_by_role("link", name=late).click()
    await expect(page.locator("#case-status")).to_have_text("已受理")
    await expect(page.locator("aside")).to_contain_text("督查人员只读")
    await expect(page.locator("aside button")).to_have_count(0)
    await console.shot(page, "22-supervisor-case-read-only")
    # read-only on the server too: a forged post with a valid token is refused, nothing moves
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    forged = await page.request.post(
        f"{stack.api}/console/cases/{late}/act",
        form={"action": "start_review", "version": "2", "csrf": str(csrf)},
    )
    assert forged.status == 403
    assert (await Application.get(number=late)).status == "accepted"

    await page.get_by_role("link", name="差评申诉").click()
    appeal_panel = page.locator("section.panel").filter(has_text=rated)
    await expect(appeal_panel).to_contain_text("窗口态度不好")
    await console.shot(page, "23-supervisor-appeals")
    await appeal_panel.get_by_label("说明").fill("核实录像，申诉成立。")
    await appeal_panel.get_by_role("button", name="申诉成立").click()
    await expect(page.get_by_role("status")).to_contain_text("不再计入统计")
    assert (await Rectification.get(id=task.id)).status == "voided"
    assert (await Rating.get(id=task.rating_id)).voided
