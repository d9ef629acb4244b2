"""The township each citizen says they live in: the data behind a campaign's town filter.

A citizen sets it in the mini-program (``PUT /api/v1/me/town``) and may clear it; closing
the account erases it. When the district lists its townships (``DISTRICT_TOWNS``), a town
must be one of them, for citizens and for campaign audiences alike, so a typo in a campaign
cannot silently reach nobody. Without a list any name of up to 32 characters is taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.campaigns.models import CitizenTown
from core.errors import InvalidInput

MAX_LENGTH = 32


def checked(value: object, known: Sequence[str]) -> str:
    """``value`` as a town name; InvalidInput (``unknown_town``) when the district's list
    does not have it."""
    town = value.strip() if isinstance(value, str) else ""
    if not 0 < len(town) <= MAX_LENGTH:
        raise InvalidInput(
            f"A town is a name of 1 to {MAX_LENGTH} characters.", details={"field": "town"}
        )
    if known and town not in known:
        raise InvalidInput(
            "This is not one of the district's towns.",
            code="unknown_town",
            details={"town": town, "towns": list(known)},
        )
    return town


async def town_of(citizen_id: str) -> str | None:
    row = await CitizenTown.get_or_none(citizen_id=citizen_id)
    return row.town if row else None


async def set_town(citizen_id: str, value: object, known: Sequence[str], now: datetime) -> str:
    town = checked(value, known)
    await CitizenTown.update_or_create(
        citizen_id=citizen_id, defaults={"town": town, "updated_at": now}
    )
    return town


async def clear_town(citizen_id: str) -> None:
    await CitizenTown.filter(citizen_id=citizen_id).delete()


async def forget(citizen_id: str, _now: datetime) -> None:
    """Account closure: the declared town goes."""
    await clear_town(citizen_id)
