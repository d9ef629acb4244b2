"""Personal names as written on identity documents.

A name is either Chinese (CJK unified ideographs, including extension A) or Latin (ASCII
letters and single spaces); both may contain the middle dot that separates the parts of
transliterated names (少数民族及外国人姓名, e.g. 买买提·艾力). Input methods produce several
look-alike dots, so they are all folded to U+00B7 before checking: otherwise the same
person would be stored under two spellings and real-name checks would fail.
"""

from __future__ import annotations

import re

from core.errors import InvalidInput
from core.messages import render

MIDDLE_DOT = "\u00b7"
# Hyphenation point, bullet, katakana middle dot, halfwidth katakana middle dot.
_DOT_VARIANTS = re.compile("[\u2027\u2022\u30fb\uff65]")
_WHITESPACE = re.compile(r"\s+")
_SPACE_AROUND_DOT = re.compile(r" ?\u00b7 ?")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_CHINESE_NAME = re.compile(f"[{_CJK}\u00b7]+")
_LATIN_NAME = re.compile("[A-Za-z \u00b7]+")
_HAS_CJK = re.compile(f"[{_CJK}]")
MIN_LENGTH = 2
MAX_LENGTH = 30


def _invalid(reason: str) -> InvalidInput:
    return InvalidInput(
        render("invalid_name", "zh", {"reason": reason}),
        code="invalid_name",
        details={"reason": reason},
    )


def _fold(raw: str) -> str:
    value = _DOT_VARIANTS.sub(MIDDLE_DOT, raw)
    value = _WHITESPACE.sub(" ", value.strip())
    value = _SPACE_AROUND_DOT.sub(MIDDLE_DOT, value)
    if _HAS_CJK.search(value):
        # Chinese names carry no spaces; a space typed between characters is a slip.
        value = value.replace(" ", "")
    return value


def normalize_name(raw: str) -> str:
    """Return the canonical spelling of a personal name, or raise ``InvalidInput``."""
    value = _fold(raw)
    if not MIN_LENGTH <= len(value) <= MAX_LENGTH:
        raise _invalid("length")
    if not (_CHINESE_NAME.fullmatch(value) or _LATIN_NAME.fullmatch(value)):
        raise _invalid("characters")
    if value.startswith(MIDDLE_DOT) or value.endswith(MIDDLE_DOT) or MIDDLE_DOT * 2 in value:
        raise _invalid("dot")
    return value
