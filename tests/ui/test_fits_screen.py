"""Fits a council laptop: every window and dialog is usable at 1280x680, and none opens larger than the screen.

Dialogs are found generically (see tests/ui/screens.py), so one added later is
held to the same rule: its minimum size fits 1280x680, and at that size its
default buttons are inside the visible area.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QDialogButtonBox, QWidget, QWizard
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.ui.app import build_main_window
from placedesk.ui.main_window import TABS
from placedesk.ui.widgets.geometry import fit_to_screen, restore_geometry, save_geometry
from tests.conftest import DialogRecorder
from tests.ui.screens import TODAY, build_dialog, demo_records, dialog_classes

LAPTOP = QSize(1280, 680)


def _fits(size: QSize) -> bool:
    return size.width() <= LAPTOP.width() and size.height() <= LAPTOP.height()


def _inside(window: QWidget, widget: QWidget) -> bool:
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().contains(QRect(top_left, widget.size()))


def _default_buttons(window: QWidget) -> list[QAbstractButton]:
    buttons = [b for box in window.findChildren(QDialogButtonBox) for b in box.buttons()]
    if isinstance(window, QWizard):
        buttons += [window.button(w) for w in (QWizard.BackButton, QWizard.NextButton, QWizard.CommitButton,
                                               QWizard.FinishButton, QWizard.CancelButton)]
    return [b for b in buttons if b.isVisibleTo(window)]


def _at_laptop_size(qtbot: QtBot, window: QWidget) -> None:
    window.show()
    window.resize(LAPTOP.boundedTo(window.maximumSize()))
    QApplication.processEvents()
    qtbot.waitUntil(lambda: window.size() == LAPTOP.boundedTo(window.maximumSize()), timeout=2000)


@pytest.mark.parametrize("dialog_class", dialog_classes(), ids=lambda c: c.__name__)
def test_every_dialog_fits_1280x680_with_its_buttons_on_screen(qtbot: QtBot, demo_db: Database,
                                                               dialog_class: type[QDialog],
                                                               dialogs: DialogRecorder) -> None:
    dialog = build_dialog(dialog_class, demo_records(demo_db))
    qtbot.addWidget(dialog)
    assert _fits(dialog.minimumSizeHint()) and _fits(dialog.minimumSize()), (
        f"{dialog_class.__name__} needs at least {dialog.minimumSizeHint()}")
    _at_laptop_size(qtbot, dialog)
    buttons = _default_buttons(dialog)
    assert buttons or dialog_class.__name__ == "BackupChooser" or dialog.findChildren(QAbstractButton)
    off = [b.text() for b in buttons if not _inside(dialog, b)]
    assert off == []


def test_the_wizard_at_its_last_page_fits_with_its_buttons(qtbot: QtBot, demo_db: Database) -> None:
    from placedesk.ui.referrals.wizard.referral_wizard import ReferralWizard

    records = demo_records(demo_db)
    wizard = ReferralWizard(records.ctx, records.referral_id, None, TODAY)
    qtbot.addWidget(wizard)
    assert _fits(wizard.minimumSizeHint())
    _at_laptop_size(qtbot, wizard)
    assert all(_inside(wizard, b) for b in _default_buttons(wizard))


def test_the_main_window_fits_1280x680_on_every_tab_with_its_status_bar(qtbot: QtBot, demo_db: Database) -> None:
    window = build_main_window(demo_db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.is_ready, timeout=20000)
    for key, *_ in TABS:
        window.show_tab(key)
        assert _fits(window.minimumSizeHint()), f"the {key} tab needs {window.minimumSizeHint()}"
    _at_laptop_size(qtbot, window)
    assert window.statusBar().isVisible() and _inside(window, window.statusBar())
    monitoring = window.show_tab("monitoring")
    QApplication.processEvents()
    search = monitoring.findChildren(type(window.tab("referrals").list.search))  # type: ignore[attr-defined]
    # The search boxes keep room for what is typed ("Sea…" was all that showed).
    assert all(box.width() >= 180 for box in search if box.isVisibleTo(window) and box.placeholderText())


def test_windows_open_no_larger_than_the_screen_and_come_back_where_they_were_left(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    area = QApplication.primaryScreen().availableGeometry()
    fit_to_screen(widget, QSize(4000, 3000))
    assert widget.width() <= area.width() and widget.height() <= area.height()
    assert area.intersects(widget.frameGeometry())
    widget.show()
    widget.setGeometry(40, 50, 500, 400)
    save_geometry(widget, "Probe")
    other = QWidget()
    qtbot.addWidget(other)
    restore_geometry(other, "Probe", QSize(900, 700))
    assert other.size() == QSize(500, 400)
