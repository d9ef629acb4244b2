"""Rules as data: checking a rule list from an import file (pure, no database).

A rule is ``{"subject", "op", "value"}``. Subjects: ``form.<field>`` (a field of the form
the citizen filled), ``age`` (whole years, from the verified ID number's birth date),
``township`` (the town the citizen declared) and ``licence`` (an electronic licence of a
type, held in the licence registry). Every rule of a list must hold (AND). A rule naming
an unknown subject, an operator the subject cannot take, a value of the wrong kind or an
age range no one can be in is rejected with the reason, so a bad file never lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ORDERING = ("lt", "le", "gt", "ge")
EQUALITY = ("eq", "ne")
MAX_AGE = 150
MAX_RULES = 20
FORM_PREFIX = "form."
SUBJECTS = ("age", "township", "licence")
Scalar = str | int | float | bool


@dataclass(frozen=True)
class Rule:
    subject: str
    op: str
    value: Any

    def as_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"subject": self.subject, "op": self.op, "value": value}

    def text(self) -> str:
        """``age ge 80``: how the rule reads in an audit entry and on the clerk's page."""
        value = self.as_dict()["value"]
        return f"{self.subject} {self.op} {value}"


class RuleError(ValueError):
    """One problem: ``where`` is like ``[2].op`` (the rule's index, then its key)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar(value: object) -> bool:
    return isinstance(value, str | bool) or _is_number(value)


def _age(op: str, value: object) -> int:
    if op not in ORDERING + EQUALITY:
        raise RuleError(".op", "age compares with eq, ne, lt, le, gt, ge")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AGE:
        raise RuleError(".value", f"age is a whole number from 0 to {MAX_AGE}")
    return value


def _township(op: str, value: object, towns: Sequence[str]) -> object:
    if op in EQUALITY:
        names = [value]
    elif op == "in":
        if not isinstance(value, list) or not value:
            raise RuleError(".value", "'in' needs a non-empty list of towns")
        names = value
    else:
        raise RuleError(".op", "township compares with eq, ne or in")
    for name in names:
        if not isinstance(name, str) or not 0 < len(name) <= 32:
            raise RuleError(".value", "a town is a name of 1 to 32 characters")
        if towns and name not in towns:
            raise RuleError(".value", f"'{name}' is not one of the district's towns")
    return tuple(names) if op == "in" else value


def _licence(op: str, value: object) -> str:
    if op not in ("held", "not_held"):
        raise RuleError(".op", "licence takes 'held' or 'not_held'")
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        raise RuleError(".value", "a licence type of 1 to 64 characters")
    return value


def _form(op: str, value: object) -> object:
    if op in ORDERING:
        if not _is_number(value):
            raise RuleError(".value", f"'{op}' compares numbers only")
        return value
    if op in EQUALITY:
        if not _scalar(value):
            raise RuleError(".value", "compare with text, a number or true/false")
        return value
    if op == "in":
        if not isinstance(value, list) or not value or not all(_scalar(v) for v in value):
            raise RuleError(".value", "'in' needs a non-empty list of texts or numbers")
        return tuple(value)
    raise RuleError(".op", "a form field compares with eq, ne, lt, le, gt, ge or in")


def _rule(raw: object, towns: Sequence[str], allow_form: bool) -> Rule:
    if not isinstance(raw, dict) or set(raw) != {"subject", "op", "value"}:
        raise RuleError("", "a rule is an object of exactly subject, op and value")
    subject, op, value = raw["subject"], raw["op"], raw["value"]
    if not isinstance(subject, str) or not isinstance(op, str):
        raise RuleError("", "subject and op are texts")
    if subject == "age":
        return Rule(subject, op, _age(op, value))
    if subject == "township":
        return Rule(subject, op, _township(op, value, towns))
    if subject == "licence":
        return Rule(subject, op, _licence(op, value))
    field = subject[len(FORM_PREFIX) :] if subject.startswith(FORM_PREFIX) else ""
    if allow_form and 0 < len(field) <= 64:
        return Rule(subject, op, _form(op, value))
    known = [*SUBJECTS, "form.<field>"] if allow_form else list(SUBJECTS)
    raise RuleError(".subject", f"unknown field '{subject}' (known: {', '.join(known)})")


def _age_range_possible(rules: Sequence[Rule]) -> bool:
    """False when the age rules together leave no age (``age gt 80`` and ``age lt 60``)."""
    ages = set(range(MAX_AGE + 1))
    tests = {
        "lt": lambda a, v: a < v,
        "le": lambda a, v: a <= v,
        "gt": lambda a, v: a > v,
        "ge": lambda a, v: a >= v,
        "eq": lambda a, v: a == v,
        "ne": lambda a, v: a != v,
    }
    for rule in rules:
        if rule.subject == "age":
            ages = {a for a in ages if tests[rule.op](a, rule.value)}
    return bool(ages)


def check_rules(
    raw: object, towns: Sequence[str] = (), *, allow_form: bool = True
) -> tuple[Rule, ...]:
    """The rules of an import row; RuleError names the first problem."""
    if not isinstance(raw, list):
        raise RuleError("", "must be a list of rules")
    if len(raw) > MAX_RULES:
        raise RuleError("", f"at most {MAX_RULES} rules")
    rules: list[Rule] = []
    for i, entry in enumerate(raw):
        try:
            rules.append(_rule(entry, towns, allow_form))
        except RuleError as exc:
            raise RuleError(f"[{i}]{exc.where}", exc.reason) from None
    if not _age_range_possible(rules):
        raise RuleError("", "the age rules together allow no age: an impossible comparison")
    return tuple(rules)


def rules_from_stored(stored: Sequence[dict[str, Any]]) -> tuple[Rule, ...]:
    """Rules as a version stored them (checked at import already)."""
    return tuple(
        Rule(
            r["subject"], r["op"], tuple(r["value"]) if isinstance(r["value"], list) else r["value"]
        )
        for r in stored
    )
