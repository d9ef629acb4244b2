"""Human-readable case numbers with a check character: ``20261126-000123-7``.

The serial comes from the database's own counter, so concurrent submissions never share a
number; the date says when the case was filed; the check character (ISO 7064 MOD 11-2, the
scheme of resident ID numbers) catches a mistyped digit when a citizen reads it to the bot.
"""

from __future__ import annotations

import re
from datetime import date

_FORMAT = re.compile(r"^(\d{8})-(\d{6,})-([0-9X])$")


def check_character(digits: str) -> str:
    total = 0
    for ch in digits:
        total = (total + int(ch)) * 2 % 11
    return "0123456789X"[(12 - total) % 11]


def format_number(day: date, serial: int) -> str:
    body = f"{day:%Y%m%d}{serial:06d}"
    return f"{day:%Y%m%d}-{serial:06d}-{check_character(body)}"


def is_valid_number(text: str) -> bool:
    """Shape and check character; a lookup can skip the database for anything else."""
    match = _FORMAT.match(text)
    return bool(match) and check_character(match[1] + match[2]) == match[3]  # type: ignore[index]
