"""Campaign messages never go out in their campaign's quiet hours, retries included, nor
while their campaign is paused or cancelled.

The runner queues nothing that falls due inside the window, but a retry's backoff, or a
worker that was down, can still bring a campaign message due at 23:00. The dispatcher asks
here before each campaign send and for each campaign retry, and moves the message to the end
of the window. A campaign's quiet hours are fixed when it is created, so each worker reads
them once per campaign.

A pause or cancel takes the campaign's queued rows back at once, but a worker may hold some
already claimed (or record a retry just after): ``stopped`` reads the campaign's status
before each campaign send, at most every ``STATUS_TTL`` seconds per campaign while it runs,
so no send starts later than that after a pause. The dispatcher then holds the message as
the pause did; the campaign runner releases or withdraws it. A stopped status is read again
for every message (few are claimed while a campaign is stopped), so a resume is seen at once.
"""

from __future__ import annotations

from datetime import datetime

from core.campaigns import rules
from core.campaigns.models import CANCELLED, PAUSED, Campaign
from core.clock import CST

_PREFIX = "campaign:"
STATUS_TTL = 0.5  # seconds a worker trusts a campaign status it read
STOPPED = frozenset({PAUSED, CANCELLED})


class CampaignQuietHours:
    def __init__(self, limit: int = 1024) -> None:
        self._known: dict[int, rules.QuietHours] = {}
        self._status: dict[int, tuple[float, str]] = {}  # campaign -> (read at, status)
        self._limit = limit

    async def stopped(self, key: str, now: float) -> bool:
        """Whether the campaign behind message ``key`` is paused or cancelled (as read at
        most ``STATUS_TTL`` seconds of ``now`` ago); False for other messages."""
        campaign_id = _campaign_of(key)
        if campaign_id is None:
            return False
        read = self._status.get(campaign_id)
        # "running" is trusted for STATUS_TTL; "stopped" is read again each time, so a
        # message claimed just after a resume is sent, not held back once more
        if read is None or read[1] in STOPPED or not 0 <= now - read[0] < STATUS_TTL:
            status = await Campaign.filter(id=campaign_id).values_list("status", flat=True)
            if len(self._status) >= self._limit:
                self._status.clear()
            read = self._status[campaign_id] = (now, str(status[0]) if status else "")
        return read[1] in STOPPED

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
        campaign_id = _campaign_of(key)
        if campaign_id is None:
            return None
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


def _campaign_of(key: str) -> int | None:
    number = key[len(_PREFIX) :].split(":", 1)[0] if key.startswith(_PREFIX) else ""
    return int(number) if number.isdigit() else None
