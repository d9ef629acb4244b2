"""Each WeChat key type's rule and Alipay's 50 characters; fitted values pass the sandbox."""

from __future__ import annotations

import pytest

from integrations.wechat import sandbox_rules
from notifications.fitting import FitError, fit_alipay, fit_wechat, key_kind

LONG = "江都区城乡居民最低生活保障待遇申请审批（含临时救助及特困供养）"

CASES = [
    # (key, given, expected)
    ("thing1", "申请已受理", "申请已受理"),
    ("thing1", LONG, LONG[:19] + "…"),
    ("thing1", "  多个   空格\n换行 ", "多个 空格 换行"),
    ("thing1", "", "无"),
    ("number2", "共 12 件", "12"),
    ("number2", "1,234.50", "1234.50"),
    ("letter3", "EMS-快递 abc", "EMSabc"),
    ("letter3", "a" * 40, "a" * 32),
    ("symbol4", "★☆ a %!?", "★☆%!?"),
    ("character_string5", "20261126-000123-7", "20261126-000123-7"),
    ("character_string5", "编号 EA123456785CN", "EA123456785CN"),
    ("character_string5", "X" * 40, "X" * 32),
    ("time6", "2026-11-26T14:05:00+08:00", "2026年11月26日 14:05"),
    ("time6", "2026年11月26日 9:30", "2026年11月26日 09:30"),
    ("time6", "14:00", "14:00"),
    ("time6", "2026-11-26 09:00 ~ 2026-11-26 17:30", "2026年11月26日 09:00 ~ 2026年11月26日 17:30"),
    ("date7", "2026-11-26", "2026年11月26日"),
    ("date7", "2026/1/5", "2026年1月5日"),
    ("date7", "2026-11-26 ~ 2026-12-01", "2026年11月26日 ~ 2026年12月1日"),
    ("amount8", "¥1,200.50元", "¥1200.5元"),
    ("amount8", "35.00", "35"),
    ("amount8", "￥ 8.8", "￥8.8"),
    ("phone_number9", "0514 8688 1234", "051486881234"),
    ("phone_number9", "+86-138-1234-5678", "+86-138-1234-5678"),
    ("car_number10", "苏K·12345", "苏K12345"),
    ("car_number10", "苏k 1234d", "苏K1234D"),
    ("name11", "张三丰", "张三丰"),
    ("name11", "欧阳·娜娜 (Nana)", "欧阳·娜娜"),
    ("name11", "Zhang San", "Zhang San"),
    ("name11", "诸葛" * 8, ("诸葛" * 8)[:10]),
    ("phrase12", "已受理", "已受理"),
    ("phrase12", "已受理！", "已受理"),
    ("phrase12", "审批通过并已出证", "审批通过并"),
]


@pytest.mark.parametrize(("key", "given", "expected"), CASES)
def test_each_type_is_fitted_to_its_rule(key: str, given: str, expected: str) -> None:
    fitted = fit_wechat(key, given)
    assert fitted == expected
    assert sandbox_rules.value_ok(key, {"value": fitted}), (key, fitted)


UNFIT = [
    ("number1", "无"),
    ("number1", "1" * 33),
    ("letter2", "中文"),
    ("symbol3", "abc"),
    ("character_string4", "中文"),
    ("time5", "下午"),
    ("time5", "2026-11-26"),
    ("time5", "2026年2月30日 10:00"),
    ("date6", "10:00"),
    ("date6", "a ~ b ~ c"),
    ("amount7", "12345678901元"),
    ("amount7", "1.234"),
    ("amount7", "约100元"),
    ("phone_number8", "138 1234 5678 9012 3456"),
    ("phone_number8", "电话"),
    ("car_number9", "苏K1234567"),
    ("name10", "123"),
    ("phrase11", "OK"),
]


@pytest.mark.parametrize(("key", "given"), UNFIT)
def test_values_that_would_change_meaning_are_refused(key: str, given: str) -> None:
    with pytest.raises(FitError):
        fit_wechat(key, given)


def test_unknown_key_types_are_refused() -> None:
    assert key_kind("character_string12") == "character_string"
    assert key_kind("thing") is None and key_kind("keyword1") is None
    with pytest.raises(FitError):
        fit_wechat("keyword1", "x")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("办理结果已通过EMS寄出", "办理结果已通过EMS寄出"),
        ("长" * 60, "长" * 49 + "…"),
        ("  ", "无"),
    ],
)
def test_alipay_values_are_at_most_50_characters(given: str, expected: str) -> None:
    fitted = fit_alipay(given)
    assert fitted == expected and 0 < len(fitted) <= 50
