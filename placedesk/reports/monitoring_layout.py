"""What the monitoring reports (CAP report, provider monitoring report) add to the shared report look.

The page furniture, colours and base styles come from
:mod:`placedesk.reports.common`; this module adds RAG colouring (cells carry
the word as well as the colour, so a black-and-white print still reads),
ruled tables with a shaded heading row, and a red style for overdue items.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from placedesk.models.enums import Rag
from placedesk.reports import fonts as fontlib
from placedesk.reports.common import (
    CONTENT_WIDTH,
    INK,
    MUTED,
    PAGE_MARGIN,
    RULE,
    SHADE,
    ReportStyles,
    council_letterhead,
    fit_column_widths,
    key_value_table,
    no_orphans,
    numbered_canvas,
    report_styles,
)

RAG_FILL = {Rag.RED: colors.HexColor("#f8d3d0"), Rag.AMBER: colors.HexColor("#fde7b8"),
            Rag.GREEN: colors.HexColor("#d4eed9")}
RAG_INK = {Rag.RED: colors.HexColor("#a61b1b"), Rag.AMBER: colors.HexColor("#8a5a00"),
           Rag.GREEN: colors.HexColor("#1e6b34")}


@dataclass(frozen=True)
class Styles(ReportStyles):
    """The shared report styles with the smaller cells and red text monitoring tables need."""

    cell_red: ParagraphStyle


def styles() -> Styles:
    base = report_styles()
    cell = ParagraphStyle("mon_cell", parent=base.cell, fontSize=8.5, leading=10.5)
    shared = {f.name: getattr(base, f.name) for f in fields(base)}
    shared.update(
        cell=cell,
        cell_bold=ParagraphStyle("mon_cell_bold", parent=cell, fontName=base.fonts.bold),
        cell_right=ParagraphStyle("mon_cell_right", parent=base.cell_right, fontSize=8.5, leading=10.5),
    )
    return Styles(**shared,
                  cell_red=ParagraphStyle("mon_cell_red", parent=cell, fontName=base.fonts.bold,
                                          textColor=RAG_INK[Rag.RED]))


def para(text: str, style: ParagraphStyle, st: Styles, *, bold: bool = False) -> Paragraph:
    """A paragraph of user text: escaped, in a font with every glyph it needs."""
    return Paragraph(fontlib.markup(text, st.fonts, bold=bold), style)


def table(rows: list[list[Any]], widths: Sequence[float], *, header: bool = True,
          extra: Sequence[tuple[Any, ...]] = ()) -> Table:
    """A ruled table with a shaded heading row; ``extra`` adds TableStyle commands (e.g. RAG cells).

    Column widths are adjusted so words wrap at spaces, never inside a word.
    """
    fonts = report_styles().fonts
    widths = fit_column_widths(rows, widths, fonts.bold, 8.5, padding=7)
    result = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    style.extend(no_orphans(len(rows), header))
    style.extend(extra)
    result.setStyle(TableStyle(style))
    return result


def rag_style(column: int, row: int, rag: Rag) -> list[tuple[Any, ...]]:
    """Table commands that colour one RAG cell."""
    return [("BACKGROUND", (column, row), (column, row), RAG_FILL[rag]),
            ("TEXTCOLOR", (column, row), (column, row), RAG_INK[rag])]


def facts(pairs: Sequence[tuple[str, str]], st: Styles) -> Table:
    """Label/value rows; an empty value reads "Not recorded" rather than a blank."""
    return key_value_table([(label, value or "Not recorded") for label, value in pairs], report_styles())


def build_pdf(story: list[Flowable], *, title: str, reference: str, made_on: dt.date, subject: str) -> bytes:
    """Lay ``story`` out on numbered A4 pages; identical input gives identical bytes."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=PAGE_MARGIN, rightMargin=PAGE_MARGIN, topMargin=20 * mm,
        bottomMargin=20 * mm, title=f"{title} {reference}", subject=subject, creator="PlaceDesk", invariant=1,
    )
    letterhead = council_letterhead()
    canvas = numbered_canvas(letterhead.council, title, f"{reference} · made {made_on.strftime('%d/%m/%Y')}",
                             "OFFICIAL – SENSITIVE", logo=letterhead.logo)
    doc.build(story, canvasmaker=canvas)
    return buffer.getvalue()


__all__ = ["CONTENT_WIDTH", "INK", "MUTED", "RAG_FILL", "RAG_INK", "RULE", "SHADE", "Styles", "build_pdf", "facts",
           "para", "rag_style", "styles", "table"]
