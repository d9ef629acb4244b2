"""Judging rules against what the district knows of a citizen (and the form they filled).

Each rule gives a ``Judgement``: the rule, the value it was judged on and whether it held.
A value that is not known (an unverified citizen's age, a town never declared, a form field
left out) never meets a rule: a rule set is a reason to decide without a clerk, so doubt
goes to the clerk.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.identity.idnumber import birth_date
from core.rules.checking import Rule

LicenceCheck = Callable[[str], Awaitable[bool]]


async def _no_licences(_: str) -> bool:
    return False


@dataclass(frozen=True)
class Facts:
    """What rules are judged on. ``licence(type)`` asks the registry (None: nothing held)."""

    age: int | None = None
    township: str | None = None
    form: Mapping[str, Any] = field(default_factory=dict)
    licence: LicenceCheck = _no_licences


@dataclass(frozen=True)
class Judgement:
    rule: Rule
    value: Any
    met: bool

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule.text(), "value": self.value, "met": self.met}


def age_on(id_number: str | None, today: date) -> int | None:
    """Whole years on ``today`` from the ID number's birth date; None without a number."""
    if not id_number:
        return None
    born = birth_date(id_number)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if actual is None:
        return False
    if op == "in":
        return bool(actual in expected)
    if op in ("eq", "ne"):
        return bool(actual == expected) == (op == "eq")
    if isinstance(actual, bool) or not isinstance(actual, int | float):
        return False  # an ordering over a text or a missing number never holds
    return bool(
        {
            "lt": actual < expected,
            "le": actual <= expected,
            "gt": actual > expected,
            "ge": actual >= expected,
        }[op]
    )


async def judge_one(rule: Rule, facts: Facts) -> Judgement:
    if rule.subject == "licence":
        held = await facts.licence(str(rule.value))
        return Judgement(rule, held, held == (rule.op == "held"))
    if rule.subject == "age":
        actual: Any = facts.age
    elif rule.subject == "township":
        actual = facts.township
    else:
        actual = facts.form.get(rule.subject.split(".", 1)[1])
    return Judgement(rule, actual, _compare(rule.op, actual, rule.value))


async def judge(rules: Sequence[Rule], facts: Facts) -> list[Judgement]:
    """Every rule judged (not stopping at the first failure: the clerk sees them all)."""
    return [await judge_one(rule, facts) for rule in rules]


def all_met(judgements: Sequence[Judgement]) -> bool:
    """True for a non-empty list whose every rule held."""
    return bool(judgements) and all(j.met for j in judgements)
