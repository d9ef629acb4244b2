"""Joining two citizens that turned out to be one person (same verified ID number).

When an account verifies an ID number that another citizen already verified, the holder of
the number survives and the caller's citizen is absorbed: its platform accounts, cases
(as applicant and as agent), agent authorizations, uploads, verification history and live
sessions move to the survivor, and the emptied citizen is closed. Moving the session rows
is what keeps the caller's token working: a token names its session, and the session's
``subject_id`` decides who the caller is (``core.auth.sessions``).

``join_citizens`` must run inside the caller's transaction: a half-moved citizen would show
a person half of their cases. A table added later that stores a citizen's id belongs in
``CITIZEN_REFERENCES``.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.models import Model

from core.auth.models import Session
from core.cases.models import AgentAuthorization, Application
from core.followers.models import OaBindingCode, OaLink
from core.identity.models import ERASED_PERSONAL_DATA, Citizen, PlatformAccount, Verification
from core.knowledge.models import HandoffTicket
from core.topics.models import TopicSubscription
from core.totals.tally import recount_priors
from core.uploads.models import Upload

# (model, column holding a citizen id) moved from the absorbed citizen to the survivor.
CITIZEN_REFERENCES: tuple[tuple[type[Model], str], ...] = (
    (PlatformAccount, "citizen_id"),
    (Application, "citizen_id"),
    (Application, "agent_id"),
    (AgentAuthorization, "citizen_id"),
    (AgentAuthorization, "agent_id"),
    (Upload, "owner_id"),
    (Verification, "citizen_id"),
    (OaLink, "citizen_id"),
    (HandoffTicket, "citizen_id"),
)
# (model, column, the other columns of its unique key): rows the survivor already has an
# equal of are dropped instead of moved (both followed the same topic, say)
UNIQUE_CITIZEN_REFERENCES: tuple[tuple[type[Model], str, tuple[str, ...]], ...] = (
    (TopicSubscription, "citizen_id", ("topic_key",)),
)


async def _move_unique(absorbed_id: str, survivor_id: str) -> None:
    for model, column, others in UNIQUE_CITIZEN_REFERENCES:
        kept = await model.filter(**{column: survivor_id}).values_list(*others)
        for values in kept:
            await model.filter(
                **{column: absorbed_id}, **dict(zip(others, values, strict=True))
            ).delete()
        await model.filter(**{column: absorbed_id}).update(**{column: survivor_id})


async def join_citizens(absorbed_id: str, survivor_id: str, now: datetime) -> None:
    """Move everything of ``absorbed_id`` to ``survivor_id`` and close ``absorbed_id``."""
    absorbed = await Citizen.get(id=absorbed_id)
    survivor = await Citizen.get(id=survivor_id)
    for model, column in CITIZEN_REFERENCES:
        await model.filter(**{column: absorbed_id}).update(**{column: survivor_id})
    await _move_unique(absorbed_id, survivor_id)
    await recount_priors(survivor_id)  # both citizens' cases are one applicant's now
    await OaBindingCode.filter(citizen_id=absorbed_id).delete()
    await Session.filter(kind="citizen", subject_id=absorbed_id).update(subject_id=survivor_id)
    if survivor.phone_enc is None and absorbed.phone_enc is not None:
        # Same column and context, so the ciphertext moves as it is.
        await Citizen.filter(id=survivor_id).update(phone_enc=absorbed.phone_enc)
    await Citizen.filter(id=absorbed_id).update(closed_at=now, **ERASED_PERSONAL_DATA)
