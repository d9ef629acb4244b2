"""`citysvc staff add USERNAME --role ROLE [--department CODE] [--citizen CITIZEN_ID]`
(password from standard input), `citysvc staff link USERNAME CITIZEN_ID` and
`citysvc staff reset-otp USERNAME`.

With ``STAFF_TOTP=required`` ``add`` also enrols the new member for two-factor sign-in and
prints the ``otpauth://`` URI to scan (shown once: only its encrypted secret is stored);
``reset-otp`` gives a member a new secret whatever the setting (a lost phone)."""

from __future__ import annotations

import asyncio
import getpass
import sys

from citysvc.dbrun import with_database
from citysvc.keys_cmd import cipher_from_env
from core.errors import DomainError
from core.settings import staff_totp_required
from core.staff import totp
from core.staff.models import StaffMember
from core.staff.service import add_staff, link_citizen


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise SystemExit("citysvc staff add: the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_add(username: str, role: str, department: str | None, citizen: str | None = None) -> int:
    password = read_password()
    try:
        cipher = cipher_from_env() if staff_totp_required() else None
    except ValueError as exc:
        print(f"citysvc staff add: {exc}", file=sys.stderr)
        return 2

    async def add() -> tuple[StaffMember, str | None]:
        member = await add_staff(username, password, role, department, citizen)
        uri = await totp.enrol(member, cipher) if cipher is not None else None
        return member, uri

    try:
        member, uri = asyncio.run(with_database(add))
    except DomainError as exc:
        print(f"citysvc staff add: {exc.message}", file=sys.stderr)
        return 1
    scope = f" in department {member.department_code}" if member.department_code else ""
    linked = f", linked to citizen {member.citizen_id}" if member.citizen_id else ""
    print(f"created staff {member.username} ({member.role}{scope}){linked}")
    if uri is not None:
        print(f"two-factor enrolment (scan once, then keep it secret): {uri}")
    return 0


def run_reset_otp(username: str) -> int:
    try:
        cipher = cipher_from_env()
    except ValueError as exc:
        print(f"citysvc staff reset-otp: {exc}", file=sys.stderr)
        return 2

    async def reset() -> str | None:
        member = await StaffMember.get_or_none(username=username)
        return None if member is None else await totp.enrol(member, cipher)

    uri = asyncio.run(with_database(reset))
    if uri is None:
        print(f"citysvc staff reset-otp: there is no staff member {username}", file=sys.stderr)
        return 1
    print(f"two-factor enrolment for {username} (scan once, then keep it secret): {uri}")
    return 0


def run_link(username: str, citizen: str) -> int:
    try:
        member = asyncio.run(with_database(lambda: link_citizen(username, citizen)))
    except DomainError as exc:
        print(f"citysvc staff link: {exc.message}", file=sys.stderr)
        return 1
    print(f"linked staff {member.username} to citizen {member.citizen_id}")
    return 0
