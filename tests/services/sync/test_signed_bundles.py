"""Signed bundles tried as a hostile colleague or anyone with write access to the shared folder would.

Each refusal leaves the receiving database's file byte for byte as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from placedesk.db import Database
from placedesk.models import AuditEvent, Child
from placedesk.models.base import utcnow
from placedesk.services.sync.bundle_format import BundleError, read_bundle
from placedesk.services.sync.bundle_signing import SignerError, spoken_fingerprint
from placedesk.services.sync.colleagues import TrustList, preview_bundle
from placedesk.services.sync.export_bundle import export_bundle
from placedesk.services.sync.import_bundle import import_bundle
from tests.services.sync.helpers import (
    NOW,
    edit_record,
    file_sha256,
    fill,
    new_db,
    resign,
    rewrite_member,
    signer_for,
    to_format_1,
)

A, B, OUTSIDER = "Officer A", "Officer B", "Someone Else"


@pytest.fixture
def laptop_a(tmp_path: Path) -> Database:
    database = new_db(tmp_path / "a.sqlite", A)
    with database.session_scope() as s:
        fill(s, child_name=("Jordan", "Whitfield"))
    yield database
    database.close()


def _export(db: Database, folder: Path, laptop: str = "AAAA", signer: Any = None) -> Path:
    with db.session_scope() as s:
        return export_bundle(s, folder, laptop_id=laptop, signer=signer or signer_for(db.officer),
                             now=utcnow()).path


def _trust(*names: str) -> TrustList:
    trust = TrustList()
    for name in names:
        trust.add(signer_for(name).certificate, now=NOW)
    return trust


def _refused(tmp_path: Path, bundle: Path, trust: TrustList, match: str) -> BundleError:
    """Import ``bundle`` into a laptop with data of its own; it must be refused and the file unchanged."""
    target = new_db(tmp_path / "target.sqlite", "Officer T")
    with target.session_scope() as s:
        fill(s, child_name=("Amara", "Okafor"))
    before = file_sha256(target)
    target = new_db(tmp_path / "target.sqlite", "Officer T")
    try:
        with pytest.raises(BundleError, match=match) as caught:
            with target.session_scope() as s:
                import_bundle(s, bundle, own_laptop_id="TTTT", trust=trust, now=utcnow())
    finally:
        after = file_sha256(target)
    assert before == after
    return caught.value


def _forge_name(bundle: Path, signer: Any = None) -> None:
    edit_record(bundle, "child", 0, "last_name", "FORGED", signer=signer)


def _forged_event(bundle: Path, signer: Any) -> None:
    member = bundle / "records" / "audit_event.jsonl"
    header, first, *rest = member.read_text(encoding="utf-8").splitlines()
    columns = json.loads(header)["columns"]
    event = json.loads(first)
    event[columns.index("id")] = "0" * 31 + "1"
    event[columns.index("officer")] = "Director of Children's Services"
    event[columns.index("changes")] = json.dumps({"notes": {"after": "Placement approved"}})
    lines = [header, first, *rest, json.dumps(event)]
    rewrite_member(bundle, "records/audit_event.jsonl", ("\n".join(lines) + "\n").encode(), signer=signer)

    def count(data: dict[str, Any]) -> None:
        data["record_counts"]["audit_event"] += 1
    resign(bundle, signer, count)


def _remove_file_and_entry(bundle: Path) -> None:
    (bundle / "records" / "cap_action.jsonl").unlink()

    def drop(data: dict[str, Any]) -> None:
        data["files"] = [f for f in data["files"] if f["path"] != "records/cap_action.jsonl"]
        data["record_counts"].pop("cap_action")
    resign(bundle, None, drop)


HOSTILE: dict[str, tuple[Callable[[Path], None], tuple[str, ...], str, str]] = {
    # name: (spoil the bundle, names trusted by the receiver, expected message, expected reason)
    "forged record, checksum recomputed": (lambda b: _forge_name(b), (A,), "signature is not valid", "bad_signature"),
    "forged record, signed by an outsider": (lambda b: _forge_name(b, signer_for(OUTSIDER)), (A,),
                                             "not on your trust list", "untrusted"),
    "forged audit event, checksum recomputed": (lambda b: _forged_event(b, None), (A,), "signature is not valid",
                                                "bad_signature"),
    "manifest officer changed": (lambda b: resign(b, None, lambda d: d.update(officer="Director")), (A,),
                                 "signature is not valid", "bad_signature"),
    "manifest officer changed and re-signed by another colleague": (
        lambda b: resign(b, signer_for(B), lambda d: d.update(officer=A)), (A, B), "signed by Officer B", "officer"),
    "file and its entry removed together": (_remove_file_and_entry, (A,), "signature is not valid", "bad_signature"),
    "unsigned": (lambda b: (b / "manifest.p7s").unlink(), (A,), "not signed", "unsigned"),
    "untrusted signer": (lambda b: None, (B,), "not on your trust list", "untrusted"),
    "signature file damaged": (lambda b: (b / "manifest.p7s").write_bytes(b"\x30\x03garbage"), (A,),
                               "signature is not valid", "bad_signature"),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_bundle_is_refused_with_the_reason_and_the_database_unchanged(
        laptop_a: Database, tmp_path: Path, kind: str) -> None:
    spoil, trusted, message, reason = HOSTILE[kind]
    bundle = _export(laptop_a, tmp_path / "share")
    spoil(bundle)
    error = _refused(tmp_path, bundle, _trust(*trusted), message)
    assert isinstance(error, SignerError) and error.reason == reason


def test_a_forged_audit_event_signed_by_the_colleague_themself_is_refused(laptop_a: Database, tmp_path: Path) -> None:
    bundle = _export(laptop_a, tmp_path / "share")
    _forged_event(bundle, signer_for(A))
    _refused(tmp_path, bundle, _trust(A), "audit event recorded as made by \"Director of Children's Services\"")


def test_an_untrusted_signer_is_named_with_the_fingerprint_to_compare(laptop_a: Database, tmp_path: Path) -> None:
    bundle = _export(laptop_a, tmp_path / "share")
    error = _refused(tmp_path, bundle, _trust(B), "not on your trust list")
    assert spoken_fingerprint(signer_for(A).fingerprint) in str(error)


def test_an_extra_file_in_a_folder_bundle_is_refused(laptop_a: Database, tmp_path: Path) -> None:
    bundle = _export(laptop_a, tmp_path / "share")
    (bundle / "records" / "provider_extra.jsonl").write_text("{}\n")
    _refused(tmp_path, bundle, _trust(A), "does not list")
    (bundle / "records" / "provider_extra.jsonl").unlink()
    (bundle / "notes.txt").write_text("left by someone on the share")
    _refused(tmp_path, bundle, _trust(A), "does not list")


def test_an_expired_certificate_is_refused(tmp_path: Path) -> None:
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    old = signer_for(A, now=long_ago)
    source = new_db(tmp_path / "a.sqlite", A)
    with source.session_scope() as s:
        fill(s)
    bundle = _export(source, tmp_path / "share", signer=old)
    source.close()
    trust = TrustList()
    trust.add(old.certificate, now=long_ago + dt.timedelta(days=1))
    _refused(tmp_path, bundle, trust, "valid only from .* to 31/12/2022")


def test_a_colleague_removed_from_the_trust_list_is_refused_from_then_on(laptop_a: Database, tmp_path: Path) -> None:
    bundle = _export(laptop_a, tmp_path / "share")
    trust = _trust(A, B)
    assert [c.name for c in trust.remove(A)] == [A]
    _refused(tmp_path, bundle, trust, "not on your trust list")


def test_a_trusted_colleague_cannot_pass_a_bundle_off_as_another_laptops(laptop_a: Database, tmp_path: Path) -> None:
    trust = _trust(A, B)
    trust.bind("AAAA", signer_for(A).fingerprint)
    other = new_db(tmp_path / "b.sqlite", B)
    with other.session_scope() as s:
        fill(s)
    bundle = _export(other, tmp_path / "share", laptop="AAAA")
    other.close()
    _refused(tmp_path, bundle, trust, "laptop AAAA, which signs with Officer A's certificate")


def test_the_first_bundle_binds_its_laptop_and_events_keep_their_signer(laptop_a: Database, tmp_path: Path) -> None:
    with laptop_a.session_scope() as s:
        s.scalars(select(Child)).first().notes = "phoned the school"
    bundle = _export(laptop_a, tmp_path / "share")
    trust = _trust(A)
    target = new_db(tmp_path / "b.sqlite", B)
    with target.session_scope() as s:
        result = import_bundle(s, bundle, own_laptop_id="BBBB", trust=trust, now=utcnow())
    assert result.signer == A and result.fingerprint == signer_for(A).fingerprint
    assert trust.changed and trust.laptops == {"AAAA": signer_for(A).fingerprint}
    with target.session() as s:
        received = list(s.scalars(select(AuditEvent).where(AuditEvent.officer == A)))
    assert received and {e.signer_fingerprint for e in received} == {signer_for(A).fingerprint}
    assert {e.received_bundle_id for e in received} == {result.bundle_id}
    # Laptop B sends only its own officer's events on: A's travel only under A's signature.
    with target.session_scope() as s:
        s.scalars(select(Child)).first().known_as = "Jo"
    onward = _export(target, tmp_path / "onward", laptop="BBBB")
    header, *lines = (onward / "records" / "audit_event.jsonl").read_text().splitlines()
    officers = {json.loads(line)[json.loads(header)["columns"].index("officer")] for line in lines}
    assert officers == {B}
    target.close()


def test_a_council_ca_can_be_trusted_instead_of_each_colleague(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from placedesk.services.sync.bundle_signing import BundleSigner

    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (x509.CertificateBuilder().subject_name(name("Test Council CA")).issuer_name(name("Test Council CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(NOW - dt.timedelta(days=1))
          .not_valid_after(NOW + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issued = (x509.CertificateBuilder().subject_name(name("Officer C")).issuer_name(ca.subject)
              .public_key(key.public_key()).serial_number(2).not_valid_before(NOW - dt.timedelta(days=1))
              .not_valid_after(NOW + dt.timedelta(days=3650)).sign(ca_key, hashes.SHA256()))
    source = new_db(tmp_path / "c.sqlite", "Officer C")
    with source.session_scope() as s:
        fill(s)
    bundle = _export(source, tmp_path / "share", laptop="CCCC", signer=BundleSigner(key, issued))
    source.close()
    trust = TrustList()
    assert trust.add(ca, now=NOW).authority
    target = new_db(tmp_path / "t.sqlite", "Officer T")
    with target.session_scope() as s:
        assert import_bundle(s, bundle, own_laptop_id="TTTT", trust=trust, now=utcnow()).signer == "Officer C"
    target.close()
    _refused(tmp_path, bundle, _trust(A), "not on your trust list")


def test_a_bundle_can_be_looked_at_without_importing_it(laptop_a: Database, tmp_path: Path) -> None:
    bundle = _export(laptop_a, tmp_path / "share")
    preview = preview_bundle(bundle, _trust(B), now=utcnow())
    assert not preview.trusted and preview.signer is not None and preview.signer.name == A
    assert preview.officer == A and preview.laptop_id == "AAAA" and preview.record_counts["child"] == 1
    assert "not on your trust list" in (preview.problem or "") and preview.reason == "untrusted"
    assert "Not on your trust list" in preview.lines()[-1]
    assert preview_bundle(bundle, _trust(A), now=utcnow()).trusted


def test_format_1_bundles_are_still_read(laptop_a: Database, tmp_path: Path) -> None:
    """A bundle written before JSON Lines (one JSON document per table) still reads and imports."""
    bundle = _export(laptop_a, tmp_path / "share")
    to_format_1(bundle, signer_for(A))
    assert read_bundle(bundle).manifest.format_version == 1
    target = new_db(tmp_path / "t.sqlite", "Officer T")
    with target.session_scope() as s:
        result = import_bundle(s, bundle, own_laptop_id="TTTT", trust=_trust(A), now=utcnow())
    assert result.inserted["child"] == 1
    target.close()


def test_a_number_out_of_range_is_an_invalid_record_not_a_crash(laptop_a: Database, tmp_path: Path) -> None:
    bundle = _export(laptop_a, tmp_path / "share")
    edit_record(bundle, "child", 0, "version", 2 ** 70, signer=signer_for(A))
    _refused(tmp_path, bundle, _trust(A), "Record 1 in records/child.jsonl has an invalid value for 'version'")
