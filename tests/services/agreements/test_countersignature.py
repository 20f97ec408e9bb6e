"""Assessing a provider's returned file: every refusal in the officer's words, and the officer's own
signature checked as carefully as the provider's (real pyHanko signatures, no mocks)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

import pytest
import time_machine

from placedesk.reports import signing
from placedesk.services.agreements import ipa as ag
from tests.services.agreements.helpers import OFFICER_PASS, countersign, officer_p12

REF = "IPA-PLC-T-0001"


@dataclass
class Papers:
    unsigned: bytes
    officer_signed: bytes
    other_signed: bytes


def _officer_sign(pdf: bytes) -> bytes:
    signer = signing.load_signer(officer_p12(), OFFICER_PASS)
    return signing.sign_pdf(pdf, signing.LA_FIELD, signer, name="Siân", role="Officer", organisation="Council")


@pytest.fixture(scope="module")
def papers() -> Papers:
    from placedesk.reports.ipa import render_ipa
    from tests.reports.ipa_data import sample

    unsigned = render_ipa(sample(agreement_ref=REF))
    other = _officer_sign(render_ipa(sample(agreement_ref="IPA-PLC-T-0002")))
    return Papers(unsigned, _officer_sign(unsigned), other)


def _append_change(pdf: bytes) -> bytes:
    """A later revision that changes the document after whoever signed it last."""
    from pyhanko.pdf_utils.generic import pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/Lang"] = pdf_string("fr")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _refusal(returned: bytes, officer_pdf: bytes, *, unsigned: bytes | None = None, version: int = 1) -> tuple[str, str]:
    with pytest.raises(ag.CountersignatureRejected) as err:
        ag.assess_countersignature(returned, officer_pdf, ref=REF, version=version, unsigned_pdf=unsigned)
    return err.value.reason, str(err.value)


def _broken_officer_signature(pdf: bytes) -> bytes:
    """The officer-signed file with one byte of the signed agreement changed (the signature no longer fits)."""
    signed = signing.verify_pdf(pdf)
    assert [c.intact for c in signed] == [True]
    at = pdf.index(b"stream", 1000) + 20  # inside the first page's content, well within the signed bytes
    data = bytearray(pdf)
    data[at] ^= 0x01
    return bytes(data)


def test_a_countersigned_copy_of_a_file_whose_officer_signature_is_broken_is_refused(papers: Papers) -> None:
    damaged = _broken_officer_signature(papers.officer_signed)
    returned = countersign(damaged)
    assert returned.startswith(damaged)
    assert _refusal(returned, damaged) == (
        "modified", "This file has been modified: your signature on it is no longer intact.")


def test_a_countersigned_file_with_no_officer_signature_is_refused(papers: Papers) -> None:
    # The provider signed the draft, and the draft is what is on record as sent.
    assert _refusal(countersign(papers.unsigned), papers.unsigned) == (
        "modified", "This file has been modified: your signature on it is no longer intact.")


def test_a_change_made_after_the_officer_signed_is_refused(papers: Papers) -> None:
    # On record: the officer's signed file plus a later change; the officer's signature covers less than that.
    on_record = _append_change(papers.officer_signed)
    assert _refusal(countersign(on_record), on_record) == (
        "modified", "This file has been modified: your signature covers different bytes.")


def test_a_changed_copy_with_no_provider_signature_is_unsigned(papers: Papers) -> None:
    assert _refusal(_append_change(papers.officer_signed), papers.officer_signed) == (
        "unsigned", "This file is unsigned by the provider: it has no countersignature, only yours.")


def test_each_refusal_says_what_to_do_in_the_officers_words(papers: Papers) -> None:
    good = countersign(papers.officer_signed)
    sent, unsigned = papers.officer_signed, papers.unsigned
    assert _refusal(sent, sent, unsigned=unsigned) == (
        "unsigned", "This file is unsigned by the provider: it is the copy you sent, with no countersignature.")
    assert _refusal(unsigned, sent, unsigned=unsigned) == (
        "unsigned", "This file is unsigned: it is the agreement as issued, with no signatures at all.")
    assert _refusal(b"%PDX-1.7 not quite", sent) == ("wrong", "This is the wrong file: it is not a PDF.")
    truncated = ("truncated", "This file is truncated: it stops part-way (no end-of-file marker). "
                              "Ask the provider to send it again.")
    assert _refusal(good[:-700], sent) == truncated
    assert _refusal(sent[:-10], sent) == truncated  # the start of the very file sent: cut short
    assert _refusal(countersign(papers.other_signed), sent) == (
        "wrong", "This is the wrong agreement: it is IPA-PLC-T-0002 version 1, but you are importing the "
                 f"countersignature for {REF} version 1.")
    assert _refusal(good, sent, version=2) == (
        "wrong", f"This is the wrong agreement: it is {REF} version 1, but you are importing the "
                 f"countersignature for {REF} version 2.")
    assert _refusal(countersign(unsigned), sent, unsigned=unsigned) == (
        "wrong", "This is the wrong file: the provider signed the unsigned draft, not the copy you signed. "
                 "Export it for countersignature again and send that file.")
    # The same agreement signed again (another signature, so other bytes): not the copy on record.
    with time_machine.travel(dt.datetime(2026, 3, 3, 14, 0, tzinfo=dt.timezone.utc)):
        resigned = _officer_sign(unsigned)
    reason, text = _refusal(countersign(resigned), sent)
    assert reason == "modified" and text.startswith(
        "This file has been modified: the agreement you signed is not at its start unchanged (SHA-256 of your "
        "signed version ")
    assert f"{hashlib.sha256(sent).hexdigest()[:16]}… does not match)." in text
    assert _refusal(_append_change(good), sent) == (
        "modified", "This file has been modified after it was signed: the provider's signature does not cover "
                    "the whole file.")
    broken = bytearray(good)
    broken[len(sent) + 40] ^= 0x01
    assert _refusal(bytes(broken), sent) == (
        "modified", "This file has been modified: the provider's signature is broken (not intact).")
    assert _refusal(_officer_sign_provider_box(sent), sent) == (
        "wrong", "This is the wrong signature: the second signature is yours, not the provider's.")


def _officer_sign_provider_box(pdf: bytes) -> bytes:
    signer = signing.load_signer(officer_p12(), OFFICER_PASS)
    return signing.sign_pdf(pdf, signing.PROVIDER_FIELD, signer, name="Siân", role="Officer", organisation="Council")


def test_a_readable_countersignature_is_the_providers_check(papers: Papers) -> None:
    good = countersign(papers.officer_signed)
    check = ag.assess_countersignature(good, papers.officer_signed, ref=REF, version=1, unsigned_pdf=papers.unsigned)
    officer = signing.verify_pdf(papers.officer_signed)[0]
    assert check.field_name == signing.PROVIDER_FIELD and check.signer_name == "Jo Provider"
    assert check.intact and check.valid and check.covers_whole_file
    assert check.certificate_sha256 != officer.certificate_sha256
    # Without the draft to compare, a provider-signed copy is judged on its signatures alone.
    assert ag.assess_countersignature(good, papers.officer_signed, ref=REF, version=1).signer_name == "Jo Provider"


def _plain_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "A letter, not an agreement")
    page.save()
    return out.getvalue()


def test_files_that_are_not_the_agreement_are_named_for_what_they_are(papers: Papers) -> None:
    sent = papers.officer_signed
    assert _refusal(_plain_pdf(), sent) == (
        "wrong", "This is the wrong agreement: it is not a PlaceDesk agreement, but you are importing the "
                 f"countersignature for {REF} version 1.")
    reason, text = _refusal(b"%PDF-1.7\nnot really a PDF\n%%EOF\n", sent)
    assert reason == "modified" and text.startswith("This file has been modified and can no longer be read (")
    # Bytes put in front of the signed file: it starts like a PDF, but it is not the file that was signed.
    reason, text = _refusal(b"\n  " + countersign(sent), sent)
    assert reason == "modified" and text.startswith("This file has been modified and can no longer be read (")


def test_a_field_added_after_the_provider_signed_is_refused(papers: Papers) -> None:
    # A change your signature's rules allow (a new empty signature field), made after the provider signed:
    # their signature no longer covers the file you would store.
    good = countersign(papers.officer_signed)
    added = signing.add_signature_fields(good, [signing.FieldBox("WitnessSignature", 0, (50, 50, 200, 100))])
    assert [c.changes_allowed for c in signing.verify_pdf(added)] == [True, True]
    assert _refusal(added, papers.officer_signed) == (
        "modified", "This file has been modified after it was signed: the provider's signature does not cover "
                    "the whole file.")
