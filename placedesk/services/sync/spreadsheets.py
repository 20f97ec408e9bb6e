"""Spreadsheets for the commissioning team: placements and spend, referrals, CAPs, KPI reds.

Each sheet is built once as typed columns (text, whole number, money in
pence, date, yes/no, decimal) and then written by the one safe writer,
:mod:`placedesk.services.common.tabular`, as XLSX (one sheet each, frozen
header row, real dates, money in a currency format, text never a formula) or
CSV (one file per sheet, ISO dates, money as exact pounds and pence, text that
could run prefixed). The pseudonymised option replaces children's names, case
references and staff names with stable pseudonyms and dates of birth with
age bands, for sharing beyond the placement team.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.fileio import atomic_write_bytes
from placedesk.models import Cap, Child, KpiDefinition, KpiValue, Placement, Provider, Referral
from placedesk.models.enums import CapStatus, FundingPartner, Rag
from placedesk.services.common.audit_log import record_export
from placedesk.services.common.tabular import (
    BOOL,
    DATE,
    DECIMAL,
    INT,
    MONEY,
    TEXT,
    Table,
    table_csv,
    xlsx_bytes,
)
from placedesk.services.monitoring.kpis import rag_for
from placedesk.services.sync.pseudonyms import Pseudonymiser, installation_secret



# A sheet is a typed table: money in integer pence and dates as ``date`` until written.
Sheet = Table


@dataclass(frozen=True)
class SpreadsheetResult:
    files: tuple[Path, ...]
    sheets: tuple[str, ...]
    pseudonymised: bool


class _People:
    """How people appear: by name, or by pseudonym when sharing beyond the team."""

    def __init__(self, pseudo: Pseudonymiser | None) -> None:
        self.pseudo = pseudo

    def child_columns(self) -> list[tuple[str, str]]:
        if self.pseudo:
            return [("Child (pseudonym)", TEXT), ("Case reference (pseudonym)", TEXT), ("Age band", TEXT)]
        return [("Child", TEXT), ("Case reference", TEXT), ("Date of birth", DATE)]

    def child(self, child: Child) -> tuple[Any, ...]:
        if self.pseudo:
            return (self.pseudo.child(child.first_name, child.last_name, child.case_reference),
                    self.pseudo.case(child.case_reference), self.pseudo.age_band(child.date_of_birth))
        return (child.full_name, child.case_reference, child.date_of_birth)

    def staff(self, name: str) -> str:
        return self.pseudo.person(name) if self.pseudo and name else name


def _spend_to_date(weekly_pence: int, start: dt.date, end: dt.date | None, on: dt.date) -> int:
    last = min(end, on) if end else on
    days = (last - start).days + 1 if last >= start else 0
    return (weekly_pence * days + 3) // 7


def _placements(session: Session, people: _People, on: dt.date) -> tuple[Sheet, list[tuple[Placement, int]]]:
    sheet = Sheet("Placements", [
        ("Placement ref", TEXT), *people.child_columns(), ("Provider", TEXT), ("Provider type", TEXT),
        ("Contract route", TEXT), ("Placement type", TEXT), ("Start date", DATE), ("Planned end date", DATE),
        ("End date", DATE), ("Active", BOOL), ("Weekly fee", MONEY),
        *[(f"{p.label} weekly", MONEY) for p in FundingPartner], ("Spend to date", MONEY),
    ])
    placements = session.scalars(
        select(Placement).options(selectinload(Placement.fee_lines), selectinload(Placement.funding_shares),
                                  selectinload(Placement.child), selectinload(Placement.provider))
        .order_by(Placement.start_date, Placement.ref)
    ).all()
    spends: list[tuple[Placement, int]] = []
    for p in placements:
        shares = {s.partner: s.weekly_amount_pence for s in p.funding_shares}
        spend = _spend_to_date(p.weekly_total_pence, p.start_date, p.end_date, on)
        spends.append((p, spend))
        sheet.rows.append((
            p.ref, *people.child(p.child), p.provider.name, p.provider.provider_type.label,
            p.provider.contract_route.label, p.placement_type.label, p.start_date, p.planned_end_date,
            p.end_date, p.end_date is None or p.end_date > on, p.weekly_total_pence,
            *[shares.get(partner, 0) for partner in FundingPartner], spend,
        ))
    return sheet, spends


def _spend_by(name: str, label: str, spends: list[tuple[Placement, int]], on: dt.date,
              key: Callable[[Placement], list[tuple[str, int, int]]]) -> Sheet:
    """Totals per group; ``key`` gives (group, weekly pence, spend pence) shares of one placement."""
    sheet = Sheet(name, [(label, TEXT), ("Active placements", INT), ("All placements", INT),
                         ("Weekly cost of active placements", MONEY), ("Spend to date", MONEY)])
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for placement, spend in spends:
        active = placement.end_date is None or placement.end_date > on
        for group, weekly, share_of_spend in key(placement):
            row = totals[group]
            row[0] += 1 if active else 0
            row[1] += 1
            row[2] += weekly if active else 0
            row[3] += share_of_spend if spend else 0
    for group in sorted(totals):
        sheet.rows.append((group, *totals[group]))
    return sheet


def _partner_split(on: dt.date) -> Callable[[Placement], list[tuple[str, int, int]]]:
    def split(p: Placement) -> list[tuple[str, int, int]]:
        out = []
        for share in sorted(p.funding_shares, key=lambda s: s.partner.value):
            spend = _spend_to_date(share.weekly_amount_pence, p.start_date, p.end_date, on)
            out.append((share.partner.label, share.weekly_amount_pence, spend))
        return out
    return split


def _referrals(session: Session, people: _People) -> Sheet:
    sheet = Sheet("Referrals", [
        ("Referral ref", TEXT), *people.child_columns(), ("Status", TEXT), ("Urgency", TEXT),
        ("Placement type sought", TEXT), ("Referred on", DATE), ("Required start", DATE),
        ("Placement start", DATE), ("Days to placement", INT),
    ])
    starts: dict[Any, dt.date] = {}
    for referral_id, start in session.execute(select(Placement.referral_id, Placement.start_date)
                                              .where(Placement.referral_id.is_not(None))):
        starts[referral_id] = min(start, starts.get(referral_id, start))
    for r in session.scalars(select(Referral).options(selectinload(Referral.child)).order_by(Referral.ref)):
        start = starts.get(r.id)
        days = (start - r.referred_on).days if start and r.referred_on else None
        sheet.rows.append((
            r.ref, *people.child(r.child), r.status.label, r.urgency.label,
            r.placement_type.label if r.placement_type else "", r.referred_on, r.required_start_date, start, days,
        ))
    return sheet


def _caps(session: Session, people: _People, on: dt.date) -> tuple[Sheet, Sheet]:
    caps = Sheet("CAPs", [
        ("CAP ref", TEXT), ("Provider", TEXT), ("Severity", TEXT), ("Approach", TEXT), ("Status", TEXT),
        ("Opened on", DATE), ("Closed on", DATE), ("Outcome", TEXT), ("Actions", INT), ("Overdue actions", INT),
    ])
    overdue = Sheet("Overdue actions", [
        ("CAP ref", TEXT), ("Provider", TEXT), ("Action", TEXT), ("Owner", TEXT), ("Due date", DATE),
        ("Days overdue", INT), ("Status", TEXT),
    ])
    rows = session.scalars(select(Cap).options(selectinload(Cap.actions), selectinload(Cap.provider))
                           .order_by(Cap.opened_on, Cap.ref)).all()
    for cap in rows:
        late = [a for a in cap.actions if a.is_overdue(on)] if cap.status is not CapStatus.CLOSED else []
        caps.rows.append((cap.ref, cap.provider.name, cap.severity.label, cap.approach.label, cap.status.label,
                          cap.opened_on, cap.closed_on, cap.outcome.label if cap.outcome else "",
                          len(cap.actions), len(late)))
        for action in late:
            overdue.rows.append((cap.ref, cap.provider.name, action.description, people.staff(action.owner),
                                 action.due_date, (on - action.due_date).days, action.status.label))
    overdue.rows.sort(key=lambda r: (-r[5], r[0]))
    return caps, overdue


def _kpi_reds(session: Session) -> Sheet:
    sheet = Sheet("KPI reds", [
        ("Provider", TEXT), ("KPI code", TEXT), ("KPI", TEXT), ("Period", DATE), ("Value", DECIMAL),
        ("Target", DECIMAL), ("Amber threshold", DECIMAL), ("Direction", TEXT),
    ])
    query = (select(KpiValue, KpiDefinition, Provider.name)
             .join(KpiDefinition, KpiValue.definition_id == KpiDefinition.id)
             .join(Provider, KpiValue.provider_id == Provider.id)
             .order_by(Provider.name, KpiDefinition.code, KpiValue.period_start))
    for value, definition, provider_name in session.execute(query):
        if rag_for(definition, value.value) is Rag.RED:
            sheet.rows.append((provider_name, definition.code, definition.name, value.period_start, value.value,
                               definition.target, definition.amber_threshold, definition.direction.label))
    return sheet


def build_sheets(session: Session, *, on: dt.date, pseudonymise: bool = False,
                 secret: bytes | None = None) -> list[Sheet]:
    """Every commissioning sheet as of ``on``."""
    pseudo = Pseudonymiser(secret if secret is not None else installation_secret(), on) if pseudonymise else None
    people = _People(pseudo)
    placements, spends = _placements(session, people, on)

    def whole(attr: Callable[[Placement], str]) -> Callable[[Placement], list[tuple[str, int, int]]]:
        return lambda p: [(attr(p), p.weekly_total_pence, _spend_to_date(p.weekly_total_pence, p.start_date,
                                                                          p.end_date, on))]

    caps, overdue = _caps(session, people, on)
    return [
        placements,
        _spend_by("Spend by provider", "Provider", spends, on, whole(lambda p: p.provider.name)),
        _spend_by("Spend by type", "Placement type", spends, on, whole(lambda p: p.placement_type.label)),
        _spend_by("Spend by funding partner", "Funding partner", spends, on, _partner_split(on)),
        _referrals(session, people),
        caps,
        overdue,
        _kpi_reds(session),
    ]


# --- writing ---------------------------------------------------------------------------

def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def csv_files(sheets: list[Sheet]) -> dict[str, bytes]:
    """The sheets as CSV files, one per sheet (text cells made safe by :mod:`~placedesk.services.common.tabular`)."""
    return {f"{_slug(s.name)}.csv": table_csv(s) for s in sheets}


def write_spreadsheets(
    session: Session,
    target_dir: Path,
    *,
    on: dt.date,
    pseudonymise: bool = False,
    xlsx: bool = True,
    csv: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SpreadsheetResult:
    """Build the commissioning sheets and write them into ``target_dir`` (each file written atomically).

    The export is audited in ``session``: the caller's action commits it.
    """
    if not xlsx and not csv:
        raise ValidationError("Choose XLSX, CSV or both.", field="format")
    target_dir = Path(target_dir)
    if target_dir.exists() and not target_dir.is_dir():
        raise ValidationError(f"{target_dir} is a file; choose a folder for the spreadsheets.", field="to")
    sheets = build_sheets(session, on=on, pseudonymise=pseudonymise)
    if progress:
        progress(1, 3)
    stem = f"placedesk-commissioning-{on.isoformat()}" + ("-pseudonymised" if pseudonymise else "")
    files: list[Path] = []
    try:
        if xlsx:
            path = target_dir / f"{stem}.xlsx"
            atomic_write_bytes(path, xlsx_bytes(sheets))
            files.append(path)
        if progress:
            progress(2, 3)
        if csv:
            for name, data in csv_files(sheets).items():
                path = target_dir / stem / name
                atomic_write_bytes(path, data)
                files.append(path)
    except OSError as exc:
        raise PlaceDeskError(f"The spreadsheets could not be written to {target_dir} ({exc.strerror or exc}). "
                             "Check the folder exists and you may write to it.") from None
    formats = " and ".join(name for name, wanted in (("XLSX", xlsx), ("CSV", csv)) if wanted)
    record_export(session, what=f"Commissioning spreadsheets ({formats})", target=target_dir,
                  records=sum(len(s.rows) for s in sheets), pseudonymised=pseudonymise)
    if progress:
        progress(3, 3)
    return SpreadsheetResult(tuple(files), tuple(s.name for s in sheets), pseudonymise)

