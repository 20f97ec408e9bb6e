"""Builders for agreement tests: an awarded placement, an officer profile, and signing identities.

Records are written directly (not through the award service) so agreement
tests start from an awarded placement without depending on other services.
Identities are made once per test run: RSA key generation is the slow part.
"""

from __future__ import annotations

import datetime as dt
import itertools
from functools import lru_cache

from sqlalchemy.orm import Session

from placedesk.config import OfficerSettings
from placedesk.models import Child, Placement, PlacementFeeLine, PlacementFundingShare, Provider, Referral
from placedesk.models.enums import (
    ContractRoute,
    FeeLineKind,
    FundingPartner,
    OfstedJudgement,
    PlacementType,
    ProviderType,
    ReferralStatus,
)

TODAY = dt.date(2026, 3, 2)
NOW = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.timezone.utc)
OFFICER_PASS = "officer-passphrase"
PROVIDER_PASS = "provider-passphrase"
_counter = itertools.count(1)


def officer() -> OfficerSettings:
    return OfficerSettings(
        name="Siân Ŵyn-Roberts", role="Placement Officer", local_authority="Cyngor Sir Ynys Môn",
        la_address="Council Offices, Llangefni LL77 7TW", email="sian.wyn@example.gov.uk",
    )


def make_placement(
    session: Session,
    *,
    first_name: str = "Zoë",
    last_name: str = "Żółkiewska",
    status: ReferralStatus = ReferralStatus.AWARDED,
    fees: tuple[tuple[FeeLineKind, str, int], ...] = (
        (FeeLineKind.CORE, "Core weekly fee", 450000),
        (FeeLineKind.ADDITIONAL_SUPPORT, "1:1 support, 10 hours a week", 32050),
    ),
    shares: tuple[tuple[FundingPartner, int], ...] = ((FundingPartner.SOCIAL_CARE, 7000), (FundingPartner.EDUCATION, 3000)),
    with_referral: bool = True,
) -> Placement:
    """An awarded placement with fee lines and funding shares (and its referral)."""
    n = next(_counter)
    child = Child(
        case_reference=f"CASE-A{n:04d}", first_name=first_name, last_name=last_name, known_as="",
        date_of_birth=dt.date(2011, 4, 2), gender="Female", legal_status="C2", home_local_authority="Ynys Môn",
    )
    provider = Provider(
        ref=f"PRV-A-{n:04d}", urn=f"SC{n:06d}", name=f"Oak House {n}", provider_type=ProviderType.CHILDRENS_HOME,
        owner_organisation="Brightpath Care Ltd", address_line1="1 High Street", town="Bangor", postcode="LL57 1AA",
        contract_route=ContractRoute.FRAMEWORK, ofsted_judgement=OfstedJudgement.GOOD, places=4, vacancies=1,
        contact_name="Jo Provider", contact_email="jo@brightpath.example",
    )
    session.add_all([child, provider])
    session.flush()
    referral = None
    if with_referral:
        referral = Referral(ref=f"REF-A-{n:04d}", child_id=child.id, status=status,
                            placement_type=PlacementType.CHILDRENS_HOME, required_start_date=TODAY)
        session.add(referral)
        session.flush()
    placement = Placement(
        ref=f"PLC-A-{n:04d}", referral_id=referral.id if referral else None, child_id=child.id,
        provider_id=provider.id, placement_type=PlacementType.CHILDRENS_HOME,
        placement_address="Oak House, 3 Lôn Las, Bangor LL57 2BB", start_date=TODAY + dt.timedelta(days=7),
        review_date=TODAY + dt.timedelta(days=35),
    )
    total = sum(amount for _, _, amount in fees)
    from placedesk.services.referrals.funding import split_weekly

    split = split_weekly(total, dict(shares)) if shares else {}
    placement.fee_lines = [
        PlacementFeeLine(position=i, kind=kind, description=text, weekly_amount_pence=amount)
        for i, (kind, text, amount) in enumerate(fees)
    ]
    placement.funding_shares = [
        PlacementFundingShare(partner=partner, share_bp=bp, weekly_amount_pence=split[partner]) for partner, bp in shares
    ]
    session.add(placement)
    session.flush()
    return placement


@lru_cache(maxsize=None)
def identity_bytes(name: str, organisation: str, passphrase: str) -> bytes:
    """A PKCS#12 identity made once per run for ``name``."""
    from placedesk.services.agreements.identity import build_identity

    data, _pem = build_identity(name, "Signatory", organisation, "", passphrase, now=NOW)
    return data


def officer_p12() -> bytes:
    return identity_bytes("Siân Ŵyn-Roberts", "Cyngor Sir Ynys Môn", OFFICER_PASS)


def provider_p12() -> bytes:
    return identity_bytes("Jo Provider", "Brightpath Care Ltd", PROVIDER_PASS)


def countersign(officer_signed: bytes) -> bytes:
    """What a provider returns: the officer-signed PDF with their signature in the provider box."""
    from placedesk.reports import signing

    signer = signing.load_signer(provider_p12(), PROVIDER_PASS)
    return signing.sign_pdf(officer_signed, signing.PROVIDER_FIELD, signer, name="Jo Provider",
                            role="Registered Manager", organisation="Brightpath Care Ltd")
