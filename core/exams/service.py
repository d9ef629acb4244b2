"""The score query: a citizen reads only their own result, matched through the verified ID.

The query never takes a candidate number or an ID number from the caller, so it cannot be
used to look anyone up; it is rate-limited per citizen as well.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.db import fetch
from core.errors import Forbidden, NotFound
from core.masking import mask_name
from core.pii import PiiCipher
from core.rows import as_datetime, as_json

_OWN = """
SELECT c.realname_verified, e.release_at, r.candidate_number, r.name_enc, r.total, r.subjects
FROM citizen c
LEFT JOIN exam_result r ON r.id_number_index = c.id_number_index AND r.exam_id = ?
LEFT JOIN exam e ON e.key = r.exam_id
WHERE c.id = ? AND c.closed_at IS NULL
"""


def _none(exam: str) -> NotFound:
    # the same answer before release and without a record: nothing leaks early
    return NotFound(
        "No released result for you in this exam.", code="score_not_found", details={"exam": exam}
    )


async def own_score(exam: str, citizen_id: str, now: datetime, cipher: PiiCipher) -> dict[str, Any]:
    rows = await fetch(_OWN, [exam, citizen_id])
    if not rows:
        raise _none(exam)
    row = rows[0]
    if not row["realname_verified"]:
        raise Forbidden(
            "Verify your real name first: scores are matched by ID number.",
            code="realname_required",
        )
    if row["candidate_number"] is None or as_datetime(row["release_at"]) > now:
        raise _none(exam)
    name = cipher.decrypt(row["name_enc"], context="exam_result.name")
    return {
        "exam": exam,
        "candidate_number": row["candidate_number"],
        "name_masked": mask_name(name),
        "total": row["total"],
        "subjects": as_json(row["subjects"]),
    }
