"""Referrals from wizard input: the child and needs saved to a draft, providers chosen, packs sent."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from placedesk.config import OfficerSettings
from placedesk.errors import ValidationError, WorkflowError
from placedesk.models import Child, StoredDocument
from placedesk.models.enums import FundingPartner, OfstedJudgement, PlacementType, ReferralStatus, Urgency
from placedesk.services.referrals.intake import (
    ChildDetails,
    ReferralNeeds,
    choose_recipients,
    find_referral,
    make_referral_pack,
    make_referral_packs,
    pack_for,
    save_child,
    save_needs,
    send_referral,
    set_wizard_step,
)
from tests.services.referrals.helpers import TODAY, make_provider

OFFICER = OfficerSettings(name="Sam Patel", local_authority="Sheffield City Council", email="sam.patel@example.gov.uk")


def _child(**kw: object) -> ChildDetails:
    values: dict[str, object] = dict(
        case_reference="SCC-778812", first_name="Kacper", last_name="Wiśniewski", known_as="Kaz",
        date_of_birth=dt.date(2012, 5, 17), gender="Male", ethnicity="White Other", religion="Roman Catholic",
        language="Polish", home_local_authority="Sheffield", home_postcode="s10 2tn", has_ehcp=True,
    )
    values.update(kw)
    return ChildDetails(**values)


def _needs(**kw: object) -> ReferralNeeds:
    values: dict[str, object] = dict(
        placement_type=PlacementType.CHILDRENS_HOME, required_start_date=dt.date(2026, 3, 16),
        funding_shares={FundingPartner.SOCIAL_CARE: 7000, FundingPartner.EDUCATION: 3000},
        needs=["emotional_behavioural", "education_ehcp"], risks=["missing"],
        needs_summary="Kacper needs consistent adults; Kaz responds to routine.",
        education_summary="Year 8, EHCP for SEMH; attends 60%.", health_summary="Asthma, inhaler.",
        risks_summary="Went missing twice in January (case SCC-778812), born 17/05/2012.",
        max_distance_km=40.0, budget_ceiling_pence=500000, school_postcode="S11 8XX",
    )
    values.update(kw)
    return ReferralNeeds(**values)


def _draft(session: Session):
    referral = save_child(session, None, _child(), today=TODAY, laptop_id="7f3a", created_by="Sam Patel")
    save_needs(session, referral, _needs(), today=TODAY)
    return referral


def test_step_one_creates_a_draft_with_a_reference(session: Session) -> None:
    referral = save_child(session, None, _child(), today=TODAY, laptop_id="7f3a")
    assert referral.ref == "REF-7F3A-0001"
    assert referral.status is ReferralStatus.DRAFT and referral.wizard_step == 1
    assert referral.child.home_postcode == "S10 2TN"
    assert find_referral(session, "ref-7f3a-0001") is referral


def test_step_one_again_updates_instead_of_duplicating(session: Session) -> None:
    referral = save_child(session, None, _child(), today=TODAY, laptop_id="7f3a")
    save_child(session, referral, _child(first_name="Kacper Jan"), today=TODAY, laptop_id="7f3a")
    assert referral.child.first_name == "Kacper Jan"
    assert session.scalar(select(func.count()).select_from(Child)) == 1


def test_a_known_child_is_reused_for_a_new_referral(session: Session) -> None:
    first = save_child(session, None, _child(), today=TODAY, laptop_id="7f3a")
    second = save_child(session, None, _child(), today=TODAY, laptop_id="7f3a")
    assert second.child is first.child and second.ref == "REF-7F3A-0002"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"case_reference": " "}, "case_reference"), ({"first_name": ""}, "first_name"),
     ({"date_of_birth": dt.date(2027, 1, 1)}, "date_of_birth"), ({"home_postcode": "S10"}, "home_postcode")],
)
def test_step_one_names_the_field_to_fix(session: Session, change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        save_child(session, None, _child(**change), today=TODAY, laptop_id="7f3a")
    assert exc.value.field == field


def test_step_two_saves_needs_and_shares(session: Session) -> None:
    referral = _draft(session)
    assert referral.wizard_step == 2
    assert {s.partner: s.share_bp for s in referral.funding_shares} == {
        FundingPartner.SOCIAL_CARE: 7000, FundingPartner.EDUCATION: 3000}
    save_needs(session, referral, _needs(funding_shares={FundingPartner.SOCIAL_CARE: 10000}), today=TODAY)
    assert [(s.partner, s.share_bp) for s in referral.funding_shares] == [(FundingPartner.SOCIAL_CARE, 10000)]
    assert referral.school_postcode == "S11 8XX"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [({"funding_shares": {FundingPartner.SOCIAL_CARE: 6000}}, "funding", "add up to 60%"),
     ({"needs": ["flying"]}, "needs", "Unknown needs: flying"),
     ({"max_distance_km": 0.0}, "max_distance_km", "between 1 and 1000"),
     ({"response_by": dt.date(2026, 3, 1)}, "response_by", "has passed")],
)
def test_step_two_names_the_field_to_fix(session: Session, change: dict[str, object], field: str,
                                         message: str) -> None:
    referral = save_child(session, None, _child(), today=TODAY, laptop_id="7f3a")
    with pytest.raises(ValidationError, match=message) as exc:
        save_needs(session, referral, _needs(**change), today=TODAY)
    assert exc.value.field == field


def test_wizard_step_is_remembered_and_checked(session: Session) -> None:
    referral = _draft(session)
    set_wizard_step(session, referral, 5)
    assert referral.wizard_step == 5
    with pytest.raises(ValidationError):
        set_wizard_step(session, referral, 7)


def test_choosing_recipients_keeps_scores_and_refuses_excluded(session: Session) -> None:
    referral = _draft(session)
    good = make_provider(session, "Oak House")
    bad = make_provider(session, "Elm House", ofsted_judgement=OfstedJudgement.INADEQUATE)
    chosen = choose_recipients(session, referral, [good.id], today=TODAY)
    assert chosen[0].match_score is not None and chosen[0].match_reasons[0].startswith("Type:")
    with pytest.raises(ValidationError, match="Elm House cannot be sent this referral: Ofsted judgement is Inadequate"):
        choose_recipients(session, referral, [good.id, bad.id], today=TODAY)


def test_send_stores_a_pack_per_provider_and_moves_to_sent(session: Session) -> None:
    referral = _draft(session)
    a, b = make_provider(session, "Oak House"), make_provider(session, "Ash Lodge")
    documents = send_referral(session, referral, [a.id, b.id], today=TODAY, officer=OFFICER)
    assert referral.status is ReferralStatus.SENT
    assert len(documents) == 2 and {d.kind for d in documents} == {"referral_pack"}
    assert all(r.sent_on == TODAY for r in referral.recipients)
    for recipient in referral.recipients:
        document = pack_for(session, recipient)
        assert document is not None and hashlib.sha256(document.content).hexdigest() == recipient.pack_sha256
        assert referral.child.case_reference not in document.filename
    # Planned referrals get a week to respond when no date was set.
    assert referral.response_by == TODAY + dt.timedelta(days=7)
    assert session.scalar(select(func.count()).select_from(StoredDocument)) == 2


def test_send_refuses_an_incomplete_draft(session: Session) -> None:
    referral = save_child(session, None, _child(), today=TODAY, laptop_id="7f3a")
    provider = make_provider(session)
    with pytest.raises(WorkflowError, match="placement type sought"):
        send_referral(session, referral, [provider.id], today=TODAY, officer=OFFICER)


def test_more_providers_can_be_sent_to_later(session: Session) -> None:
    referral = _draft(session)
    a, b = make_provider(session, "Oak House"), make_provider(session, "Ash Lodge")
    send_referral(session, referral, [a.id], today=TODAY, officer=OFFICER)
    send_referral(session, referral, [b.id], today=TODAY + dt.timedelta(days=1), officer=OFFICER)
    assert sorted(r.sent_on for r in referral.recipients) == [TODAY, TODAY + dt.timedelta(days=1)]


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pack_is_minimised(session: Session) -> None:
    referral = _draft(session)
    referral.urgency = Urgency.EMERGENCY
    # Every way the officer's notes here name the child, whatever the case: each must be gone from the pack.
    referral.health_summary = "Asthma, inhaler. WIŚNIEWSKI, KAZ: clinic letters 2012-05-17 and 17/5/2012, scc-778812."
    provider = make_provider(session, "Oak House")
    text = _pdf_text(make_referral_pack(session, referral, provider, today=TODAY, officer=OFFICER))
    flat = " ".join(text.split())
    for secret in ("Kacper", "Wiśniewski", "WIŚNIEWSKI", "Kaz", "KAZ", "SCC-778812", "scc-778812", "17/05/2012",
                   "2012-05-17", "17/5/2012", "S10 2TN", "2TN"):
        assert secret not in flat, secret
    assert "KW, KW: clinic letters [date removed] and [date removed], [case ref removed]." in flat
    for shown in ("KW", "13 years", "Male", "White Other", "Roman Catholic", "Polish", "Emotional and behavioural",
                  "Education (EHCP)", "Going missing", "Asthma", "within 40 km", "Sheffield, S10", "S11",
                  "16/03/2026", "Emergency", referral.ref, "Oak House", "Sheffield City Council"):
        assert shown in flat, shown
    assert "KW needs consistent adults; KW responds to routine." in flat


def test_preview_pack_shows_the_response_by_date_the_sent_pack_will_carry(session: Session) -> None:
    referral = _draft(session)
    provider = make_provider(session, "Oak House")
    assert referral.response_by is None
    preview = " ".join(_pdf_text(make_referral_pack(session, referral, provider, today=TODAY,
                                                    officer=OFFICER)).split())
    (document,) = send_referral(session, referral, [provider.id], today=TODAY, officer=OFFICER)
    due = (TODAY + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    assert due in preview and due in " ".join(_pdf_text(document.content).split())


def test_the_pack_the_officer_checked_is_the_pack_stored(session: Session) -> None:
    referral = _draft(session)
    a, b = make_provider(session, "Oak House"), make_provider(session, "Ash Lodge")
    choose_recipients(session, referral, [a.id, b.id], today=TODAY)
    made = make_referral_packs(session, referral, today=TODAY, officer=OFFICER)
    assert set(made) == {a.id, b.id}
    send_referral(session, referral, [a.id, b.id], today=TODAY, officer=OFFICER, made=made)
    for recipient in referral.recipients:
        assert recipient.pack_sha256 == hashlib.sha256(made[recipient.provider_id].pdf).hexdigest()


def test_a_pack_made_before_the_referral_changed_is_made_again(session: Session) -> None:
    referral = _draft(session)
    provider = make_provider(session, "Oak House")
    choose_recipients(session, referral, [provider.id], today=TODAY)
    made = make_referral_packs(session, referral, today=TODAY, officer=OFFICER)
    referral.health_summary = "Hay fever in summer."
    later = TODAY + dt.timedelta(days=2)
    (document,) = send_referral(session, referral, [provider.id], today=later, officer=OFFICER, made=made)
    assert document.sha256 != hashlib.sha256(made[provider.id].pdf).hexdigest()
    text = " ".join(_pdf_text(document.content).split())
    assert "Hay fever in summer." in text and later.strftime("%d/%m/%Y") in text


def test_choosing_again_drops_unsent_providers_but_keeps_sent_ones(session: Session) -> None:
    referral = _draft(session)
    a, b, c = make_provider(session, "Oak House"), make_provider(session, "Ash Lodge"), make_provider(session, "Yew")
    send_referral(session, referral, [a.id], today=TODAY, officer=OFFICER)
    choose_recipients(session, referral, [b.id], today=TODAY)
    choose_recipients(session, referral, [c.id], today=TODAY)
    assert sorted(r.provider.name for r in referral.recipients) == ["Oak House", "Yew"]


def test_a_provider_suspended_since_the_shortlist_is_not_sent_a_pack(session: Session) -> None:
    referral = _draft(session)
    provider = make_provider(session, "Oak House", suspended=True, suspension_reason="Safeguarding review")
    with pytest.raises(ValidationError, match="Oak House cannot be sent this referral: Suspended"):
        send_referral(session, referral, [provider.id], today=TODAY, officer=OFFICER)


def test_choosing_from_a_shortlist_just_made_keeps_scores_drops_unsent_and_refuses_closed(session: Session) -> None:
    import datetime as dt

    from placedesk.errors import ValidationError
    from placedesk.models import ReferralRecipient
    from placedesk.models.enums import OfstedJudgement
    from placedesk.services.referrals.matching import match_referral
    from placedesk.services.referrals.intake import choose_recipients
    from tests.services.referrals.helpers import TODAY, make_provider, make_referral

    oak, elm = make_provider(session, "Oak House"), make_provider(session, "Elm House")
    poor = make_provider(session, "Poor House", ofsted_judgement=OfstedJudgement.INADEQUATE)
    referral = make_referral(session)
    referral.recipients.append(ReferralRecipient(provider=elm))
    session.flush()
    shortlist = match_referral(session, referral, today=TODAY)
    with pytest.raises(ValidationError, match="Poor House cannot be sent this referral: Ofsted judgement is Inadequate"):
        choose_recipients(session, referral, [poor.id], today=TODAY, shortlist=shortlist)
    with pytest.raises(ValidationError, match="at least one provider"):
        choose_recipients(session, referral, [], today=TODAY, shortlist=shortlist)
    (chosen,) = choose_recipients(session, referral, [oak.id], today=TODAY, shortlist=shortlist)
    assert [r.provider.name for r in referral.recipients] == ["Oak House"]  # unsent Elm dropped
    assert chosen.match_score == shortlist.row_for(oak.id).score
    assert chosen.match_reasons == shortlist.row_for(oak.id).reasons
    assert referral.wizard_step == 3
    # A provider suspended after the shortlist was made is refused all the same.
    elm.suspended, elm.suspension_reason, elm.suspended_from = True, "Safeguarding review", TODAY - dt.timedelta(days=1)
    session.flush()
    with pytest.raises(ValidationError, match="Elm House cannot be sent"):
        choose_recipients(session, referral, [elm.id], today=TODAY, shortlist=shortlist)


def test_a_preferred_distance_beyond_the_maximum_is_refused(session: Session) -> None:
    referral = save_child(session, None, _child(), today=TODAY, laptop_id="7f3a")
    needs = _needs(max_distance_km=30.0, preferred_distance_km=40.0)
    with pytest.raises(ValidationError, match="preferred distance .40 km. is beyond the maximum .30 km.") as err:
        save_needs(session, referral, needs, today=TODAY)
    assert err.value.field == "preferred_distance_km"
    save_needs(session, referral, _needs(max_distance_km=30.0, preferred_distance_km=30.0), today=TODAY)
    assert (referral.max_distance_km, referral.preferred_distance_km) == (30.0, 30.0)
