"""Individual Placement Agreements: issue, sign, countersign, new versions and their PDFs.

An agreement version moves draft (issued, unsigned) -> officer_signed ->
countersigned; a change of fees or terms issues version N+1 and marks the
last one superseded. Every PDF (as generated, as signed by the officer, as
countersigned) is kept as a :class:`StoredDocument` with its SHA-256, so any
version can be printed again and ``placedesk check`` can prove none changed.

A countersigned file coming back from a provider is accepted only if it is
the officer-signed file with one more signature appended: the officer's
signature still intact, the same agreement (reference, version and the
SHA-256 of the officer-signed bytes at its start), and a second valid
signature covering the whole file. Anything else is rejected with the reason
(modified, truncated, wrong agreement, unsigned) and nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, aliased

from placedesk.config import OfficerSettings, data_dir, outbox_dir
from placedesk.errors import NotFound, PlaceDeskError, ValidationError, WorkflowError
from placedesk.fileio import atomic_write_bytes
from placedesk.services.common.audit_log import record_export
from placedesk.services.common.settings import require_pack_profile
from placedesk.models import (
    Agreement,
    Child,
    KpiDefinition,
    Placement,
    PlacementFeeLine,
    Provider,
    StoredDocument,
)
from placedesk.models.enums import (
    AgreementStatus,
    FeeLineKind,
    FundingPartner,
    KpiDirection,
    KpiScope,
    LineFunding,
    ReferralStatus,
)
from placedesk.reports import ipa as report
from placedesk.reports import signing
from placedesk.services.care.children import FULL_NAME
from placedesk.reports.common import council_letterhead
from placedesk.services.agreements.arrangements import (
    CareArrangements,
    arrangements_of,
    check_arrangements,
    proposed_arrangements,
)
from placedesk.services.referrals.funding import check_shares, refresh_placement_funding
from placedesk.services.common.listing import Column, ListSpec
from placedesk.services.common.documents import store_document
from placedesk.services.common.parsing import format_date, uk_local

DOCUMENT_KIND = "ipa"
MAX_NOTICE_DAYS = 365

STATUS_LABELS = {
    AgreementStatus.DRAFT: "Issued, awaiting officer signature",
    AgreementStatus.OFFICER_SIGNED: "Signed, awaiting countersignature",
    AgreementStatus.COUNTERSIGNED: "Countersigned",
    AgreementStatus.SUPERSEDED: "Superseded",
}
NO_AGREEMENT = "No agreement yet"


class CountersignatureRejected(PlaceDeskError):
    """A returned file that is not a proper countersignature; ``reason`` says which kind."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        # "modified", "truncated", "wrong" or "unsigned".
        self.reason = reason


@dataclass(frozen=True)
class FeeLineInput:
    """A weekly fee line typed for a new version."""

    kind: FeeLineKind
    description: str
    weekly_amount_pence: int
    funded_by: LineFunding = LineFunding.SHARED


@dataclass(frozen=True)
class DocumentRef:
    """One stored PDF of a version."""

    label: str
    document_id: uuid.UUID
    filename: str
    sha256: str
    size: int


@dataclass(frozen=True)
class VersionSummary:
    """A row of the version history."""

    agreement_id: uuid.UUID
    ref: str
    version_number: int
    status: AgreementStatus
    status_label: str
    issued_on: dt.date | None
    officer_signer: str
    officer_signed_at: dt.datetime | None
    countersigner_name: str
    countersigned_at: dt.datetime | None
    change_reason: str
    documents: tuple[DocumentRef, ...]


@dataclass(frozen=True)
class CountersignatureResult:
    """What an accepted countersignature recorded."""

    agreement_id: uuid.UUID
    signer_name: str
    signed_at: dt.datetime
    certificate_subject: str
    trusted: bool


# --- finding things ---------------------------------------------------------------------


def find_placement(session: Session, ref: str) -> Placement:
    placement = session.scalars(select(Placement).where(Placement.ref == ref.strip())).first()
    if placement is None:
        raise NotFound(f"There is no placement with reference {ref!r}. Check the reference on the Placements tab.")
    return placement


def get_agreement(session: Session, agreement_id: uuid.UUID) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound("That agreement no longer exists; refresh the list.")
    return agreement


def versions(session: Session, placement_id: uuid.UUID) -> list[Agreement]:
    """Every version of a placement's agreement, oldest first."""
    return list(
        session.scalars(
            select(Agreement).where(Agreement.placement_id == placement_id).order_by(Agreement.version_number)
        )
    )


def current_agreement(session: Session, placement_id: uuid.UUID) -> Agreement | None:
    """The latest version that is not superseded, or None before the first issue."""
    return session.scalars(
        select(Agreement)
        .where(Agreement.placement_id == placement_id, Agreement.status != AgreementStatus.SUPERSEDED)
        .order_by(Agreement.version_number.desc())
    ).first()


# --- building the document --------------------------------------------------------------


def _address(provider: Provider) -> str:
    parts = [provider.address_line1, provider.address_line2, provider.town, provider.postcode]
    return ", ".join(p.strip() for p in parts if p and p.strip())


def _legal_status(code: str) -> str:
    from placedesk.services.care.ssda903_codes import legal_status

    if not code:
        return ""
    known = legal_status(code)
    return f"{code} – {known.description}" if known else code


def _kpis(session: Session) -> tuple[report.Kpi, ...]:
    rows = session.scalars(
        select(KpiDefinition)
        .where(KpiDefinition.active.is_(True))
        .order_by(KpiDefinition.scope.desc(), KpiDefinition.name)
    ).all()
    # Placement KPIs first: they are the ones this child's placement answers for.
    rows = sorted(rows, key=lambda k: (k.scope is not KpiScope.PLACEMENT, k.name))
    result = []
    for kpi in rows[:12]:
        sign = "at least" if kpi.direction is KpiDirection.HIGHER_IS_BETTER else "at most"
        target = f"{sign} {report.quantity(kpi.target, kpi.unit)}"
        result.append(report.Kpi(kpi.name, kpi.kind.label, target, kpi.description))
    return tuple(result)


def _shares(placement: Placement) -> tuple[report.FundingShare, ...]:
    """Each partner's share and weekly amount as stored (funding by element, see funding.py)."""
    order = list(FundingPartner)
    return tuple(
        report.FundingShare(share.partner.label, share.share_bp, share.weekly_amount_pence)
        for share in sorted(placement.funding_shares, key=lambda s: order.index(s.partner))
    )


def _arrangement_fields(arrangements: CareArrangements) -> dict[str, object]:
    """The IPA's care-arrangement fields from what the version stores."""
    return {
        "key_contacts": tuple(report.Contact(c.role, c.name, c.details) for c in arrangements.contacts),
        "needs_met": tuple(report.NeedMet(n.area, n.item, n.how_met) for n in arrangements.needs),
        "education": tuple(
            (label, value) for label, value in (
                ("School or college", arrangements.school),
                ("EHCP", arrangements.ehcp),
                ("Virtual school", arrangements.virtual_school),
            ) if value
        ),
        "health": tuple(
            (label, value) for label, value in (
                ("GP", arrangements.gp),
                ("CAMHS and therapy", arrangements.camhs),
                ("Health assessments", arrangements.health_assessments),
            ) if value
        ),
        "family_time": arrangements.family_time,
        "delegated_authority": tuple((d.matter, d.consent_by) for d in arrangements.delegated_authority),
    }


def ipa_data(session: Session, agreement: Agreement, officer: OfficerSettings) -> report.IpaData:
    """The plain data printed on ``agreement`` (a flushed row with its placement)."""
    placement = agreement.placement
    child: Child = placement.child
    provider: Provider = placement.provider
    earlier = [a for a in versions(session, placement.id) if a.version_number < agreement.version_number]
    contact = ", ".join(v for v in (provider.contact_name, provider.contact_email, provider.contact_phone) if v)
    route = provider.contract_route.label + (f" ({provider.framework_name})" if provider.framework_name else "")
    return report.IpaData(
        agreement_ref=agreement.ref,
        version=agreement.version_number,
        issued_on=agreement.issued_on or dt.date.today(),
        la_name=officer.local_authority,
        la_address=officer.la_address,
        officer_name=officer.name,
        officer_role=officer.role,
        officer_email=officer.email,
        provider_name=provider.name,
        provider_owner=provider.owner_organisation,
        provider_address=_address(provider),
        provider_urn=provider.urn or "",
        provider_contact=contact,
        contract_route=route,
        placement_ref=placement.ref,
        placement_type=placement.placement_type.label,
        placement_address=placement.placement_address,
        start_date=placement.start_date,
        planned_end_date=placement.planned_end_date,
        review_date=placement.review_date,
        child_name=child.full_name,
        child_known_as=child.known_as,
        child_date_of_birth=child.date_of_birth,
        child_gender=child.gender,
        child_case_reference=child.case_reference,
        child_legal_status=_legal_status(child.legal_status),
        child_home_authority=child.home_local_authority,
        fee_lines=tuple(
            report.FeeLine(line.kind.label, line.description, line.weekly_amount_pence, line.funded_by.label,
                           core=line.kind is FeeLineKind.CORE)
            for line in placement.fee_lines
        ),
        funding_shares=_shares(placement),
        payment_terms=agreement.payment_terms,
        notice_period_days=agreement.notice_period_days,
        outcomes=tuple(agreement.outcomes or ()),
        kpis=_kpis(session),
        review_dates=tuple(sorted(dt.date.fromisoformat(d) for d in agreement.review_dates or ())),
        special_conditions=agreement.special_conditions,
        change_reason=agreement.change_reason,
        history=tuple(
            report.VersionEntry(a.version_number, a.issued_on, STATUS_LABELS[a.status], a.change_reason)
            for a in earlier
        ),
        clauses=report.load_clauses(clause_override_dir()),
        logo=council_letterhead().logo,
        **_arrangement_fields(arrangements_of(agreement)),  # type: ignore[arg-type]
    )


def clause_override_dir() -> Path:
    """Where a council's own clause wording goes (a file there replaces the default of that name)."""
    return data_dir() / "clauses"


def _store(session: Session, filename: str, content: bytes, kind: str = DOCUMENT_KIND) -> StoredDocument:
    return store_document(session, filename, content, kind)


def _check_officer(officer: OfficerSettings) -> None:
    # The agreement prints the council, the officer and how to reach them.
    require_pack_profile(officer, "Issuing an agreement")


def _check_placement(placement: Placement) -> None:
    if not placement.fee_lines:
        raise ValidationError(
            f"Placement {placement.ref} has no fee lines: record the agreed weekly fee before issuing the agreement.",
            "fee_lines",
        )
    check_shares({s.partner: s.share_bp for s in placement.funding_shares})


def _check_terms(notice_period_days: int, review_dates: Sequence[dt.date], placement: Placement) -> None:
    if not 0 <= notice_period_days <= MAX_NOTICE_DAYS:
        raise ValidationError(
            f"The notice period must be between 0 and {MAX_NOTICE_DAYS} days.", "notice_period_days"
        )
    for review in review_dates:
        if review < placement.start_date:
            raise ValidationError(
                f"Review date {format_date(review)} is before the placement starts "
                f"({format_date(placement.start_date)}).",
                "review_dates",
            )


# Where the Council's date goes on agreements laid out in this process, by the SHA-256 of the PDF
# issued: signing straight after issuing (``placedesk ipa --sign``, or the window's Issue then
# Sign) then need not lay the whole agreement out a second time to find it.
_DATE_POINTS: dict[str, signing.FieldBox | None] = {}
_DATE_POINTS_KEPT = 32


def _render(session: Session, agreement: Agreement, officer: OfficerSettings) -> None:
    pdf, found = report.render_ipa_layout(ipa_data(session, agreement, officer))
    document = _store(session, f"{agreement.ref}-v{agreement.version_number}.pdf", pdf)
    agreement.unsigned_document = document
    _DATE_POINTS[document.sha256] = found.get(report.COUNCIL_DATE)
    while len(_DATE_POINTS) > _DATE_POINTS_KEPT:
        del _DATE_POINTS[next(iter(_DATE_POINTS))]


def _advance(session: Session, placement: Placement, to: ReferralStatus, *, today: dt.date) -> None:
    from placedesk.services.referrals.workflow import advance

    referral = placement.referral
    if referral is None:
        return
    before = {
        ReferralStatus.IPA_ISSUED: ReferralStatus.AWARDED,
        ReferralStatus.IPA_SIGNED: ReferralStatus.IPA_ISSUED,
    }[to]
    if referral.status is before:
        session.flush()
        advance(session, referral, to, today=today)


# --- the steps ----------------------------------------------------------------------------


def issue_agreement(
    session: Session,
    placement: Placement,
    *,
    officer: OfficerSettings,
    today: dt.date,
    payment_terms: str = "",
    notice_period_days: int = 28,
    special_conditions: str = "",
    outcomes: Sequence[str] = (),
    review_dates: Sequence[dt.date] = (),
    arrangements: CareArrangements | None = None,
) -> Agreement:
    """Issue version 1 of the placement's IPA and move its referral from awarded to IPA issued.

    ``arrangements`` are the care arrangements typed for it; without them the
    agreement carries what the referral and the child's record already say.
    """
    _check_officer(officer)
    _check_placement(placement)
    _check_terms(notice_period_days, review_dates, placement)
    care = check_arrangements(arrangements) if arrangements is not None else proposed_arrangements(placement)
    if versions(session, placement.id):
        raise WorkflowError(
            f"Placement {placement.ref} already has an agreement. To change fees or terms, issue a new version."
        )
    referral = placement.referral
    if referral is not None and referral.status in (
        ReferralStatus.DRAFT, ReferralStatus.READY, ReferralStatus.SENT, ReferralStatus.OFFERS_RECEIVED
    ):
        raise WorkflowError(f"Referral {referral.ref} has not been awarded yet: award it before issuing the IPA.")
    if referral is not None and referral.status is ReferralStatus.WITHDRAWN:
        raise WorkflowError(f"Referral {referral.ref} was withdrawn: no agreement can be issued for it.")
    agreement = Agreement(
        placement=placement,
        placement_id=placement.id,
        ref=f"IPA-{placement.ref}",
        version_number=1,
        status=AgreementStatus.DRAFT,
        issued_on=today,
        payment_terms=payment_terms.strip(),
        notice_period_days=notice_period_days,
        special_conditions=special_conditions.strip(),
        outcomes=[o.strip() for o in outcomes if o.strip()],
        review_dates=[d.isoformat() for d in sorted(set(review_dates))],
        arrangements=care.to_json(),
    )
    session.add(agreement)
    session.flush()
    _render(session, agreement, officer)
    _advance(session, placement, ReferralStatus.IPA_ISSUED, today=today)
    return agreement


def new_version(
    session: Session,
    agreement: Agreement,
    *,
    officer: OfficerSettings,
    today: dt.date,
    change_reason: str,
    fee_lines: Sequence[FeeLineInput] | None = None,
    payment_terms: str | None = None,
    notice_period_days: int | None = None,
    special_conditions: str | None = None,
    outcomes: Sequence[str] | None = None,
    review_dates: Sequence[dt.date] | None = None,
    arrangements: CareArrangements | None = None,
) -> Agreement:
    """Issue version N+1 with changed fees or terms; version N becomes superseded but stays on file.

    New ``fee_lines`` replace the placement's agreed fee lines, and each
    funding partner's weekly amount is split again to the penny.
    """
    _check_officer(officer)
    if not change_reason.strip():
        raise ValidationError("Say why the agreement changes (for example 'extra 1:1 hours agreed').", "change_reason")
    placement = agreement.placement
    latest = versions(session, placement.id)[-1]
    if latest.id != agreement.id:
        raise WorkflowError(
            f"Version {agreement.version_number} is not the latest (version {latest.version_number} is): "
            "make the change from the latest version."
        )
    if agreement.status is AgreementStatus.SUPERSEDED:
        raise WorkflowError("That version is already superseded.")
    notice = agreement.notice_period_days if notice_period_days is None else notice_period_days
    reviews = (
        [dt.date.fromisoformat(d) for d in agreement.review_dates] if review_dates is None else list(review_dates)
    )
    _check_terms(notice, reviews, placement)
    care = check_arrangements(arrangements) if arrangements is not None else arrangements_of(agreement)
    if fee_lines is not None:
        _replace_fee_lines(session, placement, fee_lines)
    _check_placement(placement)
    agreement.status = AgreementStatus.SUPERSEDED
    successor = Agreement(
        placement=placement,
        placement_id=placement.id,
        ref=agreement.ref,
        version_number=agreement.version_number + 1,
        status=AgreementStatus.DRAFT,
        issued_on=today,
        payment_terms=(agreement.payment_terms if payment_terms is None else payment_terms).strip(),
        notice_period_days=notice,
        special_conditions=(
            agreement.special_conditions if special_conditions is None else special_conditions
        ).strip(),
        outcomes=list(agreement.outcomes) if outcomes is None else [o.strip() for o in outcomes if o.strip()],
        review_dates=[d.isoformat() for d in sorted(set(reviews))],
        change_reason=change_reason.strip(),
        supersedes_id=agreement.id,
        arrangements=care.to_json(),
    )
    session.add(successor)
    session.flush()
    _render(session, successor, officer)
    return successor


def make_missing_pdf(session: Session, agreement: Agreement, *, officer: OfficerSettings) -> Agreement:
    """Generate the PDF of a draft recorded without one (imported or demo data); no-op when it has one."""
    if agreement.unsigned_document is not None:
        return agreement
    if agreement.status is not AgreementStatus.DRAFT:
        raise WorkflowError(
            f"Version {agreement.version_number} is {STATUS_LABELS[agreement.status].lower()} but its PDF is "
            "missing; it cannot be remade without breaking the signatures. Restore a backup."
        )
    _check_officer(officer)
    _check_placement(agreement.placement)
    _render(session, agreement, officer)
    session.flush()
    return agreement


def _replace_fee_lines(session: Session, placement: Placement, lines: Sequence[FeeLineInput]) -> None:
    if not lines:
        raise ValidationError("An agreement needs at least one fee line.", "fee_lines")
    for line in lines:
        if line.weekly_amount_pence < 0:
            raise ValidationError("A weekly fee cannot be negative.", "fee_lines")
    placement.fee_lines.clear()
    session.flush()
    for position, line in enumerate(lines):
        placement.fee_lines.append(
            PlacementFeeLine(
                position=position, kind=line.kind, description=line.description.strip(),
                weekly_amount_pence=line.weekly_amount_pence, funded_by=LineFunding(line.funded_by),
            )
        )
    if placement.funding_shares:
        refresh_placement_funding(placement)
    session.flush()


def sign_agreement(
    session: Session,
    agreement: Agreement,
    *,
    identity: bytes,
    passphrase: str,
    officer: OfficerSettings,
    now: dt.datetime,
    signature_image: bytes | None = None,
) -> Agreement:
    """Sign the issued PDF as the officer: visible signature in the Council box, PAdES over the file."""
    if agreement.status is AgreementStatus.SUPERSEDED:
        raise WorkflowError(f"Version {agreement.version_number} is superseded: sign the latest version instead.")
    if agreement.status is not AgreementStatus.DRAFT:
        raise WorkflowError(f"Version {agreement.version_number} is already signed.")
    make_missing_pdf(session, agreement, officer=officer)
    signer = signing.load_signer(identity, passphrase)
    signed = signing.sign_pdf(
        _dated_for_signing(session, agreement, officer, uk_local(now).date()),
        signing.LA_FIELD,
        signer,
        name=officer.name,
        role=officer.role,
        organisation=officer.local_authority,
        location=officer.local_authority,
        image=signature_image,
        signed_at=now,
    )
    agreement.officer_signed_document = _store(
        session, f"{agreement.ref}-v{agreement.version_number}-signed.pdf", signed
    )
    agreement.officer_signer = signing.signer_name(signer)[:200]
    agreement.officer_signed_at = now
    agreement.status = AgreementStatus.OFFICER_SIGNED
    session.flush()
    return agreement


def _dated_for_signing(session: Session, agreement: Agreement, officer: OfficerSettings, on: dt.date) -> bytes:
    """The issued PDF with the Council's signature date written on its Date line.

    The date is added as an incremental update, so the issued bytes stay at the
    start of what is signed. Where it goes was noted when the agreement was laid
    out, if that was in this process; otherwise it is found by laying the
    agreement out again from the same data, and if that no longer makes exactly
    the issued file (clause wording or KPIs changed since), the issued file is
    signed as it is and the stamp's date stands alone.
    """
    issued = _content(agreement.unsigned_document)
    digest = agreement.unsigned_document.sha256
    if digest in _DATE_POINTS:
        # Laid out in this process: the point was found while making exactly these bytes.
        point = _DATE_POINTS[digest]
    else:
        again, found = report.render_ipa_layout(ipa_data(session, agreement, officer))
        point = found.get(report.COUNCIL_DATE) if report.same_layout(again, issued) else None
    if point is None:
        return issued
    x, y = point.box[0], point.box[1]
    return signing.write_text_at(issued, point.page, x, y + 3, format_date(on))


def export_for_countersignature(session: Session, agreement: Agreement, folder: Path | None = None) -> Path:
    """Write the officer-signed PDF for the provider (to ``folder`` or the outbox); returns the file."""
    if agreement.status is not AgreementStatus.OFFICER_SIGNED or agreement.officer_signed_document is None:
        state = STATUS_LABELS[agreement.status].lower()
        raise WorkflowError(
            f"Version {agreement.version_number} is {state}: only a version signed by you and not yet "
            "countersigned can be sent for countersignature."
        )
    target_dir = Path(folder) if folder else outbox_dir()
    target = target_dir / f"{agreement.ref}-v{agreement.version_number}-for-countersignature.pdf"
    atomic_write_bytes(target, _content(agreement.officer_signed_document))
    record_export(session, what=f"Agreement {agreement.ref} version {agreement.version_number} for "
                  "countersignature (PDF)", target=target, records=1, entity="agreement", entity_id=agreement.id)
    return target


def _content(document: StoredDocument) -> bytes:
    content = document.content
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise PlaceDeskError(
            f"The stored copy of {document.filename} no longer matches its SHA-256: the database may be "
            "damaged. Run 'placedesk check' and restore a backup."
        )
    return content


def import_countersigned(
    session: Session, agreement: Agreement, returned: bytes, *, today: dt.date, now: dt.datetime
) -> CountersignatureResult:
    """Accept the provider's countersigned PDF, or reject it saying why; nothing is recorded on rejection."""
    if agreement.status is AgreementStatus.COUNTERSIGNED:
        raise WorkflowError(f"Version {agreement.version_number} is already countersigned.")
    if agreement.status is AgreementStatus.SUPERSEDED:
        raise WorkflowError(
            f"Version {agreement.version_number} has been superseded: the provider must countersign the latest version."
        )
    if agreement.officer_signed_document is None:
        raise WorkflowError("Sign the agreement and send it to the provider before importing their countersignature.")
    officer_pdf = _content(agreement.officer_signed_document)
    check = assess_countersignature(
        returned,
        officer_pdf,
        ref=agreement.ref,
        version=agreement.version_number,
        unsigned_pdf=agreement.unsigned_document.content if agreement.unsigned_document else None,
    )
    when = check.signed_at or now
    agreement.countersigned_document = _store(
        session, f"{agreement.ref}-v{agreement.version_number}-countersigned.pdf", returned
    )
    agreement.countersigner_name = check.signer_name[:300]
    agreement.countersigned_at = when
    agreement.countersigner_certificate_subject = check.subject
    agreement.countersigner_certificate_issuer = check.issuer
    agreement.countersigner_certificate_serial = check.serial[:100]
    agreement.countersigner_certificate_sha256 = check.certificate_sha256
    agreement.status = AgreementStatus.COUNTERSIGNED
    session.flush()
    _advance(session, agreement.placement, ReferralStatus.IPA_SIGNED, today=today)
    return CountersignatureResult(agreement.id, check.signer_name, when, check.subject, check.trusted)


def assess_countersignature(
    returned: bytes, officer_pdf: bytes, *, ref: str, version: int, unsigned_pdf: bytes | None = None
) -> signing.SignatureCheck:
    """The provider's signature check if ``returned`` is a proper countersignature; else raise why not."""
    expected = report.agreement_keywords(ref, version)
    if returned == officer_pdf:
        raise CountersignatureRejected(
            "unsigned", "This file is unsigned by the provider: it is the copy you sent, with no countersignature."
        )
    if unsigned_pdf is not None and returned == unsigned_pdf:
        raise CountersignatureRejected(
            "unsigned", "This file is unsigned: it is the agreement as issued, with no signatures at all."
        )
    if not returned.lstrip()[:5] == b"%PDF-":
        raise CountersignatureRejected("wrong", "This is the wrong file: it is not a PDF.")
    if b"%%EOF" not in returned[-1024:] or officer_pdf.startswith(returned):
        raise CountersignatureRejected(
            "truncated",
            "This file is truncated: it stops part-way (no end-of-file marker). Ask the provider to send it again.",
        )
    try:
        keywords = signing.document_keywords(returned)
    except signing.UnreadablePdf as exc:
        raise CountersignatureRejected("modified", f"This file has been modified and can no longer be read ({exc})") from exc
    if keywords != expected:
        found = keywords.removeprefix("placedesk-agreement:").replace(";version:", " version ") if keywords else ""
        raise CountersignatureRejected(
            "wrong",
            f"This is the wrong agreement: it is {found or 'not a PlaceDesk agreement'}, but you are importing "
            f"the countersignature for {ref} version {version}.",
        )
    if not returned.startswith(officer_pdf):
        if unsigned_pdf is not None and returned.startswith(unsigned_pdf):
            raise CountersignatureRejected(
                "wrong",
                "This is the wrong file: the provider signed the unsigned draft, not the copy you signed. "
                "Export it for countersignature again and send that file.",
            )
        raise CountersignatureRejected(
            "modified",
            "This file has been modified: the agreement you signed is not at its start unchanged "
            f"(SHA-256 of your signed version {hashlib.sha256(officer_pdf).hexdigest()[:16]}… does not match).",
        )
    try:
        checks = signing.verify_pdf(returned)
    except signing.UnreadablePdf as exc:
        raise CountersignatureRejected("modified", f"This file has been modified and can no longer be read ({exc})") from exc
    officer_checks = [c for c in checks if c.field_name == signing.LA_FIELD]
    if not officer_checks or not officer_checks[0].intact or not officer_checks[0].valid:
        raise CountersignatureRejected("modified", "This file has been modified: your signature on it is no longer intact.")
    officer_check = officer_checks[0]
    if officer_check.signed_length != len(officer_pdf):
        raise CountersignatureRejected("modified", "This file has been modified: your signature covers different bytes.")
    others = [c for c in checks if c.field_name != signing.LA_FIELD]
    if not others:
        raise CountersignatureRejected(
            "unsigned", "This file is unsigned by the provider: it has no countersignature, only yours."
        )
    provider = others[-1]
    if not provider.intact or not provider.valid:
        raise CountersignatureRejected(
            "modified", "This file has been modified: the provider's signature is broken (not intact)."
        )
    if not provider.covers_whole_file or not officer_check.changes_allowed:
        raise CountersignatureRejected(
            "modified",
            "This file has been modified after it was signed: the provider's signature does not cover the whole file.",
        )
    if provider.certificate_sha256 == officer_check.certificate_sha256:
        raise CountersignatureRejected(
            "wrong", "This is the wrong signature: the second signature is yours, not the provider's."
        )
    return provider


# --- reading ------------------------------------------------------------------------------


def history(session: Session, placement_id: uuid.UUID) -> list[VersionSummary]:
    """Every version, newest first, with its stored PDFs."""
    result = []
    for a in reversed(versions(session, placement_id)):
        docs = []
        for label, document in (
            ("As issued", a.unsigned_document),
            ("Signed by the Council", a.officer_signed_document),
            ("Countersigned", a.countersigned_document),
        ):
            if document is not None:
                docs.append(DocumentRef(label, document.id, document.filename, document.sha256, document.size))
        result.append(
            VersionSummary(
                agreement_id=a.id,
                ref=a.ref,
                version_number=a.version_number,
                status=a.status,
                status_label=STATUS_LABELS[a.status],
                issued_on=a.issued_on,
                officer_signer=a.officer_signer,
                officer_signed_at=a.officer_signed_at,
                countersigner_name=a.countersigner_name,
                countersigned_at=a.countersigned_at,
                change_reason=a.change_reason,
                documents=tuple(docs),
            )
        )
    return result


def agreement_pdf(session: Session, agreement: Agreement) -> bytes:
    """The most complete PDF of a version: countersigned, else officer-signed, else as issued."""
    document = agreement.countersigned_document or agreement.officer_signed_document or agreement.unsigned_document
    if document is None:
        raise NotFound(f"Version {agreement.version_number} has no stored PDF.")
    return _content(document)


def document_pdf(session: Session, document_id: uuid.UUID) -> tuple[str, bytes]:
    """A stored agreement PDF by id (file name and bytes), checked against its SHA-256."""
    document = session.get(StoredDocument, document_id)
    if document is None:
        raise NotFound("That document is no longer stored.")
    return document.filename, _content(document)


# --- the Placements list ------------------------------------------------------------------


def placement_agreement_list() -> ListSpec:
    """Placements with the child's full name, provider, type, start, weekly total and agreement status."""
    weekly = (
        select(func.coalesce(func.sum(PlacementFeeLine.weekly_amount_pence), 0))
        .where(PlacementFeeLine.placement_id == Placement.id)
        .scalar_subquery()
    )
    latest = aliased(Agreement)
    status = (
        select(latest.status)
        .where(latest.placement_id == Placement.id)
        .order_by(latest.version_number.desc())
        .limit(1)
        .scalar_subquery()
    )
    version_no = select(func.max(latest.version_number)).where(latest.placement_id == Placement.id).scalar_subquery()
    status_label = case(
        *((status == s.value, STATUS_LABELS[s]) for s in AgreementStatus), else_=NO_AGREEMENT
    )
    provider = aliased(Provider)

    def base() -> Select[tuple[()]]:
        return (
            select()
            .select_from(Placement)
            .join(Child, Child.id == Placement.child_id)
            .join(provider, provider.id == Placement.provider_id)
        )

    return ListSpec(
        name="placements",
        id_expr=Placement.id,
        columns=[
            Column("ref", "Placement", Placement.ref),
            Column("child", "Child", FULL_NAME),
            Column("provider", "Provider", provider.name
                   + case((provider.town != "", ", " + provider.town), else_="")
                   + case((provider.urn.is_not(None), " (URN " + provider.urn + ")"), else_="")),
            Column("placement_type", "Type", Placement.placement_type, "enum"),
            Column("start_date", "Start", Placement.start_date, "date"),
            Column("weekly", "Weekly total", weekly, "money"),
            Column("agreement", "Agreement", status_label),
            Column("version", "Version", version_no, "int"),
        ],
        base=base,
        search=[Placement.ref, Child.case_reference, Child.first_name, Child.last_name, Child.known_as,
                provider.name],
        default_sort="start_date",
        default_descending=True,
        filters={
            "agreement": lambda v: status.is_(None) if v == "none" else status == v,
            "active": lambda v: Placement.end_date.is_(None) if v else Placement.end_date.is_not(None),
        },
    )


__all__ = [
    "CountersignatureRejected",
    "CountersignatureResult",
    "DocumentRef",
    "FeeLineInput",
    "NO_AGREEMENT",
    "STATUS_LABELS",
    "VersionSummary",
    "agreement_pdf",
    "assess_countersignature",
    "clause_override_dir",
    "current_agreement",
    "document_pdf",
    "export_for_countersignature",
    "find_placement",
    "get_agreement",
    "history",
    "import_countersigned",
    "ipa_data",
    "issue_agreement",
    "make_missing_pdf",
    "new_version",
    "placement_agreement_list",
    "sign_agreement",
    "versions",
]
