"""What a pack's free text loses to redaction, and the officer's edits to it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.config import OfficerSettings
from placedesk.errors import ProfileIncomplete, ValidationError, WorkflowError
from placedesk.models.enums import ReferralStatus
from placedesk.services.referrals.intake import send_referral
from placedesk.services.referrals.pack_texts import edit_pack_texts, pack_texts
from tests.services.referrals.helpers import TODAY, make_child, make_provider, make_referral


def test_each_field_lists_what_was_removed_and_edits_replace_the_field(session: Session) -> None:
    child = make_child(session, first_name="Noah", last_name="Mensah", social_worker_name="Priya Shah",
                       date_of_birth=dt.date(2013, 4, 9))
    referral = make_referral(session, child=child, needs_summary="Noah's sister visits; SW Priya Shah.",
                             health_summary="Born 9/4/13, asthma.", risks_summary="")
    texts = {t.field: t for t in pack_texts(session, referral)}
    assert set(texts) == {"needs_summary", "health_summary"}
    assert [r.original for r in texts["needs_summary"].redacted.removals] == ["Noah's", "Priya Shah"]
    assert texts["health_summary"].redacted.text == "Born [date of birth removed], asthma."
    assert edit_pack_texts(session, referral, {"needs_summary": " Sister visits weekly. ",
                                               "health_summary": texts["health_summary"].redacted.text}) == [
        "needs_summary", "health_summary"]
    assert referral.needs_summary == "Sister visits weekly."
    with pytest.raises(ValidationError, match="not a free-text field"):
        edit_pack_texts(session, referral, {"first_name": "x"})
    referral.status = ReferralStatus.AWARDED
    with pytest.raises(WorkflowError, match="no longer"):
        edit_pack_texts(session, referral, {"needs_summary": "x"})


def test_sending_names_every_missing_profile_field(session: Session) -> None:
    referral = make_referral(session)
    provider = make_provider(session)
    with pytest.raises(ProfileIncomplete) as err:
        send_referral(session, referral, [provider.id], today=TODAY, officer=OfficerSettings(name="Sam"))
    assert err.value.missing == ("council name", "contact email or phone")
    assert "File › Officer profile and settings" in str(err.value)
    officer = OfficerSettings(name="Sam", local_authority="Northshire", phone="01632 960 000")
    assert len(send_referral(session, referral, [provider.id], today=TODAY, officer=officer)) == 1
