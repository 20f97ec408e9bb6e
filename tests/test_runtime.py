"""Start-up objects are frozen out of garbage collection once, and only once; one-shot commands collect less."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

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


def test_only_a_one_shot_command_collects_less_often(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from placedesk.cli import main

    monkeypatch.setattr(runtime, "_one_shot", False)
    before = gc.get_threshold()
    try:
        # In-process, as tests and embedding code call it: Python's own collection is kept.
        assert main(["--db", str(tmp_path / "x.sqlite"), "check"]) in (0, 1, 2)
        assert gc.get_threshold() == before
        # The installed command, which ends with its sub-command, collects new objects far less often.
        assert main(["--db", str(tmp_path / "x.sqlite"), "check"], one_shot=True) in (0, 1, 2)
        assert gc.get_threshold() == (runtime.ONE_SHOT_THRESHOLD, *before[1:])
        # ...and its objects are frozen as the process leaves.
        runtime.before_exit()
        assert gc.get_freeze_count() > 0
    finally:
        gc.set_threshold(*before)
