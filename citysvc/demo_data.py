"""Demo data for `citysvc demo`: the demo catalogue, staff accounts, e-licences. Idempotent."""

from __future__ import annotations

import json
from pathlib import Path

from core.catalogue.importer import import_items
from core.staff.models import StaffMember
from core.staff.service import add_staff
from integrations.licences.sandbox import SandboxLicenceRegistry

CATALOGUE = Path(__file__).resolve().parent.parent / "core" / "catalogue" / "demo_catalogue.json"
DEMO_PASSWORD = "demo-password-2026"  # printed by the demo; demo databases only
DEMO_ID_NUMBER = "11010519491231002X"  # the sandbox identity's licences are registered here


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
    return [
        f"catalogue: created {report.created}, updated {report.updated}, "
        f"unchanged {report.unchanged}",
        f"staff (password {DEMO_PASSWORD}): " + ", ".join(u for u, _, _ in accounts),
    ]


def demo_licences() -> SandboxLicenceRegistry:
    """E-licences the demo citizen already holds, so filing reuses them (三个凡是)."""
    registry = SandboxLicenceRegistry()
    for licence in ("id_card", "household_register", "marriage_certificate"):
        registry.grant(DEMO_ID_NUMBER, licence, f"DZZZ-{licence.upper()}-0001")
    return registry
