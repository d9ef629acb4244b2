"""Every answer class of the vendors' errcode tables, handled as they say, against the sandboxes."""

from __future__ import annotations

import pytest

from core.outbox.models import Consent, DeliveryAttempt, OutboxMessage
from integrations.wechat.sandbox import SUBSCRIBE
from tests.notifications.conftest import Rig

TEMPLATE_ID = "wx-demo-case-progress"


async def queued(rig: Rig, taps: int = 1, alipay: bool = False) -> tuple[str, int]:
    """A citizen with ``taps`` credits and one queued message: (citizen id, application id)."""
    citizen = await rig.citizen(alipay=alipay)
    await rig.grant(citizen, "application.accepted", taps=taps)
    milestone = await rig.milestone(citizen)
    return citizen, milestone.application_id


async def consent(citizen: str, platform: str = "wechat") -> Consent:
    template = "wx-demo-case-progress" if platform == "wechat" else "ali-demo-case-progress"
    return await Consent.get(citizen_id=citizen, platform=platform, template_id=template)


async def test_accepted_message_is_sent_and_spends_the_credit(rig: Rig) -> None:
    citizen, case = await queued(rig, taps=2)
    assert (await consent(citizen)).reserved == 1
    assert await rig.dispatcher.run_once() == 1
    row = await rig.row(case)
    assert (row.status, row.attempts, row.channel) == ("sent", 1, "wechat")
    ledger = await consent(citizen)
    assert (ledger.credits, ledger.reserved) == (1, 0)
    [sent] = rig.wechat.sent
    assert sent["template_id"] == TEMPLATE_ID and sent["miniprogram_state"] == "formal"
    assert sent["data"]["phrase3"] == {"value": "已受理"}
    assert sent["page"] == f"pages/case/detail?number={row.context['number']}"


async def test_no_consent_at_the_platform_exhausts_the_credit_and_falls_back(rig: Rig) -> None:
    citizen = await rig.citizen(alipay=True)
    # the ledger believes in a credit the platform does not have (used from another device)
    await rig.grant(citizen, "application.accepted", platform_side=False)
    await rig.grant(citizen, "application.accepted", platform="alipay")
    milestone = await rig.milestone(citizen)
    await rig.dispatcher.run_once()
    rows = await OutboxMessage.filter(milestone_id=milestone.milestone_id).order_by("id")
    assert [(r.channel, r.status) for r in rows] == [("wechat", "no_consent"), ("alipay", "queued")]
    assert rows[0].last_error.startswith("43101")
    ledger = await consent(citizen)
    assert (ledger.credits, ledger.reserved, ledger.exhausted_at is not None) == (0, 0, True)
    await rig.dispatcher.run_once()
    assert (await OutboxMessage.get(id=rows[1].id)).status == "sent"
    assert len(rig.alipay.sent) == 1 and rig.wechat.sent == []


async def test_no_consent_without_another_channel_stays_visible(rig: Rig) -> None:
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted", platform_side=False)
    case = (await rig.milestone(citizen)).application_id
    await rig.dispatcher.run_once()
    row = await rig.row(case)
    assert (row.status, row.attempts) == ("no_consent", 1)
    assert await rig.dispatcher.run_once() == 0


@pytest.mark.parametrize("errcode", [47003, 40003, 40037, 41030])
async def test_permanent_refusals_are_marked_failed_and_never_retried(
    rig: Rig, errcode: int
) -> None:
    citizen, case = await queued(rig)
    rig.wechat.fail_next(SUBSCRIBE, errcode)
    await rig.dispatcher.run_once()
    row = await rig.row(case)
    assert (row.status, row.last_error[:5]) == ("failed", str(errcode))
    rig.clock.advance(3600)
    assert await rig.dispatcher.run_once() == 0
    assert rig.wechat.calls[SUBSCRIBE] == 1
    # the platform accepted nothing, so the credit is not spent: only its reservation ends
    ledger = await consent(citizen)
    assert (ledger.credits, ledger.reserved) == (1, 0)


async def test_rejected_token_is_refreshed_once_and_the_send_retried_once(rig: Rig) -> None:
    _, case = await queued(rig)
    await rig.wechat_client.tokens.get()  # a token is cached...
    rig.wechat.revoke_tokens(rig.wechat_client.appid)  # ...and the platform stops honouring it
    await rig.dispatcher.run_once()
    row = await rig.row(case)
    assert (row.status, row.attempts) == ("sent", 1)
    assert rig.wechat.calls[SUBSCRIBE] == 2  # refused, then accepted with the new token
    assert rig.wechat.token_fetches[rig.wechat_client.appid] == 2


async def test_a_token_refused_twice_is_retried_later(rig: Rig) -> None:
    _, case = await queued(rig)
    rig.wechat.fail_next(SUBSCRIBE, 40001, count=2)
    await rig.dispatcher.run_once()
    row = await rig.row(case)
    assert (row.status, row.last_error[:5]) == ("queued", "40001")
    rig.clock.advance(rig.dispatcher.config.backoff_cap * 2)
    await rig.dispatcher.run_once()
    assert (await rig.row(case)).status == "sent"


@pytest.mark.parametrize(
    ("fault", "hint"),
    [
        ({"errcode": -1}, 2.0),
        ({"errcode": 45009}, 600.0),
        ({"errcode": 45011}, 60.0),
        ({"http_status": 502}, 5.0),
        ({"delay": 3.0}, 5.0),  # longer than the client's 1 s timeout
    ],
)
async def test_busy_limited_or_unreachable_backs_off_then_sends(
    rig: Rig, fault: dict[str, float], hint: float
) -> None:
    citizen, case = await queued(rig)
    rig.wechat.fail_next(SUBSCRIBE, **fault)  # type: ignore[arg-type]
    await rig.dispatcher.run_once()
    row = await rig.row(case)
    assert (row.status, row.attempts, row.lease_owner) == ("queued", 1, None)
    wait = (row.next_attempt_at - rig.clock() * 1000) / 1000
    assert hint <= wait <= hint * 1.5  # never sooner than the platform's hint, jitter on top
    assert await rig.dispatcher.run_once() == 0  # not due yet
    rig.clock.advance(wait + 0.01)
    await rig.dispatcher.run_once()
    row = await rig.row(case)
    assert (row.status, row.attempts) == ("sent", 2)
    outcomes = (
        await DeliveryAttempt.filter(message_id=row.id)
        .order_by("id")
        .values_list("outcome", flat=True)
    )
    assert outcomes == ["retry", "sent"]
    ledger = await consent(citizen)
    assert (ledger.credits, ledger.reserved) == (0, 0)


async def test_backoff_grows_exponentially_with_jitter(rig: Rig) -> None:
    _, case = await queued(rig)
    waits = []
    for _ in range(6):
        rig.wechat.fail_next(SUBSCRIBE, -1)
        await rig.dispatcher.run_once()
        row = await rig.row(case)
        waits.append((row.next_attempt_at - rig.clock() * 1000) / 1000)
        rig.clock.advance(waits[-1] + 0.01)  # past the due millisecond
    for attempt, wait in enumerate(waits, start=1):
        base = max(2.0, 2.0 * 2 ** (attempt - 1))
        assert base <= wait <= base * 1.5
    assert len({round(w / max(2.0, 2.0 * 2**i), 3) for i, w in enumerate(waits)}) > 1


async def test_retries_end_as_failed_and_release_the_credit(rig: Rig) -> None:
    citizen, case = await queued(rig)
    rig.dispatcher = rig.make_dispatcher(type(rig.config)(owner="w", max_attempts=3))
    for _ in range(3):
        rig.wechat.fail_next(SUBSCRIBE, -1)
        await rig.dispatcher.run_once()
        rig.clock.advance(3600)
    row = await rig.row(case)
    assert (row.status, row.attempts) == ("failed", 3)
    ledger = await consent(citizen)
    assert (ledger.credits, ledger.reserved) == (1, 0)


async def test_alipay_busy_is_retried_and_refusals_fail(rig: Rig) -> None:
    first, second = (
        await rig.citizen(wechat=False, alipay=True),
        await rig.citizen(wechat=False, alipay=True),
    )
    for citizen in (first, second):
        await rig.grant(citizen, "application.accepted", platform="alipay")
    busy = (await rig.milestone(first)).application_id
    rig.alipay.fail_next("alipay.open.app.mini.templatemessage.send", "20000")
    await rig.dispatcher.run_once()
    assert (await rig.row(busy)).status == "queued"
    rig.clock.advance(3600)
    await rig.dispatcher.run_once()
    assert (await rig.row(busy)).status == "sent"
    refused = (await rig.milestone(second)).application_id
    rig.alipay.fail_next("alipay.open.app.mini.templatemessage.send", "40004")
    await rig.dispatcher.run_once()
    assert (await rig.row(refused)).status == "failed"


async def test_alipay_without_consent_is_no_consent(rig: Rig) -> None:
    citizen = await rig.citizen(wechat=False, alipay=True)
    await rig.grant(citizen, "application.accepted", platform="alipay", platform_side=False)
    case = (await rig.milestone(citizen)).application_id
    await rig.dispatcher.run_once()
    assert (await rig.row(case)).status == "no_consent"
    assert (await consent(citizen, "alipay")).credits == 0
