"""The Individual Placement Agreement as a PDF: plain data in, PDF bytes out.

The document is laid out with reportlab's platypus: numbered sections in the
order DOMAIN.md gives, a running header with the council's name, and a
footer carrying the agreement reference, version and "Page X of Y" (the page
total is known only at the end, so pages are held back and stamped then).
The two signature boxes are recorded where they land and become empty PDF
signature fields, so the officer's signature and the provider's
countersignature each go in their own box.

Clause wording comes from text files (see :func:`load_clauses`): a council
replaces any default by dropping a file of the same name in its override
folder.
"""

from __future__ import annotations

import datetime as dt
import io
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from placedesk.reports import fonts as fontlib
from placedesk.reports.common import numbered_canvas
from placedesk.reports.signing import LA_FIELD, PROVIDER_FIELD, FieldBox, add_signature_fields
from placedesk.services.common.parsing import format_date, format_money, format_percent

CLAUSE_DIR = Path(__file__).resolve().parents[1] / "resources" / "clauses"
CLAUSE_NAMES = (
    "preamble",
    "payment_terms",
    "notice_period",
    "reporting_duties",
    "reviews",
    "supersedes",
    "funding",
    "outcomes",
    "general_terms",
    "signatures",
)
# The state rule for an annual figure: 52 weeks, not 365/7.
WEEKS_PER_YEAR = 52
TITLE = "Individual Placement Agreement"
PAGE_MARGIN = 20 * mm
SIGNATURE_BOX = (80 * mm, 30 * mm)
INK = colors.HexColor("#1f2a44")
RULE = colors.HexColor("#9aa5b8")
SHADE = colors.HexColor("#eef1f6")


@dataclass(frozen=True)
class FeeLine:
    """One weekly fee line as printed."""

    kind: str
    description: str
    weekly_pence: int


@dataclass(frozen=True)
class FundingShare:
    """A funding partner's share: basis points and weekly pence (already split to the penny)."""

    partner: str
    share_bp: int
    weekly_pence: int


@dataclass(frozen=True)
class Kpi:
    """A KPI the placement is measured by."""

    name: str
    kind: str
    target: str
    description: str = ""


@dataclass(frozen=True)
class VersionEntry:
    """An earlier version listed in the versions section."""

    version: int
    issued_on: dt.date | None
    status: str
    change_reason: str


@dataclass(frozen=True)
class IpaData:
    """Everything printed on one version of an agreement (no database objects)."""

    agreement_ref: str
    version: int
    issued_on: dt.date
    la_name: str
    la_address: str
    officer_name: str
    officer_role: str
    officer_email: str
    provider_name: str
    provider_owner: str
    provider_address: str
    provider_urn: str
    provider_contact: str
    contract_route: str
    placement_ref: str
    placement_type: str
    placement_address: str
    start_date: dt.date
    planned_end_date: dt.date | None
    review_date: dt.date | None
    child_name: str
    child_known_as: str
    child_date_of_birth: dt.date
    child_gender: str
    child_case_reference: str
    child_legal_status: str
    child_home_authority: str
    fee_lines: tuple[FeeLine, ...]
    funding_shares: tuple[FundingShare, ...]
    payment_terms: str = ""
    notice_period_days: int = 28
    outcomes: tuple[str, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    review_dates: tuple[dt.date, ...] = ()
    special_conditions: str = ""
    change_reason: str = ""
    history: tuple[VersionEntry, ...] = ()
    clauses: Mapping[str, str] = field(default_factory=dict)

    @property
    def weekly_total_pence(self) -> int:
        return sum(line.weekly_pence for line in self.fee_lines)

    @property
    def keywords(self) -> str:
        """Written into the PDF so a returned file can be matched to its agreement."""
        return agreement_keywords(self.agreement_ref, self.version)


def agreement_keywords(ref: str, version: int) -> str:
    return f"placedesk-agreement:{ref};version:{version}"


def load_clauses(override_dir: Path | None = None) -> dict[str, str]:
    """The clause texts: the shipped defaults, each replaced by a same-named file in ``override_dir``."""
    texts: dict[str, str] = {}
    for name in CLAUSE_NAMES:
        chosen = CLAUSE_DIR / f"{name}.txt"
        if override_dir is not None:
            for suffix in (".txt", ".md"):
                candidate = override_dir / f"{name}{suffix}"
                if candidate.is_file():
                    chosen = candidate
                    break
        texts[name] = chosen.read_text(encoding="utf-8").strip()
    return texts


class _Blank(dict[str, Any]):
    """Leave unknown ``{names}`` in a council's clause visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_clause(text: str, values: Mapping[str, Any]) -> str:
    """Fill ``{placeholders}``; a malformed brace in a council's text prints as written."""
    try:
        return string.Formatter().vformat(text, (), _Blank(values))
    except (ValueError, IndexError):
        return text


@dataclass
class _Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    bullet: ParagraphStyle


def _styles(fonts: fontlib.FontSet) -> _Styles:
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=9.5, leading=13, spaceAfter=5, textColor=INK)
    return _Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#4a5568")),
        heading=ParagraphStyle(
            "heading", parent=body, fontName=fonts.bold, fontSize=12, leading=15, spaceBefore=10, spaceAfter=5
        ),
        title=ParagraphStyle("title", parent=body, fontName=fonts.bold, fontSize=18, leading=22, spaceAfter=4),
        cell=ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5, spaceAfter=0),
        cell_bold=ParagraphStyle("cell_bold", parent=body, fontName=fonts.bold, fontSize=9, leading=11.5, spaceAfter=0),
        cell_right=ParagraphStyle("cell_right", parent=body, fontSize=9, leading=11.5, spaceAfter=0, alignment=TA_RIGHT),
        bullet=ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2, spaceAfter=3),
    )


class _SignatureBox(Flowable):
    """An empty box that remembers the page and rectangle it was drawn at."""

    def __init__(self, field_name: str, caption: str, found: dict[str, FieldBox], fonts: fontlib.FontSet) -> None:
        super().__init__()
        self.width, self.height = SIGNATURE_BOX
        self.field_name = field_name
        self.caption = caption
        self.found = found
        self.fonts = fonts

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(RULE)
        canv.setDash(2, 2)
        canv.rect(0, 0, self.width, self.height)
        canv.setFillColor(colors.HexColor("#8a94a6"))
        canv.setFont(self.fonts.regular, 7)
        canv.drawString(3, 3, self.caption)
        canv.restoreState()
        x, y = canv.absolutePosition(0, 0)
        self.found[self.field_name] = FieldBox(
            self.field_name, canv.getPageNumber() - 1, (x, y, x + self.width, y + self.height)
        )


def _p(text: str, style: ParagraphStyle, fonts: fontlib.FontSet, *, bold: bool = False) -> Paragraph:
    return Paragraph(fontlib.markup(text, fonts, bold=bold), style)


def _clause(text: str, st: _Styles, fonts: fontlib.FontSet) -> list[Flowable]:
    """Paragraphs and "- " bullets of a clause text as flowables."""
    out: list[Flowable] = []
    for block in text.split("\n\n"):
        lines = [line.rstrip() for line in block.strip().splitlines() if line.strip()]
        prose: list[str] = []
        for line in lines:
            if line.lstrip().startswith("- "):
                if prose:
                    out.append(_p(" ".join(prose), st.body, fonts))
                    prose = []
                out.append(Paragraph(fontlib.markup(line.lstrip()[2:], fonts), st.bullet, bulletText="•"))
            else:
                prose.append(line.strip())
        if prose:
            out.append(_p(" ".join(prose), st.body, fonts))
    return out


def _table(
    rows: list[list[Any]],
    widths: Sequence[float],
    *,
    header: bool = True,
    total_rows: int = 0,
    fonts: fontlib.FontSet | None = None,
    bold_columns: Sequence[int] = (),
    right_columns: Sequence[int] = (),
) -> Table:
    """A ruled table. Plain-string cells (headings, labels, amounts) skip paragraph layout: much faster."""
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
    ]
    if fonts is not None:
        style.append(("FONT", (0, 0), (-1, -1), fonts.regular, 9, 11.5))
        for column in bold_columns:
            style.append(("FONT", (column, 0), (column, -1), fonts.bold, 9, 11.5))
        if header:
            style.append(("FONT", (0, 0), (-1, 0), fonts.bold, 9, 11.5))
        if total_rows:
            style.append(("FONT", (0, -total_rows), (-1, -1), fonts.bold, 9, 11.5))
    for column in right_columns:
        style.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    if total_rows:
        style.append(("BACKGROUND", (0, -total_rows), (-1, -1), SHADE))
        style.append(("LINEABOVE", (0, -total_rows), (-1, -total_rows), 0.8, INK))
    table.setStyle(TableStyle(style))
    return table


def _facts(pairs: Sequence[tuple[str, str]], st: _Styles, fonts: fontlib.FontSet, width: float) -> Table:
    rows = [[label, _p(value or "Not recorded", st.cell, fonts)] for label, value in pairs]
    return _table(rows, [width * 0.32, width * 0.68], header=False, fonts=fonts, bold_columns=(0,))


def _build_story(data: IpaData, fonts: fontlib.FontSet, found: dict[str, FieldBox]) -> list[Flowable]:
    st = _styles(fonts)
    width = A4[0] - 2 * PAGE_MARGIN
    values = {
        "la_name": data.la_name,
        "provider_name": data.provider_owner or data.provider_name,
        "agreement_ref": data.agreement_ref,
        "version": data.version,
        "notice_period_days": data.notice_period_days,
        "placement_ref": data.placement_ref,
    }
    clause = {name: fill_clause(text, values) for name, text in data.clauses.items()}
    money = format_money
    story: list[Flowable] = [
        _p(TITLE, st.title, fonts),
        _p(
            f"Agreement {data.agreement_ref}, version {data.version}, issued {format_date(data.issued_on)}. "
            f"Placement {data.placement_ref}.",
            st.small,
            fonts,
        ),
        Spacer(1, 4 * mm),
        *_clause(clause.get("preamble", ""), st, fonts),
    ]

    def section(number: int, title: str) -> None:
        story.append(CondPageBreak(30 * mm))
        story.append(_p(f"{number}. {title}", st.heading, fonts))

    section(1, "The parties")
    story.append(_p("The Council", st.cell_bold, fonts))
    story.append(
        _facts(
            [
                ("Local authority", data.la_name),
                ("Address", data.la_address),
                ("Placement officer", f"{data.officer_name}, {data.officer_role}".strip(", ")),
                ("Contact", data.officer_email),
            ],
            st,
            fonts,
            width,
        )
    )
    story.append(Spacer(1, 3 * mm))
    story.append(_p("The Provider", st.cell_bold, fonts))
    story.append(
        _facts(
            [
                ("Registered entity", data.provider_owner or data.provider_name),
                ("Service", data.provider_name),
                ("Ofsted URN", data.provider_urn or "Not registered with Ofsted"),
                ("Provider address", data.provider_address),
                ("Home or carer address", data.placement_address),
                ("Contact", data.provider_contact),
                ("Purchased under", data.contract_route),
            ],
            st,
            fonts,
            width,
        )
    )

    section(2, "The child")
    story.append(
        _p(
            "Full identity is shared with the chosen provider only, for the care of the child. "
            "Keep this agreement secure.",
            st.small,
            fonts,
        )
    )
    story.append(
        _facts(
            [
                ("Name", data.child_name),
                ("Known as", data.child_known_as or data.child_name),
                ("Date of birth", format_date(data.child_date_of_birth)),
                ("Gender", data.child_gender),
                ("Case reference", data.child_case_reference),
                ("Legal status", data.child_legal_status),
                ("Responsible authority", data.child_home_authority or data.la_name),
            ],
            st,
            fonts,
            width,
        )
    )

    section(3, "The placement")
    story.append(
        _facts(
            [
                ("Placement type", data.placement_type),
                ("Placement reference", data.placement_ref),
                ("Start date", format_date(data.start_date)),
                ("Planned end date", format_date(data.planned_end_date) or "Open-ended, subject to review"),
                ("First review date", format_date(data.review_date) or "At the first statutory review"),
            ],
            st,
            fonts,
            width,
        )
    )

    section(4, "Fees and funding")
    fee_rows: list[list[Any]] = [["Fee line", "Description", "Weekly", "Annual equivalent"]]
    for line in data.fee_lines:
        fee_rows.append(
            [
                line.kind,
                _p(line.description, st.cell, fonts),
                money(line.weekly_pence),
                money(line.weekly_pence * WEEKS_PER_YEAR),
            ]
        )
    total = data.weekly_total_pence
    fee_rows.append(
        [
            "Total",
            "Total weekly fee",
            money(total),
            money(total * WEEKS_PER_YEAR),
        ]
    )
    story.append(_table(fee_rows, [width * 0.2, width * 0.42, width * 0.16, width * 0.22], total_rows=1,
                        fonts=fonts, right_columns=(2, 3)))
    story.append(Spacer(1, 4 * mm))
    story.append(_p("Funding partners", st.cell_bold, fonts))
    share_rows: list[list[Any]] = [["Funding partner", "Share", "Weekly", "Annual equivalent"]]
    for share in data.funding_shares:
        share_rows.append(
            [
                share.partner,
                format_percent(share.share_bp),
                money(share.weekly_pence),
                money(share.weekly_pence * WEEKS_PER_YEAR),
            ]
        )
    if not data.funding_shares:
        share_rows.append([_p("Not split: the Council pays the whole fee.", st.cell, fonts), "", "", ""])
    story.append(_table(share_rows, [width * 0.42, width * 0.16, width * 0.2, width * 0.22], fonts=fonts,
                        right_columns=(1, 2, 3)))
    story.append(Spacer(1, 3 * mm))
    story.extend(_clause(clause.get("funding", ""), st, fonts))

    section(5, "Outcomes and KPIs")
    story.append(_p("The placement will work towards these outcomes for the child:", st.body, fonts))
    if data.outcomes:
        story.extend(Paragraph(fontlib.markup(o, fonts), st.bullet, bulletText="•") for o in data.outcomes)
    else:
        story.extend(_clause(clause.get("outcomes", ""), st, fonts))
    story.append(_p("Progress is measured by these key performance indicators:", st.body, fonts))
    if data.kpis:
        kpi_rows: list[list[Any]] = [["KPI", "Kind", "Target"]]
        for kpi in data.kpis:
            name = fontlib.markup(kpi.name, fonts, bold=True)
            if kpi.description:
                name += f'<br/><font size="8" color="#4a5568">{fontlib.markup(kpi.description, fonts)}</font>'
            kpi_rows.append([Paragraph(name, st.cell), kpi.kind, _p(kpi.target, st.cell, fonts)])
        story.append(_table(kpi_rows, [width * 0.6, width * 0.18, width * 0.22], fonts=fonts))
    else:
        story.append(
            _p("The KPIs in the Provider's framework or spot terms apply, reported monthly.", st.body, fonts)
        )

    section(6, "Payment terms")
    story.extend(_clause(fill_clause(data.payment_terms, values) or clause.get("payment_terms", ""), st, fonts))

    section(7, "Notice period")
    story.extend(_clause(clause.get("notice_period", ""), st, fonts))

    section(8, "Reporting duties")
    story.extend(_clause(clause.get("reporting_duties", ""), st, fonts))

    section(9, "Review dates")
    story.extend(_clause(clause.get("reviews", ""), st, fonts))
    review_dates = sorted(set(data.review_dates) | ({data.review_date} if data.review_date else set()))
    if review_dates:
        story.extend(Paragraph(format_date(d), st.bullet, bulletText="•") for d in review_dates)
    else:
        story.append(_p("Review dates are set at the first statutory review.", st.body, fonts))

    section(10, "Special conditions")
    if data.special_conditions.strip():
        story.extend(_clause(data.special_conditions, st, fonts))
    else:
        story.append(_p("There are no special conditions.", st.body, fonts))

    section(11, "General terms")
    story.extend(_clause(clause.get("general_terms", ""), st, fonts))

    section(12, "Versions of this agreement")
    story.extend(_clause(clause.get("supersedes", ""), st, fonts))
    if data.change_reason:
        story.append(_p(f"Reason for this version: {data.change_reason}", st.body, fonts))
    if data.history:
        rows: list[list[Any]] = [["Version", "Issued", "Status", "Reason"]]
        for entry in data.history:
            rows.append(
                [
                    str(entry.version),
                    format_date(entry.issued_on),
                    entry.status,
                    _p(entry.change_reason or "First issue", st.cell, fonts),
                ]
            )
        story.append(_table(rows, [width * 0.12, width * 0.18, width * 0.2, width * 0.5], fonts=fonts))

    story.append(CondPageBreak(120 * mm))
    story.append(_p("13. Signatures", st.heading, fonts))
    story.extend(_clause(clause.get("signatures", ""), st, fonts))
    story.append(
        _signature_block(
            f"Signed for and on behalf of {data.la_name or 'the Council'}",
            [("Name", data.officer_name), ("Role", data.officer_role), ("Date", "")],
            _SignatureBox(LA_FIELD, "Council signature", found, fonts),
            st,
            fonts,
            width,
        )
    )
    story.append(Spacer(1, 6 * mm))
    story.append(
        _signature_block(
            f"Signed for and on behalf of {data.provider_owner or data.provider_name}",
            [("Name", ""), ("Role", ""), ("Date", "")],
            _SignatureBox(PROVIDER_FIELD, "Provider signature", found, fonts),
            st,
            fonts,
            width,
        )
    )
    return story


def _signature_block(
    heading: str,
    lines: Sequence[tuple[str, str]],
    box: _SignatureBox,
    st: _Styles,
    fonts: fontlib.FontSet,
    width: float,
) -> Flowable:
    left_width = width - SIGNATURE_BOX[0] - 6 * mm
    facts = [[_p(label, st.cell_bold, fonts), _p(value or "", st.cell, fonts)] for label, value in lines]
    facts_table = Table(facts, colWidths=[22 * mm, left_width - 22 * mm], rowHeights=[9 * mm] * len(facts))
    facts_table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (1, 0), (1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    outer = Table([[facts_table, box]], colWidths=[left_width + 6 * mm, SIGNATURE_BOX[0]])
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return KeepTogether([_p(heading, st.cell_bold, fonts), Spacer(1, 2 * mm), outer])


def render_ipa(data: IpaData) -> bytes:
    """The agreement PDF, with empty signature fields for the Council and the Provider."""
    fonts = fontlib.register_fonts()
    found: dict[str, FieldBox] = {}
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN,
        rightMargin=PAGE_MARGIN,
        topMargin=22 * mm,
        bottomMargin=22 * mm,
        title=f"{TITLE} {data.agreement_ref} version {data.version}",
        author=data.la_name,
        subject=f"{TITLE} for placement {data.placement_ref}",
        keywords=data.keywords,
        creator="PlaceDesk",
        # Fixed ids and dates make identical input give identical bytes.
        invariant=1,
    )
    canvas = numbered_canvas(data.la_name or "Local authority", TITLE,
                             f"Agreement {data.agreement_ref} · Version {data.version}",
                             "OFFICIAL – SENSITIVE: contains personal data about a child")
    doc.build(_build_story(data, fonts, found), canvasmaker=canvas)
    boxes = [found[name] for name in (LA_FIELD, PROVIDER_FIELD) if name in found]
    return add_signature_fields(buffer.getvalue(), boxes)


__all__ = [
    "CLAUSE_NAMES",
    "FeeLine",
    "FundingShare",
    "IpaData",
    "Kpi",
    "VersionEntry",
    "WEEKS_PER_YEAR",
    "agreement_keywords",
    "fill_clause",
    "load_clauses",
    "render_ipa",
]
