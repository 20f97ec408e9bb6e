"""The Placements tab: the list with agreement status, search, filters, sorting, and the agreement below."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from placedesk.config import Settings
from placedesk.db import Database
from placedesk.models import Agreement
from placedesk.services.agreements import ipa as ag
from placedesk.ui.context import AppContext
from placedesk.ui.agreements.placements_tab import PlacementsTab
from placedesk.ui.tasks import wait_for_tasks
from tests.conftest import DialogRecorder
from tests.ui.looks import assert_looks_right
from tests.services.agreements.helpers import NOW, OFFICER_PASS, TODAY, make_placement, officer, officer_p12


@pytest.fixture(autouse=True)
def _finish_background_work() -> Iterator[None]:
    """Let page drawing started by a test finish before its widgets go: no task outlives its test."""
    yield
    for _ in range(3):
        wait_for_tasks()


@pytest.fixture
def ctx(db: Database) -> Iterator[AppContext]:
    yield AppContext(db, Settings(officer=officer()))


@pytest.fixture
def placements(db: Database) -> dict[str, uuid.UUID]:
    """Three placements: one without an agreement, one issued, one signed by the officer."""
    with db.session_scope() as session:
        bare = make_placement(session, first_name="Amira", last_name="Haddad")
        issued = make_placement(session, first_name="Bryn", last_name="Jones")
        ag.issue_agreement(session, issued, officer=officer(), today=TODAY)
        signed = make_placement(session, first_name="Łucja", last_name="Nowak")
        agreement = ag.issue_agreement(session, signed, officer=officer(), today=TODAY)
        ag.sign_agreement(session, agreement, identity=officer_p12(), passphrase=OFFICER_PASS, officer=officer(),
                          now=NOW)
        return {"bare": bare.id, "issued": issued.id, "signed": signed.id,
                "bare_ref": bare.ref, "signed_ref": signed.ref}  # type: ignore[dict-item]


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext, placements: dict[str, uuid.UUID]) -> PlacementsTab:
    widget = PlacementsTab(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 900)
    return widget


def _column(tab: PlacementsTab, key: str) -> list[str]:
    keys = [c.key for c in tab.model.spec.columns]
    return [tab.model.data(tab.model.index(r, keys.index(key))) for r in range(tab.model.rowCount())]


def test_the_list_shows_each_placement_with_the_childs_full_name_and_agreement_status(tab: PlacementsTab) -> None:
    headings = [tab.model.headerData(i, Qt.Horizontal) for i in range(tab.model.columnCount())]
    assert headings[:7] == ["Placement", "Child", "Provider", "Type", "Start", "Weekly total", "Agreement"]
    # The officer sees full names on screen; initials are only for what leaves the laptop.
    assert sorted(_column(tab, "child")) == ["Amira Haddad", "Bryn Jones", "Łucja Nowak"]
    assert sorted(_column(tab, "agreement")) == sorted(
        ["No agreement yet", "Issued, awaiting officer signature", "Signed, awaiting countersignature"])
    assert set(_column(tab, "weekly")) == {"£4,820.50"}
    assert tab.list.count_label.text() == "3 placements shown"


def test_filtering_by_agreement_status_and_searching(qtbot: QtBot, tab: PlacementsTab,
                                                     placements: dict[str, object]) -> None:
    combo = tab.list.filter_combo("agreement")
    combo.setCurrentIndex(combo.findText("No agreement yet"))
    assert _column(tab, "ref") == [placements["bare_ref"]]
    combo.setCurrentIndex(0)
    qtbot.keyClicks(tab.list.search, str(placements["signed_ref"]))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1)
    assert _column(tab, "ref") == [placements["signed_ref"]]
    tab.list.search.clear()
    qtbot.keyClicks(tab.list.search, "nothing-like-this")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0)
    assert "No placements match" in tab.list.count_label.text()


def test_sorting_by_agreement_status(tab: PlacementsTab) -> None:
    keys = [c.key for c in tab.model.spec.columns]
    tab.list.view.sortByColumn(keys.index("agreement"), Qt.AscendingOrder)
    assert _column(tab, "agreement") == sorted(_column(tab, "agreement"))


def test_selecting_a_placement_shows_its_agreement(qtbot: QtBot, tab: PlacementsTab,
                                                   placements: dict[str, uuid.UUID]) -> None:
    refs = _column(tab, "ref")
    row = refs.index(str(placements["signed_ref"]))
    qtbot.mouseClick(tab.list.view.viewport(), Qt.LeftButton,
                     pos=tab.list.view.visualRect(tab.model.index(row, 0)).center())
    wait_for_tasks()
    assert tab.panel.placement_id == placements["signed"]
    assert "signed, awaiting countersignature" in tab.panel.heading.text()
    assert tab.panel.export_button.isEnabled()


def test_issuing_from_the_tab_updates_the_list_and_keeps_the_selection(
        qtbot: QtBot, tab: PlacementsTab, placements: dict[str, uuid.UUID], dialogs: DialogRecorder) -> None:
    refs = _column(tab, "ref")
    tab.list.view.selectRow(refs.index(str(placements["bare_ref"])))
    assert tab.panel.placement_id == placements["bare"]

    def accept(dialog: object) -> bool:
        dialog._accept()  # type: ignore[attr-defined]
        return True

    dialogs.answer("run_modal", accept)
    qtbot.mouseClick(tab.panel.issue_button, Qt.LeftButton)
    for _ in range(3):
        wait_for_tasks()
    statuses = dict(zip(_column(tab, "ref"), _column(tab, "agreement"), strict=True))
    assert statuses[str(placements["bare_ref"])] == "Issued, awaiting officer signature"
    assert tab.panel.placement_id == placements["bare"]
    assert tab.list.current_id() == placements["bare"]


def test_opening_an_agreement_record_selects_its_placement(tab: PlacementsTab, db: Database,
                                                           placements: dict[str, uuid.UUID]) -> None:
    with db.session_scope() as session:
        agreement_id = session.scalars(
            select(Agreement.id).where(Agreement.placement_id == placements["signed"])).one()
    tab.open_record("agreement", agreement_id)
    assert tab.panel.placement_id == placements["signed"]
    assert tab.list.current_id() == placements["signed"]


def test_an_empty_database_explains_where_placements_come_from(qtbot: QtBot, ctx: AppContext) -> None:
    widget = PlacementsTab(ctx)
    qtbot.addWidget(widget)
    assert widget.list.stack.currentWidget() is widget.list.empty
    assert "award an offer" in widget.list.empty.guidance.text()


def test_the_tab_looks_right(qtbot: QtBot, tab: PlacementsTab, tmp_path: Path,
                             placements: dict[str, uuid.UUID]) -> None:
    tab.open_record("placement", placements["signed"])
    for _ in range(3):
        wait_for_tasks()
    image = tab.grab()
    image.save(str(tmp_path / "placements.png"))
    assert_looks_right(tab, image, [tab.list, tab.panel.heading, tab.panel.viewer, tab.panel.print_button])
