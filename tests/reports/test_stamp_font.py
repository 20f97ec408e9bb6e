"""The signature-stamp font is prepared once and kept in the data folder, keyed by the font and the text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from placedesk.config import data_dir
from placedesk.reports import stamp_font
from placedesk.reports.fonts import FONT_DIR, REGULAR_FILE

TEXT = "Siân Ŵyn-Roberts 0123456789"


def test_the_stamp_font_is_prepared_once_then_read_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    stamp_font.prepared_stamp_font.cache_clear()
    first = stamp_font.prepared_stamp_font(TEXT)
    kept = list((data_dir() / "cache" / "stamp-fonts").glob("*.json"))
    assert len(kept) == 1 and stamp_font.StampFont.from_bytes(kept[0].read_bytes()) == first

    # A new process (the in-memory cache empty) reads the kept font instead of preparing it again.
    stamp_font.prepared_stamp_font.cache_clear()

    def not_again(font: bytes, text: str) -> stamp_font.StampFont:
        raise AssertionError("the stamp font was prepared again")

    monkeypatch.setattr(stamp_font, "make_stamp_font", not_again)
    assert stamp_font.prepared_stamp_font(TEXT) == first
    stamp_font.prepared_stamp_font.cache_clear()


def test_an_unwritable_cache_only_costs_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setattr("placedesk.config.data_dir", lambda: blocked)
    stamp_font.prepared_stamp_font.cache_clear()
    assert stamp_font.prepared_stamp_font("Zoë").program.startswith((b"\x00\x01\x00\x00", b"true", b"OTTO"))
    stamp_font.prepared_stamp_font.cache_clear()


def test_a_damaged_kept_font_is_prepared_again() -> None:
    stamp_font.prepared_stamp_font.cache_clear()
    first = stamp_font.prepared_stamp_font(TEXT)
    [kept] = (data_dir() / "cache" / "stamp-fonts").glob("*.json")
    kept.write_bytes(b'{"recipe": 3, "program": "not base64!"')
    stamp_font.prepared_stamp_font.cache_clear()
    assert stamp_font.prepared_stamp_font(TEXT) == first
    assert stamp_font.StampFont.from_bytes(kept.read_bytes()) == first
    stamp_font.prepared_stamp_font.cache_clear()


def test_the_prepared_font_measures_as_the_font_itself() -> None:
    from fontTools import ttLib

    prepared = stamp_font.make_stamp_font((FONT_DIR / REGULAR_FILE).read_bytes(), "Ŵw")
    face = ttLib.TTFont(io.BytesIO(prepared.program))
    assert face["head"].unitsPerEm == 1000 and prepared.postscript_name == "DejaVuSans"
    w_circumflex = face.getGlyphID(face.getBestCmap()[ord("Ŵ")])
    assert prepared.widths[w_circumflex] == face["hmtx"][face.getGlyphName(w_circumflex)][0]
    assert prepared.characters[w_circumflex] == (ord("Ŵ"),)
    # The copy the PDF carries keeps every glyph at its id, without the layout tables only shaping reads.
    carried = ttLib.TTFont(io.BytesIO(prepared.embedded))
    assert carried.getGlyphOrder()[w_circumflex] and "GPOS" not in carried and "GSUB" not in carried



@pytest.mark.parametrize("text", [
    "Signed by Siân Ŵyn-Roberts", "AVATAR Wa To",  # kerning pairs
    "Zoq\u0301 n\u0303\u0323",  # combining marks the font moves sideways
    "A\u0301\u0301 \u03b5\u0301\u0313",  # ... and stacks above a capital: glyph by glyph
    "Date: 06/12/2026 14:03 GMT", "",
])
def test_lines_are_drawn_as_pyhankos_own_opentype_engine_draws_them(text: str) -> None:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
    from pyhanko.pdf_utils.writer import PdfFileWriter

    prepared = stamp_font.make_stamp_font((FONT_DIR / REGULAR_FILE).read_bytes(), text + "?")
    theirs = GlyphAccumulator(PdfFileWriter(), io.BytesIO(prepared.program), 10, writing_direction="ltr")
    ours = stamp_font.StampFontEngine(PdfFileWriter(), prepared, 10)
    assert ours.shape(text) == theirs.shape(text)
    # The same glyphs, widths and copied text end up in the PDF's font.
    assert ours._to_unicode == theirs._cid_to_unicode
    assert {gid: prepared.widths[gid] for gid in ours._used} == {gid: w for gid, w in theirs._glyphs.values()}
