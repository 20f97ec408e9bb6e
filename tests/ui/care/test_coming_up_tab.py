"""The Coming up tab as the officer uses it: rows, overdue highlighting, opening records, calendar export."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from icalendar import Calendar
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from placedesk.config import OfficerSettings, Settings
from placedesk.db import Database
from placedesk.services.care.coming_up import ItemKind
from placedesk.ui.care.child_panel import OVERDUE_BACKGROUND
from placedesk.ui.context import AppContext
from placedesk.ui.care.coming_up_tab import ComingUpTab
from placedesk.ui.tasks import wait_for_tasks
from tests.conftest import DialogRecorder
from tests.services.care.test_coming_up import TODAY, make_caseload


@pytest.fixture
def caseload(db: Database) -> dict[str, uuid.UUID]:
    with db.session() as s:
        return make_caseload(s)


@pytest.fixture
def tab(qtbot: QtBot, db: Database, caseload: dict[str, uuid.UUID]) -> ComingUpTab:
    widget = ComingUpTab(AppContext(db, Settings(officer=OfficerSettings(name="Test Officer"))), today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.ready)
    return widget


def item_indexes(tab: ComingUpTab, column: int = 0) -> list[QModelIndex]:
    """Every item row's index in display order (group rows left out)."""
    model = tab.tree.model()
    out = []
    for g in range(model.rowCount()):
        group = model.index(g, 0)
        out.extend(model.index(r, column, group) for r in range(model.rowCount(group)))
    return out


def texts(tab: ComingUpTab, column: int) -> list[str]:
    return [index.data() for index in item_indexes(tab, column)]


def groups(tab: ComingUpTab) -> list[str]:
    model = tab.tree.model()
    return [model.index(g, 0).data() for g in range(model.rowCount())]


def row_of(tab: ComingUpTab, kind: str, column: int = 0) -> QModelIndex:
    return next(i for i in item_indexes(tab, column) if i.siblingAtColumn(2).data() == kind)


def test_every_kind_is_listed_and_overdue_rows_stand_out(tab: ComingUpTab) -> None:
    assert len(item_indexes(tab)) == len(ItemKind)
    assert tab.count_label.text() == "14 items, 2 overdue"
    assert groups(tab) == ["Overdue (2)", "Next 7 days (3)", "Later (9)"]
    when = [i for i in item_indexes(tab, 1) if i.data().startswith("Overdue")]
    assert [i.data() for i in when] == ["Overdue by 7 days", "Overdue by 2 days"]
    assert all(i.siblingAtColumn(3).data(Qt.BackgroundRole).color() == OVERDUE_BACKGROUND for i in when)
    assert all(i.data(Qt.FontRole).bold() for i in when)
    on_time = row_of(tab, "18th birthday")
    assert on_time.siblingAtColumn(3).data(Qt.BackgroundRole) is None
    assert on_time.siblingAtColumn(1).data() == "In 10 days"
    # Full name on screen; the calendar export keeps initials (tests/services/care/test_calendar_export.py).
    assert on_time.siblingAtColumn(4).data() == "Ava Brown (C100)"
    assert tab.tree.isExpanded(tab.tree.model().index(2, 0))


def test_double_click_asks_to_open_the_record(qtbot: QtBot, tab: ComingUpTab,
                                              caseload: dict[str, uuid.UUID]) -> None:
    row = row_of(tab, "CAP action", column=3)
    tab.tree.scrollTo(row)
    rect = tab.tree.visualRect(row)
    # A real double-click starts with a press: the view only activates the row it pressed.
    qtbot.mouseClick(tab.tree.viewport(), Qt.LeftButton, pos=rect.center())
    with qtbot.waitSignal(tab.open_requested) as signal:
        qtbot.mouseDClick(tab.tree.viewport(), Qt.LeftButton, pos=rect.center())
    assert signal.args == ["cap", caseload["cap"]]


def test_enter_on_a_row_opens_it_too(qtbot: QtBot, tab: ComingUpTab, caseload: dict[str, uuid.UUID]) -> None:
    tab.tree.setCurrentIndex(row_of(tab, "Placement review"))
    with qtbot.waitSignal(tab.open_requested) as signal:
        qtbot.keyClick(tab.tree, Qt.Key_Return)
    assert signal.args == ["placement", caseload["placement"]]


def test_a_childs_row_asks_the_window_to_open_their_page(qtbot: QtBot, tab: ComingUpTab,
                                                         caseload: dict[str, uuid.UUID]) -> None:
    # The window routes it to the Children tab (tests/ui/care/test_children_tab.py).
    tab.tree.setCurrentIndex(row_of(tab, "18th birthday"))
    with qtbot.waitSignal(tab.open_requested) as signal:
        qtbot.keyClick(tab.tree, Qt.Key_Return)
    assert signal.args == ["child", caseload["ava"]]


def test_filter_by_kind_and_group_by_kind(tab: ComingUpTab) -> None:
    tab.kind_filter.setCurrentIndex(tab.kind_filter.findText("CAP action"))
    assert texts(tab, 3) == ["CAP-1: Send the missing notifications"]
    tab.kind_filter.setCurrentIndex(0)
    tab.group_by.setCurrentIndex(tab.group_by.findText("Kind"))
    titles = groups(tab)
    assert titles[0] == "Responses due (1)" and len(titles) == len(ItemKind)


def test_sorting_by_a_column_sorts_within_groups_and_keeps_groups_in_order(tab: ComingUpTab) -> None:
    for order in (Qt.AscendingOrder, Qt.DescendingOrder):
        tab.tree.sortByColumn(3, order)
        assert groups(tab) == ["Overdue (2)", "Next 7 days (3)", "Later (9)"]
        model = tab.tree.model()
        later_group = model.index(2, 0)
        later = [model.index(r, 3, later_group).data().lower() for r in range(model.rowCount(later_group))]
        assert later == sorted(later, reverse=order == Qt.DescendingOrder)


def test_shorter_window_reloads(qtbot: QtBot, tab: ComingUpTab) -> None:
    with qtbot.waitSignal(tab.loaded):
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
    assert "Wrote 14 events" in dialogs.texts("inform")[0]


def test_empty_caseload_says_what_to_do(qtbot: QtBot, tmp_path: Path) -> None:
    from placedesk.db import open_database

    empty_db = open_database(tmp_path / "empty.sqlite")
    try:
        widget = ComingUpTab(AppContext(empty_db, Settings(officer=OfficerSettings(name="Test Officer"))), today=lambda: TODAY)
        qtbot.addWidget(widget)
        qtbot.waitUntil(lambda: widget.ready)
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
        qtbot.waitUntil(lambda: not widget._generation or wait_for_tasks())
    finally:
        empty_db.close()
