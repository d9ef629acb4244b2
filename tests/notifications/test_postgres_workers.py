"""Several workers on PostgreSQL + Redis share the outbox with no duplicate.

Claims use ``FOR UPDATE SKIP LOCKED``; rate limits and the WeChat token live in Redis.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.db import close_db, init_db
from core.outbox.models import DeliveryAttempt, OutboxMessage
from integrations.wechat.sandbox import WeChatSandbox
from notifications.claiming import Claimer
from tests import harness
from tests.notifications.workers import Worker, received, seed_messages, wait_for, worker_env

MESSAGES = 4000


async def test_two_workers_send_each_message_once(
    postgres_url: str,
    postgres_template: str,
    redis_url: str,
    wechat: WeChatSandbox,
    tmp_path: Path,
) -> None:
    url = await harness.fresh_postgres(postgres_url, template=postgres_template)
    await init_db(url)
    try:
        await seed_messages(wechat, MESSAGES)
        env = worker_env(url, wechat, REDIS_URL=redis_url, NOTIFY_CONCURRENCY="16")
        workers = [Worker(env, tmp_path / f"worker{i}.log") for i in range(2)]
        try:

            async def all_sent() -> bool:
                return await OutboxMessage.filter(status="sent").count() == MESSAGES

            await wait_for(all_sent, 180, "two workers to send everything")
        finally:
            for worker in workers:
                worker.stop()
        counts = received(wechat)
        duplicates = sum(n - 1 for n in counts.values())
        by_worker = await DeliveryAttempt.all().values_list("worker", flat=True)
        shares = sorted({w: by_worker.count(w) for w in set(by_worker)}.values())
        print(f"\n{len(counts)} delivered, {duplicates} duplicates, attempts per worker {shares}")
        assert len(counts) == MESSAGES and duplicates == 0
        assert len(shares) == 2 and min(shares) > MESSAGES // 10  # both did real work
        # one token for everyone: fetched once, through the Redis lock, not once per worker
        assert wechat.token_fetches[harness.WECHAT_APPID] == 1
    finally:
        await close_db()


async def test_concurrent_claims_skip_locked_rows(
    postgres_url: str, postgres_template: str, wechat: WeChatSandbox
) -> None:
    url = await harness.fresh_postgres(postgres_url, template=postgres_template)
    await init_db(url)
    try:
        await seed_messages(wechat, 600)
        claimers = [Claimer(f"w{i}", lease=60) for i in range(4)]
        now_ms = 2**62  # everything is due

        async def drain(claimer: Claimer) -> list[int]:
            taken: list[int] = []
            while batch := await claimer.claim("milestone", 25, now_ms - 1):
                taken += [m.id for m in batch]
            return taken

        results = await asyncio.gather(*(drain(c) for c in claimers))
        claimed = [i for ids in results for i in ids]
        assert len(claimed) == len(set(claimed)) == 600
        assert sum(1 for ids in results if ids) > 1
    finally:
        await close_db()
