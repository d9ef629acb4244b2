"""UTF-8 byte limits: never more bytes than allowed, never half a character."""

from __future__ import annotations

from bot.utf8 import pack_blocks, truncate_utf8, utf8_len


def test_truncate_keeps_whole_characters() -> None:
    text = "督办" * 2000  # 3 bytes a character
    for limit in (4096, 4095, 4094, 10, 4):
        cut = truncate_utf8(text, limit)
        assert utf8_len(cut) <= limit
        assert cut.encode("utf-8").decode("utf-8") == cut  # valid UTF-8 through and through
        assert cut.endswith("…")


def test_short_text_untouched() -> None:
    assert truncate_utf8("办件 20261126-000123-7", 4096) == "办件 20261126-000123-7"


def test_pack_fills_messages_in_order() -> None:
    blocks = [f"> 办件 {n:04d} 已超期，请立即办理。" for n in range(300)]
    messages = pack_blocks(blocks, 4096)
    assert all(utf8_len(m) <= 4096 for m in messages)
    assert "\n".join(messages).split("\n") == blocks  # nothing lost, nothing reordered
    assert len(messages) == -(-utf8_len("\n".join(blocks)) // 4096)  # as few as fit


def test_oversized_block_is_cut_not_split_mid_character() -> None:
    messages = pack_blocks(["短", "长" * 5000, "尾"], 4096)
    assert [utf8_len(m) <= 4096 for m in messages] == [True, True, True]
    assert messages[0] == "短" and messages[2] == "尾"
    assert messages[1].endswith("…")
