"""Rules as data: checking and judging (pure: no database)."""

from __future__ import annotations

from datetime import date

import pytest

from core.rules.checking import RuleError, check_rules
from core.rules.judging import Facts, age_on, all_met, judge


def test_age_is_whole_years_from_the_birth_date() -> None:
    assert age_on("11010519491231002X", date(2026, 12, 30)) == 76
    assert age_on("11010519491231002X", date(2026, 12, 31)) == 77
    assert age_on(None, date(2026, 12, 31)) is None


async def test_licences_are_asked_of_the_registry() -> None:
    held = {"drivers_licence"}

    async def holds(kind: str) -> bool:
        return kind in held

    rules = check_rules(
        [
            {"subject": "licence", "op": "held", "value": "drivers_licence"},
            {"subject": "licence", "op": "not_held", "value": "business_licence"},
        ]
    )
    judged = await judge(rules, Facts(licence=holds))
    assert [(j.value, j.met) for j in judged] == [(True, True), (False, True)]
    held.add("business_licence")
    assert not all_met(await judge(rules, Facts(licence=holds)))


async def test_an_unknown_value_never_meets_a_rule() -> None:
    rules = check_rules(
        [
            {"subject": "age", "op": "ne", "value": 30},
            {"subject": "township", "op": "ne", "value": "仙女镇"},
            {"subject": "form.children", "op": "ge", "value": 2},
        ]
    )
    judged = await judge(rules, Facts(form={"children": "两个"}))
    assert [j.met for j in judged] == [False, False, False]
    assert not all_met([])  # an empty rule set decides nothing


def test_a_policy_may_not_judge_a_form() -> None:
    with pytest.raises(RuleError) as caught:
        check_rules([{"subject": "form.x", "op": "eq", "value": 1}], allow_form=False)
    assert caught.value.where == "[0].subject"
    with pytest.raises(RuleError) as caught:
        check_rules([{"subject": "township", "op": "eq", "value": "别处"}], towns=["仙女镇"])
    assert "not one of the district's towns" in caught.value.reason
