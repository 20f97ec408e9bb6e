"""The officer's signing identity: created or imported, passphrase-protected, never stored in clear."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from placedesk.errors import PlaceDeskError, ValidationError
from placedesk.services.agreements import identity

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
PASS = "correct horse battery"


def test_create_saves_a_passphrase_protected_identity_in_the_data_folder(placedesk_home: Path) -> None:
    path = identity.create_identity("Siân Ŵyn", "Placement Officer", "Cyngor Sir Ynys Môn", "sian@example.gov.uk",
                                    PASS, now=NOW)
    assert path == placedesk_home / "data" / "signing" / "officer.p12"
    assert identity.has_identity()
    raw = path.read_bytes()
    # Neither the passphrase nor a readable private key is in the file.
    assert PASS.encode() not in raw and b"PRIVATE KEY" not in raw
    info = identity.identity_info()
    assert info is not None and info.common_name == "Siân Ŵyn" and info.self_signed
    assert "Cyngor Sir Ynys Môn" in info.subject
    assert not info.expired_on(dt.date(2028, 3, 1)) and info.expired_on(dt.date(2029, 3, 3))
    assert identity.read_identity(PASS) == raw


def test_the_wrong_passphrase_is_a_clear_error() -> None:
    identity.create_identity("Siân Ŵyn", "Placement Officer", "Ynys Môn", "", PASS, now=NOW)
    with pytest.raises(PlaceDeskError, match="passphrase does not open"):
        identity.read_identity("wrong passphrase")


def test_creating_again_needs_an_explicit_replace() -> None:
    identity.create_identity("A Officer", "", "Council", "", PASS, now=NOW)
    with pytest.raises(PlaceDeskError, match="already have"):
        identity.create_identity("B Officer", "", "Council", "", PASS, now=NOW)
    identity.create_identity("B Officer", "", "Council", "", PASS, now=NOW, replace=True)
    assert identity.identity_info().common_name == "B Officer"


def test_no_identity_yet_says_how_to_get_one() -> None:
    assert identity.identity_info() is None
    with pytest.raises(PlaceDeskError, match="Create one"):
        identity.read_identity(PASS)


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=7))
def test_short_passphrases_are_refused_before_any_key_is_made(passphrase: str) -> None:
    with pytest.raises(ValidationError) as err:
        identity.build_identity("A Officer", "", "Council", "", passphrase)
    assert err.value.field == "passphrase"


def test_name_council_and_email_are_checked() -> None:
    with pytest.raises(ValidationError, match="your name"):
        identity.build_identity(" ", "", "Council", "", PASS)
    with pytest.raises(ValidationError, match="local authority"):
        identity.build_identity("A Officer", "", "", "", PASS)
    with pytest.raises(ValidationError, match="not an email"):
        identity.build_identity("A Officer", "", "Council", "nope", PASS)


def test_import_checks_and_copies_an_la_issued_file(tmp_path: Path) -> None:
    data, _pem = identity.build_identity("Issued Officer", "Officer", "Council", "", "la-issued-pass", now=NOW)
    source = tmp_path / "issued.pfx"
    source.write_bytes(data)
    with pytest.raises(PlaceDeskError, match="passphrase does not open issued.pfx"):
        identity.import_identity(source, "guess-guess")
    assert not identity.has_identity()
    identity.import_identity(source, "la-issued-pass")
    assert identity.identity_info().common_name == "Issued Officer"
    assert identity.read_identity("la-issued-pass") == data


def test_import_refuses_a_file_that_is_not_an_identity(tmp_path: Path) -> None:
    source = tmp_path / "letter.p12"
    source.write_bytes(b"not a key store")
    with pytest.raises(PlaceDeskError, match="not a PKCS#12"):
        identity.import_identity(source, PASS)
    with pytest.raises(PlaceDeskError, match="could not be read"):
        identity.import_identity(tmp_path / "missing.p12", PASS)


def test_a_handwritten_signature_image_is_kept_as_png_and_can_be_removed(tmp_path: Path) -> None:
    from PIL import Image

    source = tmp_path / "scan.jpg"
    Image.new("RGB", (1200, 400), "white").save(source, "JPEG")
    assert identity.signature_image() is None
    identity.save_signature_image(source)
    image = identity.signature_image()
    assert image is not None and image.startswith(b"\x89PNG")
    identity.remove_signature_image()
    assert identity.signature_image() is None


def test_a_file_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "signature.png"
    source.write_bytes(b"nope")
    with pytest.raises(ValidationError, match="PNG or JPEG"):
        identity.save_signature_image(source)
