"""The score query: a citizen reads only their own result, matched through the verified ID.

The query never takes a candidate number or an ID number from the caller, so it cannot be
used to look anyone up; it is rate-limited per citizen as well. On release day this is the
busiest read of the year, so session, citizen and result come back in one query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from core.auth.sessions import SessionService
from core.db import fetch
from core.errors import Forbidden, NotAuthenticated, NotFound
from core.masking import mask_name
from core.pii import PiiCipher
from core.ports import SharedState
from core.ratelimit import SCORE_PER_CITIZEN, enforce
from core.rows import as_datetime

_OWN = """
SELECT s.kind, s.expires_at, s.revoked_at, c.id AS citizen_id, c.realname_verified,
       r.release_at, r.candidate_number, r.name_masked, r.name_enc, r.total, r.subjects
FROM session s
JOIN citizen c ON c.id = {subject} AND c.closed_at IS NULL
LEFT JOIN exam_result r ON r.id_number_index = c.id_number_index AND r.exam_id = ?
WHERE s.id = ?
"""
OWN = {
    "sqlite": _OWN.format(subject="s.subject_id"),
    "postgres": _OWN.format(subject="CAST(s.subject_id AS UUID)"),
}


def _none(exam: str) -> NotFound:
    # the same answer before release and without a record: nothing leaks early
    return NotFound(
        "No released result for you in this exam.",
        code="score_not_found",
        details={"exam": exam},
    )


async def own_score(
    exam: str,
    token: str,
    sessions: SessionService,
    state: SharedState,
    now: datetime,
    cipher: PiiCipher,
) -> dict[str, Any]:
    """The caller's own result; 401/403/404/429 as the contract says."""
    claims = sessions.claims(token)
    if claims["kind"] != "citizen":  # a staff session's subject is no uuid to join on
        raise NotAuthenticated("This token cannot be used here.", code="wrong_token_kind")
    rows = await fetch(OWN, [exam, claims["sid"]])
    if not rows:  # no session row, or a staff session (no citizen joins)
        await sessions.check(token)
        raise NotAuthenticated("This token cannot be used here.", code="wrong_token_kind")
    row = rows[0]
    sessions.ensure_live(row)
    if row["kind"] != "citizen":
        raise NotAuthenticated("This token cannot be used here.", code="wrong_token_kind")
    await enforce(state, SCORE_PER_CITIZEN, str(row["citizen_id"]))
    if not row["realname_verified"]:
        raise Forbidden(
            "Verify your real name first: scores are matched by ID number.",
            code="realname_required",
        )
    released = row["release_at"]
    if row["candidate_number"] is None or released is None or as_datetime(released) > now:
        raise _none(exam)
    name_masked = row["name_masked"] or mask_name(
        cipher.decrypt(row["name_enc"], context="exam_result.name")  # imported before 0002
    )
    subjects = row["subjects"]
    return {
        "exam": exam,
        "candidate_number": row["candidate_number"],
        "name_masked": name_masked,
        "total": row["total"],
        # stored JSON goes out as it is, without a parse and a re-serialisation
        "subjects": orjson.Fragment(subjects) if isinstance(subjects, str) else subjects,
    }
