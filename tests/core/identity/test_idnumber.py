"""GB 11643-1999 identity numbers: normalisation and each reason for refusal.

Check characters in this table were computed by hand (S = sum of digit x weight, S mod 11
mapped through 1 0 X 9 8 7 6 5 4 3 2), so a number refused for its date or region would
otherwise be valid: the test proves the specific rule, not the checksum, refuses it.
"""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import InvalidInput
from core.identity.idnumber import birth_date, normalize_id_number

TODAY = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("440524188001010014", "440524188001010014"),  # the standard's example, born 1880
        ("11010519491231002x", "11010519491231002X"),  # lower-case x
        ("  11010519491231002x \t", "11010519491231002X"),  # surrounding spaces
        ("110105200002290013", "110105200002290013"),  # 29 February of a leap year
        ("110105202601010019", "110105202601010019"),  # born today
    ],
)
def test_valid_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalize_id_number(raw, TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("110105194912310021", "check_character"),  # X replaced by 1
        ("110105199002310015", "birth_date"),  # 31 February
        ("110105199002290018", "birth_date"),  # 29 February 1990, not a leap year
        ("110105199013010018", "birth_date"),  # month 13
        ("110105202601020014", "birth_date"),  # tomorrow
        ("110105179912310016", "birth_date"),  # 1799
        ("11010519491231002", "length"),  # 17 characters
        ("11010519491231002X1", "length"),  # 19 characters
        ("110105491231002", "length"),  # 15-digit old number
        ("", "length"),
        ("1101051949A231002X", "characters"),  # letter inside
        ("X10105194912310021", "characters"),  # X not in last place
        ("11010519491231002Y", "characters"),
        ("１１０１０５１９４９１２３１００２X", "characters"),  # full-width digits
        ("010105194912310026", "region"),  # region 0xxxxx, check character right
    ],
)
def test_invalid_numbers_name_the_reason(raw: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_id_number(raw, TODAY)
    assert caught.value.code == "invalid_id_number"
    assert caught.value.details == {"reason": reason}
    assert "身份证" in caught.value.message


def test_messages_differ_by_reason_and_never_echo_the_number() -> None:
    messages = set()
    for raw in ("1101", "1101051949A231002X", "110105199002310015", "110105194912310021"):
        with pytest.raises(InvalidInput) as caught:
            normalize_id_number(raw, TODAY)
        assert raw not in caught.value.message
        messages.add(caught.value.message)
    assert len(messages) == 4


@pytest.mark.parametrize(
    ("id_number", "born"),
    [
        ("11010519491231002X", date(1949, 12, 31)),
        ("440524188001010014", date(1880, 1, 1)),
    ],
)
def test_birth_date(id_number: str, born: date) -> None:
    assert birth_date(id_number) == born


def test_birth_date_of_garbage_raises() -> None:
    with pytest.raises(InvalidInput):
        birth_date("not an id number")
