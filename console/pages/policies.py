"""The benefits sweep's figures (免申即享): per policy, the citizens told they qualify (day by
day over the last 30 days), what became of those messages, and how many then filed the
policy's item, approved at once by its rules or not (``notifications.policy_figures``)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from console import charts
from console.catalogue_names import item_names
from console.context import services
from console.guard import Visitor, page
from console.labels import message_status
from console.render import page as render_page
from core.clock import CST
from notifications.policy_figures import DAYS, policy_figures

bp = Blueprint("console_policies", url_prefix="/console")
ROLES = ("publicity", "supervisor", "admin")


@bp.get("/policies")
@page(*ROLES)
async def policies(request: Request, who: Visitor) -> HTTPResponse:
    today = services(request).clock.now().astimezone(CST).date()
    found = await policy_figures(today)
    names = await item_names(str(p["item_code"]) for p in found)
    drawn = {
        p["code"]: charts.column_chart(
            [d["date"][5:] for d in p["by_day"]],
            [d["told"] for d in p["by_day"]],
            title=f"{p['name']}：近 {DAYS} 天每天告知人数",
        )
        for p in found
    }
    return render_page(
        request,
        "policies.html",
        title="免申即享",
        policies=[p | {"item_name": names.get(str(p["item_code"]), p["item_code"])} for p in found],
        charts=drawn,
        days=DAYS,
        message_status=message_status,
    )
