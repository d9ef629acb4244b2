"""The outbox rules: no send without consent, a credit used once, a repeated trigger harmless."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from core.clock import CST
from core.errors import SettingsError
from core.outbox.models import Consent, OutboxMessage
from integrations.wechat.sandbox import SUBSCRIBE
from notifications import consents
from notifications.channels import ChannelChooser
from notifications.outbox import OutboxSink
from notifications.templates import DEFAULT_FILE, Registry, Template, load_registry
from tests import harness
from tests.notifications.conftest import Rig, register_templates


async def test_no_consent_means_no_send(rig: Rig) -> None:
    citizen = await rig.citizen(alipay=True)
    case = (await rig.milestone(citizen)).application_id
    row = await rig.row(case)
    assert (row.channel, row.status) == ("none", "no_consent")
    assert await rig.dispatcher.run_once() == 0
    assert rig.wechat.calls[SUBSCRIBE] == 0 and rig.alipay.sent == []


async def test_a_one_time_credit_is_used_once(rig: Rig) -> None:
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted")  # one tap on the case-progress template
    first = (await rig.milestone(citizen, "application.submitted")).application_id
    second = (await rig.milestone(citizen, "application.accepted")).application_id
    assert [(await rig.row(c)).status for c in (first, second)] == ["queued", "no_consent"]
    await rig.dispatcher.run_until_idle()
    assert (await rig.row(first)).status == "sent"
    assert len(rig.wechat.sent) == 1 and rig.wechat.calls[SUBSCRIBE] == 1
    ledger = await Consent.get(citizen_id=citizen)
    assert (ledger.credits, ledger.reserved, ledger.accepts) == (0, 0, 1)


async def test_a_repeated_trigger_sends_once(rig: Rig) -> None:
    citizen = await rig.citizen(alipay=True)
    await rig.grant(citizen, "application.accepted", taps=3)
    milestone = await rig.milestone(citizen)
    # the same milestone again, in its own transaction and after the consents changed
    await rig.grant(citizen, "application.accepted", platform="alipay")
    for _ in range(2):
        async with in_transaction():
            await rig.sink.record(milestone)
    assert await OutboxMessage.filter(milestone_id=milestone.milestone_id).count() == 1
    await rig.dispatcher.run_until_idle()
    assert len(rig.wechat.sent) == 1 and rig.alipay.sent == []
    assert (await Consent.get(citizen_id=citizen, platform="wechat")).credits == 2


async def test_the_row_is_part_of_the_change_transaction(rig: Rig) -> None:
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted")
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await rig.sink.record(rig.event(citizen))
            raise RuntimeError("the case change failed")
    assert await OutboxMessage.all().count() == 0
    assert (await Consent.get(citizen_id=citizen)).reserved == 0  # the reservation too


async def test_events_without_templates_write_nothing(rig: Rig) -> None:
    citizen = await rig.citizen()
    await rig.milestone(citizen, "application.withdrawn")
    assert await OutboxMessage.all().count() == 0


async def test_a_value_that_cannot_fit_fails_the_row_not_the_change(rig: Rig) -> None:
    broken = Template(
        "application.accepted",
        "wechat",
        "wx-demo-case-progress",
        False,
        "pages/x",
        (("time4", "{note}"),),
    )
    registry = Registry({("application.accepted", "wechat"): broken})
    rig.sink = OutboxSink(ChannelChooser(registry, {"wechat": harness.WECHAT_APPID}), rig.clock)
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted")
    case = (await rig.milestone(citizen, note="not a time")).application_id
    row = await rig.row(case)
    assert (row.status, row.last_error[:4]) == ("failed", "fit:")
    assert (await Consent.get(citizen_id=citizen)).reserved == 0


async def test_long_term_consent_serves_many_messages(rig: Rig, tmp_path: Path) -> None:
    raw = json.loads(DEFAULT_FILE.read_text())
    for platforms in raw["events"].values():
        for entry in platforms.values():
            entry["long_term"] = True
    path = tmp_path / "templates.json"
    path.write_text(json.dumps(raw, ensure_ascii=False))
    rig.registry = load_registry(path)
    rig.chooser.registry = rig.registry
    register_templates(rig.registry, rig.wechat, rig.alipay)  # long-term on the platform too
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted")
    for event in ("application.submitted", "application.accepted", "application.under_review"):
        await rig.milestone(citizen, event)
    await rig.dispatcher.run_until_idle()
    assert len(rig.wechat.sent) == 3
    ledger = await Consent.get(citizen_id=citizen)
    assert (ledger.long_term, ledger.credits, ledger.reserved) == (True, 0, 0)
    # turning the long-term consent off ends it
    await consents.record_answers(
        citizen, "wechat", [], [ledger.template_id], rig.registry, datetime.now(CST)
    )
    case = (await rig.milestone(citizen, "application.approved")).application_id
    assert (await rig.row(case)).status == "no_consent"


async def test_accounts_of_another_app_are_not_sent_to(rig: Rig) -> None:
    citizen = await rig.citizen()
    await rig.grant(citizen, "application.accepted")
    rig.chooser.app_ids = {"wechat": "wx-some-other-app"}
    case = (await rig.milestone(citizen)).application_id
    assert (await rig.row(case)).status == "no_channel"  # no account of this app: unreachable


def test_the_shipped_templates_file_is_valid() -> None:
    registry = load_registry()
    assert registry.template("application.accepted", "wechat") is not None
    assert {t.event for t in registry.for_platform("alipay")} >= {
        "application.submitted",
        "application.delivered",
        "shipment.delivery_failed",
    }


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda e: e.update({"application.teleported": e["application.accepted"]}),
            "unknown event 'application.teleported'",
        ),
        (
            lambda e: e["application.accepted"]["wechat"]["data"].update({"thingy2": "x"}),
            "'thingy2' is not a typed WeChat key",
        ),
        (
            lambda e: e["application.accepted"]["alipay"]["data"].update({"key5": "x"}),
            "'key5' is not an Alipay key",
        ),
        (
            lambda e: e["application.accepted"]["wechat"]["data"].update({"thing5": "{name}"}),
            "unknown placeholder {name}",
        ),
        (
            lambda e: e["application.accepted"]["wechat"]["data"].update(
                {"phrase3": "已经受理完毕"}
            ),
            "breaks the field's rule",
        ),
        (
            lambda e: e["application.accepted"]["wechat"]["data"].update({"time4": "{note}"}),
            "has no time of day",
        ),
        (
            lambda e: e["application.accepted"]["wechat"].update({"page": "/pages/x"}),
            "'page' must be a relative path",
        ),
        (
            lambda e: e["application.accepted"]["wechat"]["data"].pop("thing5"),
            "has other keys or consent kind",
        ),
    ],
)
def test_a_bad_templates_file_is_refused_at_start(
    tmp_path: Path, change: object, problem: str
) -> None:
    raw = json.loads(DEFAULT_FILE.read_text())
    change(raw["events"])  # type: ignore[operator]
    path = tmp_path / "templates.json"
    path.write_text(json.dumps(raw, ensure_ascii=False))
    with pytest.raises(SettingsError) as caught:
        load_registry(path)
    assert any(problem in p for p in caught.value.problems), caught.value.problems
