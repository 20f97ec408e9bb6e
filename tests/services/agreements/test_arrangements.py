"""The IPA's care arrangements: proposed from the referral, checked, stored per version, printed."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from placedesk.errors import ValidationError
from placedesk.models.enums import FeeLineKind, FundingPartner, LineFunding
from placedesk.services.agreements import ipa as ag
from placedesk.services.agreements.arrangements import (
    CareArrangements,
    Delegation,
    KeyContact,
    NeedMet,
    arrangements_of,
    check_arrangements,
    proposed_arrangements,
)
from tests.services.agreements.helpers import OFFICER_PASS, TODAY, make_placement, officer, officer_p12


def _text(pdf: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _typed() -> CareArrangements:
    return CareArrangements(
        contacts=(KeyContact("Social worker", "Ffion Hughes", "01248 752000"),
                  KeyContact("Independent Reviewing Officer", "Nia Lloyd", "nia.lloyd@example.gov.uk"),
                  KeyContact("Team manager", "", "")),
        needs=(NeedMet("Risk", "Going missing", "Missing-from-care protocol agreed with North Wales Police"),),
        school="Ysgol Friars, Year 9", ehcp="No EHCP", virtual_school="Gwynedd Virtual School",
        gp="Bodnant Surgery", camhs="CAMHS fortnightly", health_assessments="Review health assessment 01/09/2026",
        family_time="Phone call with grandmother every Sunday evening.",
        delegated_authority=(Delegation("Haircuts", "Carer or home manager"),),
    )


def test_typed_arrangements_are_stored_on_the_version_and_printed(session: Session) -> None:
    placement = make_placement(session)
    agreement = ag.issue_agreement(session, placement, officer=officer(), today=TODAY, arrangements=_typed())
    stored = arrangements_of(agreement)
    # The empty team manager row is dropped; the rest kept as typed.
    assert [c.role for c in stored.contacts] == ["Social worker", "Independent Reviewing Officer"]
    text = _text(agreement.unsigned_document.content)
    for expected in ("Ffion Hughes", "Nia Lloyd", "Going missing",
                     "Missing-from-care protocol agreed with North Wales Police", "Ysgol Friars, Year 9",
                     "Gwynedd Virtual School", "Bodnant Surgery", "CAMHS fortnightly",
                     "Review health assessment 01/09/2026", "Phone call with grandmother every Sunday evening.",
                     "Haircuts"):
        assert expected in text, expected


def test_a_need_without_how_the_provider_meets_it_is_refused() -> None:
    with pytest.raises(ValidationError, match="how the provider will meet the risk 'Going missing'") as err:
        check_arrangements(CareArrangements(needs=(NeedMet("Risk", "Going missing", "  "),)))
    assert err.value.field == "needs"


def test_a_contact_without_a_role_is_refused() -> None:
    with pytest.raises(ValidationError, match="what role Gareth Price has"):
        check_arrangements(CareArrangements(contacts=(KeyContact("", "Gareth Price", "01248 752001"),)))


def test_the_proposal_starts_from_the_referral_and_the_childs_social_worker(session: Session) -> None:
    placement = make_placement(session)
    placement.child.social_worker_name = "Ffion Hughes"
    placement.child.social_worker_phone = "01248 752000"
    placement.referral.needs = ["emotional_behavioural"]
    placement.referral.risks = ["missing"]
    placement.referral.family_contact_notes = "Sees mother fortnightly."
    proposal = proposed_arrangements(placement)
    assert proposal.contacts[0] == KeyContact("Social worker", "Ffion Hughes", "01248 752000")
    assert [c.role for c in proposal.contacts[1:]] == ["Team manager", "Independent Reviewing Officer",
                                                       "Virtual school"]
    assert [(n.area, n.how_met) for n in proposal.needs] == [("Need", ""), ("Risk", "")]
    assert proposal.family_time == "Sees mother fortnightly."
    assert any(d.matter == "Overnight stays with friends" for d in proposal.delegated_authority)


def test_a_new_version_keeps_the_arrangements_unless_new_ones_are_given(session: Session) -> None:
    placement = make_placement(session)
    first = ag.issue_agreement(session, placement, officer=officer(), today=TODAY, arrangements=_typed())
    second = ag.new_version(session, first, officer=officer(), today=TODAY, change_reason="Notice changed",
                            notice_period_days=14)
    assert arrangements_of(second) == arrangements_of(first)
    third = ag.new_version(session, second, officer=officer(), today=TODAY, change_reason="New school",
                           arrangements=CareArrangements(school="Ysgol Tryfan, Year 9"))
    assert arrangements_of(third).school == "Ysgol Tryfan, Year 9"
    assert arrangements_of(first).school == "Ysgol Friars, Year 9"


@pytest.mark.parametrize("issued", ["in this process", "in an earlier run"])
def test_signing_fills_in_the_councils_date_line_with_the_uk_date(
    session: Session, issued: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    placement = make_placement(session)
    agreement = ag.issue_agreement(session, placement, officer=officer(), today=TODAY)
    assert "Date 02/03/2026" not in _text(agreement.unsigned_document.content).replace(":", "")
    layouts: list[object] = []
    real_layout = ag.report.render_ipa_layout
    monkeypatch.setattr(ag.report, "render_ipa_layout", lambda data: layouts.append(data) or real_layout(data))
    if issued == "in an earlier run":
        # Another process issued it: the Date line is found by laying the agreement out again.
        monkeypatch.setattr(ag, "_DATE_POINTS", {})
    # 23:30 UTC on 31/07/2026 is 00:30 BST on 01/08/2026: the UK date is the one printed.
    ag.sign_agreement(session, agreement, identity=officer_p12(), passphrase=OFFICER_PASS, officer=officer(),
                      now=dt.datetime(2026, 7, 31, 23, 30, tzinfo=dt.timezone.utc))
    signed = agreement.officer_signed_document.content
    # The date is written onto the issued file as an update: what was issued is still at its start.
    assert signed.startswith(agreement.unsigned_document.content)
    last_page = PdfReader(io.BytesIO(signed)).pages[-1].extract_text()
    assert "01/08/2026" in last_page
    # Signing straight after issuing lays the agreement out once, not twice.
    assert len(layouts) == (0 if issued == "in this process" else 1)
    assert "01/08/2026" not in PdfReader(io.BytesIO(agreement.unsigned_document.content)).pages[-1].extract_text()


def test_a_new_version_with_an_education_line_funded_by_education_alone(session: Session) -> None:
    placement = make_placement(session, shares=((FundingPartner.SOCIAL_CARE, 10000),))
    first = ag.issue_agreement(session, placement, officer=officer(), today=TODAY)
    ag.new_version(session, first, officer=officer(), today=TODAY, change_reason="Education line agreed", fee_lines=[
        ag.FeeLineInput(FeeLineKind.CORE, "Core weekly fee", 450000),
        ag.FeeLineInput(FeeLineKind.EDUCATION, "Education", 65050, LineFunding.EDUCATION),
    ])
    amounts = {s.partner: (s.share_bp, s.weekly_amount_pence) for s in placement.funding_shares}
    # Social care pays all of the shared core fee; education only its own line, with a 0% share.
    assert amounts == {FundingPartner.SOCIAL_CARE: (10000, 450000), FundingPartner.EDUCATION: (0, 65050)}


def test_how_the_offer_said_each_need_would_be_met_is_carried_into_the_proposal(session: Session) -> None:
    from types import SimpleNamespace

    placement = make_placement(session)
    placement.referral.needs = ["emotional_behavioural"]
    placement.referral.risks = ["missing", "self_harm"]
    offer = SimpleNamespace(needs_met={"missing": "Waking night staff; missing protocol with the police."})
    proposal = proposed_arrangements(SimpleNamespace(child=placement.child, referral=placement.referral,
                                                     offer=offer))  # type: ignore[arg-type]
    assert [(n.item, n.how_met) for n in proposal.needs] == [
        ("Emotional and behavioural", ""),
        ("Going missing", "Waking night staff; missing protocol with the police."),
        ("Self-harm", ""),
    ]
