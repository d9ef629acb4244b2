"""`citysvc staff add USERNAME --role ROLE [--department CODE] [--citizen CITIZEN_ID]`
(password from standard input) and `citysvc staff link USERNAME CITIZEN_ID`."""

from __future__ import annotations

import asyncio
import getpass
import sys

from citysvc.dbrun import with_database
from core.errors import DomainError
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
        member = asyncio.run(
            with_database(lambda: add_staff(username, password, role, department, citizen))
        )
    except DomainError as exc:
        print(f"citysvc staff add: {exc.message}", file=sys.stderr)
        return 1
    scope = f" in department {member.department_code}" if member.department_code else ""
    linked = f", linked to citizen {member.citizen_id}" if member.citizen_id else ""
    print(f"created staff {member.username} ({member.role}{scope}){linked}")
    return 0


def run_link(username: str, citizen: str) -> int:
    try:
        member = asyncio.run(with_database(lambda: link_citizen(username, citizen)))
    except DomainError as exc:
        print(f"citysvc staff link: {exc.message}", file=sys.stderr)
        return 1
    print(f"linked staff {member.username} to citizen {member.citizen_id}")
    return 0
