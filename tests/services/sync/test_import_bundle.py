"""Importing bundles: round trips, convergence with conflicts, idempotence, and every bad bundle refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from placedesk.db import Database
from placedesk.errors import ChangedMeanwhile
from placedesk.models import (
    Child,
    KpiDefinition,
    Placement,
    Provider,
    StoredDocument,
    SyncConflict,
)
from placedesk.models.base import utcnow
from placedesk.services.sync.bundle_format import BundleError
from placedesk.services.sync.conflicts import list_conflicts
from placedesk.services.sync.export_bundle import export_bundle
from placedesk.services.sync.import_bundle import import_bundle
from tests.services.sync.helpers import (
    bundle_records,
    edit_record,
    file_sha256,
    fill,
    new_db,
    resign,
    rewrite_member,
    signer_for,
    snapshot,
    team_trust,
    to_format_1,
)


@pytest.fixture
def laptop_a(tmp_path: Path) -> Database:
    database = new_db(tmp_path / "a.sqlite", "Officer A")
    yield database
    database.close()


@pytest.fixture
def laptop_b(tmp_path: Path) -> Database:
    database = new_db(tmp_path / "b.sqlite", "Officer B")
    yield database
    database.close()


def export(db: Database, target: Path, laptop: str, **kw: object) -> Path:
    with db.session_scope() as s:
        return export_bundle(s, target, laptop_id=laptop, signer=signer_for(db.officer), now=utcnow(), **kw).path


def import_(db: Database, path: Path, laptop: str):
    with db.session_scope() as s:
        return import_bundle(s, path, own_laptop_id=laptop, trust=team_trust(), now=utcnow())


def domain_snapshot(db: Database) -> dict:
    return snapshot(db, local_audit=False)


def _documents(database: Database) -> dict[str, bytes]:
    with database.session() as s:
        return {d.filename: d.content for d in s.scalars(select(StoredDocument))}


@pytest.mark.parametrize("as_zip", [False, True])
def test_round_trip_into_an_empty_database_copies_every_record_and_pdf(
        laptop_a: Database, laptop_b: Database, tmp_path: Path, as_zip: bool) -> None:
    with laptop_a.session_scope() as s:
        fill(s)
        fill(s, child_name=("Amara", "Okafor"))
    bundle = export(laptop_a, tmp_path / "share", "AAAA", as_zip=as_zip)
    result = import_(laptop_b, bundle, "BBBB")
    assert result.documents == 2
    assert result.conflicts == 0
    assert domain_snapshot(laptop_a) == domain_snapshot(laptop_b)
    sent, received = (_documents(laptop) for laptop in (laptop_a, laptop_b))
    # Every PDF arrives byte for byte as it left.
    assert received == sent
    assert len(received) == 2 and all(c.startswith(b"%PDF") for c in received.values())


def test_a_document_that_is_not_a_pdf_travels_too(laptop_a: Database, laptop_b: Database, tmp_path: Path) -> None:
    from placedesk.services.common.documents import store_document

    png = b"\x89PNG\r\n\x1a\n a signature image"
    with laptop_a.session_scope() as s:
        fill(s)
        store_document(s, "signature.png", png, "signature_image", media_type="image/png")
    bundle = export(laptop_a, tmp_path / "share", "AAAA")
    assert (bundle / "documents" / f"{hashlib.sha256(png).hexdigest()}.bin").read_bytes() == png
    result = import_(laptop_b, bundle, "BBBB")
    assert result.documents == 2
    assert _documents(laptop_b)["signature.png"] == png


def test_importing_the_same_bundle_twice_changes_nothing(laptop_a: Database, laptop_b: Database,
                                                         tmp_path: Path) -> None:
    with laptop_a.session_scope() as s:
        fill(s)
    bundle = export(laptop_a, tmp_path / "share", "AAAA", as_zip=True)
    import_(laptop_b, bundle, "BBBB")
    before = file_sha256(laptop_b)
    again = new_db(laptop_b.path)
    try:
        result = import_(again, bundle, "BBBB")
        assert result.already_imported and "nothing changed" in result.summary()
    finally:
        after = file_sha256(again)
    assert before == after


def test_a_later_version_from_the_other_laptop_updates_and_the_next_export_holds_only_changes(
        laptop_a: Database, laptop_b: Database, tmp_path: Path) -> None:
    with laptop_a.session_scope() as s:
        filled = fill(s)
    import_(laptop_b, export(laptop_a, tmp_path / "s1", "AAAA"), "BBBB")
    with laptop_a.session_scope() as s:
        s.get(Provider, filled.provider.id).vacancies = 0
    second = export(laptop_a, tmp_path / "s2", "AAAA")
    manifest = json.loads((second / "manifest.json").read_text())
    assert manifest["record_counts"]["provider"] == 1
    assert "child" not in manifest["record_counts"]
    result = import_(laptop_b, second, "BBBB")
    assert result.updated == {"provider": 1} and result.conflicts == 0
    with laptop_b.session() as s:
        provider = s.get(Provider, filled.provider.id)
        assert provider.vacancies == 0 and provider.version == 2


def test_two_laptops_changed_independently_converge_and_keep_every_conflict(
        laptop_a: Database, laptop_b: Database, tmp_path: Path) -> None:
    with laptop_a.session_scope() as s:
        filled = fill(s)
    import_(laptop_b, export(laptop_a, tmp_path / "s1", "AAAA"), "BBBB")
    import_(laptop_a, export(laptop_b, tmp_path / "s1b", "BBBB"), "AAAA")
    with laptop_a.session_scope() as s:
        s.get(Provider, filled.provider.id).notes = "A: phoned the manager"   # both change the provider
        s.get(Placement, filled.placement.id).placement_address = "1 Elm Road"  # only A
        fill(s, child_name=("Ruby", "Lane"))                                   # only A: new records
    with laptop_b.session_scope() as s:
        s.get(Provider, filled.provider.id).notes = "B: visit booked"
        s.get(Child, filled.child.id).known_as = "Jay"                         # only B
    bundle_a = export(laptop_a, tmp_path / "s2", "AAAA")
    bundle_b = export(laptop_b, tmp_path / "s2b", "BBBB")
    result_b = import_(laptop_b, bundle_a, "BBBB")
    result_a = import_(laptop_a, bundle_b, "AAAA")
    assert result_a.conflicts == 1 and result_b.conflicts == 1
    with laptop_a.session() as s:
        assert s.get(Provider, filled.provider.id).notes == "A: phoned the manager"  # nothing overwritten
        assert s.get(Child, filled.child.id).known_as == "Jay"
        conflict = s.scalars(select(SyncConflict)).one()
        assert conflict.local_data["notes"].startswith("A:") and conflict.remote_data["notes"].startswith("B:")
    with laptop_b.session() as s:
        assert s.get(Placement, filled.placement.id).placement_address == "1 Elm Road"
        assert s.scalar(select(Child).where(Child.first_name == "Ruby")) is not None
        view = list_conflicts(s)[0]
        assert [f.field for f in view.differing] == ["notes"]
    a, b = domain_snapshot(laptop_a), domain_snapshot(laptop_b)
    for table in a:
        if table not in ("provider", "audit_event"):
            assert a[table] == b[table], table


def test_an_own_bundle_is_refused(laptop_a: Database, tmp_path: Path) -> None:
    with laptop_a.session_scope() as s:
        fill(s)
    bundle = export(laptop_a, tmp_path / "share", "AAAA")
    with pytest.raises(BundleError, match="exported from this laptop"):
        import_(laptop_a, bundle, "AAAA")


# --- bad bundles ----------------------------------------------------------------------------

def _rewrite_manifest(folder: Path, change: Callable[[dict], None]) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _records_file(folder: Path, table: str = "child") -> Path:
    return folder / "records" / f"{table}.jsonl"


def _truncate(folder: Path) -> Path:
    path = _records_file(folder)
    path.write_bytes(path.read_bytes()[:-20])
    return folder


def _grow(folder: Path) -> Path:
    path = _records_file(folder)
    path.write_bytes(path.read_bytes() + b"\n")
    return folder


def _tamper(folder: Path) -> Path:
    path = _records_file(folder)
    path.write_bytes(path.read_bytes().replace(b"Whitfield", b"Whitfielt"))
    return folder


def _newer_format(folder: Path) -> Path:
    _rewrite_manifest(folder, lambda d: d.update(format_version=99))
    return folder


def _newer_schema(folder: Path) -> Path:
    _rewrite_manifest(folder, lambda d: d.update(schema_version=999))
    return folder


def _malformed_manifest(folder: Path) -> Path:
    (folder / "manifest.json").write_text('{"format": "placedesk-bundle", "files": [')
    return folder


def _no_manifest(folder: Path) -> Path:
    (folder / "manifest.json").unlink()
    return folder


def _missing_pdf(folder: Path) -> Path:
    next((folder / "documents").iterdir()).unlink()
    return folder


def _swapped_pdf(folder: Path) -> Path:
    # Another PDF under the first one's name, vouched for by a re-signed manifest: only the document's
    # own record can tell.
    pdf = next((folder / "documents").iterdir())
    rewrite_member(folder, pdf.relative_to(folder).as_posix(),
                   pdf.read_bytes().replace(b"%%EOF", b"%%EOF\n% appended after signing\n"),
                   signer=signer_for("Officer A"))
    return folder


def _wrong_document_size(folder: Path) -> Path:
    # The document file is intact but its record claims another size.
    [record] = bundle_records(folder / "records" / "stored_document.jsonl")
    edit_record(folder, "stored_document", 0, "size", record["size"] + 1, signer=signer_for("Officer A"))
    return folder


def _unlisted_missing_pdf(folder: Path) -> Path:
    # The PDF and its manifest entry both gone: only the document record still names it.
    pdf = next((folder / "documents").iterdir())
    pdf.unlink()
    gone = pdf.relative_to(folder).as_posix()
    resign(folder, signer_for("Officer A"), lambda d: d.update(files=[f for f in d["files"] if f["path"] != gone]))
    return folder


def _bad_value(folder: Path) -> Path:
    # A consistent bundle (checksums fixed up and signed again by its officer) whose record holds an impossible date.
    edit_record(folder, "child", 0, "date_of_birth", "17/05/2010", signer=signer_for("Officer A"))
    return folder


# A forger's bundles: each consistent (checksums fixed up and signed again by a trusted officer),
# each wrong inside one records file.
def _lines_of(folder: Path, table: str = "child") -> list[str]:
    return _records_file(folder, table).read_text(encoding="utf-8").splitlines()


def _rewrite_records(folder: Path, lines: list[str], table: str = "child") -> None:
    rewrite_member(folder, f"records/{table}.jsonl", ("\n".join(lines) + "\n").encode("utf-8"),
                   signer=signer_for("Officer A"))


def _record_twice(folder: Path) -> Path:
    header, first, *rest = _lines_of(folder)
    _rewrite_records(folder, [header, first, first, *rest])
    return folder


def _count_not_as_declared(folder: Path) -> Path:
    resign(folder, signer_for("Officer A"), lambda data: data["record_counts"].update(child=2))
    return folder


def _column_twice(folder: Path) -> Path:
    header, *rows = _lines_of(folder)
    columns = json.loads(header)["columns"]
    _rewrite_records(folder, [json.dumps({"table": "child", "columns": [*columns, columns[0]]}),
                              *(json.dumps([*json.loads(row), json.loads(row)[0]]) for row in rows)])
    return folder


def _column_not_a_name(folder: Path) -> Path:
    header, *rows = _lines_of(folder)
    columns = json.loads(header)["columns"]
    _rewrite_records(folder, [json.dumps({"table": "child", "columns": [*columns[:-1], 7]}), *rows])
    return folder


def _other_tables_header(folder: Path) -> Path:
    header, *rows = _lines_of(folder)
    _rewrite_records(folder, [json.dumps({**json.loads(header), "table": "provider"}), *rows])
    return folder


def _record_not_json(folder: Path) -> Path:
    header, _, *rest = _lines_of(folder)
    _rewrite_records(folder, [header, '{"id": ', *rest])
    return folder


def _empty_records_file(folder: Path) -> Path:
    rewrite_member(folder, "records/child.jsonl", b"", signer=signer_for("Officer A"))
    return folder


def _format_1_bad_value(folder: Path) -> Path:
    to_format_1(folder, signer_for("Officer A"))
    payload = json.loads((folder / "records" / "child.json").read_text(encoding="utf-8"))
    payload["rows"][0][payload["columns"].index("date_of_birth")] = "17/05/2010"
    rewrite_member(folder, "records/child.json", json.dumps(payload).encode("utf-8"), signer=signer_for("Officer A"))
    return folder


def _format_1_rows_not_a_list(folder: Path) -> Path:
    to_format_1(folder, signer_for("Officer A"))
    payload = json.loads((folder / "records" / "child.json").read_text(encoding="utf-8"))
    rewrite_member(folder, "records/child.json", json.dumps({**payload, "rows": {"0": payload["rows"][0]}}).encode(),
                   signer=signer_for("Officer A"))
    return folder


def _format_1_wrong_table(folder: Path) -> Path:
    to_format_1(folder, signer_for("Officer A"))
    payload = json.loads((folder / "records" / "child.json").read_text(encoding="utf-8"))
    rewrite_member(folder, "records/child.json", json.dumps({**payload, "table": "provider"}).encode(),
                   signer=signer_for("Officer A"))
    return folder


def _format_1_not_json(folder: Path) -> Path:
    to_format_1(folder, signer_for("Officer A"))
    rewrite_member(folder, "records/child.json", b'{"table": "child", ', signer=signer_for("Officer A"))
    return folder


def _symlinked_file(folder: Path) -> Path:
    path = _records_file(folder)
    outside = folder.parent / "elsewhere.json"
    shutil.move(path, outside)
    os.symlink(outside, path)
    return folder


def _rezip(folder: Path, extra: Callable[[zipfile.ZipFile], None] | None = None,
           skip: frozenset[str] = frozenset()) -> Path:
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                name = path.relative_to(folder).as_posix()
                if name not in skip:
                    zf.write(path, name)
        if extra:
            extra(zf)
    return target


def _zip_slip(folder: Path) -> Path:
    return _rezip(folder, lambda zf: zf.writestr("../../evil.json", b"{}"))


def _absolute_path(folder: Path) -> Path:
    return _rezip(folder, lambda zf: zf.writestr("/etc/evil.json", b"{}"))


def _zip_symlink(folder: Path) -> Path:
    def add(zf: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("documents/" + "0" * 64 + ".pdf")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    return _rezip(folder, add)


def _zip_bomb(folder: Path) -> Path:
    # The manifest vouches for a small child.json; the zip's one inflates to 50 MB of zeros.
    def add(zf: zipfile.ZipFile) -> None:
        zf.writestr("records/child.jsonl", b"0" * 50_000_000, compress_type=zipfile.ZIP_DEFLATED)
    return _rezip(folder, add, skip=frozenset({"records/child.jsonl"}))


def _truncated_zip(folder: Path) -> Path:
    target = _rezip(folder)
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    return target


def _unlisted_member(folder: Path) -> Path:
    return _rezip(folder, lambda zf: zf.writestr("records/provider_extra.json", b"{}"))


BAD = {
    "truncated file": (_truncate, r"^records/[a-z_]+\.jsonl in the bundle is shorter than its manifest says; the "
                                  r"bundle is truncated\. It was rejected; nothing was imported\.$"),
    "tampered file": (_tamper, r"^records/[a-z_]+\.jsonl in the bundle does not match its checksum; it was changed "
                               r"or damaged after export\. The bundle was rejected; nothing was imported\.$"),
    "newer format": (_newer_format, "newer PlaceDesk"),
    "newer schema": (_newer_schema, "newer PlaceDesk"),
    "malformed manifest": (_malformed_manifest, "not valid JSON"),
    "no manifest": (_no_manifest, "no manifest.json"),
    "missing pdf": (_missing_pdf, "is missing"),
    "unlisted missing pdf": (_unlisted_missing_pdf, r"^The bundle is missing the document file for '.*\.pdf'\. "
                                                    r"It was rejected; nothing was imported\.$"),
    "swapped pdf": (_swapped_pdf, r"^The document '.*\.pdf' in the bundle does not match its recorded checksum\. "
                                  r"It was rejected; nothing was imported\.$"),
    "wrong document size": (_wrong_document_size, r"does not match its recorded checksum\. "
                                                  r"It was rejected; nothing was imported\.$"),
    "bad value": (_bad_value, r"Record 1 in records/child\.json.*invalid value for 'date_of_birth'"),
    "record twice": (_record_twice, r"^records/child\.jsonl in the bundle holds the same record twice\. "
                                    r"It was rejected; nothing was imported\.$"),
    "count not as declared": (_count_not_as_declared, r"^records/child\.jsonl holds 1 records but the manifest says "
                                                      r"2\. It was rejected; nothing was imported\.$"),
    "column twice": (_column_twice, r"^records/child\.jsonl in the bundle is malformed\. It was rejected; "
                                    r"nothing was imported\.$"),
    "column not a name": (_column_not_a_name, r"^records/child\.jsonl in the bundle is malformed\. It was rejected; "
                                              r"nothing was imported\.$"),
    "another table's header": (_other_tables_header, r"^records/child\.jsonl in the bundle is malformed\. It was "
                                                     r"rejected; nothing was imported\.$"),
    "record not json": (_record_not_json, r"^Record 1 in records/child\.jsonl in the bundle is not valid JSON "
                                          r"\(Expecting value: line 1 column 8 \(char 7\)\)\. It was rejected; "
                                          r"nothing was imported\.$"),
    "empty records file": (_empty_records_file, r"^The first line of records/child\.jsonl in the bundle is not valid "
                                                r"JSON \(Expecting value: line 1 column 1 \(char 0\)\)\. It was "
                                                r"rejected; nothing was imported\.$"),
    "format 1 bad value": (_format_1_bad_value, r"^Record 1 in records/child\.json has an invalid value for "
                                                r"'date_of_birth' \("),
    "format 1 rows not a list": (_format_1_rows_not_a_list, r"^records/child\.json in the bundle is malformed\. "
                                                            r"It was rejected; nothing was imported\.$"),
    "format 1 wrong table": (_format_1_wrong_table, r"^records/child\.json in the bundle is malformed\. "
                                                    r"It was rejected; nothing was imported\.$"),
    "format 1 not json": (_format_1_not_json, r"^records/child\.json in the bundle is not valid JSON \(Expecting "
                                              r"property name enclosed in double quotes: line 1 column 20 \(char "
                                              r"19\)\)\. It was rejected; nothing was imported\.$"),
    "symlinked file": (_symlinked_file, "is a link"),
    "zip slip": (_zip_slip, "outside the bundle"),
    "absolute path": (_absolute_path, "outside the bundle"),
    "symlink in zip": (_zip_symlink, "link"),
    "zip bomb": (_zip_bomb, r"^records/child\.jsonl in the zip is larger than its manifest says \(50,000,000 bytes "
                            r"against [0-9,]+\); it may be a zip bomb\. It was rejected; nothing was imported\.$"),
    "grown file": (_grow, r"^records/child\.jsonl in the bundle is larger than its manifest says \([0-9,]+ bytes\); "
                          r"the bundle may be tampered with or a zip bomb\. It was rejected; nothing was imported\.$"),
    "truncated zip": (_truncated_zip, "truncated"),
    "unlisted member": (_unlisted_member, "does not list"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_a_bad_bundle_is_rejected_naming_the_problem_and_the_database_is_unchanged(
        laptop_a: Database, tmp_path: Path, kind: str) -> None:
    with laptop_a.session_scope() as s:
        fill(s)
    bundle = export(laptop_a, tmp_path / "share", "AAAA")
    spoil, message = BAD[kind]
    bad = spoil(bundle)
    target = new_db(tmp_path / "target.sqlite")
    with target.session_scope() as s:
        fill(s)
    before = file_sha256(target)
    target = new_db(tmp_path / "target.sqlite")
    try:
        with pytest.raises(BundleError, match=message):
            import_(target, bad, "BBBB")
    finally:
        after = file_sha256(target)
    assert before == after


def test_a_bundle_is_written_in_batches_and_a_table_referring_to_itself_whole_parents_first(
        laptop_a: Database, laptop_b: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from placedesk.services.sync import import_bundle as module

    with laptop_a.session_scope() as s:
        fill(s)
        fill(s, child_name=("Amara", "Okafor"))
        fill(s, child_name=("Lena", "Brook"))
    bundle = export(laptop_a, tmp_path / "share", "AAAA")
    # Each agreement's second version refers to its first: put every second version ahead of the first.
    header, *rows = _lines_of(bundle, "agreement")
    version = json.loads(header)["columns"].index("version_number")
    _rewrite_records(bundle, [header, *sorted(rows, key=lambda row: -json.loads(row)[version])], "agreement")
    monkeypatch.setattr(module, "_BATCH", 1)
    result = import_(laptop_b, bundle, "BBBB")
    assert result.inserted["child"] == 3 and result.inserted["agreement"] == 6
    assert domain_snapshot(laptop_a) == domain_snapshot(laptop_b)


def test_a_reference_used_here_by_another_record_is_reported_not_crashed(
        laptop_a: Database, laptop_b: Database, tmp_path: Path) -> None:
    with laptop_a.session_scope() as s:
        fill(s, case_reference="CASE-SAME")
    with laptop_b.session_scope() as s:
        fill(s, case_reference="CASE-SAME")
    bundle = export(laptop_a, tmp_path / "share", "AAAA")
    before = file_sha256(laptop_b)
    target = new_db(laptop_b.path)
    try:
        with pytest.raises(BundleError, match="case_reference 'CASE-SAME' is already used here"):
            import_(target, bundle, "BBBB")
    finally:
        after = file_sha256(target)
    assert before == after


def test_a_bundle_missing_the_records_it_refers_to_is_refused(
        laptop_a: Database, laptop_b: Database, tmp_path: Path) -> None:
    with laptop_a.session_scope() as s:
        filled = fill(s)
    export(laptop_a, tmp_path / "first", "AAAA")
    with laptop_a.session_scope() as s:
        s.get(Placement, filled.placement.id).review_date = dt.date(2026, 6, 1)
    partial = export(laptop_a, tmp_path / "second", "AAAA")
    with pytest.raises(BundleError, match="does not have"):
        import_(laptop_b, partial, "BBBB")
    with laptop_b.session() as s:
        assert s.scalars(select(Placement)).all() == []


def test_the_small_demo_database_round_trips_record_for_record(demo_db: Database, laptop_b: Database,
                                                                tmp_path: Path) -> None:
    bundle = export(demo_db, tmp_path / "share", "DEMO", as_zip=True)
    result = import_(laptop_b, bundle, "BBBB")
    assert result.conflicts == 0 and sum(result.inserted.values()) > 1000
    assert domain_snapshot(demo_db) == domain_snapshot(laptop_b)


def test_the_same_kpi_and_ofsted_provider_made_on_both_laptops_are_matched_not_clashed(
        laptop_a: Database, laptop_b: Database, tmp_path: Path) -> None:
    with laptop_a.session_scope() as s:
        filled = fill(s)
    with laptop_b.session_scope() as s:
        # Laptop B imported the same Ofsted-registered provider itself, and made the same default KPI.
        fill(s)
        provider = s.scalars(select(Provider)).one()
        provider.urn = filled.provider.urn
    result = import_(laptop_b, export(laptop_a, tmp_path / "share", "AAAA"), "BBBB")
    with laptop_b.session() as s:
        providers = s.scalars(select(Provider)).all()
        assert len(providers) == 1  # one real provider, not two
        placements = s.scalars(select(Placement)).all()
        assert len(placements) == 2 and {p.provider_id for p in placements} == {providers[0].id}
        assert len(s.scalars(select(KpiDefinition)).all()) == 1
    assert result.conflicts == 1  # the two laptops' descriptions of that provider, for the officer to choose


def test_a_clash_on_a_key_of_several_columns_is_reported(laptop_a: Database, laptop_b: Database,
                                                         tmp_path: Path) -> None:
    from placedesk.models import Referral, ReferralFundingShare
    from placedesk.models.enums import FundingPartner

    with laptop_a.session_scope() as s:
        fill(s)
    import_(laptop_b, export(laptop_a, tmp_path / "one", "AAAA"), "BBBB")
    for db in (laptop_a, laptop_b):
        with db.session_scope() as s:
            referral = s.scalars(select(Referral)).one()
            s.add(ReferralFundingShare(referral_id=referral.id, partner=FundingPartner.EDUCATION, share_bp=0))
    bundle = export(laptop_a, tmp_path / "two", "AAAA")
    before = file_sha256(laptop_b)
    target = new_db(laptop_b.path)
    try:
        with pytest.raises(BundleError, match="referral_funding_share referral_id/partner .* is already used here"):
            import_(target, bundle, "BBBB")
    finally:
        assert file_sha256(target) == before


def test_records_arriving_in_an_empty_table_follow_a_parent_that_kept_its_local_id(
        laptop_a: Database, laptop_b: Database, tmp_path: Path) -> None:
    from placedesk.models import KpiValue
    from placedesk.models.enums import ProviderType

    with laptop_a.session_scope() as s:
        urn = fill(s).provider.urn
    with laptop_b.session_scope() as s:
        s.add(Provider(ref="PRV-LOCAL", urn=urn, name="Same home, imported from Ofsted here",
                       provider_type=ProviderType.CHILDRENS_HOME))
    import_(laptop_b, export(laptop_a, tmp_path / "share", "AAAA"), "BBBB")
    with laptop_b.session() as s:
        (provider,) = s.scalars(select(Provider)).all()
        assert provider.ref == "PRV-LOCAL"
        assert {v.provider_id for v in s.scalars(select(KpiValue))} == {provider.id}
        assert {p.provider_id for p in s.scalars(select(Placement))} == {provider.id}


def test_a_colleagues_save_landing_while_a_bundle_is_imported_is_never_overwritten(
        laptop_a: Database, db: Database, colleague: Database, engine_name: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if engine_name == "sqlite":
        pytest.skip("on a file the import holds the write lock from its start: no colleague's save can land in it")
    from placedesk.services.sync import import_bundle as importer

    with laptop_a.session_scope() as s:
        filled = fill(s)
    import_(db, export(laptop_a, tmp_path / "s1", "AAAA"), "TEAM")
    with laptop_a.session_scope() as s:
        s.get(Provider, filled.provider.id).vacancies = 0
    second = export(laptop_a, tmp_path / "s2", "AAAA")
    real_write = importer._write

    def colleague_saves_first(session: object, table: Any, inserts: Any, updates: Any, *args: Any,
                              **kwargs: Any) -> None:
        if table.name == "provider" and updates:
            # A. Khan notes a call on the team server after the import compared the provider, before it writes.
            with colleague.session_scope() as theirs:
                theirs.get(Provider, filled.provider.id).notes = "Phoned the manager"
            monkeypatch.setattr(importer, "_write", real_write)
        real_write(session, table, inserts, updates, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "_write", colleague_saves_first)
    with pytest.raises(ChangedMeanwhile) as caught:
        import_(db, second, "TEAM")
    message = str(caught.value)
    assert message.startswith(f"A. Khan changed the provider {filled.provider.ref} here (vacancies, notes) at ")
    assert "Nothing of the bundle was imported: import it again" in message
    with db.session() as s:
        provider = s.get(Provider, filled.provider.id)
        assert (provider.notes, provider.vacancies) == ("Phoned the manager", 1)
    # Imported again, her change meets the bundle's as a conflict to resolve, still not overwritten.
    result = import_(db, second, "TEAM")
    assert result.conflicts == 1
    with db.session() as s:
        assert s.get(Provider, filled.provider.id).notes == "Phoned the manager"
