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
import re
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
from placedesk.reports.common import fit_column_widths, no_orphans, numbered_canvas, quantity
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
    """One weekly fee line as printed, with who funds it."""

    kind: str
    description: str
    weekly_pence: int
    funded_by: str = "Shared by the agreed shares"
    # Core fee lines are the placement itself; the others are additional services.
    core: bool = True


@dataclass(frozen=True)
class Contact:
    """A key person for the child."""

    role: str
    name: str
    details: str = ""


@dataclass(frozen=True)
class NeedMet:
    """A need or risk and how the provider will meet it."""

    area: str
    item: str
    how_met: str


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
    key_contacts: tuple[Contact, ...] = ()
    needs_met: tuple[NeedMet, ...] = ()
    education: tuple[tuple[str, str], ...] = ()
    health: tuple[tuple[str, str], ...] = ()
    family_time: str = ""
    delegated_authority: tuple[tuple[str, str], ...] = ()
    # The date the Council signed, printed on its Date line (None before signing).
    council_signed_on: dt.date | None = None
    logo: bytes | None = None

    @property
    def weekly_total_pence(self) -> int:
        return sum(line.weekly_pence for line in self.fee_lines)

    @property
    def all_review_dates(self) -> list[dt.date]:
        """Every review date, the first review date among them, earliest first."""
        return sorted(set(self.review_dates) | ({self.review_date} if self.review_date else set()))

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


# Where the Council's signature date is written when it signs (see render_ipa_layout).
COUNCIL_DATE = "CouncilDate"


class _Marker(Flowable):
    """Takes no room; remembers the page and point where it was drawn."""

    def __init__(self, name: str, found: dict[str, FieldBox]) -> None:
        super().__init__()
        self.width = self.height = 0
        self.name = name
        self.found = found

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        self.found[self.name] = FieldBox(self.name, self.canv.getPageNumber() - 1, (x, y, x, y))


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
    """A ruled table. Plain-string cells (headings, labels, amounts) skip paragraph layout: much faster.

    Column widths are adjusted so words wrap at spaces, never inside a word.
    """
    if fonts is not None:
        widths = fit_column_widths(rows, widths, fonts.bold, 9)
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
    style.extend(no_orphans(len(rows), header))
    if total_rows:
        style.append(("BACKGROUND", (0, -total_rows), (-1, -1), SHADE))
        style.append(("LINEABOVE", (0, -total_rows), (-1, -total_rows), 0.8, INK))
    table.setStyle(TableStyle(style))
    return table


def _facts(pairs: Sequence[tuple[str, str]], st: _Styles, fonts: fontlib.FontSet, width: float) -> Table:
    rows = [[label, _p(value or "Not recorded", st.cell, fonts)] for label, value in pairs]
    return _table(rows, [width * 0.32, width * 0.68], header=False, fonts=fonts, bold_columns=(0,))


# Sections the default clauses refer to by number ("section {section_fees}"); a council's own
# clause files may use the same names, or the numbers, which stay as they were for 1-5.
SECTION_NUMBERS = {
    "section_parties": 1, "section_child": 2, "section_placement": 3, "section_fees": 4, "section_outcomes": 5,
    "section_needs": 6, "section_education": 7, "section_health": 8, "section_family_time": 9,
    "section_delegated_authority": 10, "section_payment": 11, "section_notice": 12, "section_reporting": 13,
    "section_reviews": 14, "section_special_conditions": 15, "section_general_terms": 16,
    "section_versions": 17, "section_signatures": 18,
}
# A table this short is kept on one page, so no row is left alone at the foot or head of a page.
KEEP_WHOLE_ROWS = 12
HOW_MET_DEFAULT = "As set out in the placement plan agreed at the placement planning meeting."


def _kept(table: Table, rows: int) -> Flowable:
    return KeepTogether([table]) if rows <= KEEP_WHOLE_ROWS else table


def _build_story(data: IpaData, fonts: fontlib.FontSet, found: dict[str, FieldBox]) -> list[Flowable]:
    st = _styles(fonts)
    width = A4[0] - 2 * PAGE_MARGIN
    reviews = data.all_review_dates
    values: dict[str, Any] = {
        "la_name": data.la_name,
        "provider_name": data.provider_owner or data.provider_name,
        "agreement_ref": data.agreement_ref,
        "version": data.version,
        "notice_period_days": data.notice_period_days,
        "placement_ref": data.placement_ref,
        "first_review_date": format_date(reviews[0]) if reviews else "the first statutory review",
        "review_dates": ", ".join(format_date(d) for d in reviews) or "the statutory review dates",
        **SECTION_NUMBERS,
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

    def section(key: str, title: str, first: list[Flowable]) -> None:
        """A numbered heading kept on the same page as what starts the section."""
        story.append(CondPageBreak(30 * mm))
        heading = _p(f"{SECTION_NUMBERS[key]}. {title}", st.heading, fonts)
        if not first:
            story.append(heading)
            return
        if isinstance(first[0], Table):
            # A long table is not kept whole (it would leave a page all but empty): the heading
            # goes where the table's heading row and first rows fit too (see no_orphans).
            story.append(CondPageBreak(60 * mm))
            story.append(heading)
            story.extend(first)
            return
        # KeepTogether reports an endless height to force its split, so one inside another
        # would push every section to a new page: the inner one's content is taken out.
        lead = first[0]._content if isinstance(first[0], KeepTogether) else [first[0]]
        story.append(KeepTogether([heading, *lead]))
        story.extend(first[1:])

    def facts(pairs: Sequence[tuple[str, str]]) -> Flowable:
        return _kept(_facts(pairs, st, fonts, width), len(pairs))

    section("section_parties", "The parties", [
        _p("The Council", st.cell_bold, fonts),
        facts([
            ("Local authority", data.la_name),
            ("Address", data.la_address),
            ("Placement officer", f"{data.officer_name}, {data.officer_role}".strip(", ")),
            ("Contact", data.officer_email),
        ]),
        Spacer(1, 3 * mm),
        _p("The Provider", st.cell_bold, fonts),
        facts([
            ("Registered entity", data.provider_owner or data.provider_name),
            ("Service", data.provider_name),
            ("Ofsted URN", data.provider_urn or "Not registered with Ofsted"),
            ("Provider address", data.provider_address),
            ("Home or carer address", data.placement_address),
            ("Contact", data.provider_contact),
            ("Purchased under", data.contract_route),
        ]),
    ])

    child: list[Flowable] = [
        _p("Full identity is shared with the chosen provider only, for the care of the child. "
           "Keep this agreement secure.", st.small, fonts),
        facts([
            ("Name", data.child_name),
            ("Known as", data.child_known_as or data.child_name),
            ("Date of birth", format_date(data.child_date_of_birth)),
            ("Gender", data.child_gender),
            ("Case reference", data.child_case_reference),
            ("Legal status", data.child_legal_status),
            ("Responsible authority", data.child_home_authority or data.la_name),
        ]),
    ]
    if data.key_contacts:
        contact_rows: list[list[Any]] = [["Key contact", "Name", "How to reach them"]]
        contact_rows += [[_p(c.role, st.cell_bold, fonts), _p(c.name or "To be confirmed", st.cell, fonts),
                          _p(c.details, st.cell, fonts)] for c in data.key_contacts]
        child += [Spacer(1, 3 * mm), KeepTogether([
            _p("Key contacts", st.cell_bold, fonts),
            _table(contact_rows, [width * 0.3, width * 0.3, width * 0.4], fonts=fonts),
        ])]
    section("section_child", "The child", child)

    first_review = format_date(reviews[0]) if reviews else "At the first statutory review"
    section("section_placement", "The placement", [facts([
        ("Placement type", data.placement_type),
        ("Placement reference", data.placement_ref),
        ("Start date", format_date(data.start_date)),
        ("Planned end date", format_date(data.planned_end_date) or "Open-ended, subject to review"),
        ("First review date", first_review),
    ])])

    fee_rows: list[list[Any]] = [["Fee line", "Description", "Funded by", "Weekly", "Annual equivalent"]]
    for line in data.fee_lines:
        fee_rows.append([
            _p(line.kind, st.cell, fonts), _p(line.description, st.cell, fonts), _p(line.funded_by, st.cell, fonts),
            money(line.weekly_pence), money(line.weekly_pence * WEEKS_PER_YEAR),
        ])
    total = data.weekly_total_pence
    fee_rows.append(["Total", "Total weekly fee", "", money(total), money(total * WEEKS_PER_YEAR)])
    fees: list[Flowable] = [_kept(_table(
        fee_rows, [width * 0.17, width * 0.3, width * 0.19, width * 0.14, width * 0.2], total_rows=1,
        fonts=fonts, right_columns=(3, 4)), len(fee_rows))]
    extras = [line for line in data.fee_lines if not line.core]
    fees.append(Spacer(1, 3 * mm))
    fees.append(_p("Additional services", st.cell_bold, fonts))
    if extras:
        fees.extend(
            Paragraph(fontlib.markup(f"{line.description or line.kind}: {money(line.weekly_pence)} a week "
                                     f"({line.kind.lower()}; {line.funded_by.lower()})", fonts),
                      st.bullet, bulletText="•")
            for line in extras
        )
    else:
        fees.append(_p("None: the core fee covers everything this agreement asks of the Provider.", st.body, fonts))
    fees.append(Spacer(1, 2 * mm))
    share_rows: list[list[Any]] = [["Funding partner", "Agreed share", "Weekly", "Annual equivalent"]]
    for share in data.funding_shares:
        share_rows.append([
            share.partner,
            format_percent(share.share_bp) if share.share_bp else "Own lines only",
            money(share.weekly_pence),
            money(share.weekly_pence * WEEKS_PER_YEAR),
        ])
    if not data.funding_shares:
        share_rows.append([_p("Not split: the Council pays the whole fee.", st.cell, fonts), "", "", ""])
    fees.append(KeepTogether([
        _p("Funding partners", st.cell_bold, fonts),
        _table(share_rows, [width * 0.42, width * 0.16, width * 0.2, width * 0.22], fonts=fonts,
               right_columns=(1, 2, 3)),
    ]))
    fees.append(Spacer(1, 3 * mm))
    fees.extend(_clause(clause.get("funding", ""), st, fonts))
    section("section_fees", "Fees and funding", fees)

    outcomes: list[Flowable] = [_p("The placement will work towards these outcomes for the child:", st.body, fonts)]
    if data.outcomes:
        outcomes.extend(Paragraph(fontlib.markup(o, fonts), st.bullet, bulletText="•") for o in data.outcomes)
    else:
        outcomes.extend(_clause(clause.get("outcomes", ""), st, fonts))
    outcomes.append(_p("Progress is measured by these key performance indicators:", st.body, fonts))
    if data.kpis:
        kpi_rows: list[list[Any]] = [["KPI", "Kind", "Target"]]
        for kpi in data.kpis:
            name = fontlib.markup(kpi.name, fonts, bold=True)
            if kpi.description:
                name += f'<br/><font size="8" color="#4a5568">{fontlib.markup(kpi.description, fonts)}</font>'
            kpi_rows.append([Paragraph(name, st.cell), _p(kpi.kind, st.cell, fonts), _p(kpi.target, st.cell, fonts)])
        outcomes.append(_table(kpi_rows, [width * 0.6, width * 0.18, width * 0.22], fonts=fonts))
    else:
        outcomes.append(_p("The KPIs in the Provider's framework or spot terms apply, reported monthly.",
                           st.body, fonts))
    section("section_outcomes", "Outcomes and KPIs", outcomes)

    needs: list[Flowable] = []
    if data.needs_met:
        need_rows: list[list[Any]] = [["", "The child's need or risk", "How the Provider will meet it"]]
        need_rows += [[_p(n.area, st.cell_bold, fonts), _p(n.item, st.cell, fonts),
                       _p(n.how_met or HOW_MET_DEFAULT, st.cell, fonts)] for n in data.needs_met]
        needs.append(_kept(_table(need_rows, [width * 0.1, width * 0.3, width * 0.6], fonts=fonts), len(need_rows)))
    else:
        needs.append(_p("The child's needs and risks, and how the Provider will meet them, are set out in the "
                        "placement plan agreed at the placement planning meeting.", st.body, fonts))
    section("section_needs", "Needs and risks, and how the Provider will meet them", needs)

    section("section_education", "Education", [facts(list(data.education))] if data.education else [
        _p("Education follows the child's Personal Education Plan, agreed with the virtual school; the Provider "
           "attends every PEP meeting.", st.body, fonts)])
    section("section_health", "Health", [facts(list(data.health))] if data.health else [
        _p("Health care follows the child's health plan from the statutory health assessments; the Provider "
           "registers the child with a GP and dentist and attends each assessment.", st.body, fonts)])
    family = _clause(data.family_time, st, fonts) if data.family_time.strip() else [
        _p("Family time and contact follow the child's care plan, as arranged by the social worker.", st.body, fonts)]
    section("section_family_time", "Family time and contact", family)

    delegated: list[Flowable] = [_p("Who may give consent for the child on each of these matters:", st.body, fonts)]
    if data.delegated_authority:
        rows = [["Matter", "Who may consent"]] + [
            [_p(matter, st.cell, fonts), _p(who, st.cell, fonts)] for matter, who in data.delegated_authority]
        delegated.append(_kept(_table(rows, [width * 0.55, width * 0.45], fonts=fonts), len(rows)))
    else:
        delegated.append(_p("As recorded in the child's placement plan.", st.body, fonts))
    section("section_delegated_authority", "Delegated authority", delegated)

    section("section_payment", "Payment terms",
            _clause(fill_clause(data.payment_terms, values) or clause.get("payment_terms", ""), st, fonts))
    section("section_notice", "Notice period", _clause(clause.get("notice_period", ""), st, fonts))
    section("section_reporting", "Reporting duties", _clause(clause.get("reporting_duties", ""), st, fonts))

    review_part = _clause(clause.get("reviews", ""), st, fonts)
    if reviews:
        review_part.extend(Paragraph(format_date(d), st.bullet, bulletText="•") for d in reviews)
    else:
        review_part.append(_p("Review dates are set at the first statutory review.", st.body, fonts))
    section("section_reviews", "Review dates", review_part)

    section("section_special_conditions", "Special conditions",
            _clause(data.special_conditions, st, fonts) if data.special_conditions.strip()
            else [_p("There are no special conditions.", st.body, fonts)])
    section("section_general_terms", "General terms", _clause(clause.get("general_terms", ""), st, fonts))

    versions = _clause(clause.get("supersedes", ""), st, fonts)
    if data.change_reason:
        versions.append(_p(f"Reason for this version: {data.change_reason}", st.body, fonts))
    if data.history:
        rows = [["Version", "Issued", "Status", "Reason"]]
        for entry in data.history:
            rows.append([str(entry.version), format_date(entry.issued_on), _p(entry.status, st.cell, fonts),
                         _p(entry.change_reason or "First issue", st.cell, fonts)])
        versions.append(_kept(_table(rows, [width * 0.12, width * 0.18, width * 0.25, width * 0.45], fonts=fonts),
                              len(rows)))
    section("section_versions", "Versions of this agreement", versions)

    story.append(CondPageBreak(120 * mm))
    story.append(_p(f"{SECTION_NUMBERS['section_signatures']}. Signatures", st.heading, fonts))
    story.extend(_clause(clause.get("signatures", ""), st, fonts))
    story.append(
        _signature_block(
            f"Signed for and on behalf of {data.la_name or 'the Council'}",
            [("Name", data.officer_name), ("Role", data.officer_role),
             ("Date", format_date(data.council_signed_on) if data.council_signed_on else _Marker(COUNCIL_DATE, found))],
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
    lines: Sequence[tuple[str, str | Flowable]],
    box: _SignatureBox,
    st: _Styles,
    fonts: fontlib.FontSet,
    width: float,
) -> Flowable:
    left_width = width - SIGNATURE_BOX[0] - 6 * mm
    facts = [[_p(label, st.cell_bold, fonts), value if isinstance(value, Flowable) else _p(value or "", st.cell, fonts)]
             for label, value in lines]
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


# What the signature-field update stamps afresh each time: the trailer's file id and the
# modification time (pyHanko always sets it to now).
_VARYING = re.compile(rb"/ID \[ ?<[0-9a-fA-F]*> ?<[0-9a-fA-F]*> ?\]|/ModDate \([^)]*\)")


def same_layout(first: bytes, second: bytes) -> bool:
    """Whether two renderings are the same document: equal bytes but for the file id and
    modification time written when the signature fields are added."""
    return _VARYING.sub(b"", first) == _VARYING.sub(b"", second)


def render_ipa(data: IpaData) -> bytes:
    """The agreement PDF, with empty signature fields for the Council and the Provider."""
    return render_ipa_layout(data)[0]


def render_ipa_layout(data: IpaData) -> tuple[bytes, dict[str, FieldBox]]:
    """The agreement PDF and where its boxes landed, the Council's date point among them."""
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
                             "OFFICIAL – SENSITIVE: contains personal data about a child", logo=data.logo)
    doc.build(_build_story(data, fonts, found), canvasmaker=canvas)
    boxes = [found[name] for name in (LA_FIELD, PROVIDER_FIELD) if name in found]
    return add_signature_fields(buffer.getvalue(), boxes), found


__all__ = [
    "CLAUSE_NAMES",
    "COUNCIL_DATE",
    "Contact",
    "FeeLine",
    "FundingShare",
    "IpaData",
    "Kpi",
    "NeedMet",
    "SECTION_NUMBERS",
    "VersionEntry",
    "WEEKS_PER_YEAR",
    "agreement_keywords",
    "fill_clause",
    "load_clauses",
    "quantity",
    "render_ipa",
    "render_ipa_layout",
    "same_layout",
]
