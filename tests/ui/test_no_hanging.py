"""The suite fails instead of hanging: Qt's modal dialogs refuse at once, naming what they would have asked."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from placedesk.errors import PlaceDeskError
from placedesk.ui import dialogs
from placedesk.ui.tasks import show_error


@pytest.mark.parametrize("function", ["information", "warning", "critical", "question"])
def test_a_static_message_box_fails_with_its_text(qtbot: QtBot, function: str) -> None:
    with pytest.raises(AssertionError, match="QMessageBox.%s.*Delete provider.*Oak House has 3 referrals" % function):
        getattr(QMessageBox, function)(None, "Delete provider", "Oak House has 3 referrals")


def test_the_error_box_of_a_failed_action_fails_the_test_instead_of_waiting(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    with pytest.raises(AssertionError, match="QMessageBox.warning.*Postcode ZZ1 is not in the table"):
        show_error(parent, PlaceDeskError("Postcode ZZ1 is not in the table"))


@pytest.mark.parametrize("ask", [
    lambda: QFileDialog.getOpenFileName(None, "Import the Ofsted list", "", "CSV (*.csv)"),
    lambda: QFileDialog.getSaveFileName(None, "Import the Ofsted list", "", "CSV (*.csv)"),
    lambda: QFileDialog.getExistingDirectory(None, "Import the Ofsted list"),
    lambda: dialogs.choose_open_file(None, "Import the Ofsted list"),
    lambda: QInputDialog.getText(None, "Import the Ofsted list", "Passphrase"),
])
def test_file_and_input_dialogs_fail_with_their_title(qtbot: QtBot, ask: object) -> None:
    with pytest.raises(AssertionError, match="Import the Ofsted list"):
        ask()  # type: ignore[operator]


def test_a_message_box_exec_fails_with_its_text(qtbot: QtBot) -> None:
    box = QMessageBox(QMessageBox.Warning, "Sign agreement", "The provider has not signed yet")
    with pytest.raises(AssertionError, match="QMessageBox.exec.*The provider has not signed yet"):
        box.exec()


def test_every_test_runs_on_the_same_day() -> None:
    assert dt.date.today() == dt.date(2026, 3, 2)
    now = dt.datetime.now(dt.timezone.utc)
    assert now.date() == dt.date(2026, 3, 2) and now.hour == 9
    # The clock still moves, so durations and timeouts measure real time.
    before = time.time()
    time.sleep(0.01)
    assert time.time() > before
