"""What a citizen may do to their own case: supplement materials, withdraw."""

from __future__ import annotations

from typing import Any

from core.cases.context import CaseContext
from core.cases.models import Application
from core.cases.notes import read_note
from core.cases.submission import uploaded_materials
from core.cases.transitions import move
from core.catalogue.models import ItemVersion
from core.errors import InvalidInput
from core.uploads.service import attach


async def supplement(
    ctx: CaseContext, case: Application, citizen_id: str, body: dict[str, Any]
) -> Application:
    """Add materials and send the case back to the state it was in before the request.

    The note is checked as a clerk's is (``read_note``); a supplement without a material
    answers nothing the clerk asked for: InvalidInput ``empty_supplement``.
    """
    note = read_note(body)
    version = await ItemVersion.get(id=case.item_version_id)
    filers = {str(case.citizen_id), citizen_id}
    known = {m["name"] for m in version.materials}
    added = await uploaded_materials(body, filers, known, ctx.clock.now(), case.materials)
    if not added:
        raise InvalidInput(
            "A supplement needs at least one material.",
            code="empty_supplement",
            details={"field": "materials"},
        )
    moved = await move(
        ctx,
        case,
        "supplement",
        f"citizen:{citizen_id}",
        note,
        extra={"materials": [*case.materials, *added], "resume_status": None},
    )
    # listed now: kept for good (a file is accepted only within a day of its upload, and
    # the worker removes unlisted ones an hour after that, so this cannot race a removal)
    await attach((m["file_id"] for m in added), ctx.clock.now())
    return moved


async def withdraw(ctx: CaseContext, case: Application, citizen_id: str) -> Application:
    return await move(ctx, case, "withdraw", f"citizen:{citizen_id}")
