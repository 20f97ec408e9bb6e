"""CAP forms on their own: fine amounts, action status rules and lifting a restriction."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from placedesk.db import Database
from placedesk.models import CapAction, CapSanction
from placedesk.models.enums import CapActionStatus, CapSeverity, SanctionKind
from placedesk.services.monitoring.caps import add_action, open_cap
from placedesk.services.monitoring.restrictions import active_restrictions
from placedesk.ui.monitoring.dialogs.cap_dialogs import ActionStatusDialog, EscalateDialog, LiftSanctionDialog
from tests.conftest import DialogRecorder
from tests.services.monitoring.helpers import make_provider
from tests.ui.monitoring.ui_helpers import TODAY, make_ctx, pick


def _cap(db: Database) -> tuple[object, object]:
    with db.session_scope() as session:
        cap = open_cap(session, make_provider(session, "P1"), issue="Late reports", severity=CapSeverity.LOW,
                       opened_on=dt.date(2026, 6, 1), laptop_id="T1")
        action = add_action(session, cap, description="Send reports", owner="RM", due_date=dt.date(2026, 6, 30))
        return cap.id, action.id


def test_fine_needs_an_amount_in_pounds(qtbot: QtBot, db: Database, dialogs: DialogRecorder) -> None:
    dialogs.always("confirm", True)
    cap_id, _ = _cap(db)
    dialog = EscalateDialog(make_ctx(db), cap_id, "CAP-T1-0001", TODAY)
    qtbot.addWidget(dialog)
    pick(dialog.sanction, SanctionKind.FINE)
    assert dialog.amount.isEnabled()
    dialog.notes.setPlainText("Reports still late")
    dialog.amount.setText("lots")
    dialog.accept()
    assert "not an amount of money" in dialog.error_text("amount")
    dialog.amount.setText("1,500.00")
    dialog.accept()
    assert dialog.result()
    with db.session() as session:
        assert session.scalar(select(CapSanction.amount_pence)) == 150000


def test_completing_an_action_needs_evidence(qtbot: QtBot, db: Database) -> None:
    _, action_id = _cap(db)
    dialog = ActionStatusDialog(make_ctx(db), action_id, "Send reports", TODAY)
    qtbot.addWidget(dialog)
    pick(dialog.status, CapActionStatus.COMPLETE)
    dialog.accept()
    assert "evidence" in dialog.error_text("evidence")
    dialog.evidence.setPlainText("May and June reports received")
    dialog.accept()
    assert dialog.result()
    with db.session() as session:
        action = session.get(CapAction, action_id)
        assert action.status is CapActionStatus.COMPLETE and action.completed_on == TODAY


def test_lifting_reopens_the_provider_to_referrals(qtbot: QtBot, db: Database, dialogs: DialogRecorder) -> None:
    cap_id, _ = _cap(db)
    ctx = make_ctx(db)
    escalate = EscalateDialog(ctx, cap_id, "CAP-T1-0001", TODAY)
    qtbot.addWidget(escalate)
    pick(escalate.sanction, SanctionKind.RESTRICT_REFERRALS)
    assert not escalate.amount.isEnabled()
    escalate.notes.setPlainText("No improvement")
    # The question names the consequence; Cancel (the default) records nothing.
    escalate.accept()
    question = dialogs.texts("confirm")[0]
    assert "Restriction of new referrals" in question and "taken off every shortlist" in question
    assert "Escalate" in question
    with db.session() as session:
        assert not active_restrictions(session, TODAY)
    assert not escalate.result()
    dialogs.always("confirm", True)
    escalate.accept()
    with db.session() as session:
        assert active_restrictions(session, TODAY)
    lift = LiftSanctionDialog(ctx, escalate.result_value.id, "Restriction of new referrals", TODAY)
    qtbot.addWidget(lift)
    lift.notes.setPlainText("Reports now on time")
    lift.accept()
    assert "comes back into matching" in dialogs.texts("confirm")[-1]
    assert lift.result()
    with db.session() as session:
        assert active_restrictions(session, TODAY) == {}


def test_an_action_due_date_typed_is_kept_and_a_past_one_is_asked_about(qtbot: QtBot, db: Database,
                                                                        dialogs: DialogRecorder) -> None:
    from placedesk.ui.monitoring.dialogs.cap_dialogs import AddActionDialog, ChangeActionDialog

    cap_id, action_id = _cap(db)
    ctx = make_ctx(db)
    add = AddActionDialog(ctx, cap_id, "CAP-T1-0001", TODAY)
    qtbot.addWidget(add)
    add.show()
    add.description.setPlainText("Train night staff")
    add.owner.setText("Registered manager")
    # Typed as officers type it: select the date and type over it, key by key.
    add.due_date.line.setFocus()
    add.due_date.line.selectAll()
    qtbot.keyClicks(add.due_date.line, "19/12/2026")
    add.accept()
    assert add.result()
    with db.session() as session:
        assert session.scalar(select(CapAction.due_date).where(CapAction.description == "Train night staff")) \
            == dt.date(2026, 12, 19)

    change = ChangeActionDialog(ctx, action_id, TODAY)
    qtbot.addWidget(change)
    change.due_date.setText("10/06/2026")
    change.owner.setText("Deputy manager")
    dialogs.answer("choose", "change")
    change.accept()
    assert "already overdue: keep it?" in dialogs.texts("choose")[0] and not change.result()
    dialogs.answer("choose", "keep")
    change.accept()
    assert change.result()
    with db.session() as session:
        action = session.get(CapAction, action_id)
        assert (action.owner, action.due_date) == ("Deputy manager", dt.date(2026, 6, 10))
    again = ChangeActionDialog(ctx, action_id, TODAY)
    qtbot.addWidget(again)
    assert "30/06/2026 → 10/06/2026" in again.form.fields["due_date"][0].parent().findChildren(QLabel)[0].text()


def test_a_date_that_is_not_a_date_is_refused_beside_its_field(qtbot: QtBot, db: Database) -> None:
    from placedesk.ui.monitoring.dialogs.cap_dialogs import AddActionDialog

    cap_id, _ = _cap(db)
    add = AddActionDialog(make_ctx(db), cap_id, "CAP-T1-0001", TODAY)
    qtbot.addWidget(add)
    add.due_date.setText("31/02/2026")
    add.accept()
    assert "not a real date" in add.error_text("due_date")
    # Every problem at once: the empty action and owner are reported beside their fields too.
    assert add.error_text("description") and add.error_text("owner")
    add.due_date.line.setText("28/02/2027")
    add.due_date.edited.emit()
    assert add.error_text("due_date") == ""


def test_error_messages_take_spare_room_and_save_stays_under_the_pointer(qtbot: QtBot, db: Database,
                                                                       dialogs: DialogRecorder) -> None:
    from PySide6.QtWidgets import QDialogButtonBox

    cap_id, _ = _cap(db)
    dialog = EscalateDialog(make_ctx(db), cap_id, "CAP-T1-0001", TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    save = dialog.buttons.button(QDialogButtonBox.Save)
    before = save.mapTo(dialog, save.rect().topLeft())
    notes_bottom = dialog.notes.mapTo(dialog, dialog.notes.rect().bottomLeft()).y()
    pick(dialog.sanction, SanctionKind.FINE)
    dialog.amount.setText("lots")
    dialog.accept()
    qtbot.wait(10)
    assert "not an amount of money" in dialog.error_text("amount")
    # A form that will be refused is not put to the officer for confirmation first.
    assert dialogs.texts("confirm") == []
    assert save.mapTo(dialog, save.rect().topLeft()) == before
    # The Reason box moved down to make room, and nothing is drawn over it.
    error = dialog.form.fields["amount"][1]
    assert error.mapTo(dialog, error.rect().bottomLeft()).y() < dialog.notes.mapTo(dialog, dialog.notes.rect().topLeft()).y()
    assert dialog.notes.mapTo(dialog, dialog.notes.rect().bottomLeft()).y() >= notes_bottom
