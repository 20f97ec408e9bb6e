"""Care periods by hand from the child's page: Add, Change and Remove driven through the real widgets."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from placedesk.config import Settings
from placedesk.db import Database
from placedesk.models import CarePeriod, Child
from placedesk.ui.care.care_period_dialog import CarePeriodDialog
from placedesk.ui.care.child_panel import ChildPanel
from placedesk.ui.context import AppContext
from tests.conftest import DialogRecorder

TODAY = dt.date(2025, 9, 1)
DOB = dt.date(2009, 6, 15)  # 16 on 15/06/2025


def add_child(db: Database, *periods: CarePeriod) -> uuid.UUID:
    with db.session_scope() as s:
        child = Child(case_reference="C200", first_name="Jay", last_name="Okafor", date_of_birth=DOB)
        s.add(child)
        s.flush()
        for period in periods:
            period.child_id = child.id
            s.add(period)
        return child.id


def open_page(qtbot: QtBot, db: Database, child_id: uuid.UUID) -> ChildPanel:
    settings = Settings()
    settings.officer.name = "Test Officer"
    page = ChildPanel(AppContext(db, settings), today=lambda: TODAY)
    qtbot.addWidget(page)
    page.resize(1100, 900)
    page.show()
    page.show_child(child_id)
    return page


def saved(db: Database) -> list[tuple[dt.date, dt.date | None, str, str, str]]:
    with db.session() as s:
        rows = s.scalars(select(CarePeriod).order_by(CarePeriod.start_date))
        return [(p.start_date, p.end_date, p.legal_status, p.placement_code, p.source) for p in rows]


def pick(combo: QComboBox, code: str) -> None:
    """Choose a code from the list, as the officer would."""
    index = combo.findData(code)
    assert index >= 0, f"{code} is not offered"
    combo.setCurrentIndex(index)


def typing(qtbot: QtBot, start: str | None = None, end: str | None = None, legal: str | None = None,
           place: str | None = None, seen: list[CarePeriodDialog] | None = None
           ) -> Callable[[CarePeriodDialog], bool]:
    """An answer for ``run_modal``: type into the real dialog as the officer would, press Save."""

    def answer(dialog: CarePeriodDialog) -> bool:
        qtbot.addWidget(dialog)
        dialog.show()
        if seen is not None:
            seen.append(dialog)
        for edit, text in ((dialog.start_date, start), (dialog.end_date, end)):
            if text is not None:
                edit.clear()
                qtbot.keyClicks(edit, text)
        if legal is not None:
            pick(dialog.legal_status, legal)
        if place is not None:
            pick(dialog.placement_code, place)
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
        return dialog.result() == QDialog.Accepted

    return answer


def test_add_a_period_by_hand_and_the_leaving_care_status_follows(qtbot: QtBot, db: Database,
                                                                  dialogs: DialogRecorder) -> None:
    page = open_page(qtbot, db, add_child(db))
    assert page.history_empty.isVisible() and "add each period by hand" in page.history_empty.text()
    assert page.status_label.text() == "None on 01/09/2025"
    seen: list[CarePeriodDialog] = []
    dialogs.answer("run_modal", typing(qtbot, "02/06/2025", "", "C2", "U4", seen))
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    assert seen[0].result() == QDialog.Accepted
    assert saved(db) == [(dt.date(2025, 6, 2), None, "C2", "U4", "manual")]
    # The page reloaded on the change notice: 92 days since 14, 79 after 16, looked after now.
    assert page.status_label.text() == "Eligible child on 01/09/2025"
    assert not page.history_empty.isVisible()
    assert page.history_table.item(0, 0).text() == "02/06/2025"
    assert page.history_table.item(0, 1).text() == "Open"
    assert page.history_table.item(0, 4).text().startswith("U4 Foster placement with other foster carer")
    assert page.history_table.item(0, 6).text() == "Entered by hand"


def test_a_wrong_date_is_shown_beside_its_field_and_nothing_is_saved(qtbot: QtBot, db: Database,
                                                                      dialogs: DialogRecorder) -> None:
    page = open_page(qtbot, db, add_child(db))
    seen: list[CarePeriodDialog] = []
    dialogs.answer("run_modal", typing(qtbot, "31/02/2025", "", "C2", "U4", seen))
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    dialog = seen[0]
    assert dialog.result() != QDialog.Accepted and dialog.isVisible()
    assert "'31/02/2025' is not a real date" in dialog.error_text("start_date")
    start_error = dialog.form.fields["start_date"][1]
    assert start_error.isVisible() and dialog.start_date.property("invalid") is True
    assert dialog.error_text("end_date") == "" and dialog.error_text() == ""
    assert saved(db) == []

    # Corrected start, but an end before it: the message moves to the end date.
    dialog.start_date.clear()
    qtbot.keyClicks(dialog.start_date, "02/06/2025")
    qtbot.keyClicks(dialog.end_date, "01/06/2025")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert dialog.error_text("start_date") == ""
    assert "before the start date 02/06/2025" in dialog.error_text("end_date")
    assert saved(db) == []

    dialog.end_date.clear()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert dialog.result() == QDialog.Accepted
    assert saved(db) == [(dt.date(2025, 6, 2), None, "C2", "U4", "manual")]


def test_codes_must_be_chosen_and_are_offered_with_their_labels(qtbot: QtBot, db: Database,
                                                                dialogs: DialogRecorder) -> None:
    page = open_page(qtbot, db, add_child(db))
    seen: list[CarePeriodDialog] = []
    dialogs.answer("run_modal", typing(qtbot, "02/06/2025", "", seen=seen))
    qtbot.mouseClick(page.add_button, Qt.LeftButton)
    dialog = seen[0]
    assert "Choose the legal status" in dialog.error_text("legal_status")
    labels = [dialog.legal_status.itemText(i) for i in range(dialog.legal_status.count())]
    assert "V3  Agreed series of short-term breaks (individual episodes recorded)" in labels
    places = [dialog.placement_code.itemText(i) for i in range(dialog.placement_code.count())]
    assert "K2  Children's home" in places
    pick(dialog.legal_status, "V2")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Save), Qt.LeftButton)
    assert "Choose the placement type" in dialog.error_text("placement_code")
    assert saved(db) == []


def test_change_starts_from_the_period_and_saves_the_correction(qtbot: QtBot, db: Database,
                                                                dialogs: DialogRecorder) -> None:
    child_id = add_child(db, CarePeriod(start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 5, 1),
                                        legal_status="V2", placement_code="U6", source="ssda903"))
    page = open_page(qtbot, db, child_id)
    assert not page.change_button.isEnabled() and not page.remove_button.isEnabled()
    page.history_table.selectRow(0)
    assert page.change_button.isEnabled()
    seen: list[CarePeriodDialog] = []
    dialogs.answer("run_modal", typing(qtbot, end="01/04/2024", place="K2", seen=seen))
    qtbot.mouseClick(page.change_button, Qt.LeftButton)
    dialog = seen[0]
    assert dialog.start_date.text() == "01/01/2024" and dialog.legal_status.currentData() == "V2"
    assert any("came from an SSDA903 import" in label.text() for label in dialog.findChildren(QLabel))
    assert saved(db) == [(dt.date(2024, 1, 1), dt.date(2024, 4, 1), "V2", "K2", "manual")]
    assert page.history_table.item(0, 1).text() == "01/04/2024"
    assert page.history_table.item(0, 6).text() == "Entered by hand"


def test_remove_asks_first_and_deletes_only_when_told(qtbot: QtBot, db: Database, dialogs: DialogRecorder) -> None:
    child_id = add_child(db, CarePeriod(start_date=dt.date(2025, 6, 2), legal_status="C2", placement_code="U4"))
    page = open_page(qtbot, db, child_id)
    assert page.status_label.text() == "Eligible child on 01/09/2025"
    page.history_table.selectRow(0)
    dialogs.answer("confirm", False)
    qtbot.mouseClick(page.remove_button, Qt.LeftButton)
    assert len(saved(db)) == 1
    question = dialogs.texts("confirm")[0]
    assert "Remove the care period 02/06/2025 to now (open) (C2 Full care order (s31))" in question
    page.history_table.selectRow(0)
    dialogs.answer("confirm", True)
    qtbot.mouseClick(page.remove_button, Qt.LeftButton)
    assert saved(db) == []
    assert page.history_empty.isVisible() and not page.history_table.isVisible()
    assert page.status_label.text() == "None on 01/09/2025"
    assert not page.remove_button.isEnabled()
