"""The benefits sweep's figures page (免申即享): told, filed, approved at once, day by day."""

from __future__ import annotations

from datetime import datetime

from citysvc.demo_data import DEMO_ITEM
from core.clock import CST
from core.identity.models import Citizen
from core.policies.importer import import_policies
from core.policies.models import PolicyNotice
from tests.browser import needs_chromium
from tests.console.conftest import Console

pytestmark = needs_chromium
POLICY = {
    "code": "gaoling",
    "name": "高龄津贴",
    "item_code": DEMO_ITEM["code"],
    "rules": [{"subject": "age", "op": "ge", "value": 80}],
}


async def test_policy_figures_for_publicity_and_supervisors(console: Console) -> None:
    from playwright.async_api import expect

    report = await import_policies([POLICY])
    assert report.created == 1, report.errors
    now = datetime.now(CST)
    for _ in range(3):
        citizen = await Citizen.create()
        await PolicyNotice.create(policy_code="gaoling", citizen_id=citizen.id, created_at=now)
    page = await console.sign_in("publicity1")
    await page.get_by_role("link", name="免申即享").click()
    section = page.locator('section[data-policy="gaoling"]')
    await expect(section.get_by_role("heading")).to_contain_text("高龄津贴")
    await expect(section.locator('[data-figure="told"]')).to_have_text("3")
    await expect(section.locator('[data-figure="filed"]')).to_have_text("0")
    today = section.locator(f'rect[data-day="{now:%m-%d}"]')
    await expect(today).to_have_attribute("data-value", "3")
    await expect(section.get_by_role("img")).to_have_accessible_name(
        "高龄津贴：近 30 天每天告知人数"
    )
    await console.shot(page, "policies-40")
    clerk = await console.sign_in("clerk-321012-ga-hz")
    answer = await clerk.goto(console.stack.api + "/console/policies")
    assert answer is not None and answer.status == 403
