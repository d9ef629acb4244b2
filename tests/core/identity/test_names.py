"""Personal names: scripts, length and the middle dot."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.identity.names import normalize_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        ("  欧阳娜娜 ", "欧阳娜娜"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提‧艾力", "买买提·艾力"),  # U+2027 hyphenation point
        ("买买提•艾力", "买买提·艾力"),  # U+2022 bullet
        ("买买提・艾力", "买买提·艾力"),  # U+30FB katakana middle dot
        ("买买提 · 艾力", "买买提·艾力"),  # spaces around the dot
        ("张 三", "张三"),  # a stray space inside a Chinese name
        ("㐀㐁", "㐀㐁"),  # extension A
        ("Li Lei", "Li Lei"),
        ("  John   Smith ", "John Smith"),
        ("Anna·Maria", "Anna·Maria"),
        ("张" * 30, "张" * 30),
    ],
)
def test_valid_names(raw: str, expected: str) -> None:
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("张", "length"),
        ("", "length"),
        ("   ", "length"),
        ("张" * 31, "length"),
        ("张三1", "characters"),
        ("张三😀", "characters"),
        ("张三!", "characters"),
        ("Li Lei3", "characters"),
        ("张Lei", "characters"),  # scripts are not mixed on identity documents
        ("José Li", "characters"),
        ("·艾力", "dot"),
        ("买买提·", "dot"),
        ("买买提··艾力", "dot"),
        ("买买提·•艾力", "dot"),  # two dots after folding
    ],
)
def test_invalid_names(raw: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_name(raw)
    assert caught.value.code == "invalid_name"
    assert caught.value.details == {"reason": reason}
    assert "姓名" in caught.value.message
