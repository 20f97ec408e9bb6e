"""Embedded Unicode fonts for PDFs, and choosing a font per run of text.

Every name must print: accents, Welsh (ŵ ŷ), Polish (ł ż ś) and Arabic script.
DejaVu Sans covers the Latin, Greek and Cyrillic names officers meet; Arabic
runs are set in Noto Sans Arabic. reportlab draws glyphs one by one without
a shaping engine, so Arabic runs are shaped here (contextual letter forms
from Unicode's presentation forms) and put in visual (right-to-left) order.

If the shipped fonts cannot be read, PDFs fall back to the standard
Helvetica fonts: they still print, and characters outside Latin-1 show as
gaps rather than stopping the document.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from html import escape as _html_escape

log = logging.getLogger(__name__)

FONT_DIR = Path(__file__).resolve().parents[1] / "resources" / "fonts"
REGULAR_FILE = "DejaVuSans.ttf"
BOLD_FILE = "DejaVuSans-Bold.ttf"
ARABIC_FILE = "NotoSansArabic-Regular.ttf"

REGULAR = "PlaceDesk-Sans"
BOLD = "PlaceDesk-Sans-Bold"
ARABIC = "PlaceDesk-Arabic"


@dataclass(frozen=True)
class FontSet:
    """The font names to use in reportlab, and the characters each covers."""

    regular: str
    bold: str
    arabic: str | None
    embedded: bool
    regular_chars: frozenset[int]
    arabic_chars: frozenset[int]


_lock = threading.Lock()
_fonts: FontSet | None = None


def register_fonts() -> FontSet:
    """Register the shipped TrueType fonts once per process and return their names."""
    global _fonts
    with _lock:
        if _fonts is None:
            _fonts = _register()
        return _fonts


def _register() -> FontSet:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError

    from placedesk.reports.font_cache import load_ttfont

    try:
        regular = load_ttfont(REGULAR, FONT_DIR / REGULAR_FILE)
        bold = load_ttfont(BOLD, FONT_DIR / BOLD_FILE)
    except (OSError, TTFError) as exc:
        # A damaged install must not stop an agreement being printed.
        log.warning("Unicode fonts could not be loaded (%s); using Helvetica", exc)
        return FontSet("Helvetica", "Helvetica-Bold", None, False, frozenset(range(256)), frozenset())
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    for is_bold, is_italic, name in ((0, 0, REGULAR), (1, 0, BOLD), (0, 1, REGULAR), (1, 1, BOLD)):
        addMapping(REGULAR, is_bold, is_italic, name)
    arabic_name: str | None = None
    arabic_chars: frozenset[int] = frozenset()
    try:
        arabic = load_ttfont(ARABIC, FONT_DIR / ARABIC_FILE)
    except (OSError, TTFError) as exc:
        log.warning("The Arabic font could not be loaded (%s); Arabic is set in DejaVu Sans", exc)
    else:
        pdfmetrics.registerFont(arabic)
        arabic_name = ARABIC
        arabic_chars = frozenset(arabic.face.charToGlyph)
    return FontSet(REGULAR, BOLD, arabic_name, True, frozenset(regular.face.charToGlyph), arabic_chars)


def is_arabic(char: str) -> bool:
    """Whether ``char`` belongs to an Arabic-script block (letters, marks, presentation forms)."""
    code = ord(char)
    return (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    )


@lru_cache(maxsize=1)
def _presentation_forms() -> tuple[dict[tuple[str, str], str], frozenset[str]]:
    """(letter or lam-alef pair, form) -> presentation character, and the dual-joining letters.

    Built from Unicode's own decompositions of the presentation-form blocks, so
    no hand-typed tables can be wrong.
    """
    forms: dict[tuple[str, str], str] = {}
    for code in range(0xFE70, 0xFF00):
        decomposition = unicodedata.decomposition(chr(code))
        if not decomposition.startswith("<"):
            continue
        tag, *codes = decomposition.split()
        form = tag.strip("<>")
        if form not in ("isolated", "final", "initial", "medial"):
            continue
        base = "".join(chr(int(c, 16)) for c in codes)
        forms.setdefault((base, form), chr(code))
    dual = frozenset(base for (base, form) in forms if form in ("initial", "medial") and len(base) == 1)
    return forms, dual


def shape_arabic(text: str) -> str:
    """Contextual forms for an Arabic run, returned in visual (left-to-right drawing) order."""
    forms, dual = _presentation_forms()
    letters = list(text)
    shaped: list[str] = []
    i = 0
    while i < len(letters):
        char = letters[i]
        # Lam followed by alef is always written as one ligature.
        pair = char + letters[i + 1] if i + 1 < len(letters) else ""
        prev_joins = i > 0 and letters[i - 1] in dual
        if pair and (pair, "isolated") in forms:
            form = "final" if prev_joins and (pair, "final") in forms else "isolated"
            shaped.append(forms[(pair, form)])
            i += 2
            continue
        next_char = letters[i + 1] if i + 1 < len(letters) else ""
        joins_next = char in dual and bool(next_char) and any((next_char, f) in forms for f in ("final", "medial"))
        form = {(True, True): "medial", (True, False): "final", (False, True): "initial"}.get(
            (prev_joins, joins_next), "isolated"
        )
        shaped.append(forms.get((char, form)) or forms.get((char, "isolated")) or char)
        i += 1
    return "".join(reversed(shaped))


def runs(text: str, fonts: FontSet, *, bold: bool = False) -> list[tuple[str, str]]:
    """Split ``text`` into (font name, text) runs; Arabic runs are shaped for drawing."""
    base = fonts.bold if bold else fonts.regular
    result: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        if is_arabic(text[i]):
            j = i
            # Spaces between Arabic words stay inside the run so the words keep their order.
            while j < len(text) and (is_arabic(text[j]) or (text[j] == " " and _arabic_follows(text, j))):
                j += 1
            arabic_font = fonts.arabic or base
            covered = fonts.arabic_chars if fonts.arabic else fonts.regular_chars
            shaped = shape_arabic(text[i:j])
            result.append((arabic_font, "".join(c if ord(c) in covered or c == " " else "?" for c in shaped)))
            i = j
        else:
            j = i
            while j < len(text) and not is_arabic(text[j]):
                j += 1
            result.append((base, _cover(text[i:j], fonts)))
            i = j
    return result


def _arabic_follows(text: str, index: int) -> bool:
    rest = text[index:].lstrip(" ")
    return bool(rest) and is_arabic(rest[0])


def _cover(text: str, fonts: FontSet) -> str:
    """Replace characters the font lacks with '?' so nothing prints as an empty box."""
    if all(ord(c) in fonts.regular_chars or c in "\n\t" for c in text):
        return text
    return "".join(c if ord(c) in fonts.regular_chars or c in "\n\t" else "?" for c in text)


def escape(text: str) -> str:
    """``text`` safe inside Paragraph markup (&, < and >), as xml.sax.saxutils escapes it.

    html's escape does the same without loading xml.sax, which imports urllib and
    http.client: a fiftieth of a second on every command that prints a PDF.
    """
    return _html_escape(text, quote=False)


def markup(text: str, fonts: FontSet | None = None, *, bold: bool = False) -> str:
    """Paragraph markup for ``text``: escaped, each run in a font that has its glyphs."""
    fonts = fonts or register_fonts()
    base = fonts.bold if bold else fonts.regular
    parts = []
    for font, run in runs(text, fonts, bold=bold):
        escaped = escape(run).replace("\n", "<br/>")
        parts.append(escaped if font == base else f'<font name="{font}">{escaped}</font>')
    body = "".join(parts)
    return f'<font name="{base}">{body}</font>' if bold else body


__all__ = ["FontSet", "is_arabic", "markup", "register_fonts", "runs", "shape_arabic"]
