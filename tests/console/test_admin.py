"""An administrator at work: imports a catalogue file (results row by row), adds a staff
account, locks and unlocks it, resets its two-factor, rules a day off, imports the knowledge
base, stores a WeCom robot key that is never shown back, and reads the access log."""

from __future__ import annotations

import json
from pathlib import Path

from core.alerts.models import RobotKey
from core.catalogue.models import ItemVersion
from core.staff.models import StaffMember
from tests.browser import needs_chromium
from tests.console.conftest import Console

pytestmark = needs_chromium
KB = Path(__file__).resolve().parents[2] / "bot" / "demo_kb.json"
ROBOT_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


def _row(code: str, name: str) -> dict[str, object]:
    return {
        "code": code,
        "name": name,
        "department": "321012-GA-HZ",
        "kind": "公共服务",
        "audience": "personal",
        "conditions": "本区户籍居民",
        "process": ["申请", "受理", "办结"],
        "materials": [{"name": "申请人居民身份证", "required": True, "license_type": "id_card"}],
        "legal_days": 20,
        "promised_days": 5,
        "fee": None,
        "no_visit": True,
        "delivery": ["ems", "pickup"],
        "keywords": ["证明"],
    }


async def test_an_administrator_imports_a_catalogue_and_runs_the_accounts(
    console: Console, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    catalogue = tmp_path / "catalogue.json"
    broken = _row("321012-000-GG-09903", "缺少期限的事项")
    del broken["promised_days"]
    rows = [
        _row("321012-000-GG-09901", "居住证明开具"),
        _row("321012-000-GG-09902", "无犯罪记录证明"),
        broken,
    ]
    catalogue.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")

    page = await console.sign_in("admin")
    await expect(page).to_have_url(console.stack.api + "/console/admin/staff")
    await page.get_by_role("link", name="事项目录").click()
    await page.get_by_label("目录文件（JSON）").set_input_files(str(catalogue))
    await page.get_by_role("button", name="导入").click()
    await expect(page.get_by_role("status")).to_contain_text("新建 2")
    results = page.locator("#import-results tbody tr")
    await expect(results).to_have_count(3)
    await expect(results.nth(0)).to_contain_text("新建")
    await expect(results.nth(2)).to_contain_text("未导入")
    await expect(results.nth(2)).to_contain_text("承诺时限：必须填写")
    await console.shot(page, "30-admin-catalogue-import")
    assert await ItemVersion.filter(item_id="321012-000-GG-09901").exists()
    assert not await ItemVersion.filter(item_id="321012-000-GG-09903").exists()

    # a new clerk account, then locked and unlocked, and its two-factor reset
    await page.get_by_role("link", name="工作人员").click()
    await page.get_by_label("用户名").fill("clerk-new")
    await page.get_by_label("初始密码").fill("a-long-initial-password")
    await page.get_by_label("角色", exact=True).select_option("clerk")
    await page.get_by_label("部门", exact=True).select_option("321012-GA-HZ")
    await page.get_by_role("button", name="创建").click()
    await expect(page.get_by_role("status")).to_have_text("账号已创建。")
    row = page.locator("tbody tr").filter(has_text="clerk-new")
    await row.get_by_role("button", name="停用").click()
    await expect(row.locator(".deadline-red")).to_have_text("已停用")
    assert not (await StaffMember.get(username="clerk-new")).active
    await row.get_by_role("button", name="启用").click()
    await expect(row.locator(".deadline-green")).to_have_text("正常")
    page.once("dialog", lambda dialog: dialog.accept())
    await row.get_by_role("button", name="重置两步验证").click()
    await expect(page.locator(".secret")).to_contain_text("otpauth://totp/")
    await console.shot(page, "31-admin-staff")

    await page.get_by_role("link", name="工作日调整").click()
    await page.get_by_label("日期").fill("2026-12-31")
    await page.get_by_label("设为").select_option("holiday")
    await page.get_by_label("说明").fill("系统升级停止办公")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status")).to_contain_text("2026-12-31 已设为休息日")
    await console.shot(page, "32-admin-calendar")

    await page.get_by_role("link", name="知识库").click()
    await page.get_by_label("知识库文件（JSON）").set_input_files(str(KB))
    await page.get_by_role("button", name="导入").click()
    await expect(page.get_by_role("status")).to_contain_text("条目 30")

    await page.get_by_role("link", name="企业微信机器人").click()
    await page.get_by_label("部门").select_option("321012-GA-HZ")
    await page.get_by_label("机器人密钥").fill(ROBOT_KEY)
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("status")).to_contain_text("不再显示")
    assert ROBOT_KEY not in await page.content()
    stored = await RobotKey.get(department_code="321012-GA-HZ")
    assert ROBOT_KEY not in stored.key_enc  # encrypted at rest
    await page.reload()
    assert ROBOT_KEY not in await page.content()  # and never shown back
    await console.shot(page, "33-admin-robots")

    await page.get_by_role("link", name="访问日志").click()
    await expect(page.locator("tbody")).to_contain_text("登录")
    await expect(page.locator("tbody")).to_contain_text("admin")
    await console.shot(page, "34-admin-access-log")
