"""Every environment variable the settings read has its line in the README's table."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_readme() -> None:
    names = set(re.findall(r'"([A-Z][A-Z0-9_]{2,})"', (ROOT / "core/settings.py").read_text()))
    readme = (ROOT / "README.md").read_text()
    assert sorted(n for n in names if f"`{n}`" not in readme) == []
