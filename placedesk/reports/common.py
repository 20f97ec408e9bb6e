"""Shared look for PlaceDesk's reportlab documents: colours, paragraph styles, tables, page furniture.

Documents other than the IPA (referral packs, CAP and monitoring reports)
use these so every PDF an officer sends looks like it came from one place.
Text goes through :func:`placedesk.reports.fonts.markup`, so names in any
script print with the embedded fonts.
"""

from __future__ import annotations

import html
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Paragraph, Table, TableStyle

from placedesk.reports import fonts as fontlib

log = logging.getLogger(__name__)

INK = colors.HexColor("#1f2a44")
MUTED = colors.HexColor("#4a5568")
RULE = colors.HexColor("#9aa5b8")
SHADE = colors.HexColor("#eef1f6")
PAGE_MARGIN = 20 * mm
CONTENT_WIDTH = A4[0] - 2 * PAGE_MARGIN
# The council's logo, optional: the first of these found in PlaceDesk's data folder.
LOGO_FILES = ("logo.png", "logo.jpg", "logo.jpeg")
LOGO_HEIGHT = 9 * mm
LOGO_MAX_WIDTH = 40 * mm


@dataclass(frozen=True)
class Letterhead:
    """What heads every page of a document the council sends: its name and, optionally, its logo."""

    council: str
    logo: bytes | None = None


def council_letterhead() -> Letterhead:
    """The officer's council (from the settings) and the logo file in the data folder, if there is one."""
    from placedesk.config import data_dir, load_settings

    council = load_settings().settings.officer.local_authority.strip() or "Local authority"
    folder = data_dir()
    for name in LOGO_FILES:
        path = folder / name
        if path.is_file():
            try:
                return Letterhead(council, path.read_bytes())
            except OSError as exc:
                log.warning("The council logo %s could not be read (%s); printing without it", name, exc)
    return Letterhead(council)


def _logo_image(logo: bytes | None) -> tuple[ImageReader, float] | None:
    """The logo ready to draw and its width at the header height, or None if it is not an image."""
    if not logo:
        return None
    try:
        image = ImageReader(io.BytesIO(logo))
        width, height = image.getSize()
    except Exception as exc:  # noqa: BLE001 - PIL raises many kinds for a bad image; the header still prints
        log.warning("The council logo is not a readable PNG or JPEG (%s); printing without it", type(exc).__name__)
        return None
    if not width or not height:
        return None
    return image, min(LOGO_MAX_WIDTH, LOGO_HEIGHT * width / height)


@dataclass(frozen=True)
class ReportStyles:
    """The paragraph styles every report shares, bound to the registered fonts."""

    fonts: fontlib.FontSet
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    bullet: ParagraphStyle


def report_styles() -> ReportStyles:
    """Styles on the embedded Unicode fonts (registered on first use)."""
    fonts = fontlib.register_fonts()
    body = ParagraphStyle("pd_body", fontName=fonts.regular, fontSize=9.5, leading=13, spaceAfter=5, textColor=INK)
    return ReportStyles(
        fonts=fonts,
        title=ParagraphStyle("pd_title", parent=body, fontName=fonts.bold, fontSize=18, leading=22, spaceAfter=2),
        subtitle=ParagraphStyle("pd_subtitle", parent=body, fontSize=10.5, leading=14, textColor=MUTED, spaceAfter=8),
        heading=ParagraphStyle("pd_heading", parent=body, fontName=fonts.bold, fontSize=12, leading=15,
                               spaceBefore=10, spaceAfter=5, keepWithNext=1),
        body=body,
        small=ParagraphStyle("pd_small", parent=body, fontSize=8, leading=10, textColor=MUTED),
        cell=ParagraphStyle("pd_cell", parent=body, fontSize=9, leading=11.5, spaceAfter=0),
        cell_bold=ParagraphStyle("pd_cell_bold", parent=body, fontName=fonts.bold, fontSize=9, leading=11.5,
                                 spaceAfter=0),
        cell_right=ParagraphStyle("pd_cell_right", parent=body, fontSize=9, leading=11.5, spaceAfter=0,
                                  alignment=TA_RIGHT),
        bullet=ParagraphStyle("pd_bullet", parent=body, leftIndent=12, bulletIndent=2, spaceAfter=3),
    )


def para(text: str, style: ParagraphStyle, styles: ReportStyles, *, bold: bool = False) -> Paragraph:
    """A paragraph of plain text (escaped, with per-script fonts)."""
    return Paragraph(fontlib.markup(text, styles.fonts, bold=bold), style)


def bullets(items: Sequence[str], styles: ReportStyles) -> list[Paragraph]:
    """One bulleted paragraph per item."""
    return [Paragraph(fontlib.markup(item, styles.fonts), styles.bullet, bulletText="•") for item in items]


# Left and right cell padding of key/value tables, in points.
_CELL_PADDING = 10


def _plain_fits(text: str, font: str, size: float, width: float, styles: ReportStyles) -> bool:
    """Text on one line within ``width``, in the regular font's glyphs, can be a plain table cell
    (far cheaper than a Paragraph); anything longer must wrap, or it runs into the next column."""
    return ("\n" not in text and all(ord(c) in styles.fonts.regular_chars for c in text)
            and stringWidth(text, font, size) <= width - _CELL_PADDING)


def key_value_table(rows: Sequence[tuple[str, str]], styles: ReportStyles, *, key_width: float = 48 * mm) -> Table:
    """Label / value pairs, labels shaded, for facts such as "Age: 13"."""
    size, value_width = styles.cell.fontSize, CONTENT_WIDTH - key_width
    data = [
        [key if _plain_fits(key, styles.fonts.bold, size, key_width, styles)
         else para(key, styles.cell_bold, styles),
         (value or "—") if _plain_fits(value or "—", styles.fonts.regular, size, value_width, styles)
         else para(value, styles.cell, styles)]
        for key, value in rows
    ]
    table = Table(data, colWidths=[key_width, CONTENT_WIDTH - key_width], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (0, -1), styles.fonts.bold),
        ("FONTNAME", (1, 0), (1, -1), styles.fonts.regular),
        ("FONTSIZE", (0, 0), (-1, -1), styles.cell.fontSize),
        ("LEADING", (0, 0), (-1, -1), styles.cell.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def quantity(value: float, unit: str) -> str:
    """"1 incident", "2 incidents", "95%": a number with its unit read as English."""
    number = f"{value:g}"
    if not unit:
        return number
    if unit == "%":
        return f"{number}%"
    if value == 1 and unit.endswith("s") and not unit.endswith("ss"):
        unit = unit[:-1]
    return f"{number} {unit}"


_TAG = re.compile(r"<[^>]*>")
# Left plus right cell padding allowed for when fitting words, in points.
_WORD_PADDING = 8


def _word_width(cell: Any, font: str, size: float) -> float:
    """The room a cell cannot do without, in points: its widest word if it is a Paragraph
    (which wraps), its widest line if it is plain text (which never wraps)."""
    if isinstance(cell, Paragraph):
        text = html.unescape(_TAG.sub(" ", cell.text))
        return max((stringWidth(word, cell.style.fontName, cell.style.fontSize) for word in text.split()),
                   default=0.0)
    if isinstance(cell, str):
        return max((stringWidth(line, font, size) for line in cell.splitlines()), default=0.0)
    return 0.0


def fit_column_widths(rows: Sequence[Sequence[Any]], widths: Sequence[float], font: str, size: float,
                      *, padding: float = _WORD_PADDING) -> list[float]:
    """``widths`` moved about so every column is at least as wide as its longest word.

    Words then wrap at spaces, never inside ("Escalated", not "Es calated"):
    the room comes from columns with more than they need, in proportion to
    their spare width. Only a word too long for any fair share is still split.
    """
    need = [0.0] * len(widths)
    for row in rows:
        for column, cell in enumerate(row[:len(widths)]):
            need[column] = max(need[column], _word_width(cell, font, size) + padding)
    fitted = [max(w, n) for w, n in zip(widths, need)]
    excess = sum(fitted) - sum(widths)
    if excess <= 0.01:
        return list(widths)
    spare = [max(0.0, f - n) for f, n in zip(fitted, need)]
    total_spare = sum(spare)
    if total_spare <= 0:
        scale = sum(widths) / sum(fitted)
        return [f * scale for f in fitted]
    take = min(1.0, excess / total_spare)
    fitted = [f - s * take for f, s in zip(fitted, spare)]
    if excess > total_spare:
        scale = sum(widths) / sum(fitted)
        fitted = [f * scale for f in fitted]
    return fitted


def no_orphans(rows: int, header: bool = True) -> list[tuple[Any, ...]]:
    """TableStyle commands so a page break never leaves one row alone: the heading stays with
    the first two rows and the last two rows stay together."""
    first = 2 if header else 1
    if rows < first + 3:
        return []
    return [("NOSPLIT", (0, 0), (-1, first)), ("NOSPLIT", (0, rows - 2), (-1, rows - 1))]


def numbered_canvas(header_left: str, header_right: str, footer_left: str, notice: str,
                    logo: bytes | None = None) -> type[Canvas]:
    """A canvas class that stamps a header, a footer and "Page X of Y" on every page.

    ``header_left`` is the council's name; its ``logo`` (PNG or JPEG bytes), when
    given, goes before it. Pages are held back until the end because the total
    is known only then.
    """
    fonts = fontlib.register_fonts()
    drawn_logo = _logo_image(logo)

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _text(self, x: float, y: float, text: str, *, bold: bool = False, size: float = 9) -> None:
            for font, run in fontlib.runs(text, fonts, bold=bold):
                self.setFont(font, size)
                self.drawString(x, y, run)
                x += self.stringWidth(run, font, size)

        def _decorate(self, total: int) -> None:
            width, height = A4
            self.saveState()
            self.setFillColor(INK)
            x = PAGE_MARGIN
            if drawn_logo is not None:
                image, logo_width = drawn_logo
                self.drawImage(image, x, height - 13 * mm, width=logo_width, height=LOGO_HEIGHT,
                               preserveAspectRatio=True, anchor="sw", mask="auto")
                x += logo_width + 3 * mm
            self._text(x, height - 12 * mm, header_left, bold=True)
            self.setFont(fonts.regular, 9)
            self.drawRightString(width - PAGE_MARGIN, height - 12 * mm, header_right)
            self.setStrokeColor(RULE)
            self.setLineWidth(0.6)
            self.line(PAGE_MARGIN, height - 14 * mm, width - PAGE_MARGIN, height - 14 * mm)
            self.line(PAGE_MARGIN, 14 * mm, width - PAGE_MARGIN, 14 * mm)
            self.setFillColor(MUTED)
            self._text(PAGE_MARGIN, 10 * mm, footer_left, size=8)
            self.setFont(fonts.regular, 8)
            self.drawRightString(width - PAGE_MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
            self.drawCentredString(width / 2, 6 * mm, notice)
            self.restoreState()

    return NumberedCanvas


__all__ = [
    "CONTENT_WIDTH",
    "INK",
    "Letterhead",
    "MUTED",
    "PAGE_MARGIN",
    "RULE",
    "SHADE",
    "ReportStyles",
    "bullets",
    "council_letterhead",
    "fit_column_widths",
    "key_value_table",
    "no_orphans",
    "numbered_canvas",
    "para",
    "quantity",
    "report_styles",
]
