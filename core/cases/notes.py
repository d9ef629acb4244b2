"""The note that goes with a move of a case: the clerk's or the citizen's own words.

Where the citizen must act on it, the clerk has to write one (government practice: a
one-time notice of everything missing, 一次性告知; the reason for a refusal or a denial).
"""

from __future__ import annotations

from typing import Any

from core.errors import InvalidInput

MAX_NOTE = 1000
NOTE_REQUIRED = frozenset({"request_supplement", "refuse", "deny", "revoke_instant"})


def read_note(body: dict[str, Any]) -> str:
    """The body's ``note``: text of at most MAX_NOTE characters, "" when absent or null."""
    note = body.get("note")
    if note is None:
        return ""
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise InvalidInput(
            f"'note' must be text of at most {MAX_NOTE} characters.", details={"field": "note"}
        )
    return note.strip()


def check_note(action: str, note: str) -> None:
    """InvalidInput ``note_required`` when ``action`` needs a note and has none."""
    if action in NOTE_REQUIRED and not note.strip():
        raise InvalidInput(
            f"'{action}' needs a note telling the citizen what is missing or why.",
            code="note_required",
            details={"field": "note", "action": action},
        )
