"""Clerks' feedback work in a real browser, scoped to their department: a reply reaches the
citizen in ``GET /api/v1/feedback``; a poor rating is called back and rectified without the
rater ever being shown; the figures dashboard renders for a clerk, on a tablet too."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import aiohttp

from citysvc.demo import DEMO_WECHAT_APPID
from citysvc.demo_data import DEMO_ITEM, DEMO_ITEM_CLERK
from core.cases.models import Application
from core.cases.numbers import format_number
from core.cases.workdays import WorkCalendar
from core.catalogue.models import ItemVersion
from core.clock import CST
from core.feedback.figures import figures
from core.feedback.ratings import rate
from core.identity.models import Citizen
from core.staff.models import StaffMember
from tests.browser import needs_chromium
from tests.console.conftest import TABLET, Console
from tests.feedback.test_figures import END, START, build_fixture

pytestmark = needs_chromium
COMPLAINT = "身份证换领的窗口排队太久，希望增加预约时段。"
ID_NUMBER = "11010519491231002X"  # a citizen typing their own ID number into a complaint
REPLY = "感谢您的意见。自下周一起，本窗口每天增加下午两个预约时段，欢迎通过小程序预约。"


async def citizen_token(console: Console, http: aiohttp.ClientSession) -> str:
    code = console.stack.wechat.issue_code(DEMO_WECHAT_APPID)
    async with http.post(console.stack.api + "/api/v1/auth/wechat", json={"code": code}) as r:
        assert r.status == 200, await r.text()
        return str((await r.json())["token"])


async def call(
    http: aiohttp.ClientSession, method: str, url: str, token: str, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with http.request(method, url, json=body, headers=headers) as answer:
        return answer.status, await answer.json()


async def other_clerk() -> str:
    mine = await StaffMember.get(username=DEMO_ITEM_CLERK)
    other = await StaffMember.filter(role="clerk").exclude(department_code=mine.department_code)
    return other[0].username


async def test_a_clerk_replies_and_the_citizen_reads_the_reply(console: Console) -> None:
    from playwright.async_api import expect

    api = console.stack.api
    async with aiohttp.ClientSession() as http:
        token = await citizen_token(console, http)
        status, filed = await call(
            http,
            "POST",
            api + "/api/v1/feedback",
            token,
            {
                "kind": "complaint",
                "content": f"{COMPLAINT}我的身份证号{ID_NUMBER}",
                "item_code": DEMO_ITEM["code"],
            },
        )
        assert status == 201, filed

        elsewhere = await console.sign_in(await other_clerk())
        await elsewhere.goto(api + "/console/feedback")
        await expect(elsewhere.get_by_text("没有群众意见。")).to_be_visible()

        clerk = await console.sign_in(DEMO_ITEM_CLERK)
        await clerk.get_by_role("link", name="群众意见").click()
        item = clerk.locator(f'article[data-feedback="{filed["id"]}"]')
        await expect(item).to_contain_text(COMPLAINT)
        await expect(item).to_contain_text("待答复")
        assert ID_NUMBER not in await clerk.content()  # masked wherever it was typed
        await console.shot(clerk, "clerk-30-feedback")
        await item.get_by_label("答复").fill(REPLY)
        await item.get_by_role("button", name="发送答复").click()
        await expect(clerk.get_by_role("status")).to_contain_text("已答复")
        await expect(clerk.locator(f'article[data-feedback="{filed["id"]}"]')).to_contain_text(
            REPLY
        )
        await console.shot(clerk, "clerk-31-feedback-replied")

        status, mine = await call(http, "GET", api + "/api/v1/feedback", token)
        assert status == 200
        (entry,) = mine["items"]
        assert (entry["id"], entry["status"], entry["reply"]) == (filed["id"], "replied", REPLY)


async def poor_rating(comment: str) -> Application:
    """A collected case of the demo item's department, rated 1 by its citizen."""
    version = await ItemVersion.filter(item_id=DEMO_ITEM["code"]).order_by("-version").first()
    assert version is not None
    citizen = await Citizen.create()
    now = datetime.now(CST)
    case = await Application.create(
        number=format_number(now.date(), 990_000 + citizen.id.int % 1000),
        citizen_id=citizen.id,
        item_code=version.item_id,
        item_version_id=version.id,
        department_code=version.department_id,
        status="collected",
        delivery_method="pickup",
        promised_days=version.promised_days,
        legal_days=version.legal_days,
        created_at=now,
        updated_at=now,
    )
    await rate(case, str(citizen.id), {"level": 1, "comment": comment}, now, WorkCalendar(), 5)
    return case


async def test_a_clerk_calls_back_and_rectifies_a_poor_rating(console: Console) -> None:
    from playwright.async_api import expect

    case = await poor_rating("材料清单和窗口要求不一致，跑了两趟。")
    clerk = await console.sign_in(DEMO_ITEM_CLERK)
    await clerk.get_by_role("link", name="差评整改").click()
    task = clerk.locator("article.task").filter(has_text=case.number)
    await expect(task).to_contain_text("非常不满意")
    await expect(task).to_contain_text("待回访")
    assert str(case.citizen_id) not in await clerk.content()  # who rated is never shown
    await task.get_by_label("说明").fill("已电话回访，当面致歉并说明了补正要求。")
    await task.get_by_role("button", name="已回访").click()
    await expect(clerk.get_by_role("status")).to_contain_text("已记录回访")
    task = clerk.locator("article.task").filter(has_text=case.number)
    await expect(task).to_contain_text("已回访")
    await task.get_by_label("说明").fill("已更正办事指南中的材料清单。")
    await task.get_by_role("button", name="整改完成").click()
    await expect(clerk.get_by_role("status")).to_contain_text("已记录整改完成")
    task = clerk.locator("article.task").filter(has_text=case.number)
    await expect(task).to_contain_text("已整改")
    await expect(task.get_by_role("button")).to_have_count(0)
    await console.shot(clerk, "clerk-32-rectified")


async def test_the_dashboard_renders_for_a_clerk(console: Console) -> None:
    from playwright.async_api import expect

    await poor_rating("办理太慢。")
    await build_fixture()  # 48 cases of November 2026 in two departments (tests/feedback)
    clerk = await console.sign_in(DEMO_ITEM_CLERK)
    await clerk.get_by_role("link", name="数据看板").click()
    await expect(clerk.get_by_role("heading", name="数据看板", exact=False)).to_be_visible()
    member = await StaffMember.get(username=DEMO_ITEM_CLERK)
    await expect(clerk.get_by_label("部门", exact=True)).to_have_value(member.department_code or "")
    for title in ("各部门按时办结率", "满意率变化", "投诉最多的事项"):
        await expect(clerk.get_by_role("img", name=title)).to_be_visible()
    # the case filed today was rated 1: the department's satisfaction is 0 %
    await expect(clerk.locator('[data-figure="satisfaction_rate"]')).to_have_text("0.0%")
    await expect(clerk.locator('[data-figure="poor_ratings"]')).to_have_text("1")
    await clerk.get_by_label("部门", exact=True).select_option("all")
    await clerk.get_by_label("申请日期自").fill(START.isoformat())
    await clerk.get_by_label("至", exact=True).fill(END.isoformat())
    await clerk.get_by_role("button", name="查看").click()
    await expect(clerk.get_by_role("heading", name="数据看板 全区", exact=False)).to_be_visible()
    # the bars are the public figures of each department, as of today
    today = datetime.now(CST).date()
    for department in ("GA", "MZ"):
        expected = (await figures(START, END, today, department=department))["on_time_rate"]
        bar = clerk.locator(f'rect[data-bar="{department}"]')
        await expect(bar).to_have_attribute("data-value", f"{expected}")
    await expect(clerk.locator('rect[data-bar="ITEM-B"]')).to_have_attribute("data-value", "5")
    await expect(clerk.locator('[data-figure="cases"]')).to_have_text("48")
    await console.shot(clerk, "clerk-33-dashboard")

    tablet = await console.sign_in(DEMO_ITEM_CLERK, viewport=TABLET)
    today = date.today().isoformat()
    await tablet.goto(console.stack.api + f"/console/figures?from=2026-01-01&to={today}")
    await expect(tablet.get_by_role("img", name="满意率变化")).to_be_visible()
    await console.shot(tablet, "clerk-34-dashboard-tablet")
