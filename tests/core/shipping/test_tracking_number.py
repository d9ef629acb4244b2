"""EMS tracking numbers: UPU S10 with its check digit, and 13-digit domestic numbers.

Check digits computed by hand: serial 12345678 gives S = 1*8 + 2*6 + 3*4 + 4*2 + 5*3 + 6*5
+ 7*9 + 8*7 = 204, r = 204 mod 11 = 6, check = 11 - 6 = 5.
"""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.shipping.tracking_number import normalize_tracking_number, s10_check_digit


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("EA123456785CN", "EA123456785CN"),
        ("ea123456785cn", "EA123456785CN"),
        (" EA 1234 5678 5 CN ", "EA123456785CN"),
        ("EE000000005CN", "EE000000005CN"),  # S = 0, r = 0, check 11 -> 5
        ("EA133456780CN", "EA133456780CN"),  # S = 210, r = 1, check 10 -> 0
        # S = 209, r = 0 -> 5 as for r = 6: an undetectable typo of EA123456785CN
        ("EA123457785CN", "EA123457785CN"),
        ("1136281381675", "1136281381675"),
        (" 1136 2813 81675", "1136281381675"),
    ],
)
def test_valid(raw: str, expected: str) -> None:
    assert normalize_tracking_number(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        # each serial digit of EA123456785CN changed (position 6 by 2: +1 collides, above)
        ("EA223456785CN", "check_digit"),  # S 212, check 8
        ("EA133456785CN", "check_digit"),  # S 210, check 0
        ("EA124456785CN", "check_digit"),  # S 208, check 1
        ("EA123556785CN", "check_digit"),  # S 206, check 3
        ("EA123466785CN", "check_digit"),  # S 207, check 2
        ("EA123458785CN", "check_digit"),  # S 214, check 6
        ("EA123456885CN", "check_digit"),  # S 213, check 7
        ("EA123456795CN", "check_digit"),  # S 211, check 9
        ("EA123456784CN", "check_digit"),  # wrong check digit
        ("RB123456785GB", "not_ems"),  # valid S10, registered mail
        ("rb123456785gb", "not_ems"),
        ("113628138167", "format"),  # 12 digits
        ("11362813816750", "format"),  # 14 digits
        ("E1123456785CN", "format"),  # digit where a letter belongs
        ("EA12345678CN5", "format"),
        ("1A123456785CN", "format"),
        ("EA1234567851N", "format"),
        ("EA123456785C", "format"),
        ("", "format"),
        ("ＥＡ123456785CN", "format"),  # full-width letters
    ],
)
def test_invalid(raw: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_tracking_number(raw)
    assert caught.value.code == "invalid_tracking_number"
    assert caught.value.details == {"reason": reason}
    assert "单号" in caught.value.message


@pytest.mark.parametrize(
    ("serial", "check"),
    [("12345678", 5), ("13345678", 0), ("00000000", 5), ("22345678", 8), ("12345679", 9)],
)
def test_s10_check_digit(serial: str, check: int) -> None:
    assert s10_check_digit(serial) == check


@pytest.mark.parametrize("serial", ["1234567", "123456789", "1234567A", "１２３４５６７８"])
def test_s10_check_digit_needs_eight_ascii_digits(serial: str) -> None:
    with pytest.raises(ValueError):
        s10_check_digit(serial)
