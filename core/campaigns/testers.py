"""Who may receive a campaign's test message: named staff members, at their own accounts.

A test message goes out before approval, so it must not become a way around maker/checker:
it reaches only the citizen accounts that an administrator linked to active staff members
(``citysvc staff add --citizen`` / ``citysvc staff link``). The staff API names them by
username (``{"staff": [...]}``); the older ``{"citizen_ids": [...]}`` is still accepted when
every id is such a linked account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import InvalidInput
from core.identity.citizen_ids import canonical_citizen_id
from core.identity.models import Citizen
from core.staff.models import StaffMember

MAX_TEST_RECIPIENTS = 10
NOT_A_TEST_RECIPIENT = "not_a_test_recipient"
# why a named recipient is refused
UNKNOWN_STAFF = "unknown_staff"
INACTIVE = "inactive"
NO_LINKED_ACCOUNT = "no_linked_account"
ACCOUNT_CLOSED = "linked_account_closed"
NOT_LINKED_TO_STAFF = "not_linked_to_active_staff"


@dataclass(frozen=True)
class Tester:
    """One test recipient: the staff member and their own citizen account."""

    username: str
    citizen_id: str


async def resolve_testers(body: Mapping[str, Any]) -> list[Tester]:
    """The recipients named by ``staff`` (usernames) or ``citizen_ids``, in the order given,
    each once. InvalidInput for a malformed list, ``not_a_test_recipient`` (details naming
    each refused username or id and why) when any is not an active staff member's own
    account: nothing is sent then."""
    staff, ids = body.get("staff"), body.get("citizen_ids")
    if (staff is None) == (ids is None):
        raise InvalidInput(
            "Name the test recipients: 'staff' lists usernames (or 'citizen_ids' lists "
            "staff members' own citizen accounts).",
            details={"field": "staff"},
        )
    if staff is not None:
        return await _by_username(_listed(staff, "staff", _is_username))
    listed = _listed(ids, "citizen_ids", lambda v: canonical_citizen_id(v) is not None)
    citizens = [str(canonical_citizen_id(i)) for i in listed]
    return await _by_citizen(list(dict.fromkeys(citizens)))


def _listed(value: object, field: str, valid: Any) -> list[str]:
    if (
        not isinstance(value, list)
        or not 0 < len(value) <= MAX_TEST_RECIPIENTS
        or not all(valid(v) for v in value)
    ):
        raise InvalidInput(
            f"'{field}' lists 1 to {MAX_TEST_RECIPIENTS} "
            + ("usernames." if field == "staff" else "citizen ids."),
            details={"field": field},
        )
    return list(dict.fromkeys(value))


def _is_username(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 64


async def _open(citizen_ids: list[str]) -> set[str]:
    found = await Citizen.filter(id__in=citizen_ids, closed_at=None).values_list("id", flat=True)
    return {str(c) for c in found}


async def _by_username(names: list[str]) -> list[Tester]:
    members = {m.username: m for m in await StaffMember.filter(username__in=names)}
    linked = [str(m.citizen_id) for m in members.values() if m.citizen_id is not None]
    open_accounts = await _open(linked) if linked else set()
    testers, refused = [], {}
    for name in names:
        member = members.get(name)
        if member is None:
            refused[name] = UNKNOWN_STAFF
        elif not member.active:
            refused[name] = INACTIVE
        elif member.citizen_id is None:
            refused[name] = NO_LINKED_ACCOUNT
        elif str(member.citizen_id) not in open_accounts:
            refused[name] = ACCOUNT_CLOSED
        else:
            testers.append(Tester(name, str(member.citizen_id)))
    if refused:
        raise InvalidInput(
            "Test messages go only to active staff members with a linked citizen account "
            f"(`citysvc staff link`); refused: {', '.join(refused)}.",
            code=NOT_A_TEST_RECIPIENT,
            details={"field": "staff", "usernames": list(refused), "reasons": refused},
        )
    return _once_per_account(testers)


async def _by_citizen(citizen_ids: list[str]) -> list[Tester]:
    members = await StaffMember.filter(citizen_id__in=citizen_ids, active=True).order_by("id")
    owner: dict[str, str] = {}
    for member in members:
        owner.setdefault(str(member.citizen_id), member.username)
    open_accounts = await _open(list(owner)) if owner else set()
    refused = {}
    for citizen in citizen_ids:
        if citizen not in owner:
            refused[citizen] = NOT_LINKED_TO_STAFF
        elif citizen not in open_accounts:
            refused[citizen] = ACCOUNT_CLOSED
    if refused:
        raise InvalidInput(
            "Test messages go only to the citizen accounts linked to active staff members; "
            "name them with 'staff' (usernames).",
            code=NOT_A_TEST_RECIPIENT,
            details={"field": "citizen_ids", "citizen_ids": list(refused), "reasons": refused},
        )
    return [Tester(owner[c], c) for c in citizen_ids]


def _once_per_account(testers: list[Tester]) -> list[Tester]:
    """Two usernames linked to one account get one message (the first name answers)."""
    seen: dict[str, Tester] = {}
    for tester in testers:
        seen.setdefault(tester.citizen_id, tester)
    return list(seen.values())
