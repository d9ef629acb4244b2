"""Fitting values to the platforms' field rules before anything is sent.

WeChat gives every subscribe-message key a type by its prefix (``thing3`` is a ``thing``) and
answers 47003 when a value breaks the type's rule (the vendor's docs); Alipay refuses keywords
longer than 50 characters. A refused message is a message lost, so values are fitted here.

Two kinds of fitting, on purpose:

* text types (thing, letter, symbol, character_string, name, phrase) are trimmed: characters
  the type does not allow are dropped and the value is cut to the limit (``thing`` ends in
  "…" so the citizen sees that it was cut);
* value types (number, amount, phone_number, car_number, time, date) are normalised, and
  ``FitError`` is raised when that cannot be done without changing the value's meaning: a
  truncated amount or phone number would tell the citizen something false.

These rules are written from the vendors' docs, independently of the sandbox's judge
(``integrations.wechat.sandbox_rules``), so that a misreading cannot hide in both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

ALIPAY_MAX = 50
# The most each WeChat key type holds (characters, or digits for number and amount), read by
# the fitting functions below and shown to staff beside each field as they type.
LIMITS = {
    "thing": 20,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "character_string": 32,
    "amount": 10,
    "phone_number": 17,
    "car_number": 8,
    "name": 10,  # Chinese characters; a Latin name may have 20 letters
    "phrase": 5,
}
LATIN_NAME = 20
# Each rule in plain Chinese, for the campaign editor.
RULE_TEXTS = {
    "thing": "最多20个字，超出截断并以“…”结尾",
    "number": "最多32位数字，可带小数",
    "letter": "最多32个英文字母",
    "symbol": "最多5个符号",
    "character_string": "最多32个数字、字母或符号",
    "time": "时间，如 2026年11月26日 14:00",
    "date": "日期，如 2026年11月26日",
    "amount": "金额，最多10位数字",
    "phone_number": "最多17位数字或符号",
    "car_number": "车牌号，最多8个字符",
    "name": "最多10个汉字或20个字母",
    "phrase": "最多5个汉字，不能含其他字符",
}
ALIPAY_RULE_TEXT = "最多50个字，超出截断并以“…”结尾"
ELLIPSIS = "…"
EMPTY_TEXT = "无"  # what an empty thing/Alipay value becomes: both refuse empty values

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_ASCII_SYMBOLS = r"!-/:-@\[-`{-~"
_KEY = re.compile(r"([a-z_]+?)(\d+)")
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_AMOUNT = re.compile(r"([¥￥$€£]?)(\d+)(?:\.(\d+))?(元?)")
_CAR = re.compile(rf"[{_CJK}A-Z0-9][A-Z0-9]*[{_CJK}]?")
_DATE = re.compile(r"(\d{4})(?:年|-|/)(\d{1,2})(?:月|-|/)(\d{1,2})日?")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?")


class FitError(ValueError):
    """A value cannot be made to obey its field's rule without changing what it says."""


def key_kind(key: str) -> str | None:
    """``thing12`` -> ``thing``; None when the key is not a typed WeChat template key."""
    match = _KEY.fullmatch(key)
    if match is None or match.group(1) not in WECHAT_RULES:
        return None
    return match.group(1)


def fit_wechat(key: str, value: str) -> str:
    """The value for WeChat key ``key``, obeying its type's rule; FitError if impossible."""
    kind = key_kind(key)
    if kind is None:
        raise FitError(f"'{key}' is not a typed template key (thing1, time2, phrase3, ...)")
    return WECHAT_RULES[kind](value)


def fit_alipay(value: str) -> str:
    """An Alipay keyword value: at most 50 characters, never empty."""
    return _cut(_squash(value) or EMPTY_TEXT, ALIPAY_MAX)


def _squash(value: str) -> str:
    return _SPACES.sub(" ", value).strip()


def _cut(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + ELLIPSIS


def _keep(value: str, allowed: str, limit: int, kind: str) -> str:
    """Drop characters outside ``allowed`` (a regex class body); cut to ``limit``."""
    kept = "".join(re.findall(f"[{allowed}]", value))[:limit]
    if not kept:
        raise FitError(f"nothing of {value!r} is allowed in a {kind} field")
    return kept


def fit_thing(value: str) -> str:
    """Any characters, at most 20."""
    return _cut(_squash(value) or EMPTY_TEXT, LIMITS["thing"])


def fit_number(value: str) -> str:
    """Digits with an optional decimal part, at most 32 digits (thousands commas dropped)."""
    match = _NUMBER.search(value.replace(",", ""))
    if match is None or sum(c.isdigit() for c in match.group()) > LIMITS["number"]:
        raise FitError(f"{value!r} is not a number of at most 32 digits")
    return match.group()


def fit_letter(value: str) -> str:
    """At most 32 Latin letters."""
    return _keep(value, "A-Za-z", LIMITS["letter"], "letter")


def fit_symbol(value: str) -> str:
    """At most 5 symbols (neither letters, digits nor spaces)."""
    kept = [c for c in value if not c.isalnum() and not c.isspace()][: LIMITS["symbol"]]
    if not kept:
        raise FitError(f"{value!r} has no symbol")
    return "".join(kept)


def fit_character_string(value: str) -> str:
    """At most 32 digits, letters or ASCII symbols (a case number, a tracking number)."""
    return _keep(value, r"\x21-\x7e", LIMITS["character_string"], "character_string")


def fit_amount(value: str) -> str:
    """One currency sign, at most 10 digits and two decimals, optionally ending in 元."""
    match = _AMOUNT.fullmatch(value.replace(",", "").replace(" ", ""))
    if match is None or len(match.group(2)) > LIMITS["amount"]:
        raise FitError(f"{value!r} is not an amount of at most 10 digits")
    sign, whole, decimals, yuan = match.groups()
    if decimals and len(decimals.rstrip("0")) > 2:
        raise FitError(f"{value!r} has more than two decimals")
    decimals = (decimals or "")[:2].rstrip("0")
    return f"{sign}{whole}{'.' + decimals if decimals else ''}{yuan}"


def fit_phone_number(value: str) -> str:
    """At most 17 digits or symbols (spaces dropped)."""
    kept = "".join(c for c in value if not c.isspace())
    if (
        not kept
        or len(kept) > LIMITS["phone_number"]
        or not re.fullmatch(f"[0-9{_ASCII_SYMBOLS}]+", kept)
    ):
        raise FitError(f"{value!r} is not a phone number of at most 17 digits or symbols")
    return kept


def fit_car_number(value: str) -> str:
    """A licence plate: at most 8 characters (spaces and the middle dot dropped)."""
    kept = re.sub(r"[\s·.\-]", "", value).upper()
    if len(kept) > LIMITS["car_number"] or not _CAR.fullmatch(kept):
        raise FitError(f"{value!r} is not a licence plate")
    return kept


def fit_name(value: str) -> str:
    """At most 10 Chinese characters (with ·), or else at most 20 letters."""
    if re.search(f"[{_CJK}]", value):
        return _keep(value, f"{_CJK}·", LIMITS["name"], "name")
    return _keep(_squash(value), f"A-Za-z {_ASCII_SYMBOLS}", LATIN_NAME, "name").strip()


def fit_phrase(value: str) -> str:
    """At most 5 Chinese characters and nothing else (已受理)."""
    return _keep(value, _CJK, LIMITS["phrase"], "phrase")


def fit_time(value: str) -> str:
    """``2026年11月26日 14:00`` from an ISO or Chinese date-time; a range keeps its ``~``."""
    return " ~ ".join(_time_point(part) for part in _range(value))


def fit_date(value: str) -> str:
    """``2026年11月26日`` from an ISO or Chinese date (a time, if present, is kept)."""
    return " ~ ".join(_date_point(part) for part in _range(value))


def _range(value: str) -> list[str]:
    parts = [p.strip() for p in value.split("~")]
    if len(parts) > 2 or not all(parts):
        raise FitError(f"{value!r} is not a time or a range of two")
    return parts


def _parsed(text: str) -> tuple[date | None, str | None]:
    """The calendar date and ``HH:MM`` written in ``text`` (ISO or Chinese), each optional."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is not None:
        has_clock = "T" in text or ":" in text
        return moment.date(), f"{moment:%H:%M}" if has_clock else None
    day_match, clock_match = _DATE.search(text), _CLOCK.search(text)
    day = None
    if day_match is not None:
        try:
            day = date(*(int(g) for g in day_match.groups()))
        except ValueError as exc:
            raise FitError(f"{text!r} names no real date") from exc
    clock = f"{int(clock_match[1]):02d}:{clock_match[2]}" if clock_match else None
    return day, clock


def _chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _time_point(text: str) -> str:
    day, clock = _parsed(text)
    if clock is None:
        raise FitError(f"{text!r} has no time of day")
    return f"{_chinese(day)} {clock}" if day else clock


def _date_point(text: str) -> str:
    day, clock = _parsed(text)
    if day is None:
        raise FitError(f"{text!r} has no date")
    return f"{_chinese(day)} {clock}" if clock else _chinese(day)


WECHAT_RULES: dict[str, Callable[[str], str]] = {
    "thing": fit_thing,
    "number": fit_number,
    "letter": fit_letter,
    "symbol": fit_symbol,
    "character_string": fit_character_string,
    "time": fit_time,
    "date": fit_date,
    "amount": fit_amount,
    "phone_number": fit_phone_number,
    "car_number": fit_car_number,
    "name": fit_name,
    "phrase": fit_phrase,
}
