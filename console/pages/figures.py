"""The figures dashboard, for every staff role: the headline figures, the on-time rate by
department, satisfaction over time and the most complained-of items.

Every number comes from ``core.feedback.dashboard`` (the public figures' own queries); the
charts are drawn here as SVG (``console.charts``). Clerks and supervisors start on their own
department; anyone may switch to the whole district or another department, as the public
figures are public anyway.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from console import charts, forms
from console.context import services
from console.guard import Visitor, page
from console.render import page as render_page
from core.catalogue.models import Department
from core.clock import CST
from core.errors import InvalidInput
from core.feedback.dashboard import dashboard
from core.messages import render

bp = Blueprint("console_figures", url_prefix="/console")
DEFAULT_DAYS = 180
ON_TIME_GOAL = 0.95  # a department below it is drawn in red
ALL = "all"  # the whole district (an empty choice would be dropped from the query)
WIDE, HALF = 760, 560  # the charts' widths in pixels (they shrink on narrower screens)


def _range(request: Request, today: date) -> tuple[date, date]:
    end = forms.day(request, "to") or today
    start = forms.day(request, "from") or (end - timedelta(days=DEFAULT_DAYS - 1)).replace(day=1)
    return start, end


def _charts(found: dict[str, Any]) -> dict[str, str]:
    on_time = charts.bar_chart(
        [
            charts.Bar(
                row["department_name"],
                row["on_time_rate"],
                f"办结 {row['finished']} · 超期未结 {row['open_past_due']}",
                alert=row["on_time_rate"] is not None and row["on_time_rate"] < ON_TIME_GOAL,
            )
            for row in found["on_time_by_department"]
        ],
        title="各部门按时办结率",
        percent=True,
        width=WIDE,
    )
    periods = found["satisfaction"]
    satisfaction = charts.line_chart(
        list(range(len(periods))),
        [charts.Series("rate", "满意率", [p["satisfaction_rate"] for p in periods])],
        title="满意率变化",
        x_labels=[p["label"].split("年")[-1] for p in periods],
        percent=True,
        width=HALF,
    )
    complained = charts.bar_chart(
        [charts.Bar(c["item_name"], c["count"], "件投诉") for c in found["top_complained"]],
        title="投诉最多的事项",
        width=WIDE,
    )
    return {"on_time": on_time, "satisfaction": satisfaction, "complained": complained}


@bp.get("/figures")
@page()
async def figures(request: Request, who: Visitor) -> HTTPResponse:
    today = services(request).clock.now().astimezone(CST).date()
    start, end = _range(request, today)
    departments = await Department.all().order_by("code").values_list("code", "name")
    own = who.member.department_code if who.role in ("clerk", "supervisor") else None
    asked = forms.arg(request, "department") or own or ALL
    department = asked if asked in {code for code, _ in departments} else None
    error, status = "", 200
    try:
        found = await dashboard(start, end, today, department)
    except InvalidInput as exc:
        error, status = render(exc.code, "zh", exc.details), 422
        start, end = _range_default(today)
        found = await dashboard(start, end, today, department)
    return render_page(
        request,
        "figures.html",
        status=status,
        title="数据看板",
        found=found,
        charts=_charts(found),
        departments=departments,
        shown={"from": start.isoformat(), "to": end.isoformat(), "department": department or ALL},
        error=error,
    )


def _range_default(today: date) -> tuple[date, date]:
    return (today - timedelta(days=DEFAULT_DAYS - 1)).replace(day=1), today
