"""Keyboard and screen readers: every interactive widget on every tab, wizard page and dialog has a name.

Names are read the way a screen reader reads them (Qt's accessibility
interface: the widget's own accessible name, its label buddy's text, or a
button's text), so a search box with only placeholder text, or a table with
no name, is caught.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget, QWizard
from pytestqt.qtbot import QtBot

from placedesk.db import Database
from placedesk.ui.app import build_main_window
from placedesk.ui.main_window import TABS, MainWindow
from tests.conftest import DialogRecorder
from tests.ui.screens import TODAY, build_dialog, demo_records, dialog_classes, unnamed_widgets


@pytest.fixture
def window(qtbot: QtBot, demo_db: Database) -> MainWindow:
    win = build_main_window(demo_db)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.is_ready, timeout=20000)
    return win


def test_every_tab_and_the_childs_page_name_every_interactive_widget(window: MainWindow, demo_db: Database) -> None:
    unnamed: dict[str, list[str]] = {}
    for key, *_ in TABS:
        tab = window.show_tab(key)
        unnamed[key] = unnamed_widgets(tab)
    records = demo_records(demo_db)
    window.open_record("child", records.child_id)
    unnamed["child's page"] = unnamed_widgets(window.tab("children"))
    unnamed["menus and status bar"] = unnamed_widgets(window.statusBar()) + unnamed_widgets(window.menuBar())
    assert {k: v for k, v in unnamed.items() if v} == {}


def test_every_wizard_page_names_every_interactive_widget(qtbot: QtBot, demo_db: Database) -> None:
    from placedesk.ui.referrals.wizard.referral_wizard import ReferralWizard

    records = demo_records(demo_db)
    # A placed referral reopens at its last page, having loaded every page on the way.
    wizard = ReferralWizard(records.ctx, records.referral_id, None, TODAY)
    qtbot.addWidget(wizard)
    wizard.show()
    new = ReferralWizard(records.ctx, None, None, TODAY)
    qtbot.addWidget(new)
    new.show()
    unnamed = {page.title(): unnamed_widgets(page) for page in wizard.pages}
    unnamed["wizard buttons"] = [u for w in (wizard, new) for u in unnamed_widgets(w)]
    assert {k: v for k, v in unnamed.items() if v} == {}


@pytest.mark.parametrize("dialog_class", dialog_classes(), ids=lambda c: c.__name__)
def test_every_dialog_names_every_interactive_widget(qtbot: QtBot, demo_db: Database, dialog_class: type[QDialog],
                                                     dialogs: DialogRecorder) -> None:
    dialog = build_dialog(dialog_class, demo_records(demo_db))
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed_widgets(dialog) == []


def test_the_wizard_starts_on_the_first_field_and_tabs_through_the_page_before_its_buttons(
        qtbot: QtBot, demo_db: Database) -> None:
    from placedesk.ui.referrals.wizard.referral_wizard import ReferralWizard

    wizard = ReferralWizard(demo_records(demo_db).ctx, None, None, TODAY)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.activateWindow()
    page = wizard.pages[0]
    qtbot.waitUntil(lambda: page.case_reference.hasFocus() or wizard.focusWidget() is page.case_reference)
    # The focus chain runs through the page's fields and reaches Next and Cancel after them.
    chain: list[QWidget] = []
    widget = page.case_reference
    for _ in range(5000):
        widget = widget.nextInFocusChain()
        chain.append(widget)
        if widget is page.case_reference:
            break
    next_at = chain.index(wizard.button(QWizard.NextButton))
    cancel_at = chain.index(wizard.button(QWizard.CancelButton))
    first_name_at = chain.index(page.first_name)
    legal_at = chain.index(page.legal_status)
    assert first_name_at < legal_at < next_at < cancel_at


def test_tabs_and_main_buttons_have_mnemonics_and_shortcuts_are_listed(window: MainWindow,
                                                                      dialogs: DialogRecorder) -> None:
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert all("&" in title for title in titles)
    letters = [title[title.index("&") + 1].lower() for title in titles]
    assert len(set(letters)) == len(letters)
    shown: list[QDialog] = []
    dialogs.answer("run_modal", lambda d: shown.append(d) or False)
    window.show_shortcuts()
    table = shown[0].table  # type: ignore[attr-defined]
    listed = {table.item(r, 0).text() for r in range(table.rowCount())}
    assert {"Ctrl+N", "Ctrl+F", "F5", "Ctrl+E", "Ctrl+Shift+S"} <= listed
    actions = {a.shortcut().toString(): a.text() for a in window.findChildren(type(window.file_menu.menuAction()))
               if not a.shortcut().isEmpty()}
    assert actions["Ctrl+N"] == "New &referral…" and actions["Ctrl+F"] == "&Find a child…"
    assert actions["F5"] == "Re&fresh"
    assert actions["Ctrl+E"].startswith("&Export") and actions["Ctrl+Shift+S"].startswith("&Send and receive")


@pytest.mark.parametrize("dialog_class", [c for c in dialog_classes() if c.__name__ not in ("ReferralWizard",)],
                         ids=lambda c: c.__name__)
def test_every_dialog_starts_on_its_first_field_not_a_button(qtbot: QtBot, demo_db: Database,
                                                            dialog_class: type[QDialog],
                                                            dialogs: DialogRecorder) -> None:
    from PySide6.QtWidgets import QAbstractButton, QApplication

    dialog = build_dialog(dialog_class, demo_records(demo_db))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and QApplication.focusWidget().window() is dialog,
                    timeout=2000)
    focused = QApplication.focusWidget()
    has_fields = any(w.isVisibleTo(dialog) and w.isEnabled() and not isinstance(w, QAbstractButton)
                     and w.focusPolicy() & Qt.TabFocus for w in dialog.findChildren(QWidget)
                     if type(w).__name__ in ("QLineEdit", "QPlainTextEdit", "QComboBox", "QSpinBox"))
    if has_fields:
        assert not isinstance(focused, QAbstractButton), f"focus starts on the button {focused.text()!r}"
