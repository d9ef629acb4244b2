"""The nightly export of poor ratings and complaints for the province's platform.

One CSV file per China date: UTF-8 with a byte-order mark (Excel then reads the Chinese
correctly), a header row, one row per poor rating (level 1 or 2, given that day) and per
complaint (filed that day). No personal data: no name, no ID number, no account. Every
cell that a spreadsheet would take for a formula (one starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is prefixed with ``'``, so a citizen's comment can never
run as a formula on the province's side.
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

from core.cases.models import Application
from core.clock import CST
from core.feedback.models import Feedback, Rating, Rectification
from core.feedback.ratings import LEVELS, POOR

HEADER = (
    "类型",
    "编号",
    "时间",
    "办件编号",
    "事项编码",
    "部门编码",
    "评价等级",
    "内容",
    "处理状态",
    "答复",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, with a leading ``'`` when a spreadsheet would read a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), CST)
    return start, start + timedelta(days=1)


async def export_rows(day: date) -> list[list[str]]:
    """The day's poor ratings, then its complaints, each in the order they came."""
    lo, hi = _bounds(day)
    ratings = await Rating.filter(
        created_at__gte=lo, created_at__lt=hi, level__lte=POOR, is_default=False
    ).order_by("id")
    complaints = await Feedback.filter(
        created_at__gte=lo, created_at__lt=hi, kind="complaint"
    ).order_by("id")
    case_ids = {r.application_id for r in ratings} | {
        c.application_id for c in complaints if c.application_id is not None
    }
    numbers = dict(await Application.filter(id__in=list(case_ids)).values_list("id", "number"))
    tasks = dict(
        await Rectification.filter(rating_id__in=[r.id for r in ratings]).values_list(
            "rating_id", "status"
        )
    )
    rows: list[list[object]] = [
        [
            "差评",
            r.id,
            r.created_at.astimezone(CST).isoformat(),
            numbers.get(r.application_id, ""),
            r.item_code,
            r.department_code,
            f"{r.level} {LEVELS[r.level]}",
            r.comment,
            "voided" if r.voided else tasks.get(r.id, ""),
            "",
        ]
        for r in ratings
    ]
    rows += [
        [
            "投诉",
            c.id,
            c.created_at.astimezone(CST).isoformat(),
            numbers.get(c.application_id or 0, ""),
            c.item_code or "",
            c.department_code or "",
            "",
            c.content,
            c.status,
            c.reply or "",
        ]
        for c in complaints
    ]
    return [[neutralise(cell) for cell in row] for row in rows]


def render_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


async def export_day(day: date, out: Path) -> int:
    """Write the day's file to ``out`` (replaced atomically); the number of data rows."""
    rows = await export_rows(day)
    data = render_csv(rows)
    partial = out.with_name(out.name + ".part")
    await asyncio.to_thread(partial.write_bytes, data)
    await asyncio.to_thread(partial.replace, out)
    return len(rows)
