"""reportlab's reading of a shipped font is kept in the data folder and read back exactly, or read again."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from placedesk.reports import font_cache
from placedesk.reports.fonts import ARABIC_FILE, BOLD_FILE, FONT_DIR, REGULAR_FILE

TEXT = "Siân Ŵyn-Roberts, Łucja Żak, Ζωή, Дарья, 50% of £1,234.56"


def _kept_files() -> list[Path]:
    return sorted(font_cache.cache_dir().glob("*.json"))


def _reading(font: TTFont) -> dict[str, Any]:
    # The parser's read position and the scaling function are not part of what a font measures.
    return {k: v for k, v in vars(font.face).items() if k not in ("_pos", "_pdfScale")}


def _pdf(font: TTFont) -> bytes:
    """A page of text in ``font`` registered as "Body", made the same way every time."""
    pdfmetrics.registerFont(font)
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.setFont(font.fontName, 11)
    canvas.drawString(72, 720, TEXT)
    canvas.save()
    return out.getvalue()


@pytest.mark.parametrize("filename", [REGULAR_FILE, BOLD_FILE, ARABIC_FILE])
def test_the_second_reading_comes_from_the_data_folder_and_measures_the_same(filename: str) -> None:
    path = FONT_DIR / filename
    first = font_cache.load_ttfont("Body", path)
    assert type(first) is TTFont and len(_kept_files()) == 1

    again = font_cache.load_ttfont("Body", path)
    fresh = TTFont("Body", str(path))
    assert isinstance(again, font_cache._KeptTTFont)
    assert _reading(again) == _reading(fresh)
    assert sorted(vars(again)) == sorted(vars(fresh)) and again.shapable == fresh.shapable
    assert [again.face._pdfScale(v) for v in (1, 2048, -300)] == [fresh.face._pdfScale(v) for v in (1, 2048, -300)]
    assert again.stringWidth(TEXT, 11) == fresh.stringWidth(TEXT, 11)


def test_a_pdf_set_in_a_kept_font_is_byte_for_byte_the_one_set_in_a_fresh_reading() -> None:
    path = FONT_DIR / REGULAR_FILE
    font_cache.load_ttfont("Body", path)
    kept = font_cache.load_ttfont("Body", path)
    assert isinstance(kept, font_cache._KeptTTFont)
    # The subset embedded is cut from the font file through the kept glyph positions.
    assert _pdf(kept) == _pdf(TTFont("Body", str(path)))


def test_each_font_and_each_reportlab_has_its_own_kept_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    font_cache.load_ttfont("Body", FONT_DIR / REGULAR_FILE)
    font_cache.load_ttfont("Bold", FONT_DIR / BOLD_FILE)
    assert len(_kept_files()) == 2
    # A new reportlab may read fonts differently: it reads them again rather than trust the old reading.
    monkeypatch.setattr(font_cache, "REPORTLAB_VERSION", "99.0")
    assert type(font_cache.load_ttfont("Body", FONT_DIR / REGULAR_FILE)) is TTFont
    assert len(_kept_files()) == 3


def test_a_reading_that_does_not_match_this_reportlab_is_read_again_and_replaced() -> None:
    path = FONT_DIR / ARABIC_FILE
    font_cache.load_ttfont("Body", path)
    [kept] = _kept_files()
    fields = json.loads(kept.read_bytes())
    # As if kept by a reportlab whose reading set one more attribute than this one does.
    fields["face_attributes"].append("kerning")
    kept.write_text(json.dumps(fields), encoding="utf-8")
    assert type(font_cache.load_ttfont("Body", path)) is TTFont
    assert isinstance(font_cache.load_ttfont("Body", path), font_cache._KeptTTFont)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=st.one_of(
    st.binary(max_size=64),
    st.sampled_from([b"{}", b"[]", b'{"recipe": 1}', b'{"recipe": 1, "reading": {"unitsPerEm": {"keys": [1]}}}']),
    st.recursive(st.none() | st.integers() | st.floats() | st.text(max_size=4),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                 max_leaves=8).map(lambda value: json.dumps(value).encode()),
))
def test_any_damage_to_a_kept_reading_means_reading_the_font_again(damage: bytes) -> None:
    path = FONT_DIR / ARABIC_FILE
    font_cache.load_ttfont("Body", path)
    [kept] = _kept_files()
    good = kept.read_bytes()
    kept.write_bytes(damage)
    font = font_cache.load_ttfont("Body", path)
    assert _reading(font) == _reading(TTFont("Body", str(path)))
    # ...and the damaged file is replaced by a sound one.
    assert kept.read_bytes() == good


def test_a_cache_folder_that_cannot_be_written_only_costs_time(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be")
    monkeypatch.setattr(font_cache, "cache_dir", lambda: blocked / "font-metrics")
    font = font_cache.load_ttfont("Body", FONT_DIR / REGULAR_FILE)
    assert font.stringWidth("Siân", 10) > 0


def test_a_missing_font_file_is_an_error_as_before(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        font_cache.load_ttfont("Body", tmp_path / "missing.ttf")


def test_the_shipped_fonts_are_set_unshaped_only_where_reportlab_says(monkeypatch: pytest.MonkeyPatch) -> None:
    path = FONT_DIR / REGULAR_FILE
    font_cache.load_ttfont("Body", path)
    monkeypatch.setattr(ttfonts, "unShapedFontGlob", ["Bo*"])
    assert font_cache.load_ttfont("Body", path).shapable is TTFont("Body", str(path)).shapable is False
