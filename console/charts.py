"""Small charts drawn on the server as inline SVG: no chart library, no CDN, works offline.

Each function returns SVG markup (``str``; every text it holds is escaped here) that a page
puts inline. Charts carry ``role="img"``, a ``<title>`` and a ``<desc>`` saying in words what
they show, so a screen reader gets the numbers; each data series is marked ``data-series``
with its last value in ``data-last``, which the live campaign page and the tests read.
Colours keep a contrast of at least 3:1 on white (WCAG 1.4.11) and are told apart by the
legend's words too, not by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from core.clock import CST

EVERY_LABEL = 12
CHAR_WIDTH = 13  # a Chinese character at the charts' font size, in SVG units
FONT = "font-family=\"system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif\""
INK, GRID, MUTED = "#1f2937", "#d1d5db", "#4b5563"
COLOURS = {
    "sent": "#15803d",
    "failed": "#b91c1c",
    "no_consent": "#6b7280",
    "remaining": "#1d4ed8",
    "rate": "#1d4ed8",
    "bar": "#1d4ed8",
    "alert": "#b91c1c",
}


@dataclass(frozen=True)
class Series:
    """One line: its key (``sent``...), its label in Chinese and its values."""

    key: str
    label: str
    values: Sequence[float | None]


def _open(width: int, height: int, title: str, desc: str, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {escape(css)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'preserveAspectRatio="xMidYMid meet" {FONT} font-size="13">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>",
    ]


def _count_top(value: float) -> float:
    """A top for whole counts with four whole steps of 1, 2, 2.5 or 5 times a power of ten."""
    step = max(1.0, _nice_top(value / 4))
    return float(int(step + 0.999) * 4) if step < 10 else step * 4


def _nice_top(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value``."""
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:,.0f}" if value >= 1 or value == 0 else f"{value:g}"


def _clock(ms: int) -> str:
    return f"{datetime.fromtimestamp(ms / 1000, CST):%H:%M:%S}"


def line_chart(
    xs: Sequence[int],
    series: Sequence[Series],
    *,
    title: str,
    x_labels: Sequence[str] | None = None,
    percent: bool = False,
    width: int = 720,
    height: int = 280,
) -> str:
    """Lines over shared x positions (epoch ms, labelled as China clock times, or the
    ``x_labels`` given); ``percent`` draws a 0-100% axis for fractions. ``None`` values
    leave a gap."""
    left, right, top, bottom = 56, 16, 36, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    y_top = 1.0 if percent else _count_top(max(values, default=0))
    desc = "；".join(f"{s.label}：{_last_text(s, percent)}" for s in series)
    out = _open(width, height, title, desc, "chart-line")
    out += _grid(left, top, plot_w, plot_h, y_top, percent)
    span = (xs[-1] - xs[0]) if len(xs) > 1 else 0

    def x_at(i: int) -> float:
        if span <= 0:
            return left + plot_w * (i / max(1, len(xs) - 1))
        return left + plot_w * (xs[i] - xs[0]) / span

    def y_at(v: float) -> float:
        return top + plot_h * (1 - v / y_top)

    for s in series:
        out.append(_polyline(s, x_at, y_at))
    out += _x_labels(
        x_labels or [_clock(x) for x in xs], x_at, height - bottom + 18, bool(x_labels)
    )
    out.append(_legend(series, left, 18, percent))
    out.append("</svg>")
    return "\n".join(out)


def _x_labels(
    labels: Sequence[str], x_at: Callable[[int], float], y: float, every: bool
) -> list[str]:
    """Each label under its point when given and at most ``EVERY_LABEL``; else the first and
    the last (once when they read the same)."""
    if every and len(labels) <= EVERY_LABEL:
        last = len(labels) - 1
        gap = (x_at(last) - x_at(0)) / max(1, last)
        widest = max(CHAR_WIDTH * len(t) + 8 for t in labels)
        stride = max(1, -(-int(widest) // max(1, int(gap))))  # labels never overlap
        shown = [i for i in range(last + 1) if i % stride == 0 and last - i >= stride]
        anchor = {0: "start", last: "end"}
        return [_text(x_at(i), y, labels[i], anchor.get(i, "middle")) for i in [*shown, last]]
    if not labels:
        return []
    ends = [_text(x_at(0), y, labels[0], "start")]
    if len(labels) > 1 and labels[-1] != labels[0]:
        ends.append(_text(x_at(len(labels) - 1), y, labels[-1], "end"))
    return ends


def _last_text(s: Series, percent: bool) -> str:
    last = next((v for v in reversed(s.values) if v is not None), None)
    return "无数据" if last is None else _number(last, percent)


def _grid(left: int, top: int, w: int, h: int, y_top: float, percent: bool) -> list[str]:
    out = []
    for n in range(5):
        y = top + h * n / 4
        value = y_top * (4 - n) / 4
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(_text(left - 8, y + 4, _number(value, percent), "end"))
    return out


def _polyline(s: Series, x_at: Callable[[int], float], y_at: Callable[[float], float]) -> str:
    colour = COLOURS.get(s.key, COLOURS["rate"])
    runs: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(s.values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((x_at(i), y_at(v)))
    last = next((v for v in reversed(s.values) if v is not None), None)
    parts = [f'<g data-series="{escape(s.key)}" data-last="{"" if last is None else f"{last:g}"}">']
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" '
                f'stroke-linejoin="round" points="{points}"/>'
            )
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>' for x, y in run]
    parts.append("</g>")
    return "".join(parts)


def _legend(series: Sequence[Series], x: int, y: int, percent: bool) -> str:
    parts = []
    for s in series:
        colour = COLOURS.get(s.key, COLOURS["rate"])
        label = f"{s.label} {_last_text(s, percent)}"
        parts.append(f'<rect x="{x}" y="{y - 10}" width="14" height="4" fill="{colour}"/>')
        parts.append(_text(x + 20, y - 4, label, "start", INK))
        x += 40 + 13 * len(label)
    return "".join(parts)


def _text(x: float, y: float, text: str, anchor: str, fill: str = MUTED) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}">{escape(text)}</text>'
    )


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (None: nothing counts yet) and a note after it."""

    label: str
    value: float | None
    note: str = ""
    alert: bool = False


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    percent: bool = False,
    width: int = 720,
    row: int = 30,
) -> str:
    """Horizontal bars, one row each, the value written at the bar's end."""
    label_w, right, top = 220, 210, 12
    height = top * 2 + row * max(2, len(bars))
    plot_w = width - label_w - right
    values = [b.value for b in bars if b.value is not None]
    x_top = 1.0 if percent else _count_top(max(values, default=0))
    desc = "；".join(f"{b.label}：{_bar_text(b, percent)}" for b in bars) or "暂无数据"
    out = _open(width, height, title, desc, "chart-bars")
    if not bars:
        out.append(_text(width / 2, top + row + 4, "所选范围内暂无数据", "middle"))
    for i, b in enumerate(bars):
        y = top + i * row
        out.append(_text(label_w - 10, y + row / 2 + 4, _short(b.label, 15), "end", INK))
        w = 0.0 if b.value is None else plot_w * min(1.0, b.value / x_top)
        colour = COLOURS["alert"] if b.alert else COLOURS["bar"]
        out.append(
            f'<rect x="{label_w}" y="{y + 6}" width="{plot_w}" height="{row - 12}" fill="#f3f4f6"/>'
            f'<rect data-bar="{escape(b.label)}" data-value="{"" if b.value is None else b.value}"'
            f' x="{label_w}" y="{y + 6}" width="{w:.1f}" height="{row - 12}" fill="{colour}"/>'
        )
        out.append(_text(label_w + plot_w + 8, y + row / 2 + 4, _bar_text(b, percent), "start"))
    out.append("</svg>")
    return "\n".join(out)


def _bar_text(b: Bar, percent: bool) -> str:
    if b.value is None:
        shown = "无数据"
    else:
        shown = f"{b.value * 100:.1f}%" if percent else _number(b.value, percent)
    return f"{shown} {b.note}".strip()


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def column_chart(
    labels: Sequence[str], values: Sequence[int], *, title: str, width: int = 720, height: int = 160
) -> str:
    """Vertical columns for counts by day (the first and last labels written under them)."""
    left, right, top, bottom = 40, 10, 14, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    y_top = _count_top(max(values, default=0))
    total = sum(values)
    out = _open(
        width, height, title, f"合计 {total}，最多一天 {max(values, default=0)}", "chart-columns"
    )
    out += _grid(left, top, plot_w, plot_h, y_top, False)
    step = plot_w / max(1, len(values))
    for i, v in enumerate(values):
        h = plot_h * v / y_top
        out.append(
            f'<rect data-day="{escape(labels[i])}" data-value="{v}" x="{left + i * step + 1:.1f}" '
            f'y="{top + plot_h - h:.1f}" width="{max(1.0, step - 2):.1f}" height="{h:.1f}" '
            f'fill="{COLOURS["bar"]}"/>'
        )
    if labels:
        out.append(_text(left, height - 8, labels[0], "start"))
        out.append(_text(left + plot_w, height - 8, labels[-1], "end"))
    out.append("</svg>")
    return "\n".join(out)
