"""Two officers editing one record in their windows: the second save shows the first's change side by side."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from placedesk.db import Database
from placedesk.errors import EditConflict, FieldClash
from placedesk.models import CapAction
from placedesk.models.enums import CapSeverity
from placedesk.services.monitoring.caps import add_action, open_cap
from placedesk.ui.edit_conflict import APPLY_MINE, KEEP_THEIRS, EditConflictDialog
from placedesk.ui.monitoring.dialogs.cap_dialogs import ChangeActionDialog
from tests.conftest import DialogRecorder
from tests.services.monitoring.helpers import make_provider
from tests.ui.monitoring.ui_helpers import TODAY, make_ctx



def _action(db: Database) -> uuid.UUID:
    with db.session_scope() as session:
        cap = open_cap(session, make_provider(session, "P1"), issue="Late reports", severity=CapSeverity.LOW,
                       opened_on=dt.date(2026, 6, 1), laptop_id="T1")
        return add_action(session, cap, description="Send reports", owner="RM", due_date=dt.date(2026, 6, 30)).id


def _colleague_changes_owner(colleague: Database, action_id: uuid.UUID) -> None:
    with colleague.session_scope() as session:
        session.get(CapAction, action_id).owner = "Deputy manager"


def _stored_owner(db: Database, action_id: uuid.UUID) -> str:
    with db.session() as session:
        return session.get(CapAction, action_id).owner


def _open_and_type(qtbot: QtBot, db: Database, action_id: uuid.UUID) -> ChangeActionDialog:
    form = ChangeActionDialog(make_ctx(db), action_id, TODAY)
    qtbot.addWidget(form)
    form.owner.setText("Registered manager")
    return form


BOTH_ENGINES = pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])


@BOTH_ENGINES
def test_second_save_is_refused_and_shown_with_the_colleagues_name_and_both_versions(
        qtbot: QtBot, db: Database, colleague: Database, dialogs: DialogRecorder) -> None:
    action_id = _action(db)
    form = _open_and_type(qtbot, db, action_id)
    _colleague_changes_owner(colleague, action_id)
    seen: list[EditConflict] = []
    dialogs.answer("resolve_edit_conflict", lambda parent, conflict: seen.append(conflict))
    form.accept()
    assert not form.result()
    conflict, = seen
    assert conflict.changed_by == "A. Khan"
    owner = next(c for c in conflict.clashes if c.field == "owner")
    assert (owner.yours, owner.theirs, owner.theirs_changed) == ("Registered manager", "Deputy manager", True)
    # Nothing was overwritten; the form stays open with what was typed and says why.
    assert _stored_owner(db, action_id) == "Deputy manager"
    assert form.owner.text() == "Registered manager"
    assert "A. Khan changed this cap action" in form.error_text()


@BOTH_ENGINES
def test_apply_mine_saves_over_theirs_deliberately(qtbot: QtBot, db: Database, colleague: Database,
                                                   dialogs: DialogRecorder) -> None:
    action_id = _action(db)
    form = _open_and_type(qtbot, db, action_id)
    _colleague_changes_owner(colleague, action_id)
    dialogs.answer("resolve_edit_conflict", APPLY_MINE)
    form.accept()
    assert form.result() == QDialog.Accepted
    assert _stored_owner(db, action_id) == "Registered manager"


@BOTH_ENGINES
def test_keep_theirs_closes_the_form_and_keeps_their_change(qtbot: QtBot, db: Database, colleague: Database,
                                                            dialogs: DialogRecorder) -> None:
    action_id = _action(db)
    form = _open_and_type(qtbot, db, action_id)
    _colleague_changes_owner(colleague, action_id)
    dialogs.answer("resolve_edit_conflict", KEEP_THEIRS)
    with qtbot.waitSignal(form.ctx.changed) as changed:
        form.accept()
    assert form.result() == QDialog.Rejected
    assert "cap_action" in changed.args[0]
    assert _stored_owner(db, action_id) == "Deputy manager"


def _conflict() -> EditConflict:
    return EditConflict(
        entity="child", entity_id=uuid.uuid4(), record_label="child", changed_by="A. Khan",
        changed_at=dt.datetime(2026, 3, 2, 10, 42, tzinfo=dt.timezone.utc), your_version=2, their_version=3,
        clashes=(FieldClash("first_name", "First name", "Aimee", "Amelia", True),
                 FieldClash("home_postcode", "Home postcode", "LS1 4AP", "LS6 2QT", True),
                 FieldClash("known_as", "Known as", "Aims", "(empty)", False)))


def test_the_side_by_side_view_names_the_colleague_and_keeps_theirs_on_enter(qtbot: QtBot) -> None:
    dialog = EditConflictDialog(_conflict())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    header = [dialog.table.horizontalHeaderItem(i).text() for i in range(3)]
    assert header[:2] == ["Field", "Yours"] and header[2].startswith("Theirs (changed by A. Khan at ")
    assert [dialog.table.item(0, c).text() for c in range(3)] == ["First name", "Aimee", "Amelia"]
    assert dialog.table.item(0, 2).font().bold() and not dialog.table.item(2, 2).font().bold()
    assert "A. Khan changed this child" in dialog.heading.text()
    for widget in (dialog.table, dialog.keep_button, dialog.apply_button, dialog.back_button):
        assert widget.accessibleName()
    assert dialog.width() <= 1280 and dialog.height() <= 680
    dialog.grab().save("/tmp/17c-edit-conflict.png")
    # Enter keeps theirs: overwriting a colleague is never the accident of a stray key.
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.table.hasFocus())
    qtbot.keyClick(dialog.table, Qt.Key_Return)
    assert dialog.choice == KEEP_THEIRS and dialog.result() == QDialog.Accepted


def test_apply_mine_is_reached_by_keyboard_and_escape_goes_back_to_the_form(qtbot: QtBot) -> None:
    dialog = EditConflictDialog(_conflict())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: dialog.table.hasFocus())
    # Tab from the comparison reaches "Keep theirs", then "Apply mine over theirs"; Space presses it.
    qtbot.keyClick(dialog.table, Qt.Key_Tab)
    assert dialog.keep_button.hasFocus()
    qtbot.keyClick(dialog.keep_button, Qt.Key_Tab)
    assert dialog.apply_button.hasFocus()
    qtbot.keyClick(dialog.apply_button, Qt.Key_Space)
    assert dialog.choice == APPLY_MINE
    again = EditConflictDialog(_conflict())
    qtbot.addWidget(again)
    again.show()
    qtbot.keyClick(again, Qt.Key_Escape)
    assert again.choice is None and again.result() == QDialog.Rejected


@BOTH_ENGINES
def test_a_kpi_value_changed_by_a_colleague_while_the_month_grid_is_open_is_not_overwritten(
        qtbot: QtBot, db: Database, colleague: Database, dialogs: DialogRecorder) -> None:
    from placedesk.models import KpiValue, Provider
    from placedesk.services.monitoring.kpi_defaults import ensure_default_kpis
    from placedesk.models.enums import KpiScope
    from placedesk.services.monitoring.kpis import active_definitions, save_month_grid
    from placedesk.ui.monitoring.dialogs.kpi_dialogs import MonthGridDialog

    with db.session_scope() as session:
        ensure_default_kpis(session)
        provider_id = make_provider(session, "P1").id
        code = active_definitions(session, KpiScope.PROVIDER)[0].code
    month = dt.date(2026, 5, 1)
    with db.session_scope() as session:
        provider = session.get(Provider, provider_id)
        save_month_grid(session, provider, month, {code: "80"}, today=TODAY)
    grid = MonthGridDialog(make_ctx(db), provider_id, "P1", month, TODAY)
    qtbot.addWidget(grid)
    assert grid.inputs[code].text() == "80"
    grid.inputs[code].setText("85")
    with colleague.session_scope() as session:
        save_month_grid(session, session.get(Provider, provider_id), month, {code: "90"}, today=TODAY)
    dialogs.answer("resolve_edit_conflict", None)
    grid.accept()
    assert not grid.result()
    asked = dialogs.texts("resolve_edit_conflict")
    assert asked and "A. Khan changed this kpi value (value" in asked[0]
    # Back to the form: what was typed stays, and the stored value is the colleague's.
    assert grid.inputs[code].text() == "85"
    with db.session() as session:
        assert session.scalars(select(KpiValue.value)).all() == [90.0]


def test_a_step_with_no_form_says_who_changed_what_and_to_do_it_again(dialogs: DialogRecorder) -> None:
    from placedesk.ui.tasks import show_error

    # As an import or background job meets a colleague's save at the last instant: no side-by-side choice there.
    conflict = EditConflict(entity="kpi_value", entity_id=uuid.uuid4(), record_label="kpi value",
                            changed_by="A. Khan", changed_at=dt.datetime(2026, 3, 2, 10, 42, tzinfo=dt.timezone.utc),
                            clashes=(FieldClash("value", "Value", "4", "5", True),), your_version=1, their_version=2)
    show_error(None, conflict)
    (said,) = dialogs.texts("warn")
    assert "A. Khan changed this kpi value (value) at " in said
    assert "while this step was running. Nothing was saved: do it again, and it starts from their version." in said
    assert "apply yours" not in said
