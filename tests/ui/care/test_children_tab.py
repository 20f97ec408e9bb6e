"""The Children tab: find a child by any part of who they are, open their page, reach it from other rows."""

from __future__ import annotations


import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from placedesk.db import Database
from placedesk.models import Child, Placement, Referral
from placedesk.ui.app import build_main_window
from placedesk.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: QtBot, demo_db: Database) -> MainWindow:
    win = build_main_window(demo_db)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.is_ready, timeout=20000)
    return win


def _search(qtbot: QtBot, window: MainWindow, text: str) -> list[str]:
    tab = window.tab("children")
    tab.list.search.setText(text)
    qtbot.waitUntil(lambda: tab.model.request.text == text, timeout=3000)
    keys = [c.key for c in tab.model.spec.columns]
    return [tab.model.data(tab.model.index(r, keys.index("name"))) for r in range(tab.model.rowCount())]


def test_ctrl_f_finds_a_child_by_name_part_reference_or_birthday_and_opens_their_page(
        qtbot: QtBot, window: MainWindow, demo_db: Database) -> None:
    with demo_db.session() as s:
        placed = s.get(Child, s.scalars(select(Placement.child_id)).first())
        first, last, ref, born = placed.first_name, placed.last_name, placed.case_reference, placed.date_of_birth
    qtbot.keyClick(window, Qt.Key_F, Qt.ControlModifier)
    tab = window.tab("children")
    assert window.tabs.currentWidget() is window._lazy["children"]
    assert QApplication.focusWidget() is tab.list.search
    assert f"{first} {last}" in _search(qtbot, window, last.lower())
    assert _search(qtbot, window, ref) == [f"{first} {last}"]
    assert f"{first} {last}" in _search(qtbot, window, born.strftime("%d/%m/%Y"))
    tab.list.view.selectRow(0)
    qtbot.keyClick(tab.list.view, Qt.Key_Return)
    panel = tab.child_panel
    assert tab.pages.currentIndex() == 1 and panel.title.text().startswith(f"{first} {last}")
    # Identity, legal status, care history, leaving care, and every record about the child.
    assert panel.fields["legal"].text() and panel.status_label.text()
    titles = [box.title() for box, *_ in panel.record_groups]
    assert titles == ["Referrals", "Placements", "Agreements (IPAs)", "Outcome readings"]
    assert panel.placements_table.rowCount() >= 1 and panel.referrals_table.rowCount() >= 1


def test_a_placement_row_opens_the_childs_page_and_the_childs_page_opens_the_placement(
        qtbot: QtBot, window: MainWindow, demo_db: Database) -> None:
    placements = window.show_tab("placements")
    placements.list.view.selectRow(0)
    placement_id = placements.list.current_id()
    with demo_db.session() as s:
        child = s.get(Child, s.get(Placement, placement_id).child_id)
        name = child.full_name
    # The list shows the child's full name, as everywhere on screen.
    keys = [c.key for c in placements.model.spec.columns]
    assert placements.model.data(placements.model.index(0, keys.index("child"))) == name
    qtbot.mouseClick(placements.child_button, Qt.LeftButton)
    children = window.tab("children")
    assert window.tabs.currentWidget() is window._lazy["children"]
    assert children.child_panel.child_id == child.id
    row = next(r for r, p in enumerate(children.child_panel.records.placements) if p.id == placement_id)
    item = children.child_panel.placements_table.item(row, 0)
    children.child_panel.placements_table.itemDoubleClicked.emit(item)
    assert window.tabs.currentWidget() is window._lazy["placements"]
    assert placements.panel.placement_id == placement_id


def test_a_referral_row_opens_its_childs_page_with_the_shortcut(qtbot: QtBot, window: MainWindow,
                                                               demo_db: Database) -> None:
    referrals = window.show_tab("referrals")
    referrals.list.view.selectRow(0)
    referral_id = referrals.list.current_id()
    referrals.list.view.setFocus()
    qtbot.keyClick(referrals.list.view, Qt.Key_C, Qt.ControlModifier | Qt.ShiftModifier)
    with demo_db.session() as s:
        child_id = s.get(Referral, referral_id).child_id
    assert window.tab("children").child_panel.child_id == child_id
