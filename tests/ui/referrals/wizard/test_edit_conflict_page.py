"""Two officers on one referral's Child page: the second Next shows the first's change and saves only on request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.errors import EditConflict
from placedesk.models import Child, Referral
from placedesk.models.enums import ReferralStatus
from placedesk.ui.edit_conflict import APPLY_MINE, KEEP_THEIRS
from placedesk.ui.referrals.wizard.referral_wizard import CHILD, NEEDS, ReferralWizard
from tests.conftest import DialogRecorder
from tests.services.referrals.helpers import referral_at
from tests.ui.referrals.wizard.conftest import press_next, type_into

WizardFactory = Callable[..., ReferralWizard]
# The same on a file shared with a command and on the team server.
pytestmark = pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])



def _draft(db: Database) -> object:
    with db.session_scope() as s:
        referral = referral_at(s, ReferralStatus.DRAFT)
        referral.wizard_step = 0
        referral.child.legal_status = "C2"
        return referral.id


def _colleague_renames(colleague: Database, referral_id: object) -> None:
    with colleague.session_scope() as s:
        s.get(Referral, referral_id).child.first_name = "Amelia"


def _child(db: Database, referral_id: object) -> Child:
    with db.session() as s:
        child = s.get(Referral, referral_id).child
        s.expunge(child)
        return child


def test_keep_theirs_reloads_the_page_with_their_change_and_nothing_of_mine_is_saved(
        qtbot: QtBot, db: Database, colleague: Database, open_wizard: WizardFactory,
        dialogs: DialogRecorder) -> None:
    referral_id = _draft(db)
    wizard = open_wizard(db, referral_id)
    page = wizard.pages[CHILD]
    assert wizard.currentId() == CHILD
    type_into(qtbot, page.first_name, "Aimee")
    type_into(qtbot, page.known_as, "Aims")
    _colleague_renames(colleague, referral_id)
    seen: list[EditConflict] = []

    def keep_theirs(parent: object, conflict: EditConflict) -> str:
        seen.append(conflict)
        return KEEP_THEIRS

    dialogs.answer("resolve_edit_conflict", keep_theirs)
    press_next(qtbot, wizard)
    assert wizard.currentId() == CHILD
    conflict, = seen
    assert conflict.changed_by == "A. Khan" and conflict.entity == "child"
    first = next(c for c in conflict.clashes if c.field == "first_name")
    assert (first.yours, first.theirs) == ("Aimee", "Amelia")
    # The page shows their version now, and the data is theirs.
    assert page.first_name.text() == "Amelia" and page.known_as.text() == ""
    child = _child(db, referral_id)
    assert (child.first_name, child.known_as) == ("Amelia", "")
    # Next from the reloaded page saves as usual.
    press_next(qtbot, wizard)
    assert wizard.currentId() == NEEDS


def test_apply_mine_saves_the_page_over_theirs(qtbot: QtBot, db: Database, colleague: Database,
                                               open_wizard: WizardFactory, dialogs: DialogRecorder) -> None:
    referral_id = _draft(db)
    wizard = open_wizard(db, referral_id)
    page = wizard.pages[CHILD]
    type_into(qtbot, page.first_name, "Aimee")
    _colleague_renames(colleague, referral_id)
    dialogs.answer("resolve_edit_conflict", APPLY_MINE)
    press_next(qtbot, wizard)
    assert wizard.currentId() == NEEDS
    assert dialogs.texts("resolve_edit_conflict")
    assert _child(db, referral_id).first_name == "Aimee"
