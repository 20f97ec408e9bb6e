"""Start-up objects are frozen out of garbage collection once, and only once."""

from __future__ import annotations

import gc

from placedesk import runtime


def test_the_first_call_freezes_what_is_alive_and_later_calls_do_nothing() -> None:
    # tests/conftest.py starts each test unfrozen, as a new process.
    assert gc.get_freeze_count() == 0
    assert runtime.freeze_startup_objects()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    # A later window's leftovers are not frozen with it: they must stay collectable.
    leftover: list[object] = []
    leftover.append(leftover)
    assert not runtime.freeze_startup_objects()
    assert gc.get_freeze_count() == frozen
