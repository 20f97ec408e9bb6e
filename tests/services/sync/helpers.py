"""Small, realistic data sets and database snapshots for the sync, export and spreadsheet tests.

``fill`` writes one of everything a bundle carries (provider, child, referral,
placement with fee lines and funding split, an agreement with its PDF, a CAP
with an overdue action, a red KPI), so a round trip exercises every table.
``snapshot`` reads a whole database as plain values for equality checks, and
``file_sha256`` hashes a database file after closing it (so the WAL is folded in).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.db import Database, open_database
from placedesk.models import (
    Agreement,
    Cap,
    CapAction,
    CarePeriod,
    Child,
    KpiDefinition,
    KpiValue,
    Placement,
    PlacementFeeLine,
    PlacementFundingShare,
    Provider,
    Referral,
    ReferralFundingShare,
    StoredDocument,
)
from placedesk.models.enums import (
    AgreementStatus,
    CapSeverity,
    FeeLineKind,
    FundingPartner,
    KpiDirection,
    KpiKind,
    PlacementType,
    ProviderType,
    ReferralStatus,
)
from placedesk.services.sync.bundle_records import exported_tables

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
TODAY = NOW.date()
PDF = b"%PDF-1.7\n% placedesk test agreement\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_n = itertools.count(1)


@dataclass
class Filled:
    """The ids of what ``fill`` wrote."""

    provider: Provider
    child: Child
    referral: Referral
    placement: Placement
    cap: Cap
    document: StoredDocument


def fill(session: Session, *, child_name: tuple[str, str] = ("Jordan", "Whitfield"),
         case_reference: str | None = None) -> Filled:
    n = next(_n)
    provider = Provider(ref=f"PRV-{n:05d}", urn=f"SC{n:06d}", name=f"Oakwood Care {n}",
                        provider_type=ProviderType.CHILDRENS_HOME, places=4, vacancies=1,
                        capabilities=["emotional"], weekly_rate_from_pence=350000)
    child = Child(case_reference=case_reference or f"CASE-{n:05d}", first_name=child_name[0],
                  last_name=child_name[1], date_of_birth=dt.date(2010, 5, 17), home_postcode="S10 2TN")
    session.add_all([provider, child])
    session.flush()
    session.add(CarePeriod(child_id=child.id, start_date=dt.date(2024, 1, 8), legal_status="C2"))
    referral = Referral(ref=f"REF-{n:05d}", child_id=child.id, status=ReferralStatus.PLACED,
                        referred_on=dt.date(2026, 1, 5), placement_type=PlacementType.CHILDRENS_HOME,
                        needs=["emotional"], budget_ceiling_pence=400000, required_start_date=dt.date(2026, 1, 19))
    session.add(referral)
    session.flush()
    session.add(ReferralFundingShare(referral_id=referral.id, partner=FundingPartner.SOCIAL_CARE, share_bp=10000))
    placement = Placement(ref=f"PLC-{n:05d}", referral_id=referral.id, child_id=child.id, provider_id=provider.id,
                          placement_type=PlacementType.CHILDRENS_HOME, start_date=dt.date(2026, 1, 26))
    session.add(placement)
    session.flush()
    session.add_all([
        PlacementFeeLine(placement_id=placement.id, position=0, kind=FeeLineKind.CORE, weekly_amount_pence=350000),
        PlacementFeeLine(placement_id=placement.id, position=1, kind=FeeLineKind.EDUCATION,
                         weekly_amount_pence=50001),
        PlacementFundingShare(placement_id=placement.id, partner=FundingPartner.SOCIAL_CARE, share_bp=7500,
                              weekly_amount_pence=300001),
        PlacementFundingShare(placement_id=placement.id, partner=FundingPartner.EDUCATION, share_bp=2500,
                              weekly_amount_pence=100000),
    ])
    content = PDF + str(n).encode()
    document = StoredDocument(filename=f"IPA-PLC-{n:05d}-v1.pdf", kind="ipa",
                              sha256=hashlib.sha256(content).hexdigest(), size=len(content), content=content)
    session.add(document)
    session.flush()
    first = Agreement(placement_id=placement.id, ref=f"IPA-PLC-{n:05d}", version_number=1,
                      status=AgreementStatus.SUPERSEDED, unsigned_document_id=document.id)
    session.add(first)
    session.flush()
    session.add(Agreement(placement_id=placement.id, ref=f"IPA-PLC-{n:05d}", version_number=2,
                          status=AgreementStatus.DRAFT, supersedes_id=first.id, unsigned_document_id=document.id))
    cap = Cap(ref=f"CAP-{n:05d}", provider_id=provider.id, placement_id=placement.id, issue="Late notifications",
              severity=CapSeverity.MEDIUM, opened_on=dt.date(2026, 2, 1))
    session.add(cap)
    session.flush()
    session.add(CapAction(cap_id=cap.id, description="Send notification log", due_date=dt.date(2026, 2, 20)))
    kpi = session.scalar(select(KpiDefinition).where(KpiDefinition.code == "ATTEND"))
    if kpi is None:
        kpi = KpiDefinition(code="ATTEND", name="School attendance", kind=KpiKind.OUTCOME,
                            direction=KpiDirection.HIGHER_IS_BETTER, target=95.0, amber_threshold=90.0)
        session.add(kpi)
        session.flush()
    session.add(KpiValue(definition_id=kpi.id, provider_id=provider.id, period_start=dt.date(2026, 2, 1),
                         value=82.5))
    session.flush()
    return Filled(provider, child, referral, placement, cap, document)


def snapshot(db: Database, *, local_audit: bool = True) -> dict[str, dict[Any, tuple[Any, ...]]]:
    """Every exported table's rows, by id, as plain tuples (stored bytes included).

    ``local_audit=False`` leaves out the trail of sync bookkeeping, which stays on each laptop.
    """
    out: dict[str, dict[Any, tuple[Any, ...]]] = {}
    with db.session() as session:
        for table in exported_tables():
            query = select(table)
            if table.name == "audit_event" and not local_audit:
                query = query.where(table.c.entity.not_like("sync_%"))
            rows = session.execute(query).all()
            out[table.name] = {row.id: tuple(row) for row in rows}
    return out


def file_sha256(db: Database) -> str:
    """The database file's hash after folding the WAL into it."""
    db.close()
    conn = sqlite3.connect(db.path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return hashlib.sha256(Path(db.path).read_bytes()).hexdigest()


def new_db(path: Path, officer: str = "Test Officer") -> Database:
    """Open ``path``; if it does not exist yet, start it as a copy of one migrated empty file (fast)."""
    from tests.conftest import kept_empty_template

    path = Path(path)
    if not path.exists():
        shutil.copyfile(kept_empty_template(), path)
    database = open_database(path)
    database.officer = officer
    return database


def bundle_records(path: Path) -> list[dict[str, Any]]:
    """The records of one ``records/<table>.json`` file as mappings."""
    import json

    payload = json.loads(Path(path).read_text(encoding="utf-8"))
    return [dict(zip(payload["columns"], row)) for row in payload["rows"]]
