"""The outbox: message rows written in the same transaction as the change they report.

``OutboxSink`` is the ``core.ports.MilestoneSink`` the case services call inside their
transaction. It chooses the channel (reserving a consent), fits the template and inserts the
row; the dispatcher sends it later. A repeated trigger of the same milestone inserts nothing:
the row's unique key is (case, milestone, event, channel), checked first by milestone so a
consent that changed in between cannot make a second row on another channel.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from core.catalogue.models import ItemVersion
from core.outbox.models import (
    FAILED,
    MILESTONE_LANE,
    NO_CHANNEL,
    NO_CONSENT,
    ONE_TIME,
    QUEUED,
    OutboxMessage,
)
from core.ports import MilestoneEvent
from notifications import consents
from notifications.bundle_push import on_bundle_milestone
from notifications.channels import NONE, ChannelChooser, Choice
from notifications.fitting import FitError
from notifications.templates import CHANNEL_PLATFORMS, case_context

log = logging.getLogger("citysvc.notifications.outbox")


def milestone_key(application_id: int, milestone_id: int, event: str, channel: str) -> str:
    """The unique key of a milestone's message on one channel."""
    return f"case:{application_id}:{milestone_id}:{event}:{channel}"


class OutboxSink:
    """Writes a milestone's message row; implements ``core.ports.MilestoneSink``.

    ``now`` is the wall clock (epoch seconds) the dispatcher schedules by: the domain clock
    dates the row, but only real time may decide when a worker picks it up.
    """

    def __init__(self, chooser: ChannelChooser, now: Callable[[], float] = time.time) -> None:
        self.chooser = chooser
        self._now = now

    async def record(self, event: MilestoneEvent) -> None:
        if event.bundle_number and not await on_bundle_milestone(self.chooser, event, self._now()):
            return  # a bundle's case: one push for the whole bundle, not one per item
        registry = self.chooser.registry
        if not any(registry.template(event.event, p) for p in CHANNEL_PLATFORMS):
            return  # the operators chose not to notify this event
        if await OutboxMessage.exists(milestone_id=event.milestone_id):
            return  # the same milestone again: its message exists already
        context = case_context(event, await current_item_name(event.item_code))
        choice = await self.chooser.choose(event.citizen_id, event.event)
        await enqueue(
            milestone_key(event.application_id, event.milestone_id, event.event, choice.channel),
            choice,
            context,
            citizen_id=event.citizen_id,
            event=event.event,
            created_at=event.at,
            due=self._now(),
            application_id=event.application_id,
            milestone_id=event.milestone_id,
        )


async def current_item_name(code: str) -> str:
    names = (
        await ItemVersion.filter(item_id=code)
        .order_by("-version")
        .limit(1)
        .values_list("name", flat=True)
    )
    return str(names[0]) if names else code


async def enqueue(
    key: str,
    choice: Choice,
    context: dict[str, str],
    *,
    citizen_id: str,
    event: str,
    created_at: datetime,
    due: float,
    lane: str = MILESTONE_LANE,
    application_id: int | None = None,
    milestone_id: int | None = None,
) -> None:
    """Insert one message row (nothing when ``key`` exists). Campaigns call this too.

    A row whose values cannot fit its template is written as ``failed`` (and its consent
    released) rather than raising: a template mistake must never undo the clerk's action.
    """
    fields = await _content(choice, context, citizen_id, event, created_at)
    row = OutboxMessage(
        key=key,
        lane=lane,
        application_id=application_id,
        milestone_id=milestone_id,
        citizen_id=citizen_id,
        event=event,
        channel=choice.channel,
        recipient=choice.recipient,
        context=context,
        consent=choice.consent,
        next_attempt_at=int(due * 1000),
        created_at=created_at,
        **fields,
    )
    # ON CONFLICT DO NOTHING: a failed insert would abort the caller's PostgreSQL transaction
    await OutboxMessage.bulk_create([row], ignore_conflicts=True)


async def _content(
    choice: Choice, context: dict[str, str], citizen_id: str, event: str, at: datetime
) -> dict[str, Any]:
    """Status, template and fitted data of a new row."""
    status = QUEUED
    if choice.channel == NONE:
        status = NO_CONSENT if choice.unconsented else NO_CHANNEL
    fields: dict[str, Any] = {"status": status}
    if choice.template is not None:
        try:
            data, page = choice.template.render(context)
            fields.update(template_id=choice.template.template_id, data=data, page=page)
        except FitError as exc:
            log.error("template of %s on %s does not fit: %s", event, choice.channel, exc)
            fields.update(status=FAILED, last_error=f"fit: {exc}"[:200])
            await _release(citizen_id, choice, at)
    return fields


async def _release(citizen_id: str, choice: Choice, at: datetime) -> None:
    if choice.consent == ONE_TIME and choice.template is not None:
        key = (citizen_id, choice.channel, choice.template.template_id)
        await consents.settle(Counter(), Counter([key]), Counter(), at)


async def fall_back(chooser: ChannelChooser, message_id: int, now: float) -> bool:
    """After a platform said "no consent", queue the milestone on the next channel, if any.

    Returns True when a new row was queued. Only channels not yet tried for this milestone
    are considered, so the chain ends.
    """
    row = await OutboxMessage.get_or_none(id=message_id)
    if row is None or row.milestone_id is None or row.lane != MILESTONE_LANE:
        return False
    tried = await OutboxMessage.filter(milestone_id=row.milestone_id).values_list(
        "channel", flat=True
    )
    choice = await chooser.choose(str(row.citizen_id), row.event, exclude=[str(c) for c in tried])
    if choice.channel == NONE:
        return False
    await enqueue(
        milestone_key(row.application_id or 0, row.milestone_id, row.event, choice.channel),
        choice,
        dict(row.context),
        citizen_id=str(row.citizen_id),
        event=row.event,
        created_at=row.created_at,
        due=now,
        application_id=row.application_id,
        milestone_id=row.milestone_id,
    )
    return True
