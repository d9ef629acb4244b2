"""Access-token APIs against the sandbox: subscribe messages, phone numbers, face checks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.errors import InvalidLoginCode
from integrations.errors import Permanent
from integrations.http import new_session
from integrations.state import MemoryState
from integrations.wechat.client import SUBSCRIBE_PATH, WeChatClient, cert_hash
from integrations.wechat.sandbox import SUBSCRIBE, WeChatSandbox
from integrations.wechat.sandbox_rules import cert_hash as sandbox_cert_hash
from tests.integrations.wechat.conftest import FakeNow

APPID = "wx3333333333333333"
SECRET = "secret-of-the-api-app"
TEMPLATE = "tpl-case-accepted"
NAME, ID_NUMBER = "张三", "11010519491231002X"


@pytest.fixture
async def sandbox(now: FakeNow) -> AsyncIterator[WeChatSandbox]:
    async with WeChatSandbox(now=now) as wx:
        wx.add_app(APPID, SECRET)
        wx.add_template(TEMPLATE, ["thing1", "phrase2", "time3"])
        wx.add_user(APPID, "o-citizen")
        yield wx


@pytest.fixture
async def client(sandbox: WeChatSandbox, now: FakeNow) -> AsyncIterator[WeChatClient]:
    async with new_session(timeout=2.0) as session:
        yield WeChatClient(session, sandbox.base_url, APPID, SECRET, MemoryState(), now=now)


GOOD = {"thing1": "营业执照变更登记", "phrase2": "已受理", "time3": "2026年11月26日 14:00"}


async def send(client: WeChatClient, data: dict[str, str] = GOOD, **kw: str) -> None:
    await client.send_subscribe_message("o-citizen", TEMPLATE, data, "pages/case/detail?id=7", **kw)


async def refused(client: WeChatClient, data: dict[str, str] = GOOD, **kw: str) -> Permanent:
    with pytest.raises(Permanent) as caught:
        await send(client, data, **kw)
    return caught.value


# -- subscribe messages -------------------------------------------------------------------

RULES = [
    ("thing1", "材料已收齐请等待审核", "这是一段超过二十个字符的事项名称用来测试长度"),
    ("number2", "12.50", "12a"),
    ("letter3", "ABCxyz", "AB1"),
    ("symbol4", "%#", "%%%%%%"),
    ("character_string5", "EA123456785CN", "编号EA1"),
    ("time6", "14:00~16:30", "25:00"),
    ("date7", "2026年11月26日", "2026年2月30日"),
    ("amount8", "¥100.50", "¥¥100"),
    ("phone_number9", "+86-13800138000", "电话13800"),
    ("car_number10", "粤A12345", "粤A1234567"),
    ("name11", "张三", "张三Smith"),
    ("phrase12", "已受理", "已受理完毕了"),
]


@pytest.mark.parametrize(("key", "good", "bad"), RULES, ids=[r[0] for r in RULES])
async def test_each_value_rule_accepts_good_and_rejects_bad(
    client: WeChatClient, sandbox: WeChatSandbox, key: str, good: str, bad: str
) -> None:
    sandbox.add_template("tpl-one", [key])
    sandbox.grant_consent("o-citizen", "tpl-one", count=2)
    await client.send_subscribe_message("o-citizen", "tpl-one", {key: good}, None)
    with pytest.raises(Permanent) as caught:
        await client.send_subscribe_message("o-citizen", "tpl-one", {key: bad}, None)
    assert caught.value.platform_code == 47003
    assert f"data.{key}.value" in caught.value.details["errmsg"]
    assert [m["data"] for m in sandbox.sent] == [{key: {"value": good}}]


async def test_send_records_the_message_and_spends_the_consent(
    client: WeChatClient, sandbox: WeChatSandbox, now: FakeNow
) -> None:
    sandbox.grant_consent("o-citizen", TEMPLATE)
    await send(client)
    (sent,) = sandbox.sent
    assert sent["time"] == now()
    assert (sent["miniprogram_state"], sent["lang"]) == ("formal", "zh_CN")
    assert sent["data"]["phrase2"] == {"value": "已受理"}
    assert sandbox.consent.credits[("o-citizen", TEMPLATE)] == 0


async def test_without_consent_is_permanent_43101(client: WeChatClient) -> None:
    assert (await refused(client)).platform_code == 43101


async def test_one_time_consent_allows_one_message(
    client: WeChatClient, sandbox: WeChatSandbox
) -> None:
    sandbox.grant_consent("o-citizen", TEMPLATE)
    await send(client)
    assert (await refused(client)).platform_code == 43101
    assert len(sandbox.sent) == 1


async def test_long_term_consent_is_not_spent(client: WeChatClient, sandbox: WeChatSandbox) -> None:
    sandbox.add_template("tpl-long", ["thing1", "phrase2", "time3"], long_term=True)
    sandbox.grant_consent("o-citizen", "tpl-long")
    for _ in range(3):
        await client.send_subscribe_message("o-citizen", "tpl-long", GOOD, None)
    assert len(sandbox.sent) == 3


async def test_no_long_term_consent_for_a_one_time_template(
    client: WeChatClient, sandbox: WeChatSandbox
) -> None:
    """A sloppy test or client that asks for long-term consent on a one-time template (the
    shipped ones) gets one message through, not many: the platform grants what the template
    is, and the sandbox refuses to pretend otherwise."""
    with pytest.raises(ValueError, match="one-time template"):
        sandbox.grant_consent("o-citizen", TEMPLATE, long_term=True)
    async with new_session() as http:
        tap = {"openid": "o-citizen", "template_ids": [TEMPLATE], "long_term": True}
        async with http.post(f"{sandbox.base_url}/sandbox/consent", json=tap) as resp:
            assert (await resp.json(content_type=None))["errcode"] == 0
    await send(client)
    assert (await refused(client)).platform_code == 43101  # one credit, spent
    assert len(sandbox.sent) == 1


async def test_a_consent_tap_does_not_mix_one_time_and_long_term(sandbox: WeChatSandbox) -> None:
    sandbox.add_template("tpl-long", ["thing1"], long_term=True)
    async with new_session() as http:
        for ids, errcode in (
            ([TEMPLATE, "tpl-long"], 47001),
            (["tpl-unknown"], 40037),
            (["tpl-long"], 0),
        ):
            tap = {"openid": "o-citizen", "template_ids": ids}
            async with http.post(f"{sandbox.base_url}/sandbox/consent", json=tap) as resp:
                assert (await resp.json(content_type=None))["errcode"] == errcode, ids
    assert ("o-citizen", "tpl-long") in sandbox.consent.long_term


async def test_missing_key_and_unknown_key_are_47003(
    client: WeChatClient, sandbox: WeChatSandbox
) -> None:
    sandbox.grant_consent("o-citizen", TEMPLATE, count=5)
    missing = {k: v for k, v in GOOD.items() if k != "time3"}
    assert "data.time3" in (await refused(client, missing)).details["errmsg"]
    extra = GOOD | {"thing9": "多余"}
    assert "data.thing9" in (await refused(client, extra)).details["errmsg"]


@pytest.mark.parametrize(
    ("touser", "template_id", "page", "errcode"),
    [
        ("o-stranger", TEMPLATE, None, 40003),
        ("o-citizen", "tpl-unknown", None, 40037),
        ("o-citizen", TEMPLATE, "/pages/case/detail", 41030),
    ],
)
async def test_bad_openid_template_or_page_are_permanent(
    client: WeChatClient,
    sandbox: WeChatSandbox,
    touser: str,
    template_id: str,
    page: str | None,
    errcode: int,
) -> None:
    sandbox.grant_consent("o-citizen", TEMPLATE)
    with pytest.raises(Permanent) as caught:
        await client.send_subscribe_message(touser, template_id, GOOD, page)
    assert caught.value.platform_code == errcode


@pytest.mark.parametrize("left_out", ["miniprogram_state", "lang"])
async def test_state_and_lang_must_be_sent(
    client: WeChatClient, sandbox: WeChatSandbox, left_out: str
) -> None:
    sandbox.grant_consent("o-citizen", TEMPLATE)
    payload = {
        "touser": "o-citizen",
        "template_id": TEMPLATE,
        "data": {k: {"value": v} for k, v in GOOD.items()},
        "miniprogram_state": "formal",
        "lang": "zh_CN",
    }
    del payload[left_out]
    with pytest.raises(Permanent) as caught:
        await client.call(SUBSCRIBE_PATH, payload)
    assert caught.value.platform_code == 47001
    assert left_out in caught.value.details["errmsg"]
    assert sandbox.calls[SUBSCRIBE] == 1


async def test_trial_state_is_passed_through(client: WeChatClient, sandbox: WeChatSandbox) -> None:
    sandbox.grant_consent("o-citizen", TEMPLATE)
    await send(client, miniprogram_state="trial", lang="en_US")
    assert (sandbox.sent[0]["miniprogram_state"], sandbox.sent[0]["lang"]) == ("trial", "en_US")


# -- phone numbers ------------------------------------------------------------------------


async def test_phone_code_works_once(client: WeChatClient, sandbox: WeChatSandbox) -> None:
    code = sandbox.issue_phone_code(APPID, "13800138000")
    assert await client.get_phone_number(code) == "13800138000"
    with pytest.raises(InvalidLoginCode, match="phone-number code"):
        await client.get_phone_number(code)


async def test_phone_code_expires_after_five_minutes(
    client: WeChatClient, sandbox: WeChatSandbox, now: FakeNow
) -> None:
    code = sandbox.issue_phone_code(APPID, "13800138000")
    now.advance(301)
    with pytest.raises(InvalidLoginCode):
        await client.get_phone_number(code)


async def test_phone_code_of_another_app_is_invalid(
    client: WeChatClient, sandbox: WeChatSandbox
) -> None:
    with pytest.raises(InvalidLoginCode):
        await client.get_phone_number(sandbox.issue_phone_code("wx-other-app", "13800138000"))


# -- face verification --------------------------------------------------------------------


@pytest.mark.parametrize("passed", [True, False])
async def test_face_verification_pass_and_fail(
    client: WeChatClient, sandbox: WeChatSandbox, passed: bool
) -> None:
    verify_id = await client.face_get_verify_id("case-00042", "o-citizen", NAME, ID_NUMBER)
    sandbox.complete_face(verify_id, passed=passed)
    result = await client.face_query(verify_id, "case-00042", "o-citizen", NAME, ID_NUMBER)
    assert result is passed


async def test_face_not_done_is_not_passed(client: WeChatClient) -> None:
    verify_id = await client.face_get_verify_id("case-00043", "o-citizen", NAME, ID_NUMBER)
    assert not await client.face_query(verify_id, "case-00043", "o-citizen", NAME, ID_NUMBER)


@pytest.mark.parametrize(
    ("out_seq_no", "openid", "name"),
    [
        ("case-00044", "o-citizen", "李四"),  # cert_hash of other details
        ("case-99999", "o-citizen", NAME),
        ("case-00044", "o-someone-else", NAME),
    ],
)
async def test_face_query_must_repeat_the_first_call(
    client: WeChatClient, sandbox: WeChatSandbox, out_seq_no: str, openid: str, name: str
) -> None:
    verify_id = await client.face_get_verify_id("case-00044", "o-citizen", NAME, ID_NUMBER)
    sandbox.complete_face(verify_id, passed=True)
    with pytest.raises(Permanent) as caught:
        await client.face_query(verify_id, out_seq_no, openid, name, ID_NUMBER)
    assert caught.value.platform_code == 40097


@pytest.mark.parametrize("out_seq_no", ["abc", "x" * 33, "case 42"])
async def test_face_out_seq_no_format(client: WeChatClient, out_seq_no: str) -> None:
    with pytest.raises(Permanent) as caught:
        await client.face_get_verify_id(out_seq_no, "o-citizen", NAME, ID_NUMBER)
    assert caught.value.platform_code == 47001


async def test_face_out_seq_no_is_unique(client: WeChatClient) -> None:
    await client.face_get_verify_id("case-00045", "o-citizen", NAME, ID_NUMBER)
    with pytest.raises(Permanent):
        await client.face_get_verify_id("case-00045", "o-citizen", NAME, ID_NUMBER)


def test_cert_hash_is_sha256_of_base64_fields() -> None:
    # sha256("cert_type=SURFTlRJVFlfQ0FSRA==&cert_name=5byg5LiJ&cert_no=MTEwMTA1MTk0OTEyMzEwMDJY")
    expected = "471b502b022b21f3e120c5deb08295259bd77cac82956ebffc055c6fced73ce0"
    assert cert_hash("IDENTITY_CARD", NAME, ID_NUMBER) == expected
    assert sandbox_cert_hash("IDENTITY_CARD", NAME, ID_NUMBER) == expected
