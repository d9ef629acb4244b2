"""A fault test: the sandbox answers -1, 45009 and timeouts for a fifth of all calls.

Every message must end delivered, each retry must wait its backoff (never less than the
platform's hint, growing with the attempt), and the time is stepped, not slept.
"""

from __future__ import annotations

import random
from collections import Counter

from core.outbox.models import DeliveryAttempt, OutboxMessage
from integrations.http import new_session
from integrations.wechat.client import WeChatClient
from integrations.wechat.sandbox import SUBSCRIBE
from notifications.dispatcher import DispatchConfig
from tests import harness
from tests.notifications.conftest import Rig
from tests.notifications.workers import received, seed_messages

MESSAGES = 400
ERRCODE_RATE = 0.13  # -1 and 45009, drawn by the sandbox's seeded random
TIMEOUT_RATE = 0.07  # requests the sandbox holds past the client's timeout
HINTS = {"-1": 2.0, "45009": 600.0}
STEP = 20.0  # seconds the clock moves past the first due retry each round


async def test_a_fifth_of_calls_failing_still_delivers_everything(rig: Rig) -> None:
    await seed_messages(rig.wechat, MESSAGES)
    rig.wechat.fault_rate(SUBSCRIBE, ERRCODE_RATE, [-1, 45009], seed=11)
    # 1 s: an injected timeout is held 5 s; a garbage-collection pause late in the full suite
    # (a large heap) once pushed ordinary answers past a 0.3 s limit and counted as faults
    async with new_session(timeout=1.0) as http:
        rig.wechat_client = WeChatClient(
            http, rig.wechat.base_url, harness.WECHAT_APPID, harness.WECHAT_SECRET, rig.state
        )
        dispatcher = rig.make_dispatcher(DispatchConfig(owner="w", batch=MESSAGES))
        rounds, draw = 0, random.Random(5)
        while due := await OutboxMessage.filter(status="queued").order_by("next_attempt_at"):
            rounds += 1
            assert rounds < 100, "the outbox does not drain"
            # step to the first due retry, and a little past it to take its neighbours along
            rig.clock.t = max(rig.clock.t, due[0].next_attempt_at / 1000) + STEP
            now_due = sum(1 for m in due if m.next_attempt_at <= rig.clock.t * 1000)
            # this round's timeouts: held 5 s by the sandbox, given up on after 1 s
            timeouts = sum(1 for _ in range(now_due) if draw.random() < TIMEOUT_RATE)
            if timeouts:
                rig.wechat.fail_next(SUBSCRIBE, -1, delay=5.0, count=timeouts)
            await dispatcher.run_once()
    attempts = await DeliveryAttempt.all().order_by("id")
    outcomes = Counter(a.outcome for a in attempts)
    faults = Counter(
        "timeout" if "in time" in a.detail else a.code for a in attempts if a.outcome == "retry"
    )
    calls = rig.wechat.calls[SUBSCRIBE]
    print(
        f"\n{calls} calls, faults {dict(faults)} ({sum(faults.values()) / calls:.0%}), "
        f"outcomes {dict(outcomes)}, {rounds} rounds"
    )
    assert len(received(rig.wechat)) == MESSAGES and outcomes["sent"] == MESSAGES
    assert await OutboxMessage.filter(status="sent").count() == MESSAGES
    assert set(faults) == {"-1", "45009", "timeout"}
    assert 0.15 < sum(faults.values()) / calls < 0.25
    _assert_backoff(attempts)


def _assert_backoff(attempts: list[DeliveryAttempt]) -> None:
    """Each retry waited at least the platform's hint and the exponential step."""
    for a in attempts:
        if a.outcome != "retry":
            continue
        assert a.retry_in_ms is not None
        step = max(HINTS.get(a.code, 5.0), 2.0 * 2 ** (a.attempt - 1))
        assert step * 1000 - 10 <= a.retry_in_ms <= step * 1500 + 10, (a.code, a.attempt)
    retries = [a for a in attempts if a.outcome == "retry"]
    first_busy = [a.retry_in_ms or 0 for a in retries if a.attempt == 1 and a.code == "-1"]
    second_tries = [a.retry_in_ms or 0 for a in retries if a.attempt == 2]
    assert first_busy and min(first_busy) < 3100  # -1 at the first attempt: 2 to 3 s
    assert not second_tries or min(second_tries) >= 4000  # at least doubled at the second
