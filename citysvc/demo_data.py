"""Demo data for `citysvc demo`: catalogue, bundles, staff, e-licences, exam results.
Idempotent."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from core.bundles.importer import import_bundles
from core.catalogue.importer import import_items
from core.clock import CST
from core.exams.importer import import_results
from core.exams.models import Exam
from core.pii import PiiCipher
from core.staff.models import StaffMember
from core.staff.service import add_staff
from integrations.licences.sandbox import SandboxLicenceRegistry

CATALOGUE = Path(__file__).resolve().parent.parent / "core" / "catalogue" / "demo_catalogue.json"
DEMO_PASSWORD = "demo-password-2026"  # printed by the demo; demo databases only
DEMO_ID_NUMBER = "11010519491231002X"  # the sandbox identity's licences are registered here


DEMO_NAME = "张三"  # verify in the simulator with this name and DEMO_ID_NUMBER
# The simulator's two citizens, one a phone: verified with these (any valid pair works).
DEMO_CITIZENS = {
    "wechat": {"openid": "o-demo-wechat-zhangsan", "name": DEMO_NAME, "id_number": DEMO_ID_NUMBER},
    "alipay": {"open_id": "ali-demo-limei", "name": "李梅", "id_number": "321012198506152042"},
}
# What the simulator applies for: the ID card comes from the verified identity, the photo
# receipt is uploaded; the clerk of its department moves the case along.
DEMO_ITEM = {
    "code": "321012-000-GG-00102",
    "query": "身份证换领",
    "upload": "符合标准的数码相片回执",
}
DEMO_ITEM_CLERK = "clerk-321012-ga-hz"
# A one-thing bundle (一件事): three departments, one form, each material given once.
DEMO_BUNDLE = {
    "code": "birth",
    "name": "出生一件事",
    "items": ["321012-000-GG-00801", "321012-000-QR-00105", "321012-000-QR-01401"],
}
# An item approved at once when its rules hold (秒批): an adult's tax record, age from the
# verified ID number (rules in the demo catalogue).
DEMO_INSTANT_ITEM = {"code": "321012-000-GG-01201", "name": "个人所得税纳税记录开具"}
# Released results: the demo citizen (once verified with DEMO_ID_NUMBER) finds their own.
DEMO_EXAMS = {
    "gaokao-2026": (
        datetime(2026, 6, 25, 12, 0, tzinfo=CST),
        "candidate_number,id_number,name,total,语文,数学,外语,物理,化学,生物\n"
        f"26321012345678,{DEMO_ID_NUMBER},{DEMO_NAME},612.5,121,135,128.5,80,78,70\n"
        "26321012345679,320112200801010016,李四,587,118,126,122,75,76,70\n",
    ),
    "zhongkao-2026": (
        datetime(2026, 7, 10, 9, 0, tzinfo=CST),
        "candidate_number,id_number,name,total,语文,数学,英语\n"
        f"2026100001,{DEMO_ID_NUMBER},{DEMO_NAME},655,118,120,117\n",
    ),
}


async def seed_exams(cipher: PiiCipher, today: date) -> list[str]:
    """The demo's released exam results (imported once)."""
    lines = []
    for key, (release_at, text) in DEMO_EXAMS.items():
        if await Exam.exists(key=key):
            continue
        report = await import_results(key, text, release_at, today, cipher)
        lines.append(f"exam {key}: imported {report.imported}, rejected {report.rejected}")
    return lines


async def seed_demo() -> list[str]:
    """Import the catalogue and create one clerk per department plus the other roles."""
    rows = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    report = await import_items(rows)
    departments = sorted({str(row["department"]) for row in rows})
    accounts: list[tuple[str, str, str | None]] = [
        (f"clerk-{d.lower()}", "clerk", d) for d in departments
    ]
    accounts += [(f"supervisor-{d.lower()}", "supervisor", d) for d in departments[:1]]
    accounts += [
        ("publicity1", "publicity", None),
        ("publicity2", "publicity", None),
        ("admin", "admin", None),
    ]
    for username, role, department in accounts:
        if not await StaffMember.exists(username=username):
            await add_staff(username, DEMO_PASSWORD, role, department)
    bundles = await import_bundles([DEMO_BUNDLE])
    return [
        f"catalogue: created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}",
        f"staff (password {DEMO_PASSWORD}): " + ", ".join(u for u, _, _ in accounts),
        f"bundles: created {bundles.created}, unchanged {bundles.unchanged}",
    ]


def demo_licences() -> SandboxLicenceRegistry:
    """E-licences the demo citizen already holds, so filing reuses them (三个凡是)."""
    registry = SandboxLicenceRegistry()
    # the birth certificate the hospital issued is in the registry: the birth bundle reuses it
    for licence in ("id_card", "household_register", "marriage_certificate", "birth_certificate"):
        registry.grant(DEMO_ID_NUMBER, licence, f"DZZZ-{licence.upper()}-0001")
    alipay = str(DEMO_CITIZENS["alipay"]["id_number"])  # so both phones can file the bundle
    for licence in ("household_register", "birth_certificate"):
        registry.grant(alipay, licence, f"DZZZ-{licence.upper()}-0002")
    return registry
