"""What the provider's pack keeps of the officer's notes: the child's names, case reference and date of
birth give way to initials and placeholders, and nothing else in the notes is changed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from placedesk.config import OfficerSettings
from placedesk.services.referrals.intake import referral_pack_data
from tests.services.referrals.helpers import TODAY, make_child, make_provider, make_referral

OFFICER = OfficerSettings(name="Sam Patel", local_authority="Sheffield City Council", email="sam.patel@example.gov.uk")


def _scrubbed(session: Session, note: str, **child: object) -> str:
    values: dict[str, object] = dict(first_name="Kacper", last_name="Nowak", known_as="Kaz",
                                     case_reference="SCC-778812", date_of_birth=dt.date(2012, 5, 7))
    values.update(child)
    referral = make_referral(session, child=make_child(session, **values), needs_summary=note)
    pack = referral_pack_data(session, referral, make_provider(session), today=TODAY, officer=OFFICER)
    return pack.needs_summary


@pytest.mark.parametrize(("note", "sent"), [
    ("Kacper likes football; kacper and KAZ share a room.", "KN likes football; KN and KN share a room."),
    ("Nowak family contact on Sundays.", "KN family contact on Sundays."),
    ("Case scc-778812 and SCC-778812.", "Case [case ref removed] and [case ref removed]."),
    ("Born 07/05/2012 (7/5/2012, 2012-05-07).", "Born [date removed] ([date removed], [date removed])."),
    # Whole words only: other words containing a name are left alone.
    ("Kazakhstan trip; Kacperski is a friend.", "Kazakhstan trip; Kacperski is a friend."),
    ("", ""),
])
def test_the_childs_identifiers_are_replaced_and_nothing_else(session: Session, note: str, sent: str) -> None:
    assert _scrubbed(session, note) == sent


def test_a_one_letter_known_as_is_not_treated_as_a_name(session: Session) -> None:
    # "J" would otherwise wipe out every word "j" and stray letters in the notes.
    assert _scrubbed(session, "J. visits; Kaz A. Nowak", known_as="J") == "J. visits; Kaz A. KN"


def test_a_known_as_name_with_spaces_around_it_is_still_found(session: Session) -> None:
    assert _scrubbed(session, "Kacper and Kaz", known_as=" Kaz ") == "KN and KN"


def test_a_two_letter_name_is_replaced(session: Session) -> None:
    assert _scrubbed(session, "Jo is settled; jo likes art.", known_as="Jo") == "KN is settled; KN likes art."
