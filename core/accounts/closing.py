"""Closing a citizen's account (``DELETE /me``, PIPL art. 47): erase what the law lets us erase.

In one transaction:
- the citizen row keeps only its id and dates: name, ID number, blind index and phone are
  erased, ``realname_verified`` cleared, ``closed_at`` set. The freed blind index means the
  same person can verify again later as a new citizen;
- platform accounts are deleted, so the next login with the same WeChat or Alipay account
  starts a fresh citizen instead of reviving this one;
- every session is revoked (the caller's token stops working at once);
- verification attempts (claimed name, number, index) are deleted;
- agent authorizations given or held are revoked.

Cases stay: the administration must keep its case files (档案), so an application's item,
form, materials, states and audit trail remain, pointing at the now anonymous citizen id.
The delivery address is the citizen's personal data and not part of the decision: it is
dropped from every CLOSED case (``core.cases.machine.CLOSED``). Open cases keep it,
encrypted, because the law still obliges the department to decide and the result must
reach the applicant; closing an account must not silently abandon an application.

Uploads that no case of the citizen references (a photographed ID card never submitted) are
deleted, rows in the transaction and files after it; referenced ones are case material.

Everything else a feature holds is that feature's to forget: closure asks each one through
the port of ``core.privacy.registry`` (``Forget``), registered by the process's root
(``miniapp_api.app.personal_data``): the bot link, topics, the town, agent authorisations,
closed cases' addresses, queued messages and consents, ratings and feedback. The registry is
a required argument, so no caller can close an account and leave a feature remembering.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from core.auth.models import Session
from core.cases.models import Application
from core.errors import NotAuthenticated
from core.identity.models import ERASED_PERSONAL_DATA, Citizen, PlatformAccount, Verification
from core.privacy.registry import PersonalData
from core.uploads.models import Upload
from core.uploads.service import path_of

log = logging.getLogger("citysvc.identity")


async def close_account(
    citizen_id: str, now: datetime, upload_root: Path, personal_data: PersonalData
) -> None:
    """Erase the citizen's personal data and end every way of acting as them; every feature
    registered in ``personal_data`` forgets the citizen in the same transaction."""
    async with in_transaction():
        erased = await Citizen.filter(id=citizen_id, closed_at=None).update(
            closed_at=now, **ERASED_PERSONAL_DATA
        )
        if not erased:
            raise NotAuthenticated("This account no longer exists.", code="account_closed")
        for forget in personal_data.erasers:
            await forget(citizen_id, now)
        await PlatformAccount.filter(citizen_id=citizen_id).delete()
        await Session.filter(kind="citizen", subject_id=citizen_id, revoked_at=None).update(
            revoked_at=now
        )
        await Verification.filter(citizen_id=citizen_id).delete()
        orphans = await _unreferenced_uploads(citizen_id)
        await Upload.filter(id__in=orphans).delete()
    await asyncio.to_thread(_remove_files, upload_root, orphans)
    log.info(
        "citizen %s closed their account (%d unused uploads removed)", citizen_id, len(orphans)
    )


async def _unreferenced_uploads(citizen_id: str) -> list[str]:
    owned = await Upload.filter(owner_id=citizen_id).values_list("id", flat=True)
    if not owned:
        return []
    cases = await Application.filter(Q(citizen_id=citizen_id) | Q(agent_id=citizen_id)).values_list(
        "materials", flat=True
    )
    used: set[str] = set()
    for materials in cases:
        entries: list[Any] = materials if isinstance(materials, list) else []
        used.update(str(m["file_id"]) for m in entries if isinstance(m, dict) and "file_id" in m)
    return [str(file_id) for file_id in owned if str(file_id) not in used]


def _remove_files(root: Path, file_ids: list[str]) -> None:
    # After the commit: a file without a row is harmless, a row without its file is an error.
    for file_id in file_ids:
        with contextlib.suppress(FileNotFoundError):
            path_of(root, file_id).unlink()
