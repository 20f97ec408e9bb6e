"""The signature-stamp font is made once and kept in the data folder, keyed by the font and the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from placedesk.config import data_dir
from placedesk.reports import signing


def test_the_stamp_font_is_made_once_then_read_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    signing._stamp_font_program.cache_clear()
    first = signing._stamp_font_program("Siân Ŵyn-Roberts 0123456789")
    kept = list((data_dir() / "cache" / "stamp-fonts").glob("*.ttf"))
    assert len(kept) == 1 and kept[0].read_bytes() == first

    # A new process (the in-memory cache empty) reads the kept font instead of making it again.
    signing._stamp_font_program.cache_clear()

    def not_again(font: bytes, text: str) -> bytes:
        raise AssertionError("the stamp font was made again")

    monkeypatch.setattr(signing, "_make_stamp_font", not_again)
    assert signing._stamp_font_program("Siân Ŵyn-Roberts 0123456789") == first
    signing._stamp_font_program.cache_clear()


def test_an_unwritable_cache_only_costs_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setattr("placedesk.config.data_dir", lambda: blocked)
    signing._stamp_font_program.cache_clear()
    assert signing._stamp_font_program("Zoë").startswith((b"\x00\x01\x00\x00", b"true", b"OTTO"))
    signing._stamp_font_program.cache_clear()
