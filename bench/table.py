"""One table of every benchmark figure with its target, from the JSON lines the benches wrote.

Each bench appends ``{"bench", "figure", "value", "unit", "target", "met"}`` lines to the file
named by ``$BENCH_FIGURES`` (``common.record``); ``make bench`` sets it, runs them all, then:

    .venv/bin/python bench/table.py FILE [--markdown]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

VERDICT = {True: "met", False: "NOT met", None: ""}


def rows(path: Path) -> list[list[str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        f = json.loads(line)
        value = f"{f['value']:,.2f}" if abs(f["value"]) < 100 else f"{f['value']:,.0f}"
        found.append(
            [f["bench"], f["figure"], f"{value} {f['unit']}", f["target"], VERDICT[f["met"]]]
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("figures", type=Path)
    parser.add_argument("--markdown", action="store_true", help="a Markdown table (README)")
    args = parser.parse_args()
    header = ["bench", "figure", "value", "target", "verdict"]
    body = rows(args.figures)
    if args.markdown:
        for row in [header, ["---"] * len(header), *body]:
            print("| " + " | ".join(row) + " |")
        return
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *body]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
