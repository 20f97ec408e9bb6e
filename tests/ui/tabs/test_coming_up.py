"""The Coming up tab as the officer uses it: rows, overdue highlighting, opening records, calendar export."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from icalendar import Calendar
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from placedesk.config import Settings
from placedesk.db import Database
from placedesk.services.coming_up import ItemKind
from placedesk.ui.child_panel import OVERDUE_BACKGROUND
from placedesk.ui.context import AppContext
from placedesk.ui.tabs.coming_up import ComingUpTab
from placedesk.ui.tasks import wait_for_tasks
from tests.conftest import DialogRecorder
from tests.services.test_coming_up import TODAY, make_caseload


@pytest.fixture
def caseload(db: Database) -> dict[str, uuid.UUID]:
    with db.session() as s:
        return make_caseload(s)


@pytest.fixture
def tab(qtbot: QtBot, db: Database, caseload: dict[str, uuid.UUID]) -> ComingUpTab:
    widget = ComingUpTab(AppContext(db, Settings()), today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    return widget


def texts(tab: ComingUpTab, column: int) -> list[str]:
    return [row.text(column) for row in tab.rows()]


def test_every_kind_is_listed_and_overdue_rows_stand_out(tab: ComingUpTab) -> None:
    assert len(tab.rows()) == len(ItemKind)
    assert tab.count_label.text() == "12 items, 2 overdue"
    groups = [tab.tree.topLevelItem(i).text(0) for i in range(tab.tree.topLevelItemCount())]
    assert groups == ["Overdue (2)", "Next 7 days (3)", "Later (7)"]
    overdue = [row for row in tab.rows() if row.text(1).startswith("Overdue")]
    assert [row.text(1) for row in overdue] == ["Overdue by 7 days", "Overdue by 2 days"]
    assert all(row.background(3).color() == OVERDUE_BACKGROUND for row in overdue)
    on_time = next(row for row in tab.rows() if row.text(2) == "18th birthday")
    assert on_time.background(3).color() != OVERDUE_BACKGROUND
    assert on_time.text(1) == "In 10 days" and on_time.text(4) == "AB C100"


def test_double_click_asks_to_open_the_record(qtbot: QtBot, tab: ComingUpTab,
                                              caseload: dict[str, uuid.UUID]) -> None:
    row = next(r for r in tab.rows() if r.text(2) == "CAP action")
    tab.tree.scrollToItem(row)
    rect = tab.tree.visualItemRect(row)
    # A real double-click starts with a press: the view only activates the row it pressed.
    qtbot.mouseClick(tab.tree.viewport(), Qt.LeftButton, pos=rect.center())
    with qtbot.waitSignal(tab.open_requested) as signal:
        qtbot.mouseDClick(tab.tree.viewport(), Qt.LeftButton, pos=rect.center())
    assert signal.args == ["cap", caseload["cap"]]


def test_enter_on_a_row_opens_it_too(qtbot: QtBot, tab: ComingUpTab, caseload: dict[str, uuid.UUID]) -> None:
    row = next(r for r in tab.rows() if r.text(2) == "Placement review")
    tab.tree.setCurrentItem(row)
    with qtbot.waitSignal(tab.open_requested) as signal:
        qtbot.keyClick(tab.tree, Qt.Key_Return)
    assert signal.args == ["placement", caseload["placement"]]


def test_opening_a_child_shows_their_page_and_back_returns(qtbot: QtBot, tab: ComingUpTab,
                                                          caseload: dict[str, uuid.UUID]) -> None:
    tab.open_record("child", caseload["ava"])
    assert tab.pages.currentIndex() == 1
    assert tab.child_panel.title.text() == "Ava Brown"
    qtbot.mouseClick(tab.back_button, Qt.LeftButton)
    assert tab.pages.currentIndex() == 0


def test_filter_by_kind_and_group_by_kind(tab: ComingUpTab) -> None:
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findText("CAP action"))
    assert texts(tab, 3) == ["CAP-1: Send the missing notifications"]
    tab.kind_filter.setCurrentIndex(0)
    tab.group_by.setCurrentIndex(tab.group_by.findText("Kind"))
    groups = [tab.tree.topLevelItem(i).text(0) for i in range(tab.tree.topLevelItemCount())]
    assert groups[0] == "Responses due (1)" and len(groups) == len(ItemKind)


def test_sorting_by_a_column_sorts_within_groups_and_keeps_groups_in_order(tab: ComingUpTab) -> None:
    for order in (Qt.AscendingOrder, Qt.DescendingOrder):
        tab.tree.sortByColumn(3, order)
        groups = [tab.tree.topLevelItem(i) for i in range(tab.tree.topLevelItemCount())]
        assert [g.text(0) for g in groups] == ["Overdue (2)", "Next 7 days (3)", "Later (7)"]
        later = [groups[2].child(i).text(3).lower() for i in range(groups[2].childCount())]
        assert later == sorted(later, reverse=order == Qt.DescendingOrder)


def test_shorter_window_reloads(tab: ComingUpTab) -> None:
    tab.days.setValue(3)
    assert sorted(texts(tab, 2)) == ["CAP action", "Placement review", "Responses due"]


def test_export_writes_an_ics_the_officer_can_import(qtbot: QtBot, tab: ComingUpTab, tmp_path: Path,
                                                     dialogs: DialogRecorder) -> None:
    dialogs.answer("choose_save_file", tmp_path / "week")
    qtbot.mouseClick(tab.export_button, Qt.LeftButton)
    wait_for_tasks()
    qtbot.waitUntil(lambda: bool(dialogs.texts("inform")))
    target = tmp_path / "week.ics"
    calendar = Calendar.from_ical(target.read_bytes())
    assert len(list(calendar.walk("VEVENT"))) == len(ItemKind)
    assert "Wrote 12 events" in dialogs.texts("inform")[0]


def test_empty_caseload_says_what_to_do(qtbot: QtBot, tmp_path: Path) -> None:
    from placedesk.db import open_database

    empty_db = open_database(tmp_path / "empty.sqlite")
    try:
        widget = ComingUpTab(AppContext(empty_db, Settings()), today=lambda: TODAY)
        qtbot.addWidget(widget)
        assert widget.list_stack.currentWidget() is widget.empty
        assert "Look further ahead" in widget.empty.guidance.text()
        assert not widget.export_button.isEnabled()
        widget.kind_filter.setCurrentIndex(widget.kind_filter.findText("CAP review"))
        assert widget.empty.heading.text() == "No CAP review items"
        widget.kind_filter.setCurrentIndex(0)
        assert "load the demo data" in widget.empty.guidance.text()
        button = widget.empty.findChildren(type(widget.export_button))[0]
        qtbot.mouseClick(button, Qt.LeftButton)
        assert widget.days.value() == 90
    finally:
        empty_db.close()
