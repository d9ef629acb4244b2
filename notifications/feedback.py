"""The citizen's ``feedback.replied`` message, queued inside the reply's transaction."""

from __future__ import annotations

import time
from collections.abc import Callable

from core.feedback.models import Feedback
from core.outbox.models import MILESTONE_LANE
from notifications.channels import ChannelChooser
from notifications.outbox import enqueue
from notifications.templates import CHANNEL_PLATFORMS, feedback_context

EVENT = "feedback.replied"


class FeedbackNotifier:
    """``core.feedback.service.Notify``: one message per reply, on the citizen's channel."""

    def __init__(self, chooser: ChannelChooser, now: Callable[[], float] = time.time) -> None:
        self.chooser = chooser
        self._now = now

    async def __call__(self, row: Feedback) -> None:
        registry = self.chooser.registry
        if not any(registry.template(EVENT, p) for p in CHANNEL_PLATFORMS):
            return  # the operators chose not to send this event
        at = row.replied_at or row.created_at
        context = feedback_context(row.id, row.kind, row.content, row.reply or "", at)
        citizen = str(row.citizen_id)
        choice = await self.chooser.choose(citizen, EVENT)
        await enqueue(
            f"feedback:{row.id}:{EVENT}:{choice.channel}",
            choice,
            context,
            citizen_id=citizen,
            event=EVENT,
            created_at=at,
            due=self._now(),
            lane=MILESTONE_LANE,
        )
