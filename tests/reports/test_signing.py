"""Signing and checking PDFs: the officer's PAdES signature, a provider's countersignature, damage."""

from __future__ import annotations

import io
import subprocess
import shutil
from pathlib import Path

import pytest
from PIL import Image

from placedesk.reports import signing
from placedesk.reports.ipa import render_ipa
from tests.reports.ipa_data import sample
from tests.services.agreement_helpers import OFFICER_PASS, PROVIDER_PASS, officer_p12, provider_p12


@pytest.fixture(scope="module")
def unsigned() -> bytes:
    return render_ipa(sample())


def _officer_sign(pdf: bytes, image: bytes | None = None) -> bytes:
    signer = signing.load_signer(officer_p12(), OFFICER_PASS)
    return signing.sign_pdf(pdf, signing.LA_FIELD, signer, name="Siân Ŵyn-Roberts", role="Placement Officer",
                            organisation="Cyngor Sir Ynys Môn", image=image)


def test_the_officer_signature_is_intact_valid_and_covers_the_document(unsigned: bytes) -> None:
    signed = _officer_sign(unsigned)
    assert signed.startswith(unsigned)
    [check] = signing.verify_pdf(signed)
    assert check.field_name == signing.LA_FIELD
    assert check.intact and check.valid and check.covers_whole_file and check.ok
    assert check.coverage == "whole document"
    assert check.signer_name == "Siân Ŵyn-Roberts"
    # Self-signed: reported as untrusted, which does not make it invalid.
    assert check.trusted is False
    assert check.signed_length == len(signed) and check.signed_at is not None


def test_a_provider_countersignature_with_a_second_certificate_is_valid(unsigned: bytes) -> None:
    signed = _officer_sign(unsigned)
    signer = signing.load_signer(provider_p12(), PROVIDER_PASS)
    counter = signing.sign_pdf(signed, signing.PROVIDER_FIELD, signer, name="Jo Provider",
                               role="Registered Manager", organisation="Brightpath Care Ltd")
    first, second = signing.verify_pdf(counter)
    assert first.ok and not first.covers_whole_file and first.signed_length == len(signed)
    assert second.ok and second.covers_whole_file and second.signer_name == "Jo Provider"
    assert first.certificate_sha256 != second.certificate_sha256


def test_trusting_the_councils_certificate_marks_the_signature_trusted(unsigned: bytes) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    _key, cert, _ = pkcs12.load_key_and_certificates(officer_p12(), OFFICER_PASS.encode())
    [check] = signing.verify_pdf(_officer_sign(unsigned), trust_roots=[cert.public_bytes(Encoding.DER)])
    assert check.trusted and check.ok


def test_a_handwritten_signature_image_goes_in_the_box(unsigned: bytes) -> None:
    picture = Image.new("RGBA", (300, 90), (255, 255, 255, 0))
    for x in range(20, 280):
        picture.putpixel((x, 45 + (x % 20) - 10), (10, 20, 90, 255))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    with_image = _officer_sign(unsigned, image=buffer.getvalue())
    without = _officer_sign(unsigned)
    assert len(with_image) > len(without) + 500
    assert signing.verify_pdf(with_image)[0].ok


def test_an_unreadable_signature_image_is_a_clear_error(unsigned: bytes) -> None:
    with pytest.raises(signing.SigningError, match="PNG or JPEG"):
        _officer_sign(unsigned, image=b"not an image")


def test_the_wrong_passphrase_is_a_clear_error() -> None:
    with pytest.raises(signing.SigningError, match="passphrase does not open"):
        signing.load_signer(officer_p12(), "not the passphrase")


def test_a_changed_byte_breaks_the_signature(unsigned: bytes) -> None:
    signed = bytearray(_officer_sign(unsigned))
    signed[1500] ^= 0x01
    [check] = signing.verify_pdf(bytes(signed))
    assert not check.intact and not check.ok


def test_a_truncated_or_foreign_file_is_unreadable(unsigned: bytes) -> None:
    signed = _officer_sign(unsigned)
    with pytest.raises(signing.UnreadablePdf, match="truncated"):
        signing.verify_pdf(signed[:-2000])
    with pytest.raises(signing.UnreadablePdf, match="not a PDF"):
        signing.verify_pdf(b"GIF89a")


def test_an_unsigned_pdf_has_no_signatures(unsigned: bytes) -> None:
    assert signing.verify_pdf(unsigned) == []


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler's pdfsig is not installed")
def test_poppler_agrees_the_signature_is_valid(unsigned: bytes, tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(_officer_sign(unsigned))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in out and "Total document signed" in out
    assert "ProviderSignature" in out and "not signed" in out
