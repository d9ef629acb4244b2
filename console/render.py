"""Pages from Jinja2 templates shipped in this package (autoescaped), with the page's policy.

The policy lets a page load only this server's own script, styles and pictures, frame only
this server's material previews, and post forms only here; nothing comes from a CDN.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sanic import Request
from sanic.response import HTTPResponse, html

from console import labels
from core.masking import mask_id_numbers

POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
NO_STORE = "private, no-store"

_env = Environment(
    loader=PackageLoader("console", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# every free text a citizen or clerk wrote goes out through ``|ids``: ID numbers masked
_env.filters["ids"] = lambda value: mask_id_numbers("" if value is None else str(value))
_env.globals.update(
    status_name=labels.status_name,
    days_left=labels.days_left,
    action_label=labels.ACTION_LABELS,
    event_name=labels.event_name,
    message_status=labels.message_status,
    channel_name=labels.channel_name,
    time=labels.time_text,
    actor_name=labels.actor_name,
    rule_text=labels.rule_text,
)


def environment() -> Environment:
    return _env


def page(request: Request, template: str, status: int = 200, **values: Any) -> HTTPResponse:
    """``template`` rendered with ``values`` and what every page shows (the visitor, the
    navigation, the CSRF token: set by the guard on ``request.ctx``)."""
    visitor = getattr(request.ctx, "visitor", None)
    body = _env.get_template(template).render(request_path=request.path, visitor=visitor, **values)
    return html(
        body,
        status=status,
        headers={"Content-Security-Policy": POLICY, "Cache-Control": NO_STORE},
    )
