"""On the team server, a colleague's save can land between an officer's read and write: still never overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from placedesk.db import Database
from placedesk.errors import EditConflict
from placedesk.models import Child

# SQLite cannot interleave like this: a write action holds the file's write lock from its start.
pytestmark = pytest.mark.parametrize("engine_name", ["postgresql"])


def test_a_save_between_my_read_and_my_write_refuses_mine_with_their_name(db: Database, colleague: Database) -> None:
    with db.session_scope() as s:
        s.add(Child(case_reference="C1", first_name="Amy", last_name="Stone", date_of_birth=dt.date(2012, 5, 1)))
    with pytest.raises(EditConflict) as caught, db.session_scope() as s:
        mine = s.scalars(select(Child)).one()
        # A. Khan saves after my action read the row and before it writes (READ COMMITTED lets her).
        with colleague.session_scope() as theirs:
            theirs.scalars(select(Child)).one().first_name = "Amelia"
        mine.first_name = "Aimee"
    assert caught.value.changed_by == "A. Khan"
    assert [(c.field, c.yours, c.theirs) for c in caught.value.clashes] == [("first_name", "Aimee", "Amelia")]
    with db.session() as s:
        assert s.scalars(select(Child.first_name)).one() == "Amelia"


def test_two_officers_issuing_the_same_agreement_at_once_the_second_is_told_not_crashed(
        db: Database, colleague: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from placedesk.errors import PlaceDeskError
    from placedesk.models import Agreement, Placement
    from placedesk.services.agreements import ipa
    from tests.services.agreements.helpers import make_placement, officer

    with db.session_scope() as s:
        placement_id = make_placement(s).id
    real_versions = ipa.versions

    def colleague_issues_after_my_check(session: object, pid: object) -> object:
        mine = real_versions(session, pid)  # type: ignore[arg-type]
        monkeypatch.setattr(ipa, "versions", real_versions)
        # A. Khan issues it too, after my step found none and before mine commits.
        with colleague.session_scope() as theirs:
            ipa.issue_agreement(theirs, theirs.get(Placement, placement_id), officer=officer(),
                                today=dt.date(2026, 3, 2))
        return mine

    monkeypatch.setattr(ipa, "versions", colleague_issues_after_my_check)
    with pytest.raises(PlaceDeskError) as caught, db.session_scope() as s:
        ipa.issue_agreement(s, s.get(Placement, placement_id), officer=officer(), today=dt.date(2026, 3, 2),
                            payment_terms="Monthly in arrears")
    assert str(caught.value).startswith("A colleague saved the same record at the same moment")
    with db.session() as s:
        (agreement,) = s.scalars(select(Agreement)).all()
        assert agreement.payment_terms == ""
