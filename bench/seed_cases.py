"""Bulk seeding of citizens, sessions, cases and audit chains for the benchmarks."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta

from core.auth.sessions import SessionService
from core.cases import audit
from core.cases.models import Application, AuditEntry, CaseNumber
from core.cases.numbers import format_number
from core.cases.views import masked_address, timeline_item
from core.clock import CST, SystemClock
from core.db import close_db, init_db
from core.identity.models import Citizen
from core.pii import PiiCipher
from core.settings import Settings

ADDRESS = {
    "name": "张三",
    "phone": "13812345678",
    "province": "江苏省",
    "city": "扬州市",
    "district": "江都区",
    "detail": "仙女镇龙川路88号",
}
FLOW = [
    ("submit", None, "submitted"),
    ("accept", "submitted", "accepted"),
    ("start_review", "accepted", "under_review"),
]


# what audit.append stores beside the trail, for the same steps
TIMELINE = [
    timeline_item(action, new, "", datetime(2026, 11, 20, 9, 0, tzinfo=CST))
    for action, _, new in FLOW
]


def _entries(case_id: int, at: datetime) -> list[AuditEntry]:
    prev, rows = audit.GENESIS, []
    for seq, (action, old, new) in enumerate(FLOW, start=1):
        digest = audit.entry_hash(prev, case_id, seq, "system:seed", action, old, new, "", at)
        rows.append(
            AuditEntry(
                application_id=case_id,
                seq=seq,
                actor="system:seed",
                action=action,
                from_status=old,
                to_status=new,
                note="",
                at=at,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    return rows


async def seed_cases(settings: Settings, cases: int, owners: int) -> list[tuple[str, str]]:
    """Return (token, number) pairs, one per case, tokens of the case owners."""
    await init_db(settings.database_url)
    try:
        cipher = PiiCipher.from_env_value(settings.pii_key)
        address = cipher.encrypt(
            json.dumps(ADDRESS, ensure_ascii=False), context="application.address"
        )
        citizens = [Citizen(id=uuid.uuid4()) for _ in range(owners)]
        await Citizen.bulk_create(citizens, batch_size=1000)
        sessions = SessionService(settings.secret_key, 86400, SystemClock())
        tokens = [await sessions.issue("citizen", str(c.id), "wechat") for c in citizens]
        at = datetime(2026, 11, 20, 9, 0, tzinfo=CST)
        pairs: list[tuple[str, str]] = []
        for start in range(0, cases, 2000):
            pairs += await _batch(start, min(2000, cases - start), citizens, tokens, address, at)
        return pairs
    finally:
        await close_db()


async def _batch(
    start: int, n: int, citizens: list[Citizen], tokens: list[str], address: str, at: datetime
) -> list[tuple[str, str]]:
    await CaseNumber.bulk_create([CaseNumber() for _ in range(n)])
    rows, pairs = [], []
    for k in range(start + 1, start + n + 1):
        owner = (k - 1) % len(citizens)
        number = format_number(at.date(), k)
        rows.append(
            Application(
                id=k,
                number=number,
                citizen_id=citizens[owner].id,
                item_code="320112-000-XK-00001",
                item_version_id=1,
                department_code="GA",
                status="under_review",
                form={"reason": "benchmark"},
                materials=[{"name": "申请表", "file_id": "f" * 32}],
                delivery_method="ems",
                delivery_address_enc=address,
                delivery_address_masked=masked_address(ADDRESS),
                citizen_timeline=TIMELINE,
                promised_days=5,
                legal_days=20,
                accepted_on=date(2026, 11, 20),
                due_date=date(2026, 11, 27),
                created_at=at,
                updated_at=at + timedelta(hours=1),
            )
        )
        pairs.append((tokens[owner], number))
    await Application.bulk_create(rows, batch_size=1000)
    entries = [e for row in rows for e in _entries(row.id, at)]
    await AuditEntry.bulk_create(entries, batch_size=1000)
    return pairs
