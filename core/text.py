"""Text no database of ours can store: one definition, used at every boundary.

PostgreSQL refuses NUL in text; neither database stores a lone UTF-16 surrogate; no field of
ours means a control character. Requests carrying such text are refused
(``miniapp_api.boundary``); text from a partner we cannot refuse (a carrier's scan) is
cleaned with ``without_controls``.
"""

from __future__ import annotations

import re

# C0 controls but tab, LF and CR; DEL and the C1 block; lone surrogates
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# in a path or a query nothing below a space is meant either
UNSTORABLE_IN_URL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def without_controls(text: str) -> str:
    """``text`` with every unstorable character removed."""
    return UNSTORABLE.sub("", text)
