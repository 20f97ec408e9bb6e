"""Referrals from the wizard's input: the child, the needs, the chosen providers and the packs sent.

The wizard saves on every page change, so each save function here accepts a
page's input, validates it with messages naming the field to fix, and writes
it to the draft. Sending builds one minimised referral pack per provider
(:mod:`placedesk.reports.referral_pack`), stores it as a
:class:`StoredDocument`, records the sent date and the pack's SHA-256 on the
recipient, and moves the referral to ``sent``.

Minimising (DOMAIN.md): a pack carries the child's initials and age, never the
full name, date of birth or case reference. Every free-text field is passed
through :mod:`placedesk.services.referrals.redaction`, in case the officer typed
an identifier, and the Send page shows what was removed before anything goes.
A pack prints the council's identity, so making one needs the officer profile
(council, officer, an email or phone).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from placedesk.config import OfficerSettings, load_settings
from placedesk.errors import NotFound, Problems, ValidationError, WorkflowError
from placedesk.models import Child, Provider, Referral, ReferralFundingShare, ReferralRecipient, StoredDocument
from placedesk.models.enums import FundingPartner, PlacementType, ReferralStatus, Urgency
from placedesk.models.vocab import NEEDS, RISKS, label
from placedesk.reports.referral_pack import ReferralPackData, build_referral_pack
from placedesk.services.referrals.funding import check_shares
from placedesk.services.referrals.redaction import Redactor, identifiers_of
from placedesk.services.common.settings import require_pack_profile
from placedesk.services.care.leaving_care import age_on
from placedesk.services.common.documents import store_document
from placedesk.services.referrals.matching import MatchResult, MatchRow, match_referral
from placedesk.services.monitoring.restrictions import active_restrictions
from placedesk.reports.common import council_letterhead
from placedesk.services.common.labels import provider_label
from placedesk.services.common.parsing import normalise_postcode, outward_code
from placedesk.services.common.refs import next_ref
from placedesk.services.referrals.workflow import advance

PACK_KIND = "referral_pack"
# Default time providers get to answer when the officer sets no response-by date:
# a local practice choice, stated here and in the README.
RESPONSE_DAYS = {Urgency.EMERGENCY: 1, Urgency.PLANNED: 7}
LAST_WIZARD_STEP = 6
_EDITABLE = (ReferralStatus.DRAFT, ReferralStatus.READY)


@dataclass
class ChildDetails:
    """Wizard step 1: who the child is. Dates are already parsed; postcodes may be typed loosely."""

    case_reference: str
    first_name: str
    last_name: str
    date_of_birth: dt.date
    known_as: str = ""
    gender: str = ""
    ethnicity: str = ""
    religion: str = ""
    language: str = "English"
    legal_status: str = ""
    home_local_authority: str = ""
    home_postcode: str = ""
    social_worker_name: str = ""
    social_worker_email: str = ""
    social_worker_phone: str = ""
    has_ehcp: bool = False


@dataclass
class ReferralNeeds:
    """Wizard step 2: what is sought. Money in pence, shares in basis points (10000 = 100%)."""

    placement_type: PlacementType
    required_start_date: dt.date
    funding_shares: Mapping[FundingPartner, int]
    urgency: Urgency = Urgency.PLANNED
    needs: Sequence[str] = ()
    risks: Sequence[str] = ()
    needs_summary: str = ""
    risks_summary: str = ""
    education_summary: str = ""
    health_summary: str = ""
    identity_summary: str = ""
    max_distance_km: float | None = None
    preferred_distance_km: float | None = None
    location_notes: str = ""
    school_postcode: str = ""
    family_contact_notes: str = ""
    budget_ceiling_pence: int | None = None
    response_by: dt.date | None = None


def find_referral(session: Session, ref: str) -> Referral:
    """The referral with reference ``ref`` (case-insensitive), or NotFound."""
    referral = session.scalars(select(Referral).where(Referral.ref == ref.strip().upper())).first()
    if referral is None:
        raise NotFound(f"No referral has the reference {ref!r}. Check it in the Referrals tab.")
    return referral


def _require_editable(referral: Referral) -> None:
    if referral.status not in _EDITABLE:
        raise WorkflowError(
            f"Referral {referral.ref} has been {referral.status.label.lower()}; its child and needs can no longer "
            "be changed here."
        )


def check_child(details: ChildDetails, today: dt.date) -> tuple[str, str]:
    """Checked case reference and normalised home postcode; every problem is reported at once."""
    problems = Problems()
    case_ref = details.case_reference.strip()
    if not case_ref:
        problems.add("Enter the child's case reference from the case-management system.", "case_reference")
    elif len(case_ref) > 40:
        problems.add("The case reference is longer than 40 characters: check it.", "case_reference")
    if not details.first_name.strip():
        problems.add("Enter the child's first name.", "first_name")
    if not details.last_name.strip():
        problems.add("Enter the child's last name.", "last_name")
    if details.date_of_birth > today:
        problems.add("The date of birth is in the future: check it.", "date_of_birth")
    elif age_on(details.date_of_birth, today) > 25:
        problems.add("The date of birth makes the young person over 25: check it.", "date_of_birth")
    postcode = ""
    if details.home_postcode.strip():
        with problems.check():
            postcode = normalise_postcode(details.home_postcode, "home_postcode")
    problems.raise_any()
    return case_ref, postcode


def save_child(session: Session, referral: Referral | None, details: ChildDetails, *, today: dt.date,
               laptop_id: str, created_by: str = "") -> Referral:
    """Create the draft referral (and child) from step 1, or update the draft's child.

    A child already known by the case reference is reused, so a second referral
    for the same child does not duplicate them.
    """
    case_ref, postcode = check_child(details, today)
    if referral is not None:
        _require_editable(referral)
        child = referral.child
        clash = session.scalars(
            select(Child).where(Child.case_reference == case_ref, Child.id != child.id)
        ).first()
        if clash is not None:
            raise ValidationError(
                f"Another child already has case reference {case_ref}: check the reference.", "case_reference"
            )
    else:
        child = session.scalars(select(Child).where(Child.case_reference == case_ref)).first()
        if child is None:
            child = Child(case_reference=case_ref, first_name="", last_name="", date_of_birth=details.date_of_birth)
            session.add(child)
        referral = Referral(
            ref=next_ref(session, Referral.ref, "REF", laptop_id), child=child, referred_on=today,
            created_by=created_by, needs=[], risks=[], status=ReferralStatus.DRAFT, wizard_step=0,
            urgency=Urgency.PLANNED,
        )
        session.add(referral)
    child.case_reference = case_ref
    child.first_name = details.first_name.strip()
    child.last_name = details.last_name.strip()
    child.known_as = details.known_as.strip()
    child.date_of_birth = details.date_of_birth
    child.gender = details.gender.strip()
    child.ethnicity = details.ethnicity.strip()
    child.religion = details.religion.strip()
    child.language = details.language.strip()
    child.legal_status = details.legal_status.strip().upper()
    child.home_local_authority = details.home_local_authority.strip()
    child.home_postcode = postcode
    child.social_worker_name = details.social_worker_name.strip()
    child.social_worker_email = details.social_worker_email.strip()
    child.social_worker_phone = details.social_worker_phone.strip()
    child.has_ehcp = details.has_ehcp
    referral.legal_status = child.legal_status
    referral.wizard_step = max(referral.wizard_step, 1)
    session.flush()
    return referral


def _codes(values: Iterable[str], vocabulary: Mapping[str, str], field_name: str, what: str) -> list[str]:
    codes = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    unknown = [c for c in codes if c not in vocabulary]
    if unknown:
        raise ValidationError(f"Unknown {what}: {', '.join(unknown)}. Choose from the list.", field_name)
    return codes


def save_needs(session: Session, referral: Referral, needs: ReferralNeeds, *, today: dt.date) -> None:
    """Write step 2 (needs, location, start, budget, funding shares) to the draft."""
    _require_editable(referral)
    if needs.required_start_date < today - dt.timedelta(days=7):
        raise ValidationError("The required start date is more than a week ago: check it.", "required_start_date")
    if needs.max_distance_km is not None and not 0 < needs.max_distance_km <= 1000:
        raise ValidationError("The distance limit must be between 1 and 1000 km (or left empty).", "max_distance_km")
    if needs.preferred_distance_km is not None and not 0 < needs.preferred_distance_km <= 1000:
        raise ValidationError("The preferred distance must be between 1 and 1000 km (or left empty).",
                              "preferred_distance_km")
    if (needs.preferred_distance_km is not None and needs.max_distance_km is not None
            and needs.preferred_distance_km > needs.max_distance_km):
        raise ValidationError(
            f"The preferred distance ({needs.preferred_distance_km:g} km) is beyond the maximum "
            f"({needs.max_distance_km:g} km): make it the same or less.", "preferred_distance_km")
    if needs.budget_ceiling_pence is not None and needs.budget_ceiling_pence <= 0:
        raise ValidationError("The weekly budget ceiling must be more than £0 (or left empty).", "budget_ceiling")
    if needs.response_by is not None and needs.response_by < today:
        raise ValidationError("The response-by date has passed: choose today or later.", "response_by")
    check_shares(needs.funding_shares)
    school = normalise_postcode(needs.school_postcode, "school_postcode") if needs.school_postcode.strip() else ""
    referral.placement_type = needs.placement_type
    referral.required_start_date = needs.required_start_date
    referral.urgency = needs.urgency
    referral.needs = _codes(needs.needs, NEEDS, "needs", "needs")
    referral.risks = _codes(needs.risks, RISKS, "risks", "risks")
    referral.needs_summary = needs.needs_summary.strip()
    referral.risks_summary = needs.risks_summary.strip()
    referral.education_summary = needs.education_summary.strip()
    referral.health_summary = needs.health_summary.strip()
    referral.identity_summary = needs.identity_summary.strip()
    referral.max_distance_km = needs.max_distance_km
    referral.preferred_distance_km = needs.preferred_distance_km
    referral.location_notes = needs.location_notes.strip()
    referral.school_postcode = school
    referral.family_contact_notes = needs.family_contact_notes.strip()
    referral.budget_ceiling_pence = needs.budget_ceiling_pence
    referral.response_by = needs.response_by
    wanted = {partner: bp for partner, bp in needs.funding_shares.items() if bp > 0}
    for share in list(referral.funding_shares):
        if share.partner not in wanted:
            referral.funding_shares.remove(share)
    existing = {share.partner: share for share in referral.funding_shares}
    for partner, bp in wanted.items():
        if partner in existing:
            existing[partner].share_bp = bp
        else:
            referral.funding_shares.append(ReferralFundingShare(partner=partner, share_bp=bp))
    referral.wizard_step = max(referral.wizard_step, 2)
    session.flush()


def set_wizard_step(session: Session, referral: Referral, step: int) -> None:
    """Remember the wizard page the officer is on, so the draft resumes there."""
    if not 0 <= step <= LAST_WIZARD_STEP:
        raise ValidationError(f"Wizard step must be 0 to {LAST_WIZARD_STEP}.", "wizard_step")
    referral.wizard_step = step
    session.flush()


def mark_ready(session: Session, referral: Referral, *, today: dt.date) -> None:
    """Move a complete draft to ``ready`` (raises WorkflowError naming what is missing)."""
    if referral.status is ReferralStatus.DRAFT:
        advance(session, referral, ReferralStatus.READY, today=today)


def choose_recipients(session: Session, referral: Referral, provider_ids: Sequence[uuid.UUID], *,
                      today: dt.date, shortlist: MatchResult | None = None) -> list[ReferralRecipient]:
    """Record the providers chosen from the shortlist, keeping each one's score and reasons.

    Providers already sent a pack stay; unsent ones not chosen again are dropped.
    Excluded providers are refused with the reason they were excluded, and so is
    a provider closed to referrals since the shortlist was made. Pass the
    ``shortlist`` the screen has just shown to save ranking the directory again.
    """
    if referral.status not in (ReferralStatus.DRAFT, ReferralStatus.READY, ReferralStatus.SENT,
                               ReferralStatus.OFFERS_RECEIVED):
        raise WorkflowError(f"Referral {referral.ref} is {referral.status.label.lower()}: no more providers can be chosen.")
    if shortlist is not None and shortlist.referral_ref != referral.ref:
        raise ValidationError("That shortlist was made for another referral: refresh it.", "providers")
    chosen = list(dict.fromkeys(provider_ids))
    if not chosen:
        raise ValidationError("Choose at least one provider from the shortlist.", "providers")
    rows = _checked_rows(session, referral, chosen, today=today, shortlist=shortlist)
    for recipient in list(referral.recipients):
        if recipient.sent_on is None and recipient.provider_id not in chosen:
            referral.recipients.remove(recipient)
    _set_recipients(referral, rows)
    referral.wizard_step = max(referral.wizard_step, 3)
    session.flush()
    return [r for r in referral.recipients if r.provider_id in chosen]


def _checked_rows(session: Session, referral: Referral, provider_ids: Sequence[uuid.UUID], *, today: dt.date,
                  shortlist: MatchResult | None = None) -> list[MatchRow]:
    """Each provider's shortlist row; refuses excluded, vanished or newly closed providers."""
    result = shortlist or match_referral(session, referral, today=today)
    # A fresh ranking already excludes closed providers; a shortlist the screen made may be minutes old.
    closed = active_restrictions(session, today, provider_ids) if shortlist is not None else {}
    rows = []
    for pid in provider_ids:
        e = result.excluded_for(pid)
        if e is not None:
            raise ValidationError(f"{e.provider_name} cannot be sent this referral: {e.reason}.", "providers")
        row = result.row_for(pid)
        if row is None:
            raise NotFound("A chosen provider is not on the shortlist: refresh it.")
        if pid in closed:
            raise ValidationError(f"{row.provider_name} cannot be sent this referral: {closed[pid]}.", "providers")
        rows.append(row)
    return rows


def _set_recipients(referral: Referral, rows: Sequence[MatchRow]) -> None:
    """Add (or refresh) a recipient per row with its shortlist score and reasons."""
    by_provider = {r.provider_id: r for r in referral.recipients}
    for row in rows:
        recipient = by_provider.get(row.provider_id)
        if recipient is None:
            recipient = ReferralRecipient(provider_id=row.provider_id)
            referral.recipients.append(recipient)
        recipient.match_score = row.score
        recipient.match_reasons = list(row.reasons)


def _add_recipients(session: Session, referral: Referral, provider_ids: Sequence[uuid.UUID], *,
                    today: dt.date) -> None:
    """Add (or refresh) recipients with their shortlist score; refuse excluded providers."""
    _set_recipients(referral, _checked_rows(session, referral, provider_ids, today=today))


# The pack's free-text fields, in the order the pack prints them, with the officer's name for each.
PACK_TEXT_FIELDS = (
    ("needs_summary", "Needs summary"),
    ("identity_summary", "Identity and culture"),
    ("risks_summary", "Risks summary"),
    ("education_summary", "Education"),
    ("health_summary", "Health"),
    ("family_contact_notes", "Family contact"),
    ("location_notes", "Other location needs"),
)


def response_by(referral: Referral, *, sent_on: dt.date) -> dt.date:
    """The date providers must answer by: the one set, else :data:`RESPONSE_DAYS` after sending."""
    return referral.response_by or sent_on + dt.timedelta(days=RESPONSE_DAYS[referral.urgency])


def referral_pack_data(session: Session, referral: Referral, provider: Provider, *, today: dt.date,
                       officer: OfficerSettings | None = None) -> ReferralPackData:
    """The minimised content of one provider's pack, as it would be sent ``today``."""
    officer = officer or load_settings().settings.officer
    require_pack_profile(officer, "Making a referral pack")
    child = referral.child
    redactor = Redactor(identifiers_of(child))

    def scrub(text: str) -> str:
        return redactor.redact(text).text

    home = outward_code(child.home_postcode) if child.home_postcode else ""
    home_area = ", ".join(x for x in (child.home_local_authority, home) if x)
    return ReferralPackData(
        referral_ref=referral.ref, issued_on=today, response_by=response_by(referral, sent_on=today),
        la_name=officer.local_authority, officer_name=officer.name, officer_role=officer.role,
        officer_email=officer.email, officer_phone=officer.phone, provider_name=provider_label(provider),
        provider_ref=provider.ref, logo=council_letterhead().logo,
        initials=child.initials, age_years=age_on(child.date_of_birth, today), gender=child.gender,
        ethnicity=child.ethnicity, religion=child.religion, language=child.language,
        placement_type=referral.placement_type.label if referral.placement_type else "not stated",
        urgency=referral.urgency.label, required_start_date=referral.required_start_date,
        needs=tuple(label(c) for c in referral.needs), risks=tuple(label(c) for c in referral.risks),
        needs_summary=scrub(referral.needs_summary), risks_summary=scrub(referral.risks_summary),
        identity_summary=scrub(referral.identity_summary), has_ehcp=child.has_ehcp,
        education_summary=scrub(referral.education_summary), health_summary=scrub(referral.health_summary),
        home_area=home_area, max_distance_km=referral.max_distance_km,
        preferred_distance_km=referral.preferred_distance_km,
        location_notes=scrub(referral.location_notes),
        school_area=outward_code(referral.school_postcode) if referral.school_postcode else "",
        family_contact_notes=scrub(referral.family_contact_notes),
    )


def make_referral_pack(session: Session, referral: Referral, provider: Provider, *, today: dt.date,
                       officer: OfficerSettings | None = None) -> bytes:
    """The referral pack PDF for ``provider`` (for preview; nothing is stored)."""
    return build_referral_pack(referral_pack_data(session, referral, provider, today=today, officer=officer))


@dataclass(frozen=True)
class ReferralPack:
    """One provider's pack as made for preview: what it prints, and the PDF.

    Handing it back to :func:`send_referral` stores these very bytes, so the
    pack the officer checked is the pack on file, provided what it prints is
    still what the referral says on the day it is sent.
    """

    provider_id: uuid.UUID
    content: ReferralPackData
    pdf: bytes


def make_referral_packs(session: Session, referral: Referral, *, today: dt.date,
                        officer: OfficerSettings | None = None) -> dict[uuid.UUID, ReferralPack]:
    """Each recipient's pack as it would be sent ``today``, by provider id (nothing is stored)."""
    officer = officer or load_settings().settings.officer
    packs: dict[uuid.UUID, ReferralPack] = {}
    for recipient in referral.recipients:
        content = referral_pack_data(session, referral, recipient.provider, today=today, officer=officer)
        packs[recipient.provider_id] = ReferralPack(recipient.provider_id, content, build_referral_pack(content))
    return packs


def send_referral(session: Session, referral: Referral, provider_ids: Sequence[uuid.UUID], *, today: dt.date,
                  officer: OfficerSettings | None = None,
                  made: Mapping[uuid.UUID, ReferralPack] | None = None) -> list[StoredDocument]:
    """Make, store and record a pack for each provider; the referral becomes ``sent``.

    A draft is first checked and made ready. Providers not yet chosen are added
    as recipients. When no response-by date is set it defaults to
    :data:`RESPONSE_DAYS` after today for the referral's urgency. Packs in
    ``made`` (from :func:`make_referral_packs`) are stored as they are when
    their content is exactly what would be printed now; any other pack is made
    again here, so what is stored is always what is recorded as sent.
    """
    officer = officer or load_settings().settings.officer
    require_pack_profile(officer, "Sending a referral")
    if referral.status is ReferralStatus.DRAFT:
        advance(session, referral, ReferralStatus.READY, today=today)
    if referral.status not in (ReferralStatus.READY, ReferralStatus.SENT, ReferralStatus.OFFERS_RECEIVED):
        raise WorkflowError(f"Referral {referral.ref} is {referral.status.label.lower()}: packs can no longer be sent.")
    known = {r.provider_id for r in referral.recipients}
    new = [pid for pid in dict.fromkeys(provider_ids) if pid not in known]
    if new:
        _add_recipients(session, referral, new, today=today)
        session.flush()
    wanted = set(provider_ids)
    recipients = [r for r in referral.recipients if r.provider_id in wanted]
    if not recipients:
        raise ValidationError("Choose at least one provider to send the referral to.", "providers")
    referral.response_by = response_by(referral, sent_on=today)
    documents: list[StoredDocument] = []
    for recipient in recipients:
        provider = recipient.provider or session.get(Provider, recipient.provider_id)
        content = referral_pack_data(session, referral, provider, today=today, officer=officer)
        ready = (made or {}).get(provider.id)
        pdf = ready.pdf if ready is not None and ready.content == content else build_referral_pack(content)
        document = store_document(session, f"{referral.ref}-{provider.ref}-referral-pack.pdf", pdf, PACK_KIND)
        recipient.sent_on = today
        recipient.pack_sha256 = document.sha256
        documents.append(document)
    session.flush()
    if referral.status is ReferralStatus.READY:
        advance(session, referral, ReferralStatus.SENT, today=today)
    referral.wizard_step = max(referral.wizard_step, 4)
    session.flush()
    return documents


def pack_for(session: Session, recipient: ReferralRecipient) -> StoredDocument | None:
    """The stored pack that went to ``recipient`` (matched by its SHA-256)."""
    if not recipient.pack_sha256:
        return None
    return session.scalars(
        select(StoredDocument).where(StoredDocument.kind == PACK_KIND, StoredDocument.sha256 == recipient.pack_sha256)
    ).first()


@dataclass
class RecipientStatus:
    """One recipient as the Send and Offers pages list it."""

    recipient_id: uuid.UUID
    provider_id: uuid.UUID
    provider_ref: str
    provider_name: str
    sent_on: dt.date | None
    response: str
    match_score: float | None
    match_reasons: list[str] = field(default_factory=list)


def recipients(session: Session, referral: Referral) -> list[RecipientStatus]:
    """The referral's recipients, by provider name."""
    rows = [
        RecipientStatus(r.id, r.provider_id, r.provider.ref, provider_label(r.provider), r.sent_on, r.response.label,
                        r.match_score, list(r.match_reasons))
        for r in referral.recipients
    ]
    return sorted(rows, key=lambda r: (r.provider_name.casefold(), r.provider_ref))


__all__ = [
    "ReferralPack",
    "PACK_KIND",
    "RESPONSE_DAYS",
    "ChildDetails",
    "RecipientStatus",
    "ReferralNeeds",
    "choose_recipients",
    "find_referral",
    "make_referral_pack",
    "make_referral_packs",
    "mark_ready",
    "pack_for",
    "recipients",
    "referral_pack_data",
    "save_child",
    "save_needs",
    "response_by",
    "send_referral",
    "set_wizard_step",
]
