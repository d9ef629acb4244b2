"""The mini-program simulator in a real browser: both platforms' journeys, end to end.

Debian's chromium driven by Playwright (never a downloaded browser); the demo stack runs in
this process on free ports. Screenshots go to ``artefacts/simulator/`` (not committed).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from citysvc.demo import DemoStack
from citysvc.demo_data import DEMO_BUNDLE, DEMO_INSTANT_ITEM, DEMO_ITEM
from core.cases.models import Application, AuditEntry
from core.feedback.models import Feedback, Rating
from tests.browser import CHROMIUM, FLAGS, needs_chromium, running_demo

ARTEFACTS = Path(__file__).resolve().parents[2] / "artefacts" / "simulator"
# what each citizen thinks: one good rating, one poor (which opens a rectification task)
RATINGS = {"wechat": (4, "满意"), "alipay": (2, "不满意")}
FEEDBACK = {
    "wechat": ("我要纠错", "correction", "办事指南里的咨询电话已停用，请更新。"),
    "alipay": ("建议", "suggestion", "希望办件进度通知里写明取件窗口。"),
}

pytestmark = needs_chromium


@pytest.fixture
async def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DemoStack]:
    async with running_demo(tmp_path, monkeypatch) as stack:
        yield stack


async def test_both_platforms_walk_the_whole_journey(demo: DemoStack, tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    shutil.rmtree(ARTEFACTS, ignore_errors=True)
    ARTEFACTS.mkdir(parents=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
            locale="zh-CN",
        )
        try:
            page = await browser.new_page()
            await page.goto(demo.api + "/demo/")
            await expect(page.get_by_text("城市服务小程序模拟器")).to_be_visible()
            await page.screenshot(path=ARTEFACTS / "0-start.png", full_page=True)
            for platform in ("wechat", "alipay"):
                await _journey(page, platform, expect)
            await _bundle_and_instant(page, "wechat", expect)
            await page.screenshot(path=ARTEFACTS / "z-both-done.png", full_page=True)
        finally:
            await browser.close()
    assert len(demo.wechat.sent) >= 3 and len(demo.alipay.sent) >= 3


async def _journey(page, platform: str, expect) -> None:  # type: ignore[no-untyped-def]
    phone = page.locator(f"#phone-{platform}")
    step = lambda key: phone.locator(f'[data-step="{key}"]')  # noqa: E731
    shot = lambda name: page.screenshot(path=ARTEFACTS / f"{platform}-{name}.png")  # noqa: E731
    rating_level, rating_text = RATINGS[platform]

    await step("login").get_by_role("button").click()
    await expect(step("login")).to_contain_text("已登录")
    await expect(step("login")).to_contain_text("欢迎您")
    await step("consent").get_by_role("button", name="订阅办理通知").click()
    await shot("1-consent-sheet")
    await phone.get_by_role("button", name="允许").click()
    await expect(step("consent")).to_contain_text("已订阅")

    await step("realname").get_by_role("button", name="开始人脸核验").click()
    await phone.get_by_role("button", name="完成刷脸").click()
    await expect(step("realname")).to_contain_text("已实名：")
    await shot("2-verified")

    await step("search").get_by_role("button", name="搜索").click()
    await step("search").locator(".result").first.click()
    await expect(step("apply")).to_contain_text("已从电子证照库自动获取")
    await step("apply").get_by_role("button", name="拍照上传").click()
    await expect(step("apply").get_by_role("button", name="已上传")).to_be_visible()
    await step("apply").get_by_role("button", name="提交申请").click()
    await phone.get_by_role("button", name="允许").click()
    await expect(step("apply")).to_contain_text("办件编号")
    await expect(step("progress").locator('[data-status="submitted"]')).to_be_visible()
    await expect(step("inbox").locator(".push")).to_have_count(1, timeout=15_000)
    await shot("3-filed")

    clerk = page.locator("#staff .case").filter(
        has_text=("微信" if platform == "wechat" else "支付宝")
    )
    for action, status in (
        ("accept", "accepted"),
        ("start_review", "under_review"),
        ("approve", "approved"),
    ):
        await clerk.locator(f'[data-action="{action}"]').click()
        await expect(step("progress").locator(f'[data-status="{status}"]')).to_be_visible(
            timeout=10_000
        )
    await expect(step("inbox").locator(".push")).to_have_count(3, timeout=20_000)
    await expect(step("progress").locator(".timeline li")).to_have_count(4)
    await step("progress").scroll_into_view_if_needed()
    await shot("4-approved")
    await step("inbox").scroll_into_view_if_needed()
    await shot("5-pushes")

    # the clerk hands the result over: the case is collected, the phone invites a rating
    await clerk.locator('[data-action="hand_over"]').click()
    await expect(step("progress").locator('[data-status="collected"]')).to_be_visible(
        timeout=10_000
    )
    await expect(step("rating").get_by_role("button", name="提交评价")).to_be_visible(
        timeout=10_000
    )
    await step("rating").scroll_into_view_if_needed()
    await shot("6-rating-form")
    await step("rating").get_by_role("button", name=rating_text, exact=True).click()
    # a comment that fits the level: praise with a good rating, what went wrong with a poor one
    comment = "工作人员很耐心，办得很快。" if rating_level >= 3 else "排队等了很久，希望改进。"
    await step("rating").get_by_label("评价内容").fill(comment)
    await step("rating").get_by_role("button", name="提交评价").click()
    await expect(step("rating").locator(f'.rated[data-level="{rating_level}"]')).to_be_visible()
    await expect(step("rating")).to_contain_text(f"您的评价：{rating_text}")
    await expect(phone.locator(".toast")).to_have_count(0, timeout=10_000)  # nothing covers it
    await shot("7-rated")
    number = re.search(r"办件编号 (\S+)", await step("apply").inner_text())
    assert number is not None
    case = await Application.get(number=number.group(1))
    rating = await Rating.get(application_id=case.id)
    assert (rating.level, rating.comment, rating.is_default) == (rating_level, comment, False)

    # feedback: sent, listed as waiting, answered by the department, the answer shown
    kind_text, kind, content = FEEDBACK[platform]
    await step("feedback").get_by_role("button", name=kind_text, exact=True).click()
    await step("feedback").get_by_label("意见内容").fill(content)
    await step("feedback").get_by_role("button", name="提交", exact=True).click()
    await phone.get_by_role("button", name="允许").click()  # the reply's notice
    mine = step("feedback").locator(".feedback").filter(has_text=content)
    await expect(mine).to_have_attribute("data-status", "open")
    await expect(mine).to_contain_text("待回复")
    row = await Feedback.get(content=content)
    assert row.kind == kind
    # a correction names the guide's item; other feedback is about the citizen's own case
    assert row.item_code == DEMO_ITEM["code"]
    assert row.application_id == (None if kind == "correction" else case.id)
    await step("feedback").scroll_into_view_if_needed()
    await shot("8-feedback-sent")
    await (
        page.locator("#staff .task")
        .filter(has_text=content)
        .get_by_role("button", name="答复")
        .click()
    )
    await expect(mine).to_have_attribute("data-status", "replied", timeout=10_000)
    await expect(mine).to_contain_text("部门答复：感谢您")
    await mine.scroll_into_view_if_needed()
    await expect(phone.locator(".toast")).to_have_count(0, timeout=10_000)
    await shot("9-feedback-replied")
    # the answer arrives on the phone too, as a push of its own
    await expect(step("inbox").locator(".push").first).to_contain_text(
        "意见答复通知", timeout=20_000
    )
    await expect(step("inbox").get_by_role("button", name="去评价 ›")).to_have_count(1)
    await expect(phone.locator(".toast")).to_have_count(0, timeout=10_000)
    await step("inbox").scroll_into_view_if_needed()
    await shot("10-inbox-at-the-end")


async def _bundle_and_instant(page, platform: str, expect) -> None:  # type: ignore[no-untyped-def]
    """出生一件事 filed in one go (three departments, the form's one upload shared), then an
    item approved at once by its rules (秒批)."""
    phone = page.locator(f"#phone-{platform}")
    step = lambda key: phone.locator(f'[data-step="{key}"]')  # noqa: E731
    shot = lambda name: page.screenshot(path=ARTEFACTS / f"{platform}-{name}.png")  # noqa: E731

    bundle = step("bundle")
    await bundle.get_by_role("button", name="办理出生一件事").click()
    await expect(bundle.locator(".bundle-items li")).to_have_count(3)
    await expect(bundle).to_contain_text("已从电子证照库自动获取")
    await bundle.get_by_role("button", name="拍照上传").click()
    await expect(bundle.get_by_role("button", name="已上传")).to_be_visible()
    await bundle.scroll_into_view_if_needed()
    await shot("11-bundle-form")
    await bundle.get_by_role("button", name="一次提交").click()
    await expect(bundle).to_contain_text("一件事编号 YJS")
    await expect(bundle.locator('.bundle-cases li[data-status="submitted"]')).to_have_count(3)
    await bundle.scroll_into_view_if_needed()
    await shot("12-bundle-filed")
    number = re.search(r"一件事编号 (\S+)", await bundle.inner_text())
    assert number is not None
    cases = await Application.filter(bundle_number=number.group(1)).order_by("id")
    assert [c.item_code for c in cases] == DEMO_BUNDLE["items"]
    assert len({c.department_code for c in cases}) == 3
    assert all(c.form == {"child_name": "张小宝"} for c in cases)
    uploaded = {m["file_id"] for c in cases for m in c.materials if "file_id" in m}
    assert len(uploaded) == 1  # given once, listed on the case that names it

    instant = step("instant")
    await instant.get_by_role("button", name="申请（秒批）").click()
    await expect(instant.locator('.status[data-status="approved"]')).to_be_visible()
    await expect(instant).to_contain_text("系统已自动批准")
    await instant.scroll_into_view_if_needed()
    await shot("13-instant-approved")
    filed = re.search(r"办件编号 (\S+)", await instant.inner_text())
    assert filed is not None
    case = await Application.get(number=filed.group(1))
    assert (case.item_code, case.status) == (DEMO_INSTANT_ITEM["code"], "approved")
    entry = await AuditEntry.get(application_id=case.id, action="instant_approve")
    assert entry.actor == "system:instant" and "age ge 18" in entry.note
