"""EMS tracking numbers as staff type them when recording a shipment.

Two shapes are accepted:

* UPU S10 (``EA123456785CN``): service letters, 8-digit serial, check digit, country. EMS
  services start with ``E``; another first letter is a valid S10 number of another
  service (registered mail, parcels...) that the EMS tracking aggregator will not find.
* Domestic EMS numbers: 13 digits with no published checksum, so only the shape is checked.

Note the S10 mapping sends both r = 0 and r = 6 to check digit 5, so a few single-digit
typos (e.g. ``EA123457785CN`` for ``EA123456785CN``) cannot be detected; that is the
standard's weakness, not ours to fix.
"""

from __future__ import annotations

import re

from core.errors import InvalidInput

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_S10 = re.compile(r"[A-Z]{2}[0-9]{9}[A-Z]{2}")
_DOMESTIC = re.compile(r"[0-9]{13}")
_SERIAL = re.compile(r"[0-9]{8}")
_SPACES = re.compile(r"\s+")

_MESSAGES = {
    "format": (
        "快递单号格式不正确：EMS单号为13位数字，或“2个字母+9位数字+2个字母”（如EA123456785CN）。"
    ),
    "not_ems": "这不是EMS单号（EMS的国际标准单号以字母E开头），请核对寄件所用的快递公司。",
    "check_digit": "快递单号的校验位不正确，请核对是否有输错的数字。",
}


def _invalid(reason: str) -> InvalidInput:
    return InvalidInput(
        _MESSAGES[reason], code="invalid_tracking_number", details={"reason": reason}
    )


def s10_check_digit(serial8: str) -> int:
    """The UPU S10 check digit of an 8-digit serial number."""
    if not _SERIAL.fullmatch(serial8):
        raise ValueError("an S10 serial number is exactly 8 ASCII digits")
    remainder = sum(int(d) * w for d, w in zip(serial8, _S10_WEIGHTS, strict=True)) % 11
    check = 11 - remainder
    if check == 10:
        return 0
    if check == 11:
        return 5
    return check


def normalize_tracking_number(raw: str) -> str:
    """Return the canonical EMS tracking number, or raise ``InvalidInput``.

    All whitespace is removed (numbers are often typed or printed in groups) and letters
    are upper-cased.
    """
    value = _SPACES.sub("", raw).upper()
    if _DOMESTIC.fullmatch(value):
        return value
    if not _S10.fullmatch(value):
        raise _invalid("format")
    if value[0] != "E":
        raise _invalid("not_ems")
    if s10_check_digit(value[2:10]) != int(value[10]):
        raise _invalid("check_digit")
    return value
