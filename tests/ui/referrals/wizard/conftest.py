"""Fixtures and real-widget helpers for the referral wizard tests.

The helpers act as the officer does: type into line edits, tick boxes with
the mouse, pick from combos and press the wizard's own buttons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QListWidget, QWizard
from pytestqt.qtbot import QtBot

from tests.conftest import DialogRecorder
from placedesk.config import OfficerSettings, Settings
from placedesk.db import Database
from placedesk.ui.context import AppContext
from placedesk.ui.tasks import wait_for_tasks
from placedesk.ui.referrals.wizard.referral_wizard import ReferralWizard
from tests.conftest import DEMO_TODAY

# The day the whole suite runs on (tests/conftest.py's fixed clock), which the demo data is made for.
TODAY = DEMO_TODAY


def settle_background_work() -> None:
    """Let ranking, comparing and saving threads report back (a page starts them just after it is drawn)."""
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    for _ in range(3):
        loop = QEventLoop()
        QTimer.singleShot(60, loop.quit)
        loop.exec()
        wait_for_tasks(60000)
    QCoreApplication.processEvents()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Before pytest-qt closes a test's widgets, let their background work finish.

    A task still running when its page is deleted would report into the next test.
    """
    if "qtbot" in getattr(item, "fixturenames", ()):
        settle_background_work()
    yield


@pytest.fixture(autouse=True)
def _officer_confirms(dialogs: DialogRecorder) -> DialogRecorder:
    """The officer presses the named button (Record as sent, Award) when asked to confirm a step."""
    dialogs.always("confirm", True)
    return dialogs


def make_ctx(db: Database) -> AppContext:
    settings = Settings(officer=OfficerSettings(name="Test Officer", local_authority="Sheffield City Council",
                                                email="placements@example.gov.uk"), laptop_id="TEST")
    return AppContext(db, settings)


@pytest.fixture
def open_wizard(qtbot: QtBot) -> Callable[..., ReferralWizard]:
    """Build and show (non-modally) a wizard on a database, new or for a saved referral."""

    def build(db: Database | AppContext, referral_id: Any = None, today: dt.date = TODAY) -> ReferralWizard:
        ctx = db if isinstance(db, AppContext) else make_ctx(db)
        wizard = ReferralWizard(ctx, referral_id, None, today=today)
        qtbot.addWidget(wizard)
        wizard.show()
        qtbot.waitExposed(wizard)
        return wizard

    return build


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Clear a line edit (or a date field's) and type ``text`` key by key."""
    edit = getattr(edit, "line", edit)
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key_Delete)
    qtbot.keyClicks(edit, text)


def pick(combo: QComboBox, data: Any) -> None:
    """Choose the combo item carrying ``data`` (as picking it from the drop-down does)."""
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(index)


def pick_text(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, f"{text!r} is not offered"
    combo.setCurrentIndex(index)


def tick_list_item(qtbot: QtBot, widget: QListWidget, code: str) -> None:
    """Click the tick box of the list item whose code is ``code``."""
    for i in range(widget.count()):
        item = widget.item(i)
        if item.data(Qt.UserRole) == code:
            widget.scrollToItem(item)
            rect = widget.visualItemRect(item)
            qtbot.mouseClick(widget.viewport(), Qt.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y()))
            assert item.checkState() == Qt.Checked
            return
    raise AssertionError(f"no item {code}")


def click_cell(qtbot: QtBot, view: QAbstractItemView, row: int, column: int = 1) -> None:
    """Click a table cell (selects its row)."""
    index = view.model().index(row, column)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view.visualRect(index).center())


def tick_row(qtbot: QtBot, view: QAbstractItemView, row: int) -> None:
    """Click the tick box in column 0 of ``row``."""
    index = view.model().index(row, 0)
    view.scrollTo(index)
    rect = view.visualRect(index)
    before = index.data(Qt.CheckStateRole)
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=QPoint(rect.left() + 10, rect.center().y()))
    assert index.data(Qt.CheckStateRole) != before, "the tick box did not change"


def press_next(qtbot: QtBot, wizard: QWizard) -> None:
    """Press Next (or the page's commit button, which stands in for Next on Send and Award)."""
    for which in (QWizard.NextButton, QWizard.CommitButton, QWizard.FinishButton):
        button = wizard.button(which)
        if button.isVisible() and button.isEnabled():
            qtbot.mouseClick(button, Qt.LeftButton)
            return
    raise AssertionError("no forward button is available")
