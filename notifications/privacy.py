"""The notification engine's part of a citizen's data: messages and consents.

Export: every message sent or due (event, channel, status, times, the case it was about)
and the consent ledger. Account closure: consents are deleted, and messages not yet sent
are withdrawn (``failed``, ``account_closed``) so no worker sends them after the account is
gone; every message also loses its recipient (the platform openid) and rendered content.
A message a worker had already claimed when the account closed may still go out (it was
handed to the platform's queue): the window is one send, never a backlog.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.cases.models import Application
from core.outbox.models import FAILED, QUEUED, SENDING, Consent, OutboxMessage
from core.privacy.registry import PersonalData, Subject

CLOSED = "account_closed"


def _at(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


async def messages(subject: Subject) -> list[dict[str, Any]]:
    rows = await OutboxMessage.filter(citizen_id=subject.id).order_by("id")
    ids = {r.application_id for r in rows if r.application_id is not None}
    numbers = dict(await Application.filter(id__in=list(ids)).values_list("id", "number"))
    return [
        {
            "event": r.event,
            "channel": r.channel,
            "status": r.status,
            "queued_at": _at(r.created_at),
            "sent_at": _at(r.sent_at),
            "application_number": numbers.get(r.application_id),
        }
        for r in rows
    ]


async def consents(subject: Subject) -> list[dict[str, Any]]:
    rows = await Consent.filter(citizen_id=subject.id).order_by("id")
    return [
        {
            "platform": c.platform,
            "template_id": c.template_id,
            "long_term": c.long_term,
            "credits": c.credits,
            "accepts": c.accepts,
            "rejections": c.rejections,
            "updated_at": _at(c.updated_at),
        }
        for c in rows
    ]


async def forget(citizen_id: str, _now: datetime) -> None:
    """Withdraw what is not sent yet, drop recipients and content, delete consents."""
    # a row left "sending" by a dead worker would be reclaimed and sent: withdrawn too
    await OutboxMessage.filter(citizen_id=citizen_id, status__in=[QUEUED, SENDING]).update(
        status=FAILED, last_error=CLOSED, lease_owner=None, lease_expires_at=None
    )
    await OutboxMessage.filter(citizen_id=citizen_id).update(recipient=None, data={})
    await Consent.filter(citizen_id=citizen_id).delete()


def register(registry: PersonalData) -> None:
    registry.register("messages", messages, forget)
    registry.register("consents", consents)
