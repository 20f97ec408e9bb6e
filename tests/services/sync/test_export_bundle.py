"""Exporting bundles: what goes in, the manifest, atomic publication, and the "since" scope."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from placedesk.db import Database
from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.models import Child, StoredDocument, SyncRecord
from placedesk.models.base import utcnow
from placedesk.models.enums import SyncDirection
from placedesk.services.sync import bundle_format
from placedesk.services.sync.export_bundle import export_bundle, last_export_time
from tests.services.sync.helpers import bundle_records, fill, signer_for


def _export(db: Database, target: Path, **kw: object):
    with db.session_scope() as s:
        return export_bundle(s, target, laptop_id="LAP1", signer=signer_for(db.officer), now=kw.pop("now", utcnow()), **kw)


def test_a_folder_bundle_holds_records_pdfs_and_a_manifest_that_vouches_for_every_file(
        db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        filled = fill(s)
    result = _export(db, tmp_path / "share")
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["format"] == "placedesk-bundle" and manifest["format_version"] == bundle_format.FORMAT_VERSION
    assert manifest["laptop_id"] == "LAP1" and manifest["officer"] == db.officer
    assert manifest["scope"] == {"since": None, "full": True}
    listed = {f["path"]: f for f in manifest["files"]}
    on_disk = {p.relative_to(result.path).as_posix() for p in result.path.rglob("*") if p.is_file()}
    assert on_disk - {"manifest.json", "manifest.p7s"} == set(listed)
    for path, entry in listed.items():
        data = (result.path / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]
    assert f"documents/{filled.document.sha256}.pdf" in listed
    children = bundle_records(result.path / "records/child.json")
    assert uuid.UUID(children[0]["id"]) == filled.child.id and children[0]["version"] == 1
    assert children[0]["date_of_birth"] == "2010-05-17" and "updated_at" in children[0]
    documents = bundle_records(result.path / "records/stored_document.json")
    assert "content" not in documents[0]
    audit = bundle_records(result.path / "records/audit_event.json")
    assert {a["entity"] for a in audit} >= {"child", "placement", "provider"}
    assert result.record_count == sum(manifest["record_counts"].values())


def test_a_zip_bundle_has_the_manifest_written_last_and_no_temporary_files_are_left(
        db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        fill(s)
    result = _export(db, tmp_path / "share", as_zip=True)
    assert result.path.suffix == ".zip"
    with zipfile.ZipFile(result.path) as zf:
        assert zf.namelist()[-2:] == ["manifest.json", "manifest.p7s"]
    assert os.listdir(tmp_path / "share") == [result.path.name]
    assert bundle_format.read_bundle(result.path).manifest.bundle_id == result.bundle_id


def test_the_next_export_holds_only_what_changed_since_the_last_one(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        filled = fill(s)
    first = _export(db, tmp_path / "one")
    with db.session_scope() as s:
        s.get(Child, filled.child.id).known_as = "Jay"
    second = _export(db, tmp_path / "two")
    assert second.since == first.created_at
    assert second.counts == {"child": 1, "audit_event": 1}
    with db.session() as s:
        assert last_export_time(s) == second.created_at
        assert len(s.scalars(select(SyncRecord).where(SyncRecord.direction == SyncDirection.EXPORT)).all()) == 2
    everything = _export(db, tmp_path / "three", full=True)
    assert everything.counts["child"] == 1 and everything.counts["placement"] == 1


def test_an_explicit_since_overrides_the_last_export(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        fill(s)
    _export(db, tmp_path / "one")
    again = _export(db, tmp_path / "two", since=utcnow() - dt.timedelta(days=1))
    assert again.counts["child"] == 1


def test_a_failed_export_leaves_no_half_bundle_behind(db: Database, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with db.session_scope() as s:
        fill(s)
    original = bundle_format.Manifest.to_json

    def broken(self: bundle_format.Manifest) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundle_format.Manifest, "to_json", broken)
    with pytest.raises(PlaceDeskError, match="No space left"):
        _export(db, tmp_path / "share")
    monkeypatch.setattr(bundle_format.Manifest, "to_json", original)
    assert list((tmp_path / "share").iterdir()) == []
    with db.session() as s:
        assert last_export_time(s) is None


def test_a_damaged_stored_pdf_is_not_exported(db: Database, tmp_path: Path) -> None:
    with db.session_scope() as s:
        filled = fill(s)
        s.get(StoredDocument, filled.document.id).content = b"%PDF-1.7 changed"
    with pytest.raises(PlaceDeskError, match="no longer matches the checksum"):
        _export(db, tmp_path / "share")


def test_exporting_into_a_file_instead_of_a_folder_says_what_to_fix(db: Database, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x")
    with pytest.raises(ValidationError, match="choose a folder"):
        _export(db, target)
