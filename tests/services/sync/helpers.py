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
from placedesk.services.agreements.identity import build_identity
from placedesk.services.sync.bundle_records import LOCAL_COLUMNS, exported_tables
from placedesk.services.sync.bundle_signing import BundleSigner, signer_from_p12
from placedesk.services.sync.colleagues import TrustList

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
    Columns saying how a record arrived (its signer, its bundle) are left out: they differ by design.
    """
    out: dict[str, dict[Any, tuple[Any, ...]]] = {}
    with db.session() as session:
        for table in exported_tables():
            query = select(*[c for c in table.columns if c.name not in LOCAL_COLUMNS])
            if table.name == "audit_event" and not local_audit:
                query = query.where(table.c.entity.not_like("sync_%"))
            rows = session.execute(query).all()
            out[table.name] = {row.id: tuple(row) for row in rows}
    return out


def file_sha256(db: Database) -> str:
    """The database file's hash after folding the WAL into it (a server's: every committed row's)."""
    if db.is_server:
        from tests.robustness import snapshot as rows_digest

        return rows_digest(db)
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
    """The records of one ``records/<table>.jsonl`` file (``.json`` is taken to mean it too) as mappings."""
    import json

    path = Path(path)
    if path.suffix == ".json" and not path.exists():
        path = path.with_suffix(".jsonl")
    if path.suffix == ".json":
        payload = json.loads(path.read_text(encoding="utf-8"))
        return [dict(zip(payload["columns"], row)) for row in payload["rows"]]
    header, *lines = path.read_text(encoding="utf-8").splitlines()
    columns = json.loads(header)["columns"]
    return [dict(zip(columns, json.loads(line))) for line in lines]


_SIGNERS: dict[str, BundleSigner] = {}


def signer_for(name: str, *, now: dt.datetime | None = None) -> BundleSigner:
    """A signing identity for the officer ``name`` (made once per test run: RSA keys are slow to make).

    ``now`` makes a separate identity issued then (for expired certificates).
    """
    key = f"{name}@{now.isoformat() if now else ''}"
    signer = _SIGNERS.get(key)
    if signer is None:
        data, _ = build_identity(name or "Nameless Officer", "Placement officer", "Test Council", "",
                                 "test passphrase", now=now)
        signer = _SIGNERS[key] = signer_from_p12(data, "test passphrase")
    return signer


def team_trust(*names: str) -> TrustList:
    """A trust list holding ``names``' certificates (by default every signer made so far)."""
    trust = TrustList()
    for name in names or [k.split("@")[0] for k in _SIGNERS if k.endswith("@")]:
        trust.add(signer_for(name).certificate, now=NOW)
    trust.changed = False
    return trust


def resign(folder: Path, signer: BundleSigner | None, change: Any = None) -> None:
    """Rewrite a folder bundle's manifest (``change`` edits its data) and sign it again with ``signer``.

    ``signer=None`` leaves the old signature beside the new manifest.
    """
    import json

    from placedesk.services.sync.bundle_signing import sign_manifest

    path = Path(folder) / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if change is not None:
        change(data)
    raw = json.dumps(data).encode("utf-8")
    path.write_bytes(raw)
    if signer is not None:
        (Path(folder) / "manifest.p7s").write_bytes(sign_manifest(signer, raw))


def rewrite_member(folder: Path, member: str, content: bytes, *, signer: BundleSigner | None) -> None:
    """Replace one file of a folder bundle, fix its checksum and size in the manifest, and re-sign it."""
    (Path(folder) / member).write_bytes(content)

    def fix(data: dict[str, Any]) -> None:
        for entry in data["files"]:
            if entry["path"] == member:
                entry["sha256"] = hashlib.sha256(content).hexdigest()
                entry["size"] = len(content)
    resign(folder, signer, fix)


def to_format_1(folder: Path, signer: BundleSigner) -> None:
    """Rewrite a folder bundle as PlaceDesk wrote them before JSON Lines: one JSON document per table
    (columns once, then rows), format version 1, checksums fixed and the manifest signed again."""
    import json

    for member in sorted((Path(folder) / "records").iterdir()):
        header, *lines = member.read_text(encoding="utf-8").splitlines()
        payload = {**json.loads(header), "rows": [json.loads(line) for line in lines]}
        member.unlink()
        member.with_suffix(".json").write_text(json.dumps(payload), encoding="utf-8")

    def as_format_1(data: dict[str, Any]) -> None:
        data["format_version"] = 1
        for entry in data["files"]:
            if entry["path"].endswith(".jsonl"):
                entry["path"] = entry["path"][:-1]
                content = (Path(folder) / entry["path"]).read_bytes()
                entry["sha256"], entry["size"] = hashlib.sha256(content).hexdigest(), len(content)
    resign(folder, signer, as_format_1)


def edit_record(folder: Path, table: str, index: int, column: str, value: Any, *,
                signer: BundleSigner | None) -> None:
    """Change one value of one record in a folder bundle, with its checksum recomputed (as a forger would)."""
    import json

    member = f"records/{table}.jsonl"
    header, *lines = (Path(folder) / member).read_text(encoding="utf-8").splitlines()
    columns = json.loads(header)["columns"]
    row = json.loads(lines[index])
    row[columns.index(column)] = value
    lines[index] = json.dumps(row)
    rewrite_member(folder, member, ("\n".join([header, *lines]) + "\n").encode("utf-8"), signer=signer)


_P12: dict[str, tuple[bytes, bytes]] = {}
PASSPHRASE = "test passphrase"


def install_identity(name: str, *, remember: bool = True) -> BundleSigner:
    """Give the current PlaceDesk home a signing identity for ``name`` (made once per run).

    With ``remember`` its passphrase (``PASSPHRASE``) is kept in the test's in-memory keystore,
    as an officer who ticked "keep it" would have.
    """
    from placedesk.services.agreements.identity import CERTIFICATE_FILE, IDENTITY_FILE, identity_dir
    from placedesk.services.agreements.passphrase_store import remember_passphrase

    made = _P12.get(name)
    if made is None:
        made = _P12[name] = build_identity(name, "Placement officer", "Test Council", "", PASSPHRASE)
    folder = identity_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / IDENTITY_FILE).write_bytes(made[0])
    (folder / CERTIFICATE_FILE).write_bytes(made[1])
    if remember:
        remember_passphrase(PASSPHRASE)
    return signer_from_p12(made[0], PASSPHRASE)
