"""The team benchmark's lost-update check (bench/officers.py) finds what it is there to find.

Saves are made here one after another through the same service functions the
simulated officers use, so each case is exact: a change saved over a
colleague's unseen change is a lost update, one saved over what the officer
loaded is not, and a save an officer saw succeed that is not in the data is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench.officers import OfficerLog, prepare, verify
from placedesk.db import Database
from placedesk.models import CapAction

TODAY = dt.date(2026, 3, 2)


def _change(db: Database, officer: str, action_id: Any, text: str) -> None:
    from placedesk.services.monitoring.caps import change_action

    db.officer = officer
    with db.session_scope() as session:
        action = session.get(CapAction, action_id)
        change_action(session, action, description=text, owner="Registered manager", due_date=action.due_date)


def _loaded(db: Database, action_id: Any) -> str:
    with db.session() as session:
        return session.get(CapAction, action_id).description


def test_a_change_saved_over_a_colleagues_unseen_change_is_a_lost_update(demo_db: Database) -> None:
    setup = prepare(demo_db.path, 2, TODAY)
    action = setup.shared_action_ids[0]
    seen_by_a = _loaded(demo_db, action)
    seen_by_b = _loaded(demo_db, action)
    _change(demo_db, "Officer 01", action, "Changed by O01-00001")
    _change(demo_db, "Officer 00", action, "Changed by O00-00001")  # A never saw B's change
    logs = [OfficerLog("Officer 00", changes=[(str(action), seen_by_a, "Changed by O00-00001")]),
            OfficerLog("Officer 01", changes=[(str(action), seen_by_b, "Changed by O01-00001")])]

    verdict = verify(str(demo_db.path), setup, logs)

    assert verdict.lost_updates == 1
    assert "Officer 00 saved 'Changed by O00-00001' over 'Changed by O01-00001'" in verdict.details[0]


def test_changes_each_made_over_what_was_loaded_lose_nothing(demo_db: Database) -> None:
    setup = prepare(demo_db.path, 2, TODAY)
    action = setup.shared_action_ids[0]
    seen_by_b = _loaded(demo_db, action)
    _change(demo_db, "Officer 01", action, "Changed by O01-00001")
    seen_by_a = _loaded(demo_db, action)  # A reloads and sees B's change before changing it again
    _change(demo_db, "Officer 00", action, "Changed by O00-00001")
    logs = [OfficerLog("Officer 00", changes=[(str(action), seen_by_a, "Changed by O00-00001")]),
            OfficerLog("Officer 01", changes=[(str(action), seen_by_b, "Changed by O01-00001")])]

    assert verify(str(demo_db.path), setup, logs).lost_updates == 0


def test_saves_an_officer_saw_succeed_must_be_in_the_data(demo_db: Database) -> None:
    setup = prepare(demo_db.path, 1, TODAY)
    # The officer was told these saved, but nothing of them reached the database.
    logs = [OfficerLog("Officer 00", needs_markers=["O00-00001"], child_markers=["O00-00002"],
                       added_actions=["Added by O00-00003"],
                       changes=[(str(setup.shared_action_ids[1]), "Shared action 1", "Changed by O00-00004")])]

    verdict = verify(str(demo_db.path), setup, logs)

    # Each missing save, and each draft not ending with the officer's last save.
    assert verdict.lost_updates == 6


def test_a_save_reported_as_failed_must_not_be_in_the_data(demo_db: Database) -> None:
    setup = prepare(demo_db.path, 1, TODAY)
    action = setup.shared_action_ids[2]
    _change(demo_db, "Officer 00", action, "Changed by O00-00001")
    # The officer was told this save failed, but it was written.
    logs = [OfficerLog("Officer 00", unsaved=["Changed by O00-00001"])]

    verdict = verify(str(demo_db.path), setup, logs)

    assert verdict.half_written == 1
    assert verdict.lost_updates == 0
