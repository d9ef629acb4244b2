"""The dispatcher: claims due messages, sends them, and records what the platforms answered.

Each lane (milestone, campaign) has its own claims and its own pool of concurrent sends, so
a campaign backlog never delays a milestone message; the platform limiter keeps part of every
second's budget for milestones. Within a worker milestones go first: while any is in hand the
campaign lane claims nothing and its sends wait (a few seconds at most). Every answer is
classified by the vendors' errcode tables (the clients turn errcodes into exception classes):

* a campaign message whose campaign was paused or cancelled is not sent: it is held back
  unspent, as the pause held the campaign's queued rows;
* accepted -> ``sent`` (and a one-time consent is spent);
* no consent (WeChat 43101) -> ``no_consent``; the ledger's credits for the template are
  zeroed and the milestone falls back to the next channel;
* any other permanent refusal (47003, 40003, 40037, 41030, ...) -> ``failed``, no retry;
* token rejected: the WeChat client already refreshed once (coordinated) and retried once;
  if that failed too the message is retried like a busy answer;
* busy, frequency limit, timeout, unreachable -> retried after exponential backoff with
  jitter (never sooner than the platform's own hint), ``failed`` after ``max_attempts``.

``now`` (epoch seconds) and ``rng`` are injected so tests can step time and jitter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import secrets
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from core.outbox.models import CAMPAIGN_LANE, FAILED, LANES, MILESTONE_LANE, NO_CONSENT, SENT
from integrations.errors import IntegrationError, Retryable
from notifications.campaigns.quiet import CampaignQuietHours
from notifications.channels import ChannelChooser, Outgoing, Sender, is_no_consent
from notifications.claiming import Claimer
from notifications.pacing import PlatformLimiter
from notifications.recording import HELD, RETRY, UNCLAIMED, Recorder, Result

log = logging.getLogger("citysvc.notifications.dispatcher")

MILESTONE_FIRST_WAIT = 5.0  # seconds a campaign send waits at most for milestones in hand
BUSY_PAUSE = 0.005  # seconds between looks at a lane's queue while it holds enough messages


def default_owner() -> str:
    """This worker's name in leases: host, process and a random part (pids are reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class DispatchConfig:
    owner: str = field(default_factory=default_owner)
    lease: float = 60.0  # seconds a claim lasts: far longer than one send may take
    claimer_lease: float = 10.0  # seconds the SQLite claimer role lasts unless renewed
    batch: int = 200  # rows per claim (a lane keeps up to this many claimed in hand)
    concurrency: Mapping[str, int] = field(
        default_factory=lambda: {"milestone": 32, "campaign": 16}
    )
    idle_poll: float = 0.02  # seconds between looks for due milestone rows when there are none
    campaign_idle_poll: float = 0.5  # the same for campaigns, which nobody waits for by the ms
    flush_every: float = 0.05  # seconds between writes of results (a batch fills sooner)
    max_attempts: int = 20
    backoff_base: float = 2.0
    backoff_cap: float = 1800.0
    jitter: float = 0.5  # a retry waits between 1 and 1 + jitter times the backoff
    lanes: tuple[str, ...] = LANES  # the lanes this worker sends (NOTIFY_LANES)


class Dispatcher:
    """Sends the outbox through ``senders`` (channel -> Sender)."""

    def __init__(
        self,
        senders: Mapping[str, Sender],
        limiter: PlatformLimiter,
        chooser: ChannelChooser | None = None,
        config: DispatchConfig | None = None,
        *,
        now: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config or DispatchConfig()
        self._senders = dict(senders)
        self._limiter = limiter
        self._now = now
        self._rng = rng or random.Random()
        self.claimer = Claimer(self.config.owner, self.config.lease, self.config.claimer_lease)
        self.recorder = Recorder(self.config.owner, chooser, now)
        self._quiet = CampaignQuietHours()
        # milestones first: campaign sends and claims wait while any milestone is in hand
        self._milestones_in_hand = 0
        self._no_milestones = asyncio.Event()
        self._no_milestones.set()

    # -- stepping (tests, benchmarks) ------------------------------------------------------

    async def run_once(self) -> int:
        """One claim per lane, milestones first; send everything claimed; record it."""
        count = 0
        for lane in self.config.lanes:
            claimed = await self._claim(lane, self.config.batch)
            await asyncio.gather(*(self._deliver(m) for m in claimed))
            count += len(claimed)
        await self.recorder.flush()
        return count

    async def run_until_idle(self) -> int:
        """Repeat ``run_once`` until nothing is due now; the number of sends made."""
        total = 0
        while sent := await self.run_once():
            total += sent
        return total

    # -- the worker's pipeline -------------------------------------------------------------

    async def run(self, stop: asyncio.Event, duration: float | None = None) -> None:
        """Keep every lane's pool busy until ``stop`` is set (or ``duration`` s passed).

        Sends already started are finished and recorded before returning.
        """
        stopping = asyncio.Event()
        timer = None
        if duration is not None:
            timer = asyncio.get_running_loop().call_later(duration, stopping.set)
        relay = asyncio.create_task(_relay(stop, stopping))
        recorder = asyncio.create_task(self.recorder.run(stopping, self.config.flush_every))
        try:
            await asyncio.gather(*(self._lane(lane, stopping) for lane in self.config.lanes))
        finally:
            stopping.set()
            relay.cancel()
            if timer is not None:
                timer.cancel()
            await recorder
            await self.recorder.flush()

    async def close(self) -> None:
        """Hand the SQLite claimer lease over at once (a clean shutdown)."""
        await self.claimer.release()

    async def _lane(self, lane: str, stopping: asyncio.Event) -> None:
        """``limit`` senders take claimed messages from a queue that the feeder keeps filled;
        claims run beside the sends, so a send never waits for the database."""
        limit = self.config.concurrency.get(lane, 1)
        queue: asyncio.Queue[Outgoing | None] = asyncio.Queue()
        senders = [asyncio.create_task(self._sender(queue)) for _ in range(limit)]
        try:
            await self._feed(lane, queue, limit, stopping)
        finally:
            leftover = [queue.get_nowait() for _ in range(queue.qsize())]
            # claimed but never started: back to the queue now rather than after the lease
            self._unclaim([m for m in leftover if m is not None])
            for message in leftover:
                if message is not None and message.lane == MILESTONE_LANE:
                    self._milestone_done()
            for _ in senders:
                queue.put_nowait(None)
            await asyncio.gather(*senders)

    async def _sender(self, queue: asyncio.Queue[Outgoing | None]) -> None:
        while (message := await queue.get()) is not None:
            if message.lane == CAMPAIGN_LANE and not self._no_milestones.is_set():
                # bounded, far inside the lease: a claimed message is never held until a
                # second worker could claim it again
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._no_milestones.wait(), MILESTONE_FIRST_WAIT)
            await self._deliver(message)
            if message.lane == MILESTONE_LANE:
                self._milestone_done()

    def _milestones_claimed(self, count: int) -> None:
        if count:
            self._milestones_in_hand += count
            self._no_milestones.clear()

    def _milestone_done(self) -> None:
        self._milestones_in_hand -= 1
        if self._milestones_in_hand <= 0:
            self._milestones_in_hand = 0
            self._no_milestones.set()

    async def _feed(
        self, lane: str, queue: asyncio.Queue[Outgoing | None], limit: int, stop: asyncio.Event
    ) -> None:
        """Claim whenever fewer than ``limit`` messages wait; look again after ``idle_poll``
        when nothing was due, after a short pause when enough are in hand."""
        while not stop.is_set():
            pause = BUSY_PAUSE
            if lane == CAMPAIGN_LANE and not self._no_milestones.is_set():
                pass  # milestones in hand: the campaign lane claims nothing meanwhile
            elif queue.qsize() < limit:
                claimed = await self._safe_claim(lane, max(limit, self.config.batch))
                if lane == MILESTONE_LANE:
                    self._milestones_claimed(len(claimed))
                for message in claimed:
                    queue.put_nowait(message)
                pause = 0.0 if claimed else self._idle(lane)
            if pause:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(pause):
                        await stop.wait()

    def _unclaim(self, messages: list[Outgoing]) -> None:
        for message in messages:
            self.recorder.add(Result(message, UNCLAIMED))

    def _idle(self, lane: str) -> float:
        return self.config.idle_poll if lane == MILESTONE_LANE else self.config.campaign_idle_poll

    async def _safe_claim(self, lane: str, limit: int) -> list[Outgoing]:
        try:
            return await self._claim(lane, limit)
        except Exception:  # a busy or unreachable database: look again after the idle wait
            log.exception("claiming %s messages failed", lane)
            return []

    async def _claim(self, lane: str, limit: int) -> list[Outgoing]:
        return await self.claimer.claim(lane, limit, int(self._now() * 1000))

    # -- one message -----------------------------------------------------------------------

    async def _deliver(self, message: Outgoing) -> None:
        if message.lane == CAMPAIGN_LANE:
            now = self._now()
            allowed = await self._quiet.next_allowed(message.key, now)
            if allowed > now:  # due inside its campaign's quiet hours: back to the queue
                self.recorder.add(Result(message, RETRY, "quiet_hours", "", 0, int(allowed * 1000)))
                return
        started = time.perf_counter()
        error: Exception | None = None
        try:
            sender = self._senders.get(message.channel)
            if sender is None:
                raise Retryable(
                    f"no sender for channel {message.channel} in this worker",
                    retry_after=60.0,
                    platform=message.channel,
                )
            await self._limiter.take(message.channel, message.lane)
            # paused or cancelled meanwhile (checked last, after any wait for the limiter)
            if message.lane == CAMPAIGN_LANE and await self._quiet.stopped(
                message.key, self._now()
            ):
                self.recorder.add(Result(message, HELD))
                return
            await sender.send(message)
        except IntegrationError as exc:
            error = exc
        except Exception as exc:  # a bug or an unexpected library error: retry, loudly
            log.exception("sending message %s failed unexpectedly", message.id)
            error = exc
        elapsed = int((time.perf_counter() - started) * 1000)
        result = self.classify(message, error, elapsed)
        if result.retry_at_ms is not None and message.lane == CAMPAIGN_LANE:
            allowed = await self._quiet.next_allowed(message.key, result.retry_at_ms / 1000)
            result = replace(result, retry_at_ms=int(allowed * 1000))
        self.recorder.add(result)

    def classify(self, message: Outgoing, error: Exception | None, elapsed_ms: int) -> Result:
        """The outcome of one attempt, by the vendors' errcode tables."""
        if error is None:
            return Result(message, SENT, elapsed_ms=elapsed_ms)
        code = str(getattr(error, "platform_code", "") or type(error).__name__)
        detail = str(error)[:200]
        if isinstance(error, IntegrationError) and is_no_consent(error):
            return Result(message, NO_CONSENT, code, detail, elapsed_ms)
        permanent = isinstance(error, IntegrationError) and not isinstance(error, Retryable)
        if permanent or message.attempts >= self.config.max_attempts:
            return Result(message, FAILED, code, detail, elapsed_ms)
        hint = float(error.retry_after) if isinstance(error, Retryable) else 0.0
        retry_at = self._now() + self.backoff(message.attempts, hint)
        return Result(message, RETRY, code, detail, elapsed_ms, int(retry_at * 1000))

    def backoff(self, attempt: int, hint: float = 0.0) -> float:
        """Seconds before retry ``attempt + 1``: base * 2^(attempt-1), at least the platform's
        hint, at most the cap, stretched by a random jitter so retries do not march in step."""
        exponential = self.config.backoff_base * 2.0 ** max(attempt - 1, 0)
        delay = min(self.config.backoff_cap, max(hint, exponential))
        return delay * (1 + self.config.jitter * self._rng.random())


async def _relay(source: asyncio.Event, target: asyncio.Event) -> None:
    await source.wait()
    target.set()
