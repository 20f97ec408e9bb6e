"""Signing and checking PDFs: the officer's PAdES signature, a provider's countersignature, damage."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from placedesk.reports import signing, stamp_font
from placedesk.reports.fonts import shape_arabic
from placedesk.reports.ipa import render_ipa
from tests.reports.ipa_data import sample
from tests.services.agreements.helpers import OFFICER_PASS, PROVIDER_PASS, officer_p12, provider_p12


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


ACCENTED_NAME = "Siân Wiśniewska-Łukasz"
ACCENTED_ROLE = "Koordynatorka ds. pieczy zastępczej"


def _handwriting() -> bytes:
    picture = Image.new("RGB", (300, 90), "white")
    for x in range(20, 280):
        picture.putpixel((x, 45 + (x % 20) - 10), (10, 20, 90))
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def _accented_sign(pdf: bytes, image: bytes | None) -> bytes:
    signer = signing.load_signer(officer_p12(), OFFICER_PASS)
    return signing.sign_pdf(pdf, signing.LA_FIELD, signer, name=ACCENTED_NAME, role=ACCENTED_ROLE,
                            organisation="Cyngor Sir Ynys Môn", image=image)


def _stamp_forms(signed: bytes) -> list[Any]:
    """The officer's signature appearance and every form XObject nested in it."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    forms: list[Any] = []
    pending = [embedded.sig_field["/AP"]["/N"]]
    while pending:
        form = pending.pop()
        forms.append(form)
        resources = form.get("/Resources")
        if resources is None:
            continue
        for xobject in (resources.get_object().get("/XObject") or {}).values():
            if xobject.get_object()["/Subtype"] == "/Form":
                pending.append(xobject.get_object())
    return forms


def _stamp_fonts(signed: bytes) -> list[Any]:
    fonts: list[Any] = []
    for form in _stamp_forms(signed):
        resources = form.get("/Resources")
        if resources is not None:
            fonts.extend(font.get_object() for font in (resources.get_object().get("/Font") or {}).values())
    return fonts


def _stamp_lines(signed: bytes) -> list[str]:
    """The stamp's lines as drawn (pyHanko marks each shaped line with its /ActualText)."""
    from pyhanko.pdf_utils import generic

    lines: list[str] = []
    for form in _stamp_forms(signed):
        for found in re.finditer(rb"/ActualText\s*", form.data):
            stream = io.BytesIO(form.data)
            stream.seek(found.end())
            lines.append(str(generic.read_object(stream, None)))
    return lines


@pytest.mark.parametrize("with_image", [False, True], ids=["text only", "with handwriting"])
def test_the_stamp_embeds_a_unicode_font_not_a_latin1_standard_font(unsigned: bytes, with_image: bool) -> None:
    signed = _accented_sign(unsigned, _handwriting() if with_image else None)
    fonts = _stamp_fonts(signed)
    assert fonts
    for font in fonts:
        # A standard 14 font (Type1 Courier/Helvetica) is neither embedded nor able to show ś or Ł.
        assert font["/Subtype"] == "/Type0" and "/ToUnicode" in font
        [descendant] = font["/DescendantFonts"]
        descendant = descendant.get_object()
        assert str(descendant["/BaseFont"]).endswith("DejaVuSans")
        assert "/FontFile2" in descendant["/FontDescriptor"]
        # PDF reads widths in thousandths of an em; DejaVu's own 2048 units (W is 2025) would spread letters out.
        widths = [width for entry in descendant["/W"] if isinstance(entry, list) for width in entry]
        assert widths and max(widths) <= 1000
    assert signing.verify_pdf(signed)[0].ok


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
@pytest.mark.parametrize("with_image", [False, True], ids=["text only", "with handwriting"])
def test_the_stamp_keeps_accents_in_the_name_and_role(unsigned: bytes, with_image: bool, tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(_accented_sign(unsigned, _handwriting() if with_image else None))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    # Poppler reads the stamp's text back from the widget's appearance; the body never prints this role.
    assert f"Signed by {ACCENTED_NAME}" in text
    assert ACCENTED_ROLE in text


def test_names_in_other_scripts_are_drawn_as_the_body_draws_them(unsigned: bytes) -> None:
    signer = signing.load_signer(officer_p12(), OFFICER_PASS)
    signed = signing.sign_pdf(unsigned, signing.LA_FIELD, signer, name="فاطمة الزهراء",
                              role="Κοινωνική λειτουργός / Социальный работник", organisation="王芳 Council")
    # Arabic joined and in visual order (not reversed by a left-to-right "Signed by" line); no CJK in DejaVu Sans.
    assert _stamp_lines(signed)[:3] == [
        f"Signed by {shape_arabic('فاطمة الزهراء')}", "Κοινωνική λειτουργός / Социальный работник", "?? Council"
    ]
    assert signing.verify_pdf(signed)[0].ok


def test_a_stamp_font_that_cannot_be_prepared_still_lets_the_officer_sign(
    unsigned: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def damaged(*_args: object) -> bytes:
        raise OSError("damaged font file")

    monkeypatch.setattr(stamp_font, "prepared_stamp_font", damaged)
    signed = _accented_sign(unsigned, None)
    [font] = _stamp_fonts(signed)
    assert font["/BaseFont"] == "/Courier"
    assert signing.verify_pdf(signed)[0].ok


def test_the_signature_dictionary_keeps_the_real_name(unsigned: bytes) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    signed = _accented_sign(unsigned, None)
    [embedded] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    # PDF text strings fall back to UTF-16, so /Name needs no Latin-1 simplification.
    assert str(embedded.sig_object["/Name"]) == ACCENTED_NAME


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler's pdfsig is not installed")
def test_poppler_agrees_the_signature_is_valid(unsigned: bytes, tmp_path: Path) -> None:
    path = tmp_path / "signed.pdf"
    path.write_bytes(_officer_sign(unsigned))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in out and "Total document signed" in out
    assert "ProviderSignature" in out and "not signed" in out


@pytest.mark.parametrize(("signed_at", "expected"), [
    # 14:03 UTC in December is 14:03 GMT; in July it is 15:03 BST.
    (dt.datetime(2026, 12, 5, 14, 3, tzinfo=dt.timezone.utc), "Date: 05/12/2026 14:03 GMT"),
    (dt.datetime(2026, 7, 5, 14, 3, tzinfo=dt.timezone.utc), "Date: 05/07/2026 15:03 BST"),
    # The last minute of BST (01:59 BST = 00:59 UTC on 25/10/2026) and the first of GMT after it.
    (dt.datetime(2026, 10, 25, 0, 59, tzinfo=dt.timezone.utc), "Date: 25/10/2026 01:59 BST"),
    (dt.datetime(2026, 10, 25, 1, 0, tzinfo=dt.timezone.utc), "Date: 25/10/2026 01:00 GMT"),
])
def test_the_stamp_shows_uk_local_time_with_its_zone_whatever_the_laptop_zone(
    unsigned: bytes, monkeypatch: pytest.MonkeyPatch, signed_at: dt.datetime, expected: str
) -> None:
    import tzlocal

    monkeypatch.setattr(tzlocal, "get_localzone", lambda: ZoneInfo("Europe/Warsaw"))
    signer = signing.load_signer(officer_p12(), OFFICER_PASS)
    signed = signing.sign_pdf(unsigned, signing.LA_FIELD, signer, name=ACCENTED_NAME, role=ACCENTED_ROLE,
                              organisation="Cyngor Sir Ynys Môn", signed_at=signed_at)
    [line] = [line for line in _stamp_lines(signed) if line.startswith("Date: ")]
    assert line == expected
