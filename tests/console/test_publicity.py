"""The publicity team in a real browser: one officer writes a campaign while the preview shows
each field as WeChat and Alipay will get it, sends a test to her own linked account, a second
officer approves it (the author cannot), and both watch the chart move while the campaign
sends to the WeChat sandbox; the calendar shows 3·15, 5·1 and the exam release days."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from citysvc.demo import DEMO_WECHAT_APPID
from citysvc.demo_data import DEMO_PASSWORD
from core.clock import CST
from core.identity.models import Citizen, PlatformAccount
from core.staff.models import StaffMember
from core.topics.models import TopicSubscription
from notifications import consents
from notifications.templates import load_registry
from tests.browser import needs_chromium
from tests.console.conftest import Console

pytestmark = needs_chromium
TITLE = "三·一五食品安全追溯码查询服务正式开通，扫码即可查看来源"  # 28 characters
SUMMARY = "扫一扫包装上的追溯码，查看生产、检验和流通记录。"
AUDIENCE = 16
RATE = 2  # messages a second: the campaign sends for about eight seconds


async def subscriber(console: Console, topic: str) -> tuple[str, str]:
    """A citizen on WeChat subscribed to ``topic`` holding one consent for its template."""
    wechat = console.stack.wechat
    openid = wechat.add_user(DEMO_WECHAT_APPID)
    citizen = await Citizen.create()
    await PlatformAccount.create(
        citizen=citizen, platform="wechat", app_id=DEMO_WECHAT_APPID, open_id=openid
    )
    await TopicSubscription.create(
        citizen_id=citizen.id, topic_key=topic, created_at=datetime.now(CST)
    )
    registry = load_registry(console.stack.settings.notify.templates_file)
    template = registry.template(f"topic.{topic}", "wechat")
    assert template is not None
    await consents.record_answers(
        str(citizen.id), "wechat", [template.template_id], [], registry, datetime.now(CST)
    )
    wechat.grant_consent(openid, template.template_id, 1, template.long_term)
    return str(citizen.id), openid


def received(console: Console, openid: str) -> list[dict[str, Any]]:
    return [m for m in console.stack.wechat.sent if m["touser"] == openid]


async def sent_value(page: Any) -> int:
    last = await page.locator('[data-series="sent"]').get_attribute("data-last")
    return int(float(last or 0))


async def test_two_officers_create_approve_and_watch_a_campaign(console: Console) -> None:
    from playwright.async_api import expect

    audience = [await subscriber(console, "food_safety") for _ in range(AUDIENCE)]
    own_citizen, own_openid = await subscriber(console, "food_safety")
    await TopicSubscription.filter(citizen_id=own_citizen).delete()  # tests only, not a target
    await StaffMember.filter(username="publicity1").update(citizen_id=own_citizen)

    maker = await console.sign_in("publicity1")
    await expect(maker).to_have_url(console.stack.api + "/console/campaigns")
    await maker.get_by_role("link", name="新建活动").click()
    await maker.get_by_label("活动名称").fill("3·15 食品安全追溯")
    await maker.get_by_label("主题").select_option("food_safety")
    await maker.get_by_label("标题").fill(TITLE)
    # the count moves with each keystroke; the server's fitted text follows
    await expect(maker.locator('[data-count-for="c-title"] [data-count]')).to_have_text("28")
    wechat_title = maker.locator('#preview [data-platform="wechat"] [data-key="thing1"] .sent')
    await expect(wechat_title).to_have_text(TITLE[:19] + "…")
    alipay_title = maker.locator('#preview [data-platform="alipay"] [data-key="keyword1"] .sent')
    await expect(alipay_title).to_have_text(TITLE)
    await expect(maker.locator('[data-limits="title"]')).to_contain_text("微信最多显示 20 字")
    await maker.get_by_label("摘要").fill(SUMMARY)
    past = datetime.now(CST) - timedelta(minutes=5)
    await maker.get_by_label("发送时间（北京时间）").fill(past.strftime("%Y-%m-%dT%H:%M"))
    await maker.get_by_label("从").fill("00:00")  # no quiet hours: the test runs at any hour
    await maker.get_by_label("到").fill("00:00")
    await maker.get_by_label("每秒最多发送条数").fill(str(RATE))
    await expect(maker.locator("#preview-state")).to_have_text("可以发送")
    await console.shot(maker, "publicity-10-editor")
    await maker.get_by_role("button", name="保存草稿").click()
    await expect(maker.get_by_role("status")).to_contain_text("活动已创建")
    await expect(maker.locator("[data-campaign-status]")).to_have_text("草稿")
    await expect(maker.get_by_role("button", name="审批通过")).to_be_disabled()
    campaign_url = maker.url

    await maker.get_by_role("button", name="测试发送给我").click()
    await expect(maker.get_by_role("status")).to_contain_text("测试消息已发出")
    for _ in range(100):  # the worker sends it within a few seconds
        if received(console, own_openid):
            break
        await asyncio.sleep(0.1)
    (test_message,) = received(console, own_openid)
    assert test_message["data"]["thing1"] == {"value": TITLE[:19] + "…"}
    await console.shot(maker, "publicity-11-draft")

    checker = await console.sign_in("publicity2")
    await checker.goto(campaign_url)
    await checker.get_by_role("button", name="审批通过").click()
    await expect(checker.get_by_role("status")).to_contain_text("已审批通过")
    await checker.evaluate("window.__same_page = true")  # the figures change without a reload

    seen = [await sent_value(checker)]
    shot_taken = False
    for _ in range(600):  # at most a minute: the runner starts it within 5 s, then 2 a second
        value = await sent_value(checker)
        if value != seen[-1]:
            seen.append(value)
        if 0 < value < AUDIENCE and not shot_taken:
            await console.shot(checker, "publicity-12-sending")
            shot_taken = True
        if value == AUDIENCE:
            break
        await asyncio.sleep(0.1)
    assert seen[-1] == AUDIENCE, seen
    assert any(0 < v < AUDIENCE for v in seen), f"no figure seen while sending: {seen}"
    assert seen == sorted(seen)
    assert await checker.evaluate("window.__same_page === true")
    await expect(checker.locator('[data-figure="sent"]')).to_have_text(str(AUDIENCE))
    await expect(checker.locator('[data-figure="remaining"]')).to_have_text("0")
    await expect(checker.locator("[data-campaign-status]")).to_have_text("已完成", timeout=15_000)
    await console.shot(checker, "publicity-13-done")
    for _, openid in audience:
        assert len(received(console, openid)) == 1
    assert len(received(console, own_openid)) == 1  # the test message only

    # the author sees the finished campaign in the list, approved by the second officer
    await maker.goto(console.stack.api + "/console/campaigns")
    row = maker.get_by_role("row", name="3·15 食品安全追溯")
    await expect(row).to_contain_text("已完成")
    await expect(row).to_contain_text("publicity1 / publicity2")
    await console.shot(maker, "publicity-14-list")


async def test_the_author_cannot_approve_their_own_campaign(console: Console) -> None:
    from playwright.async_api import expect

    maker = await console.sign_in("publicity1")
    await maker.goto(console.stack.api + "/console/campaigns/new")
    await maker.get_by_label("活动名称").fill("自己审批")
    await maker.get_by_label("标题").fill("高考成绩查询")
    await maker.get_by_label("摘要").fill("点击查询")
    await maker.get_by_role("button", name="保存草稿").click()
    await expect(maker.locator("[data-campaign-status]")).to_have_text("草稿")
    # the button is disabled; a hand-made post is refused by the service, as the API's is
    csrf = await maker.locator('input[name="csrf"]').first.get_attribute("value")
    answer = await maker.request.post(maker.url.split("?")[0] + "/approve", form={"csrf": csrf})
    assert answer.status == 403
    assert "不能" in await answer.text() or "他人" in await answer.text()
    await maker.reload()
    await expect(maker.locator("[data-campaign-status]")).to_have_text("草稿")


async def test_the_calendar_shows_the_days_campaigns_ride_on(console: Console) -> None:
    from playwright.async_api import expect

    page = await console.sign_in("publicity2")
    await page.goto(console.stack.api + "/console/campaigns/calendar?month=2027-03")
    fifteenth = page.locator('td[data-date="2027-03-15"]')
    await expect(fifteenth).to_contain_text("3·15 国际消费者权益日")
    await fifteenth.get_by_role("link", name="策划食品安全追溯活动").click()
    await expect(page.get_by_label("主题")).to_have_value("food_safety")
    await expect(page.get_by_label("发送时间（北京时间）")).to_have_value("2027-03-15T09:00")
    await page.goto(console.stack.api + "/console/campaigns/calendar?month=2026-06")
    await expect(page.locator('td[data-date="2026-06-25"]')).to_contain_text("高考成绩发布")
    await console.shot(page, "publicity-20-calendar")
    await page.goto(console.stack.api + "/console/campaigns/calendar?month=2026-05")
    await expect(page.locator('td[data-date="2026-05-01"]')).to_contain_text("5·1 国际劳动节")


async def draft(page: Any, console: Console, name: str, rate: int) -> str:
    """A campaign to food-safety subscribers, due at once, with no quiet hours; its page."""
    from playwright.async_api import expect

    await page.goto(console.stack.api + "/console/campaigns/new")
    await page.get_by_label("活动名称").fill(name)
    await page.get_by_label("主题").select_option("food_safety")
    await page.get_by_label("标题").fill("食品安全追溯码查询开通")
    await page.get_by_label("摘要").fill("扫码查看来源")
    past = datetime.now(CST) - timedelta(minutes=5)
    await page.get_by_label("发送时间（北京时间）").fill(past.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_label("从").fill("00:00")
    await page.get_by_label("到").fill("00:00")
    await page.get_by_label("每秒最多发送条数").fill(str(rate))
    await page.get_by_role("button", name="保存草稿").click()
    await expect(page.locator("[data-campaign-status]")).to_have_text("草稿")
    return str(page.url.split("?")[0])


async def until(check: Any, seconds: float = 30.0) -> None:
    for _ in range(int(seconds * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the condition never held")


async def test_pause_resume_and_cancel_while_sending(console: Console) -> None:
    from playwright.async_api import expect

    audience = [await subscriber(console, "food_safety") for _ in range(12)]
    maker = await console.sign_in("publicity1")
    url = await draft(maker, console, "暂停与取消", rate=1)
    checker = await console.sign_in("publicity2")
    await checker.goto(url)
    # a form posted without its token changes nothing
    answer = await checker.request.post(url + "/approve", form={"csrf": "forged"})
    assert answer.status == 403
    await checker.reload()
    await expect(checker.locator("[data-campaign-status]")).to_have_text("草稿")
    await checker.get_by_role("button", name="审批通过").click()

    def delivered() -> int:
        return sum(len(received(console, openid)) for _, openid in audience)

    async def some_sent() -> bool:
        return delivered() >= 2

    await until(some_sent)
    await checker.get_by_role("button", name="暂停发送").click()
    await expect(checker.get_by_role("status")).to_contain_text("已暂停")
    await expect(checker.locator("[data-campaign-status]")).to_have_text("已暂停")
    at_pause = delivered()
    await asyncio.sleep(3)  # at a message a second, three more would have gone out
    assert delivered() <= at_pause + 1  # at most the one already under way
    await console.shot(checker, "publicity-15-paused")
    held = delivered()

    await checker.get_by_role("button", name="恢复发送").click()
    await expect(checker.get_by_role("status")).to_contain_text("已恢复")

    async def resumed() -> bool:
        return delivered() > held

    await until(resumed)
    checker.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await checker.get_by_role("button", name="取消活动").click()
    await expect(checker.get_by_role("status")).to_contain_text("已取消")
    await expect(checker.locator("[data-campaign-status]")).to_have_text("已取消")
    at_cancel = delivered()
    await asyncio.sleep(3)
    assert delivered() <= at_cancel + 1
    assert delivered() < len(audience)
    remaining = await checker.locator('[data-figure="remaining"]').text_content()
    assert remaining is not None and int(remaining) > 0
    await console.shot(checker, "publicity-16-cancelled")


async def test_every_role_sees_the_figures_dashboard(console: Console) -> None:
    from playwright.async_api import expect

    supervisor = await StaffMember.filter(role="supervisor").first()
    assert supervisor is not None
    for username in ("publicity1", supervisor.username, "admin"):
        # signed in through the form (a role's landing page may be another helper's)
        page = await console.new_page()
        await page.goto(console.stack.api + "/console/login?next=/console/figures")
        await page.get_by_label("用户名").fill(username)
        await page.get_by_label("密码").fill(DEMO_PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.goto(console.stack.api + "/console/figures")
        await expect(page.get_by_role("link", name="数据看板")).to_have_attribute(
            "aria-current", "page"
        )
        for title in ("各部门按时办结率", "满意率变化", "投诉最多的事项"):
            await expect(page.get_by_role("img", name=title)).to_be_visible()
