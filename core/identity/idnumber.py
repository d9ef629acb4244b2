"""Resident identity numbers (居民身份证号码, GB 11643-1999).

An 18-character number is a 6-digit region code, an 8-digit birth date (YYYYMMDD), a
3-digit sequence and a check character computed over the first 17 digits (ISO 7064
MOD 11-2). ``normalize_id_number`` is the single gate through which a number enters the
system: the normalised form it returns is what gets encrypted and blind-indexed, so two
spellings of one number (trailing ``x`` vs ``X``) must come out identical.

Error details never contain the number itself: it is sensitive personal information and
details end up in logs and API answers.
"""

from __future__ import annotations

import re
from datetime import date

from core.errors import InvalidInput
from core.messages import render

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"  # indexed by S mod 11
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
# The standard's own worked example (440524188001010014) is born 1880-01-01, so a 1900
# floor would refuse a number the standard calls valid; 1800 still rejects typos like 0990.
_OLDEST_BIRTH_DATE = date(1800, 1, 1)


def _invalid(reason: str) -> InvalidInput:
    return InvalidInput(
        render("invalid_id_number", "zh", {"reason": reason}),
        code="invalid_id_number",
        details={"reason": reason},
    )


def check_character(first17: str) -> str:
    """The GB 11643 check character for 17 ASCII digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def _parse_birth_date(id_number: str) -> date | None:
    # Positions 7-14 (1-based) are YYYYMMDD; date() rejects 31 February and month 13.
    digits = id_number[6:14]
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def normalize_id_number(raw: str, today: date) -> str:
    """Return the canonical form of an 18-character ID number, or raise ``InvalidInput``.

    ``today`` is passed in (from the injected clock, in China Standard Time) so that a
    birth date in the future is refused without reading the system clock.
    """
    value = raw.strip()
    if value.endswith("x"):
        value = value[:-1] + "X"
    if len(value) != 18:
        raise _invalid("length")
    if not _SHAPE.fullmatch(value):
        raise _invalid("characters")
    if value[0] == "0":
        # No province code starts with 0 (they run 11-82).
        raise _invalid("region")
    born = _parse_birth_date(value)
    if born is None or born < _OLDEST_BIRTH_DATE or born > today:
        raise _invalid("birth_date")
    if check_character(value[:17]) != value[17]:
        raise _invalid("check_character")
    return value


def birth_date(id_number: str) -> date:
    """The birth date encoded in an already normalised ID number."""
    born = _parse_birth_date(id_number) if _SHAPE.fullmatch(id_number) else None
    if born is None:
        raise _invalid("birth_date")
    return born
