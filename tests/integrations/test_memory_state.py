"""The single-process shared state forgets expired keys even when nobody reads them again."""

from __future__ import annotations

from integrations.state import MemoryState


async def test_expired_rate_windows_are_swept_as_the_map_grows() -> None:
    clock = [0.0]
    state = MemoryState(now=lambda: clock[0])
    for n in range(9_999):  # a release-day burst: each citizen once, never again
        await state.hit(f"rate:score:{n}", 60)
    clock[0] = 61.0  # every window has ended
    await state.hit("rate:score:late", 60)  # the 10,000th key: a sweep
    assert len(state._data) == 1
    assert await state.hit("rate:score:late", 60) == (2, 60.0)


async def test_live_keys_survive_a_sweep() -> None:
    clock = [0.0]
    state = MemoryState(now=lambda: clock[0])
    await state.set("lock", "held")  # no expiry
    for n in range(9_998):  # with the lock, one key short of a sweep
        await state.hit(f"rate:{n}", 60 if n % 2 else 1)
    clock[0] = 2.0
    await state.hit("rate:more", 60)
    assert await state.get("lock") == "held"
    assert len(state._data) == 1 + 4_999 + 1  # the lock, the 60 s windows, the new one
