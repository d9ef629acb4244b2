"""The sandbox's platform rules, checked without HTTP (the judge must be right too)."""

from __future__ import annotations

import pytest

from integrations.wechat import sandbox_rules as rules

ACCEPTED = [
    ("thing1", "x" * 20),
    ("number1", "0"),
    ("number1", "1" * 32),
    ("letter1", "a" * 32),
    ("symbol1", "、。！"),
    ("character_string1", "A-1_b/2"),
    ("time1", "15:01"),
    ("time1", "2019年10月1日 15:01"),
    ("time1", "2026-11-26 14:00 ~ 2026-11-26 16:00"),
    ("date1", "2019年10月1日"),
    ("date1", "2019年10月1日 15:01"),
    ("date1", "2026年11月26日 14:00~16:00"),
    ("date1", "2026/11/26"),
    ("amount1", "100元"),
    ("amount1", "$9999999999.99"),
    ("phone_number1", "010-12345678"),
    ("car_number1", "粤B1234学"),
    ("car_number1", "WJ12345"),
    ("name1", "阿依古丽·买买提"),
    ("name1", "Li Lei"),
    ("phrase1", "已办结"),
]

REFUSED = [
    ("thing1", ""),
    ("thing1", "x" * 21),
    ("number1", "1" * 33),
    ("number1", "-5"),
    ("letter1", "a" * 33),
    ("symbol1", "ab"),
    ("character_string1", "has space"),
    ("character_string1", "x" * 33),
    ("time1", "2019年10月1日"),
    ("time1", "14:00~15:00~16:00"),
    ("date1", "15:01"),
    ("date1", "2026年13月1日"),
    ("amount1", "100.005"),
    ("amount1", "12345678901"),
    ("phone_number1", "1" * 18),
    ("car_number1", "粤A1234学生"),
    ("car_number1", "A学1234"),
    ("name1", "张" * 11),
    ("name1", "Agent 007"),
    ("phrase1", "OK"),
    ("phrase1", "已受理。"),
]


@pytest.mark.parametrize(("key", "value"), ACCEPTED)
def test_accepted_values(key: str, value: str) -> None:
    assert rules.value_ok(key, {"value": value})


@pytest.mark.parametrize(("key", "value"), REFUSED)
def test_refused_values(key: str, value: str) -> None:
    assert not rules.value_ok(key, {"value": value})


@pytest.mark.parametrize("item", ["plain", {"value": 5}, {}, None])
def test_value_must_be_an_object_with_a_string(item: object) -> None:
    assert not rules.value_ok("thing1", item)


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("character_string12", "character_string"),
        ("phone_number3", "phone_number"),
        ("thing", None),
        ("colour1", None),
    ],
)
def test_key_type_is_the_prefix(key: str, kind: str | None) -> None:
    assert rules.key_type(key) == kind


class Now:
    def __init__(self) -> None:
        self.at = 1_000_000.0

    def __call__(self) -> float:
        return self.at


def test_force_refresh_kills_the_previous_stable_token() -> None:
    book = rules.TokenBook(Now())
    old, _ = book.stable("wx1", force_refresh=False)
    new, _ = book.stable("wx1", force_refresh=True)
    assert new != old
    assert book.check(old) == (40001, "")
    assert book.check(new) == (0, "wx1")


def test_stable_and_plain_tokens_do_not_disturb_each_other() -> None:
    book = rules.TokenBook(Now())
    stable, _ = book.stable("wx1", force_refresh=False)
    book.plain("wx1")
    book.plain("wx1")
    assert book.stable("wx1", force_refresh=False)[0] == stable


def test_consent_ledger_counts_one_time_credits() -> None:
    ledger = rules.ConsentLedger()
    ledger.grant("o1", "t1", count=2, long_term=False)
    assert [ledger.spend("o1", "t1") for _ in range(3)] == [True, True, False]
    assert not ledger.spend("o1", "t2")


async def test_demo_consent_endpoint_records_the_tap() -> None:
    import aiohttp

    from integrations.wechat.sandbox import WeChatSandbox

    async with WeChatSandbox() as wx, aiohttp.ClientSession() as http:
        wx.add_app("wxdemo", "secret")
        openid = wx.add_user("wxdemo", "o-demo")
        wx.add_template("tpl-1", ["thing1"])
        body = {"openid": openid, "template_ids": ["tpl-1", "tpl-1"]}
        async with http.post(f"{wx.base_url}/sandbox/consent", json=body) as resp:
            assert (await resp.json(content_type=None))["errcode"] == 0
        async with http.post(f"{wx.base_url}/sandbox/consent", json={"openid": "nobody"}) as resp:
            assert (await resp.json(content_type=None))["errcode"] == 40003
        assert wx.consent.credits[(openid, "tpl-1")] == 2
