"""Campaign messages never go out in their campaign's quiet hours, retries included.

The runner queues nothing that falls due inside the window, but a retry's backoff, or a
worker that was down, can still bring a campaign message due at 23:00. The dispatcher asks
here before each campaign send and for each campaign retry, and moves the message to the end
of the window. A campaign's quiet hours are fixed when it is created, so each worker reads
them once per campaign.
"""

from __future__ import annotations

from datetime import datetime

from core.campaigns import rules
from core.campaigns.models import Campaign
from core.clock import CST

_PREFIX = "campaign:"


class CampaignQuietHours:
    def __init__(self, limit: int = 1024) -> None:
        self._known: dict[int, rules.QuietHours] = {}
        self._limit = limit

    async def next_allowed(self, key: str, at: float) -> float:
        """``at`` (epoch seconds) if the campaign behind message ``key`` may send then, else
        the end of its quiet window; ``at`` for any message that is not a campaign's."""
        quiet = await self._of(key)
        if quiet is None:
            return at
        moment = datetime.fromtimestamp(at, CST)
        allowed = quiet.next_allowed(moment)
        return at if allowed == moment else allowed.timestamp()

    async def _of(self, key: str) -> rules.QuietHours | None:
        number = key[len(_PREFIX) :].split(":", 1)[0] if key.startswith(_PREFIX) else ""
        if not number.isdigit():
            return None
        campaign_id = int(number)
        quiet = self._known.get(campaign_id)
        if quiet is None:
            row = await Campaign.filter(id=campaign_id).first()
            if row is None:
                return None
            quiet = rules.QuietHours.parse(row.quiet_start, row.quiet_end)
            if len(self._known) >= self._limit:
                self._known.clear()
            self._known[campaign_id] = quiet
        return quiet
