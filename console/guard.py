"""The role guard every console page goes through.

``@page(roles)`` resolves the signed-in staff member from the cookie (a missing, expired, idle
or revoked session sends a page view to the sign-in form), refuses other roles with the 403
page, and refuses any POST whose form lacks this session's CSRF token (403, nothing done).
The handler receives the ``Visitor``; ``request.ctx.visitor`` holds it for the templates.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sanic import Request
from sanic.response import HTTPResponse

from console import nav, session
from console.context import services
from core.errors import Forbidden, NotAuthenticated
from core.staff.models import StaffMember

Handler = Callable[..., Awaitable[HTTPResponse]]


@dataclass(frozen=True)
class Visitor:
    member: StaffMember
    session_id: str
    csrf: str

    @property
    def role(self) -> str:
        return self.member.role

    @property
    def role_name(self) -> str:
        return nav.ROLE_NAMES.get(self.member.role, self.member.role)

    @property
    def links(self) -> list[nav.Link]:
        return nav.links_for(self.member.role)


class SignInNeeded(NotAuthenticated):
    """No live console session: page views go to the sign-in form."""


class CsrfRefused(Forbidden):
    """A form posted without this session's token."""

    def __init__(self) -> None:
        super().__init__("The form's token is missing or wrong.", code="csrf_failed")


async def visitor(request: Request) -> Visitor:
    """The staff member signed in through the cookie; ``SignInNeeded`` otherwise."""
    held = session.token(request)
    if not held:
        raise SignInNeeded("Please sign in.", code="not_authenticated")
    principal = await services(request).sessions.check(held)  # session_expired / session_idle
    if principal.kind != "staff":
        raise SignInNeeded("Please sign in.", code="wrong_token_kind")
    member = await StaffMember.get_or_none(id=int(principal.subject_id), active=True)
    if member is None:
        raise SignInNeeded("This staff account is no longer active.", code="account_closed")
    csrf = session.csrf_for(request, principal.session_id)
    return Visitor(member, principal.session_id, csrf)


def page(*roles: str) -> Callable[[Handler], Handler]:
    """Guard a console handler: signed in, one of ``roles`` (none named: any role), and for a
    POST the session's CSRF token in the form."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request, **params: Any) -> HTTPResponse:
            who = await visitor(request)
            request.ctx.visitor = who
            if roles and who.role not in roles:
                raise Forbidden("This page is not for your role.", code="role_not_allowed")
            if request.method == "POST" and not session.csrf_ok(request, who.session_id):
                raise CsrfRefused()
            return await handler(request, who, **params)

        return guarded

    return wrap
