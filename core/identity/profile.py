"""What a citizen sees of themselves (``GET /me``): masked identity, never plaintext."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.identity.accounts import platforms_of
from core.identity.models import ID_NUMBER_CONTEXT, NAME_CONTEXT, PHONE_CONTEXT, Citizen
from core.masking import mask_id_number, mask_name, mask_phone
from core.pii import PiiCipher


async def profile(cipher: PiiCipher, citizen: Citizen) -> dict[str, Any]:
    """docs/api.md's ``/me`` shape plus ``phone_masked``; masks are null until known."""

    def masked(token: str | None, context: str, mask: Callable[[str], str]) -> str | None:
        return mask(cipher.decrypt(token, context=context)) if token else None

    verified = citizen.realname_verified
    return {
        "id": str(citizen.id),
        "realname_verified": verified,
        "name_masked": masked(citizen.name_enc, NAME_CONTEXT, mask_name) if verified else None,
        "id_number_masked": (
            masked(citizen.id_number_enc, ID_NUMBER_CONTEXT, mask_id_number) if verified else None
        ),
        "phone_masked": masked(citizen.phone_enc, PHONE_CONTEXT, mask_phone),
        "platforms": await platforms_of(str(citizen.id)),
    }
