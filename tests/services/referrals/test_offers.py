"""Offers and declines from providers, and the side-by-side comparison."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError, WorkflowError
from placedesk.models import Cap, ReferralFundingShare, ReferralRecipient
from placedesk.models.enums import (
    CapSeverity,
    DeclineReason,
    FeeLineKind,
    FundingPartner,
    OfferStatus,
    OfstedJudgement,
    RecipientResponse,
    ReferralStatus,
)
from placedesk.services.referrals.offers import compare_offers, describe_expiry, record_decline, record_offer
from placedesk.services.referrals.workflow import next_action
from tests.services.referrals.helpers import TODAY, make_provider, referral_at

K = FeeLineKind
P = FundingPartner


def _sent_to(session: Session, *names: str, **provider_kw: object):
    referral = referral_at(session, ReferralStatus.SENT)
    recipients = list(referral.recipients)
    for name in names:
        recipient = ReferralRecipient(provider=make_provider(session, name, **provider_kw), sent_on=TODAY)
        referral.recipients.append(recipient)
        recipients.append(recipient)
    session.flush()
    return referral, recipients


def test_first_offer_moves_the_referral_on(session: Session) -> None:
    referral, (recipient,) = _sent_to(session)
    offer = record_offer(session, recipient, [(K.CORE, "Core fee", 380000), (K.EDUCATION, "", 45000)],
                         dt.date(2026, 3, 16), "Subject to matching meeting", dt.date(2026, 3, 9), today=TODAY)
    assert referral.status is ReferralStatus.OFFERS_RECEIVED
    assert offer.weekly_total_pence == 425000
    assert [line.description for line in offer.fee_lines] == ["Core fee", "Education"]
    assert recipient.response is RecipientResponse.OFFERED and recipient.responded_on == TODAY


def test_a_revised_offer_replaces_the_open_one(session: Session) -> None:
    _, (recipient,) = _sent_to(session)
    first = record_offer(session, recipient, [(K.CORE, "", 400000)], TODAY, "", None, today=TODAY)
    second = record_offer(session, recipient, [(K.CORE, "", 390000)], TODAY, "", None, today=TODAY)
    assert first.status is OfferStatus.WITHDRAWN and second.status is OfferStatus.OPEN


@pytest.mark.parametrize(
    ("lines", "message"),
    [([], "at least one fee line"), ([(K.CORE, "", -1)], "Fee line 1: the weekly amount cannot be negative"),
     ([(K.CORE, "", 0)], "weekly total is £0.00"), ([(K.CORE, "", 1), (K.OTHER, " ", 5)], "Fee line 2: describe")],
)
def test_bad_fee_lines_are_refused_naming_the_line(session: Session, lines: list, message: str) -> None:
    _, (recipient,) = _sent_to(session)
    with pytest.raises(ValidationError, match=message) as exc:
        record_offer(session, recipient, lines, TODAY, "", None, today=TODAY)
    assert exc.value.field == "fee_lines"


def test_expired_offer_dates_are_refused(session: Session) -> None:
    _, (recipient,) = _sent_to(session)
    with pytest.raises(ValidationError, match="already passed") as exc:
        record_offer(session, recipient, [(K.CORE, "", 1000)], TODAY, "", TODAY - dt.timedelta(days=1), today=TODAY)
    assert exc.value.field == "expires_on"


def test_cannot_record_for_an_unsent_recipient_or_a_closed_referral(session: Session) -> None:
    referral, (recipient,) = _sent_to(session)
    extra = ReferralRecipient(provider=make_provider(session, "Unsent"))
    referral.recipients.append(extra)
    session.flush()
    with pytest.raises(WorkflowError, match="send it first"):
        record_offer(session, extra, [(K.CORE, "", 1000)], TODAY, "", None, today=TODAY)
    awarded = referral_at(session, ReferralStatus.AWARDED)
    with pytest.raises(WorkflowError, match="responses can only be recorded"):
        record_decline(session, awarded.recipients[0], DeclineReason.NO_VACANCY, "", today=TODAY)


def test_decline_records_reason_and_withdraws_an_open_offer(session: Session) -> None:
    referral, (recipient,) = _sent_to(session)
    offer = record_offer(session, recipient, [(K.CORE, "", 400000)], TODAY, "", None, today=TODAY)
    record_decline(session, recipient, DeclineReason.MATCHING_IMPACT, "Two boys with CCE risk placed", today=TODAY)
    assert recipient.response is RecipientResponse.DECLINED
    assert recipient.decline_reason is DeclineReason.MATCHING_IMPACT
    assert offer.status is OfferStatus.WITHDRAWN
    assert next_action(referral, TODAY) == "Chase responses: no offer is open"


def test_other_decline_needs_notes(session: Session) -> None:
    _, (recipient,) = _sent_to(session)
    with pytest.raises(ValidationError) as exc:
        record_decline(session, recipient, DeclineReason.OTHER, "  ", today=TODAY)
    assert exc.value.field == "decline_notes"


def test_compare_offers_side_by_side(session: Session) -> None:
    referral, recipients = _sent_to(session, "Birch House", "Cedar Lodge")
    referral.funding_shares.clear()
    session.flush()
    referral.funding_shares.extend([ReferralFundingShare(partner=FundingPartner.SOCIAL_CARE, share_bp=3333),
                                    ReferralFundingShare(partner=FundingPartner.EDUCATION, share_bp=3333),
                                    ReferralFundingShare(partner=FundingPartner.HEALTH, share_bp=3334)])
    recipients[2].provider.ofsted_judgement = OfstedJudgement.OUTSTANDING
    session.add(Cap(ref="CAP-X-1", provider_id=recipients[1].provider.id, issue="Late reports",
                    severity=CapSeverity.LOW, opened_on=TODAY))
    record_offer(session, recipients[0], [(K.CORE, "", 500000)], TODAY, "", None, today=TODAY)
    record_offer(session, recipients[1], [(K.CORE, "", 400000), (K.HEALTH_THERAPY, "Therapy", 1)], TODAY, "",
                 TODAY + dt.timedelta(days=5), today=TODAY)
    record_offer(session, recipients[2], [(K.CORE, "", 400001)], TODAY, "", None, today=TODAY)
    record_decline(session, recipients[0], DeclineReason.NO_VACANCY, "", today=TODAY)

    rows = compare_offers(session, referral, today=TODAY)
    assert [r.provider_name for r in rows] == ["Birch House", "Cedar Lodge"]  # cheapest first, tie by name
    birch = rows[0]
    assert birch.weekly_total_pence == 400001 and birch.annual_cost_pence == 400001 * 52
    assert birch.partner_weekly_pence == {FundingPartner.SOCIAL_CARE: 133320, FundingPartner.EDUCATION: 133320,
                                          FundingPartner.HEALTH: 133361}
    assert sum(birch.partner_weekly_pence.values()) == birch.weekly_total_pence
    assert birch.open_caps == 1 and rows[1].open_caps == 0
    assert rows[1].ofsted_judgement is OfstedJudgement.OUTSTANDING
    assert birch.within_budget is True and birch.match_reasons[0].startswith("Type:")
    assert describe_expiry(birch) == "Expires 07/03/2026" and describe_expiry(rows[1]) == "No expiry"


def test_an_offer_records_how_it_meets_the_referrals_own_needs_only(session: Session) -> None:
    referral = referral_at(session, ReferralStatus.SENT)
    recipient = referral.recipients[0]
    offer = record_offer(session, recipient, [(K.CORE, "Core", 400000)], TODAY + dt.timedelta(days=7), "", None,
                         today=TODAY, needs_met={"missing": " Missing protocol ", "autism": "Not asked for",
                                                 "emotional_behavioural": "  "})
    # The referral states emotional_behavioural and missing: autism is not its need, a blank is no answer.
    assert offer.needs_met == {"missing": "Missing protocol"}


def test_offers_show_each_partners_cost_by_element_and_a_far_provider_is_still_comparable(session: Session) -> None:
    from placedesk.models import PostcodeLocation

    referral, (recipient,) = _sent_to(session)
    referral.funding_shares.clear()
    session.flush()
    referral.funding_shares += [ReferralFundingShare(partner=P.SOCIAL_CARE, share_bp=5000),
                                ReferralFundingShare(partner=P.EDUCATION, share_bp=5000)]
    # The provider is one degree of latitude (111.2 km) from home, beyond a 50 km maximum.
    session.add_all([PostcodeLocation(postcode="ZZ11AA", latitude=50.0, longitude=0.0),
                     PostcodeLocation(postcode="ZZ21AA", latitude=51.0, longitude=0.0)])
    referral.child.home_postcode, referral.max_distance_km = "ZZ1 1AA", 50.0
    recipient.provider.postcode = "ZZ2 1AA"
    record_offer(session, recipient, [(K.CORE, "Core", 100000), (K.EDUCATION, "School", 20000)], TODAY, "", None,
                 today=TODAY)
    [row] = compare_offers(session, referral, today=TODAY)
    # Core £1,000 shared 50/50; the £200 education line is education's own: £500 and £700.
    assert row.partner_weekly_pence == {P.SOCIAL_CARE: 50000, P.EDUCATION: 70000}
    assert row.excluded_reason == ""
