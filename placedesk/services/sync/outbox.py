"""The shared-drive outbox: bundles wait on the laptop until the shared folder can take them.

Every export for the shared folder is first written, complete, to the local
outbox (``config.outbox_dir()``), then copied to the share atomically (temp
name, fsync, rename). When the share is missing, not mounted or read-only the
bundle simply waits, and the next attempt (on demand, or when the app closes)
delivers it. Colleagues' bundles are picked up from the same folder; our own
and ones already imported are skipped.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.config import outbox_dir
from placedesk.db import Database
from placedesk.errors import PlaceDeskError
from placedesk.fileio import atomic_writer
from placedesk.models import SyncRecord
from placedesk.models.enums import ExportStatus, SyncDirection
from placedesk.services.sync.bundle_format import iter_bundle_names, parse_bundle_name
from placedesk.services.sync.bundle_signing import BundleSigner
from placedesk.services.sync.colleagues import TrustList, load_trust, save_trust
from placedesk.services.sync.conflicts import count_open_conflicts
from placedesk.services.sync.export_bundle import SHARE, ExportResult, changes_since_last_export, export_bundle
from placedesk.services.sync.import_bundle import ImportResult, import_bundle
from placedesk.services.sync.sync_id import sync_id


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar and sync panel show."""

    shared_folder: str
    waiting: int
    last_sync_at: dt.datetime | None
    last_import_at: dt.datetime | None
    open_conflicts: int

    def text(self) -> str:
        if not self.shared_folder:
            share = "No shared folder set"
        elif self.waiting:
            share = f"{self.waiting} bundle{'s' if self.waiting != 1 else ''} waiting to send"
        else:
            share = "Outbox empty"
        last = self.last_sync_at.astimezone().strftime("%d/%m/%Y %H:%M") if self.last_sync_at else "never"
        parts = [share, f"last sync {last}"]
        if self.open_conflicts:
            parts.append(f"{self.open_conflicts} conflict{'s' if self.open_conflicts != 1 else ''} to resolve")
        return " · ".join(parts)


@dataclass
class DeliveryResult:
    """Bundles that reached the share, how many still wait, and why if any do."""

    delivered: list[Path] = field(default_factory=list)
    waiting: int = 0
    problem: str | None = None


def share_problem(shared_folder: str) -> str | None:
    """Why the shared folder cannot take bundles now, or None when it can."""
    if not shared_folder.strip():
        return "No shared folder is set. Choose one in File › Officer profile and settings."
    folder = Path(shared_folder).expanduser()
    if not folder.exists():
        return f"The shared folder {folder} cannot be reached (offline, or the share is not mounted)."
    if not folder.is_dir():
        return f"The shared folder {folder} is a file, not a folder. Fix it in the settings."
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"You do not have permission to write to the shared folder {folder}."
    return None


def sync_status(session: Session, shared_folder: str) -> SyncStatus:
    waiting = session.scalar(select(func.count(SyncRecord.id)).where(
        SyncRecord.direction == SyncDirection.EXPORT, SyncRecord.status == ExportStatus.WAITING)) or 0
    delivered = session.scalar(select(func.max(SyncRecord.delivered_at)).where(
        SyncRecord.direction == SyncDirection.EXPORT, SyncRecord.status == ExportStatus.DELIVERED))
    imported = session.scalar(select(func.max(SyncRecord.created_at)).where(
        SyncRecord.direction == SyncDirection.IMPORT))
    last = max([t for t in (delivered, imported) if t is not None], default=None)
    return SyncStatus(shared_folder, int(waiting), last, imported, count_open_conflicts(session))


def export_to_outbox(
    session: Session,
    *,
    laptop_id: str,
    signer: BundleSigner,
    now: dt.datetime,
    full: bool = False,
    outbox: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    shared_database: bool = False,
) -> ExportResult:
    """Write the changes since the last export as a signed zip into the local outbox, waiting for delivery."""
    return export_bundle(session, outbox or outbox_dir(), laptop_id=laptop_id, signer=signer, now=now,
                         full=full, as_zip=True, status=ExportStatus.WAITING, channel=SHARE, progress=progress,
                         shared_database=shared_database)


def deliver_waiting(session: Session, shared_folder: str, *, now: dt.datetime) -> DeliveryResult:
    """Copy every waiting bundle to the shared folder; those that cannot go stay waiting."""
    waiting = list(session.scalars(select(SyncRecord).where(
        SyncRecord.direction == SyncDirection.EXPORT, SyncRecord.status == ExportStatus.WAITING)
        .order_by(SyncRecord.created_at)))
    result = DeliveryResult(waiting=len(waiting))
    if not waiting:
        return result
    result.problem = share_problem(shared_folder)
    if result.problem:
        return result
    share = Path(shared_folder).expanduser()
    for record in waiting:
        source = Path(record.path)
        if not source.exists():
            result.problem = (f"The waiting bundle {source.name} is missing from the outbox; export again "
                              "to send those changes.")
            continue
        target = share / source.name
        try:
            with open(source, "rb") as src, atomic_writer(target) as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
        except OSError as exc:
            result.problem = f"Sending to {share} failed ({exc.strerror or exc}); the bundles will be sent next time."
            break
        record.status = ExportStatus.DELIVERED
        record.delivered_at = now
        record.path = str(target)
        result.delivered.append(target)
        result.waiting -= 1
        source.unlink(missing_ok=True)
    session.flush()
    return result


def bundles_to_pick_up(session: Session, shared_folder: str, *, own_laptop_id: str) -> list[Path]:
    """Colleagues' bundles in the shared folder not yet imported here, oldest first."""
    if share_problem(shared_folder):
        return []
    imported = set(session.scalars(select(SyncRecord.bundle_id).where(SyncRecord.direction == SyncDirection.IMPORT)))
    found: list[tuple[str, Path]] = []
    for path in iter_bundle_names(Path(shared_folder).expanduser()):
        parsed = parse_bundle_name(path.name)
        if parsed is None:
            continue
        laptop, bundle_id = parsed
        if laptop == own_laptop_id or bundle_id in imported:
            continue
        stamp = path.name[len("placedesk-") + len(laptop) + 1:][:16]
        found.append((stamp, path))
    return [p for _, p in sorted(found)]


@dataclass
class SyncOutcome:
    """Everything one "sync now" did, for a message to the officer."""

    exported: ExportResult | None = None
    delivery: DeliveryResult = field(default_factory=DeliveryResult)
    imported: list[ImportResult] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        lines: list[str] = []
        if self.exported is not None:
            lines.append(f"Exported {self.exported.record_count} changed record(s).")
        if self.delivery.delivered:
            lines.append(f"Sent {len(self.delivery.delivered)} bundle(s) to the shared folder.")
        if self.delivery.waiting:
            lines.append(f"{self.delivery.waiting} bundle(s) wait in the outbox: {self.delivery.problem}")
        elif self.delivery.problem:
            lines.append(self.delivery.problem)
        for result in self.imported:
            lines.append(f"From laptop {result.laptop_id}: {result.summary()}")
        for name, message in self.rejected:
            lines.append(f"Not imported {name}: {message}")
        return "\n".join(lines) or "Nothing to send or receive."


def sync_with_share(
    db: Database,
    shared_folder: str,
    *,
    laptop_id: str,
    now: Callable[[], dt.datetime],
    signer: BundleSigner | None = None,
    trust: TrustList | None = None,
    export: bool = True,
    pick_up: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SyncOutcome:
    """Export changes to the outbox (signed by ``signer``), deliver what waits, then import colleagues' new bundles.

    Without a signer nothing new is exported (what already waits is still
    delivered), so a background pick-up never needs the passphrase. Each step
    is its own transaction, so one bad bundle from a colleague is reported and
    skipped without undoing the others; laptops first seen signing are saved to
    the trust list (``trust``, by default the one on this laptop) as each import commits.
    On the team server the server's own sync id stands for ``laptop_id`` (see
    :mod:`placedesk.services.sync.sync_id`).
    """
    outcome = SyncOutcome()
    shared = db.is_server
    if shared:
        with db.session() as session:
            laptop_id = sync_id(session, laptop_id, shared_database=True)
    if export and signer is not None:
        with db.session_scope() as session:
            if changes_since_last_export(session, laptop_id=laptop_id if shared else None):
                outcome.exported = export_to_outbox(session, laptop_id=laptop_id, signer=signer, now=now(),
                                                    shared_database=shared)
    with db.session_scope() as session:
        outcome.delivery = deliver_waiting(session, shared_folder, now=now())
    if not pick_up:
        return outcome
    with db.session() as session:
        paths = bundles_to_pick_up(session, shared_folder, own_laptop_id=laptop_id)
    if paths and trust is None:
        trust = load_trust()
    for index, path in enumerate(paths):
        assert trust is not None
        try:
            with db.session_scope() as session:
                imported = import_bundle(session, path, own_laptop_id=laptop_id, trust=trust, now=now())
            outcome.imported.append(imported)
            if trust.changed:
                save_trust(trust)
        except PlaceDeskError as exc:
            outcome.rejected.append((path.name, str(exc)))
        if progress:
            progress(index + 1, len(paths))
    return outcome


@dataclass(frozen=True)
class SyncHistoryRow:
    """One bundle sent or received, for the sync panel's history."""

    when: dt.datetime
    direction: str
    laptop_id: str
    officer: str
    records: int
    status: str
    name: str


def recent_syncs(session: Session, *, limit: int = 50) -> list[SyncHistoryRow]:
    """The newest bundles made and received, newest first."""
    rows = session.scalars(select(SyncRecord).order_by(SyncRecord.created_at.desc()).limit(limit))
    return [SyncHistoryRow(r.created_at, "Sent" if r.direction is SyncDirection.EXPORT else "Received",
                           r.laptop_id, r.officer, r.record_count, r.status.label, Path(r.path).name)
            for r in rows]
