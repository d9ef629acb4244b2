"""`citysvc staff add USERNAME --role ROLE [--department CODE]`; password from standard input."""

from __future__ import annotations

import asyncio
import getpass
import sys

from citysvc.dbrun import with_database
from core.errors import DomainError
from core.staff.service import add_staff


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise SystemExit("citysvc staff add: the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def run_add(username: str, role: str, department: str | None) -> int:
    password = read_password()
    try:
        member = asyncio.run(with_database(lambda: add_staff(username, password, role, department)))
    except DomainError as exc:
        print(f"citysvc staff add: {exc.message}", file=sys.stderr)
        return 1
    scope = f" in department {member.department_code}" if member.department_code else ""
    print(f"created staff {member.username} ({member.role}{scope})")
    return 0
