"""CAP forms on their own: fine amounts, action status rules and lifting a restriction."""

from __future__ import annotations

import datetime as dt

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
