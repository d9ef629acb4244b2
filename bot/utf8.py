"""Text limits of the platforms, counted in UTF-8 bytes and never cut inside a character."""

from __future__ import annotations

ELLIPSIS = "…"


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def truncate_utf8(text: str, max_bytes: int, marker: str = ELLIPSIS) -> str:
    """``text`` if it fits in ``max_bytes``, else its longest prefix that fits with ``marker``.

    Cutting the encoded bytes could split a 3-byte Chinese character; decoding with
    ``errors="ignore"`` drops such a partial character instead of sending broken UTF-8.
    """
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    room = max_bytes - utf8_len(marker)
    if room <= 0:
        return raw[:max_bytes].decode("utf-8", errors="ignore")
    return raw[:room].decode("utf-8", errors="ignore") + marker


def pack_blocks(blocks: list[str], max_bytes: int, separator: str = "\n") -> list[str]:
    """Blocks joined into as few messages of at most ``max_bytes`` as order allows.

    A block too big for one message on its own is truncated (with an ellipsis) to fit.
    """
    messages: list[str] = []
    current = ""
    for block in blocks:
        block = truncate_utf8(block, max_bytes)
        joined = f"{current}{separator}{block}" if current else block
        if utf8_len(joined) <= max_bytes:
            current = joined
            continue
        messages.append(current)
        current = block
    if current:
        messages.append(current)
    return messages
