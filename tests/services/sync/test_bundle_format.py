"""The manifest parser and member-path rules: strict, and never crashing on hostile input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placedesk.services.sync.bundle_format import (
    FORMAT_VERSION,
    BundleError,
    FileEntry,
    Manifest,
    parse_bundle_name,
    parse_manifest,
    safe_member_path,
    bundle_name,
)

WHEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone.utc)


def _manifest(**kw: object) -> Manifest:
    values: dict = dict(bundle_id="a" * 32, placedesk_version="0.1.0", schema_version=1, officer="Sam Patel",
                        laptop_id="LAP1", created_at=WHEN, since=None,
                        files=(FileEntry("records/child.json", "b" * 64, 12),), record_counts={"child": 1},
                        seen={"LAP2": WHEN})
    values.update(kw)
    return Manifest(**values)


def test_a_manifest_survives_writing_and_reading() -> None:
    original = _manifest(since=WHEN - dt.timedelta(days=3))
    assert parse_manifest(original.to_json()) == original


@pytest.mark.parametrize("change, message", [
    ({"format_version": FORMAT_VERSION + 1}, "newer PlaceDesk"),
    ({"format": "something-else"}, "not a PlaceDesk export bundle"),
    ({"bundle_id": "../../x"}, "malformed bundle id"),
    ({"laptop_id": "a/b"}, "malformed laptop id"),
    ({"created_at": "2026-03-02T09:30:00"}, "without a time zone"),
    ({"files": [{"path": "../outside.json", "sha256": "b" * 64, "size": 1}]}, "outside the bundle"),
    ({"files": [{"path": "records/child.json", "sha256": "xyz", "size": 1}]}, "no valid checksum"),
    ({"files": [{"path": "records/child.json", "sha256": "b" * 64, "size": -1}]}, "no valid size"),
    ({"files": [{"path": "records/child.json", "sha256": "b" * 64, "size": 1}] * 2}, "twice"),
    ({"files": [{"path": "records/child.json", "sha256": "b" * 64, "size": 10 ** 13}]}, "more than PlaceDesk will read"),
    ({"record_counts": {"child": -4}}, "invalid record count"),
])
def test_a_bad_manifest_is_refused_with_a_message_naming_the_problem(change: dict, message: str) -> None:
    data = json.loads(_manifest().to_json())
    data.update(change)
    with pytest.raises(BundleError, match=message):
        parse_manifest(json.dumps(data).encode())


def test_a_newer_database_schema_is_refused_when_the_reader_says_which_it_has() -> None:
    with pytest.raises(BundleError, match="newer PlaceDesk database"):
        parse_manifest(_manifest(schema_version=7).to_json(), schema_version=1)


@pytest.mark.parametrize("path", ["records/child.json", "documents/" + "0" * 64 + ".pdf"])
def test_the_two_member_shapes_are_allowed(path: str) -> None:
    assert safe_member_path(path) == path


@pytest.mark.parametrize("path", ["../child.json", "/etc/passwd", "records/../../x.json", "records\\child.json",
                                  "C:/x.json", "records/Child.json", "documents/abc.pdf", "manifest.json", "", None])
def test_anything_else_is_refused_as_outside_the_bundle(path: object) -> None:
    with pytest.raises(BundleError, match=r"\(it may point outside the bundle\)\. The bundle was rejected; nothing "
                                          r"was imported\.$"):
        safe_member_path(path)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_a_bundle_error_never_a_crash(raw: bytes) -> None:
    try:
        parse_manifest(raw)
    except BundleError:
        pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["format", "format_version", "bundle_id", "schema_version", "laptop_id",
                                        "created_at", "scope", "record_counts", "seen", "files"]), json_values))
def test_any_mangled_manifest_fields_are_a_bundle_error_never_a_crash(change: dict) -> None:
    data = json.loads(_manifest().to_json())
    data.update(change)
    try:
        parse_manifest(json.dumps(data).encode())
    except BundleError:
        pass


@given(st.text(alphabet="ABCDEF0123456789", min_size=1, max_size=12), st.uuids())
def test_bundle_names_carry_the_laptop_and_bundle_id(laptop: str, bundle: object) -> None:
    name = bundle_name(laptop, WHEN, bundle.hex)  # type: ignore[attr-defined]
    assert parse_bundle_name(name) == (laptop, bundle.hex)  # type: ignore[attr-defined]
    assert parse_bundle_name(name + ".zip") == (laptop, bundle.hex)  # type: ignore[attr-defined]
    assert parse_bundle_name("." + name + ".partial") is None


def _checked(data: bytes, declared: bytes) -> Any:
    """A member whose stream holds ``data`` while the manifest vouches for ``declared``."""
    import hashlib
    import io

    from placedesk.services.sync.bundle_format import _CheckedStream

    return _CheckedStream(io.BytesIO(data), FileEntry("records/child.jsonl", hashlib.sha256(declared).hexdigest(),
                                                      len(declared)))


def _read_in(stream: Any, size: int) -> bytes:
    out = b""
    while chunk := stream.read(size):
        out += chunk
    return out


@pytest.mark.parametrize("size", [1, 3, 5, 10, 11])
def test_a_member_read_a_few_bytes_at_a_time_is_checked_once_whole(size: int) -> None:
    content = b"0123456789"
    stream = _checked(content, content)
    assert _read_in(stream, size) == content
    assert stream.read(4) == b""


@pytest.mark.parametrize("size", [2, 5, 10])
def test_bytes_beyond_the_declared_size_are_refused_even_when_a_read_ends_exactly_at_it(size: int) -> None:
    with pytest.raises(BundleError, match=r"^records/child\.jsonl in the bundle is larger than its manifest says "
                                          r"\(10 bytes\); the bundle may be tampered with or a zip bomb\. "
                                          r"It was rejected; nothing was imported\.$"):
        _read_in(_checked(b"0123456789AB", b"0123456789"), size)


@pytest.mark.parametrize("size", [3, 8])
def test_a_short_or_changed_member_read_in_pieces_is_refused(size: int) -> None:
    with pytest.raises(BundleError, match="is shorter than its manifest says; the bundle is truncated"):
        _read_in(_checked(b"01234567", b"0123456789"), size)
    with pytest.raises(BundleError, match="does not match its checksum; it was changed or damaged after export"):
        _read_in(_checked(b"0123456780", b"0123456789"), size)


def test_checking_a_bundle_reports_each_file_checked_out_of_all(tmp_path: Path) -> None:
    from placedesk.services.sync.bundle_format import read_bundle
    from tests.services.sync.helpers import fill, new_db, signer_for
    from placedesk.models.base import utcnow
    from placedesk.services.sync.export_bundle import export_bundle

    db = new_db(tmp_path / "a.sqlite", "Officer A")
    with db.session_scope() as s:
        fill(s)
        bundle = export_bundle(s, tmp_path / "share", laptop_id="AAAA", signer=signer_for("Officer A"),
                               now=utcnow()).path
    db.close()
    seen: list[tuple[int, int]] = []
    checked = read_bundle(bundle, progress=lambda done, total: seen.append((done, total)))
    files = len(checked.manifest.files)
    assert files > 3 and seen == [(n, files) for n in range(1, files + 1)]
