"""The server-drawn SVG charts: well-formed, text escaped, values readable by machines and by
screen readers (``<title>``, ``<desc>``), gaps where nothing counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from console import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # raises on anything malformed or unescaped


def test_line_chart_marks_each_series_with_its_last_value() -> None:
    svg = parse(
        charts.line_chart(
            [1_700_000_000_000, 1_700_000_005_000, 1_700_000_010_000],
            [
                charts.Series("sent", "已发送", [0, 40, 90]),
                charts.Series("remaining", "待发送", [100, 60, 10]),
            ],
            title="发送进度（条）",
        )
    )
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "发送进度（条）"  # type: ignore[union-attr]
    assert svg.find(f"{SVG}desc").text == "已发送：90；待发送：10"  # type: ignore[union-attr]
    groups = {g.get("data-series"): g for g in svg.iter(f"{SVG}g")}
    assert groups["sent"].get("data-last") == "90"
    assert len(groups["sent"].findall(f"{SVG}circle")) == 3
    ticks = [t.text for t in svg.iter(f"{SVG}text")]
    assert "100" in ticks and "0" in ticks  # a count axis of whole steps


def test_gaps_and_percentages() -> None:
    svg = parse(
        charts.line_chart(
            [0, 1, 2, 3],
            [charts.Series("rate", "满意率", [0.5, None, 0.75, None])],
            title="满意率变化",
            x_labels=["1月", "2月", "3月", "4月"],
            percent=True,
        )
    )
    (group,) = [g for g in svg.iter(f"{SVG}g") if g.get("data-series") == "rate"]
    assert group.get("data-last") == "0.75"
    assert group.findall(f"{SVG}polyline") == []  # no two neighbours: points, no line
    assert len(group.findall(f"{SVG}circle")) == 2
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"1月", "2月", "3月", "4月", "100%", "50%"} <= set(texts)


def test_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & 事项'
    markup = charts.bar_chart([charts.Bar(hostile, 3, "件投诉")], title=hostile)
    assert "<script>" not in markup
    svg = parse(markup)
    (bar,) = [r for r in svg.iter(f"{SVG}rect") if r.get("data-bar")]
    assert bar.get("data-bar") == hostile and bar.get("data-value") == "3"


def test_empty_charts_say_so() -> None:
    svg = parse(charts.bar_chart([], title="投诉最多的事项"))
    assert "所选范围内暂无数据" in [t.text for t in svg.iter(f"{SVG}text")]
    columns = parse(charts.column_chart(["12-05", "12-06"], [0, 0], title="告知人数"))
    assert [r.get("data-value") for r in columns.iter(f"{SVG}rect") if r.get("data-day")] == [
        "0",
        "0",
    ]
