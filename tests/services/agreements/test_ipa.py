"""Agreements: issue, sign, export, countersignature import (good and bad files), versions, history."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.db import Database
from placedesk.errors import ProfileIncomplete, ValidationError, WorkflowError
from placedesk.models import Agreement, StoredDocument
from placedesk.models.enums import AgreementStatus, FeeLineKind, ReferralStatus
from placedesk.reports import signing
from placedesk.services.agreements import ipa as ag
from placedesk.services.common.health import check_database
from tests.services.agreements.helpers import (
    NOW,
    OFFICER_PASS,
    TODAY,
    countersign,
    make_placement,
    officer,
    officer_p12,
)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def _signed(session: Session, **kw: object) -> Agreement:
    placement = make_placement(session, **kw)  # type: ignore[arg-type]
    agreement = ag.issue_agreement(session, placement, officer=officer(), today=TODAY)
    ag.sign_agreement(session, agreement, identity=officer_p12(), passphrase=OFFICER_PASS, officer=officer(), now=NOW)
    return agreement


def _documents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(StoredDocument)) or 0


def test_issuing_prints_the_placement_and_moves_the_referral_to_ipa_issued(session: Session) -> None:
    placement = make_placement(session)
    agreement = ag.issue_agreement(session, placement, officer=officer(), today=TODAY,
                                   special_conditions="Keep the school place at Ysgol David Hughes.")
    assert agreement.ref == f"IPA-{placement.ref}"
    assert agreement.version_number == 1 and agreement.status is AgreementStatus.DRAFT
    assert placement.referral is not None and placement.referral.status is ReferralStatus.IPA_ISSUED
    pdf = agreement.unsigned_document.content
    assert agreement.unsigned_document.sha256 == hashlib.sha256(pdf).hexdigest()
    text = _text(pdf)
    for expected in (placement.ref, "Zoë Żółkiewska", "Brightpath Care Ltd", "£4,820.50", "Ysgol David Hughes",
                     "Siân Ŵyn-Roberts"):
        assert expected in text


def test_a_placement_gets_only_one_first_issue(session: Session) -> None:
    placement = make_placement(session)
    ag.issue_agreement(session, placement, officer=officer(), today=TODAY)
    with pytest.raises(WorkflowError, match="new version"):
        ag.issue_agreement(session, placement, officer=officer(), today=TODAY)


def test_issuing_needs_the_officer_profile_fees_and_full_funding(session: Session) -> None:
    placement = make_placement(session)
    nameless = officer()
    nameless.name = ""
    nameless.email = ""
    with pytest.raises(ProfileIncomplete, match="Officer profile") as err:
        ag.issue_agreement(session, placement, officer=nameless, today=TODAY)
    assert err.value.missing == ("officer name", "contact email or phone")
    unfunded = make_placement(session, shares=())
    with pytest.raises(ValidationError, match="funding partner"):
        ag.issue_agreement(session, unfunded, officer=officer(), today=TODAY)
    unawarded = make_placement(session, status=ReferralStatus.SENT)
    with pytest.raises(WorkflowError, match="award"):
        ag.issue_agreement(session, unawarded, officer=officer(), today=TODAY)


def test_a_placement_without_a_referral_can_still_have_an_agreement(session: Session) -> None:
    placement = make_placement(session, with_referral=False)
    agreement = ag.issue_agreement(session, placement, officer=officer(), today=TODAY)
    assert agreement.unsigned_document is not None


def test_signing_adds_a_valid_signature_in_the_council_box(session: Session) -> None:
    agreement = _signed(session)
    assert agreement.status is AgreementStatus.OFFICER_SIGNED
    assert agreement.officer_signer == "Siân Ŵyn-Roberts"
    signed = agreement.officer_signed_document.content
    assert signed.startswith(agreement.unsigned_document.content)
    checks = signing.verify_pdf(signed)
    assert [(c.field_name, c.ok, c.covers_whole_file) for c in checks] == [(signing.LA_FIELD, True, True)]
    # The name recorded is the one checking the signature reports.
    assert checks[0].signer_name == agreement.officer_signer
    assert signing.signature_field_names(signed) == [signing.LA_FIELD, signing.PROVIDER_FIELD]


def test_signing_with_the_wrong_passphrase_says_so_and_changes_nothing(session: Session) -> None:
    placement = make_placement(session)
    agreement = ag.issue_agreement(session, placement, officer=officer(), today=TODAY)
    with pytest.raises(signing.SigningError, match="passphrase"):
        ag.sign_agreement(session, agreement, identity=officer_p12(), passphrase="not-it-at-all",
                          officer=officer(), now=NOW)
    assert agreement.status is AgreementStatus.DRAFT and agreement.officer_signed_document is None


def test_a_signed_version_cannot_be_signed_twice(session: Session) -> None:
    agreement = _signed(session)
    with pytest.raises(WorkflowError, match="already signed"):
        ag.sign_agreement(session, agreement, identity=officer_p12(), passphrase=OFFICER_PASS,
                          officer=officer(), now=NOW)


def test_export_writes_the_officer_signed_file_to_the_chosen_folder(session: Session, tmp_path: Path) -> None:
    agreement = _signed(session)
    path = ag.export_for_countersignature(session, agreement, tmp_path / "out")
    assert path.name == f"{agreement.ref}-v1-for-countersignature.pdf"
    assert path.read_bytes() == agreement.officer_signed_document.content


def test_export_defaults_to_the_outbox(session: Session, placedesk_home: Path) -> None:
    agreement = _signed(session)
    path = ag.export_for_countersignature(session, agreement)
    assert path.parent == placedesk_home / "data" / "outbox"


def test_export_refuses_an_unsigned_version(session: Session, tmp_path: Path) -> None:
    placement = make_placement(session)
    agreement = ag.issue_agreement(session, placement, officer=officer(), today=TODAY)
    with pytest.raises(WorkflowError, match="signed by you"):
        ag.export_for_countersignature(session, agreement, tmp_path)


def test_a_countersigned_file_is_accepted_and_recorded(session: Session) -> None:
    agreement = _signed(session)
    returned = countersign(agreement.officer_signed_document.content)
    result = ag.import_countersigned(session, agreement, returned, today=TODAY, now=NOW)
    assert result.signer_name == "Jo Provider" and result.trusted is False
    assert agreement.status is AgreementStatus.COUNTERSIGNED
    assert agreement.countersigner_name == "Jo Provider"
    assert "Brightpath Care Ltd" in agreement.countersigner_certificate_subject
    assert agreement.countersigner_certificate_issuer and agreement.countersigner_certificate_serial
    assert len(agreement.countersigner_certificate_sha256) == 64
    assert agreement.countersigned_at is not None
    assert agreement.countersigned_document.content == returned
    assert agreement.placement.referral.status is ReferralStatus.IPA_SIGNED


def _append_change(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.generic import pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.root["/Lang"] = pdf_string("fr")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _flip(pdf: bytes, at: int) -> bytes:
    data = bytearray(pdf)
    data[at] ^= 0x01
    return bytes(data)


@dataclass
class Sent:
    """An issued, officer-signed agreement as bytes (made once for the bad-file cases)."""

    ref: str
    unsigned: bytes
    officer_signed: bytes
    good_return: bytes
    other_return: bytes


@pytest.fixture(scope="module")
def sent() -> Sent:
    from placedesk.reports.ipa import render_ipa
    from tests.reports.ipa_data import sample

    def signed(ref: str) -> tuple[bytes, bytes]:
        unsigned = render_ipa(sample(agreement_ref=ref))
        signer = signing.load_signer(officer_p12(), OFFICER_PASS)
        return unsigned, signing.sign_pdf(unsigned, signing.LA_FIELD, signer, name="Siân", role="Officer",
                                          organisation="Council")

    unsigned, officer_signed = signed("IPA-PLC-T-0001")
    _other_unsigned, other_signed = signed("IPA-PLC-T-0002")
    return Sent("IPA-PLC-T-0001", unsigned, officer_signed, countersign(officer_signed), countersign(other_signed))


BAD_FILES: dict[str, tuple[str, Callable[[Sent], bytes]]] = {
    "modified: a byte of the signed agreement changed": ("modified", lambda s: _flip(s.good_return, 2000)),
    "modified: changed after the provider signed": ("modified", lambda s: _append_change(s.good_return)),
    # A byte in the provider's own update (signed by them, after the officer's revision).
    "modified: the provider's signature broken": (
        "modified", lambda s: _flip(s.good_return, len(s.officer_signed) + 40)),
    "truncated: cut in the provider's part": ("truncated", lambda s: s.good_return[: len(s.good_return) - 700]),
    "truncated: cut inside the agreement": ("truncated", lambda s: s.good_return[:5000]),
    "wrong: another placement's agreement": ("wrong", lambda s: s.other_return),
    "wrong: not a PDF": ("wrong", lambda s: b"PK\x03\x04 a Word document"),
    "wrong: the provider signed the unsigned draft": ("wrong", lambda s: countersign(s.unsigned)),
    "unsigned: the file as sent": ("unsigned", lambda s: s.officer_signed),
    "unsigned: the draft as issued": ("unsigned", lambda s: s.unsigned),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_every_kind_of_bad_returned_file_is_refused_saying_which(sent: Sent, case: str) -> None:
    reason, make = BAD_FILES[case]
    with pytest.raises(ag.CountersignatureRejected) as err:
        ag.assess_countersignature(make(sent), sent.officer_signed, ref=sent.ref, version=1,
                                   unsigned_pdf=sent.unsigned)
    assert err.value.reason == reason
    # The message names the kind of problem in the officer's words.
    assert reason in str(err.value).lower()


def test_the_good_return_passes_the_same_checks(sent: Sent) -> None:
    check = ag.assess_countersignature(sent.good_return, sent.officer_signed, ref=sent.ref, version=1,
                                       unsigned_pdf=sent.unsigned)
    assert check.signer_name == "Jo Provider" and check.covers_whole_file


@pytest.mark.parametrize("kind", ["modified", "wrong"])
def test_a_refused_file_records_nothing(session: Session, kind: str) -> None:
    agreement = _signed(session)
    good = countersign(agreement.officer_signed_document.content)
    bad = _flip(good, 2000) if kind == "modified" else countersign(_signed(session).officer_signed_document.content)
    documents_before = _documents(session)
    with pytest.raises(ag.CountersignatureRejected) as err:
        ag.import_countersigned(session, agreement, bad, today=TODAY, now=NOW)
    assert err.value.reason == kind
    assert agreement.status is AgreementStatus.OFFICER_SIGNED
    assert agreement.countersigned_document is None and agreement.countersigner_name == ""
    assert agreement.placement.referral.status is ReferralStatus.IPA_ISSUED
    assert _documents(session) == documents_before


def test_a_second_signature_by_the_officer_is_not_a_countersignature(session: Session) -> None:
    agreement = _signed(session)
    signer = signing.load_signer(officer_p12(), OFFICER_PASS)
    self_signed = signing.sign_pdf(agreement.officer_signed_document.content, signing.PROVIDER_FIELD, signer,
                                   name="Siân", role="Officer", organisation="Council")
    with pytest.raises(ag.CountersignatureRejected, match="yours") as err:
        ag.import_countersigned(session, agreement, self_signed, today=TODAY, now=NOW)
    assert err.value.reason == "wrong"


def test_a_new_version_supersedes_the_last_and_keeps_its_history(session: Session) -> None:
    agreement = _signed(session)
    returned = countersign(agreement.officer_signed_document.content)
    ag.import_countersigned(session, agreement, returned, today=TODAY, now=NOW)
    placement = agreement.placement
    v2 = ag.new_version(
        session, agreement, officer=officer(), today=TODAY, change_reason="Extra 1:1 hours agreed",
        fee_lines=[ag.FeeLineInput(FeeLineKind.CORE, "Core weekly fee", 450000),
                   ag.FeeLineInput(FeeLineKind.ADDITIONAL_SUPPORT, "1:1 support, 15 hours", 48075)],
        notice_period_days=56,
    )
    assert v2.version_number == 2 and v2.status is AgreementStatus.DRAFT and v2.supersedes_id == agreement.id
    assert agreement.status is AgreementStatus.SUPERSEDED
    assert placement.weekly_total_pence == 498075
    # The funding split follows the new total, to the penny.
    assert sum(s.weekly_amount_pence for s in placement.funding_shares) == 498075
    text = _text(v2.unsigned_document.content)
    assert "version 2" in text and "Extra 1:1 hours agreed" in text and "56 days" in text and "£4,980.75" in text
    rows = ag.history(session, placement.id)
    assert [(r.version_number, r.status) for r in rows] == [(2, AgreementStatus.DRAFT), (1, AgreementStatus.SUPERSEDED)]
    assert [d.label for d in rows[1].documents] == ["As issued", "Signed by the Council", "Countersigned"]
    for row in rows:
        for doc in row.documents:
            name, content = ag.document_pdf(session, doc.document_id)
            assert hashlib.sha256(content).hexdigest() == doc.sha256 and name == doc.filename
    assert ag.current_agreement(session, placement.id).id == v2.id


def test_a_new_version_needs_a_reason_and_the_latest_version(session: Session) -> None:
    agreement = _signed(session)
    with pytest.raises(ValidationError, match="why"):
        ag.new_version(session, agreement, officer=officer(), today=TODAY, change_reason=" ")
    ag.new_version(session, agreement, officer=officer(), today=TODAY, change_reason="Notice changed",
                   notice_period_days=14)
    with pytest.raises(WorkflowError, match="latest"):
        ag.new_version(session, agreement, officer=officer(), today=TODAY, change_reason="Again")


def test_a_superseded_version_cannot_be_countersigned(session: Session) -> None:
    agreement = _signed(session)
    returned = countersign(agreement.officer_signed_document.content)
    ag.new_version(session, agreement, officer=officer(), today=TODAY, change_reason="Fee uplift")
    with pytest.raises(WorkflowError, match="superseded"):
        ag.import_countersigned(session, agreement, returned, today=TODAY, now=NOW)


def test_check_proves_stored_agreements_unchanged_and_finds_a_damaged_one(db: Database) -> None:
    with db.session_scope() as session:
        _signed(session)
    with db.session_scope() as session:
        report = check_database(session)
        assert report.ok and report.documents_checked == 2
        document = session.scalars(select(StoredDocument)).first()
        document.content = document.content.replace(b"Zo", b"Zz", 1)
    with db.session_scope() as session:
        report = check_database(session)
        assert not report.ok and "no longer matches" in report.problems[0]


def test_reading_a_damaged_stored_pdf_is_refused(session: Session) -> None:
    agreement = _signed(session)
    agreement.officer_signed_document.content = b"%PDF-damaged"
    with pytest.raises(ag.PlaceDeskError, match="SHA-256"):
        ag.agreement_pdf(session, agreement)


def test_the_placements_list_shows_each_placements_agreement_status(session: Session) -> None:
    from placedesk.services.common.listing import ListRequest, fetch_page

    signed = _signed(session)
    bare = make_placement(session)
    spec = ag.placement_agreement_list()
    rows = {row[1]: row for row in fetch_page(session, spec, ListRequest(), 0, 50)}
    keys = [c.key for c in spec.columns]
    assert rows[signed.placement.ref][1 + keys.index("agreement")] == "Signed, awaiting countersignature"
    assert rows[bare.ref][1 + keys.index("agreement")] == ag.NO_AGREEMENT
    assert rows[bare.ref][1 + keys.index("child")].startswith("Z")
    waiting = fetch_page(session, spec, ListRequest(filters=(("agreement", "officer_signed"),)), 0, 50)
    assert [r[1] for r in waiting] == [signed.placement.ref]
    none_yet = fetch_page(session, spec, ListRequest(filters=(("agreement", "none"),)), 0, 50)
    assert [r[1] for r in none_yet] == [bare.ref]


def test_a_draft_recorded_without_its_pdf_gets_one_when_made_or_signed(session: Session) -> None:
    placement = make_placement(session)
    agreement = Agreement(placement=placement, placement_id=placement.id, ref=f"IPA-{placement.ref}",
                          version_number=1, status=AgreementStatus.DRAFT, issued_on=TODAY)
    session.add(agreement)
    session.flush()
    with pytest.raises(ag.NotFound, match="no stored PDF"):
        ag.agreement_pdf(session, agreement)
    ag.sign_agreement(session, agreement, identity=officer_p12(), passphrase=OFFICER_PASS, officer=officer(), now=NOW)
    assert agreement.unsigned_document is not None and agreement.status is AgreementStatus.OFFICER_SIGNED
    assert ag.make_missing_pdf(session, agreement, officer=officer()) is agreement
