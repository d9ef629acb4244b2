"""What else a clerk's case page shows: the instant-approval rules judged (and the one that
failed), and a one-thing bundle's number with its sibling cases in other departments."""

from __future__ import annotations

from core.bundles.importer import import_bundles
from core.catalogue.importer import import_items
from core.catalogue.models import ItemVersion
from tests.browser import needs_chromium
from tests.console.conftest import CASE_ITEM, Console, file_case

pytestmark = needs_chromium
CLERK = "clerk-321012-ga-hz"
SOCIAL_CARD = "321012-000-GG-00401"  # 社会保障卡申领, department 321012-RS


async def _with_rules(code: str, rules: list[dict[str, object]]) -> None:
    """The demo item again, under a new code, with instant-approval rules."""
    version = await ItemVersion.filter(item_id=CASE_ITEM).order_by("-version").first()
    assert version is not None
    row = {
        "code": code,
        "name": "居民身份证到期换领（秒批）",
        "department": version.department_id,
        "kind": version.kind,
        "audience": version.audience,
        "conditions": version.conditions,
        "process": version.process,
        "materials": version.materials,
        "legal_days": version.legal_days,
        "promised_days": version.promised_days,
        "fee": version.fee,
        "no_visit": version.no_visit,
        "delivery": version.delivery,
        "rules": rules,
    }
    report = await import_items([row])
    assert report.rejected == 0, report.errors


async def test_the_case_page_shows_the_rules_judged_and_the_bundle(console: Console) -> None:
    from playwright.async_api import expect

    code = "321012-000-GG-00199"
    rules = [
        {"subject": "form.换领原因", "op": "eq", "value": "有效期满"},
        {"subject": "form.年龄段", "op": "eq", "value": "六十以上"},
    ]
    await _with_rules(code, rules)
    judged = await file_case(
        console.stack,
        "o-console-rules",
        item=code,
        form={"换领原因": "有效期满", "年龄段": "未满六十"},
    )
    report = await import_bundles(
        [
            {
                "code": "YJS-ID-SOCIAL",
                "name": "身份证换领与社保卡申领",
                "items": [CASE_ITEM, SOCIAL_CARD],
            }
        ]
    )
    assert report.rejected == 0, report.errors
    bundled = await file_case(
        console.stack,
        "o-console-bundle",
        bundle="YJS-ID-SOCIAL",
        materials=(
            "原居民身份证",
            "符合标准的数码相片回执",
            "申请人居民身份证",
            "近期免冠彩色照片",
        ),
    )

    page = await console.sign_in(CLERK)
    await page.goto(f"{console.stack.api}/console/cases/{judged}")
    await expect(page.locator("#case-status")).to_have_text("已提交")
    rows = page.locator("#h-instant + table tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0)).to_contain_text("符合")
    await expect(rows.nth(1)).to_contain_text("不符合")
    await expect(rows.nth(1)).to_contain_text("未满六十")
    await console.shot(page, "17-case-instant-rules")

    await page.goto(f"{console.stack.api}/console/cases/{bundled}")
    await expect(page.locator("#h-bundle")).to_contain_text("YJS")
    sibling = page.locator("#h-bundle + table tbody tr")
    await expect(sibling).to_have_count(1)
    await expect(sibling).to_contain_text("社会保障卡申领")
    await expect(sibling.get_by_role("link")).to_have_count(0)  # another department's case
    await console.shot(page, "18-case-bundle")
