"""Citizen ids as callers write them: a UUID in any accepted spelling, kept canonical."""

from __future__ import annotations

import uuid

from core.errors import InvalidInput


def canonical_citizen_id(value: object) -> str | None:
    """The canonical form of a citizen id given as text; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def parse_citizen_id(value: object, field: str) -> str:
    """The canonical citizen id in ``field``; InvalidInput ``invalid_citizen_id`` otherwise."""
    parsed = canonical_citizen_id(value)
    if parsed is None:
        raise InvalidInput(
            f"{str(value)[:64]!r} is not a citizen id (a UUID, as GET /api/v1/me shows it).",
            code="invalid_citizen_id",
            details={"field": field},
        )
    return parsed
