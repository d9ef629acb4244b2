"""``kill -9`` a real worker while 10,000 messages are in flight, restart it, and count.

Every message must be delivered; a message may be delivered twice only when the killed
worker's request had reached the platform but its answer was never recorded (the
"mid-request" messages, printed). About 20 s on two cores.
"""

from __future__ import annotations

from pathlib import Path

from core.db import close_db, init_db
from core.outbox.models import OutboxMessage
from integrations.wechat.sandbox import WeChatSandbox
from tests.notifications.workers import Worker, received, seed_messages, wait_for, worker_env

MESSAGES = 10_000
LEASE = "2"  # seconds: how long the restarted worker waits for the dead one's claims


async def unfinished() -> int:
    return await OutboxMessage.filter(status__in=["queued", "sending"]).count()


async def test_kill_9_mid_flight_loses_nothing(
    database_url: str, wechat: WeChatSandbox, tmp_path: Path
) -> None:
    await init_db(database_url)
    try:
        await seed_messages(wechat, MESSAGES)
        env = worker_env(database_url, wechat, NOTIFY_LEASE_SECONDS=LEASE)
        worker = Worker(env, tmp_path / "worker.log")
        try:

            async def a_third_sent() -> bool:
                return len(wechat.sent) >= MESSAGES // 3

            await wait_for(a_third_sent, 120, "the first worker to send a third")
        finally:
            worker.kill()
        in_flight = await OutboxMessage.filter(status="sending").values_list("data", flat=True)
        reached = received(wechat)
        mid_request = sum(1 for data in in_flight if reached[data["character_string1"]])
        sent_before = await OutboxMessage.filter(status="sent").count()
        restarted = Worker(env, tmp_path / "worker.log")
        try:

            async def all_done() -> bool:
                return await unfinished() == 0

            await wait_for(all_done, 180, "the restarted worker to finish")
        finally:
            restarted.stop()
        counts = received(wechat)
        duplicates = sum(n - 1 for n in counts.values())
        print(
            f"\nkilled with {sent_before} recorded sent, {len(in_flight)} claimed in flight, "
            f"{mid_request} mid-request (reached the platform, answer unrecorded); "
            f"after restart: {len(counts)} delivered, {duplicates} duplicates"
        )
        assert len(counts) == MESSAGES  # none lost
        assert duplicates <= mid_request
        assert await OutboxMessage.filter(status="sent").count() == MESSAGES
    finally:
        await close_db()
